/**
 * The only module that reads configuration. It validates every value, applies the defaults once
 * and hands typed values down; components never read `pulumi.Config` or `process.env`.
 *
 * `parseConfig` is pure so tests can call it with any input; `loadConfig` feeds it from the stack.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { checkLimits } from "./limits";

export const PROJECT = "workload-identity";

export const CLUSTER_KINDS = ["eks", "gke", "aks"] as const;
export const STORAGE_KINDS = ["s3", "gcs", "blob"] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];
export type StorageKind = (typeof STORAGE_KINDS)[number];
export const AWS_MECHANISMS = ["pod-identity", "irsa"] as const;
/** How an EKS pod gets AWS credentials: EKS Pod Identity, or IRSA (web identity). */
export type AwsMechanism = (typeof AWS_MECHANISMS)[number];

/** The bucket each cluster reads when `storage` is left empty: its own cloud's. */
export const NATIVE_STORAGE: Readonly<Record<ClusterKind, StorageKind>> = {
  eks: "s3",
  gke: "gcs",
  aks: "blob",
};

/** Cluster → storage pairs this version can build. Others are refused before anything is created. */
export const SUPPORTED_PAIRS: ReadonlyArray<readonly [ClusterKind, StorageKind]> = [
  ["eks", "s3"], // EKS Pod Identity
  ["gke", "gcs"], // GKE Workload Identity Federation
  ["aks", "blob"], // AKS Microsoft Entra Workload ID
  ["eks", "blob"], // Entra federated credential trusting the EKS issuer
  ["aks", "s3"], // AWS web identity federation trusting the AKS issuer
  ["eks", "gcs"], // a Workload Identity pool trusting the EKS issuer
  ["aks", "gcs"], // a Workload Identity pool trusting the AKS issuer
  ["gke", "s3"], // AWS web identity federation trusting the GKE issuer
  ["gke", "blob"], // Entra federated credential trusting the GKE issuer
];

/**
 * Namespaces this program must not create or take over: `default`, and every `kube-*` (Kubernetes
 * reserves the prefix for system namespaces).
 */
function reservedNamespace(value: string): boolean {
  return value === "default" || value.startsWith("kube-");
}

/** Raw values as they come from the stack; every field may be missing. */
export interface RawConfig {
  readonly cluster?: string;
  readonly storage?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly awsMechanism?: string;
  /** The parsed value of `apiAllowedCidrs` (a YAML/JSON list of IPv4 CIDRs). */
  readonly apiAllowedCidrs?: unknown;
  /** `aws:region` */
  readonly awsRegion?: string;
  /** `aws:profile` */
  readonly awsProfile?: string;
  /** `gcp:project` (the project ID, not its number) */
  readonly gcpProject?: string;
  /** `gcp:region` */
  readonly gcpRegion?: string;
  /** `gcp:zone` */
  readonly gcpZone?: string;
  /** `azure-native:location` */
  readonly azureLocation?: string;
}

export interface AwsSettings {
  readonly region: string;
  readonly profile?: string;
}

export interface GcpSettings {
  /** The project ID (`gcp:project`); the project number is looked up, never configured. */
  readonly project: string;
  readonly region: string;
  /** Present when `gcp:zone` is set: a GKE cluster there is zonal. */
  readonly zone?: string;
}

export interface AzureSettings {
  readonly location: string;
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

export { ConfigError };

export const DEFAULTS = {
  cluster: "eks",
  storage: "",
  namespace: "demo",
  serviceAccount: "demo",
  awsMechanism: "pod-identity",
  apiAllowedCidrs: ["0.0.0.0/0"],
} as const;

const IPV4_CIDR =
  /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;

/** The range's first address: `203.0.113.7/24` → `203.0.113.0/24`. */
function networkAddress(cidr: string): string {
  const [address, bits] = cidr.split("/");
  const value = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  const first = value - (value % size);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256);
  return `${octets.join(".")}/${bits}`;
}

/** `apiAllowedCidrs`: a non-empty list of at most 20 IPv4 CIDRs (EKS allows 40, GKE 50, AKS 200). */
export function validateCidrs(key: string, value: unknown): readonly string[] {
  const expected =
    'expected a list of 1–20 IPv4 CIDRs such as ["203.0.113.0/24"]; ' +
    'set it with `pulumi config set --path "workload-identity:apiAllowedCidrs[0]" 203.0.113.0/24`';
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
    throw new ConfigError(`config \`${key}\`: ${expected}, got ${JSON.stringify(value)}`);
  }
  for (const cidr of value) {
    if (typeof cidr !== "string" || !IPV4_CIDR.test(cidr)) {
      throw new ConfigError(
        `config \`${key}\`: ${JSON.stringify(cidr)} is not an IPv4 CIDR; ${expected}`,
      );
    }
    // GKE and AKS take a range only by its first address (GKE's provider checks
    // `ipnet.String() == value`; AKS answers InvalidParameter): say which one, before anything.
    const network = networkAddress(cidr);
    if (network !== cidr) {
      throw new ConfigError(
        `config \`${key}\`: ${JSON.stringify(cidr)} is not the first address of its range; use ${JSON.stringify(network)}`,
      );
    }
  }
  return value as string[];
}

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
const GCP_ZONE = /^([a-z]+-[a-z]+\d+)-[a-z]$/;
const AZURE_LOCATION = /^[a-z][a-z0-9]+$/;

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
  if (reservedNamespace(value)) {
    throw new ConfigError(
      `config \`${key}\`: ${JSON.stringify(value)} is reserved; ` +
        "choose a namespace of the workload's own (not default, nor any kube-*)",
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
  if (value === "default") {
    // Every pod in the namespace that names no ServiceAccount runs as `default`: granting it
    // would grant them all.
    throw new ConfigError(
      `config \`${key}\`: "default" is the ServiceAccount every pod in the namespace runs as ` +
        "unless it names another; choose a ServiceAccount of the workload's own",
    );
  }
  return value;
}

/** How long a prefix may get: `wi-` and 16 more; the derived names' limits assume it. */
export const PREFIX_MAX_LENGTH = 19;

/**
 * `wi-<stack>`, in what every cloud accepts in a name: lowercase letters, digits and single '-'.
 * A stack name that already is that, in at most 16 characters, is used as it is; any other is
 * lower-cased, cut to 9 characters and followed by 6 hex digits of its SHA-256, so two stacks
 * never share a prefix (`Prod.EU_1` and `prod-eu-1`, or two names alike in their first 16
 * characters) and so never want the same project- or account-wide name.
 */
export function namePrefix(stack: string): string {
  const cleaned = stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (cleaned === stack && cleaned.length <= PREFIX_MAX_LENGTH - 3) return `wi-${cleaned}`;
  const hash = createHash("sha256").update(stack).digest("hex").slice(0, 6);
  const head = cleaned.slice(0, 9).replace(/-+$/, "");
  return head ? `wi-${head}-${hash}` : `wi-${hash}`;
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

/** What the shipped Google Cloud stack files hold until the user sets a real project. */
export const PLACEHOLDER_PROJECT = "replace-with-your-project-id";

function gcpSettings(raw: RawConfig, reason: string, stack: string): GcpSettings {
  const project = raw.gcpProject ?? "";
  if (project === PLACEHOLDER_PROJECT) {
    throw new ConfigError(
      `config \`gcp:project\`: ${JSON.stringify(project)} is a placeholder; set your project's ID with ` +
        `\`pulumi config set gcp:project <your-project-id> --stack ${stack}\``,
    );
  }
  if (!GCP_PROJECT_ID.test(project)) {
    throw new ConfigError(
      `config \`gcp:project\`: required when ${reason}; expected a project ID ` +
        `(6–30 lowercase letters, digits and '-', starting with a letter), got ${JSON.stringify(project)}`,
    );
  }
  const region = raw.gcpRegion ?? "";
  if (!GCP_REGION.test(region)) {
    throw new ConfigError(
      `config \`gcp:region\`: required when ${reason}; expected a region such as europe-north1, ` +
        `got ${JSON.stringify(region)}`,
    );
  }
  const zone = raw.gcpZone;
  if (zone !== undefined) {
    const match = GCP_ZONE.exec(zone);
    if (!match || match[1] !== region) {
      throw new ConfigError(
        `config \`gcp:zone\`: expected a zone in ${region} such as ${region}-a, got ${JSON.stringify(zone)}`,
      );
    }
  }
  return { project, region, ...(zone ? { zone } : {}) };
}

function azureSettings(raw: RawConfig, reason: string): AzureSettings {
  const location = raw.azureLocation ?? "";
  if (!AZURE_LOCATION.test(location)) {
    throw new ConfigError(
      `config \`azure-native:location\`: required when ${reason}; expected a location name such as ` +
        `swedencentral, got ${JSON.stringify(location)}`,
    );
  }
  return { location };
}

/** The reason a cloud's settings are needed, or undefined when the stack does not touch it. */
function uses(cluster: ClusterKind, storage: StorageKind, c: ClusterKind, s: StorageKind) {
  return cluster === c ? `\`cluster\` is ${c}` : storage === s ? `\`storage\` is ${s}` : undefined;
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

  const awsMechanism = oneOf(
    "awsMechanism",
    raw.awsMechanism ?? DEFAULTS.awsMechanism,
    AWS_MECHANISMS,
  );
  if (awsMechanism === "irsa" && !(cluster === "eks" && storage === "s3")) {
    throw new ConfigError(
      `config \`awsMechanism\`: irsa applies only to cluster eks reading storage s3, got ${cluster}→${storage}; ` +
        "leave it at pod-identity (other clusters reach S3 through web identity federation)",
    );
  }
  if (!SUPPORTED_PAIRS.some(([c, s]) => c === cluster && s === storage)) {
    const supported = SUPPORTED_PAIRS.map(([c, s]) => `${c}→${s}`).join(", ");
    throw new ConfigError(
      `config \`cluster\`/\`storage\`: ${cluster}→${storage} is not supported yet; supported: ${supported}`,
    );
  }

  const awsReason = uses(cluster, storage, "eks", "s3");
  const gcpReason = uses(cluster, storage, "gke", "gcs");
  const azureReason = uses(cluster, storage, "aks", "blob");
  return {
    stack,
    prefix: namePrefix(stack),
    cluster,
    storage,
    workload: { namespace, serviceAccount },
    awsMechanism,
    apiAllowedCidrs: validateCidrs(
      "apiAllowedCidrs",
      raw.apiAllowedCidrs ?? DEFAULTS.apiAllowedCidrs,
    ),
    ...(awsReason ? { aws: awsSettings(raw, awsReason) } : {}),
    ...(gcpReason ? { gcp: gcpSettings(raw, gcpReason, stack) } : {}),
    ...(azureReason ? { azure: azureSettings(raw, azureReason) } : {}),
  };
}

/** Reads the stack's configuration and validates it. Call once, before any resource exists. */
export function loadConfig(): StackConfig {
  return checkLimits(readConfig());
}

function readConfig(): StackConfig {
  const project = new pulumi.Config(PROJECT);
  const aws = new pulumi.Config("aws");
  const gcp = new pulumi.Config("gcp");
  const azure = new pulumi.Config("azure-native");
  return parseConfig(
    {
      cluster: project.get("cluster"),
      storage: project.get("storage"),
      namespace: project.get("namespace"),
      serviceAccount: project.get("serviceAccount"),
      awsMechanism: project.get("awsMechanism"),
      apiAllowedCidrs: project.getObject<unknown>("apiAllowedCidrs"),
      awsRegion: aws.get("region"),
      awsProfile: aws.get("profile"),
      gcpProject: gcp.get("project"),
      gcpRegion: gcp.get("region"),
      gcpZone: gcp.get("zone"),
      azureLocation: azure.get("location"),
    },
    pulumi.getStack(),
  );
}
