/**
 * Shared readers of untyped resource properties: paths, scalars-or-arrays, IAM policy documents
 * (AWS), IAM grants (GCP) and pod specs (Kubernetes). Each reader is a table from type to the
 * property layout that type uses, so rules key on the same tokens.
 */
import type { Props } from "./rule";
import { GCP, K8S } from "./tokens";

type Key = string | number;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path`, or undefined where any step is missing. */
export function at(value: unknown, ...path: readonly Key[]): unknown {
  let v = value;
  for (const k of path) {
    if (typeof k === "number") v = Array.isArray(v) ? (v as unknown[])[k] : undefined;
    else v = isRecord(v) ? v[k] : undefined;
  }
  return v;
}

/** A scalar or array as an array (IAM and Kubernetes both allow either). */
export function list(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? (v as unknown[]) : [v];
}

export function strings(v: unknown): string[] {
  return list(v).filter((x): x is string => typeof x === "string");
}

/** A value as a message shows it: JSON, or `unset`. */
export function show(v: unknown): string {
  return v === undefined ? "unset" : JSON.stringify(v);
}

/** `value` parsed when it is a JSON string, as is; a message when it does not parse. */
function parsed(value: unknown): { value: unknown } | { error: string } {
  if (typeof value !== "string") return { value };
  try {
    return { value: JSON.parse(value) };
  } catch (e) {
    return { error: `is not valid JSON (${(e as Error).message})` };
  }
}

// ---------------------------------------------------------------------------------------------
// AWS IAM policy documents
// ---------------------------------------------------------------------------------------------

export interface IamStatement {
  /** `"Sid"`, or `#n` (1-based) when the statement has no Sid. */
  readonly label: string;
  readonly effect: unknown;
  readonly principal: unknown;
  readonly action: string[];
  readonly notAction: string[];
  readonly resource: string[];
  readonly notResource: string[];
  readonly condition: Record<string, unknown>;
}

/** Statements of a policy document given as a JSON string or an object; a string on error. */
export function iamStatements(document: unknown): IamStatement[] | string {
  const doc = parsed(document);
  if ("error" in doc) return doc.error;
  if (!isRecord(doc.value)) return `is not a policy document: ${show(doc.value)}`;
  return list(doc.value.Statement).map((s, i) => {
    const condition = at(s, "Condition");
    return {
      label: typeof at(s, "Sid") === "string" ? JSON.stringify(at(s, "Sid")) : `#${i + 1}`,
      effect: at(s, "Effect"),
      principal: at(s, "Principal"),
      action: strings(at(s, "Action")),
      notAction: strings(at(s, "NotAction")),
      resource: strings(at(s, "Resource")),
      notResource: strings(at(s, "NotResource")),
      condition: isRecord(condition) ? condition : {},
    };
  });
}

/** `Principal` values of one kind (`Service`, `Federated`, `AWS`), or `*` for `"*"`. */
export function principals(principal: unknown, kind: string): string[] {
  if (principal === "*") return ["*"];
  return strings(at(principal, kind));
}

// ---------------------------------------------------------------------------------------------
// GCP IAM grants
// ---------------------------------------------------------------------------------------------

export interface GcpGrant {
  /** The property path of the member, e.g. `members[1]`. */
  readonly path: string;
  /** The property path of its role, e.g. `role` or `policyData.bindings[0].role`. */
  readonly rolePath: string;
  readonly role: unknown;
  readonly member: string;
}

/** The (role, member) pairs of a GCP IAM resource, or a message when they cannot be read. */
export type GrantReader = (props: Props) => GcpGrant[] | string;

/** `…IAMMember`: one `member` with one `role`. */
const memberGrants: GrantReader = (p) =>
  typeof p.member === "string"
    ? [{ path: "member", rolePath: "role", role: p.role, member: p.member }]
    : [];

/** `…IAMBinding`: `members` with one `role`. */
const bindingGrants: GrantReader = (p) =>
  list(p.members).flatMap((m, i) =>
    typeof m === "string"
      ? [{ path: `members[${i}]`, rolePath: "role", role: p.role, member: m }]
      : [],
  );

/** `…IAMPolicy`: `policyData` (JSON) with `bindings[].role` and `bindings[].members`. */
const policyGrants: GrantReader = (p) => {
  const data = parsed(p.policyData);
  if ("error" in data) return `policyData ${data.error}`;
  return list(at(data.value, "bindings")).flatMap((b, i) =>
    strings(at(b, "members")).map((member, j) => ({
      path: `policyData.bindings[${i}].members[${j}]`,
      rolePath: `policyData.bindings[${i}].role`,
      role: at(b, "role"),
      member,
    })),
  );
};

/** How each GCP IAM resource type holds its grants. */
export const GCP_GRANTS = {
  [GCP.bucketIamMember]: memberGrants,
  [GCP.bucketIamBinding]: bindingGrants,
  [GCP.bucketIamPolicy]: policyGrants,
  [GCP.projectIamMember]: memberGrants,
  [GCP.projectIamBinding]: bindingGrants,
  [GCP.projectIamPolicy]: policyGrants,
  [GCP.folderIamMember]: memberGrants,
  [GCP.folderIamBinding]: bindingGrants,
  [GCP.folderIamPolicy]: policyGrants,
  [GCP.orgIamMember]: memberGrants,
  [GCP.orgIamBinding]: bindingGrants,
  [GCP.orgIamPolicy]: policyGrants,
  [GCP.serviceAccountIamMember]: memberGrants,
  [GCP.serviceAccountIamBinding]: bindingGrants,
  [GCP.serviceAccountIamPolicy]: policyGrants,
} as const satisfies Record<string, GrantReader>;

export type GcpIamType = keyof typeof GCP_GRANTS;

export const GCP_IAM_TYPES = Object.keys(GCP_GRANTS) as GcpIamType[];

// ---------------------------------------------------------------------------------------------
// Kubernetes pod specs
// ---------------------------------------------------------------------------------------------

/** Where each workload kind keeps its pod spec, as a property path. */
export const POD_SPEC_PATHS = {
  [K8S.pod]: ["spec"],
  [K8S.podTemplate]: ["template", "spec"],
  [K8S.replicationController]: ["spec", "template", "spec"],
  [K8S.deployment]: ["spec", "template", "spec"],
  [K8S.statefulSet]: ["spec", "template", "spec"],
  [K8S.daemonSet]: ["spec", "template", "spec"],
  [K8S.replicaSet]: ["spec", "template", "spec"],
  [K8S.job]: ["spec", "template", "spec"],
  [K8S.cronJob]: ["spec", "jobTemplate", "spec", "template", "spec"],
} as const satisfies Record<string, readonly string[]>;

export type WorkloadType = keyof typeof POD_SPEC_PATHS;

export const WORKLOAD_TYPES = Object.keys(POD_SPEC_PATHS) as WorkloadType[];

/** A workload's pod spec and its property path (`spec.template.spec`). */
export interface PodSpec {
  readonly spec: unknown;
  readonly path: string;
}

export function podSpecOf(type: WorkloadType, props: Props): PodSpec {
  const path = POD_SPEC_PATHS[type];
  return { spec: at(props, ...path), path: path.join(".") };
}

export interface Container {
  /** The container's property path, e.g. `spec.template.spec.initContainers[0]`. */
  readonly path: string;
  readonly value: unknown;
}

/** Every container of a pod spec: init, regular and ephemeral. */
export function containersOf({ spec, path }: PodSpec): Container[] {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((field) =>
    list(at(spec, field)).map((value, i) => ({ path: `${path}.${field}[${i}]`, value })),
  );
}
