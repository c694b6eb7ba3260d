/**
 * The writers' verification and the cross-workload denial, run in a real /bin/sh with the exact
 * commands each cloud's client builds, against a fake `aws`, `gcloud` and `az` that keep objects in
 * a directory and refuse keys outside an allowed prefix with the cloud's own refusal text. Proves
 * the scripts: a writer passes only once it wrote, read back and deleted an object under its own
 * prefix; the cross-workload denial passes only on the storage service's explicit refusal.
 *
 * What it cannot prove: that the real CLIs accept these arguments (the fakes follow their
 * documented synopses: `aws s3 cp - <url>`, `gcloud storage cp - <url>`, `az storage blob upload
 * --data`), nor the clouds' answers.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { installMocks, valueOf } from "../offline/mocks";
import { s3Client } from "../src/aws";
import { BLOB_REFUSAL, blobClient, blobWriteCommands } from "../src/azure";
import type { StorageClient } from "../src/core";
import { gcsClient, gcsReadKey, gcsWriteCommands } from "../src/gcp";
import { denialScript, verifyScript } from "../src/k8s";

installMocks();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workloads-"));
const store = path.join(dir, "store");

/**
 * One fake for the three CLIs. Objects live under `$STORE/<key>`; a key outside `$ALLOW` is
 * refused with the cloud's refusal text; `$BROKEN=get` makes reads of written objects return
 * something else.
 */
const FAKE = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const cli = path.basename(process.argv[1]);
const a = process.argv.slice(2);
const store = process.env.STORE, allow = process.env.ALLOW ?? "";
const keyOf = (url) => url.replace(/^[a-z0-9]+:\\/\\/[^/]+\\//, "");
const refuse = {
  aws: "An error occurred (403) when calling the HeadObject operation: Forbidden",
  gcloud: "ERROR: HTTPError 403: x does not have storage.objects.get access to the Google Cloud Storage object.",
  az: "ErrorCode:AuthorizationPermissionMismatch",
}[cli];
const check = (key) => { if (!key.startsWith(allow)) { console.error(refuse); process.exit(1); } };
const get = (key) => {
  check(key);
  const f = path.join(store, key);
  if (!fs.existsSync(f)) { console.error("not found " + key); process.exit(1); }
  const text = fs.readFileSync(f, "utf8");
  return process.env.BROKEN === "get" && key.includes("verify-") ? "other" : text;
};
const put = (key, text) => { check(key); fs.mkdirSync(path.dirname(path.join(store, key)), { recursive: true }); fs.writeFileSync(path.join(store, key), text); fs.appendFileSync(path.join(store, "..", "log"), "put " + key + "\\n"); };
const rm = (key) => { check(key); fs.rmSync(path.join(store, key)); fs.appendFileSync(path.join(store, "..", "log"), "rm " + key + "\\n"); };
const stdin = () => fs.readFileSync(0, "utf8");
const flag = (name) => a[a.indexOf(name) + 1];
if (cli === "aws") {
  if (a[0] === "sts") { console.log("arn:aws:sts::1:assumed-role/role-a/s"); process.exit(0); }
  if (a[1] === "cp" && a[2] === "-") put(keyOf(a[3]), stdin());
  else if (a[1] === "cp") process.stdout.write(get(keyOf(a[2])));
  else if (a[1] === "rm") rm(keyOf(a[2]));
} else if (cli === "curl") {
  const url = a.at(-1);
  if (url.startsWith("http://metadata.google.internal/")) { console.log("p.svc.id.goog"); process.exit(0); }
  // Otherwise only the JSON API simple upload, with a bearer token from gcloud.
  const upload = "https://storage.googleapis.com/upload/storage/v1/b/bucket/o?uploadType=media&name=";
  const m = url.startsWith(upload) ? [url, url.slice(upload.length)] : null;
  if (!m || a[a.indexOf("-X") + 1] !== "POST" || !a.includes("Authorization: Bearer token")) { console.error("curl: unexpected " + a.join(" ")); process.exit(2); }
  const key = decodeURIComponent(m[1]);
  if (!key.startsWith(allow)) { console.error("curl: (22) The requested URL returned error: 403"); process.exit(22); }
  put(key, stdin());
} else if (cli === "gcloud") {
  if (a[0] === "auth" && a[1] === "print-access-token") { console.log("token"); process.exit(0); }
  if (a[1] === "cp" && a[2] === "-") put(keyOf(a[3]), stdin());
  else if (a[1] === "cat") process.stdout.write(get(keyOf(a[2])));
  else if (a[1] === "rm") rm(keyOf(a[2]));
} else if (cli === "az") {
  if (a[0] === "login") process.exit(0);
  if (a[0] === "account") { console.log("client-a"); process.exit(0); }
  if (a[2] === "upload") put(flag("--name"), flag("--data"));
  else if (a[2] === "download") fs.writeFileSync(flag("--file"), get(flag("--name")));
  else if (a[2] === "delete") rm(flag("--name"));
}
`;

for (const cli of ["aws", "gcloud", "az", "curl"]) {
  fs.writeFileSync(path.join(dir, cli), FAKE, { mode: 0o755 });
}
fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
// The metadata server's answer to "which account am I" (gcsClient's whoami) comes from the fake
// curl too: any URL that is not an upload.

beforeEach(() => {
  fs.rmSync(store, { recursive: true, force: true });
  fs.rmSync(path.join(dir, "log"), { force: true });
  fs.mkdirSync(path.join(store, "team-a"), { recursive: true });
  fs.mkdirSync(path.join(store, "team-b"), { recursive: true });
  fs.writeFileSync(path.join(store, "team-a/hello.txt"), "Hello, World!\n");
  fs.writeFileSync(path.join(store, "team-b/hello.txt"), "Hello, World!\n");
});

async function sh(
  script: Promise<string>,
  env: Record<string, string>,
): Promise<{ status: number; out: string }> {
  try {
    const out = execFileSync("/bin/sh", ["-c", await script], {
      env: {
        PATH: `${dir}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
        STORE: store,
        HOSTNAME: "pod-1",
        // What the Azure login reads (the webhook or the binding sets them).
        AZURE_CLIENT_ID: "client-a",
        AZURE_TENANT_ID: "tenant",
        AZURE_FEDERATED_TOKEN_FILE: "/dev/null",
        ...env,
      },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, out: err.stdout + err.stderr };
  }
}

const clients: Record<string, { client: StorageClient; expected: string }> = {
  s3: {
    client: s3Client({
      objectUrl: "s3://bucket/team-a/hello.txt",
      region: "eu-north-1",
      roleName: "role-a",
      bucketName: "bucket",
      writePrefix: "team-a/",
    }),
    expected: ":assumed-role/role-a/",
  },
  gcs: {
    client: {
      ...gcsClient({ objectUrl: "gs://bucket/team-a/hello.txt", workloadPool: "p.svc.id.goog" }),
      readKey: gcsReadKey("bucket"),
      ...gcsWriteCommands("bucket", "team-a/"),
    },
    expected: "p.svc.id.goog",
  },
  blob: {
    client: {
      ...blobClient({
        accountName: "acct",
        containerName: "hello",
        blobName: "team-a/hello.txt",
        clientId: "client-a",
      }),
      write: blobWriteCommands("acct", "hello", "team-a/"),
    },
    expected: "client-a",
  },
};

describe.each(Object.keys(clients))("%s", (storage) => {
  const { client, expected } = clients[storage];
  const log = () =>
    fs.existsSync(path.join(dir, "log")) ? fs.readFileSync(path.join(dir, "log"), "utf8") : "";

  test("a writer passes once it wrote, read back and deleted its own object", async () => {
    const r = await sh(valueOf(verifyScript(client, 2)), {
      EXPECTED_IDENTITY: expected,
      ALLOW: "team-a/",
    });
    expect(r.out).toContain("read hello.txt: Hello, World!");
    expect(r.status, r.out).toBe(0);
    expect(log()).toBe("put team-a/verify-pod-1.txt\nrm team-a/verify-pod-1.txt\n");
    expect(fs.existsSync(path.join(store, "team-a/verify-pod-1.txt"))).toBe(false);
  });

  test("a writer fails when what it reads back is not what it wrote", async () => {
    const r = await sh(valueOf(verifyScript(client, 2)), {
      EXPECTED_IDENTITY: expected,
      ALLOW: "team-a/",
      BROKEN: "get",
    });
    expect(r.status).toBe(1);
    expect(r.out).toContain("could not write, read back and delete");
  });

  test("a writer fails when it may read but not write (retries, then fails)", async () => {
    // The fake refuses every key outside ALLOW: allow only the hello object itself.
    const r = await sh(valueOf(verifyScript(client, 2)), {
      EXPECTED_IDENTITY: expected,
      ALLOW: "team-a/hello",
    });
    expect(r.status).toBe(1);
    expect(r.out.match(/could not write/g)).toHaveLength(2);
  });
});

describe.each(["s3", "gcs"])("%s cross-workload denial", (storage) => {
  const { client } = clients[storage];
  const script = () =>
    valueOf(
      denialScript(
        { ...client, read: client.readKey!("team-b/hello.txt") },
        { attempts: 2, refusal: "", what: "it read team-b/hello.txt" },
      ),
    );

  test("passes on the storage service's explicit refusal of the other workload's object", async () => {
    const r = await sh(script(), { ALLOW: "team-a/" });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("denied, as it must be");
  });

  test("fails when the other workload's object can be read", async () => {
    const r = await sh(script(), { ALLOW: "" });
    expect(r.status).toBe(1);
    expect(r.out).toContain("FAILED: it read team-b/hello.txt");
  });
});

test("blob's refusal pattern matches the fake's refusal (the text Blob answers a failed condition with)", () => {
  expect(new RegExp(BLOB_REFUSAL).test("ErrorCode:AuthorizationPermissionMismatch")).toBe(true);
});
