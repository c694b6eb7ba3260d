/**
 * `npm run bench`: for each stack file, the program's evaluation time under mocks and its resource
 * count; then what a preview's type-check costs (time and peak memory of `tsc --noEmit` over
 * index.ts and everything it imports), against the same SDKs imported as package roots.
 *
 * Each measurement runs in a fresh process, so module loading is counted where it is paid.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { evaluate, exampleStackConfig, ROOT, stackNames } from "./evaluate";
import { installMocks } from "./mocks";

const BENCH_DIR = path.join(ROOT, ".bench");
const TSC = path.join(ROOT, "node_modules", "typescript", "lib", "tsc.js");
const RSS_PROBE = path.join(__dirname, "rss-probe.js");
const PREVIEW_PROBE = path.join(__dirname, "preview-probe.js");

/** Loads the program as `pulumi preview` does (ts-node), type-checking or not. */
function previewLoad(stack: string, typecheck: boolean): { ms: number; peakMb: number } {
  const r = spawnSync(process.execPath, [PREVIEW_PROBE, stack], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PROBE_TYPECHECK: typecheck ? "1" : "0" },
  });
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.status !== 0 || !line.startsWith("{"))
    throw new Error(`preview probe failed:\n${r.stderr}`);
  const figures = JSON.parse(line) as { ms: number; peakMb: number; resources: number };
  // A probe that registered nothing measured a load, not a preview.
  if (figures.resources === 0) throw new Error("preview probe: the program registered nothing");
  return figures;
}

export interface StackFigures {
  readonly stack: string;
  readonly pair?: string;
  readonly resources?: number;
  readonly evaluationMs?: number;
  readonly error?: string;
}

export interface TscFigures {
  readonly seconds: number;
  readonly peakMb: number;
  readonly files: number;
}

/** Runs in the child: evaluates one stack and prints its figures as JSON. */
async function measureOne(stack: string): Promise<StackFigures> {
  const started = performance.now();
  try {
    const rec = installMocks(stack);
    const run = await evaluate(rec, stack);
    return {
      stack,
      pair: `${run.config.cluster}→${run.config.storage}`,
      resources: rec.resources.filter((r) => r.custom).length,
      evaluationMs: Math.round(performance.now() - started),
    };
  } catch (e) {
    return { stack, error: (e as Error).message.split("\n")[0] };
  }
}

function inChild(stack: string): StackFigures {
  const r = spawnSync(
    process.execPath,
    ["--require", "ts-node/register/transpile-only", __filename, "--one", stack],
    { cwd: ROOT, encoding: "utf8" },
  );
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as StackFigures;
  } catch {
    return { stack, error: `evaluation crashed: ${r.stderr.trim().split("\n")[0]}` };
  }
}

/** The workload counts the scaling benchmark measures. */
export const WORKLOAD_COUNTS = [1, 10, 50] as const;

/**
 * `n` workloads for the scaling benchmark: namespace `team-<i>`, ServiceAccount `app`, prefix
 * `team-<i>/`; every fifth one writes.
 */
export function generatedWorkloads(n: number): object[] {
  return Array.from({ length: n }, (_, i) => ({
    namespace: `team-${i}`,
    serviceAccount: "app",
    access: i % 5 === 4 ? "write" : "read",
    prefix: `team-${i}/`,
  }));
}

export interface ScalingFigures {
  readonly workloads: number;
  readonly resources: number;
  readonly evaluationMs: number;
}

/**
 * Evaluates `stack` with 1, 10 and 50 generated workloads in this process, after one warm-up run
 * (so module loading is not counted): the resource count and the evaluation time of each (the
 * fastest of `repeats` runs). Each run has its own stack name, so the evaluation cache never
 * answers one.
 */
export async function measureScaling(
  stack = "dev",
  counts: readonly number[] = WORKLOAD_COUNTS,
  repeats = 1,
): Promise<ScalingFigures[]> {
  const config = (n: number) =>
    exampleStackConfig(stack, {
      "workload-identity:workloads": JSON.stringify(generatedWorkloads(n)),
    });
  const rec = installMocks(stack);
  await evaluate(rec, `${stack}-warmup`, config(1));
  const figures: ScalingFigures[] = [];
  let run = 0;
  for (const n of counts) {
    let best = Infinity;
    let resources = 0;
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      await evaluate(rec, `${stack}-scale-${run++}`, config(n));
      best = Math.min(best, performance.now() - started);
      resources = rec.resources.filter((r) => r.custom).length;
    }
    figures.push({ workloads: n, resources, evaluationMs: Math.round(best) });
  }
  return figures;
}

/** `tsc --noEmit` over `files`, with the project's compiler options and type-checking on. */
export function typecheck(name: string, files: string[]): TscFigures {
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const config = path.join(BENCH_DIR, `tsconfig.${name}.json`);
  fs.writeFileSync(
    config,
    JSON.stringify({
      extends: "../tsconfig.json",
      compilerOptions: { noEmit: true, incremental: false },
      files: files.map((f) => path.relative(BENCH_DIR, f)),
      include: [],
    }),
  );
  const r = spawnSync(
    process.execPath,
    ["--require", RSS_PROBE, TSC, "-p", config, "--extendedDiagnostics"],
    { cwd: ROOT, encoding: "utf8" },
  );
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`tsc failed for ${name}:\n${out}`);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    seconds: num(/^Total time:\s+([\d.]+)s/m),
    peakMb: Math.round(num(/^max-rss-kb=(\d+)/m) / 1024),
    files: num(/^Files:\s+(\d+)/m),
  };
}

/** A file that imports every SDK the program uses as a package root: the counterfactual. */
function rootsFile(): string {
  const file = path.join(BENCH_DIR, "roots.ts");
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  fs.writeFileSync(
    file,
    [
      'import * as aws from "@pulumi/aws";',
      'import * as azure from "@pulumi/azure-native";',
      'import * as gcp from "@pulumi/gcp";',
      'import * as k8s from "@pulumi/kubernetes";',
      'import * as random from "@pulumi/random";',
      "export const sdks = [aws, azure, gcp, k8s, random];",
      "",
    ].join("\n"),
  );
  return file;
}

/** The mean evaluation time of the stacks that evaluated. */
function meanMs(stacks: readonly StackFigures[]): number {
  const ms = stacks.flatMap((s) => (s.evaluationMs === undefined ? [] : [s.evaluationMs]));
  return Math.round(ms.reduce((a, b) => a + b, 0) / Math.max(ms.length, 1));
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--one") {
    process.stdout.write(`${JSON.stringify(await measureOne(argv[1]))}\n`);
    return;
  }
  const stacks = stackNames().map(inChild);
  const scaling = await measureScaling("dev", WORKLOAD_COUNTS, 3);
  const lines = [
    "Program evaluation under mocks (fresh process per stack, SDK loading included)",
    ...table([
      ["stack", "cluster→storage", "resources", "evaluation"],
      ...stacks.map((s) =>
        s.error
          ? [s.stack, "-", "-", `error: ${s.error}`]
          : [s.stack, s.pair ?? "", String(s.resources), `${s.evaluationMs} ms`],
      ),
    ]).map((l) => `  ${l}`),
    `  mean: ${meanMs(stacks)} ms`,
    "",
    "Many workloads on one stack (dev: EKS Pod Identity → S3; warm, fastest of 3 runs)",
    ...table([
      ["workloads", "resources", "evaluation", "per workload"],
      ...scaling.map((f) => [
        String(f.workloads),
        String(f.resources),
        `${f.evaluationMs} ms`,
        `${(f.evaluationMs / f.workloads).toFixed(1)} ms`,
      ]),
    ]).map((l) => `  ${l}`),
    "",
    "Type-check a TypeScript preview pays (tsc --noEmit over index.ts and its imports; the same for every stack)",
  ];
  const program = typecheck("program", [path.join(ROOT, "index.ts")]);
  const roots = typecheck("roots", [rootsFile()]);
  lines.push(
    ...table([
      ["", "time", "peak memory", "files"],
      [
        "this program (SDK submodules)",
        `${program.seconds} s`,
        `${program.peakMb} MB`,
        String(program.files),
      ],
      [
        "the SDK package roots alone",
        `${roots.seconds} s`,
        `${roots.peakMb} MB`,
        String(roots.files),
      ],
    ]).map((l) => `  ${l}`),
  );
  const checked = previewLoad("dev", true);
  const transpiled = previewLoad("dev", false);
  lines.push(
    "",
    "Loading the program as `pulumi preview` does (ts-node, the dev stack, under mocks)",
    ...table([
      ["", "time", "peak memory"],
      [
        "type-checked (ts-node's default)",
        `${(checked.ms / 1000).toFixed(2)} s`,
        `${checked.peakMb} MB`,
      ],
      [
        "transpile-only (tsconfig.pulumi.json noCheck: what previews do)",
        `${(transpiled.ms / 1000).toFixed(2)} s`,
        `${transpiled.peakMb} MB`,
      ],
    ]).map((l) => `  ${l}`),
    "",
    "npm test and npm run deploy type-check instead (tsc --noEmit).",
  );
  fs.rmSync(BENCH_DIR, { recursive: true, force: true });
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
