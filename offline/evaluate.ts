/**
 * Runs the real program under mocks: from a stack file's config to every registered resource.
 * Tests and the offline tools share it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import program from "../index";
import { loadConfig, type StackConfig } from "../src/config";
import type { StackOutputs, StorageKind } from "../src/core";
import { PLACEHOLDER_PROJECT } from "../src/gcp";
import {
  mockState,
  overridesActive,
  settle,
  useStack,
  type Recorded,
  type RecordedInvoke,
  type Recorder,
} from "./mocks";

export const ROOT = path.resolve(__dirname, "..");

/** The `config:` map of `Pulumi.<stack>.yaml`, with keys as written (`aws:region`, …). */
export function readStackFile(stack: string): Record<string, string> {
  const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return Object.fromEntries(
    Object.entries(doc?.config ?? {}).map(([k, v]) => [
      k,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
}

/**
 * The config `pulumi up --stack <stack> --config k=v …` would run with: the stack file's, with
 * `overrides` (keys with their namespace) set over it. The file is not changed.
 */
export function stackConfig(
  stack: string,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...readStackFile(stack), ...overrides };
}

/** The project ID tests and the benchmark use where a stack file holds the placeholder. */
export const EXAMPLE_PROJECT = "wi-example-123";

/**
 * The kubeconfig tests and the benchmark use for an external cluster's stack file (which cannot
 * hold one: it is a secret). Its current context names the cluster `example-cluster`; the token is
 * no credential of anything.
 */
export const EXAMPLE_KUBECONFIG = [
  "apiVersion: v1",
  "kind: Config",
  "clusters:",
  "  - name: example-cluster",
  "    cluster:",
  "      server: https://k8s.example.com:6443",
  "      certificate-authority-data: ZXhhbXBsZS1jYQ==",
  "contexts:",
  "  - name: example",
  "    context:",
  "      cluster: example-cluster",
  "      user: example-user",
  "current-context: example",
  "users:",
  "  - name: example-user",
  "    user:",
  "      token: example-token",
  "",
].join("\n");

/**
 * A stack file's config as a user would have it after following the README: the placeholder
 * `gcp:project` replaced by `EXAMPLE_PROJECT` (the program refuses the placeholder itself), and an
 * external cluster's secret `kubeconfig` set to `EXAMPLE_KUBECONFIG`.
 */
export function exampleStackConfig(
  stack: string,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const file = readStackFile(stack);
  const example: Record<string, string> = {
    ...(file["gcp:project"] === PLACEHOLDER_PROJECT ? { "gcp:project": EXAMPLE_PROJECT } : {}),
    ...(file["workload-identity:cluster"] === "external" &&
    file["workload-identity:kubeconfig"] === undefined
      ? { "workload-identity:kubeconfig": EXAMPLE_KUBECONFIG }
      : {}),
  };
  return { ...file, ...example, ...overrides };
}

/**
 * What turns a stack file of one storage into the same cluster reading `storage`: the storage key
 * and the example settings of its cloud (the project ships one external stack file, for S3; the
 * docs show the same overrides as `--config` flags).
 */
export const STORAGE_OVERRIDES: Readonly<Record<StorageKind, Readonly<Record<string, string>>>> = {
  s3: { "workload-identity:storage": "s3", "aws:region": "eu-north-1" },
  gcs: {
    "workload-identity:storage": "gcs",
    "gcp:project": EXAMPLE_PROJECT,
    "gcp:region": "europe-north1",
  },
  blob: { "workload-identity:storage": "blob", "azure-native:location": "swedencentral" },
};

/** Every stack file in the project, by stack name. */
export function stackNames(): string[] {
  return fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

export interface Evaluation {
  readonly config: StackConfig;
  readonly outputs: StackOutputs;
}

/** What one evaluation left in the recorder, and what it returned; frozen, shared by every hit. */
interface Snapshot {
  readonly resources: readonly Recorded[];
  readonly invokes: readonly RecordedInvoke[];
  readonly evaluation: Evaluation;
}

/** Evaluations by `cacheKey`, while `useEvaluationCache(true)`; never a failed one. */
const cache = new Map<string, Snapshot>();
let caching = false;

/**
 * Lets `evaluate` answer a stack and config it has run before in this process from a frozen copy
 * of that run, instead of running the program again (for the tests: the program is deterministic
 * under the mocks, and the test files share one process). Off by default: a command evaluates once.
 * Turning it off keeps what is cached for when it is on again.
 */
export function useEvaluationCache(on: boolean): void {
  caching = on;
}

let stackFrames: number | undefined;

/**
 * How many stack frames an error created while the program runs keeps (`undefined`: Node's own,
 * 10). Pulumi takes a stack trace for every promise it makes, for its leak report
 * (@pulumi/pulumi runtime/debuggable.js `debuggablePromise`: `new Error().stack`): with 10 frames,
 * source-mapped, that is about two thirds of an evaluation's time in the tests, which keep 1 (the
 * throw site). Pulumi's own source positions of resources take their stack uncut
 * (resource.js `Resource.callsites`).
 */
export function limitStackFrames(frames: number | undefined): void {
  stackFrames = frames;
}

/**
 * The environment the SDKs read while the program runs (provider defaults such as `AWS_REGION`,
 * `PULUMI_K8S_DELETE_UNREACHABLE`), so a changed variable is a different evaluation.
 */
const ENV_READ = /^(PULUMI_|AWS_|GOOGLE_|GCLOUD_|CLOUDSDK_|ARM_|AZURE_|KUBE)/;

/**
 * The mutant StrykerJS has switched on (`npm run mutation`), if any: the same stack and config
 * evaluate differently under each (Stryker's instrumenter reads `globalThis.__stryker__.activeMutant`).
 */
const activeMutant = (): unknown =>
  (globalThis as { __stryker__?: { activeMutant?: unknown } }).__stryker__?.activeMutant;

function cacheKey(stack: string, config: Record<string, string>): string {
  const env = Object.entries(process.env).filter(([k]) => ENV_READ.test(k));
  return JSON.stringify([
    stack,
    Object.entries(config).sort(),
    env.sort(),
    mockState(),
    activeMutant() ?? null,
  ]);
}

/** Freezes plain objects and arrays all the way down; class instances (assets) are left alone. */
function deepFreeze<T>(value: T): T {
  if (
    value !== null &&
    typeof value === "object" &&
    (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)
  ) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Runs the program (`index.ts`, as Pulumi does: its exported function) as stack `stack` with
 * `config` (default: that stack's file), set exactly as the CLI would hand it over, and waits for
 * every registration. The recorder is cleared first.
 *
 * With `useEvaluationCache(true)`, a stack and config (and SDK environment, and switchable mock
 * answers: `mockState`) this process has evaluated before is answered from that run: the recorder
 * gets the same (frozen) registrations and invokes, and the same outputs and config are returned;
 * the mocks and the config are still installed as a run would leave them. A run that failed, that
 * reported an error on the way (an unhandled rejection: how Pulumi reports a component's refusal
 * inside an Output), or that ran under `withResourceMocks`, is not kept.
 */
export async function evaluate(
  rec: Recorder,
  stack: string,
  config: Record<string, string> = exampleStackConfig(stack),
): Promise<Evaluation> {
  rec.clear();
  useStack(rec, stack);
  pulumi.runtime.setAllConfig(config);
  const key = caching && !overridesActive() ? cacheKey(stack, config) : undefined;
  const hit = key === undefined ? undefined : cache.get(key);
  if (hit) {
    rec.resources.push(...hit.resources);
    rec.invokes.push(...hit.invokes);
    return hit.evaluation;
  }
  if (key === undefined) return run();

  let reported = false;
  const onRejection = () => (reported = true);
  process.on("unhandledRejection", onRejection);
  try {
    const evaluation = await run();
    // Rejections surface after the microtasks that raised them: let them arrive.
    await new Promise((resolve) => setImmediate(resolve));
    if (reported) return evaluation;
    const snapshot: Snapshot = {
      resources: deepFreeze([...rec.resources]),
      invokes: deepFreeze([...rec.invokes]),
      evaluation: deepFreeze({ ...evaluation, outputs: { ...evaluation.outputs } }),
    };
    cache.set(key, snapshot);
    // The first reader gets what every later one will: the frozen evaluation.
    return snapshot.evaluation;
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}

async function run(): Promise<Evaluation> {
  const limit = Error.stackTraceLimit;
  if (stackFrames !== undefined) Error.stackTraceLimit = stackFrames;
  try {
    const outputs = program();
    await settle();
    // What the program validated, for the tests to read (the same pure reading of the same config).
    return { config: loadConfig(), outputs };
  } finally {
    Error.stackTraceLimit = limit;
  }
}
