import { createHash } from "node:crypto";
import * as apps from "@pulumi/kubernetes/apps/v1";
import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import type * as k8sInputs from "@pulumi/kubernetes/types/input";
import * as pulumi from "@pulumi/pulumi";
import type { PodAccess, PodEnvVar, PodFile, ProjectedToken, WorkloadIdentity } from "../contracts";
import { HELLO_TEXT } from "../hello";

/** The UID/GID the demo pods run as: not root, as Pod Security "restricted" requires. */
export const POD_UID = 1000;

export interface DemoWorkloadArgs {
  /** The provider built from our cluster; every object here uses it. */
  readonly provider: KubernetesProvider;
  /** The namespace and ServiceAccount to create; the binding must name exactly these. */
  readonly identity: WorkloadIdentity;
  /** What the pods must carry to act as the bound identity, and what to wait for. */
  readonly access: PodAccess;
  /** More resources the pods wait for, e.g. the cluster's identity agent. */
  readonly readyAfter?: readonly pulumi.Resource[];
  /**
   * How many times the verification Job tries before it fails, 10 s apart. IAM, federation and
   * role assignments take seconds to minutes to propagate.
   * @default the client's `attempts`, else 30
   */
  readonly verifyAttempts?: number;
  /**
   * Also run a Job as a second ServiceAccount, `<serviceAccount>-unbound`, that nothing trusts but
   * that claims the bound identity anyway: the cloud must explicitly refuse it, or `pulumi up`
   * fails. Proves the grant is this identity's only.
   * @default true
   */
  readonly proveDenial?: boolean;
}

/**
 * The pod-template annotation that carries the digest of the binding's proof inputs. A Job's
 * `.spec.template` is immutable, and pulumi-kubernetes replaces a Job whose template changed
 * (`forceNew` for batch/v1 Job `.spec.template`, provider/pkg/provider/diff.go): a changed trust,
 * permission or identity therefore replaces both proof Jobs, and `pulumi up` runs both again.
 */
export const PROOF_DIGEST_ANNOTATION = "workload-identity/proof-digest";

/**
 * On the Jobs' own metadata. By default, once a Job has failed, every later `pulumi up` waits on
 * that same failed Job again and fails (pulumi-kubernetes#856). With this annotation the provider
 * replaces a Job that did not become ready instead (`@pulumi/kubernetes` 4.34
 * `batch/v1/job.d.ts`, lines 22–25), so a fixed binding gets a fresh proof.
 */
export const REPLACE_UNREADY = { "pulumi.com/replaceUnready": "true" } as const;

/**
 * Pods each proof Job may run (`backoffLimit` = this − 1). A pod admitted before the binding took
 * effect never gets its credentials (webhooks and the Pod Identity agent act only at admission;
 * EKS associations take seconds to apply, see CreatePodIdentityAssociation in the EKS API
 * reference and aws/amazon-eks-pod-identity-webhook#264): it exits at once and the Job starts a
 * fresh pod, which is admitted later.
 */
export const JOB_PODS = 3;
/** Seconds a pod may need to be scheduled and pull its CLI image before its script runs. */
export const POD_START_SECONDS = 120;
/** Seconds one try of a proof script may take: its 10 s pause plus the CLI's own calls. */
export const TRY_SECONDS = 20;

/**
 * The Job's `activeDeadlineSeconds`, which bounds all its pods together: every pod's start, the
 * Job controller's back-off between failed pods (10 s, doubling each time; kubernetes.io "Pod
 * backoff failure policy"), and one pod running every try. Pods that fail at once (admitted too
 * early) cost only their start and back-off, so all `JOB_PODS` of them fit.
 */
export function jobDeadlineSeconds(attempts: number): number {
  let backoff = 0;
  for (let i = 0; i < JOB_PODS - 1; i++) backoff += 10 * 2 ** i;
  return JOB_PODS * POD_START_SECONDS + backoff + attempts * TRY_SECONDS;
}

/** How long Pulumi waits for a Job: its whole deadline, plus five minutes of slack. */
export function jobTimeout(deadlineSeconds: number): string {
  return `${Math.ceil(deadlineSeconds / 60) + 5}m`;
}

/**
 * sha256 of the resolved proof inputs, in order. Computed in `apply` (no resources are created
 * there); a secret input makes the digest a secret Output too.
 */
export function proofDigest(inputs: readonly pulumi.Input<string>[]): pulumi.Output<string> {
  return pulumi
    .all([...inputs])
    .apply((values) => createHash("sha256").update(JSON.stringify(values)).digest("hex"));
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The demo workload: its own namespace under Pod Security "restricted", the ServiceAccount the
 * binding trusts, a Job that reads `hello.txt` as the bound identity and fails (so `pulumi up`
 * fails) unless it reads `Hello, World!`, a Job that must see the cloud refuse a ServiceAccount
 * nothing trusts, and, once the first Job passed, a long-running pod to `kubectl exec` into.
 *
 * The ServiceAccount and the pods are created only after the binding is in place: identity
 * webhooks act at pod admission, so a pod admitted earlier never gets credentials.
 */
export class DemoWorkload extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly serviceAccountName: pulumi.Output<string>;
  public readonly deploymentName: pulumi.Output<string>;
  public readonly jobName: pulumi.Output<string>;
  /** The denial Job's name, when `proveDenial` is on. */
  public readonly denialJobName?: pulumi.Output<string>;
  /** sha256 of the binding's proof inputs, on every pod template. */
  public readonly proofDigest: pulumi.Output<string>;
  /** Prints hello.txt from inside the long-running pod. */
  public readonly verifyCommand: pulumi.Output<string>;

  constructor(name: string, args: DemoWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:k8s:DemoWorkload", name, {}, opts);
    const attempts = args.verifyAttempts ?? args.access.client.attempts ?? 30;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 60) {
      throw new pulumi.ResourceError(
        `verifyAttempts: expected a whole number from 1 to 60, got ${attempts}`,
        this,
      );
    }
    const { provider, access } = args;
    const { client, denial } = access;
    const proveDenial = args.proveDenial ?? true;
    const tokens = access.projectedTokens ?? [];
    const denialTokens = denial.projectedTokens ?? [];
    const files = access.files ?? [];
    this.checkAccess(access, proveDenial);
    for (const t of [...tokens, ...denialTokens]) {
      if (!Number.isInteger(t.expirationSeconds) || t.expirationSeconds < 600) {
        throw new pulumi.ResourceError(
          `projected token ${t.name}: expirationSeconds must be a whole number ≥ 600 (Kubernetes' minimum), got ${t.expirationSeconds}`,
          this,
        );
      }
    }
    for (const pod of [tokens, denialTokens]) {
      const volumeNames = ["tmp", ...pod.map((t) => t.name), ...files.map((f) => f.name)];
      const duplicate = volumeNames.find((n, i) => volumeNames.indexOf(n) !== i);
      if (duplicate) {
        throw new pulumi.ResourceError(`volume name ${duplicate} is used twice in the pod`, this);
      }
    }
    const readyAfter = [...access.readyAfter, ...(args.readyAfter ?? [])];
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "pulumi" };

    const ns = new core.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: args.identity.namespace,
          labels: {
            ...labels,
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
          },
        },
      },
      { parent: this, provider },
    );
    // An explicit name: an auto-named ServiceAccount would not match what the binding trusts.
    const sa = new core.ServiceAccount(
      `${name}-sa`,
      {
        metadata: {
          name: args.identity.serviceAccount,
          namespace: ns.metadata.name,
          labels,
          annotations: { ...access.serviceAccountAnnotations },
        },
      },
      { parent: this, provider, dependsOn: readyAfter },
    );

    // Non-secret files (credential configurations, never keys) come from one ConfigMap.
    const configMap =
      files.length > 0
        ? new core.ConfigMap(
            `${name}-files`,
            {
              metadata: { namespace: ns.metadata.name, labels },
              data: Object.fromEntries(files.map((f) => [f.name, f.content])),
            },
            { parent: this, provider },
          )
        : undefined;
    const volumes = podVolumes(tokens, files, configMap?.metadata.name);

    const env: PodEnvVar[] = [
      // A non-root UID cannot write to the image's home; /tmp is a writable emptyDir.
      { name: "HOME", value: "/tmp" },
      ...client.env,
      ...access.env,
      { name: "EXPECTED_IDENTITY", value: client.expectedIdentity },
    ];
    const podSpec = (command: pulumi.Input<string>[], restartPolicy: string) =>
      restrictedPodSpec({
        serviceAccountName: sa.metadata.name,
        image: client.image,
        command,
        env,
        restartPolicy,
        ...volumes,
      });
    const podLabels = { ...labels, ...access.podLabels };
    const podDeps = { parent: this, provider, dependsOn: [sa, ...readyAfter] };
    // On every pod template: a changed trust, permission or identity replaces both Jobs (their
    // template is immutable) and rolls the shell pod, so no pod keeps what an old binding gave it.
    this.proofDigest = proofDigest(access.proofInputs);
    const templateAnnotations = { [PROOF_DIGEST_ANNOTATION]: this.proofDigest };

    const deadlineSeconds = jobDeadlineSeconds(attempts);
    const timeout = jobTimeout(deadlineSeconds);
    const job = new batch.Job(
      `${name}-verify`,
      {
        metadata: { namespace: ns.metadata.name, labels, annotations: { ...REPLACE_UNREADY } },
        spec: {
          backoffLimit: JOB_PODS - 1,
          activeDeadlineSeconds: deadlineSeconds,
          template: {
            metadata: {
              labels: { ...podLabels, "app.kubernetes.io/component": "verify" },
              annotations: templateAnnotations,
            },
            spec: podSpec(
              ["/bin/sh", "-c", verifyScript(client, attempts, access.credentialVariables)],
              "Never",
            ),
          },
        },
      },
      // Pulumi waits for the Job to complete: a little longer than all its pods may run.
      { ...podDeps, customTimeouts: { create: timeout, update: timeout } },
    );

    // After the verification passed: its pod was admitted late enough to carry the credentials,
    // so this one is too, and `verifyCommand` works on the first try.
    const shell = new apps.Deployment(
      `${name}-shell`,
      {
        metadata: { namespace: ns.metadata.name, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { ...labels, "app.kubernetes.io/component": "shell" } },
          template: {
            metadata: {
              labels: { ...podLabels, "app.kubernetes.io/component": "shell" },
              annotations: templateAnnotations,
            },
            spec: podSpec(["sleep", "infinity"], "Always"),
          },
        },
      },
      { ...podDeps, dependsOn: [...podDeps.dependsOn, job] },
    );

    if (proveDenial) {
      this.denialJobName = this.denialJob(name, {
        args,
        namespace: ns.metadata.name,
        labels,
        templateAnnotations,
        files,
        configMapName: configMap?.metadata.name,
        after: job,
      });
    }

    const read = client.login
      ? pulumi.interpolate`sh -c '${client.login} && ${client.read}'`
      : pulumi.output(client.read);
    this.namespace = ns.metadata.name;
    this.serviceAccountName = sa.metadata.name;
    this.deploymentName = shell.metadata.name;
    this.jobName = job.metadata.name;
    this.verifyCommand = pulumi.interpolate`kubectl -n ${this.namespace} exec deploy/${this.deploymentName} -- ${read}`;
    this.registerOutputs({
      namespace: this.namespace,
      serviceAccountName: this.serviceAccountName,
      deploymentName: this.deploymentName,
      jobName: this.jobName,
      denialJobName: this.denialJobName,
      proofDigest: this.proofDigest,
      verifyCommand: this.verifyCommand,
    });
  }

  /** Refuses a binding whose proofs could not mean anything. */
  private checkAccess(access: PodAccess, proveDenial: boolean): void {
    const bad = access.credentialVariables.find((v) => !VARIABLE_NAME.test(v));
    if (bad !== undefined) {
      throw new pulumi.ResourceError(
        `credentialVariables: ${JSON.stringify(bad)} is not an environment variable name`,
        this,
      );
    }
    // Without inputs the digest never changes, and a changed binding would never be proven again.
    if (access.proofInputs.length === 0) {
      throw new pulumi.ResourceError(
        "proofInputs: empty; the binding must list its trust, permission and identity so a change re-runs the proofs",
        this,
      );
    }
    if (!proveDenial) return;
    if (access.client.refusal === "") {
      throw new pulumi.ResourceError(
        "client.refusal: empty; the denial needs the storage service's explicit refusal to match",
        this,
      );
    }
    // Nothing injects anything into a pod whose ServiceAccount no binding names.
    const denialEnv = new Set(access.denial.env.map((e) => e.name));
    const missing = access.credentialVariables.filter((v) => !denialEnv.has(v));
    if (missing.length > 0) {
      throw new pulumi.ResourceError(
        `denial.env: lacks ${missing.join(", ")}; the denial pod must claim the bound identity itself, since no webhook or agent injects it into an unbound pod`,
        this,
      );
    }
  }

  /**
   * The denial Job: as a ServiceAccount no binding names, claim the bound identity anyway (the
   * binding's `denial` env and tokens) and read hello.txt. Passes only on the cloud's explicit
   * refusal; a read, or any other failure, fails it.
   */
  private denialJob(
    name: string,
    a: {
      args: DemoWorkloadArgs;
      namespace: pulumi.Output<string>;
      labels: Record<string, string>;
      templateAnnotations: Record<string, pulumi.Input<string>>;
      files: readonly PodFile[];
      configMapName: pulumi.Input<string> | undefined;
      after: batch.Job;
    },
  ): pulumi.Output<string> {
    const { provider, access } = a.args;
    const { client, denial } = access;
    const unbound = new core.ServiceAccount(
      `${name}-unbound`,
      {
        metadata: {
          name: unboundServiceAccount(a.args.identity.serviceAccount),
          namespace: a.namespace,
          labels: a.labels,
        },
      },
      { parent: this, provider },
    );
    const attempts = DENIAL_ATTEMPTS;
    const deadlineSeconds = jobDeadlineSeconds(attempts);
    const timeout = jobTimeout(deadlineSeconds);
    const script = denialScript(client, {
      attempts,
      refusal: denial.refusal,
      credentialVariables: access.credentialVariables,
    });
    const job = new batch.Job(
      `${name}-deny`,
      {
        metadata: { namespace: a.namespace, labels: a.labels, annotations: { ...REPLACE_UNREADY } },
        spec: {
          backoffLimit: JOB_PODS - 1,
          activeDeadlineSeconds: deadlineSeconds,
          template: {
            metadata: {
              labels: { ...a.labels, ...denial.podLabels, "app.kubernetes.io/component": "deny" },
              annotations: a.templateAnnotations,
            },
            spec: restrictedPodSpec({
              serviceAccountName: unbound.metadata.name,
              image: client.image,
              command: ["/bin/sh", "-c", script],
              env: [{ name: "HOME", value: "/tmp" }, ...client.env, ...denial.env],
              restartPolicy: "Never",
              ...podVolumes(denial.projectedTokens ?? [], a.files, a.configMapName),
            }),
          },
        },
      },
      // After the bound pod has read: the grant is in force when the denial is tested.
      {
        parent: this,
        provider,
        dependsOn: [a.after, unbound],
        customTimeouts: { create: timeout, update: timeout },
      },
    );
    return job.metadata.name;
  }
}

/** Tries of the denial script; a transient error (DNS, a throttled call) is tried again. */
export const DENIAL_ATTEMPTS = 3;

/** The ServiceAccount nothing trusts, for the denial Job. */
export function unboundServiceAccount(serviceAccount: string): string {
  return `${serviceAccount}-unbound`;
}

/** A POSIX-shell single-quoted literal. */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Lines that exit at once, naming the first of `variables` that is unset or empty. */
function requireVariables(variables: readonly string[], why: string, code: number): string {
  return variables
    .map(
      (v) =>
        `[ -n "\${${v}:-}" ] || { echo "${code === 2 ? "FAILED" : "INCONCLUSIVE"}: ${v} is not set: ${why}" >&2; exit ${code}; }\n`,
    )
    .join("");
}

/**
 * The denial: as a ServiceAccount no binding names, claiming the bound identity, log in and read
 * hello.txt. Passes only when the output shows an explicit refusal (the storage service's
 * `client.refusal`, or the identity service's `refusal`). A read fails it at once; any other
 * failure (DNS, no token, a crash, an unknown error) is inconclusive: tried again, then it fails
 * with the CLI's output in the log.
 */
export function denialScript(
  client: PodAccess["client"],
  opts: {
    readonly attempts?: number;
    /** The identity service's explicit refusal (`PodAccess.denial.refusal`); may be empty. */
    readonly refusal?: string;
    readonly credentialVariables?: readonly string[];
  } = {},
): pulumi.Output<string> {
  const attempts = opts.attempts ?? DENIAL_ATTEMPTS;
  const refusal = [client.refusal, opts.refusal ?? ""].filter((r) => r !== "").join("|");
  const checks = requireVariables(
    opts.credentialVariables ?? [],
    "the denial pod sets it itself to claim the bound identity; without it there is nothing for the cloud to refuse",
    1,
  );
  return pulumi.interpolate`command -v ${client.cli} >/dev/null || { echo "INCONCLUSIVE: ${client.cli} is not in the image" >&2; exit 1; }
command -v grep >/dev/null || { echo "INCONCLUSIVE: grep is not in the image" >&2; exit 1; }
${checks}refusal=${shellQuote(refusal)}
attempt=1
while [ "$attempt" -le ${attempts} ]; do
  echo "attempt $attempt of ${attempts}"
  if out="$( { ${client.login ?? "true"} && ${client.read}; } 2>&1 )"; then
    echo "FAILED: an unbound ServiceAccount read hello.txt: $out" >&2
    exit 1
  fi
  if printf '%s\\n' "$out" | grep -Eq -e "$refusal"; then
    printf '%s\\n' "$out" | grep -E -e "$refusal"
    echo "denied, as it must be: the cloud explicitly refused an unbound ServiceAccount"
    exit 0
  fi
  printf 'no explicit refusal (inconclusive):\\n%s\\n' "$out"
  attempt=$((attempt + 1))
  sleep 10
done
echo "FAILED: inconclusive: the cloud never explicitly refused the unbound ServiceAccount (output above)" >&2
exit 1
`;
}

type Volume = k8sInputs.core.v1.Volume;
type VolumeMount = k8sInputs.core.v1.VolumeMount;

/** Volumes and read-only mounts for projected tokens and ConfigMap files. */
function podVolumes(
  tokens: readonly ProjectedToken[],
  files: readonly PodFile[],
  configMapName: pulumi.Input<string> | undefined,
): { volumes: Volume[]; volumeMounts: VolumeMount[] } {
  const volumes: Volume[] = [
    ...tokens.map((t) => ({
      name: t.name,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: t.audience,
              expirationSeconds: t.expirationSeconds,
              path: "token",
            },
          },
        ],
      },
    })),
    ...files.map((f) => ({
      name: f.name,
      configMap: { name: configMapName, items: [{ key: f.name, path: f.fileName }] },
    })),
  ];
  const volumeMounts: VolumeMount[] = [...tokens, ...files].map((v) => ({
    name: v.name,
    mountPath: v.mountPath,
    readOnly: true,
  }));
  return { volumes, volumeMounts };
}

interface RestrictedPodArgs {
  readonly serviceAccountName: pulumi.Input<string>;
  readonly image: string;
  readonly command: pulumi.Input<string>[];
  readonly env: readonly PodEnvVar[];
  readonly restartPolicy: string;
  /** Extra volumes, beside the writable /tmp. */
  readonly volumes?: readonly Volume[];
  readonly volumeMounts?: readonly VolumeMount[];
}

/** A single-container pod that meets Pod Security "restricted", with requests and limits. */
export function restrictedPodSpec(args: RestrictedPodArgs): k8sInputs.core.v1.PodSpec {
  return {
    serviceAccountName: args.serviceAccountName,
    restartPolicy: args.restartPolicy,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: POD_UID,
      runAsGroup: POD_UID,
      fsGroup: POD_UID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        name: "cli",
        image: args.image,
        command: args.command,
        env: args.env.map(({ name, value }) => ({ name, value })),
        securityContext: {
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
        resources: {
          requests: { cpu: "50m", memory: "128Mi" },
          limits: { cpu: "500m", memory: "768Mi" },
        },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...(args.volumeMounts ?? [])],
      },
    ],
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }, ...(args.volumes ?? [])],
  };
}

/**
 * The verification: exit at once if the pod lacks the variables its binding gives it (it was
 * admitted too early: retrying inside it cannot help, the Job starts a fresh pod); then log in if
 * the flow needs it, print who we are, insist it is the bound identity (not a node's fallback
 * credentials), read hello.txt and compare. Retries while IAM propagates; exits non-zero if it
 * never succeeds.
 */
export function verifyScript(
  client: PodAccess["client"],
  attempts: number,
  credentialVariables: readonly string[] = [],
): pulumi.Output<string> {
  const checks = requireVariables(
    credentialVariables,
    "this pod was admitted before its binding took effect (identity webhooks and the Pod Identity agent act only at pod admission), so retrying inside it cannot help; the Job starts a fresh pod",
    2,
  );
  const exact = client.identityMatch === "equals";
  const identityPattern = exact ? '"$EXPECTED_IDENTITY"' : '*"$EXPECTED_IDENTITY"*';
  const identityWords = exact ? "be exactly" : "contain";
  return pulumi.interpolate`set -u
${checks}attempt=1
while [ "$attempt" -le ${attempts} ]; do
  echo "attempt $attempt of ${attempts}"
  if ${client.login ?? "true"}; then
    if identity="$(${client.whoami})"; then
      echo "running as: $identity"
      case "$identity" in
        ${identityPattern})
          if content="$(${client.read})"; then
            if [ "$content" = "${HELLO_TEXT}" ]; then
              echo "read hello.txt: $content"
              exit 0
            fi
            echo "hello.txt holds something else: $content"
          fi
          ;;
        *) echo "not the bound identity: expected it to ${identityWords} $EXPECTED_IDENTITY" ;;
      esac
    fi
  fi
  attempt=$((attempt + 1))
  sleep 10
done
echo "FAILED: could not read hello.txt as the bound identity" >&2
exit 1
`;
}
