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
import type { StorageClient } from "../src/contracts";
import { denialScript, verifyScript } from "../src/k8s/workload";

installMocks();
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
});
afterEach(() => fs.rmSync(path.join(dir, "calls"), { force: true }));

/** A fake command that logs its call and prints the next scripted answer (or fails on "!fail"). */
function fake(name: string, answers: string[]) {
  const file = path.join(dir, name);
  const lines = answers.map(
    (a, i) => `${i + 1}) ${a === "!fail" ? "exit 3" : `printf '%s\\n' '${a}'`} ;;`,
  );
  fs.writeFileSync(
    file,
    `#!/bin/sh
echo "${name} $*" >> "${dir}/calls"
n=$(grep -c "^${name} " "${dir}/calls")
case "$n" in
${lines.join("\n")}
*) ${answers.at(-1) === "!fail" ? "exit 3" : `printf '%s\\n' '${answers.at(-1)}'`} ;;
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

async function run(
  attempts: number,
  c: StorageClient = client,
  deny = false,
): Promise<{ status: number; out: string }> {
  const script = await valueOf(deny ? denialScript(c, attempts) : verifyScript(c, attempts));
  // `sleep` is faked too, so retries cost nothing.
  fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  try {
    const out = execFileSync("/bin/sh", ["-c", script], {
      env: { PATH: `${dir}:/usr/bin:/bin`, EXPECTED_IDENTITY: c.expectedIdentity as string },
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

describe("the denial script", () => {
  test("passes when every read is refused", async () => {
    fake("read-cli", ["!fail"]);
    const r = await run(3, client, true);
    expect(r.status).toBe(0);
    expect(r.out).toContain("denied, as it must be");
    expect(fs.readFileSync(path.join(dir, "calls"), "utf8").match(/^read-cli /gm)).toHaveLength(3);
  });

  test("fails as soon as the unbound identity can read", async () => {
    fake("read-cli", ["!fail", "Hello, World!"]);
    const r = await run(3, client, true);
    expect(r.status).toBe(1);
    expect(r.out).toContain("FAILED: an unbound ServiceAccount read hello.txt: Hello, World!");
  });

  test("an unbound pod without the bound pod's variables is denied, not crashed", async () => {
    fake("read-cli", ["Hello, World!"]);
    const login = {
      ...client,
      login: 'login-cli -u "$AZURE_CLIENT_ID"; set -u; : "$AZURE_CLIENT_ID"',
    };
    fake("login-cli", ["ok"]);
    const r = await run(2, login, true);
    expect(r.status).toBe(0);
    expect(r.out).toContain("denied, as it must be");
    expect(fs.readFileSync(path.join(dir, "calls"), "utf8")).not.toContain("read-cli");
  });

  test("fails when the CLI is missing, so a broken image cannot pass for a denial", async () => {
    const r = await run(3, { ...client, cli: "no-such-cli" }, true);
    expect(r.status).toBe(1);
    expect(r.out).toContain("FAILED: no-such-cli is not in the image");
  });
});
