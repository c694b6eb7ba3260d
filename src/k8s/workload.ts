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
   * Also run a Job as a second ServiceAccount, `<serviceAccount>-unbound`, that nothing trusts:
   * it must fail to read hello.txt, or `pulumi up` fails. Proves the grant is this identity's only.
   * @default true
   */
  readonly proveDenial?: boolean;
}

/**
 * The demo workload: its own namespace under Pod Security "restricted", the ServiceAccount the
 * binding trusts, a long-running pod to `kubectl exec` into, and a Job that reads `hello.txt` as
 * the bound identity and fails (so `pulumi up` fails) unless it reads `Hello, World!`.
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
    const { client } = access;
    const tokens = access.projectedTokens ?? [];
    const files = access.files ?? [];
    for (const t of tokens) {
      if (!Number.isInteger(t.expirationSeconds) || t.expirationSeconds < 600) {
        throw new pulumi.ResourceError(
          `projected token ${t.name}: expirationSeconds must be a whole number ≥ 600 (Kubernetes' minimum), got ${t.expirationSeconds}`,
          this,
        );
      }
    }
    const volumeNames = ["tmp", ...tokens.map((t) => t.name), ...files.map((f) => f.name)];
    const duplicate = volumeNames.find((n, i) => volumeNames.indexOf(n) !== i);
    if (duplicate) {
      throw new pulumi.ResourceError(`volume name ${duplicate} is used twice in the pod`, this);
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
    const podSpec = (
      command: pulumi.Input<string>[],
      restartPolicy: string,
      serviceAccountName: pulumi.Input<string> = sa.metadata.name,
    ) =>
      restrictedPodSpec({
        serviceAccountName,
        image: client.image,
        command,
        env,
        restartPolicy,
        ...volumes,
      });
    const podLabels = { ...labels, ...access.podLabels };
    const podDeps = { parent: this, provider, dependsOn: [sa, ...readyAfter] };

    const shell = new apps.Deployment(
      `${name}-shell`,
      {
        metadata: { namespace: ns.metadata.name, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { ...labels, "app.kubernetes.io/component": "shell" } },
          template: {
            metadata: { labels: { ...podLabels, "app.kubernetes.io/component": "shell" } },
            spec: podSpec(["sleep", "infinity"], "Always"),
          },
        },
      },
      podDeps,
    );

    const deadlineSeconds = attempts * 20 + 120;
    const jobTimeout = `${Math.ceil(deadlineSeconds / 60) + 5}m`;
    const job = new batch.Job(
      `${name}-verify`,
      {
        metadata: { namespace: ns.metadata.name, labels },
        spec: {
          // The script retries; a second pod only covers a lost node.
          backoffLimit: 1,
          activeDeadlineSeconds: deadlineSeconds,
          template: {
            metadata: { labels: { ...podLabels, "app.kubernetes.io/component": "verify" } },
            spec: podSpec(["/bin/sh", "-c", verifyScript(client, attempts)], "Never"),
          },
        },
      },
      // Pulumi waits for the Job to complete: a little longer than the Job may run.
      { ...podDeps, customTimeouts: { create: jobTimeout, update: jobTimeout } },
    );

    if (args.proveDenial ?? true) {
      // Same image, env, token audience and labels as the bound pods; only the ServiceAccount
      // differs, so whatever it can read, anyone in the cluster could.
      const unbound = new core.ServiceAccount(
        `${name}-unbound`,
        {
          metadata: {
            name: unboundServiceAccount(args.identity.serviceAccount),
            namespace: ns.metadata.name,
            labels,
          },
        },
        { parent: this, provider },
      );
      const denial = new batch.Job(
        `${name}-deny`,
        {
          metadata: { namespace: ns.metadata.name, labels },
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 600,
            template: {
              metadata: { labels: { ...podLabels, "app.kubernetes.io/component": "deny" } },
              spec: podSpec(
                ["/bin/sh", "-c", denialScript(client)],
                "Never",
                unbound.metadata.name,
              ),
            },
          },
        },
        // After the bound pod has read: the grant is in force when the denial is tested.
        { parent: this, provider, dependsOn: [job, unbound], customTimeouts: { create: "15m" } },
      );
      this.denialJobName = denial.metadata.name;
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
      verifyCommand: this.verifyCommand,
    });
  }
}

/** The ServiceAccount nothing trusts, for the denial Job. */
export function unboundServiceAccount(serviceAccount: string): string {
  return `${serviceAccount}-unbound`;
}

/**
 * The denial: as a ServiceAccount no binding names, log in and read hello.txt a few times; pass
 * only if every read fails. The CLI must run, so a broken image cannot pass for a denial.
 */
export function denialScript(client: PodAccess["client"], attempts = 3): pulumi.Output<string> {
  // No `set -u`, and the login runs in a subshell: an unbound pod may lack the variables a bound
  // one gets (the AKS webhook injects no client ID without the annotation), which is a denial too.
  return pulumi.interpolate`command -v ${client.cli} >/dev/null || { echo "FAILED: ${client.cli} is not in the image" >&2; exit 1; }
attempt=1
while [ "$attempt" -le ${attempts} ]; do
  echo "attempt $attempt of ${attempts}"
  if content="$( ( ${client.login ?? "true"} ) >/dev/null 2>&1 && ${client.read} 2>/dev/null )"; then
    echo "FAILED: an unbound ServiceAccount read hello.txt: $content" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 10
done
echo "denied, as it must be: an unbound ServiceAccount cannot read hello.txt"
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
 * The verification: log in if the flow needs it, print who we are, insist it is the bound
 * identity (not a node's fallback credentials), read hello.txt and compare. Retries while IAM
 * propagates; exits non-zero if it never succeeds.
 */
export function verifyScript(client: PodAccess["client"], attempts: number): pulumi.Output<string> {
  return pulumi.interpolate`set -u
attempt=1
while [ "$attempt" -le ${attempts} ]; do
  echo "attempt $attempt of ${attempts}"
  if ${client.login ?? "true"}; then
    if identity="$(${client.whoami})"; then
      echo "running as: $identity"
      case "$identity" in
        *"$EXPECTED_IDENTITY"*)
          if content="$(${client.read})"; then
            if [ "$content" = "${HELLO_TEXT}" ]; then
              echo "read hello.txt: $content"
              exit 0
            fi
            echo "hello.txt holds something else: $content"
          fi
          ;;
        *) echo "not the bound identity: expected it to contain $EXPECTED_IDENTITY" ;;
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
