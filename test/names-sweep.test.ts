/**
 * The configuration sweep of issue 10: over stack names of 1–40 characters and namespaces and
 * ServiceAccounts of 1–63 characters, for every supported pair (the stack files, dev with
 * `awsMechanism: irsa`, and the external cluster reading GCS and Blob), no configuration the program accepts makes a name a cloud would reject
 * (rules and their sources: test/support/name-rules.ts), and no bad input is accepted.
 *
 * Sampling. An evaluation of the program costs ~0.1 s, a configuration check microseconds, so:
 * 1. Per pair, two evaluations under mocks, at the pair's extremes: X = the longest stack name
 *    (40 characters, which gives the longest prefix, 19) with the longest namespace (63) and the
 *    longest ServiceAccount accepted beside it; Y = a one-character stack name with the longest
 *    ServiceAccount accepted (up to 63) and the longest namespace accepted beside it. Every
 *    physical name both record must pass its rule.
 * 2. X's names become templates: wherever X's stack name, prefix (also without '-', as in a
 *    storage account), namespace or ServiceAccount appears whole in a name, it is a slot. Every
 *    other sampled configuration that `parseConfig` + `checkLimits` accept fills the slots with
 *    its own values, and the result must pass the same rule: hundreds of stack names (lengths
 *    1–40; upper and lower case, digits, '-', '_', '.', doubled '--', names holding google/goog)
 *    and the whole namespace × ServiceAccount grid of lengths 1–63 (with dots), plus longer
 *    ServiceAccounts up to 254. A name that holds only a cut piece of such a value (the pool's
 *    display name, a hashed credential or session name) is derived, not templated: it is
 *    checked where evaluated and, for every sampled configuration, through the function the
 *    program derives it with (`roleSessionName`, `federatedCredentialName`,
 *    `unboundServiceAccount`), after checking that the evaluation used exactly that function.
 *    The stack name and the ServiceAccount pair are swept one at a time around X: a name's
 *    length grows with each, and X holds both at their longest.
 * 3. A refused configuration is fine, when `ConfigError` says which key (or the stack name).
 *
 * What mocks cannot prove: that the clouds apply the documented rules (no provider validation
 * runs here), nor what Pulumi's auto-naming really appends (modelled from the providers' source,
 * see name-rules.ts); the mocks' own auto-names have the providers' lengths, which is checked.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  evaluate,
  exampleStackConfig,
  readStackFile,
  stackNames,
  STORAGE_OVERRIDES,
} from "../offline/evaluate";
import { installMocks, type Recorded } from "../offline/mocks";
import { azureResources } from "../offline/clouds/azure";
import { gcpResources } from "../offline/clouds/gcp";
import { autoname } from "../offline/clouds/types";
import { roleSessionName } from "../src/aws";
import { federatedCredentialName } from "../src/azure";
import {
  checkLimits,
  ConfigError,
  parseConfig,
  type RawConfig,
  type StackConfig,
} from "../src/config";
import { unboundServiceAccount } from "../src/core";
import {
  azureAutoname,
  bridgeAutoname,
  physicalNames,
  ruleProblem,
  RULES,
  type NameRule,
  type PhysicalName,
} from "./support/name-rules";

const rec = installMocks();

// ---------------------------------------------------------------------------------------------
// Pairs and configurations.

interface Pair {
  readonly id: string;
  /** The stack file it starts from. */
  readonly file: string;
  readonly overrides: Readonly<Record<string, string>>;
}
const PAIRS: readonly Pair[] = [
  // Stacks with a `workloads` list take no namespace/serviceAccount: their names are checked by
  // test/workloads.test.ts, at the longest stack name.
  ...stackNames()
    .filter((file) => !readStackFile(file)["workload-identity:workloads"])
    .map((file) => ({ id: file, file, overrides: {} })),
  { id: "dev-irsa", file: "dev", overrides: { "workload-identity:awsMechanism": "irsa" } },
  // The external cluster ships one stack file (S3); the other storages by their --config.
  ...(["gcs", "blob"] as const).map((storage) => ({
    id: `external-${storage}`,
    file: "external-s3",
    overrides: STORAGE_OVERRIDES[storage],
  })),
];

const NS_KEY = "workload-identity:namespace";
const SA_KEY = "workload-identity:serviceAccount";

/** The CLI's config map as `readConfig` (src/config.ts) hands it to `parseConfig`. */
function rawConfig(c: Readonly<Record<string, string>>): RawConfig {
  const cidrs = c["workload-identity:apiAllowedCidrs"];
  return {
    cluster: c["workload-identity:cluster"],
    storage: c["workload-identity:storage"],
    namespace: c[NS_KEY],
    serviceAccount: c[SA_KEY],
    awsMechanism: c["workload-identity:awsMechanism"],
    apiAllowedCidrs: cidrs === undefined ? undefined : JSON.parse(cidrs),
    kubeconfig: c["workload-identity:kubeconfig"],
    oidcIssuerUrl: c["workload-identity:oidcIssuerUrl"],
    existingCluster: c["workload-identity:existingCluster"],
    existingResourceGroup: c["workload-identity:existingResourceGroup"],
    "aws:region": c["aws:region"],
    "aws:profile": c["aws:profile"],
    "gcp:project": c["gcp:project"],
    "gcp:region": c["gcp:region"],
    "gcp:zone": c["gcp:zone"],
    "azure-native:location": c["azure-native:location"],
  };
}

type Outcome = { readonly config: StackConfig } | { readonly refusal: Error };

/** parseConfig + checkLimits, as `loadConfig` runs them. */
function check(raw: RawConfig, stack: string): Outcome {
  try {
    return { config: checkLimits(parseConfig(raw, stack)) };
  } catch (e) {
    return { refusal: e as Error };
  }
}

/** A refusal must be a ConfigError naming a config key or the stack name. */
function refusalProblem(e: Error): string | undefined {
  if (!(e instanceof ConfigError)) return `not a ConfigError: ${String(e)}`;
  if (!/config `[^`]+`|^stack name "/.test(e.message)) {
    return `names no config key nor the stack: ${e.message}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Deterministic samples.

/** mulberry32: a small seeded generator, so every run sweeps the same names. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The longest stack name: mixed case, '.', '_', '--', so its prefix is cut and hashed (19). */
const LONGEST_STACK = "Team.Platform_Prod--EU-West-1.Canary_v02";
/** The shortest. */
const SHORTEST_STACK = "7";

/** Stack names of every length 1–40, in what Pulumi allows: letters, digits, '-', '_', '.'. */
function stackNameSample(): string[] {
  const next = random(10);
  const pick = (chars: string, n: number) =>
    Array.from({ length: n }, () => chars[Math.floor(next() * chars.length)]).join("");
  const lower = "abcdefghijklmnopqrstuvwxyz0123456789";
  const all = `${lower}ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.`;
  const words = ["google", "goog", "Google", "g00gle", "GOOGLE", "googl", "--", "..", "__"];
  const names = new Set<string>([
    LONGEST_STACK,
    SHORTEST_STACK,
    ...["a", "Z", "0", "-", "_", ".", "--", "dev", "prod.eu_1", "prod-eu-1", "a--b", "-a-"],
    ...["google", "goog", "Google-Prod", "my.google", "xg00gle", "stack-google", "googlestack"],
    // Exactly at the verbatim limit (16) and one past it.
    "abcdefghij-12345",
    "abcdefghij-123456",
  ]);
  for (let length = 1; length <= 40; length++) {
    // Lowercase with single dashes (used verbatim up to 16), and anything Pulumi allows.
    names.add(
      pick(lower, length)
        .replace(/^(.{3})./, "$1-")
        .slice(0, length),
    );
    for (let i = 0; i < 3; i++) names.add(pick(all, length));
    names.add(`${pick(lower, 1)}--${pick(all, 40)}`.slice(0, length));
    for (const word of words) {
      if (word.length > length) continue;
      const at = Math.floor(next() * (length - word.length + 1));
      const base = pick(all, length);
      names.add(base.slice(0, at) + word + base.slice(at + word.length));
    }
  }
  return [...names].filter((n) => n.length >= 1 && n.length <= 40);
}
const STACK_NAMES = stackNameSample();

/**
 * A namespace of `n` characters ('q' first, never 'z'), and a ServiceAccount of `m` ('z' first,
 * never 'q', with dots): distinct, so neither is ever found inside the other.
 */
function namespaceOf(n: number): string {
  const body = "a1-b2c3d4e5-f6g7h8i9j0-k1l2m3n4o5p6-r7s8t9u0v1w2x3-y4a5b6c7d8e9f0a1b2c3d4e5f6";
  const s = `q${body}`.slice(0, n);
  return s.replace(/-$/, "0");
}
function serviceAccountOf(m: number): string {
  const body = "y9.x8-w7v6.u5t4-s3r2p1o0.n9m8l7-k6j5i4.h3g2f1e0d9-c8b7a6y5.x4w3v2u1-t0s9r8p7";
  const s = `z${body.repeat(4)}`.slice(0, m);
  return s.replace(/[-.]$/, "0");
}
const LENGTHS = Array.from({ length: 63 }, (_, i) => i + 1);
/** Beyond 63: the denial check's `<sa>-unbound` must stay within 253, so 245 is the last. */
const LONG_SERVICE_ACCOUNTS = [64, 128, 244, 245, 246, 253, 254];

// ---------------------------------------------------------------------------------------------
// Templates: X's names with its stack, prefix, namespace and ServiceAccount as slots.

interface Slots {
  readonly stack: string;
  readonly prefix: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}
const slotsOf = (c: StackConfig): Slots => ({
  stack: c.stack,
  prefix: c.prefix,
  namespace: c.workloads[0].namespace,
  serviceAccount: c.workloads[0].serviceAccount,
});
/** The slot values, longest first; `prefix` also without '-' (a storage account's base). */
const slotValues = (s: Slots): string[] => [
  s.serviceAccount,
  s.namespace,
  s.stack,
  s.prefix,
  s.prefix.replace(/-/g, ""),
];
const MARK = (i: number) => `\u0000${i}\u0000`;
const WINDOW = 8;

interface Template {
  readonly name: PhysicalName;
  readonly parts: string;
}

/** The names of X that hold a slot value whole and no cut piece of one. */
function templatesOf(names: readonly PhysicalName[], from: Slots): Template[] {
  const values = slotValues(from);
  values.forEach((v, i) => {
    if (v.length < WINDOW) throw new Error(`slot ${v} is too short to find pieces of`);
    values.forEach((w, j) => {
      if (i !== j && w.includes(v)) throw new Error(`slot ${v} is inside ${w}`);
    });
  });
  const templates: Template[] = [];
  for (const name of names) {
    let parts = name.value;
    values.forEach((v, i) => (parts = parts.replaceAll(v, MARK(i))));
    if (parts === name.value) continue;
    const pieces = values.flatMap((v) =>
      Array.from({ length: v.length - WINDOW + 1 }, (_, k) => v.slice(k, k + WINDOW)),
    );
    if (pieces.some((p) => parts.includes(p))) continue;
    templates.push({ name, parts });
  }
  return templates;
}

function fill(t: Template, to: Slots): string {
  let value = t.parts;
  slotValues(to).forEach((v, i) => (value = value.replaceAll(MARK(i), v)));
  return value;
}

// ---------------------------------------------------------------------------------------------
// Per pair: the evaluations and what they teach the pure sweep.

interface PairRun {
  readonly pair: Pair;
  readonly base: Readonly<Record<string, string>>;
  readonly x: Slots;
  readonly templates: Template[];
  /** Derived names the evaluation holds, which the sweep recomputes per configuration. */
  readonly sessionName: boolean;
  readonly federatedCredential: boolean;
  readonly storage: string;
  /** The random values X registered, to check the mocks answer them at full length. */
  readonly randoms: readonly Recorded[];
  readonly failures: string[];
}

const runs = new Map<string, PairRun>();

function withIdentity(base: Readonly<Record<string, string>>, ns: string, sa: string) {
  return { ...base, [NS_KEY]: ns, [SA_KEY]: sa };
}
function accepted(base: Readonly<Record<string, string>>, stack: string, ns: string, sa: string) {
  return "config" in check(rawConfig(withIdentity(base, ns, sa)), stack);
}

function violations(names: readonly PhysicalName[], what: string): string[] {
  return names.flatMap((n) => {
    const problem = ruleProblem(n.rule, n.value);
    return problem
      ? [`${what}: ${n.type} ${n.logical} ${n.field} ${JSON.stringify(n.value)}: ${problem}`]
      : [];
  });
}

async function evaluatePair(pair: Pair, stack: string, ns: string, sa: string) {
  const config = exampleStackConfig(pair.file, withIdentity(pair.overrides, ns, sa));
  const run = await evaluate(rec, stack, config);
  // The mapping this sweep uses is the one the program uses.
  expect(check(rawConfig(config), stack)).toEqual({ config: run.config });
  return { config: run.config, resources: [...rec.resources] };
}

const envValue = (resources: readonly Recorded[], name: string): string[] =>
  resources
    .filter(
      (r) => r.type === "kubernetes:batch/v1:Job" || r.type === "kubernetes:apps/v1:Deployment",
    )
    .flatMap((r) => r.inputs.spec.template.spec.containers)
    .flatMap((c: any) => c.env ?? [])
    .filter((e: any) => e.name === name)
    .map((e: any) => e.value as string);

/**
 * The largest length 1–63 that `ok` accepts (0 for none), by bisection: every limit is a maximum,
 * so what is accepted at one length is accepted at every shorter one.
 */
function longest(ok: (length: number) => boolean): number {
  let [low, high] = [0, 63];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ok(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Namespace × ServiceAccount lengths to sweep: every namespace length with the ServiceAccount at
 * 1, 2, 31, 32, 62, 63 and around the longest accepted beside it; and the same the other way
 * round. Refusal edges and both ends of the range, in about a quarter of the 63 × 63 grid.
 */
function identitySample(ok: (n: number, m: number) => boolean): (readonly [number, number])[] {
  const sample = new Map<string, readonly [number, number]>();
  const add = (n: number, m: number) => {
    if (n >= 1 && n <= 63 && m >= 1 && m <= 63) sample.set(`${n}/${m}`, [n, m]);
  };
  const edges = [1, 2, 31, 32, 62, 63];
  for (const k of LENGTHS) {
    const m = longest((x) => ok(k, x));
    const n = longest((x) => ok(x, k));
    for (const e of [...edges, m - 1, m, m + 1]) add(k, e);
    for (const e of [...edges, n - 1, n, n + 1]) add(e, k);
  }
  return [...sample.values()];
}
const identities = new Map<string, (readonly [number, number])[]>();

beforeAll(async () => {
  for (const pair of PAIRS) {
    const base = exampleStackConfig(pair.file, pair.overrides);
    const ok = (stack: string) => (n: number, m: number) =>
      accepted(base, stack, namespaceOf(n), serviceAccountOf(m));
    // X: the longest stack, namespace 63, the longest ServiceAccount accepted beside it.
    const nsX = namespaceOf(63);
    const mX = longest((m) => ok(LONGEST_STACK)(63, m));
    if (mX === 0) throw new Error(`${pair.id}: no ServiceAccount accepted beside ${nsX}`);
    const saX = serviceAccountOf(mX);
    // Y: the shortest stack, the longest ServiceAccount accepted, the longest namespace beside it.
    const mY = longest((m) => ok(SHORTEST_STACK)(1, m));
    const nY = longest((n) => ok(SHORTEST_STACK)(n, mY));
    identities.set(pair.id, identitySample(ok(LONGEST_STACK)));

    const failures: string[] = [];
    const x = await evaluatePair(pair, LONGEST_STACK, nsX, saX);
    const xNames = physicalNames(x.resources);
    failures.push(
      ...violations(xNames, `${pair.id} stack ${JSON.stringify(LONGEST_STACK)} ${nsX}/${saX}`),
    );
    // Where Y's identity is X's, only the stack differs, and X's templates fill in the shortest
    // stack exactly (the stack sweep holds it): no second evaluation needed.
    if (nY !== 63 || mY !== mX) {
      const y = await evaluatePair(pair, SHORTEST_STACK, namespaceOf(nY), serviceAccountOf(mY));
      failures.push(
        ...violations(
          physicalNames(y.resources),
          `${pair.id} stack ${JSON.stringify(SHORTEST_STACK)} ${namespaceOf(nY)}/${serviceAccountOf(mY)}`,
        ),
      );
    }

    // The derived names X holds are exactly what the exported functions give.
    const sessions = envValue(x.resources, "AWS_ROLE_SESSION_NAME");
    for (const s of sessions) expect(s).toBe(roleSessionName(nsX, saX));
    const fics = x.resources.filter(
      (r) => r.type === "azure-native:managedidentity:FederatedIdentityCredential",
    );
    for (const f of fics) {
      expect(f.inputs.federatedIdentityCredentialResourceName).toBe(
        federatedCredentialName({ namespace: nsX, serviceAccount: saX }),
      );
    }
    const serviceAccounts = x.resources
      .filter((r) => r.type === "kubernetes:core/v1:ServiceAccount")
      .map((r) => r.inputs.metadata.name);
    expect(serviceAccounts.sort()).toEqual([saX, unboundServiceAccount(saX)].sort());

    runs.set(pair.id, {
      pair,
      base,
      x: slotsOf(x.config),
      templates: templatesOf(xNames, slotsOf(x.config)),
      sessionName: sessions.length > 0,
      federatedCredential: fics.length > 0,
      storage: x.config.storage,
      randoms: x.resources.filter((r) => r.type.startsWith("random:")),
      failures,
    });
  }
}, 60_000);

/** Every name an accepted configuration would make, by template and by derivation function. */
function sweepProblems(
  run: PairRun,
  config: StackConfig,
  what: string,
  sweeping: "stack" | "identity",
): string[] {
  const to = slotsOf(config);
  // Only the names that hold what is swept change; X checked the others as they are.
  const slots = sweeping === "identity" ? [0, 1] : [2, 3, 4];
  const names: PhysicalName[] = run.templates
    .filter((t) => slots.some((i) => t.parts.includes(MARK(i))))
    .map((t) => ({ ...t.name, value: fill(t, to) }));
  const derived = (field: string, value: string, rule: NameRule): PhysicalName => ({
    type: "(derived)",
    logical: "",
    field,
    value,
    rule,
  });
  if (sweeping === "stack") return violations(names, what);
  names.push(
    derived("unbound ServiceAccount", unboundServiceAccount(to.serviceAccount), RULES.subdomain),
  );
  if (run.sessionName) {
    names.push(
      derived(
        "AWS_ROLE_SESSION_NAME",
        roleSessionName(to.namespace, to.serviceAccount),
        RULES.roleSessionName,
      ),
    );
  }
  if (run.federatedCredential) {
    names.push(
      derived(
        "federated credential name",
        federatedCredentialName({ namespace: to.namespace, serviceAccount: to.serviceAccount }),
        RULES.federatedCredentialName,
      ),
    );
  }
  return violations(names, what);
}

// ---------------------------------------------------------------------------------------------

describe("the evaluated extremes", () => {
  test.each(PAIRS.map((p) => p.id))(
    "%s: every physical name X and Y record passes its rule",
    (id) => {
      const run = runs.get(id)!;
      expect(run.failures).toEqual([]);
      // The templates reach the names that grow with the stack and with the identity.
      const slotted = (i: number) => run.templates.filter((t) => t.parts.includes(MARK(i))).length;
      expect(slotted(3) + slotted(4), "names built from the prefix").toBeGreaterThan(3);
      expect(slotted(1), "names holding the namespace").toBeGreaterThan(0);
    },
  );

  test("the mocks' auto-names and random values are as long as the providers'", () => {
    expect(autoname("x")).toHaveLength(bridgeAutoname("x").length);
    expect(autoname("x")).toHaveLength(azureAutoname("x").length);
    const randoms = [...runs.values()].flatMap((r) => r.randoms);
    expect(randoms.length).toBeGreaterThan(0);
    for (const r of randoms) {
      if (r.type === "random:index/randomString:RandomString") {
        const { state } = azureResources[r.type](r.name, r.inputs);
        expect(state.result).toHaveLength(r.inputs.length);
      } else {
        const { state } = gcpResources[r.type](r.name, r.inputs);
        expect(state.hex).toHaveLength(2 * r.inputs.byteLength);
      }
    }
  });
});

describe("stack names of 1–40 characters", () => {
  test.each(PAIRS.map((p) => p.id))(
    "%s: accepted ones make valid names, refused ones say why",
    (id) => {
      const run = runs.get(id)!;
      const problems: string[] = [];
      const prefixes = new Map<string, string>();
      const acceptedNames: string[] = [];
      for (const stack of STACK_NAMES) {
        const outcome = check(
          rawConfig(withIdentity(run.base, run.x.namespace, run.x.serviceAccount)),
          stack,
        );
        if ("refusal" in outcome) {
          const problem = refusalProblem(outcome.refusal);
          if (problem) problems.push(`${id} stack ${JSON.stringify(stack)}: ${problem}`);
          continue;
        }
        acceptedNames.push(stack);
        problems.push(
          ...sweepProblems(run, outcome.config, `${id} stack ${JSON.stringify(stack)}`, "stack"),
        );
        // Two stacks never share a prefix, so never an account- or project-wide name.
        const other = prefixes.get(outcome.config.prefix);
        if (other !== undefined)
          problems.push(`${id}: stacks ${other} and ${stack} share ${outcome.config.prefix}`);
        prefixes.set(outcome.config.prefix, stack);
      }
      expect(problems.slice(0, 10)).toEqual([]);
      // Both ends of the range are accepted on every pair, and most names between.
      expect(acceptedNames).toContain(LONGEST_STACK);
      expect(acceptedNames).toContain(SHORTEST_STACK);
      expect(acceptedNames.length).toBeGreaterThan(STACK_NAMES.length / 2);
    },
  );
});

describe("namespaces and ServiceAccounts of 1–63 characters", () => {
  test.each(PAIRS.map((p) => p.id))(
    "%s: accepted ones make valid names, refused ones say why",
    (id) => {
      const run = runs.get(id)!;
      const problems: string[] = [];
      const sample = [
        ...identities.get(id)!.map(([n, m]) => [namespaceOf(n), serviceAccountOf(m)] as const),
        ...[1, 63].flatMap((n) =>
          LONG_SERVICE_ACCOUNTS.map((m) => [namespaceOf(n), serviceAccountOf(m)] as const),
        ),
      ];
      for (const [ns, sa] of sample) {
        const what = `${id} ${ns}/${sa}`;
        const outcome = check(rawConfig(withIdentity(run.base, ns, sa)), run.x.stack);
        if ("refusal" in outcome) {
          const problem = refusalProblem(outcome.refusal);
          if (problem) problems.push(`${what}: ${problem}`);
          continue;
        }
        problems.push(...sweepProblems(run, outcome.config, what, "identity"));
      }
      expect(problems.slice(0, 10)).toEqual([]);
    },
  );
});

describe("no accepted bad input", () => {
  const BAD: readonly [string, Record<string, string>][] = [
    ["namespace with upper case", { [NS_KEY]: "Demo" }],
    ["namespace of 64", { [NS_KEY]: namespaceOf(63) + "x" }],
    ["namespace kube-x", { [NS_KEY]: "kube-x" }],
    ["namespace default", { [NS_KEY]: "default" }],
    ["namespace with a dot", { [NS_KEY]: "a.b" }],
    ["namespace starting with '-'", { [NS_KEY]: "-demo" }],
    ["empty namespace", { [NS_KEY]: "" }],
    ["ServiceAccount default", { [SA_KEY]: "default" }],
    ["ServiceAccount with upper case", { [SA_KEY]: "Reader" }],
    ["ServiceAccount with '..'", { [SA_KEY]: "a..b" }],
    ["ServiceAccount ending in '.'", { [SA_KEY]: "reader." }],
    ["ServiceAccount of 254", { [SA_KEY]: serviceAccountOf(254) }],
    ["ServiceAccount whose -unbound passes 253", { [SA_KEY]: serviceAccountOf(246) }],
  ];
  const GOOGLE_STACKS = ["google", "Google-Prod", "my.google", "xg00gle", "GOOGLE", "stack-google"];

  test.each(PAIRS.map((p) => p.id))("%s: refused before any resource is registered", async (id) => {
    const pair = runs.get(id)!.pair;
    const cases: [string, string, Record<string, string>][] = BAD.map(([what, o]) => [
      what,
      "dev",
      o,
    ]);
    if (runs.get(id)!.storage === "gcs") {
      // Stack names that would put "google" in the Cloud Storage bucket's name.
      cases.push(
        ...GOOGLE_STACKS.map((s): [string, string, Record<string, string>] => [
          `stack ${s}`,
          s,
          {},
        ]),
      );
    }
    for (const [what, stack, overrides] of cases) {
      const config = exampleStackConfig(pair.file, { ...pair.overrides, ...overrides });
      const error = await evaluate(rec, stack, config).then(
        () => new Error(`${id}: ${what} was accepted`),
        (e: Error) => e,
      );
      expect(refusalProblem(error), `${id}: ${what}: ${error.message}`).toBeUndefined();
      const key = Object.keys(overrides)[0]?.split(":")[1];
      expect(error.message, what).toContain(
        key ? `\`${key}\`` : `stack name ${JSON.stringify(stack)}`,
      );
      expect(rec.resources, `${id}: ${what}`).toEqual([]);
    }
  });
});
