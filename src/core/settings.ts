/**
 * The shapes of configuration: what the stack hands the config reader (`RawConfig`), and the
 * validated result every module receives (`StackConfig`). Data only: each cloud's folder parses and
 * validates its own settings (its `module.ts`), `src/config.ts` reads and dispatches.
 */
import type { AwsMechanism, ClusterKind, StorageKind } from "./kinds";

/** Raw values as they come from the stack; every field may be missing. */
export interface RawConfig {
  readonly cluster?: string;
  readonly storage?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly awsMechanism?: string;
  /** The parsed value of `apiAllowedCidrs` (a YAML/JSON list of IPv4 CIDRs). */
  readonly apiAllowedCidrs?: unknown;
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

/** Validated, defaulted configuration for one stack. */
export interface StackConfig {
  readonly stack: string;
  /** A prefix for names, derived from the stack: `wi-<stack>` (see `namePrefix`). */
  readonly prefix: string;
  readonly cluster: ClusterKind;
  readonly storage: StorageKind;
  /** The Kubernetes identity that is granted access to the bucket. */
  readonly workload: { readonly namespace: string; readonly serviceAccount: string };
  /** For EKS reading S3; other clusters reach S3 through web identity federation. */
  readonly awsMechanism: AwsMechanism;
  /**
   * IPv4 CIDRs allowed to reach the cluster's public API endpoint. `["0.0.0.0/0"]` (the default)
   * leaves the cloud's open default in place; the machine running `pulumi up` must be inside one.
   */
  readonly apiAllowedCidrs: readonly string[];
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
