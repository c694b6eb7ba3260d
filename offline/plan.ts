/**
 * `npm run plan -- --stack <name> [--format text|mermaid] [--config <key>=<value>]…`: who will be
 * able to read what, before anything exists. Evaluates the real program for the stack's config
 * under mocks — no cloud credentials, no Pulumi CLI — and prints the identity chain, the resource
 * tree with counts and the critical path. Bad config fails with the same message `pulumi up`
 * would print.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../src/config";
import {
  denialTarget,
  helloKey,
  mayRead,
  mayWrite,
  unboundServiceAccount,
  workloadLabel,
  type Workload,
} from "../src/core";
import { identityChain, type ChainStep } from "./chain";
import { evaluate, stackConfig, stackNames } from "./evaluate";
import { countsByType, criticalPath, tree } from "./graph";
import {
  AKS_ISSUER,
  IDENTITY_PRINCIPAL_ID,
  LOCATION,
  RANDOM_SUFFIX,
  SUBSCRIPTION,
  TENANT,
} from "./clouds/azure";
import { GCP_PROJECT_NUMBER, RANDOM_HEX } from "./clouds/gcp";
import { ACCOUNT, EKS_ISSUER, installMocks, REGION } from "./mocks";

/**
 * Mock placeholders, shown for what they are: values the clouds generate at deploy time. The mocks
 * answer from one fixed AWS region and Azure location; the clouds put the stack's own into these
 * names: the EKS issuer host and cluster ARN carry the cluster's region
 * (`https://oidc.eks.<region>.amazonaws.com/id/<id>`, /work/shared/reference/workload-identity-facts.md
 * "Issuer strings"), the AKS issuer host the cluster's location (an East US cluster's issuer is
 * `https://eastus.oic.prod-aks.azure.com/…`: https://github.com/sigstore/fulcio/issues/970).
 */
export function unmock(text: string, config: StackConfig): string {
  const region = config.aws?.region ?? "<region>";
  const location = config.azure?.location ?? "<location>";
  const aksCluster = AKS_ISSUER.split("/").at(-2) ?? "";
  return text
    .replaceAll("-a1b2c3d", "-<random>")
    .replaceAll(
      EKS_ISSUER.replace("https://", ""),
      `oidc.eks.${region}.amazonaws.com/id/<cluster id>`,
    )
    .replaceAll(`arn:aws:eks:${REGION}:`, `arn:aws:eks:${region}:`)
    .replaceAll(
      `https://${LOCATION}.oic.prod-aks.azure.com/`,
      `https://${location}.oic.prod-aks.azure.com/`,
    )
    .replaceAll(ACCOUNT, "<account>")
    .replaceAll(GCP_PROJECT_NUMBER, "<project number>")
    .replace(new RegExp(`${RANDOM_HEX.slice(0, 4)}[0-9a-f]*`, "g"), "<random>")
    .replace(new RegExp(`${RANDOM_SUFFIX.slice(0, 4)}[a-z0-9]*`, "g"), "<random>")
    .replaceAll(SUBSCRIPTION, "<subscription>")
    .replaceAll(TENANT, "<tenant>")
    .replaceAll(aksCluster, "<cluster id>")
    .replaceAll(IDENTITY_PRINCIPAL_ID, "<identity principal id>");
}

export const USAGE = `usage: npm run plan -- --stack <name> [--format text|mermaid] [--config <key>=<value>]...
  --stack, -s <name>        the stack to plan: its Pulumi.<name>.yaml (a bare <name> works too)
  --format text|mermaid     the full plan (default), or the identity chain as a Mermaid flowchart
  --config, -c <key>=<value>
                            a config value for this plan only, over the stack file's; repeatable,
                            like \`pulumi up --config\`. A key without a namespace is the project's
                            (namespace=team-a is workload-identity:namespace). The file is not
                            changed. E.g. --config gcp:project=my-project-id plans a Google Cloud
                            stack whose file still holds the placeholder project.`;

/** A wrong command line: printed with the usage. */
export class UsageError extends Error {}

export interface Args {
  readonly stack: string;
  readonly format: "text" | "mermaid";
  /** `--config` values, keys with their namespace (`gcp:project`, `workload-identity:namespace`). */
  readonly config: Readonly<Record<string, string>>;
}

const PROJECT_NAMESPACE = "workload-identity";

/** `key=value` as `pulumi up --config` takes it; a key without a namespace is the project's. */
export function parseConfigFlag(text: string): [string, string] {
  const at = text.indexOf("=");
  const key = at > 0 ? text.slice(0, at) : "";
  if (!/^([A-Za-z0-9_.-]+:)?[A-Za-z0-9_.-]+$/.test(key)) {
    throw new UsageError(
      `--config: expected <key>=<value> such as gcp:project=my-project-id, got ${JSON.stringify(text)}`,
    );
  }
  return [key.includes(":") ? key : `${PROJECT_NAMESPACE}:${key}`, text.slice(at + 1)];
}

export function parseArgs(argv: readonly string[]): Args {
  let stack: string | undefined;
  let format = "text";
  const config: Record<string, string> = {};
  const setStack = (s: string | undefined) => {
    if (stack !== undefined && s !== stack) {
      throw new UsageError(
        `--stack: named twice (${JSON.stringify(stack)} and ${JSON.stringify(s)})`,
      );
    }
    stack = s ?? "";
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack" || a === "-s") setStack(value(++i, a));
    else if (a.startsWith("--stack=")) setStack(a.slice("--stack=".length));
    else if (a === "--format") format = value(++i, a);
    else if (a.startsWith("--format=")) format = a.slice("--format=".length);
    else if (a === "--config" || a === "-c") {
      const [k, v] = parseConfigFlag(value(++i, a));
      config[k] = v;
    } else if (a.startsWith("--config=")) {
      const [k, v] = parseConfigFlag(a.slice("--config=".length));
      config[k] = v;
    } else if (i === 0 && !a.startsWith("-")) setStack(a);
    else throw new UsageError(`unknown argument ${JSON.stringify(a)}`);
  }
  const stacks = stackNames();
  if (!stack || !stacks.includes(stack)) {
    throw new UsageError(
      `--stack: expected one of ${stacks.join(", ")}, got ${JSON.stringify(stack ?? "")}`,
    );
  }
  if (format !== "text" && format !== "mermaid") {
    throw new UsageError(`--format: expected text or mermaid, got ${JSON.stringify(format)}`);
  }
  return { stack, format, config };
}

/**
 * Mermaid's codes for the characters a label cannot carry as they are. Mermaid turns `#name;` and
 * `#123;` into HTML entities before it renders (encodeEntities/decodeEntities in
 * packages/mermaid/src/mermaidAPI.ts, documented as "entity codes to escape characters"), then
 * passes every label through DOMPurify (sanitizeText in
 * packages/mermaid/src/diagrams/common/common.ts), which drops any tag it does not know: a raw
 * `<region>` vanished from the label. A raw `"` would end the label; a raw `#x;` would be read as
 * a code, so `#` is coded too.
 */
const MERMAID_CODES: Readonly<Record<string, string>> = {
  "#": "#35;",
  "&": "#amp;",
  "<": "#lt;",
  ">": "#gt;",
  '"': "#quot;",
};
export const mermaidText = (text: string): string =>
  text.replace(/[#&<>"]/g, (c) => MERMAID_CODES[c]);

export function mermaid(stack: string, chain: readonly ChainStep[]): string {
  const lines = [`flowchart TD`, `  %% identity chain of stack ${stack}`];
  chain.forEach((c, i) => {
    lines.push(`  s${i}["<b>${mermaidText(c.step)}</b><br/>${mermaidText(c.detail)}"]`);
    if (i > 0) lines.push(`  s${i - 1} --> s${i}`);
  });
  return lines.join("\n");
}

/**
 * The access matrix: what each workload may do with each workload's `hello.txt` (from its access
 * and prefix, which test/workloads.test.ts holds every cloud's grant to, by the grant's
 * semantics), and what the cluster proves for each: its read (and write), and its denials.
 */
export function accessMatrix(workloads: readonly Workload[]): string[] {
  const keys = [...new Set(workloads.map((w) => helloKey(w.prefix)))];
  const label = (w: Workload) => `${workloadLabel(w)} (${w.access}, ${w.prefix || "whole bucket"})`;
  const table = [
    ["workload (access, prefix)", ...keys],
    ...workloads.map((w) => [
      label(w),
      ...keys.map((k) => (mayWrite(w, k) ? "RW" : mayRead(w, k) ? "R" : "denied")),
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const proofs = workloads.map((w, i) => {
    const target = denialTarget(workloads, i);
    const own = helloKey(w.prefix);
    return [
      `  ${workloadLabel(w)}: reads ${own}`,
      w.access === "write" ? `, writes, reads back and deletes ${w.prefix}verify-<pod>.txt` : "",
      target !== undefined
        ? `; must be refused ${helloKey(workloads[target].prefix)} (${workloadLabel(workloads[target])}'s)`
        : "; no other workload's object is out of its reach",
      `; ${unboundServiceAccount(w.serviceAccount)} must be refused its identity`,
    ].join("");
  });
  return [
    "Access matrix (R: read, RW: read, write and delete, denied: refused by the storage service)",
    ...table.map(
      (row) =>
        `  ${row
          .map((c, i) => c.padEnd(widths[i]))
          .join("  ")
          .trimEnd()}`,
    ),
    "",
    "Proved in the cluster by each workload's Jobs",
    ...proofs,
  ];
}

/** The plan for `args.stack`; `config` replaces the stack file's and `--config` values (for tests). */
export async function plan(
  args: Args,
  config: Record<string, string> = stackConfig(args.stack, args.config),
): Promise<string> {
  const rec = installMocks(args.stack);
  const run = await evaluate(rec, args.stack, config);
  const chain = (await identityChain(rec, run)).map((c) => ({
    ...c,
    detail: unmock(c.detail, run.config),
  }));
  if (args.format === "mermaid") return mermaid(args.stack, chain);

  const width = Math.max(...chain.map((c) => c.step.length));
  const critical = criticalPath(rec);
  const custom = rec.resources.filter((r) => r.custom);
  return [
    `Stack ${args.stack}: ${run.config.cluster} → ${run.config.storage}`,
    `(evaluated offline under mocks: names marked <random> are generated at deploy time)`,
    "",
    "Identity chain",
    ...chain.map((c) => `  ${c.step.padEnd(width)}  ${c.detail}`),
    "",
    ...accessMatrix(run.config.workloads),
    "",
    `Resources: ${custom.length}`,
    ...countsByType(rec).map(([type, n]) => `  ${String(n).padStart(3)}  ${type}`),
    "",
    "Resource tree (▸ component)",
    ...tree(rec).map((l) => `  ${l}`),
    "",
    `Critical path: about ${Math.round(critical.seconds / 60)} min (typical creation times, an estimate)`,
    ...critical.path.map((r) => `  → ${r.name}  (${r.type})`),
  ].join("\n");
}

/**
 * What the command prints for an error, and its exit code. A wrong command line comes with the
 * usage; a config error (`ConfigError`, a `pulumi.RunError`) or a component's refusal
 * (`pulumi.ResourceError`) prints its message only, as `pulumi up` does; anything else is a bug
 * and keeps its stack trace.
 */
export function describeError(e: unknown): { text: string; exitCode: number } {
  if (e instanceof UsageError) return { text: `error: ${e.message}\n${USAGE}\n`, exitCode: 2 };
  if (pulumi.RunError.isInstance(e) || pulumi.ResourceError.isInstance(e)) {
    return { text: `error: ${e.message}\n`, exitCode: 2 };
  }
  return { text: `${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, exitCode: 1 };
}

/** What the command prints and exits with, for `argv` (its arguments after `npm run plan --`). */
export async function runCommand(
  argv: readonly string[],
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  if (argv.includes("--help") || argv.includes("-h")) {
    return { stdout: `${USAGE}\n`, stderr: "", exitCode: 0 };
  }
  try {
    return { stdout: `${await plan(parseArgs(argv))}\n`, stderr: "", exitCode: 0 };
  } catch (e) {
    const { text, exitCode } = describeError(e);
    return { stdout: "", stderr: text, exitCode };
  }
}

if (require.main === module) {
  void runCommand(process.argv.slice(2)).then(({ stdout, stderr, exitCode }) => {
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    process.exitCode = exitCode;
  });
}
