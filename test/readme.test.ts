/** Keeps the README true: its commands are the ones CI, npm and the stack files provide. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { evaluate, exampleStackConfig, ROOT, stackNames } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** The first ```bash block after a line containing `marker`. */
function blockAfter(marker: string): string {
  const at = readme.indexOf(marker);
  expect(at, `README has no "${marker}"`).toBeGreaterThanOrEqual(0);
  const m = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(m, `no bash block after "${marker}"`).not.toBeNull();
  return m![1].trim();
}

describe("README", () => {
  test("the test command is exactly what CI runs", () => {
    const testCommand = blockAfter("Run the tests");
    expect(testCommand).toBe("npm ci && npm test");
    const ci = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8").trim().split("\n");
    expect(ci.at(-1)).toBe(testCommand);
  });

  test("the deploy command deploys the dev stack through the npm script", () => {
    expect(blockAfter("Deploy the dev stack")).toBe("npm ci && npm run deploy -- dev");
    expect(pkg.scripts.deploy).toBe("bash scripts/stack.sh up");
    expect(stackNames()).toContain("dev");
  });

  test("every npm script it mentions exists", () => {
    const used = [...readme.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(3);
    for (const s of used) expect(pkg.scripts[s], `npm run ${s}`).toBeDefined();
  });

  test("every stack it names has a stack file", () => {
    const named = [...readme.matchAll(/--(?:stack)? ?-- ([a-z0-9-]+)|--stack ([a-z0-9-]+)/g)]
      .map((m) => m[1] ?? m[2])
      .filter((s) => s !== undefined);
    expect(named.length).toBeGreaterThan(3);
    for (const s of named) expect(stackNames(), s).toContain(s);
  });

  test("its configuration table lists exactly the project's settings", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## State"));
    const keys = [...table.matchAll(/^\| `([a-zA-Z-]+)`\s*\|/gm)].map((m) => m[1]);
    expect(keys.sort()).toEqual(Object.keys(project.config).sort());
  });

  test("the state backend it describes is the one Pulumi.yaml sets", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    expect(project.backend.url).toBe("file://~");
    expect(readme).toContain("`backend.url: file://~`");
  });
});

describe("README outputs", () => {
  test("the outputs table lists exactly what the stacks export", async () => {
    const exported = new Set<string>();
    const rec = installMocks();
    const variants: [string, Record<string, string>][] = [
      ...stackNames().map((s): [string, Record<string, string>] => [s, exampleStackConfig(s)]),
      ["dev", { ...exampleStackConfig("dev"), "workload-identity:awsMechanism": "irsa" }],
    ];
    for (const [stack, config] of variants) {
      const run = await evaluate(rec, stack, config);
      for (const key of Object.keys(run.outputs)) exported.add(key);
    }
    const table = readme.slice(readme.indexOf("## Outputs"), readme.indexOf("## Destroy"));
    const documented = [...table.matchAll(/^\| (`[^|]+`)\s*\|/gm)].flatMap((m) =>
      [...m[1].matchAll(/`([a-zA-Z]+)`/g)].map((k) => k[1]),
    );
    expect(documented.sort()).toEqual([...exported].sort());
  });
});
