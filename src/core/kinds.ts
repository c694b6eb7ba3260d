/** The kinds of cluster and storage, and the clouds they live on: plain data, imported by all. */

/** The Pulumi project name: tags, labels and the config namespace. */
export const PROJECT = "workload-identity";

/**
 * `external`: any conformant cluster the stack connects to through a kubeconfig and its issuer.
 * `kind`: a local kind cluster the stack creates, with an issuer it publishes in the storage's cloud.
 */
export const CLUSTER_KINDS = ["eks", "gke", "aks", "external", "kind"] as const;
export const STORAGE_KINDS = ["s3", "gcs", "blob"] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];
export type StorageKind = (typeof STORAGE_KINDS)[number];

/** The clouds, by the name of their settings in `StackConfig`. */
export const CLOUDS = ["aws", "gcp", "azure"] as const;
export type Cloud = (typeof CLOUDS)[number];

export const AWS_MECHANISMS = ["pod-identity", "irsa"] as const;
/** How an EKS pod gets AWS credentials: EKS Pod Identity, or IRSA (web identity). */
export type AwsMechanism = (typeof AWS_MECHANISMS)[number];

/** What a workload may do under its prefix: `read` (get, list) or `write` (read, put, delete). */
export const ACCESS_LEVELS = ["read", "write"] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];
