/** `npm run deploy|preview|destroy -- <stack>` call Pulumi as the README says, with a fake CLI. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { ROOT } from "../offline/evaluate";

let bin: string;
let log: string;

beforeEach(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
  log = path.join(bin, "calls");
  fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "pulumi $*" >> "${log}"\n`, {
    mode: 0o755,
  });
  fs.writeFileSync(path.join(bin, "npm"), `#!/bin/sh\necho "npm $*" >> "${log}"\n`, {
    mode: 0o755,
  });
});

function stack(args: string[], withPulumi = true) {
  const r = spawnSync("bash", ["scripts/stack.sh", ...args], {
    cwd: ROOT,
    env: { PATH: withPulumi ? `${bin}:/usr/bin:/bin` : "/usr/bin:/bin" },
    encoding: "utf8",
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { status: r.status, stderr: r.stderr, calls };
}

describe("scripts/stack.sh", () => {
  test("deploy creates or selects the stack, then runs up, passing flags on", () => {
    const r = stack(["up", "dev", "--yes"]);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      "npm run --silent typecheck",
      "pulumi stack select --create dev",
      "pulumi up --stack dev --yes",
    ]);
  });

  test("preview previews the same stack", () => {
    // No type-check before a preview: that is what makes it fast.
    expect(stack(["preview", "dev"]).calls).toEqual([
      "pulumi stack select --create dev",
      "pulumi preview --stack dev",
    ]);
  });

  test("destroy destroys the named stack only", () => {
    expect(stack(["destroy", "dev"]).calls).toEqual(["pulumi destroy --stack dev"]);
  });

  test("an unknown stack is refused, naming the ones that exist, before Pulumi runs", () => {
    const r = stack(["up", "prod"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stack: expected one of .*\bdev\b.*, got "prod"/);
    expect(r.calls).toEqual([]);
  });

  test("a missing Pulumi CLI is named", () => {
    const r = stack(["up", "dev"], false);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the Pulumi CLI is not on PATH");
  });
});
