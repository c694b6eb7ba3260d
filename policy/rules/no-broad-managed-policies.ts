import { list, show } from "../readers";
import { forEach, type Check, type Props, type ResourceRule } from "../rule";
import { AWS } from "../tokens";

/**
 * AWS-managed policies that read or administer everything. Matched by name: the explicit ones,
 * and every `…FullAccess` / `…ReadOnlyAccess` policy. The EKS policies our cluster attaches
 * (AmazonEKSClusterPolicy, AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy,
 * AmazonEC2ContainerRegistryPullOnly) match none of these.
 */
export const BROAD_MANAGED_POLICIES: readonly string[] = ["AdministratorAccess", "PowerUserAccess"];
const BROAD_MANAGED_SUFFIXES = ["FullAccess", "ReadOnlyAccess"] as const;
/** An AWS-managed policy ARN in any partition, with its name (the part after the last `/`). */
const AWS_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/;

/** The name of an AWS-managed policy that reads or administers everything, or undefined. */
export function broadManagedPolicy(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const name = AWS_MANAGED_POLICY.exec(arn)?.[1];
  if (name === undefined) return undefined;
  const broad =
    BROAD_MANAGED_POLICIES.includes(name) || BROAD_MANAGED_SUFFIXES.some((s) => name.endsWith(s));
  return broad ? name : undefined;
}

/** Checks the policy ARNs that `attached` finds in a resource's properties. */
const attachments =
  (attached: (p: Props) => { path: string; arn: unknown }[]): Check =>
  (p, report) => {
    for (const { path, arn } of attached(p)) {
      const name = broadManagedPolicy(arn);
      if (name !== undefined) {
        report(
          `${path} is ${show(arn)}, the AWS-managed ${name} policy, which reaches far beyond one bucket; attach a customer-managed policy scoped to the bucket (e.g. BucketWithPolicy.readPolicyArn)`,
        );
      }
    }
  };

/** The ARNs of a list property, with their paths (`managedPolicyArns[0]`). */
const each = (field: string) => (p: Props) =>
  list(p[field]).map((arn, i) => ({ path: `${field}[${i}]`, arn }));

export const noBroadManagedPolicies: ResourceRule = {
  kind: "resource",
  name: "no-broad-managed-policies",
  description:
    "No AWS-managed admin or read-everything policy (AdministratorAccess, PowerUserAccess, …FullAccess, …ReadOnlyAccess) is attached; the EKS policies are fine.",
  enforcementLevel: "mandatory",
  mirrors: {
    cis: ["AWS Foundations v1.4.0 1.16 (nearest: full administrative privileges)"],
    checkov: ["CKV_AWS_274"],
    note: "CKV_AWS_274 covers AdministratorAccess only; for the read-everything policies (AmazonS3ReadOnlyAccess, ReadOnlyAccess) there is no direct equivalent, nearest CKV_AWS_274.",
  },
  checks: {
    ...forEach(
      [
        AWS.rolePolicyAttachment,
        AWS.userPolicyAttachment,
        AWS.groupPolicyAttachment,
        AWS.policyAttachment,
      ],
      () => attachments((p) => [{ path: "policyArn", arn: p.policyArn }]),
    ),
    [AWS.rolePolicyAttachmentsExclusive]: attachments(each("policyArns")),
    [AWS.role]: attachments(each("managedPolicyArns")),
  },
};
