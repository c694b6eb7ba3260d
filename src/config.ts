/**
 * The only module that reads configuration. It validates every value, applies the defaults once
 * and hands typed values down; components never read `pulumi.Config` or `process.env`. What each
 * cloud reads and refuses is its own (`src/<cloud>/settings.ts`), found through the registry.
 *
 * `parseConfig` is pure so tests can call it with any input; `loadConfig` feeds it from the stack.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import {
  ACCESS_LEVELS,
  AWS_MECHANISMS,
  CLUSTER_KINDS,
  ConfigError,
  PROJECT,
  prefixesOverlap,
  shortHash,
  STORAGE_KINDS,
  unboundServiceAccount,
  workloadKey,
  workloadLabel,
  type Workload,
  type CloudSettings,
  type ClusterKind,
  type RawConfig,
  type StorageKind,
  type StackConfig,
} from "./core";
import { currentCluster } from "./external";
import { CLOUD_MODULES, CLUSTERS, cloudsOf, STORAGES } from "./registry";

export type { RawConfig, StackConfig };
export { ConfigError };

/**
 * Namespaces this program must not create or take over: `default`, and every `kube-*` (Kubernetes
 * reserves the prefix for system namespaces).
 */
function reservedNamespace(value: string): boolean {
  return value === "default" || value.startsWith("kube-");
}

export const DEFAULTS = {
  cluster: "eks",
  storage: "",
  namespace: "demo",
  serviceAccount: "demo",
  awsMechanism: "pod-identity",
  apiAllowedCidrs: ["0.0.0.0/0"],
  existingCluster: "",
  existingResourceGroup: "",
  installAgent: false,
  oidcIssuerUrl: "",
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
    // RegExp.test would read a nested list as its text: only a string is a CIDR.
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

/** At most this many workloads per stack: every cloud's per-bucket and per-account limits fit it. */
export const MAX_WORKLOADS = 100;
/** The longest key prefix a workload may have (object keys are at most 1024 bytes everywhere). */
export const KEY_PREFIX_MAX_LENGTH = 256;
/**
 * A plain key prefix: folders of letters, digits, '-', '_' and '.', each ending in '/', none
 * starting with '.'. No wildcard (`*`, `?`: IAM's ARN and StringLike globs), no `$`/`{` (IAM policy
 * variables), no quote (CEL and Azure condition string literals), no `..`, no leading '/'.
 */
const KEY_PREFIX = /^([A-Za-z0-9_-][A-Za-z0-9._-]*\/)+$/;
const WORKLOAD_FIELDS = ["namespace", "serviceAccount", "access", "prefix"] as const;

/** Why `prefix` is not a plain key prefix, or undefined. */
export function keyPrefixProblem(prefix: string): string | undefined {
  if (prefix === "") return undefined;
  if (prefix.length > KEY_PREFIX_MAX_LENGTH) {
    return `is ${prefix.length} characters long; at most ${KEY_PREFIX_MAX_LENGTH} are allowed`;
  }
  if (prefix.includes("..") || !KEY_PREFIX.test(prefix)) {
    return (
      "is not a plain key prefix; use folders of letters, digits, '-', '_' and '.' that each end in '/' " +
      '(e.g. "team-a/" or "team-a/reports/"), with no leading \'/\', no \'..\' and no wildcard, or "" for the whole bucket'
    );
  }
  return undefined;
}

/** `workloads`, validated: the list, or one whole-bucket reader from `namespace`/`serviceAccount`. */
function workloadsOf(raw: RawConfig, prefix: string): Workload[] {
  if (raw.workloads === undefined) {
    const namespace = validateNamespace("namespace", raw.namespace ?? DEFAULTS.namespace);
    const serviceAccount = validateServiceAccount(
      "serviceAccount",
      raw.serviceAccount ?? DEFAULTS.serviceAccount,
    );
    return [{ namespace, serviceAccount, access: "read", prefix: "", name: prefix }];
  }
  // One way to say who is bound: the list names every workload, with its own namespace. Pulumi
  // hands the program Pulumi.yaml's defaults (`demo`) for keys a stack leaves unset, so only
  // another value is refused: it would be silently ignored.
  for (const key of ["namespace", "serviceAccount"] as const) {
    const value = raw[key];
    if (value !== undefined && value !== DEFAULTS[key]) {
      throw new ConfigError(
        `config \`${key}\`: applies only without \`workloads\`, got ${JSON.stringify(value)} beside it; ` +
          "give every workload its namespace and serviceAccount in the list, and remove it",
      );
    }
  }
  const list = raw.workloads;
  const expected =
    "expected a list of 1–" +
    MAX_WORKLOADS +
    ' workloads such as [{namespace: team-a, serviceAccount: app, access: read, prefix: "team-a/"}]';
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_WORKLOADS) {
    const got = Array.isArray(list) ? `${list.length} workloads` : JSON.stringify(list);
    throw new ConfigError(`config \`workloads\`: ${expected}, got ${got}`);
  }
  const workloads = list.map((item: unknown, i): Workload => {
    const at = `workloads[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new ConfigError(`config \`${at}\`: ${expected}, got ${JSON.stringify(item)}`);
    }
    const fields = item as Record<string, unknown>;
    const unknown = Object.keys(fields).find(
      (k) => !(WORKLOAD_FIELDS as readonly string[]).includes(k),
    );
    if (unknown !== undefined) {
      throw new ConfigError(
        `config \`${at}.${unknown}\`: not a workload field; expected ${WORKLOAD_FIELDS.join(", ")}`,
      );
    }
    for (const key of ["namespace", "serviceAccount"] as const) {
      if (typeof fields[key] !== "string") {
        throw new ConfigError(
          `config \`${at}.${key}\`: required, a string; got ${JSON.stringify(fields[key] ?? null)}`,
        );
      }
    }
    const namespace = validateNamespace(`${at}.namespace`, fields.namespace as string);
    const serviceAccount = validateServiceAccount(
      `${at}.serviceAccount`,
      fields.serviceAccount as string,
    );
    const label = workloadLabel({ namespace, serviceAccount });
    const access = fields.access;
    if (!(ACCESS_LEVELS as readonly unknown[]).includes(access)) {
      throw new ConfigError(
        `config \`${at}.access\` (workload ${label}): expected one of ${ACCESS_LEVELS.join(", ")}, got ${JSON.stringify(access ?? null)}`,
      );
    }
    // Left out, the whole bucket; a blank `prefix:` (null) is refused, not read as the whole bucket.
    const keyPrefix = fields.prefix === undefined ? "" : fields.prefix;
    if (typeof keyPrefix !== "string") {
      throw new ConfigError(
        `config \`${at}.prefix\` (workload ${label}): expected a key prefix such as "team-a/", got ${JSON.stringify(keyPrefix)}`,
      );
    }
    const problem = keyPrefixProblem(keyPrefix);
    if (problem) {
      throw new ConfigError(
        `config \`${at}.prefix\` (workload ${label}): ${JSON.stringify(keyPrefix)} ${problem}`,
      );
    }
    return {
      namespace,
      serviceAccount,
      access: access as Workload["access"],
      prefix: keyPrefix,
      name: `${prefix}-${shortHash(label)}`,
    };
  });
  workloadPairProblems(workloads);
  return workloads;
}

/**
 * What no two workloads may be: the same ServiceAccount; one's ServiceAccount the other's denial
 * ServiceAccount (`<sa>-unbound`); the same derived name; or, in different namespaces, prefixes
 * that share keys where either may write (the writer could change what the other reads, or read
 * what the other writes, and the cross-workload denial could not hold). Readers may share keys.
 */
function workloadPairProblems(workloads: readonly Workload[]): void {
  workloads.forEach((a, i) => {
    workloads.slice(0, i).forEach((b, j) => {
      const at = `config \`workloads[${i}]\` (workload ${workloadLabel(a)})`;
      if (a.namespace === b.namespace && a.serviceAccount === b.serviceAccount) {
        throw new ConfigError(
          `${at}: duplicates workloads[${j}]; list each namespace/ServiceAccount once`,
        );
      }
      if (
        a.namespace === b.namespace &&
        (a.serviceAccount === unboundServiceAccount(b.serviceAccount) ||
          b.serviceAccount === unboundServiceAccount(a.serviceAccount))
      ) {
        throw new ConfigError(
          `${at}: its ServiceAccount or workloads[${j}]'s (${workloadLabel(b)}) is the other's denial check ServiceAccount (<serviceAccount>-unbound); rename one`,
        );
      }
      if (a.name === b.name) {
        throw new ConfigError(
          `${at}: derives the same resource names as workloads[${j}] (${workloadLabel(b)}); rename one`,
        );
      }
      const writes = a.access === "write" || b.access === "write";
      if (a.namespace !== b.namespace && writes && prefixesOverlap(a.prefix, b.prefix)) {
        throw new ConfigError(
          `config \`workloads[${i}].prefix\` (workload ${workloadLabel(a)}): ${JSON.stringify(a.prefix)} shares keys with ` +
            `workloads[${j}].prefix ${JSON.stringify(b.prefix)} (${workloadLabel(b)}, another namespace), and one of them may write; ` +
            "give workloads of different namespaces disjoint prefixes when either writes (readers may share)",
        );
      }
    });
  });
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
    .replace(/^-|-$/g, "");
  if (cleaned === stack && cleaned.length <= PREFIX_MAX_LENGTH - 3) return `wi-${cleaned}`;
  const hash = createHash("sha256").update(stack).digest("hex").slice(0, 6);
  // `cleaned` has no "--", so at most one '-' to drop.
  const head = cleaned.slice(0, 9).replace(/-$/, "");
  return head ? `wi-${head}-${hash}` : `wi-${hash}`;
}

/** `existingCluster` and what goes with it, checked against the cluster kind's own rules. */
function existingOf(raw: RawConfig, cluster: ClusterKind): StackConfig["existing"] {
  const name = raw.existingCluster ?? DEFAULTS.existingCluster;
  const group = raw.existingResourceGroup ?? DEFAULTS.existingResourceGroup;
  const installAgent = raw.installAgent ?? DEFAULTS.installAgent;
  if (typeof installAgent !== "boolean") {
    throw new ConfigError(
      `config \`installAgent\`: expected true or false, got ${JSON.stringify(installAgent)}`,
    );
  }
  if (name === "") {
    for (const [key, set] of [
      ["existingResourceGroup", group !== ""],
      ["installAgent", installAgent],
    ] as const) {
      if (set) {
        throw new ConfigError(
          `config \`${key}\`: applies only with \`existingCluster\`, which is not set; ` +
            "set existingCluster to the cluster's name, or remove it",
        );
      }
    }
    return undefined;
  }
  const module = CLUSTERS[cluster];
  if (!module.existingNameProblem) {
    throw new ConfigError(
      `config \`existingCluster\`: cluster ${cluster} cannot adopt an existing cluster, got ${JSON.stringify(name)}; ` +
        "set cluster to eks, gke or aks",
    );
  }
  const problem = module.existingNameProblem(name);
  if (problem) {
    throw new ConfigError(`config \`existingCluster\`: ${JSON.stringify(name)} ${problem}`);
  }
  if (cluster === "aks" && group === "") {
    throw new ConfigError(
      "config `existingResourceGroup`: required when existingCluster is an AKS cluster, got nothing; " +
        "set it to the cluster's resource group",
    );
  }
  if (cluster !== "aks" && group !== "") {
    throw new ConfigError(
      `config \`existingResourceGroup\`: applies only to an AKS cluster, got ${JSON.stringify(group)} with cluster ${cluster}`,
    );
  }
  if (installAgent && cluster !== "eks") {
    throw new ConfigError(
      `config \`installAgent\`: installs the EKS Pod Identity agent, so applies only to cluster eks, got cluster ${cluster}`,
    );
  }
  if (group !== "" && !/^[-\w._()]{1,90}$/.test(group)) {
    throw new ConfigError(
      `config \`existingResourceGroup\`: ${JSON.stringify(group)} is not a resource group name ` +
        "(1–90 letters, digits, '-', '_', '.', '(' and ')')",
    );
  }
  return { name, installAgent, ...(group !== "" ? { resourceGroup: group } : {}) };
}

/**
 * What an adopted cluster cannot take: the stack never changes it, so a narrowed `apiAllowedCidrs`
 * would promise what it does not do; and the Pod Identity agent is only needed (and installed)
 * for storage s3 with awsMechanism pod-identity.
 */
function adoptionProblems(
  existing: NonNullable<StackConfig["existing"]>,
  c: Pick<StackConfig, "cluster" | "storage" | "awsMechanism" | "apiAllowedCidrs">,
): void {
  if (c.apiAllowedCidrs.length !== 1 || c.apiAllowedCidrs[0] !== "0.0.0.0/0") {
    throw new ConfigError(
      `config \`apiAllowedCidrs\`: applies only to a cluster the stack creates, got ${JSON.stringify(c.apiAllowedCidrs)} ` +
        `with existingCluster; the stack never changes an existing ${c.cluster.toUpperCase()} cluster's API access, so remove it`,
    );
  }
  if (existing.installAgent && !(c.storage === "s3" && c.awsMechanism === "pod-identity")) {
    throw new ConfigError(
      "config `installAgent`: true, but this stack does not use EKS Pod Identity " +
        `(storage ${c.storage}, awsMechanism ${c.awsMechanism}); ` +
        "the agent is only needed with storage s3 and awsMechanism pod-identity: remove installAgent",
    );
  }
}

/**
 * `cluster: external`: the kubeconfig and the issuer, an `https://` URL with no query or fragment
 * (AWS, Google and Entra compare it with the tokens' `iss` as a string).
 */
function externalOf(raw: RawConfig, cluster: ClusterKind): StackConfig["external"] {
  const kubeconfig = raw.kubeconfig ?? "";
  const issuer = raw.oidcIssuerUrl ?? DEFAULTS.oidcIssuerUrl;
  if (cluster !== "external") {
    for (const [key, value] of [
      ["kubeconfig", kubeconfig],
      ["oidcIssuerUrl", issuer],
    ] as const) {
      if (value !== "") {
        throw new ConfigError(
          `config \`${key}\`: applies only to cluster external, got a value with cluster ${cluster}; ` +
            "remove it (the stack builds the kubeconfig and reads the issuer of the clusters it knows)",
        );
      }
    }
    return undefined;
  }
  if (kubeconfig.trim() === "") {
    throw new ConfigError(
      "config `kubeconfig`: required with cluster external, got nothing; set it as a secret with " +
        '`pulumi config set --secret kubeconfig "$(cat ~/.kube/config)"`',
    );
  }
  // The contents are a credential: the message says what is wrong, never what is there.
  const found = currentCluster(kubeconfig);
  if ("problem" in found) {
    throw new ConfigError(
      `config \`kubeconfig\`: the value set ${found.problem}; set it as a secret from a working file with ` +
        '`pulumi config set --secret kubeconfig "$(cat path/to/kubeconfig)"`',
    );
  }
  // A bare `?` or `#` leaves URL's search and hash empty: look for them in the text itself.
  const url = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (url?.protocol !== "https:" || /[?#]/.test(issuer)) {
    throw new ConfigError(
      `config \`oidcIssuerUrl\`: expected the cluster's issuer as an https:// URL with no query or fragment, ` +
        `exactly as its tokens carry it in \`iss\` (kubectl get --raw /.well-known/openid-configuration), got ${JSON.stringify(issuer)}`,
    );
  }
  return { kubeconfig, oidcIssuerUrl: issuer };
}

/** `storage` as configured, or, when empty, the cluster's own cloud's. */
function storageOf(cluster: ClusterKind, value: string): StorageKind {
  if (value !== "") return oneOf("storage", value, STORAGE_KINDS);
  const native = CLUSTERS[cluster].nativeStorage;
  if (native) return native;
  throw new ConfigError(
    `config \`storage\`: required with cluster ${cluster}, which has no cloud of its own; ` +
      `expected one of ${STORAGE_KINDS.join(", ")}, got nothing`,
  );
}

/** Validates raw values and applies defaults. Throws `ConfigError` naming the key, value and fix. */
export function parseConfig(raw: RawConfig, stack: string): StackConfig {
  const cluster = oneOf("cluster", raw.cluster ?? DEFAULTS.cluster, CLUSTER_KINDS);
  const storage = storageOf(cluster, raw.storage ?? DEFAULTS.storage);
  const prefix = namePrefix(stack);
  const workloads = workloadsOf(raw, prefix);

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

  const existing = existingOf(raw, cluster);
  const external = externalOf(raw, cluster);

  const apiAllowedCidrs = validateCidrs(
    "apiAllowedCidrs",
    raw.apiAllowedCidrs ?? DEFAULTS.apiAllowedCidrs,
  );
  if (existing) adoptionProblems(existing, { cluster, storage, awsMechanism, apiAllowedCidrs });
  if (cluster === "kind" && (apiAllowedCidrs.length !== 1 || apiAllowedCidrs[0] !== "0.0.0.0/0")) {
    // kind publishes the API server on 127.0.0.1 only: a range would promise what it does not do.
    throw new ConfigError(
      `config \`apiAllowedCidrs\`: applies only to a cloud cluster, got ${JSON.stringify(apiAllowedCidrs)} with cluster kind; ` +
        "a kind cluster's API server listens on 127.0.0.1 only, so remove it",
    );
  }

  // Each cloud the stack touches reads and checks its own settings.
  const settings: Partial<Record<keyof CloudSettings, unknown>> = {};
  for (const cloud of cloudsOf(cluster, storage)) {
    const reason =
      CLUSTERS[cluster].cloud === cloud ? `\`cluster\` is ${cluster}` : `\`storage\` is ${storage}`;
    settings[cloud] = CLOUD_MODULES[cloud].settings(raw, reason, stack);
  }
  return {
    stack,
    prefix,
    cluster,
    storage,
    workloads,
    awsMechanism,
    apiAllowedCidrs,
    ...(existing ? { existing } : {}),
    ...(external ? { external } : {}),
    ...(settings as Partial<CloudSettings>),
  };
}

/**
 * What the clouds would refuse of a parsed config, as messages naming the key or the stack: the
 * storage's own limits (names, sizes, on the cluster's worst-case issuer) and the denial check's
 * second ServiceAccount.
 */
export function configProblems(config: StackConfig): string[] {
  const storage = STORAGES[config.storage];
  const issuer = CLUSTERS[config.cluster].worstCaseIssuer(config, storage);
  const problems = [
    ...(CLUSTERS[config.cluster].problems?.(config, storage) ?? []),
    ...storage.problems(config, issuer),
  ];
  config.workloads.forEach((w, i) => {
    const unbound = unboundServiceAccount(w.serviceAccount);
    if (unbound.length > 253) {
      problems.push(
        `config ${workloadKey(config, i, "serviceAccount")}: ${JSON.stringify(w.serviceAccount)} is too long for the denial ` +
          `check's ServiceAccount ${JSON.stringify(unbound.slice(0, 20) + "…")} (at most 253 characters); use at most 245`,
      );
    }
  });
  return problems;
}

/** Refuses a configuration a cloud would refuse later. Returns it unchanged otherwise. */
export function checkLimits(config: StackConfig): StackConfig {
  const [problem] = configProblems(config);
  if (problem) throw new ConfigError(problem);
  return config;
}

/** Reads the stack's configuration and validates it. Call once, before any resource exists. */
export function loadConfig(): StackConfig {
  return checkLimits(readConfig());
}

function readConfig(): StackConfig {
  const project = new pulumi.Config(PROJECT);
  const providerSettings = Object.values(CLOUD_MODULES).flatMap((cloud) =>
    cloud.keys.map((key) => {
      const [namespace, name] = key.split(":");
      return [key, new pulumi.Config(namespace).get(name)] as const;
    }),
  );
  return parseConfig(
    {
      cluster: project.get("cluster"),
      storage: project.get("storage"),
      namespace: project.get("namespace"),
      serviceAccount: project.get("serviceAccount"),
      workloads: project.getObject<unknown>("workloads"),
      awsMechanism: project.get("awsMechanism"),
      apiAllowedCidrs: project.getObject<unknown>("apiAllowedCidrs"),
      existingCluster: project.get("existingCluster"),
      existingResourceGroup: project.get("existingResourceGroup"),
      installAgent: project.getObject<unknown>("installAgent"),
      // A secret in the stack's config; StackConfig hands it on only to a secret Output.
      kubeconfig: project.get("kubeconfig"),
      oidcIssuerUrl: project.get("oidcIssuerUrl"),
      ...Object.fromEntries(providerSettings),
    },
    pulumi.getStack(),
  );
}
