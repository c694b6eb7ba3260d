/**
 * What a rule is: a name, a one-sentence description, what it mirrors in CIS and Checkov, and a
 * table from resource type to check. The table replaces an `if` chain: a resource whose type the
 * table does not name is none of the rule's business, and adding a type is adding a line.
 *
 * Rules are plain data with no side effects: `policy/crossguard.ts` wires them into CrossGuard,
 * tests call `resourceMessages`/`stackViolations` on what the program registers under mocks.
 *
 * Under CrossGuard, reading a property that is unknown during a preview (an ARN, a generated name)
 * throws; CrossGuard then reports that policy as advisory "can't run during preview" for that
 * resource and enforces it during `pulumi up`, when the inputs are known. So no check catches
 * errors it does not expect.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import { ruleType, type ResourceType } from "./tokens";

/** A resource as a rule sees it: its type token, logical name and input properties. */
export interface PolicyResource {
  readonly type: string;
  readonly name: string;
  readonly props: Props;
  /** Stack rules only: the resource's URN. */
  readonly urn?: string;
  /** Stack rules only: URNs of the resources it depends on. */
  readonly dependencies?: readonly string[];
  /** Stack rules only: per input property, the URNs whose outputs it consumed. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export type Props = Readonly<Record<string, unknown>>;

/**
 * What a rule mirrors in the CIS benchmarks and in Checkov, verified IDs only: Checkov IDs against
 * the check sources in bridgecrewio/checkov, CIS numbers against the benchmark mappings of
 * kube-bench, prowler and the MITRE/InSpec baselines (the numbering moves between versions).
 */
export interface Mapping {
  /** CIS benchmark recommendations, with the benchmark and version. */
  readonly cis: readonly string[];
  /** Checkov check IDs. */
  readonly checkov: readonly string[];
  /** Where no ID matches exactly: "no direct equivalent" and the nearest one. */
  readonly note?: string;
}

interface RuleBase {
  /** Kebab-case, unique in the pack; docs/guardrails.md quotes it. */
  readonly name: string;
  /** One sentence: CrossGuard prints it above every violation. */
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly mirrors: Mapping;
}

/** Reports one problem with the resource being checked; the resource's type and name are prefixed. */
export type Report = (message: string) => void;

/** Checks one resource's input properties. */
export type Check = (props: Props, report: Report) => void;

export interface ResourceRule extends RuleBase {
  readonly kind: "resource";
  readonly checks: Readonly<Partial<Record<ResourceType, Check>>>;
}

/** Reports one problem with `resource`, a resource of the stack. */
export type StackReport = (resource: PolicyResource, message: string) => void;

export interface StackRule extends RuleBase {
  readonly kind: "stack";
  readonly check: (resources: readonly PolicyResource[], report: StackReport) => void;
}

export type Rule = ResourceRule | StackRule;

/** A stack-level violation; `urn` names the offending resource when there is one. */
export interface StackViolation {
  readonly message: string;
  readonly urn?: string;
}

/** How every message names its resource: `<type> <name>: …`. */
const prefix = (r: PolicyResource): string => `${r.type} ${r.name}: `;

/** The check `rule` runs on resources of `type`, if any. */
export function checkFor(rule: ResourceRule, type: string): Check | undefined {
  return (rule.checks as Readonly<Record<string, Check | undefined>>)[ruleType(type)];
}

/** The messages `rule` reports on one resource. */
export function resourceMessages(rule: ResourceRule, r: PolicyResource): string[] {
  const out: string[] = [];
  checkFor(rule, r.type)?.(r.props, (message) => out.push(prefix(r) + message));
  return out;
}

/** The violations a stack rule reports on a stack's resources. */
export function stackViolations(
  rule: StackRule,
  resources: readonly PolicyResource[],
): StackViolation[] {
  const out: StackViolation[] = [];
  rule.check(resources, (r, message) => out.push({ message: prefix(r) + message, urn: r.urn }));
  return out;
}

/** A table entry per type, each check made for its type: `{ ...forEach([A, B], (t) => check) }`. */
export function forEach<T extends ResourceType>(
  types: readonly T[],
  make: (type: T) => Check,
): Partial<Record<T, Check>> {
  return Object.fromEntries(types.map((t) => [t, make(t)])) as Partial<Record<T, Check>>;
}
