/** `npm run deploy|preview|destroy -- --stack <stack>` call Pulumi as the README says, with a fake CLI. */
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
    const r = stack(["up", "--stack", "dev", "--yes"]);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      "npm run --silent typecheck",
      "pulumi stack select --create dev",
      "pulumi up --stack dev --yes",
    ]);
  });

  test("preview previews the same stack", () => {
    // No type-check before a preview: that is what makes it fast.
    expect(stack(["preview", "--stack", "dev"]).calls).toEqual([
      "pulumi stack select --create dev",
      "pulumi preview --stack dev",
    ]);
  });

  test("destroy destroys the named stack only", () => {
    expect(stack(["destroy", "--stack", "dev"]).calls).toEqual(["pulumi destroy --stack dev"]);
  });

  test.each([
    [["--stack", "gke"]],
    [["--stack=gke"]],
    [["-s", "gke"]],
    [["gke"]], // the older form, a bare name right after the action
  ])("takes the stack as Pulumi and npm run plan do: %j", (form) => {
    expect(stack(["preview", ...form]).calls).toEqual([
      "pulumi stack select --create gke",
      "pulumi preview --stack gke",
    ]);
  });

  test("the stack may come anywhere among Pulumi's flags, which pass on in order", () => {
    const r = stack(["up", "--yes", "--config", "gcp:project=my-project", "-s", "gke", "--diff"]);
    expect(r.status).toBe(0);
    expect(r.calls.at(-1)).toBe(
      "pulumi up --stack gke --yes --config gcp:project=my-project --diff",
    );
  });

  test("an unknown stack is refused, naming the ones that exist, before Pulumi runs", () => {
    const r = stack(["up", "--stack", "prod"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stack: expected one of .*\bdev\b.*, got "prod"/);
    expect(r.calls).toEqual([]);
  });

  test("a missing stack is refused with the usage", () => {
    for (const args of [["up"], ["up", "--yes"], ["up", "--stack"], ["up", "--stack="]]) {
      const r = stack(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(
        "usage: scripts/stack.sh up|preview|destroy --stack <stack> [pulumi flags]",
      );
      expect(r.calls).toEqual([]);
    }
  });

  test("two different stacks are refused, not guessed between", () => {
    const r = stack(["destroy", "dev", "--stack", "gke"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stack: named twice \("dev" and "gke"\)/);
    expect(r.calls).toEqual([]);
  });

  test("an unknown action is refused", () => {
    const r = stack(["apply", "--stack", "dev"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: scripts\/stack\.sh up\|preview\|destroy --stack <stack>/);
    expect(r.calls).toEqual([]);
  });

  test("a missing Pulumi CLI is named", () => {
    const r = stack(["up", "--stack", "dev"], false);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the Pulumi CLI is not on PATH");
  });
});
