/**
 * Runs the verification script the Job runs, in a real /bin/sh, with fake CLIs on PATH: it must
 * pass only when the bound identity reads exactly "Hello, World!", and keep retrying meanwhile.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { installMocks, valueOf } from "../offline/mocks";
import type { StorageClient } from "../src/core";
import { denialScript, verifyScript } from "../src/k8s";

installMocks();
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
});
afterEach(() => fs.rmSync(path.join(dir, "calls"), { force: true }));

/**
 * A fake command that logs its call and gives the next scripted answer: prints it, or fails on
 * "!fail", or prints the rest to stderr and fails on "!fail:<message>" (no single quotes).
 */
function fake(name: string, answers: string[]) {
  const file = path.join(dir, name);
  const answer = (a: string) =>
    a === "!fail"
      ? "exit 3"
      : a.startsWith("!fail:")
        ? `printf '%s\\n' '${a.slice(6)}' >&2; exit 1`
        : `printf '%s\\n' '${a}'`;
  const lines = answers.map((a, i) => `${i + 1}) ${answer(a)} ;;`);
  fs.writeFileSync(
    file,
    `#!/bin/sh
echo "${name} $*" >> "${dir}/calls"
n=$(grep -c "^${name} " "${dir}/calls")
case "$n" in
${lines.join("\n")}
*) ${answer(answers.at(-1)!)} ;;
esac
`,
    { mode: 0o755 },
  );
}

const client: StorageClient = {
  image: "unused",
  cli: "read-cli",
  env: [],
  whoami: "whoami-cli",
  expectedIdentity: ":assumed-role/reader/",
  read: "read-cli s3://bucket/hello.txt",
  refusal: "AccessDenied",
};

/** What the identity service says when it refuses (here: STS, for a web identity). */
const STS_REFUSAL = "\\(AccessDenied\\) when calling the AssumeRoleWithWebIdentity operation";

async function run(
  attempts: number,
  c: StorageClient = client,
  deny = false,
  opts: { vars?: string[]; env?: Record<string, string> } = {},
): Promise<{ status: number; out: string }> {
  const script = await valueOf(
    deny
      ? denialScript(c, { attempts, refusal: STS_REFUSAL, credentialVariables: opts.vars })
      : verifyScript(c, attempts, opts.vars),
  );
  // `sleep` is faked too, so retries cost nothing.
  fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  try {
    const out = execFileSync("/bin/sh", ["-c", script], {
      env: {
        PATH: `${dir}:/usr/bin:/bin`,
        EXPECTED_IDENTITY: c.expectedIdentity as string,
        ...opts.env,
      },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, out };
  } catch (e: any) {
    return { status: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

describe("the verification script", () => {
  test("passes when the bound identity reads Hello, World!", async () => {
    fake("whoami-cli", ["arn:aws:sts::1:assumed-role/reader/session"]);
    fake("read-cli", ["Hello, World!"]);
    const r = await run(3);
    expect(r.status).toBe(0);
    expect(r.out).toContain("running as: arn:aws:sts::1:assumed-role/reader/session");
    expect(r.out).toContain("read hello.txt: Hello, World!");
  });

  test("retries while credentials propagate, then passes", async () => {
    fake("whoami-cli", ["!fail", "!fail", "arn:aws:sts::1:assumed-role/reader/s"]);
    fake("read-cli", ["Hello, World!"]);
    const r = await run(5);
    expect(r.status).toBe(0);
    expect(r.out).toContain("attempt 3 of 5");
    expect(fs.readFileSync(path.join(dir, "calls"), "utf8").match(/^whoami-cli/gm)).toHaveLength(3);
  });

  test("fails when the pod runs as another identity (e.g. the node's role), even if it can read", async () => {
    fake("whoami-cli", ["arn:aws:sts::1:assumed-role/node-role/i-0abc"]);
    fake("read-cli", ["Hello, World!"]);
    const r = await run(2);
    expect(r.status).toBe(1);
    expect(r.out).toContain("not the bound identity");
    expect(r.out).toContain("FAILED: could not read hello.txt as the bound identity");
    expect(fs.readFileSync(path.join(dir, "calls"), "utf8")).not.toContain("read-cli");
  });

  test("fails when the object says something else", async () => {
    fake("whoami-cli", ["arn:aws:sts::1:assumed-role/reader/s"]);
    fake("read-cli", ["Goodbye"]);
    const r = await run(2);
    expect(r.status).toBe(1);
    expect(r.out).toContain("hello.txt holds something else: Goodbye");
  });

  test("fails when the read is denied every time", async () => {
    fake("whoami-cli", ["arn:aws:sts::1:assumed-role/reader/s"]);
    fake("read-cli", ["!fail"]);
    const r = await run(3);
    expect(r.status).toBe(1);
    expect(r.out).toContain("attempt 3 of 3");
  });

  test("logs in first when the flow needs it, and retries a failing login", async () => {
    fake("login-cli", ["!fail", "ok"]);
    fake("whoami-cli", ["arn:aws:sts::1:assumed-role/reader/s"]);
    fake("read-cli", ["Hello, World!"]);
    const r = await run(3, { ...client, login: "login-cli --federated" });
    expect(r.status).toBe(0);
    const calls = fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
    expect(calls).toEqual([
      "login-cli --federated",
      "login-cli --federated",
      "whoami-cli ",
      "read-cli s3://bucket/hello.txt",
    ]);
  });
});

describe("an identity that must match exactly", () => {
  const exact: StorageClient = {
    ...client,
    expectedIdentity: "principal://x/subject/system:serviceaccount:demo:demo",
    identityMatch: "equals",
  };
  test("a longer name that contains it is another identity", async () => {
    fake("whoami-cli", ["principal://x/subject/system:serviceaccount:demo:demo-unbound"]);
    fake("read-cli", ["Hello, World!"]);
    const r = await run(2, exact);
    expect(r.status).toBe(1);
    expect(r.out).toContain("not the bound identity: expected it to be exactly principal://x/");
  });

  test("the name itself passes", async () => {
    fake("whoami-cli", ["principal://x/subject/system:serviceaccount:demo:demo"]);
    fake("read-cli", ["Hello, World!"]);
    expect((await run(2, exact)).status).toBe(0);
  });
});

describe("the verification script without its credential variables", () => {
  test("exits at once, naming the variable and why, without calling any CLI", async () => {
    fake("whoami-cli", ["arn:aws:sts::1:assumed-role/reader/s"]);
    fake("read-cli", ["Hello, World!"]);
    const vars = ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"];
    const r = await run(30, client, false, {
      vars,
      env: { AWS_ROLE_ARN: "arn:aws:iam::1:role/r" },
    });
    expect(r.status).toBe(2);
    expect(r.out).toContain(
      "FAILED: AWS_WEB_IDENTITY_TOKEN_FILE is not set: this pod was admitted before its binding took effect",
    );
    expect(r.out).not.toContain("attempt 1");
    expect(fs.existsSync(path.join(dir, "calls"))).toBe(false);
  });

  test("an empty variable counts as missing", async () => {
    const r = await run(3, client, false, {
      vars: ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
      env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "" },
    });
    expect(r.status).toBe(2);
    expect(r.out).toContain("FAILED: AWS_CONTAINER_CREDENTIALS_FULL_URI is not set");
  });

  test("runs as before when every variable is set", async () => {
    fake("whoami-cli", ["arn:aws:sts::1:assumed-role/reader/s"]);
    fake("read-cli", ["Hello, World!"]);
    const r = await run(3, client, false, {
      vars: ["AWS_ROLE_ARN"],
      env: { AWS_ROLE_ARN: "arn:aws:iam::1:role/r" },
    });
    expect(r.status).toBe(0);
  });
});

describe("the denial script", () => {
  test("passes on the storage service's explicit refusal, printing it", async () => {
    fake("read-cli", [
      "!fail:An error occurred (AccessDenied) when calling the GetObject operation",
    ]);
    const r = await run(3, client, true);
    expect(r.status).toBe(0);
    expect(r.out).toContain(
      "An error occurred (AccessDenied) when calling the GetObject operation",
    );
    expect(r.out).toContain("denied, as it must be");
    expect(fs.readFileSync(path.join(dir, "calls"), "utf8").match(/^read-cli /gm)).toHaveLength(1);
  });

  test("passes on the identity service's explicit refusal too", async () => {
    fake("read-cli", [
      "!fail:An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
    ]);
    const r = await run(3, { ...client, refusal: "S3Refused" }, true);
    expect(r.status).toBe(0);
    expect(r.out).toContain("denied, as it must be");
  });

  test("a DNS error is inconclusive: tried again, then it fails with the output in the log", async () => {
    fake("read-cli", [
      '!fail:Could not connect to the endpoint URL: "https://bucket.s3.eu-north-1.amazonaws.com/hello.txt"',
    ]);
    const r = await run(3, client, true);
    expect(r.status).toBe(1);
    expect(r.out).toContain("no explicit refusal (inconclusive):");
    expect(r.out).toContain("Could not connect to the endpoint URL");
    expect(r.out).toContain(
      "FAILED: inconclusive: the cloud never explicitly refused the unbound ServiceAccount",
    );
    expect(fs.readFileSync(path.join(dir, "calls"), "utf8").match(/^read-cli /gm)).toHaveLength(3);
    expect(r.out).not.toContain("denied, as it must be");
  });

  test("a missing token is inconclusive", async () => {
    fake("read-cli", [
      "!fail:Unable to locate credentials. You can configure credentials by running aws configure.",
    ]);
    const r = await run(2, client, true);
    expect(r.status).toBe(1);
    expect(r.out).toContain("Unable to locate credentials");
    expect(r.out).toContain("FAILED: inconclusive");
  });

  test("a crash without output is inconclusive", async () => {
    fake("read-cli", ["!fail"]);
    const r = await run(2, client, true);
    expect(r.status).toBe(1);
    expect(r.out).toContain("FAILED: inconclusive");
  });

  test("a transient error, then an explicit refusal: denied", async () => {
    fake("read-cli", ["!fail:Connection reset by peer", "!fail:(AccessDenied) nope"]);
    const r = await run(3, client, true);
    expect(r.status).toBe(0);
    expect(r.out).toContain("attempt 2 of 3");
  });

  test("fails as soon as the unbound identity can read", async () => {
    fake("read-cli", ["!fail:Connection reset by peer", "Hello, World!"]);
    const r = await run(3, client, true);
    expect(r.status).toBe(1);
    expect(r.out).toContain("FAILED: an unbound ServiceAccount read hello.txt: Hello, World!");
  });

  test("a refusal during login counts; a read after a successful login fails the denial", async () => {
    fake("login-cli", [
      "!fail:(AccessDenied) when calling the AssumeRoleWithWebIdentity operation",
    ]);
    fake("read-cli", ["Hello, World!"]);
    const login = { ...client, login: "login-cli --federated" };
    const refused = await run(2, login, true);
    expect(refused.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "calls"), "utf8")).not.toContain("read-cli");
    fs.rmSync(path.join(dir, "calls"));
    fake("login-cli", ["ok"]);
    const read = await run(2, login, true);
    expect(read.status).toBe(1);
    expect(read.out).toContain("FAILED: an unbound ServiceAccount read hello.txt");
  });

  test("a pod without the variables it must set to claim the bound identity is inconclusive", async () => {
    fake("read-cli", ["!fail:(AccessDenied)"]);
    const r = await run(2, client, true, { vars: ["AZURE_CLIENT_ID"] });
    expect(r.status).toBe(1);
    expect(r.out).toContain("INCONCLUSIVE: AZURE_CLIENT_ID is not set");
    expect(fs.existsSync(path.join(dir, "calls"))).toBe(false);
  });

  test("fails when the CLI is missing, so a broken image cannot pass for a denial", async () => {
    const r = await run(3, { ...client, cli: "no-such-cli" }, true);
    expect(r.status).toBe(1);
    expect(r.out).toContain("INCONCLUSIVE: no-such-cli is not in the image");
  });

  test("a refusal pattern with a single quote survives the shell quoting", async () => {
    fake("read-cli", ["!fail:Permission storage.objects.get denied"]);
    const quoted = { ...client, refusal: "Permission 'x' denied|storage\\.objects\\.get denied" };
    const r = await run(1, quoted, true);
    expect(r.status).toBe(0);
  });
});
