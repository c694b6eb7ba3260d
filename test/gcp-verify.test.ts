/**
 * The gke stack's own verification Job, run in a real /bin/sh with fake `curl` and `gcloud` on
 * PATH: it must pass only when the metadata server reports the workload pool (the pod's federated
 * identity) and the bucket reads "Hello, World!". A pod that fell back to the node's service
 * account must fail even though it could read.
 *
 * What this cannot prove: what the real GKE metadata server answers. That it reports
 * `<project>.svc.id.goog` for a pod whose ServiceAccount carries no annotation is what GKE's
 * metadata server emulators mimic; only a real `pulumi up` confirms it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";

const rec = installMocks();
const PROJECT = exampleStackConfig("gke")["gcp:project"];
let script: string;
let env: Record<string, string>;
let bucketUrl: string;
let dir: string;

beforeAll(async () => {
  const run = await evaluate(rec, "gke");
  const job = rec.one("kubernetes:batch/v1:Job", "-verify");
  const container = job.inputs.spec.template.spec.containers[0];
  script = container.command[2];
  env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
  bucketUrl = await new Promise((resolve) => run.outputs.objectUrl.apply(resolve));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gke-verify-"));
  fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
});

/** A fake CLI that logs its arguments and prints `out` (or fails when `out` is null). */
function fake(name: string, out: string | null) {
  fs.writeFileSync(
    path.join(dir, name),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> "${dir}/${name}.calls"\n` +
      (out === null ? "exit 22\n" : `printf '%s' '${out}'\n`),
    { mode: 0o755 },
  );
}

function runJob(): { status: number; out: string; calls: Record<string, string[]> } {
  for (const f of ["curl.calls", "gcloud.calls"]) fs.rmSync(path.join(dir, f), { force: true });
  let status = 0;
  let out: string;
  try {
    out = execFileSync("/bin/sh", ["-c", script], {
      env: { ...env, HOME: dir, CLOUDSDK_CONFIG: dir, PATH: `${dir}:/usr/bin:/bin` },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e: any) {
    status = e.status;
    out = `${e.stdout}${e.stderr}`;
  }
  const calls = (name: string) => {
    const file = path.join(dir, `${name}.calls`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : [];
  };
  return { status, out, calls: { curl: calls("curl"), gcloud: calls("gcloud") } };
}

describe("the gke verification Job", () => {
  test("passes as the workload pool reading Hello, World!, asking the metadata server and gcloud exactly", () => {
    fake("curl", `${PROJECT}.svc.id.goog`);
    fake("gcloud", "Hello, World!\n");
    const r = runJob();
    expect(r.status).toBe(0);
    expect(r.out).toContain(`running as: ${PROJECT}.svc.id.goog`);
    expect(r.out).toContain("read hello.txt: Hello, World!");
    expect(r.calls.curl).toEqual([
      "-sSf --max-time 5 -H Metadata-Flavor: Google http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/email",
    ]);
    expect(r.calls.gcloud).toEqual([`storage cat ${bucketUrl}`]);
  });

  test("fails as the node's service account (a GCE_METADATA node), without even reading", () => {
    fake("curl", `wi-gke-nodes@${PROJECT}.iam.gserviceaccount.com`);
    fake("gcloud", "Hello, World!\n");
    const r = runJob();
    expect(r.status).toBe(1);
    expect(r.out).toContain("not the bound identity");
    expect(r.calls.gcloud).toEqual([]);
  }, 20_000);

  test("keeps trying while the metadata server is not up yet, then fails clearly", () => {
    fake("curl", null);
    fake("gcloud", "Hello, World!\n");
    const r = runJob();
    expect(r.status).toBe(1);
    expect(r.calls.curl.length).toBe(48);
    expect(r.out).toContain("attempt 48 of 48");
    expect(r.out).toContain("FAILED: could not read hello.txt as the bound identity");
  }, 20_000);
});
