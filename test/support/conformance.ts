/**
 * Client conformance: the verification pod the program builds, made real enough for the official
 * SDKs to read. Its files are laid out in a temporary directory as the kubelet would mount them
 * (each projected ServiceAccount token as `<mountPath>/<path>`, a JWT signed here for the volume's
 * audience; each ConfigMap file with its content), with what the cluster's agent or webhook injects
 * at admission added exactly as they add it, and every path in the env rewritten under that
 * directory. Tests hand the env and files to the SDKs and intercept their token exchange (nock).
 *
 * What this cannot prove: that the cloud accepts the token's signature (the issuer's keys are
 * fetched by the cloud at exchange time), nor what the agents and webhooks of a future release
 * inject; the sources of what they inject today are cited where it is simulated.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type Nock from "nock" with { "resolution-mode": "import" };
import { valueOf, type Recorded, type Recorder } from "../../offline/mocks";
import { autoname } from "../../offline/clouds/types";

export const T = {
  job: "kubernetes:batch/v1:Job",
  sa: "kubernetes:core/v1:ServiceAccount",
  configMap: "kubernetes:core/v1:ConfigMap",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
} as const;

/**
 * THE verification pod of a stack: the Job whose pod template runs as `serviceAccount` and is the
 * verification (`app.kubernetes.io/component: verify`), not the denial. The one place that knows
 * how to find it among the recorded resources; exactly one must match.
 */
export function verificationJob(
  rec: Recorder,
  serviceAccount: string,
  namespace?: string,
): Recorded {
  const jobs = rec
    .ofType(T.job)
    .filter(
      (j) =>
        j.inputs.spec.template.spec.serviceAccountName === serviceAccount &&
        (namespace === undefined || j.inputs.metadata.namespace === namespace) &&
        j.inputs.spec.template.metadata?.labels?.["app.kubernetes.io/component"] === "verify",
    );
  if (jobs.length !== 1) {
    throw new Error(
      `expected one verify Job running as ${namespace ?? "*"}/${serviceAccount}, found ${jobs.length}: ${jobs.map((j) => j.name).join(", ")}`,
    );
  }
  return jobs[0];
}

interface Env {
  name: string;
  value: string;
}
interface Mount {
  name: string;
  mountPath: string;
}
/** A pod spec as the recorder holds it (plain values: every Output resolved). */
interface PodSpec {
  serviceAccountName: string;
  containers: { env: Env[]; volumeMounts: Mount[] }[];
  volumes: any[];
}

/** The pod as admission sees it: its namespace, ServiceAccount (with annotations), labels, spec. */
export interface Pod {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
}

/** The verification pod of `serviceAccount`, with a deep copy of its spec (webhooks mutate it). */
export function verificationPod(rec: Recorder, serviceAccount: string, inNamespace?: string): Pod {
  const job = verificationJob(rec, serviceAccount, inNamespace);
  const namespace: string = job.inputs.metadata.namespace;
  const sa = rec
    .ofType(T.sa)
    .filter(
      (s) => s.inputs.metadata.name === serviceAccount && s.inputs.metadata.namespace === namespace,
    );
  if (sa.length !== 1)
    throw new Error(`expected one ServiceAccount ${namespace}/${serviceAccount}`);
  return {
    namespace,
    serviceAccount,
    serviceAccountAnnotations: { ...(sa[0].inputs.metadata.annotations ?? {}) },
    labels: { ...(job.inputs.spec.template.metadata?.labels ?? {}) },
    spec: structuredClone(job.inputs.spec.template.spec),
  };
}

/** The `sub` of a ServiceAccount token (Kubernetes `serviceaccount.MakeUsername`). */
export const subjectOf = (pod: Pod): string =>
  `system:serviceaccount:${pod.namespace}:${pod.serviceAccount}`;

// --- What agents and webhooks inject at admission -------------------------------------------

/** The EKS Pod Identity agent's endpoint (IPv4 clusters). */
export const POD_IDENTITY_URI = "http://169.254.170.23/v1/credentials";
/** The audience of the token EKS projects for the Pod Identity agent. */
export const POD_IDENTITY_AUDIENCE = "pods.eks.amazonaws.com";

/**
 * EKS Pod Identity, for a pod whose ServiceAccount has an association on this cluster: the env
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, and a projected
 * token for `pods.eks.amazonaws.com` at
 * `/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token` (EKS user guide
 * "Understand how EKS Pod Identity works", https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html;
 * aws/amazon-eks-pod-identity-webhook `pkg/containercredentials/config.go` (PatchConfig: audience,
 * full URI) and `pkg/handler/handler.go`, which adds an env variable only where the container does
 * not set it already).
 */
export function injectPodIdentity(pod: Pod): void {
  const dir = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";
  addVolume(pod, {
    name: "eks-pod-identity-token",
    projected: {
      sources: [
        {
          serviceAccountToken: {
            audience: POD_IDENTITY_AUDIENCE,
            expirationSeconds: 86400,
            path: "eks-pod-identity-token",
          },
        },
      ],
    },
  });
  for (const c of pod.spec.containers) {
    c.volumeMounts.push({ name: "eks-pod-identity-token", mountPath: dir });
    addEnv(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI", POD_IDENTITY_URI);
    addEnv(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", `${dir}/eks-pod-identity-token`);
  }
}

/** The ServiceAccount annotation the IRSA webhook acts on. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

/**
 * The EKS Pod Identity Webhook (IRSA), for a pod whose ServiceAccount carries
 * `eks.amazonaws.com/role-arn`: `AWS_ROLE_ARN` (the annotation), `AWS_WEB_IDENTITY_TOKEN_FILE`
 * (`/var/run/secrets/eks.amazonaws.com/serviceaccount/token`, audience `sts.amazonaws.com`, 86400 s),
 * `AWS_STS_REGIONAL_ENDPOINTS=regional` and, as EKS runs the webhook with the cluster's region,
 * `AWS_DEFAULT_REGION` and `AWS_REGION`; each only where the container does not set it
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html;
 * aws/amazon-eks-pod-identity-webhook README "Usage" and `pkg/handler/handler.go`).
 */
export function injectIrsa(pod: Pod, clusterRegion: string): void {
  const roleArn = pod.serviceAccountAnnotations[IRSA_ANNOTATION];
  const dir = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
  addVolume(pod, {
    name: "aws-iam-token",
    projected: {
      sources: [
        {
          serviceAccountToken: {
            audience: "sts.amazonaws.com",
            expirationSeconds: 86400,
            path: "token",
          },
        },
      ],
    },
  });
  for (const c of pod.spec.containers) {
    c.volumeMounts.push({ name: "aws-iam-token", mountPath: dir });
    addEnv(c, "AWS_ROLE_ARN", roleArn);
    addEnv(c, "AWS_WEB_IDENTITY_TOKEN_FILE", `${dir}/token`);
    addEnv(c, "AWS_STS_REGIONAL_ENDPOINTS", "regional");
    addEnv(c, "AWS_DEFAULT_REGION", clusterRegion);
    addEnv(c, "AWS_REGION", clusterRegion);
  }
}

/** What the Azure workload identity webhook reads. */
export const AZURE_USE_LABEL = "azure.workload.identity/use";
export const AZURE_CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const AZURE_TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";

/**
 * The Azure workload identity webhook, for a pod labelled `azure.workload.identity/use: "true"`:
 * `AZURE_CLIENT_ID` (the ServiceAccount's client-id annotation), `AZURE_TENANT_ID` (its tenant-id
 * annotation, else the cluster's tenant), `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_AUTHORITY_HOST` (the
 * public cloud's `https://login.microsoftonline.com/`), each only if absent and non-empty, and a
 * projected token for `api://AzureADTokenExchange`, 3600 s (Azure/azure-workload-identity
 * `pkg/webhook/webhook.go` addEnvironmentVariables, getTenantID, addProjectedVolume; `consts.go`;
 * the path as AKS's managed webhook mounts it: /var/run/secrets/azure/tokens/azure-identity-token,
 * https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview).
 */
export function injectAzureWebhook(pod: Pod, clusterTenant: string): void {
  const dir = "/var/run/secrets/azure/tokens";
  const a = pod.serviceAccountAnnotations;
  addVolume(pod, {
    name: "azure-identity-token",
    projected: {
      sources: [
        {
          serviceAccountToken: {
            audience: "api://AzureADTokenExchange",
            expirationSeconds: 3600,
            path: "azure-identity-token",
          },
        },
      ],
    },
  });
  for (const c of pod.spec.containers) {
    c.volumeMounts.push({ name: "azure-identity-token", mountPath: dir });
    addEnv(c, "AZURE_CLIENT_ID", a[AZURE_CLIENT_ID_ANNOTATION] ?? "");
    addEnv(c, "AZURE_TENANT_ID", a[AZURE_TENANT_ID_ANNOTATION] ?? clusterTenant);
    addEnv(c, "AZURE_FEDERATED_TOKEN_FILE", `${dir}/azure-identity-token`);
    addEnv(c, "AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/");
  }
}

function addEnv(c: { env: Env[] }, name: string, value: string): void {
  if (value !== "" && !c.env.some((e) => e.name === name)) c.env.push({ name, value });
}

function addVolume(pod: Pod, volume: { name: string; [source: string]: unknown }): void {
  if (pod.spec.volumes.some((v) => v.name === volume.name)) {
    throw new Error(`volume ${volume.name} is in the pod already`);
  }
  pod.spec.volumes.push(volume);
}

// --- The kubelet ---------------------------------------------------------------------------

const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });

/** The claims of a JWT (RFC 7519) this file signs or reads. */
export interface Claims {
  readonly [claim: string]: unknown;
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | string[];
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The claims of a JWT, unverified (what the clients under test send is what is checked). */
export function decodeJwt(jwt: string): Claims {
  const parts = jwt.split(".");
  if (parts.length !== 3) throw new Error("not a JWS compact serialization");
  return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Claims;
}

/**
 * A ServiceAccount token as the API server issues it for a projected volume (RS256; the claims of
 * Kubernetes' `serviceaccount.Claims`: iss, sub, aud, exp, iat, nbf, `kubernetes.io`).
 */
export function serviceAccountToken(args: {
  issuer: string;
  pod: Pod;
  audience: string;
  expirationSeconds: number;
}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", typ: "JWT", kid: "conformance" };
  const claims = {
    iss: args.issuer,
    sub: subjectOf(args.pod),
    aud: [args.audience],
    exp: now + args.expirationSeconds,
    iat: now,
    nbf: now,
    "kubernetes.io": {
      namespace: args.pod.namespace,
      serviceaccount: { name: args.pod.serviceAccount, uid: crypto.randomUUID() },
      pod: { name: `${args.pod.serviceAccount}-verify-x7k2p`, uid: crypto.randomUUID() },
    },
  };
  const input = `${b64url(header)}.${b64url(claims)}`;
  const signature = crypto.sign("sha256", Buffer.from(input), keys.privateKey);
  return `${input}.${signature.toString("base64url")}`;
}

/** One projected token file: where it is in the pod, and its claims. */
export interface ProjectedFile {
  readonly podPath: string;
  readonly jwt: string;
  readonly claims: Claims;
}

/** The pod's filesystem and env, as its container sees them, rooted in a temporary directory. */
export interface Layout {
  readonly root: string;
  /** The container's env, every path under a mount rewritten under `root`. */
  readonly env: Readonly<Record<string, string>>;
  /** Every projected token, by its audience. */
  readonly tokens: ReadonlyMap<string, ProjectedFile>;
  /** The content of the file at a path inside the pod, as the pod sees it. */
  read(podPath: string): string;
  /** The path inside the pod of a path in the layout. */
  podPath(hostPath: string): string;
  remove(): void;
}

/**
 * Lays out the pod's volumes as the kubelet mounts them under a new temporary directory: projected
 * ServiceAccount tokens (signed by `issuer` for their audience) and ConfigMap items (their content
 * from the recorded ConfigMap the volume names). Fails on any volume kind it does not know, and on
 * a ConfigMap volume whose ConfigMap the program did not create in the pod's namespace.
 */
export function kubeletLayout(rec: Recorder, pod: Pod, issuer: string): Layout {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "conformance-"));
  const container = pod.spec.containers[0];
  const tokens = new Map<string, ProjectedFile>();
  const files = new Map<string, string>();
  const under = (p: string) => path.join(root, p);
  // Longest mount first, so a path under a nested mount is rewritten once, under its own.
  const mounts = container.volumeMounts.map((m) => m.mountPath).sort((a, b) => b.length - a.length);
  const rewrite = (value: string) =>
    mounts.some((m) => value === m || value.startsWith(`${m}/`)) ? under(value) : value;
  for (const mount of container.volumeMounts) {
    const volume = pod.spec.volumes.find((v) => v.name === mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} names no volume`);
    fs.mkdirSync(under(mount.mountPath), { recursive: true });
    if (volume.emptyDir) continue;
    if (volume.projected) {
      for (const source of volume.projected.sources) {
        const t = source.serviceAccountToken;
        if (!t) throw new Error(`projected volume ${volume.name}: only ServiceAccount tokens`);
        const jwt = serviceAccountToken({
          issuer,
          pod,
          audience: t.audience,
          expirationSeconds: t.expirationSeconds,
        });
        const podPath = path.posix.join(mount.mountPath, t.path);
        fs.mkdirSync(path.dirname(under(podPath)), { recursive: true });
        fs.writeFileSync(under(podPath), jwt);
        if (tokens.has(t.audience)) throw new Error(`two projected tokens for ${t.audience}`);
        tokens.set(t.audience, { podPath, jwt, claims: decodeJwt(jwt) });
        files.set(podPath, jwt);
      }
      continue;
    }
    if (volume.configMap) {
      const cm = rec
        .ofType(T.configMap)
        .find(
          (c) =>
            c.inputs.metadata.namespace === pod.namespace &&
            (c.inputs.metadata.name ?? autoname(c.name)) === volume.configMap.name,
        );
      if (!cm) throw new Error(`ConfigMap ${volume.configMap.name} is not in ${pod.namespace}`);
      for (const item of volume.configMap.items) {
        const content = cm.inputs.data?.[item.key];
        if (typeof content !== "string") throw new Error(`ConfigMap has no key ${item.key}`);
        const podPath = path.posix.join(mount.mountPath, item.path);
        files.set(podPath, content);
        // A JSON file's paths into the pod's mounts point into the layout instead.
        fs.writeFileSync(under(podPath), rewriteJsonPaths(content, rewrite));
      }
      continue;
    }
    throw new Error(`volume ${volume.name}: a kind the conformance layout does not know`);
  }
  const env = Object.fromEntries(container.env.map((e) => [e.name, rewrite(String(e.value))]));
  return {
    root,
    env,
    tokens,
    read: (podPath) => {
      const content = files.get(podPath);
      if (content === undefined) throw new Error(`no file ${podPath} in the pod`);
      return content;
    },
    podPath: (hostPath) => {
      if (!hostPath.startsWith(`${root}/`)) throw new Error(`${hostPath} is not in the layout`);
      return hostPath.slice(root.length);
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** `content` with every string value of a JSON document passed through `rewrite`; else as is. */
function rewriteJsonPaths(content: string, rewrite: (value: string) => string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    return content;
  }
  const walk = (v: unknown): unknown =>
    typeof v === "string"
      ? rewrite(v)
      : Array.isArray(v)
        ? v.map(walk)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return JSON.stringify(walk(doc));
}

// --- The process the SDK runs in ------------------------------------------------------------

/** Variables any of the three SDKs reads for credentials, config, endpoints or metadata. */
const SDK_ENV =
  /^(AWS_|AZURE_|MSI_|IDENTITY_|IMDS_|GOOGLE_|GCLOUD_|GCE_|CLOUDSDK_|METADATA_SERVER_|K_SERVICE$|HOME$|NO_PROXY$|HTTPS?_PROXY$)/i;

/**
 * Runs `body` with exactly the pod's env as the SDKs' env (every variable they read removed first,
 * the pod's set), and restores the process env after.
 */
export async function withPodEnv<T>(
  env: Readonly<Record<string, string>>,
  body: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.entries(process.env).filter(([k]) => SDK_ENV.test(k)));
  for (const k of Object.keys(saved)) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return await body();
  } finally {
    for (const k of Object.keys(process.env)) if (SDK_ENV.test(k)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** A form-encoded or JSON request body as an object. */
export function bodyOf(body: unknown): Record<string, string> {
  if (typeof body === "object" && body !== null) return body as Record<string, string>;
  const text = String(body);
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return Object.fromEntries(new URLSearchParams(text));
  }
}

/**
 * The value a Google Workload Identity pool provider computes for an attribute: a CEL expression
 * over the token's claims. Supported: `assertion.<claim>` and `assertion['<claim>']` (what the
 * program may map from); anything else throws, so a mapping the tests cannot evaluate fails them.
 */
export function celAttribute(expression: string, claims: Claims): string {
  const m =
    /^assertion\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression) ??
    /^assertion\[['"]([^'"]+)['"]\]$/.exec(expression);
  if (!m) throw new Error(`attribute mapping ${JSON.stringify(expression)} is not a claim`);
  const value = claims[m[1]];
  if (typeof value !== "string") {
    throw new Error(`attribute mapping ${expression}: the token's ${m[1]} is not a string`);
  }
  return value;
}

/** IAM's RoleSessionName pattern and length (STS API reference, AssumeRoleWithWebIdentity). */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * nock, with the network disabled until `restore`. nock 15 is an ES module, loaded with `import()`
 * from these CommonJS tests. A reply function gets the fetch `Request`
 * (nock/dist/lib/playback_interceptor.js); an `expect` that throws in it fails the request, so the
 * SDK, and the test, fail.
 */
export async function interceptNetwork(): Promise<typeof Nock> {
  const nock = (await import("nock")).default;
  nock.disableNetConnect();
  return nock;
}

// --- A stack's verification pod, admitted --------------------------------------------------

/** One cluster × storage pair, as a stack file (and overrides) configures it. */
export interface Pair {
  /** How the test names it. */
  readonly name: string;
  readonly stack: string;
  readonly config: Record<string, string>;
  /** With `workloads`: the one whose pod is admitted (default: the stack's `serviceAccount`). */
  readonly workload?: { readonly namespace: string; readonly serviceAccount: string };
}

/** What a pair's evaluation gives the conformance tests. */
export interface Admitted {
  readonly pod: Pod;
  readonly layout: Layout;
  /** The cluster's issuer, as the program reports it: the tokens' `iss`. */
  readonly issuer: string;
  readonly clusterName: string;
}

/**
 * Evaluates `pair`, takes its verification pod (the ServiceAccount the stack outputs), admits it as
 * its cluster would (the agent's and webhooks' injection, per what the program registered), and
 * lays out its files. `clusterKind` and the cluster's region and tenant choose the injection.
 */
export async function admitVerificationPod(
  rec: Recorder,
  evaluation: {
    readonly config: { cluster: string; aws?: { region: string } };
    readonly outputs: { serviceAccount: any; oidcIssuerUrl: any; clusterName: any };
  },
  tenant: string,
  workload?: Pair["workload"],
): Promise<Admitted> {
  const [serviceAccount, issuer, clusterName] = await Promise.all([
    valueOf<string>(evaluation.outputs.serviceAccount),
    valueOf<string>(evaluation.outputs.oidcIssuerUrl),
    valueOf<string>(evaluation.outputs.clusterName),
  ]);
  const pod = workload
    ? verificationPod(rec, workload.serviceAccount, workload.namespace)
    : verificationPod(rec, serviceAccount);
  switch (evaluation.config.cluster) {
    case "eks": {
      // The Pod Identity webhook acts on an association of this cluster for the pod's
      // namespace/ServiceAccount; the IRSA webhook on the ServiceAccount's annotation.
      const associated = rec
        .ofType(T.association)
        .some(
          (a) =>
            a.inputs.clusterName === clusterName &&
            a.inputs.namespace === pod.namespace &&
            a.inputs.serviceAccount === pod.serviceAccount,
        );
      if (associated) injectPodIdentity(pod);
      if (pod.serviceAccountAnnotations[IRSA_ANNOTATION] !== undefined) {
        const region = evaluation.config.aws?.region;
        if (region === undefined) throw new Error("an EKS stack without aws:region");
        injectIrsa(pod, region);
      }
      break;
    }
    case "aks":
      // AKS's managed webhook (workload identity enabled) selects pods by their label.
      if (pod.labels[AZURE_USE_LABEL] === "true") injectAzureWebhook(pod, tenant);
      break;
    default:
      // GKE: nothing is injected (the metadata server answers); external clusters: no webhook.
      break;
  }
  const layout = kubeletLayout(rec, pod, issuer);
  return { pod, layout, issuer, clusterName };
}

/**
 * One pair per workload of a stack file with `workloads` (each its own role, identity or grant,
 * confined to its prefix): every one of them must be accepted by the SDK on its own.
 */
export function workloadPairs(name: string, stack: string, config: Record<string, string>): Pair[] {
  const listed = JSON.parse(config["workload-identity:workloads"] ?? "[]") as {
    namespace: string;
    serviceAccount: string;
  }[];
  if (listed.length < 2) throw new Error(`stack ${stack} lists fewer than two workloads`);
  return listed.map(({ namespace, serviceAccount }) => ({
    name: `${name} ${namespace}/${serviceAccount}`,
    stack,
    config,
    workload: { namespace, serviceAccount },
  }));
}

/** How many workloads a pair's stack binds (1 without `workloads`). */
export function workloadCount(pair: Pair): number {
  const listed = pair.config["workload-identity:workloads"];
  return listed === undefined ? 1 : (JSON.parse(listed) as unknown[]).length;
}
