/**
 * The type tokens the rules key their checks by. Tokens and property names are the Pulumi
 * TypeScript SDK's (checked against @pulumi/aws 7.48, @pulumi/gcp 9.37, @pulumi/azure-native 3.28,
 * @pulumi/kubernetes 4.34).
 */

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

/**
 * azure-native tokens in their default modules; the rules match the API-versioned modules
 * (`azure-native:storage/v20230501:BlobContainer`) to them through `ruleType`.
 */
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

type ValueOf<T> = T[keyof T];

/** Every type token a rule may key a check by. */
export type ResourceType =
  ValueOf<typeof AWS> | ValueOf<typeof GCP> | ValueOf<typeof AZURE> | ValueOf<typeof K8S>;

/**
 * The token a rule's table knows a resource by: azure-native's API-versioned modules map to the
 * default module (`azure-native:storage/v20230501:BlobContainer` → `azure-native:storage:BlobContainer`);
 * every other token is itself (Kubernetes tokens carry their API version by design).
 */
export function ruleType(type: string): string {
  const m = /^azure-native:([^:/]+)\/v[^:]+:([^:]+)$/.exec(type);
  return m === null ? type : `azure-native:${m[1]}:${m[2]}`;
}
