/**
 * The AKS verification Job's script, run in a real /bin/sh against a fake `az`: the quoting of the
 * federated login, the identity check and the Entra-authenticated download hold up in a shell,
 * propagation delays are retried, and a wrong identity, a missing webhook injection or a stale
 * download never pass. The fake cannot prove what the real CLI prints; the Job does that live.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { installMocks, valueOf } from "../offline/mocks";
import { blobClient } from "../src/azure";
import { verifyScript } from "../src/k8s";

installMocks("aks");

const CLIENT_ID = "8e3c5b1a-7f2d-4c9e-a6b0-1d2e3f4a5b6c";
const TENANT_ID = "5d7e4366-1b9b-45cf-8e79-b14b27df46e1";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVtbzpkZW1vIn0.sig";
const client = blobClient({
  accountName: "wiaksq7x2k9",
  containerName: "hello",
  blobName: "hello.txt",
  clientId: CLIENT_ID,
});

/** What the AKS binding declares the webhook injects (asserted in test/azure.test.ts). */
const WEBHOOK_VARIABLES = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"];

let dir: string;
let download: string;

/** A fake `az`: logs every call; login fails $LOGIN_FAILS times, then checks the token it got. */
const FAKE_AZ = `#!/bin/sh
echo "az $*" >> "$FAKE_DIR/calls"
case "$1" in
  login)
    n=$(grep -c "^az login" "$FAKE_DIR/calls")
    if [ "$n" -le "\${LOGIN_FAILS:-0}" ]; then
      echo "AADSTS70021: No matching federated identity record found" >&2; exit 1
    fi
    while [ $# -gt 0 ]; do [ "$1" = "--federated-token" ] && token="$2"; shift; done
    [ "$token" = "$FAKE_TOKEN" ] || { echo "wrong token: $token" >&2; exit 1; }
    ;;
  account) printf '%s\\n' "$SIGNED_IN_AS" ;;
  storage)
    [ -n "\${DOWNLOAD_FAILS:-}" ] && { echo "AuthorizationPermissionMismatch" >&2; exit 1; }
    while [ $# -gt 0 ]; do [ "$1" = "--file" ] && file="$2"; shift; done
    printf 'Hello, World!\\n' > "$file"
    ;;
  *) exit 2 ;;
esac
`;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-az-"));
  download = path.join(dir, "hello.txt");
  fs.writeFileSync(path.join(dir, "az"), FAKE_AZ, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "token"), TOKEN);
});

function calls(): string[] {
  const file = path.join(dir, "calls");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : [];
}

async function run(attempts: number, env: Record<string, string>) {
  // The same script the Job runs, downloading into this test's directory instead of /tmp.
  const script = (await valueOf(verifyScript(client, attempts, WEBHOOK_VARIABLES))).replaceAll(
    "/tmp/hello.txt",
    download,
  );
  try {
    const out = execFileSync("/bin/sh", ["-c", script], {
      env: {
        PATH: `${dir}:/usr/bin:/bin`,
        FAKE_DIR: dir,
        FAKE_TOKEN: TOKEN,
        EXPECTED_IDENTITY: CLIENT_ID,
        SIGNED_IN_AS: CLIENT_ID,
        ...env,
      },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, out };
  } catch (e: any) {
    return { status: e.status as number, out: `${e.stdout}${e.stderr}` };
  }
}

/** What the webhook injects into a labelled pod. */
const injected = () => ({
  AZURE_CLIENT_ID: CLIENT_ID,
  AZURE_TENANT_ID: TENANT_ID,
  AZURE_FEDERATED_TOKEN_FILE: path.join(dir, "token"),
});

describe("the AKS verification script", () => {
  test("signs in with the projected token, prints the identity, reads hello.txt with Entra auth", async () => {
    const r = await run(3, injected());
    expect(r.status).toBe(0);
    expect(r.out).toContain(`running as: ${CLIENT_ID}`);
    expect(r.out).toContain("read hello.txt: Hello, World!");
    expect(calls()).toEqual([
      `az login --service-principal -u ${CLIENT_ID} -t ${TENANT_ID} --federated-token ${TOKEN} --allow-no-subscriptions -o none`,
      "az account show --query user.name -o tsv",
      `az storage blob download --auth-mode login --account-name wiaksq7x2k9 --container-name hello --name hello.txt --file ${download} -o none`,
    ]);
  });

  test("retries while the federated credential propagates (AADSTS70021), then passes", async () => {
    const r = await run(5, { ...injected(), LOGIN_FAILS: "2" });
    expect(r.status).toBe(0);
    expect(calls().filter((c) => c.startsWith("az login"))).toHaveLength(3);
  });

  test("another identity never reads: the script fails after its attempts", async () => {
    const r = await run(3, { ...injected(), SIGNED_IN_AS: "00000000-0000-0000-0000-000000000000" });
    expect(r.status).toBe(1);
    expect(r.out).toContain(`not the bound identity: expected it to contain ${CLIENT_ID}`);
    expect(calls().some((c) => c.startsWith("az storage"))).toBe(false);
  });

  test("a pod the webhook did not mutate (no AZURE_* variables) fails at once, reading nothing", async () => {
    const r = await run(3, {});
    // At once, so the Job starts a fresh pod that the webhook mutates.
    expect(r.status).toBe(2);
    expect(r.out).toContain(
      "FAILED: AZURE_CLIENT_ID is not set: this pod was admitted before its binding took effect",
    );
    expect(r.out).not.toContain("attempt 1");
    expect(calls()).toEqual([]);
  });

  test("a copy left by an earlier run cannot pass for a read the role does not allow", async () => {
    fs.writeFileSync(download, "Hello, World!\n");
    const r = await run(2, { ...injected(), DOWNLOAD_FAILS: "1" });
    expect(r.status).toBe(1);
    expect(r.out).not.toContain("read hello.txt:");
  });
});
