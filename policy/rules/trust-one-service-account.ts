import {
  GCP_GRANTS,
  GCP_IAM_TYPES,
  iamStatements,
  isRecord,
  list,
  principals,
  show,
  type GcpIamType,
  type IamStatement,
} from "../readers";
import { forEach, type Check, type ResourceRule } from "../rule";
import { AWS, AZURE } from "../tokens";

/** The service principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com";
export const POD_IDENTITY_TAG_KEYS = [
  "aws:RequestTag/kubernetes-namespace",
  "aws:RequestTag/kubernetes-service-account",
] as const;

/** The only audience an Entra federated identity credential may name. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** A Kubernetes ServiceAccount token subject naming exactly one namespace and ServiceAccount. */
const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:[^:*?\s]+:[^:*?\s]+$/;
/** GKE's direct Workload Identity Federation subject: `ns/<ns>/sa/<sa>`. */
const GKE_SUBJECT = /^ns\/[^/*?\s]+\/sa\/[^/*?\s]+$/;

const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";

/**
 * Whether an `Action` entry allows `action`: IAM matches action names case-insensitively and
 * expands `*` and `?` in them ("The prefix and the action name are case insensitive", "You can use
 * wildcards (* or ?)": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 * So `sts:*` or `*` trusts a federated provider for web identity as much as the exact name does.
 */
function allowsAction(pattern: string, action: string): boolean {
  const glob = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${glob}$`, "i").test(action);
}

/** The one exact value a condition key holds, or a reason it does not. */
function exactValue(v: unknown): { value: string } | { problem: string } {
  const values = list(v);
  if (values.length !== 1 || typeof values[0] !== "string") {
    return { problem: `is ${show(v)}, not exactly one value` };
  }
  if (/[*?]/.test(values[0])) return { problem: `is ${show(values[0])}, a wildcard` };
  return { value: values[0] };
}

function conditionKeys(
  condition: Record<string, unknown>,
  operator: string,
): Record<string, unknown> {
  const block = condition[operator];
  return isRecord(block) ? block : {};
}

/** Problems with an EKS Pod Identity trust statement. */
function podIdentityTrustProblems(s: IamStatement): string[] {
  const out: string[] = [];
  const equals = conditionKeys(s.condition, "StringEquals");
  for (const key of POD_IDENTITY_TAG_KEYS) {
    if (!(key in equals)) {
      const elsewhere = Object.keys(s.condition).filter(
        (op) => op !== "StringEquals" && key in conditionKeys(s.condition, op),
      );
      out.push(
        elsewhere.length > 0
          ? `conditions ${key} with ${elsewhere.join(", ")}; use StringEquals with the one value the pods run as`
          : `has no StringEquals condition on ${key}, so any association can use the role; add it with the one value the pods run as`,
      );
      continue;
    }
    const v = exactValue(equals[key]);
    if ("problem" in v) {
      out.push(`StringEquals ${key} ${v.problem}; name the one value the pods run as`);
    }
  }
  return out;
}

/** Problems with a web-identity (IRSA, or a cluster outside AWS) trust statement. */
function webIdentityTrustProblems(s: IamStatement, providerArn: string): string[] {
  const host = providerArn.split(":oidc-provider/")[1];
  if (host === undefined) return [];
  const out: string[] = [];
  const equals = conditionKeys(s.condition, "StringEquals");
  for (const op of Object.keys(s.condition).filter((o) => o !== "StringEquals")) {
    for (const key of Object.keys(conditionKeys(s.condition, op))) {
      if (key === `${host}:sub` || key === `${host}:aud`) {
        out.push(`conditions ${key} with ${op}; use StringEquals with one exact value`);
      }
    }
  }
  const sub = equals[`${host}:sub`];
  if (sub === undefined) {
    out.push(
      `has no StringEquals condition on ${host}:sub, so any ServiceAccount of the cluster can assume the role; add it with system:serviceaccount:<namespace>:<serviceaccount>`,
    );
  } else {
    const v = exactValue(sub);
    if ("problem" in v) {
      out.push(
        `StringEquals ${host}:sub ${v.problem}; name one system:serviceaccount:<namespace>:<serviceaccount>`,
      );
    } else if (!SERVICE_ACCOUNT_SUBJECT.test(v.value)) {
      out.push(
        `StringEquals ${host}:sub is ${show(v.value)}, not a Kubernetes ServiceAccount; name one system:serviceaccount:<namespace>:<serviceaccount>`,
      );
    }
  }
  const aud = equals[`${host}:aud`];
  if (aud === undefined) {
    out.push(
      `has no StringEquals condition on ${host}:aud; add it with the token's audience (sts.amazonaws.com)`,
    );
  } else {
    const v = exactValue(aud);
    if ("problem" in v) out.push(`StringEquals ${host}:aud ${v.problem}; name the one audience`);
  }
  return out;
}

const roleTrust: Check = (p, report) => {
  const statements = iamStatements(p.assumeRolePolicy);
  if (typeof statements === "string") return report(`assumeRolePolicy ${statements}`);
  for (const s of statements) {
    if (s.effect !== "Allow") continue;
    const where = `assumeRolePolicy statement ${s.label}`;
    if (principals(s.principal, "AWS").includes("*")) {
      report(`${where} trusts Principal "*" (anyone); trust one service or federated provider`);
    }
    if (principals(s.principal, "Service").includes(POD_IDENTITY_SERVICE)) {
      for (const problem of podIdentityTrustProblems(s)) {
        report(`${where} (${POD_IDENTITY_SERVICE}) ${problem}`);
      }
    }
    if (s.action.some((a) => allowsAction(a, WEB_IDENTITY_ACTION))) {
      for (const provider of principals(s.principal, "Federated")) {
        for (const problem of webIdentityTrustProblems(s, provider)) {
          report(`${where} (web identity) ${problem}`);
        }
      }
    }
  }
};

const federatedCredential: Check = (p, report) => {
  if (typeof p.subject !== "string" || !SERVICE_ACCOUNT_SUBJECT.test(p.subject)) {
    report(
      `subject is ${show(p.subject)}; name one system:serviceaccount:<namespace>:<serviceaccount>, without wildcards`,
    );
  }
  const aud = list(p.audiences);
  if (aud.length !== 1 || aud[0] !== AZURE_TOKEN_EXCHANGE_AUDIENCE) {
    report(`audiences is ${show(p.audiences)}; set it to ["${AZURE_TOKEN_EXCHANGE_AUDIENCE}"]`);
  }
};

/** Problems with a GCP member meant to stand for one Kubernetes workload. */
function gcpMemberProblem(member: string): string | undefined {
  if (member.startsWith("principalSet://")) {
    return "grants a whole set of identities (principalSet://); grant one principal://…/subject/<subject> instead";
  }
  if (member.startsWith("principal://")) {
    const subject = /\/subject\/(.+)$/.exec(member)?.[1];
    if (
      subject === undefined ||
      !(GKE_SUBJECT.test(subject) || SERVICE_ACCOUNT_SUBJECT.test(subject))
    ) {
      return "does not name one Kubernetes ServiceAccount; use …/subject/ns/<namespace>/sa/<serviceaccount> (GKE) or …/subject/system:serviceaccount:<namespace>:<serviceaccount> (federation)";
    }
  }
  return undefined;
}

const gcpMembers =
  (type: GcpIamType): Check =>
  (p, report) => {
    const grants = GCP_GRANTS[type](p);
    if (typeof grants === "string") return report(grants);
    for (const g of grants) {
      const problem = gcpMemberProblem(g.member);
      if (problem !== undefined) report(`${g.path} ${show(g.member)} ${problem}`);
    }
  };

export const trustOneServiceAccount: ResourceRule = {
  kind: "resource",
  name: "trust-one-service-account",
  description:
    "Cloud identities trust exactly one Kubernetes namespace/ServiceAccount (Pod Identity tags, web-identity sub/aud, Entra FIC subject/audience, GCP principal).",
  enforcementLevel: "mandatory",
  mirrors: {
    cis: [],
    checkov: ["CKV_AWS_60"],
    note: "No direct equivalent in CIS or Checkov for ServiceAccount-scoped trust; nearest CKV_AWS_60 (IAM role allows only specific services or principals to assume it).",
  },
  checks: {
    [AWS.role]: roleTrust,
    [AZURE.federatedIdentityCredential]: federatedCredential,
    ...forEach(GCP_IAM_TYPES, gcpMembers),
  },
};
