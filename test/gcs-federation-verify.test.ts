/**
 * The eks-gcs stack's verification and denial Jobs, run in a real /bin/sh with a fake `gcloud`:
 * after `gcloud auth login --cred-file`, the active account must be exactly the principal the
 * bucket grants (gcloud names an external account, without impersonation, by the STS token
 * introspection's `username`: googlecloudsdk/core/credentials/external_account.py), so another
 * ServiceAccount's principal, or the pool's audience, never passes. The denial Job passes only on
 * Cloud Storage's explicit refusal.
 *
 * What this cannot prove: what the real gcloud prints; the live Job's log shows it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { evaluate } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";

const rec = installMocks();
let dir: string;
let member: string;

interface Pod {
  readonly script: string;
  readonly env: Record<string, string>;
}
let verify: Pod;
let deny: Pod;

const pod = (suffix: string): Pod => {
  const c = rec.one("kubernetes:batch/v1:Job", suffix).inputs.spec.template.spec.containers[0];
  return {
    script: c.command[2],
    env: Object.fromEntries(c.env.map((e: any) => [e.name, e.value])),
  };
};

beforeAll(async () => {
  await evaluate(rec, "eks-gcs");
  member = rec.one("gcp:storage/bucketIAMMember:BucketIAMMember").inputs.member;
  verify = pod("-verify");
  deny = pod("-deny");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcs-fed-"));
  fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
});

/** A fake gcloud: login succeeds, `auth list` prints $ACCOUNT, `storage cat` prints $READ or fails with $REFUSE. */
function fakeGcloud() {
  fs.writeFileSync(
    path.join(dir, "gcloud"),
    `#!/bin/sh
printf '%s\\n' "$*" >> "${dir}/calls"
case "$1 $2" in
  "auth login") exit 0 ;;
  "auth list") printf '%s\\n' "$ACCOUNT" ;;
  "storage cat") [ -n "\${REFUSE:-}" ] && { printf '%s\\n' "$REFUSE" >&2; exit 1; }; printf '%s\\n' "$READ" ;;
  *) exit 2 ;;
esac
`,
    { mode: 0o755 },
  );
}

function runPod(p: Pod, env: Record<string, string>): { status: number; out: string } {
  fakeGcloud();
  fs.rmSync(path.join(dir, "calls"), { force: true });
  try {
    const out = execFileSync("/bin/sh", ["-c", p.script], {
      env: { ...p.env, HOME: dir, CLOUDSDK_CONFIG: dir, PATH: `${dir}:/usr/bin:/bin`, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, out };
  } catch (e: any) {
    return { status: e.status as number, out: `${e.stdout}${e.stderr}` };
  }
}

describe("the eks-gcs verification", () => {
  test("expects exactly the principal the bucket grants", () => {
    expect(member).toMatch(
      /^principal:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/subject\/system:serviceaccount:demo:demo$/,
    );
    expect(verify.env.EXPECTED_IDENTITY).toBe(member);
  });

  test("passes as the bound principal reading Hello, World!", () => {
    const r = runPod(verify, { ACCOUNT: member, READ: "Hello, World!" });
    expect(r.out).toContain(`running as: ${member}`);
    expect(r.status).toBe(0);
  });

  test("another ServiceAccount's principal, or the pool's audience, never passes, even if it could read", () => {
    const pool = member.split("/subject/")[0];
    for (const account of [
      `${pool}/subject/system:serviceaccount:demo:demo-unbound`,
      `//iam.googleapis.com/${pool.replace("principal://iam.googleapis.com/", "")}/providers/kubernetes`,
      "",
    ]) {
      const r = runPod(
        { ...verify, script: verify.script.replace(/-le 48/g, "-le 2") },
        {
          ACCOUNT: account,
          READ: "Hello, World!",
        },
      );
      expect(r.status, account).toBe(1);
      expect(r.out).toContain("not the bound identity");
      expect(fs.readFileSync(path.join(dir, "calls"), "utf8")).not.toContain("storage cat");
    }
  }, 20_000);

  test("a pod without its credential configuration variable exits at once", () => {
    const env = { ...verify.env };
    delete env.GOOGLE_APPLICATION_CREDENTIALS;
    const r = runPod({ ...verify, env }, { ACCOUNT: member, READ: "Hello, World!" });
    expect(r.status).toBe(2);
    expect(r.out).toContain("FAILED: GOOGLE_APPLICATION_CREDENTIALS is not set");
  });
});

describe("the eks-gcs denial", () => {
  test("carries the same credential configuration and token as the bound pods", () => {
    expect(deny.env.GOOGLE_APPLICATION_CREDENTIALS).toBe(verify.env.GOOGLE_APPLICATION_CREDENTIALS);
    const spec = (s: string) => rec.one("kubernetes:batch/v1:Job", s).inputs.spec.template.spec;
    expect(spec("-deny").volumes).toEqual(spec("-verify").volumes);
    expect(spec("-deny").serviceAccountName).toBe("demo-unbound");
  });

  test("passes on Cloud Storage's refusal of the unbound principal", () => {
    const r = runPod(deny, {
      REFUSE: `ERROR: (gcloud.storage.cat) HTTPError 403: ${member}-unbound does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).`,
    });
    expect(r.status).toBe(0);
    expect(r.out).toContain("denied, as it must be");
  });

  test("fails when the unbound ServiceAccount reads, or when the failure is not a refusal", () => {
    expect(runPod(deny, { READ: "Hello, World!" }).status).toBe(1);
    const r = runPod(deny, { REFUSE: "ERROR: (gcloud.storage.cat) Could not resolve host" });
    expect(r.status).toBe(1);
    expect(r.out).toContain("FAILED: inconclusive");
  });
});
