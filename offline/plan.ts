/**
 * `npm run plan -- --stack <name> [--format text|mermaid]`: who will be able to read what, before
 * anything exists. Evaluates the real program for the stack's config under mocks — no cloud
 * credentials, no Pulumi CLI — and prints the identity chain, the resource tree with counts and
 * the critical path. Bad config fails with the same message `pulumi up` would print.
 */
import { identityChain, type ChainStep } from "./chain";
import { evaluate, stackNames } from "./evaluate";
import { countsByType, criticalPath, tree } from "./graph";
import {
  AKS_ISSUER,
  IDENTITY_PRINCIPAL_ID,
  RANDOM_SUFFIX,
  SUBSCRIPTION,
  TENANT,
} from "./clouds/azure";
import { GCP_PROJECT_NUMBER, RANDOM_HEX } from "./clouds/gcp";
import { ACCOUNT, EKS_ISSUER, installMocks } from "./mocks";

/** Mock placeholders, shown for what they are: values the clouds generate at deploy time. */
export function unmock(text: string): string {
  const aksCluster = AKS_ISSUER.split("/").at(-2) ?? "";
  return text
    .replaceAll("-a1b2c3d", "-<random>")
    .replaceAll(ACCOUNT, "<account>")
    .replaceAll(
      EKS_ISSUER.replace("https://", ""),
      "oidc.eks.<region>.amazonaws.com/id/<cluster id>",
    )
    .replaceAll(GCP_PROJECT_NUMBER, "<project number>")
    .replace(new RegExp(`${RANDOM_HEX.slice(0, 4)}[0-9a-f]*`, "g"), "<random>")
    .replace(new RegExp(`${RANDOM_SUFFIX.slice(0, 4)}[a-z0-9]*`, "g"), "<random>")
    .replaceAll(SUBSCRIPTION, "<subscription>")
    .replaceAll(TENANT, "<tenant>")
    .replaceAll(aksCluster, "<cluster id>")
    .replaceAll(IDENTITY_PRINCIPAL_ID, "<identity principal id>");
}

interface Args {
  readonly stack: string;
  readonly format: "text" | "mermaid";
}

export function parseArgs(argv: readonly string[]): Args {
  let stack: string | undefined;
  let format = "text";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack" || a === "-s") stack = argv[++i];
    else if (a.startsWith("--stack=")) stack = a.slice("--stack=".length);
    else if (a === "--format") format = argv[++i] ?? "";
    else if (a.startsWith("--format=")) format = a.slice("--format=".length);
    else
      throw new Error(
        `unknown argument ${JSON.stringify(a)}; usage: npm run plan -- --stack <name> [--format text|mermaid]`,
      );
  }
  const stacks = stackNames();
  if (!stack || !stacks.includes(stack)) {
    throw new Error(
      `--stack: expected one of ${stacks.join(", ")}, got ${JSON.stringify(stack ?? "")}`,
    );
  }
  if (format !== "text" && format !== "mermaid") {
    throw new Error(`--format: expected text or mermaid, got ${JSON.stringify(format)}`);
  }
  return { stack, format };
}

const quote = (s: string) => s.replaceAll('"', "'");

export function mermaid(stack: string, chain: readonly ChainStep[]): string {
  const lines = [`flowchart TD`, `  %% identity chain of stack ${stack}`];
  chain.forEach((c, i) => {
    lines.push(`  s${i}["<b>${quote(c.step)}</b><br/>${quote(c.detail)}"]`);
    if (i > 0) lines.push(`  s${i - 1} --> s${i}`);
  });
  return lines.join("\n");
}

/** The plan for `args.stack`; `config` replaces the stack file's (for tests). */
export async function plan(args: Args, config?: Record<string, string>): Promise<string> {
  const rec = installMocks(args.stack);
  const run = await evaluate(rec, args.stack, config);
  const chain = (await identityChain(rec, run)).map((c) => ({ ...c, detail: unmock(c.detail) }));
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

if (require.main === module) {
  (async () => {
    try {
      process.stdout.write(`${await plan(parseArgs(process.argv.slice(2)))}\n`);
    } catch (e) {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = 2;
    }
  })().catch(() => (process.exitCode = 1));
}
