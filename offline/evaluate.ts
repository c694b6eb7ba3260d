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
import type { StackOutputs } from "../src/core";
import { PLACEHOLDER_PROJECT } from "../src/gcp";
import { settle, useStack, type Recorder } from "./mocks";

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
 * A stack file's config as a user would have it after following the README: the placeholder
 * `gcp:project` replaced by `EXAMPLE_PROJECT` (the program refuses the placeholder itself).
 */
export function exampleStackConfig(
  stack: string,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const file = readStackFile(stack);
  const example: Record<string, string> =
    file["gcp:project"] === PLACEHOLDER_PROJECT ? { "gcp:project": EXAMPLE_PROJECT } : {};
  return { ...file, ...example, ...overrides };
}

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

/**
 * Runs the program (`index.ts`, as Pulumi does: its exported function) as stack `stack` with
 * `config` (default: that stack's file), set exactly as the CLI would hand it over, and waits for
 * every registration. The recorder is cleared first.
 */
export async function evaluate(
  rec: Recorder,
  stack: string,
  config: Record<string, string> = exampleStackConfig(stack),
): Promise<Evaluation> {
  rec.clear();
  useStack(rec, stack);
  pulumi.runtime.setAllConfig(config);
  const outputs = program();
  await settle();
  // What the program validated, for the tests to read (the same pure reading of the same config).
  return { config: loadConfig(), outputs };
}
