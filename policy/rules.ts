/**
 * The guardrails of the `workload-identity` policy pack, as plain functions with no side effects.
 *
 * `policy/index.ts` wires them into CrossGuard; tests call them directly on the resources our own
 * program registers under mocks (the PolicyPack constructor starts a gRPC server, so nothing here
 * imports it). Each rule sees a resource (or, for stack rules, every resource) in one neutral
 * shape and returns messages that name the resource, the property, the value and the fix.
 *
 * Type tokens and property names are the Pulumi TypeScript SDK's (checked against @pulumi/aws
 * 7.48, @pulumi/gcp 9.37, @pulumi/azure-native 3.28, @pulumi/kubernetes 4.34).
 *
 * Under CrossGuard, reading a property that is unknown during a preview (an ARN, a generated name)
 * throws; CrossGuard then reports that policy as advisory "can't run during preview" for that
 * resource and enforces it during `pulumi up`, when the inputs are known. So nothing here catches
 * errors it does not expect.
 */

/** A resource as a rule sees it: its type token, logical name and input properties. */
export interface PolicyResource {
  readonly type: string;
  readonly name: string;
  readonly props: Readonly<Record<string, unknown>>;
  /** Stack rules only: the resource's URN. */
  readonly urn?: string;
  /** Stack rules only: URNs of the resources it depends on. */
  readonly dependencies?: readonly string[];
  /** Stack rules only: per input property, the URNs whose outputs it consumed. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** A stack-level violation; `urn` names the offending resource when there is one. */
export interface StackViolation {
  readonly message: string;
  readonly urn?: string;
}

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
  /** Kebab-case, unique in the pack. */
  readonly name: string;
  readonly description: string;
  readonly mirrors: Mapping;
}

export interface ResourceRule extends RuleBase {
  readonly kind: "resource";
  readonly validate: (resource: PolicyResource) => string[];
}

export interface StackRule extends RuleBase {
  readonly kind: "stack";
  readonly validate: (resources: readonly PolicyResource[]) => StackViolation[];
}

export type Rule = ResourceRule | StackRule;

// ---------------------------------------------------------------------------------------------
// Type tokens
// ---------------------------------------------------------------------------------------------

export const AWS = {
  bucket: "aws:s3/bucket:Bucket",
  /** The deprecated alias of `aws:s3/bucket:Bucket` (d.ts). */
  bucketV2: "aws:s3/bucketV2:BucketV2",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketAcl: "aws:s3/bucketAcl:BucketAcl",
  bucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  role: "aws:iam/role:Role",
  policy: "aws:iam/policy:Policy",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  userPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  groupPolicyAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  rolePolicyAttachmentsExclusive:
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  accessKey: "aws:iam/accessKey:AccessKey",
} as const;

export const GCP = {
  bucket: "gcp:storage/bucket:Bucket",
  bucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
  bucketIamBinding: "gcp:storage/bucketIAMBinding:BucketIAMBinding",
  bucketIamPolicy: "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
  bucketAccessControl: "gcp:storage/bucketAccessControl:BucketAccessControl",
  defaultObjectAccessControl: "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
  objectAccessControl: "gcp:storage/objectAccessControl:ObjectAccessControl",
  bucketAcl: "gcp:storage/bucketACL:BucketACL",
  defaultObjectAcl: "gcp:storage/defaultObjectACL:DefaultObjectACL",
  objectAcl: "gcp:storage/objectACL:ObjectACL",
  projectIamMember: "gcp:projects/iAMMember:IAMMember",
  projectIamBinding: "gcp:projects/iAMBinding:IAMBinding",
  projectIamPolicy: "gcp:projects/iAMPolicy:IAMPolicy",
  folderIamMember: "gcp:folder/iAMMember:IAMMember",
  folderIamBinding: "gcp:folder/iAMBinding:IAMBinding",
  folderIamPolicy: "gcp:folder/iAMPolicy:IAMPolicy",
  orgIamMember: "gcp:organizations/iAMMember:IAMMember",
  orgIamBinding: "gcp:organizations/iAMBinding:IAMBinding",
  orgIamPolicy: "gcp:organizations/iAMPolicy:IAMPolicy",
  serviceAccountIamMember: "gcp:serviceaccount/iAMMember:IAMMember",
  serviceAccountIamBinding: "gcp:serviceaccount/iAMBinding:IAMBinding",
  serviceAccountIamPolicy: "gcp:serviceaccount/iAMPolicy:IAMPolicy",
  serviceAccountKey: "gcp:serviceaccount/key:Key",
  hmacKey: "gcp:storage/hmacKey:HmacKey",
} as const;

/** azure-native tokens; the rules also accept the API-versioned modules (`storage/v20230501`). */
export const AZURE = {
  storageAccount: "azure-native:storage:StorageAccount",
  blobContainer: "azure-native:storage:BlobContainer",
  federatedIdentityCredential: "azure-native:managedidentity:FederatedIdentityCredential",
  roleAssignment: "azure-native:authorization:RoleAssignment",
} as const;

export const K8S = {
  pod: "kubernetes:core/v1:Pod",
  podTemplate: "kubernetes:core/v1:PodTemplate",
  replicationController: "kubernetes:core/v1:ReplicationController",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  replicaSet: "kubernetes:apps/v1:ReplicaSet",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  secret: "kubernetes:core/v1:Secret",
  configMap: "kubernetes:core/v1:ConfigMap",
} as const;

/** Where each workload kind keeps its pod spec, as a property path. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  [K8S.pod]: ["spec"],
  [K8S.podTemplate]: ["template", "spec"],
  [K8S.replicationController]: ["spec", "template", "spec"],
  [K8S.deployment]: ["spec", "template", "spec"],
  [K8S.statefulSet]: ["spec", "template", "spec"],
  [K8S.daemonSet]: ["spec", "template", "spec"],
  [K8S.replicaSet]: ["spec", "template", "spec"],
  [K8S.job]: ["spec", "template", "spec"],
  [K8S.cronJob]: ["spec", "jobTemplate", "spec", "template", "spec"],
};

// ---------------------------------------------------------------------------------------------
// Constants the rules check against
// ---------------------------------------------------------------------------------------------

export const S3_PUBLIC_ACCESS_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

/** Canned ACLs that open a bucket to everyone or to every AWS account. */
export const S3_PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"] as const;

/** GCP's members for "anyone" and "any Google account". */
export const GCP_PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"] as const;

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

/**
 * AWS-managed policies that read or administer everything. Matched by name: the explicit ones,
 * and every `…FullAccess` / `…ReadOnlyAccess` policy. The EKS policies our cluster attaches
 * (AmazonEKSClusterPolicy, AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy,
 * AmazonEC2ContainerRegistryPullOnly) match none of these.
 */
export const BROAD_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess"] as const;
const BROAD_MANAGED_SUFFIXES = ["FullAccess", "ReadOnlyAccess"] as const;
/** An AWS-managed policy ARN in any partition, with its name (the part after the last `/`). */
const AWS_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/;

/** Azure built-in storage *data* roles (role definition GUIDs, Azure built-in roles page). */
export const AZURE_STORAGE_DATA_ROLES: Readonly<Record<string, string>> = {
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "19e7f393-937e-4f77-808e-94535e297925": "Storage Queue Data Reader",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
};
const STORAGE_ACCOUNT_SCOPE = "/providers/microsoft.storage/storageaccounts/";

/** Environment variables that carry static cloud credentials. */
export const STATIC_CREDENTIAL_ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_PASSWORD",
  "AZURE_STORAGE_KEY",
  "AZURE_STORAGE_SAS_TOKEN",
] as const;
/** …and any variable named `…CONNECTION_STRING` (Azure storage connection strings carry a key). */
const CONNECTION_STRING_ENV = /CONNECTION_STRING$/;

/** Credential material recognisable in a value, with what to call it. */
const CREDENTIAL_PATTERNS: readonly {
  readonly what: string;
  readonly test: (v: string) => boolean;
}[] = [
  {
    what: "a Google service-account key",
    test: (v) => /"type"\s*:\s*"service_account"/.test(v) && /"private_key"\s*:/.test(v),
  },
  { what: "an AWS access key ID", test: (v) => /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/.test(v) },
  { what: "an AWS secret access key", test: (v) => /aws_secret_access_key\s*[=:]/i.test(v) },
  { what: "an Azure storage account key", test: (v) => /AccountKey=/.test(v) },
  { what: "an Azure shared access signature", test: (v) => /SharedAccessSignature=/.test(v) },
];

/** Resources whose whole purpose is to mint a long-lived key. */
export const KEY_MINTING_RESOURCES: Readonly<Record<string, string>> = {
  [AWS.accessKey]:
    "creates a long-lived IAM access key; remove it and let pods use EKS Pod Identity or IRSA",
  [GCP.serviceAccountKey]:
    "creates a downloadable service-account key; remove it and use Workload Identity Federation",
  [GCP.hmacKey]:
    "creates a Cloud Storage HMAC key; remove it and grant the workload's identity on the bucket",
};

// ---------------------------------------------------------------------------------------------
// Reading untyped properties
// ---------------------------------------------------------------------------------------------

type Key = string | number;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path`, or undefined where any step is missing. */
function at(value: unknown, ...path: readonly Key[]): unknown {
  let v = value;
  for (const k of path) {
    if (typeof k === "number") v = Array.isArray(v) ? (v as unknown[])[k] : undefined;
    else v = isRecord(v) ? v[k] : undefined;
  }
  return v;
}

/** A scalar or array as an array (IAM and Kubernetes both allow either). */
function list(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? (v as unknown[]) : [v];
}

function strings(v: unknown): string[] {
  return list(v).filter((x): x is string => typeof x === "string");
}

/** A value as a message shows it: JSON, or `unset`. */
function show(v: unknown): string {
  return v === undefined ? "unset" : JSON.stringify(v);
}

const id = (r: PolicyResource): string => `${r.type} ${r.name}`;

/** True when `type` is one of `tokens`. */
function oneOf(type: string, tokens: readonly string[]): boolean {
  return tokens.includes(type);
}

/** Matches a token in its default module and in API-versioned ones (azure-native). */
function isType(type: string, token: string): boolean {
  if (type === token) return true;
  const [pkg, mod, name] = token.split(":");
  return type.startsWith(`${pkg}:${mod}/v`) && type.endsWith(`:${name}`);
}

// ---------------------------------------------------------------------------------------------
// IAM documents (AWS) and members (GCP)
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
  let doc = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch (e) {
      return `is not valid JSON (${(e as Error).message})`;
    }
  }
  if (!isRecord(doc)) return `is not a policy document: ${show(doc)}`;
  return list(doc.Statement).map((s, i) => ({
    label: typeof at(s, "Sid") === "string" ? JSON.stringify(at(s, "Sid")) : `#${i + 1}`,
    effect: at(s, "Effect"),
    principal: at(s, "Principal"),
    action: strings(at(s, "Action")),
    notAction: strings(at(s, "NotAction")),
    resource: strings(at(s, "Resource")),
    notResource: strings(at(s, "NotResource")),
    condition: isRecord(at(s, "Condition")) ? (at(s, "Condition") as Record<string, unknown>) : {},
  }));
}

/** Every IAM identity-policy document a resource carries, with the property it sits in. */
function identityPolicies(r: PolicyResource): { path: string; document: unknown }[] {
  switch (r.type) {
    case AWS.policy:
    case AWS.rolePolicy:
    case AWS.userPolicy:
    case AWS.groupPolicy:
      return [{ path: "policy", document: r.props.policy }];
    case AWS.role:
      return list(r.props.inlinePolicies).map((p, i) => ({
        path: `inlinePolicies[${i}].policy`,
        document: at(p, "policy"),
      }));
    default:
      return [];
  }
}

/** `Principal` values of one kind (`Service`, `Federated`, `AWS`), or `*` for `"*"`. */
function principals(principal: unknown, kind: string): string[] {
  if (principal === "*") return ["*"];
  return strings(at(principal, kind));
}

const GCP_IAM_MEMBER: readonly string[] = [
  GCP.bucketIamMember,
  GCP.projectIamMember,
  GCP.folderIamMember,
  GCP.orgIamMember,
  GCP.serviceAccountIamMember,
];
const GCP_IAM_BINDING: readonly string[] = [
  GCP.bucketIamBinding,
  GCP.projectIamBinding,
  GCP.folderIamBinding,
  GCP.orgIamBinding,
  GCP.serviceAccountIamBinding,
];
const GCP_IAM_POLICY: readonly string[] = [
  GCP.bucketIamPolicy,
  GCP.projectIamPolicy,
  GCP.folderIamPolicy,
  GCP.orgIamPolicy,
  GCP.serviceAccountIamPolicy,
];
const GCP_ABOVE_BUCKET: readonly string[] = [
  GCP.projectIamMember,
  GCP.projectIamBinding,
  GCP.projectIamPolicy,
  GCP.folderIamMember,
  GCP.folderIamBinding,
  GCP.folderIamPolicy,
  GCP.orgIamMember,
  GCP.orgIamBinding,
  GCP.orgIamPolicy,
];
const GCP_BUCKET_IAM: readonly string[] = [
  GCP.bucketIamMember,
  GCP.bucketIamBinding,
  GCP.bucketIamPolicy,
];

interface GcpGrant {
  /** The property path of the member, e.g. `members[1]`. */
  readonly path: string;
  /** The property path of its role, e.g. `role` or `policyData.bindings[0].role`. */
  readonly rolePath: string;
  readonly role: unknown;
  readonly member: string;
}

/** The (role, member) pairs of any GCP IAM member, binding or policy resource. */
function gcpGrants(r: PolicyResource): GcpGrant[] | string {
  if (oneOf(r.type, GCP_IAM_MEMBER)) {
    const member = r.props.member;
    return typeof member === "string"
      ? [{ path: "member", rolePath: "role", role: r.props.role, member }]
      : [];
  }
  if (oneOf(r.type, GCP_IAM_BINDING)) {
    return list(r.props.members).flatMap((m, i) =>
      typeof m === "string"
        ? [{ path: `members[${i}]`, rolePath: "role", role: r.props.role, member: m }]
        : [],
    );
  }
  if (oneOf(r.type, GCP_IAM_POLICY)) {
    let data = r.props.policyData;
    if (typeof data === "string") {
      try {
        data = JSON.parse(data);
      } catch (e) {
        return `policyData is not valid JSON (${(e as Error).message})`;
      }
    }
    return list(at(data, "bindings")).flatMap((b, i) =>
      strings(at(b, "members")).map((member, j) => ({
        path: `policyData.bindings[${i}].members[${j}]`,
        rolePath: `policyData.bindings[${i}].role`,
        role: at(b, "role"),
        member,
      })),
    );
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

export const noPublicBuckets: ResourceRule = {
  kind: "resource",
  name: "no-public-buckets",
  description:
    "Buckets are private: no public-access flag off, no public ACL, policy or member; GCS enforces uniform access and public access prevention; Azure blob public access is off.",
  mirrors: {
    cis: [
      "AWS Foundations v1.5.0 2.1.4 (2.1.5 in v1.4.0): S3 'Block public access (bucket settings)'",
      "GCP Foundations v3.0.0 5.1: bucket not anonymously or publicly accessible",
      "GCP Foundations v3.0.0 5.2: uniform bucket-level access",
      "Azure Foundations v3.0.0 4.17 (3.5 in v1.4.0): 'Allow Blob Anonymous Access' disabled",
    ],
    checkov: [
      "CKV_AWS_53",
      "CKV_AWS_54",
      "CKV_AWS_55",
      "CKV_AWS_56",
      "CKV_AWS_70",
      "CKV_GCP_28",
      "CKV_GCP_29",
      "CKV_GCP_114",
      "CKV_AZURE_190",
      "CKV_AZURE_34",
    ],
  },
  validate(r) {
    const out: string[] = [];
    if (r.type === AWS.publicAccessBlock) {
      for (const flag of S3_PUBLIC_ACCESS_FLAGS) {
        if (r.props[flag] !== true) {
          out.push(
            `${id(r)}: ${flag} is ${show(r.props[flag])}; set all four of ${S3_PUBLIC_ACCESS_FLAGS.join(", ")} to true`,
          );
        }
      }
    }
    if (oneOf(r.type, [AWS.bucket, AWS.bucketV2, AWS.bucketAcl, AWS.bucketAclV2])) {
      const acl = r.props.acl;
      if (typeof acl === "string" && (S3_PUBLIC_ACLS as readonly string[]).includes(acl)) {
        out.push(
          `${id(r)}: acl is ${show(acl)}, which opens the bucket to others; remove it (BucketOwnerEnforced ownership disables ACLs)`,
        );
      }
    }
    if (r.type === AWS.bucketPolicy) {
      const statements = iamStatements(r.props.policy);
      if (typeof statements === "string") out.push(`${id(r)}: policy ${statements}`);
      else {
        for (const s of statements) {
          if (s.effect === "Allow" && principals(s.principal, "AWS").includes("*")) {
            out.push(
              `${id(r)}: policy statement ${s.label} allows Principal "*" (anyone); grant named roles instead`,
            );
          }
        }
      }
    }
    if (r.type === GCP.bucket) {
      if (r.props.uniformBucketLevelAccess !== true) {
        out.push(
          `${id(r)}: uniformBucketLevelAccess is ${show(r.props.uniformBucketLevelAccess)}; set it to true (no object ACLs; principal:// members need it)`,
        );
      }
      if (r.props.publicAccessPrevention !== "enforced") {
        out.push(
          `${id(r)}: publicAccessPrevention is ${show(r.props.publicAccessPrevention)}; set it to "enforced"`,
        );
      }
    }
    if (oneOf(r.type, GCP_BUCKET_IAM)) {
      const grants = gcpGrants(r);
      if (typeof grants === "string") out.push(`${id(r)}: ${grants}`);
      else {
        for (const g of grants) {
          if ((GCP_PUBLIC_MEMBERS as readonly string[]).includes(g.member)) {
            out.push(
              `${id(r)}: ${g.path} is ${show(g.member)}, which makes the bucket public; grant one workload's principal instead`,
            );
          }
        }
      }
    }
    if (
      oneOf(r.type, [
        GCP.bucketAccessControl,
        GCP.defaultObjectAccessControl,
        GCP.objectAccessControl,
      ]) &&
      (GCP_PUBLIC_MEMBERS as readonly string[]).includes(r.props.entity as string)
    ) {
      out.push(
        `${id(r)}: entity is ${show(r.props.entity)}, which makes the data public; remove it (uniform bucket-level access disables ACLs)`,
      );
    }
    if (oneOf(r.type, [GCP.bucketAcl, GCP.defaultObjectAcl, GCP.objectAcl])) {
      strings(r.props.roleEntities).forEach((e, i) => {
        if (GCP_PUBLIC_MEMBERS.some((m) => e.endsWith(`:${m}`))) {
          out.push(
            `${id(r)}: roleEntities[${i}] is ${show(e)}, which makes the data public; remove it (uniform bucket-level access disables ACLs)`,
          );
        }
      });
    }
    if (isType(r.type, AZURE.storageAccount) && r.props.allowBlobPublicAccess !== false) {
      out.push(
        `${id(r)}: allowBlobPublicAccess is ${show(r.props.allowBlobPublicAccess)}; set it to false`,
      );
    }
    if (isType(r.type, AZURE.blobContainer)) {
      const access = r.props.publicAccess;
      if (access !== undefined && access !== "None") {
        out.push(`${id(r)}: publicAccess is ${show(access)}; set it to "None" or leave it unset`);
      }
    }
    return out;
  },
};

export const s3BucketHasPublicAccessBlock: StackRule = {
  kind: "stack",
  name: "s3-bucket-has-public-access-block",
  description: "Every S3 bucket in the stack has a public-access block.",
  mirrors: {
    cis: ["AWS Foundations v1.5.0 2.1.4 (2.1.5 in v1.4.0)"],
    checkov: ["CKV2_AWS_6"],
  },
  validate(resources) {
    const blocks = resources.filter((r) => r.type === AWS.publicAccessBlock);
    const out: StackViolation[] = [];
    for (const bucket of resources.filter(
      (r) => r.type === AWS.bucket || r.type === AWS.bucketV2,
    )) {
      const covered = blocks.some((b) => {
        // Linked by dependency: per property where CrossGuard has them (`bucket`), otherwise any
        // dependency (the offline mocks record no per-property dependencies).
        const pd = b.propertyDependencies;
        const perProperty = pd !== undefined && Object.keys(pd).length > 0;
        const refs = perProperty ? (pd["bucket"] ?? []) : (b.dependencies ?? []);
        if (bucket.urn !== undefined && refs.includes(bucket.urn)) return true;
        // A `bucket` made from another resource's output names that resource; its value may be
        // unknown during a preview, so it is not read.
        if (perProperty && refs.length > 0) return false;
        // Otherwise `bucket` is a literal name.
        return typeof b.props.bucket === "string" && b.props.bucket === bucket.props.bucket;
      });
      if (!covered) {
        out.push({
          message: `${id(bucket)}: no aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock names this bucket; add one with bucket: <this bucket>.id and all four flags true`,
          urn: bucket.urn,
        });
      }
    }
    return out;
  },
};

/** An ARN (or `*`) that stands for every resource of a service: `*`, `arn:aws:s3:::*`, … */
function isWildcardResource(resource: string): boolean {
  return resource === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*/.test(resource);
}

export const noWildcardIam: ResourceRule = {
  kind: "resource",
  name: "no-wildcard-iam",
  description:
    "IAM Allow statements name exact actions and resources: no `*` in an action, no `*` resource, no NotAction or NotResource (Deny may use wildcards).",
  mirrors: {
    cis: [
      'AWS Foundations v1.4.0 1.16: no IAM policies that allow full "*:*" administrative privileges',
    ],
    checkov: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"],
  },
  validate(r) {
    const out: string[] = [];
    for (const { path, document } of identityPolicies(r)) {
      const statements = iamStatements(document);
      if (typeof statements === "string") {
        out.push(`${id(r)}: ${path} ${statements}`);
        continue;
      }
      for (const s of statements) {
        if (s.effect !== "Allow") continue;
        const where = `${id(r)}: ${path} statement ${s.label} (Allow)`;
        for (const a of s.action.filter((x) => /[*?]/.test(x))) {
          out.push(`${where} has wildcard action ${show(a)}; list the exact actions it needs`);
        }
        for (const x of s.resource.filter(isWildcardResource)) {
          out.push(`${where} has wildcard resource ${show(x)}; name the exact ARNs`);
        }
        if (s.notAction.length > 0) {
          out.push(
            `${where} uses NotAction ${show(s.notAction)}, which allows everything else; list the allowed actions instead`,
          );
        }
        if (s.notResource.length > 0) {
          out.push(
            `${where} uses NotResource ${show(s.notResource)}, which allows every other resource; list the resources instead`,
          );
        }
      }
    }
    return out;
  },
};

/** The name of an AWS-managed policy that reads or administers everything, or undefined. */
export function broadManagedPolicy(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const name = AWS_MANAGED_POLICY.exec(arn)?.[1];
  if (name === undefined) return undefined;
  const broad =
    (BROAD_MANAGED_POLICIES as readonly string[]).includes(name) ||
    BROAD_MANAGED_SUFFIXES.some((s) => name.endsWith(s));
  return broad ? name : undefined;
}

export const noBroadManagedPolicies: ResourceRule = {
  kind: "resource",
  name: "no-broad-managed-policies",
  description:
    "No AWS-managed admin or read-everything policy (AdministratorAccess, PowerUserAccess, …FullAccess, …ReadOnlyAccess) is attached; the EKS policies are fine.",
  mirrors: {
    cis: ["AWS Foundations v1.4.0 1.16 (nearest: full administrative privileges)"],
    checkov: ["CKV_AWS_274"],
    note: "CKV_AWS_274 covers AdministratorAccess only; for the read-everything policies (AmazonS3ReadOnlyAccess, ReadOnlyAccess) there is no direct equivalent, nearest CKV_AWS_274.",
  },
  validate(r) {
    const attached: { path: string; arn: unknown }[] = [];
    if (
      oneOf(r.type, [
        AWS.rolePolicyAttachment,
        AWS.userPolicyAttachment,
        AWS.groupPolicyAttachment,
        AWS.policyAttachment,
      ])
    ) {
      attached.push({ path: "policyArn", arn: r.props.policyArn });
    }
    if (r.type === AWS.rolePolicyAttachmentsExclusive) {
      list(r.props.policyArns).forEach((arn, i) =>
        attached.push({ path: `policyArns[${i}]`, arn }),
      );
    }
    if (r.type === AWS.role) {
      list(r.props.managedPolicyArns).forEach((arn, i) =>
        attached.push({ path: `managedPolicyArns[${i}]`, arn }),
      );
    }
    return attached.flatMap(({ path, arn }) => {
      const name = broadManagedPolicy(arn);
      return name === undefined
        ? []
        : [
            `${id(r)}: ${path} is ${show(arn)}, the AWS-managed ${name} policy, which reaches far beyond one bucket; attach a customer-managed policy scoped to the bucket (e.g. BucketWithPolicy.readPolicyArn)`,
          ];
    });
  },
};

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

export const trustOneServiceAccount: ResourceRule = {
  kind: "resource",
  name: "trust-one-service-account",
  description:
    "Cloud identities trust exactly one Kubernetes namespace/ServiceAccount (Pod Identity tags, web-identity sub/aud, Entra FIC subject/audience, GCP principal).",
  mirrors: {
    cis: [],
    checkov: ["CKV_AWS_60"],
    note: "No direct equivalent in CIS or Checkov for ServiceAccount-scoped trust; nearest CKV_AWS_60 (IAM role allows only specific services or principals to assume it).",
  },
  validate(r) {
    const out: string[] = [];
    if (r.type === AWS.role) {
      const statements = iamStatements(r.props.assumeRolePolicy);
      if (typeof statements === "string") return [`${id(r)}: assumeRolePolicy ${statements}`];
      for (const s of statements) {
        if (s.effect !== "Allow") continue;
        const where = `${id(r)}: assumeRolePolicy statement ${s.label}`;
        if (principals(s.principal, "AWS").includes("*")) {
          out.push(
            `${where} trusts Principal "*" (anyone); trust one service or federated provider`,
          );
        }
        if (principals(s.principal, "Service").includes(POD_IDENTITY_SERVICE)) {
          out.push(
            ...podIdentityTrustProblems(s).map((p) => `${where} (${POD_IDENTITY_SERVICE}) ${p}`),
          );
        }
        if (s.action.includes("sts:AssumeRoleWithWebIdentity")) {
          for (const provider of principals(s.principal, "Federated")) {
            out.push(
              ...webIdentityTrustProblems(s, provider).map((p) => `${where} (web identity) ${p}`),
            );
          }
        }
      }
    }
    if (isType(r.type, AZURE.federatedIdentityCredential)) {
      const subject = r.props.subject;
      if (typeof subject !== "string" || !SERVICE_ACCOUNT_SUBJECT.test(subject)) {
        out.push(
          `${id(r)}: subject is ${show(subject)}; name one system:serviceaccount:<namespace>:<serviceaccount>, without wildcards`,
        );
      }
      const audiences = r.props.audiences;
      const aud = list(audiences);
      if (aud.length !== 1 || aud[0] !== AZURE_TOKEN_EXCHANGE_AUDIENCE) {
        out.push(
          `${id(r)}: audiences is ${show(audiences)}; set it to ["${AZURE_TOKEN_EXCHANGE_AUDIENCE}"]`,
        );
      }
    }
    const grants = gcpGrants(r);
    if (typeof grants === "string") out.push(`${id(r)}: ${grants}`);
    else {
      for (const g of grants) {
        const problem = gcpMemberProblem(g.member);
        if (problem !== undefined) out.push(`${id(r)}: ${g.path} ${show(g.member)} ${problem}`);
      }
    }
    return out;
  },
};

export const noBroadStorageGrants: ResourceRule = {
  kind: "resource",
  name: "no-broad-storage-grants",
  description:
    "Storage access is granted on the bucket: no roles/storage.* on a GCP project, folder or organization; no Azure storage data role above the storage account.",
  mirrors: {
    cis: [],
    checkov: [],
    note: "No direct equivalent in CIS or Checkov; nearest CKV_GCP_117 (basic roles at project level) for GCP and CKV_AZURE_39 (no custom subscription owner roles) for Azure.",
  },
  validate(r) {
    const out: string[] = [];
    if (oneOf(r.type, GCP_ABOVE_BUCKET)) {
      const level = { projects: "project", folder: "folder", organizations: "organization" }[
        r.type.split(":")[1].split("/")[0]
      ];
      const grants = gcpGrants(r);
      if (typeof grants === "string") out.push(`${id(r)}: ${grants}`);
      else {
        const seen = new Set<string>();
        for (const g of grants) {
          if (typeof g.role !== "string" || !g.role.startsWith("roles/storage.")) continue;
          if (seen.has(g.rolePath)) continue;
          seen.add(g.rolePath);
          out.push(
            `${id(r)}: ${g.rolePath} ${show(g.role)} is granted on the whole ${level}; grant it on the bucket with gcp:storage/bucketIAMMember`,
          );
        }
      }
    }
    if (isType(r.type, AZURE.roleAssignment)) {
      const roleId = r.props.roleDefinitionId;
      const guid = typeof roleId === "string" ? roleId.split("/").at(-1)?.toLowerCase() : undefined;
      const role = guid === undefined ? undefined : AZURE_STORAGE_DATA_ROLES[guid];
      const scope = r.props.scope;
      if (
        role !== undefined &&
        !(typeof scope === "string" && scope.toLowerCase().includes(STORAGE_ACCOUNT_SCOPE))
      ) {
        out.push(
          `${id(r)}: scope is ${show(scope)}, above the storage account, for ${role}; scope it to the container (BlobContainer.id) or the storage account`,
        );
      }
    }
    return out;
  },
};

interface Container {
  readonly path: string;
  readonly value: unknown;
}

function containersOf(spec: unknown, specPath: string): Container[] {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((field) =>
    list(at(spec, field)).map((value, i) => ({ path: `${specPath}.${field}[${i}]`, value })),
  );
}

/** The pod spec of a workload resource, with its property path; undefined for other types. */
function podSpec(r: PolicyResource): { spec: unknown; path: string } | undefined {
  const path = POD_SPEC_PATHS[r.type];
  return path === undefined ? undefined : { spec: at(r.props, ...path), path: path.join(".") };
}

const ALLOWED_SECCOMP = ["RuntimeDefault", "Localhost"];
const ALLOWED_ADDED_CAPABILITIES = ["NET_BIND_SERVICE"];

export const podSecurityRestricted: ResourceRule = {
  kind: "resource",
  name: "pod-security-restricted",
  description:
    'Pods meet Pod Security "restricted": non-root, seccomp, no privilege escalation, drop ALL capabilities, not privileged, no host namespaces or hostPath.',
  mirrors: {
    cis: [
      "Kubernetes v1.10 5.2.2 privileged, 5.2.3 hostPID, 5.2.4 hostIPC, 5.2.5 hostNetwork, 5.2.6 allowPrivilegeEscalation, 5.2.7 root containers, 5.2.8 NET_RAW, 5.2.9 added capabilities, 5.2.10 capabilities assigned, 5.2.12 HostPath volumes, 5.7.2 seccomp",
    ],
    checkov: [
      "CKV_K8S_16",
      "CKV_K8S_17",
      "CKV_K8S_18",
      "CKV_K8S_19",
      "CKV_K8S_20",
      "CKV_K8S_23",
      "CKV_K8S_25",
      "CKV_K8S_28",
      "CKV_K8S_31",
      "CKV_K8S_37",
    ],
    note: "hostPath volumes have no direct Checkov equivalent; nearest CKV_K8S_27 (docker socket).",
  },
  validate(r) {
    const pod = podSpec(r);
    if (pod === undefined) return [];
    const { spec, path: p } = pod;
    const out: string[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (at(spec, field) === true) {
        out.push(
          `${id(r)}: ${p}.${field} is true; remove it (restricted pods share no host namespace)`,
        );
      }
    }
    list(at(spec, "volumes")).forEach((v, i) => {
      if (at(v, "hostPath") !== undefined) {
        out.push(
          `${id(r)}: ${p}.volumes[${i}] (${show(at(v, "name"))}) is a hostPath volume; use an emptyDir, configMap, secret or projected volume`,
        );
      }
    });
    const podCtx = at(spec, "securityContext");
    if (at(podCtx, "runAsUser") === 0) {
      out.push(
        `${id(r)}: ${p}.securityContext.runAsUser is 0 (root); set a non-zero UID, e.g. 1000`,
      );
    }
    for (const c of containersOf(spec, p)) {
      const ctx = at(c.value, "securityContext");
      const where = `${id(r)}: ${c.path}.securityContext`;
      const nonRoot = at(ctx, "runAsNonRoot") ?? at(podCtx, "runAsNonRoot");
      if (nonRoot !== true) {
        out.push(
          `${where}.runAsNonRoot is ${show(at(ctx, "runAsNonRoot"))} and ${p}.securityContext.runAsNonRoot is ${show(at(podCtx, "runAsNonRoot"))}; set runAsNonRoot: true on the pod (and no false on a container)`,
        );
      }
      if (at(ctx, "runAsUser") === 0) {
        out.push(`${where}.runAsUser is 0 (root); set a non-zero UID, e.g. 1000`);
      }
      const seccomp = at(ctx, "seccompProfile", "type") ?? at(podCtx, "seccompProfile", "type");
      if (!ALLOWED_SECCOMP.includes(seccomp as string)) {
        out.push(
          `${where}.seccompProfile.type is ${show(at(ctx, "seccompProfile", "type"))} and ${p}.securityContext.seccompProfile.type is ${show(at(podCtx, "seccompProfile", "type"))}; set ${p}.securityContext.seccompProfile.type to "RuntimeDefault" (or "Localhost")`,
        );
      }
      if (at(ctx, "allowPrivilegeEscalation") !== false) {
        out.push(
          `${where}.allowPrivilegeEscalation is ${show(at(ctx, "allowPrivilegeEscalation"))}; set it to false`,
        );
      }
      if (at(ctx, "privileged") === true) {
        out.push(`${where}.privileged is true; remove it`);
      }
      const drop = strings(at(ctx, "capabilities", "drop"));
      if (!drop.includes("ALL")) {
        out.push(
          `${where}.capabilities.drop is ${show(at(ctx, "capabilities", "drop"))}; set it to ["ALL"]`,
        );
      }
      const added = strings(at(ctx, "capabilities", "add")).filter(
        (cap) => !ALLOWED_ADDED_CAPABILITIES.includes(cap),
      );
      if (added.length > 0) {
        out.push(
          `${where}.capabilities.add is ${show(at(ctx, "capabilities", "add"))}; add nothing but NET_BIND_SERVICE`,
        );
      }
    }
    return out;
  },
};

function isStaticCredentialName(name: string): boolean {
  const upper = name.toUpperCase();
  return (
    (STATIC_CREDENTIAL_ENV as readonly string[]).includes(upper) ||
    CONNECTION_STRING_ENV.test(upper)
  );
}

function credentialIn(value: string): string | undefined {
  return CREDENTIAL_PATTERNS.find((p) => p.test(value))?.what;
}

const decodeBase64 = (v: string): string => Buffer.from(v, "base64").toString("utf8");

export const noStaticCloudCredentials: ResourceRule = {
  kind: "resource",
  name: "no-static-cloud-credentials",
  description:
    "No static cloud credentials in pod env, Secrets or ConfigMaps, and no resource that mints a long-lived key.",
  mirrors: {
    cis: [
      "Kubernetes v1.10 5.4.1 (nearest: secrets as files, not environment variables)",
      "GCP Foundations v3.0.0 1.4: only GCP-managed service-account keys",
      "AWS Foundations v3.0.0 1.11 (nearest: no access keys at user setup)",
    ],
    checkov: ["CKV_SECRET_2", "CKV_SECRET_3", "CKV_K8S_35"],
  },
  validate(r) {
    const out: string[] = [];
    const minted = KEY_MINTING_RESOURCES[r.type];
    if (minted !== undefined) out.push(`${id(r)}: ${minted}`);

    const pod = podSpec(r);
    if (pod !== undefined) {
      for (const c of containersOf(pod.spec, pod.path)) {
        list(at(c.value, "env")).forEach((e, i) => {
          const name = at(e, "name");
          const where = `${id(r)}: ${c.path}.env[${i}]`;
          if (typeof name === "string" && isStaticCredentialName(name)) {
            out.push(
              `${where} sets ${name}, a static credential; remove it and let the pod's bound identity supply credentials`,
            );
            return;
          }
          const value = at(e, "value");
          const what = typeof value === "string" ? credentialIn(value) : undefined;
          if (what !== undefined) {
            out.push(
              `${where} (${show(name)}) holds ${what}; remove it and let the pod's bound identity supply credentials`,
            );
          }
        });
      }
    }

    if (r.type === K8S.secret || r.type === K8S.configMap) {
      const fields: { field: string; decode: boolean }[] = [
        { field: "data", decode: r.type === K8S.secret },
        { field: "stringData", decode: false },
        { field: "binaryData", decode: true },
      ];
      for (const { field, decode } of fields) {
        const data = r.props[field];
        if (!isRecord(data)) continue;
        for (const [key, raw] of Object.entries(data)) {
          const where = `${id(r)}: ${field}[${JSON.stringify(key)}]`;
          if (isStaticCredentialName(key)) {
            out.push(
              `${where} is a static credential (${key}); delete it and grant the workload's identity instead`,
            );
            continue;
          }
          if (typeof raw !== "string") continue;
          const what = credentialIn(decode ? decodeBase64(raw) : raw);
          if (what !== undefined) {
            out.push(`${where} holds ${what}; delete it and grant the workload's identity instead`);
          }
        }
      }
    }
    return out;
  },
};

/** Every rule of the pack, in the order the README lists them. */
export const RULES: readonly Rule[] = [
  noPublicBuckets,
  s3BucketHasPublicAccessBlock,
  noWildcardIam,
  noBroadManagedPolicies,
  trustOneServiceAccount,
  noBroadStorageGrants,
  podSecurityRestricted,
  noStaticCloudCredentials,
];

/** Runs every rule over a stack's resources: resource rules per resource, then stack rules. */
export function checkAll(
  resources: readonly PolicyResource[],
): { rule: string; message: string }[] {
  return RULES.flatMap((rule) =>
    rule.kind === "resource"
      ? resources.flatMap((r) => rule.validate(r).map((message) => ({ rule: rule.name, message })))
      : rule.validate(resources).map(({ message }) => ({ rule: rule.name, message })),
  );
}
