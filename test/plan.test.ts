/** `npm run plan`: the identity chain and graph, offline, from the real program. */
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { ROOT, stackNames } from "../offline/evaluate";
import { parseArgs, plan } from "../offline/plan";

describe("npm run plan", () => {
  test("prints the EKS chain from what the program registers", async () => {
    const out = await plan({ stack: "dev", format: "text" });
    expect(out).toContain("Stack dev: eks → s3");
    expect(out).toMatch(/token audience +pods\.eks\.amazonaws\.com, injected by EKS Pod Identity/);
    expect(out).toMatch(
      /binding +Pod Identity association demo\/demo → arn:aws:iam::<account>:role\/wi-dev-binding-role-<random>/,
    );
    expect(out).toContain("aws:RequestTag/kubernetes-namespace StringEquals demo");
    expect(out).toMatch(
      /permissions +Allow s3:ListBucket on arn:aws:s3:::wi-dev-storage-bucket-<random>\n/,
    );
    expect(out).toMatch(
      /permissions +Allow s3:GetObject on arn:aws:s3:::wi-dev-storage-bucket-<random>\/\*\n/,
    );
    expect(out).toMatch(/object +s3:\/\/wi-dev-storage-bucket-<random>\/hello.txt/);
    expect(out).toMatch(/Resources: \d+\n/);
    // The cluster, its nodes and the agent bound the update; the verification comes last.
    expect(out).toMatch(
      /Critical path: about \d+ min[^]*wi-dev-cluster-eks[^]*wi-dev-cluster-nodes[^]*wi-dev-agent-addon[^]*wi-dev-demo-verify/,
    );
  });

  test("follows the stack's config: another ServiceAccount shows in the chain", async () => {
    const out = await plan(
      { stack: "dev", format: "text" },
      { "aws:region": "eu-north-1", "workload-identity:serviceAccount": "reader" },
    );
    expect(out).toContain("Pod Identity association demo/reader");
    expect(out).toContain("namespace demo, ServiceAccount reader");
  });

  test("--format mermaid writes the chain as a flowchart", async () => {
    const out = await plan({ stack: "dev", format: "mermaid" });
    expect(out.split("\n")[0]).toBe("flowchart TD");
    expect(out).toContain('s0["<b>cluster</b><br/>EKS');
    expect(out).toContain("s0 --> s1");
    expect(out).not.toContain('"<b>trust</b><br/>role may be assumed by {"');
  });

  test("bad config stops it with the message pulumi up prints", async () => {
    await expect(
      plan({ stack: "dev", format: "text" }, { "workload-identity:namespace": "default" }),
    ).rejects.toThrow('config `namespace`: "default" is reserved');
  });

  test("arguments are checked", () => {
    expect(() => parseArgs(["--stack", "nope"])).toThrow(
      /^--stack: expected one of .*dev.*, got "nope"$/,
    );
    expect(() => parseArgs(["--stack", "dev", "--format", "svg"])).toThrow(
      '--format: expected text or mermaid, got "svg"',
    );
    expect(() => parseArgs(["dev"])).toThrow('unknown argument "dev"');
    expect(parseArgs(["--stack=dev", "--format=mermaid"])).toEqual({
      stack: "dev",
      format: "mermaid",
    });
  });

  test("runs as the README says, with no credentials and no Pulumi CLI on PATH", () => {
    const r = spawnSync("npm", ["run", "plan", "--silent", "--", "--stack", "dev"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Identity chain");
  });

  test.each(stackNames())("prints the chain for stack %s, offline", async (stack) => {
    const out = await plan({ stack, format: "text" });
    for (const step of [
      "cluster",
      "OIDC issuer",
      "pods",
      "token audience",
      "trust",
      "permissions",
      "object",
    ]) {
      expect(out, step).toMatch(new RegExp(`^  ${step} +\\S`, "m"));
    }
    // No mock value is shown as if it were real.
    expect(out).not.toMatch(/a1b2c3d|123456789012|604875213397/);
  });
});
