/**
 * Each cloud's folder loads alone: importing `src/aws` loads the AWS SDK (and Kubernetes'), never
 * Google Cloud's or Azure's, so a program that uses one cloud's components pays for that cloud
 * only. Checked in a fresh Node.js process per folder, by the SDK packages in its module cache.
 * (The lint rules forbid the imports; this proves what actually loads, transitively.)
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { ROOT } from "../offline/evaluate";

const run = promisify(execFile);

/**
 * The @pulumi packages a fresh process has loaded after requiring each of `modules`, in order
 * (cumulative: what the first loads, the second finds loaded already).
 */
async function sdksLoadedBy(modules: readonly string[]): Promise<string[][]> {
  const script =
    "const loaded = () => [...new Set(Object.keys(require.cache).map((p) => (/node_modules\\/(@pulumi\\/[^/]+)/.exec(p) || [])[1]).filter(Boolean))].sort();" +
    `process.stdout.write(JSON.stringify(${JSON.stringify(modules)}.map((m) => (require(m), loaded()))));`;
  const { stdout } = await run(
    process.execPath,
    ["--require", "ts-node/register/transpile-only", "-e", script],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as string[][];
}

describe("each folder of src/ loads only its own SDKs", () => {
  test("every cloud alone; k8s and core with no cloud", async () => {
    // Three fresh processes: core, then k8s, then AWS in one (each adds to the one before);
    // Google Cloud alone; Azure alone.
    const [[core, k8s, aws], [gcp], [azure]] = await Promise.all([
      sdksLoadedBy(["./src/core", "./src/k8s", "./src/aws"]),
      sdksLoadedBy(["./src/gcp"]),
      sdksLoadedBy(["./src/azure"]),
    ]);
    expect(core).toEqual(["@pulumi/pulumi"]);
    expect(k8s).toEqual(["@pulumi/kubernetes", "@pulumi/pulumi"]);
    expect(aws).toEqual(["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/pulumi"]);
    expect(gcp).toEqual(["@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/random"]);
    expect(azure).toEqual([
      "@pulumi/azure-native",
      "@pulumi/kubernetes",
      "@pulumi/pulumi",
      "@pulumi/random",
    ]);
  });
});
