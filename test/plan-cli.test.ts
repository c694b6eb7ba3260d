/**
 * `npm run plan` as a command: its arguments, and what it prints and exits with. One run goes
 * through npm as the README has it, in a child process with no credentials and no Pulumi CLI (it
 * loads the SDKs and evaluates a stack: seconds); the others call the command's own entry,
 * `runCommand`, in this process. test/plan.test.ts checks the plan itself.
 */
import { spawn } from "node:child_process";
import { beforeAll, describe, expect, test } from "vitest";
import { ROOT } from "../offline/evaluate";
import { parseArgs, runCommand, USAGE } from "../offline/plan";
import { placeholderRefusal } from "./support/plan";

interface Ran {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

/** `npm run plan -- <argv>`, as the README has it, with no credentials and no Pulumi CLI. */
function runPlan(argv: readonly string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "plan", "--silent", "--", ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ stdout, stderr, status }));
  });
}

/** Every command this file runs. */
const COMMANDS = {
  readme: ["--stack", "dev"],
  configError: ["--stack", "dev", "--config", "namespace=default"],
  usage: ["--stack", "dev", "--format", "svg"],
  projectByConfig: ["gke", "--config", "gcp:project=my-project-id"],
  placeholder: ["--stack", "gke"],
} as const;

let ran: Record<keyof typeof COMMANDS, Promise<Ran>>;

beforeAll(() => {
  // In this process one at a time: a run sets Pulumi's process-wide config and mocks.
  let previous: Promise<unknown> = Promise.resolve();
  const inProcess = (argv: readonly string[]): Promise<Ran> => {
    const next = previous.then(() =>
      runCommand(argv).then(({ stdout, stderr, exitCode }) => ({
        stdout,
        stderr,
        status: exitCode,
      })),
    );
    previous = next.catch(() => undefined);
    return next;
  };
  ran = Object.fromEntries(
    Object.entries(COMMANDS).map(([name, argv]) => [
      name,
      name === "readme" ? runPlan(argv) : inProcess(argv),
    ]),
  ) as typeof ran;
  // A run that fails to start fails its own test, not the file.
  for (const p of Object.values(ran)) p.catch(() => undefined);
});

describe("the command line", () => {
  test("takes the stack as Pulumi and the deploy script do", () => {
    const dev = { stack: "dev", format: "text", config: {} };
    expect(parseArgs(["--stack", "dev"])).toEqual(dev);
    expect(parseArgs(["--stack=dev"])).toEqual(dev);
    expect(parseArgs(["-s", "dev"])).toEqual(dev);
    expect(parseArgs(["dev"])).toEqual(dev);
    expect(() => parseArgs(["dev", "--stack", "gke"])).toThrow(
      '--stack: named twice ("dev" and "gke")',
    );
  });

  test("--config is repeatable, key=value, a bare key is the project's", () => {
    expect(
      parseArgs([
        "-s",
        "gke",
        "--config",
        "gcp:project=my-project-id",
        "-c",
        "namespace=team-a",
        '--config=workload-identity:apiAllowedCidrs=["203.0.113.0/24"]',
        "-c",
        "gcp:zone=",
      ]).config,
    ).toEqual({
      "gcp:project": "my-project-id",
      "workload-identity:namespace": "team-a",
      "workload-identity:apiAllowedCidrs": '["203.0.113.0/24"]',
      "gcp:zone": "",
    });
    for (const bad of ["gcp:project", "=x", ":=x", "a b=c"]) {
      expect(() => parseArgs(["-s", "gke", "--config", bad]), bad).toThrow(
        `--config: expected <key>=<value> such as gcp:project=my-project-id, got ${JSON.stringify(bad)}`,
      );
    }
    expect(() => parseArgs(["-s", "gke", "--config"])).toThrow("--config needs a value");
  });

  test("arguments are checked", () => {
    expect(() => parseArgs(["--stack", "nope"])).toThrow(
      /^--stack: expected one of .*dev.*, got "nope"$/,
    );
    expect(() => parseArgs([])).toThrow(/^--stack: expected one of .*dev.*, got ""$/);
    expect(() => parseArgs(["--stack", "dev", "--format", "svg"])).toThrow(
      '--format: expected text or mermaid, got "svg"',
    );
    expect(() => parseArgs(["--stack", "dev", "extra"])).toThrow('unknown argument "extra"');
    expect(parseArgs(["--stack=dev", "--format=mermaid"])).toEqual({
      stack: "dev",
      format: "mermaid",
      config: {},
    });
  });

  test("the usage names every flag", () => {
    for (const flag of [
      "--stack, -s <name>",
      "--format text|mermaid",
      "--config, -c <key>=<value>",
    ]) {
      expect(USAGE).toContain(flag);
    }
  });

  test("runs as the README says, with no credentials and no Pulumi CLI on PATH", async () => {
    const r = await ran.readme;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Identity chain");
  });

  test("a config error prints the message alone, with no stack trace, and fails", async () => {
    const r = await ran.configError;
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'error: config `namespace`: "default" is reserved; choose a namespace of the ' +
        "workload's own (not default, nor any kube-*)\n",
    );
    expect(r.status).toBe(2);
  });

  test("a wrong command line prints the usage and fails", async () => {
    const r = await ran.usage;
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`error: --format: expected text or mermaid, got "svg"\n${USAGE}\n`);
    expect(r.status).toBe(2);
  });

  test("plans a Google Cloud stack file as shipped, with the project given by --config", async () => {
    const r = await ran.projectByConfig;
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("GKE's workload identity pool my-project-id.svc.id.goog");
  });

  test("a Google Cloud stack file as shipped: the refusal alone, and it fails", async () => {
    const r = await ran.placeholder;
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^error: ${placeholderRefusal("gke").source.slice(1, -1)}\n$`),
    );
    expect(r.status).toBe(2);
  });
});
