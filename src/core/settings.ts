/**
 * The shapes of configuration: what the stack hands the config reader (`RawConfig`), and the
 * validated result every module receives (`StackConfig`). Data only: each cloud's folder parses and
 * validates its own settings (its `settings.ts`), `src/config.ts` reads and dispatches.
 */
import type { AccessLevel, AwsMechanism, ClusterKind, StorageKind } from "./kinds";

/** Raw values as they come from the stack; every field may be missing. */
export interface RawConfig {
  readonly cluster?: string;
  readonly storage?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  /** The parsed value of `workloads` (a YAML/JSON list of `{namespace, serviceAccount, access, prefix}`). */
  readonly workloads?: unknown;
  readonly awsMechanism?: string;
  /** The parsed value of `apiAllowedCidrs` (a YAML/JSON list of IPv4 CIDRs). */
  readonly apiAllowedCidrs?: unknown;
  /** An existing EKS, GKE or AKS cluster to adopt instead of creating one. */
  readonly existingCluster?: string;
  /** The existing AKS cluster's resource group. */
  readonly existingResourceGroup?: string;
  /** The parsed value of `installAgent` (true/false): install a missing Pod Identity agent. */
  readonly installAgent?: unknown;
  /** `cluster: external`: the kubeconfig's contents (a secret in the stack's config). */
  readonly kubeconfig?: string;
  /** `cluster: external`: the cluster's issuer, exactly as its tokens carry it in `iss`. */
  readonly oidcIssuerUrl?: string;
  /** Provider settings by their full key: `aws:region`, `gcp:project`, `azure-native:location`… */
  readonly [providerKey: `${string}:${string}`]: string | undefined;
}

export interface AwsSettings {
  readonly region: string;
  readonly profile?: string;
}

export interface GcpSettings {
  /** The project ID (`gcp:project`); its number comes from resources, never from config. */
  readonly project: string;
  readonly region: string;
  /** Present when `gcp:zone` is set: a GKE cluster there is zonal. */
  readonly zone?: string;
}

export interface AzureSettings {
  readonly location: string;
}

/** Each cloud's settings, by cloud. */
export interface CloudSettings {
  readonly aws: AwsSettings;
  readonly gcp: GcpSettings;
  readonly azure: AzureSettings;
}

/**
 * One Kubernetes identity and what it may do in the bucket: `access` under `prefix` only (`""`:
 * the whole bucket). Each gets its own binding, its own `<prefix>hello.txt` and its own proofs.
 */
export interface Workload {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly access: AccessLevel;
  /** A key prefix ending in `/` (`team-a/`), or `""` for the whole bucket. */
  readonly prefix: string;
  /**
   * What its resources' names start with: the stack prefix for the workload a stack without
   * `workloads` derives from `namespace`/`serviceAccount` (so its resources keep the names they
   * always had), else `<stack prefix>-<6 hex of its namespace/ServiceAccount>`.
   */
  readonly name: string;
}

/** Validated, defaulted configuration for one stack. */
export interface StackConfig {
  readonly stack: string;
  /** A prefix for names, derived from the stack: `wi-<stack>` (see `namePrefix`). */
  readonly prefix: string;
  readonly cluster: ClusterKind;
  readonly storage: StorageKind;
  /**
   * The Kubernetes identities granted access to the bucket, each to its prefix: the `workloads`
   * list, or one reader of the whole bucket from `namespace`/`serviceAccount`. Never empty.
   */
  readonly workloads: readonly Workload[];
  /** For EKS reading S3; other clusters reach S3 through web identity federation. */
  readonly awsMechanism: AwsMechanism;
  /**
   * IPv4 CIDRs allowed to reach the cluster's public API endpoint. `["0.0.0.0/0"]` (the default)
   * leaves the cloud's open default in place; the machine running `pulumi up` must be inside one.
   */
  readonly apiAllowedCidrs: readonly string[];
  /**
   * Present when the stack adopts an existing EKS, GKE or AKS cluster (`existingCluster`): the
   * stack looks it up and never creates, changes or deletes it.
   */
  readonly existing?: {
    readonly name: string;
    /** AKS: the cluster's resource group. */
    readonly resourceGroup?: string;
    /** EKS: install the Pod Identity agent add-on when it is missing (kept on destroy). */
    readonly installAgent: boolean;
  };
  /** Present for `cluster: external`: how to reach the cluster, and whom its tokens name. */
  readonly external?: {
    /** The kubeconfig's contents: pass it on only as a secret. */
    readonly kubeconfig: string;
    /** `https://…`, exactly as the cluster's tokens carry it in `iss`. */
    readonly oidcIssuerUrl: string;
  };
  /** Present when the cluster or the storage is on AWS. */
  readonly aws?: AwsSettings;
  /** Present when the cluster or the storage is on Google Cloud. */
  readonly gcp?: GcpSettings;
  /** Present when the cluster or the storage is on Azure. */
  readonly azure?: AzureSettings;
}

/** The settings of `cloud`, which the config reader set because the stack uses that cloud. */
export function settingsOf<C extends keyof CloudSettings>(
  config: StackConfig,
  cloud: C,
): CloudSettings[C] {
  const settings = config[cloud] as CloudSettings[C] | undefined;
  if (!settings) throw new Error(`internal: no ${cloud} settings in validated config`);
  return settings;
}
