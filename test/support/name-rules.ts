/**
 * What each cloud accepts as a name, and which physical names a recorded program holds: a table
 * from resource type token to the names (and other length-limited strings) that resource puts in
 * front of a cloud, each with the rule that cloud applies. The sweep (test/names-sweep.test.ts)
 * runs every recorded resource through it.
 *
 * A physical name is the explicit input when the program sets one, else what the provider's
 * auto-naming makes of the logical name (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming):
 * - Terraform-bridged providers (aws, gcp): `<logical>-<7 random hex>`
 *   (pulumi-terraform-bridge `tfbridge.AutoName`: separator "-", `Randlen: 7`; pulumi-aws
 *   `provider/resources.go` lower-cases an S3 bucket's: `AutoNameTransform("bucket", 63, strings.ToLower)`).
 * - azure-native: `<logical><8 random hex>`, no separator (pulumi-azure-native
 *   `provider/pkg/provider/autonaming_test.go`: `test` → `test614742c2`); role assignments get a UUID.
 * - kubernetes: `<logical>-<8 random [a-z0-9]>` (pulumi-kubernetes `provider/pkg/metadata/naming.go`,
 *   `AssignNameIfAutonamable`).
 * Random suffixes the program adds itself (RandomString, RandomId) are already in the recorded
 * inputs, at the full length the mocks give them (the sweep checks that length).
 *
 * Every type the program registers must be listed: an unknown type throws, so a new resource is
 * either given its rules here or declared nameless with a reason.
 */
import type { Recorded } from "../../offline/mocks";

export interface NameRule {
  /** What the cloud calls it, for messages. */
  readonly what: string;
  readonly min: number;
  readonly max: number;
  /** Count UTF-8 bytes instead of characters. */
  readonly bytes?: boolean;
  /** Count characters other than white space (IAM policy sizes). */
  readonly ignoreWhitespace?: boolean;
  readonly pattern?: RegExp;
  /** Substrings or shapes the cloud refuses although the pattern allows them. */
  readonly forbidden?: readonly { readonly test: RegExp; readonly why: string }[];
  /** Where the rule is documented. */
  readonly source: string;
}

/** One physical name (or limited string) of a recorded resource, with the rule it must pass. */
export interface PhysicalName {
  readonly type: string;
  /** The resource's logical name. */
  readonly logical: string;
  /** Which input (or derived value) this is, e.g. `name`, `metadata.name`, `tags.stack`. */
  readonly field: string;
  readonly value: string;
  readonly rule: NameRule;
}

/** Why `value` breaks `rule`, or undefined. */
export function ruleProblem(rule: NameRule, value: string): string | undefined {
  const counted = rule.ignoreWhitespace ? value.replace(/\s/g, "") : value;
  const length = rule.bytes ? Buffer.byteLength(counted, "utf8") : [...counted].length;
  const unit = rule.bytes ? "bytes" : "characters";
  if (length < rule.min || length > rule.max) {
    return `${rule.what}: ${length} ${unit}, allowed ${rule.min}–${rule.max} (${rule.source})`;
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    return `${rule.what}: does not match ${String(rule.pattern)} (${rule.source})`;
  }
  for (const f of rule.forbidden ?? []) {
    if (f.test.test(value)) return `${rule.what}: ${f.why} (${rule.source})`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Auto-naming, as each provider does it (sources in the header).

const HEX7 = "d7c2fa0";
const HEX8 = "614742c2";
const K8S8 = "x4k9z2q7";
/** pulumi-terraform-bridge: `<logical>-<7 hex>`. */
export const bridgeAutoname = (logical: string): string => `${logical}-${HEX7}`;
/** azure-native: `<logical><8 hex>`. */
export const azureAutoname = (logical: string): string => `${logical}${HEX8}`;
/** pulumi-kubernetes: `<logical>-<8 of [a-z0-9]>`. */
export const kubernetesAutoname = (logical: string): string => `${logical}-${K8S8}`;

// ---------------------------------------------------------------------------------------------
// The rules.

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const K8S_NAMES = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/";
const K8S_LABELS =
  "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set";

export const RULES = {
  // --- AWS
  iamRole: {
    what: "IAM role name",
    min: 1,
    max: 64,
    pattern: /^[\w+=,.@-]+$/,
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  },
  iamPolicy: {
    what: "IAM policy name",
    min: 1,
    max: 128,
    pattern: /^[\w+=,.@-]+$/,
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html",
  },
  iamDescription: {
    what: "IAM description",
    min: 0,
    max: 1000,
    pattern: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/,
    source: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  },
  trustPolicy: {
    what: "IAM role trust policy",
    min: 1,
    // ACLSizePerRole, default 2,048 characters, white space not counted.
    max: 2048,
    ignoreWhitespace: true,
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
  },
  managedPolicy: {
    what: "IAM managed policy document",
    min: 1,
    max: 6144,
    ignoreWhitespace: true,
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
  },
  oidcProviderUrl: {
    what: "IAM OIDC provider URL",
    min: 1,
    max: 255,
    pattern: /^https:\/\/\S+$/,
    source:
      "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html",
  },
  oidcClientId: {
    what: "IAM OIDC provider client ID",
    min: 1,
    max: 255,
    source:
      "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html",
  },
  s3Bucket: {
    what: "S3 bucket name",
    min: 3,
    max: 63,
    pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    forbidden: [
      { test: /\.\./, why: "two adjacent periods" },
      { test: /^\d+\.\d+\.\d+\.\d+$/, why: "formatted as an IP address" },
      { test: /^(xn--|sthree-|amzn-s3-demo-)/, why: "a reserved prefix" },
      { test: /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/, why: "a reserved suffix" },
    ],
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
  },
  s3Key: {
    what: "S3 object key",
    min: 1,
    max: 1024,
    bytes: true,
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html",
  },
  eksCluster: {
    what: "EKS cluster name",
    min: 1,
    max: 100,
    pattern: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/,
    source: "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html",
  },
  eksNodeGroup: {
    what: "EKS node group name",
    min: 1,
    max: 63,
    pattern: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/,
    source: "https://docs.aws.amazon.com/eks/latest/userguide/create-managed-node-group.html",
  },
  awsTagKey: {
    what: "AWS tag key",
    min: 1,
    max: 128,
    pattern: /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u,
    source:
      "https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html",
  },
  awsTagValue: {
    what: "AWS tag value",
    min: 0,
    max: 256,
    pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
    source:
      "https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html",
  },
  /** `AWS_ROLE_SESSION_NAME`: the RoleSessionName the SDK sends to AssumeRoleWithWebIdentity. */
  roleSessionName: {
    what: "STS RoleSessionName",
    min: 2,
    max: 64,
    pattern: /^[\w+=,.@-]+$/,
    source:
      "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html",
  },

  // --- Google Cloud
  serviceAccountId: {
    what: "Google service account ID",
    min: 6,
    max: 30,
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])$/,
    source: "https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/create",
  },
  serviceAccountDisplayName: {
    what: "Google service account display name",
    min: 0,
    max: 100,
    source: "https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts",
  },
  googleDescription: {
    what: "Google IAM description",
    min: 0,
    max: 256,
    source: "https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts",
  },
  gkeCluster: {
    what: "GKE cluster name",
    min: 1,
    max: 40,
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    source:
      "https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster",
  },
  gkeNodePool: {
    what: "GKE node pool name",
    min: 1,
    max: 40,
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    source:
      "https://cloud.google.com/sdk/gcloud/reference/container/node-pools/create (NAME: RFC 1035, at most 40)",
  },
  workloadIdentityPoolId: {
    what: "Workload Identity pool ID",
    min: 4,
    max: 32,
    pattern: /^[a-z0-9-]+$/,
    forbidden: [{ test: /^gcp-/, why: "the gcp- prefix is reserved" }],
    source:
      "https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools/create",
  },
  workloadIdentityPoolDisplayName: {
    what: "Workload Identity pool display name",
    min: 0,
    max: 32,
    source:
      "https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools",
  },
  workloadIdentityProviderId: {
    what: "Workload Identity pool provider ID",
    min: 4,
    max: 32,
    pattern: /^[a-z0-9-]+$/,
    forbidden: [{ test: /^gcp-/, why: "the gcp- prefix is reserved" }],
    source:
      "https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers/create",
  },
  /** What `google.subject` maps a token's `sub` to; longer tokens fail the STS exchange. */
  googleSubject: {
    what: "Workload Identity google.subject",
    min: 1,
    max: 127,
    bytes: true,
    source:
      "https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers#WorkloadIdentityPoolProvider.FIELDS.attribute_mapping",
  },
  gcsBucket: {
    what: "Cloud Storage bucket name",
    min: 3,
    max: 63,
    pattern: /^[a-z0-9][a-z0-9_.-]*[a-z0-9]$/,
    forbidden: [
      { test: /^goog/, why: 'begins with "goog"' },
      { test: /g[o0]{2}g[l1]e/, why: 'contains "google" or a close misspelling' },
      { test: /^\d+\.\d+\.\d+\.\d+$/, why: "an IP address" },
    ],
    source: "https://cloud.google.com/storage/docs/buckets#naming",
  },
  gcsObject: {
    what: "Cloud Storage object name",
    min: 1,
    max: 1024,
    bytes: true,
    source: "https://cloud.google.com/storage/docs/objects#naming",
  },
  gcpLabelKey: {
    what: "Google Cloud label key",
    min: 1,
    max: 63,
    pattern: /^[a-z][a-z0-9_-]*$/,
    source: "https://cloud.google.com/resource-manager/docs/labels-overview#requirements",
  },
  gcpLabelValue: {
    what: "Google Cloud label value",
    min: 0,
    max: 63,
    pattern: /^[a-z0-9_-]*$/,
    source: "https://cloud.google.com/resource-manager/docs/labels-overview#requirements",
  },

  // --- Azure
  resourceGroup: {
    what: "Azure resource group name",
    min: 1,
    max: 90,
    pattern: /^[-\w.()]*[-\w()]$/,
    source:
      "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftresources",
  },
  nodeResourceGroup: {
    what: "AKS node resource group name",
    min: 1,
    max: 80,
    pattern: /^[-\w.()]*[-\w()]$/,
    source: 'https://aka.ms/aks-naming-rules ("The maximum length is 80")',
  },
  aksCluster: {
    what: "AKS cluster name",
    min: 1,
    max: 63,
    pattern: /^[a-zA-Z0-9]([-_a-zA-Z0-9]*[a-zA-Z0-9])?$/,
    source:
      "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcontainerservice",
  },
  aksDnsPrefix: {
    what: "AKS dnsPrefix",
    min: 1,
    max: 54,
    pattern: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/,
    source:
      "https://learn.microsoft.com/rest/api/aks/managed-clusters/create-or-update#managedcluster (dnsPrefix)",
  },
  aksLinuxPool: {
    what: "AKS Linux node pool name",
    min: 1,
    max: 12,
    pattern: /^[a-z][a-z0-9]*$/,
    source: "https://learn.microsoft.com/azure/aks/create-node-pools#limitations",
  },
  managedIdentity: {
    what: "user-assigned managed identity name",
    min: 3,
    max: 128,
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
    source:
      "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftmanagedidentity",
  },
  federatedCredentialName: {
    what: "federated identity credential name",
    min: 3,
    max: 120,
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
    source:
      "https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations",
  },
  federatedCredentialField: {
    what: "federated identity credential issuer/subject",
    min: 1,
    max: 600,
    source:
      "https://learn.microsoft.com/graph/api/resources/federatedidentitycredential#properties",
  },
  storageAccount: {
    what: "storage account name",
    min: 3,
    max: 24,
    pattern: /^[a-z0-9]+$/,
    source:
      "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftstorage",
  },
  blobContainer: {
    what: "Blob container name",
    min: 3,
    max: 63,
    pattern: /^[a-z0-9]([a-z0-9]|-(?!-))*[a-z0-9]$/,
    source:
      "https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#container-names",
  },
  blobName: {
    what: "blob name",
    min: 1,
    max: 1024,
    source:
      "https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#blob-names",
  },
  azureTagKey: {
    what: "Azure tag name",
    min: 1,
    max: 512,
    pattern: /^[^<>%&\\?/]+$/,
    source:
      "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations",
  },
  azureTagValue: {
    what: "Azure tag value",
    min: 0,
    max: 256,
    source:
      "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations",
  },

  // --- Kubernetes
  namespace: {
    what: "Kubernetes namespace (RFC 1123 label)",
    min: 1,
    max: 63,
    pattern: RFC1123_LABEL,
    source: `${K8S_NAMES}#dns-label-names`,
  },
  subdomain: {
    what: "Kubernetes object name (RFC 1123 subdomain)",
    min: 1,
    max: 253,
    pattern: RFC1123_SUBDOMAIN,
    source: `${K8S_NAMES}#dns-subdomain-names`,
  },
  jobName: {
    what: "Job name (its pods' job-name label)",
    min: 1,
    max: 63,
    pattern: RFC1123_SUBDOMAIN,
    source: "https://kubernetes.io/docs/concepts/workloads/controllers/job/#writing-a-job-spec",
  },
  dnsLabel: {
    what: "Kubernetes container/volume name (RFC 1123 label)",
    min: 1,
    max: 63,
    pattern: RFC1123_LABEL,
    source: `${K8S_NAMES}#dns-label-names`,
  },
  configMapKey: {
    what: "ConfigMap key",
    min: 1,
    max: 253,
    pattern: /^[-._a-zA-Z0-9]+$/,
    source: "https://kubernetes.io/docs/concepts/configuration/configmap/#configmap-object",
  },
  labelKey: {
    what: "Kubernetes label key",
    min: 1,
    max: 317,
    pattern:
      /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    source: K8S_LABELS,
  },
  labelValue: {
    what: "Kubernetes label value",
    min: 0,
    max: 63,
    pattern: /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
    source: K8S_LABELS,
  },
} as const satisfies Record<string, NameRule>;

/** Environment variables whose values a cloud limits, by name. */
export const LIMITED_ENV: Readonly<Record<string, NameRule>> = {
  AWS_ROLE_SESSION_NAME: RULES.roleSessionName,
};

// ---------------------------------------------------------------------------------------------
// Which names each resource type holds.

type Extract = (r: Recorded, all: readonly Recorded[]) => PhysicalName[];

const one = (r: Recorded, field: string, value: unknown, rule: NameRule): PhysicalName[] =>
  typeof value === "string" ? [{ type: r.type, logical: r.name, field, value, rule }] : [];

function tagNames(r: Recorded, field: string, key: NameRule, value: NameRule): PhysicalName[] {
  const tags = (field.split(".").reduce((o: any, k) => o?.[k], r.inputs) ?? {}) as Record<
    string,
    unknown
  >;
  return Object.entries(tags).flatMap(([k, v]) => [
    ...one(r, `${field} key`, k, key),
    ...one(r, `${field}.${k}`, v, value),
  ]);
}
const awsTags = (r: Recorded) => tagNames(r, "tags", RULES.awsTagKey, RULES.awsTagValue);
const azureTags = (r: Recorded) => tagNames(r, "tags", RULES.azureTagKey, RULES.azureTagValue);
const gcpLabels = (r: Recorded, field: string) =>
  tagNames(r, field, RULES.gcpLabelKey, RULES.gcpLabelValue);
const k8sLabels = (r: Recorded, field: string) =>
  tagNames(r, field, RULES.labelKey, RULES.labelValue);

/** A Kubernetes object's own name: explicit, or Pulumi's auto-name. */
function k8sName(r: Recorded, rule: NameRule): PhysicalName[] {
  return one(r, "metadata.name", r.inputs.metadata?.name ?? kubernetesAutoname(r.name), rule);
}

/** What a pod template puts before the API server and the clouds. */
function podTemplate(r: Recorded): PhysicalName[] {
  const template = r.inputs.spec?.template ?? {};
  const spec = template.spec ?? {};
  return [
    ...k8sLabels(r, "spec.template.metadata.labels"),
    ...one(r, "serviceAccountName", spec.serviceAccountName, RULES.subdomain),
    ...(spec.containers ?? []).flatMap((c: any) => [
      ...one(r, "container name", c.name, RULES.dnsLabel),
      ...(c.env ?? []).flatMap((e: any) =>
        LIMITED_ENV[e.name] ? one(r, `env ${e.name}`, e.value, LIMITED_ENV[e.name]) : [],
      ),
    ]),
    ...(spec.volumes ?? []).flatMap((v: any) => one(r, "volume name", v.name, RULES.dnsLabel)),
  ];
}

/** A kind cluster's name: its control-plane container is `<name>-control-plane`. */
const KIND_CLUSTER: NameRule = {
  what: "kind cluster name",
  min: 1,
  max: 50,
  pattern: /^[a-z0-9.-]+$/,
  source: "kubernetes-sigs/kind pkg/cluster/internal/create/create.go clusterNameMax",
};

/** Resources with no name or limited string of their own; why, per entry. */
const NAMELESS: readonly string[] = [
  // Attach, configure or grant on a resource named elsewhere; the cloud names them by their target.
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPolicy:BucketPolicy",
  "gcp:projects/service:Service",
  "gcp:projects/iAMMember:IAMMember",
  "gcp:storage/bucketIAMMember:BucketIAMMember",
  "gcp:storage/bucketIAMBinding:BucketIAMBinding",
  // A key in the state only (the kind cluster's signing key); no cloud object.
  "tls:index/privateKey:PrivateKey",
  // azure-native names a role assignment with a UUID (`AutoNameUuid`).
  "azure-native:authorization:RoleAssignment",
  // Random values: counted where they are used, at their full length.
  "random:index/randomString:RandomString",
  "random:index/randomId:RandomId",
  // The AKS access probe: a dynamic provider that only reads; no cloud object.
  "pulumi-nodejs:dynamic:Resource",
];

export const PHYSICAL_NAMES: Readonly<Record<string, Extract>> = {
  // --- AWS
  "aws:iam/role:Role": (r) => [
    ...one(r, "name", r.inputs.name ?? bridgeAutoname(r.name), RULES.iamRole),
    ...one(r, "description", r.inputs.description, RULES.iamDescription),
    ...one(r, "assumeRolePolicy", r.inputs.assumeRolePolicy, RULES.trustPolicy),
    ...awsTags(r),
  ],
  "aws:iam/policy:Policy": (r) => [
    ...one(r, "name", r.inputs.name ?? bridgeAutoname(r.name), RULES.iamPolicy),
    ...one(r, "description", r.inputs.description, RULES.iamDescription),
    ...one(r, "policy", r.inputs.policy, RULES.managedPolicy),
    ...awsTags(r),
  ],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (r) => [
    ...one(r, "url", r.inputs.url, RULES.oidcProviderUrl),
    ...(r.inputs.clientIdLists ?? []).flatMap((c: unknown) =>
      one(r, "clientIdLists[]", c, RULES.oidcClientId),
    ),
    ...awsTags(r),
  ],
  "aws:s3/bucket:Bucket": (r) => [
    ...one(r, "bucket", r.inputs.bucket ?? bridgeAutoname(r.name).toLowerCase(), RULES.s3Bucket),
    ...awsTags(r),
  ],
  "aws:s3/bucketObjectv2:BucketObjectv2": (r) => [
    ...one(r, "key", r.inputs.key, RULES.s3Key),
    ...awsTags(r),
  ],
  "aws:eks/cluster:Cluster": (r) => [
    ...one(r, "name", r.inputs.name ?? bridgeAutoname(r.name), RULES.eksCluster),
    ...awsTags(r),
  ],
  "aws:eks/nodeGroup:NodeGroup": (r) => [
    ...one(
      r,
      "nodeGroupName",
      r.inputs.nodeGroupName ?? bridgeAutoname(r.name),
      RULES.eksNodeGroup,
    ),
    ...awsTags(r),
  ],
  "aws:eks/addon:Addon": (r) => awsTags(r),
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": (r) => [
    ...one(r, "namespace", r.inputs.namespace, RULES.namespace),
    ...one(r, "serviceAccount", r.inputs.serviceAccount, RULES.subdomain),
    ...awsTags(r),
  ],

  // --- Google Cloud
  "gcp:serviceaccount/account:Account": (r) => [
    ...one(r, "accountId", r.inputs.accountId, RULES.serviceAccountId),
    ...one(r, "displayName", r.inputs.displayName, RULES.serviceAccountDisplayName),
    ...one(r, "description", r.inputs.description, RULES.googleDescription),
  ],
  "gcp:container/cluster:Cluster": (r) => [
    ...one(r, "name", r.inputs.name ?? bridgeAutoname(r.name), RULES.gkeCluster),
    ...gcpLabels(r, "resourceLabels"),
  ],
  "gcp:container/nodePool:NodePool": (r) => [
    ...one(r, "name", r.inputs.name ?? bridgeAutoname(r.name), RULES.gkeNodePool),
    ...gcpLabels(r, "nodeConfig.resourceLabels"),
  ],
  "gcp:storage/bucket:Bucket": (r) => [
    ...one(r, "name", r.inputs.name, RULES.gcsBucket),
    ...gcpLabels(r, "labels"),
  ],
  "gcp:storage/bucketObject:BucketObject": (r) => one(r, "name", r.inputs.name, RULES.gcsObject),
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (r) => [
    ...one(
      r,
      "workloadIdentityPoolId",
      r.inputs.workloadIdentityPoolId,
      RULES.workloadIdentityPoolId,
    ),
    ...one(r, "displayName", r.inputs.displayName, RULES.workloadIdentityPoolDisplayName),
    ...one(r, "description", r.inputs.description, RULES.googleDescription),
  ],
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (r, all) => [
    ...one(
      r,
      "workloadIdentityPoolProviderId",
      r.inputs.workloadIdentityPoolProviderId,
      RULES.workloadIdentityProviderId,
    ),
    // `google.subject` ← `assertion.sub`: every ServiceAccount whose token may be exchanged
    // (the bound one and the denial Job's) must map to at most 127 bytes.
    ...(r.inputs.attributeMapping?.["google.subject"] === "assertion.sub"
      ? all
          .filter((sa) => sa.type === "kubernetes:core/v1:ServiceAccount")
          .flatMap((sa) =>
            one(
              r,
              `google.subject of ${sa.name}`,
              `system:serviceaccount:${sa.inputs.metadata.namespace}:${sa.inputs.metadata.name}`,
              RULES.googleSubject,
            ),
          )
      : []),
  ],

  // --- Azure
  "azure-native:resources:ResourceGroup": (r) => [
    ...one(
      r,
      "resourceGroupName",
      r.inputs.resourceGroupName ?? azureAutoname(r.name),
      RULES.resourceGroup,
    ),
    ...azureTags(r),
  ],
  "azure-native:containerservice:ManagedCluster": (r) => {
    const cluster = r.inputs.resourceName ?? azureAutoname(r.name);
    // Unset, AKS names it `MC_<group>_<cluster>_<location>`
    // (https://learn.microsoft.com/azure/aks/faq#why-are-two-resource-groups-created-with-aks).
    const nodeGroup =
      r.inputs.nodeResourceGroup ??
      `MC_${r.inputs.resourceGroupName}_${cluster}_${r.inputs.location}`;
    return [
      ...one(r, "resourceName", cluster, RULES.aksCluster),
      ...one(r, "dnsPrefix", r.inputs.dnsPrefix, RULES.aksDnsPrefix),
      ...one(r, "nodeResourceGroup", nodeGroup, RULES.nodeResourceGroup),
      ...(r.inputs.agentPoolProfiles ?? []).flatMap((p: any) =>
        one(r, "agentPoolProfiles[].name", p.name, RULES.aksLinuxPool),
      ),
      ...azureTags(r),
    ];
  },
  "azure-native:managedidentity:UserAssignedIdentity": (r) => [
    ...one(
      r,
      "resourceName",
      r.inputs.resourceName ?? azureAutoname(r.name),
      RULES.managedIdentity,
    ),
    ...azureTags(r),
  ],
  "azure-native:managedidentity:FederatedIdentityCredential": (r) => [
    ...one(
      r,
      "federatedIdentityCredentialResourceName",
      r.inputs.federatedIdentityCredentialResourceName,
      RULES.federatedCredentialName,
    ),
    ...one(r, "subject", r.inputs.subject, RULES.federatedCredentialField),
    ...one(r, "issuer", r.inputs.issuer, RULES.federatedCredentialField),
  ],
  "azure-native:storage:StorageAccount": (r) => [
    ...one(r, "accountName", r.inputs.accountName, RULES.storageAccount),
    ...azureTags(r),
  ],
  "azure-native:storage:BlobContainer": (r) =>
    one(r, "containerName", r.inputs.containerName, RULES.blobContainer),
  "azure-native:storage:Blob": (r) => one(r, "blobName", r.inputs.blobName, RULES.blobName),

  // --- Kubernetes
  "kubernetes:core/v1:Namespace": (r) => [
    ...k8sName(r, RULES.namespace),
    ...k8sLabels(r, "metadata.labels"),
  ],
  "kubernetes:core/v1:ServiceAccount": (r) => [
    ...k8sName(r, RULES.subdomain),
    ...k8sLabels(r, "metadata.labels"),
  ],
  "kubernetes:core/v1:ConfigMap": (r) => [
    ...k8sName(r, RULES.subdomain),
    ...k8sLabels(r, "metadata.labels"),
    ...Object.keys(r.inputs.data ?? {}).flatMap((k) => one(r, "data key", k, RULES.configMapKey)),
  ],
  "kubernetes:apps/v1:Deployment": (r) => [
    ...k8sName(r, RULES.subdomain),
    ...k8sLabels(r, "metadata.labels"),
    ...k8sLabels(r, "spec.selector.matchLabels"),
    ...podTemplate(r),
  ],
  "kubernetes:batch/v1:Job": (r) => [
    ...k8sName(r, RULES.jobName),
    ...k8sLabels(r, "metadata.labels"),
    ...podTemplate(r),
  ],
  // --- this machine: a kind cluster's name (its commands' CLUSTER), nothing else is named.
  "command:local:Command": (r) =>
    r.inputs.environment?.CLUSTER === undefined
      ? []
      : one(r, "environment.CLUSTER", r.inputs.environment.CLUSTER, KIND_CLUSTER),
};

/**
 * Every physical name and limited string the recorded program holds. Components and providers
 * have logical names only; reads (`.get`) name objects the cloud created. Throws on a type the
 * table does not know.
 */
export function physicalNames(all: readonly Recorded[]): PhysicalName[] {
  return all.flatMap((r) => {
    if (!r.custom || r.readId !== undefined || r.type.startsWith("pulumi:providers:")) return [];
    if (NAMELESS.includes(r.type)) return [];
    const extract = PHYSICAL_NAMES[r.type];
    if (!extract) {
      throw new Error(
        `no name rules for ${r.type} (${r.name}): add its physical names to test/support/name-rules.ts`,
      );
    }
    return extract(r, all);
  });
}
