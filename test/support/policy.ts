/**
 * The policy pack's test harness: every stack evaluated under mocks once per process, its
 * recorded registrations in the rules' neutral shape, and helpers that change one recorded
 * resource the way a careless edit would.
 *
 * `evaluateAll()` is memoized, so the rule suites under test/policy/ (all loaded by
 * test/policy.test.ts, one process) share one evaluation of each stack.
 *
 * What this cannot prove: that CrossGuard hands the rules these exact inputs (the engine's checked
 * inputs may carry provider defaults), or how they behave on values unknown during a preview (there
 * CrossGuard reports the policy as advisory and enforces it during `up`).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig, stackNames } from "../../offline/evaluate";
import { installMocks, type Recorded } from "../../offline/mocks";
import {
  checkFor,
  K8S,
  resourceMessages,
  stackViolations,
  type PolicyResource,
  type ResourceRule,
  type Rule,
} from "../../policy/rules";

/**
 * Every Kubernetes kind that carries a pod spec, listed here rather than taken from the rules, so
 * a kind dropped from the rules' tables fails the tests.
 */
export const WORKLOAD_KINDS = [
  K8S.pod,
  K8S.podTemplate,
  K8S.replicationController,
  K8S.deployment,
  K8S.statefulSet,
  K8S.daemonSet,
  K8S.replicaSet,
  K8S.job,
  K8S.cronJob,
] as const;

export interface Variant {
  readonly label: string;
  readonly stack: string;
  readonly config: Record<string, string>;
}

/** Every stack file, plus dev with IRSA instead of Pod Identity. */
export const VARIANTS: readonly Variant[] = [
  ...stackNames().map((stack) => ({ label: stack, stack, config: exampleStackConfig(stack) })),
  {
    label: "dev (irsa)",
    stack: "dev",
    config: { ...exampleStackConfig("dev"), "workload-identity:awsMechanism": "irsa" },
  },
];

/** A recorded registration as CrossGuard would hand it to a rule. */
function toPolicyResource(r: Recorded): PolicyResource {
  return { type: r.type, name: r.name, urn: r.urn, props: r.inputs, dependencies: r.dependencies };
}

let evaluation: Promise<ReadonlyMap<string, readonly PolicyResource[]>> | undefined;

/** Every variant's recorded resources, by label; evaluated once per process. */
export function evaluateAll(): Promise<ReadonlyMap<string, readonly PolicyResource[]>> {
  evaluation ??= (async () => {
    const rec = installMocks();
    const out = new Map<string, readonly PolicyResource[]>();
    for (const v of VARIANTS) {
      await evaluate(rec, v.stack, v.config);
      out.set(v.label, rec.resources.map(toPolicyResource));
    }
    return out;
  })();
  return evaluation;
}

let stacks: ReadonlyMap<string, readonly PolicyResource[]> | undefined;

/** Registers, in the calling suite, a `beforeAll` that waits for `evaluateAll()`. */
export function useStacks(): void {
  beforeAll(async () => {
    stacks = await evaluateAll();
  });
}

/** What stack `label` registers (call `useStacks()` in the suite first). */
export function resourcesOf(label: string): readonly PolicyResource[] {
  const resources = stacks?.get(label);
  if (resources === undefined) throw new Error(`stack ${label} was not evaluated`);
  return resources;
}

/** The one resource of `type` (whose name ends with `suffix`). */
export function one(
  resources: readonly PolicyResource[],
  type: string,
  suffix = "",
): PolicyResource {
  const found = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} *${suffix}, got ${found.length}`);
  return found[0];
}

/** A copy of `r` with its props changed by `edit` (the recording is left alone). */
export function changed(r: PolicyResource, edit: (props: any) => void): PolicyResource {
  const props = structuredClone(r.props) as any;
  edit(props);
  return { ...r, props };
}

/** A copy of `r` whose JSON policy document at `key` is changed by `edit`. */
export function changedDocument(
  r: PolicyResource,
  key: string,
  edit: (doc: any) => void,
): PolicyResource {
  return changed(r, (p) => {
    const doc = JSON.parse(p[key]);
    edit(doc);
    p[key] = JSON.stringify(doc);
  });
}

export const synthetic = (
  type: string,
  name: string,
  props: Record<string, unknown>,
): PolicyResource => ({ type, name, props });

/** What a rule reports on one stack's resources. */
export function messagesOn(rule: Rule, resources: readonly PolicyResource[]): string[] {
  return rule.kind === "resource"
    ? resources.flatMap((r) => resourceMessages(rule, r))
    : stackViolations(rule, resources).map((v) => v.message);
}

/**
 * One test per variant: `rule` stays quiet on what the program registers, and is not vacuous —
 * it sees at least one resource it checks on every stack listed in `guards`.
 */
export function quietOnEveryStack(rule: Rule, guards: Readonly<Record<string, readonly string[]>>) {
  test.for(VARIANTS.map((v) => v.label))("stays quiet on stack %s", (label) => {
    expect(messagesOn(rule, resourcesOf(label))).toEqual([]);
  });
  test("checks, on each stack, the types it guards there", () => {
    for (const [label, types] of Object.entries(guards)) {
      const registered = new Set(resourcesOf(label).map((r) => r.type));
      for (const t of types) expect(registered, `${label} registers ${t}`).toContain(t);
      if (rule.kind === "resource") {
        for (const t of types) expect(checkFor(rule, t), `${rule.name} checks ${t}`).toBeDefined();
      }
    }
  });
}

/** A minimal bad resource of one type, and what the rule reports after `<type> bad: `. */
export interface Firing {
  readonly props: Record<string, unknown>;
  readonly messages: readonly string[];
}

/**
 * Every type in `rule`'s table has a firing example, and each fires with exactly its messages:
 * a type added to a rule without a test, or a table entry dropped, fails here.
 */
export function firesOnEveryType(
  rule: ResourceRule,
  examples: Readonly<Record<string, Firing>>,
): void {
  describe("fires on each type of its table", () => {
    test("the examples cover exactly the table's types", () => {
      expect(Object.keys(examples).sort()).toEqual(Object.keys(rule.checks).sort());
    });
    test.for(Object.entries(examples))("%s", ([type, { props, messages }]) => {
      const r = synthetic(type, "bad", props);
      expect(resourceMessages(rule, r)).toEqual(messages.map((m) => `${type} bad: ${m}`));
    });
  });
}
