/**
 * The only module that reads configuration. It validates every value, applies the defaults once
 * and hands typed values down; components never read `pulumi.Config` or `process.env`.
 *
 * `parseConfig` is pure so tests can call it with any input; `loadConfig` feeds it from the stack.
 */
import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "workload-identity";

export const CLUSTER_KINDS = ["eks", "gke", "aks"] as const;
export const STORAGE_KINDS = ["s3", "gcs", "blob"] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];
export type StorageKind = (typeof STORAGE_KINDS)[number];

/** The bucket each cluster reads when `storage` is left empty: its own cloud's. */
export const NATIVE_STORAGE: Readonly<Record<ClusterKind, StorageKind>> = {
  eks: "s3",
  gke: "gcs",
  aks: "blob",
};

/** Cluster → storage pairs this version can build. Others are refused before anything is created. */
export const SUPPORTED_PAIRS: ReadonlyArray<readonly [ClusterKind, StorageKind]> = [["eks", "s3"]];

/** Namespaces this program must not create or take over. */
const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Raw values as they come from the stack; every field may be missing. */
export interface RawConfig {
  readonly cluster?: string;
  readonly storage?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  /** `aws:region` */
  readonly awsRegion?: string;
  /** `aws:profile` */
  readonly awsProfile?: string;
}

export interface AwsSettings {
  readonly region: string;
  readonly profile?: string;
}

/** Validated, defaulted configuration for one stack. */
export interface StackConfig {
  readonly stack: string;
  /** A prefix for logical names, derived from the stack: `wi-<stack>`. */
  readonly prefix: string;
  readonly cluster: ClusterKind;
  readonly storage: StorageKind;
  /** The Kubernetes identity that is granted access to the bucket. */
  readonly workload: { readonly namespace: string; readonly serviceAccount: string };
  /** Present when the cluster or the storage is on AWS. */
  readonly aws?: AwsSettings;
}

/** A configuration error: printed by Pulumi without a stack trace. */
export class ConfigError extends pulumi.RunError {}

export const DEFAULTS = {
  cluster: "eks",
  storage: "",
  namespace: "demo",
  serviceAccount: "demo",
} as const;

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      `config \`${key}\`: expected one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** Kubernetes namespace: an RFC 1123 label (lowercase alphanumerics and '-', at most 63). */
export function validateNamespace(key: string, value: string): string {
  if (value.length > 63 || !RFC1123_LABEL.test(value)) {
    throw new ConfigError(
      `config \`${key}\`: ${JSON.stringify(value)} is not a valid Kubernetes namespace; ` +
        "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
  }
  if (RESERVED_NAMESPACES.includes(value)) {
    throw new ConfigError(
      `config \`${key}\`: ${JSON.stringify(value)} is reserved; ` +
        `choose a namespace of the workload's own (not ${RESERVED_NAMESPACES.join(", ")})`,
    );
  }
  return value;
}

/** Kubernetes ServiceAccount name: an RFC 1123 subdomain (at most 253). */
export function validateServiceAccount(key: string, value: string): string {
  if (value.length > 253 || !RFC1123_SUBDOMAIN.test(value)) {
    throw new ConfigError(
      `config \`${key}\`: ${JSON.stringify(value)} is not a valid Kubernetes ServiceAccount name; ` +
        "use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    );
  }
  return value;
}

/** `wi-<stack>`, reduced to what every cloud accepts in a name (lowercase, digits, '-'). */
export function namePrefix(stack: string): string {
  const cleaned = stack
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 16)
    .replace(/-+$/, "");
  return cleaned ? `wi-${cleaned}` : "wi";
}

function awsSettings(raw: RawConfig, reason: string): AwsSettings {
  const region = raw.awsRegion ?? "";
  if (!region) {
    throw new ConfigError(
      `config \`aws:region\`: required when ${reason}, got nothing; ` +
        "set it with `pulumi config set aws:region eu-north-1`",
    );
  }
  if (!AWS_REGION.test(region)) {
    throw new ConfigError(
      `config \`aws:region\`: ${JSON.stringify(region)} is not an AWS region name (e.g. eu-north-1)`,
    );
  }
  return { region, ...(raw.awsProfile ? { profile: raw.awsProfile } : {}) };
}

/** Validates raw values and applies defaults. Throws `ConfigError` naming the key, value and fix. */
export function parseConfig(raw: RawConfig, stack: string): StackConfig {
  const cluster = oneOf("cluster", raw.cluster ?? DEFAULTS.cluster, CLUSTER_KINDS);
  const storageRaw = raw.storage ?? DEFAULTS.storage;
  const storage =
    storageRaw === "" ? NATIVE_STORAGE[cluster] : oneOf("storage", storageRaw, STORAGE_KINDS);
  const namespace = validateNamespace("namespace", raw.namespace ?? DEFAULTS.namespace);
  const serviceAccount = validateServiceAccount(
    "serviceAccount",
    raw.serviceAccount ?? DEFAULTS.serviceAccount,
  );

  if (!SUPPORTED_PAIRS.some(([c, s]) => c === cluster && s === storage)) {
    const supported = SUPPORTED_PAIRS.map(([c, s]) => `${c}→${s}`).join(", ");
    throw new ConfigError(
      `config \`cluster\`/\`storage\`: ${cluster}→${storage} is not supported yet; supported: ${supported}`,
    );
  }

  const awsReason =
    cluster === "eks" ? "`cluster` is eks" : storage === "s3" ? "`storage` is s3" : undefined;
  return {
    stack,
    prefix: namePrefix(stack),
    cluster,
    storage,
    workload: { namespace, serviceAccount },
    ...(awsReason ? { aws: awsSettings(raw, awsReason) } : {}),
  };
}

/** Reads the stack's configuration and validates it. Call once, before any resource exists. */
export function loadConfig(): StackConfig {
  const project = new pulumi.Config(PROJECT);
  const aws = new pulumi.Config("aws");
  return parseConfig(
    {
      cluster: project.get("cluster"),
      storage: project.get("storage"),
      namespace: project.get("namespace"),
      serviceAccount: project.get("serviceAccount"),
      awsRegion: aws.get("region"),
      awsProfile: aws.get("profile"),
    },
    pulumi.getStack(),
  );
}
