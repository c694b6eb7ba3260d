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

/** The @pulumi packages a fresh process has loaded after requiring `module`. */
async function sdksLoadedBy(module: string): Promise<string[]> {
  const script =
    `require(${JSON.stringify(module)});` +
    "const ids = Object.keys(require.cache).map((p) => (/node_modules\\/(@pulumi\\/[^/]+)/.exec(p) || [])[1]);" +
    "process.stdout.write(JSON.stringify([...new Set(ids.filter(Boolean))].sort()));";
  const { stdout } = await run(
    process.execPath,
    ["--require", "ts-node/register/transpile-only", "-e", script],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as string[];
}

describe("each folder of src/ loads only its own SDKs", () => {
  const expected: Record<string, string[]> = {
    "./src/aws": ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/pulumi"],
    "./src/gcp": ["@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/random"],
    "./src/azure": [
      "@pulumi/azure-native",
      "@pulumi/kubernetes",
      "@pulumi/pulumi",
      "@pulumi/random",
    ],
    "./src/k8s": ["@pulumi/kubernetes", "@pulumi/pulumi"],
    "./src/core": ["@pulumi/pulumi"],
  };

  test("every cloud alone, in parallel processes", async () => {
    const folders = Object.keys(expected);
    const loaded = await Promise.all(folders.map(sdksLoadedBy));
    expect(Object.fromEntries(folders.map((f, i) => [f, loaded[i]]))).toEqual(expected);
  });
});
