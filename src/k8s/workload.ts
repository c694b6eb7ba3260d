import * as apps from "@pulumi/kubernetes/apps/v1";
import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import type * as k8sInputs from "@pulumi/kubernetes/types/input";

/** A restricted pod spec running `command` as the workload's ServiceAccount, with its env. */
type PodSpecOf = (
  command: pulumi.Input<string>[],
  restartPolicy: string,
  extraEnv?: readonly PodEnvVar[],
) => k8sInputs.core.v1.PodSpec;
import * as pulumi from "@pulumi/pulumi";
import {
  unboundServiceAccount,
  type PodAccess,
  type PodEnvVar,
  type PodFile,
  type WorkloadIdentity,
} from "../core";
import { podVolumes, restrictedPodSpec } from "./pod";
import {
  DENIAL_ATTEMPTS,
  denialScript,
  JOB_PODS,
  jobDeadlineSeconds,
  jobTimeout,
  PROOF_DIGEST_ANNOTATION,
  proofDigest,
  REPLACE_UNREADY,
  verifyScript,
} from "./proofs";

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
  /**
   * The namespace, when another DemoWorkload of the same namespace created it (its `namespace`
   * output): a namespace is created once, by the first workload in it.
   * @default this component creates `identity.namespace`
   */
  readonly sharedNamespace?: pulumi.Input<string>;
  /**
   * Another workload's object this one must be refused: a Job running as this ServiceAccount, with
   * everything the bound pods carry, reads it and passes only on the storage service's explicit
   * refusal (`client.refusal`). Needs `client.readKey`.
   */
  readonly crossDenial?: {
    /** The other object's key in the same bucket, e.g. `team-b/hello.txt`. */
    readonly key: string;
    /** Its URL: the Job waits for it to exist (and names it in its env). */
    readonly objectUrl: pulumi.Input<string>;
    /** Whose it is, for names and messages. */
    readonly owner: WorkloadIdentity;
  };
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How many tries the verification makes: the args', else the client's, else 30. */
function verifyAttempts(args: DemoWorkloadArgs): number {
  return args.verifyAttempts ?? args.access.client.attempts ?? 30;
}

/**
 * What is wrong with `args`, as messages naming the argument; empty when nothing is. The
 * constructor raises them as one `ResourceError`; tests and other programs can call it directly.
 */
export function validateDemoWorkloadArgs(args: DemoWorkloadArgs): string[] {
  const problems: string[] = [];
  const { access, identity } = args;
  const attempts = verifyAttempts(args);
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 60) {
    problems.push(`verifyAttempts: expected a whole number from 1 to 60, got ${attempts}`);
  }
  // The pods run as `identity`; the binding must have been made for exactly it.
  if (
    access.identity.namespace !== identity.namespace ||
    access.identity.serviceAccount !== identity.serviceAccount
  ) {
    problems.push(
      `access: made for ${access.identity.namespace}/${access.identity.serviceAccount}, ` +
        `but the pods run as ${identity.namespace}/${identity.serviceAccount}`,
    );
  }
  if (args.crossDenial && !access.client.readKey) {
    problems.push("crossDenial: the client has no readKey to read another workload's object with");
  }
  const bad = access.credentialVariables.find((v) => !VARIABLE_NAME.test(v));
  if (bad !== undefined) {
    problems.push(
      `credentialVariables: ${JSON.stringify(bad)} is not an environment variable name`,
    );
  }
  // Without inputs the digest never changes, and a changed binding would never be proven again.
  if (access.proofInputs.length === 0) {
    problems.push(
      "proofInputs: empty; the binding must list its trust, permission and identity so a change re-runs the proofs",
    );
  }
  const tokens = access.projectedTokens ?? [];
  const denialTokens = access.denial.projectedTokens ?? [];
  for (const t of [...tokens, ...denialTokens]) {
    if (!Number.isInteger(t.expirationSeconds) || t.expirationSeconds < 600) {
      problems.push(
        `projected token ${t.name}: expirationSeconds must be a whole number ≥ 600 (Kubernetes' minimum), got ${t.expirationSeconds}`,
      );
    }
  }
  const files = access.files ?? [];
  for (const pod of [tokens, denialTokens]) {
    const volumeNames = ["tmp", ...pod.map((t) => t.name), ...files.map((f) => f.name)];
    const duplicate = volumeNames.find((n, i) => volumeNames.indexOf(n) !== i);
    if (duplicate) problems.push(`volume name ${duplicate} is used twice in the pod`);
  }
  if (!(args.proveDenial ?? true)) return problems;
  if (access.client.refusal === "") {
    problems.push(
      "client.refusal: empty; the denial needs the storage service's explicit refusal to match",
    );
  }
  // Nothing injects anything into a pod whose ServiceAccount no binding names.
  const denialEnv = new Set(access.denial.env.map((e) => e.name));
  const missing = access.credentialVariables.filter((v) => !denialEnv.has(v));
  if (missing.length > 0) {
    problems.push(
      `denial.env: lacks ${missing.join(", ")}; the denial pod must claim the bound identity itself, since no webhook or agent injects it into an unbound pod`,
    );
  }
  return problems;
}

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
  /** The cross-workload denial Job's name, when `crossDenial` is given. */
  public readonly crossDenialJobName?: pulumi.Output<string>;
  /** sha256 of the binding's proof inputs, on every pod template. */
  public readonly proofDigest: pulumi.Output<string>;
  /** Prints hello.txt from inside the long-running pod. */
  public readonly verifyCommand: pulumi.Output<string>;

  constructor(name: string, args: DemoWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:k8s:DemoWorkload", name, {}, opts);
    const problems = validateDemoWorkloadArgs(args);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const attempts = verifyAttempts(args);
    const { provider, access } = args;
    const { client } = access;
    const proveDenial = args.proveDenial ?? true;
    const tokens = access.projectedTokens ?? [];
    const files = access.files ?? [];
    const readyAfter = [...access.readyAfter, ...(args.readyAfter ?? [])];
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "pulumi" };

    const ns =
      args.sharedNamespace !== undefined
        ? { metadata: { name: pulumi.output(args.sharedNamespace) } }
        : new core.Namespace(
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
    const podSpec: PodSpecOf = (command, restartPolicy, extraEnv = []) =>
      restrictedPodSpec({
        serviceAccountName: sa.metadata.name,
        image: client.image,
        command,
        env: [...env, ...extraEnv],
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

    if (args.crossDenial) {
      this.crossDenialJobName = this.crossDenialJob(name, {
        args,
        crossDenial: args.crossDenial,
        podSpec,
        namespace: ns.metadata.name,
        labels,
        podLabels,
        templateAnnotations,
        after: job,
        podDeps,
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
      crossDenialJobName: this.crossDenialJobName,
      proofDigest: this.proofDigest,
      verifyCommand: this.verifyCommand,
    });
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

  /**
   * The cross-workload denial: as this workload's own ServiceAccount, with everything its bound
   * pods carry, read another workload's object. The identity service hands out this workload's
   * credentials as it must; only the storage service's explicit refusal (`client.refusal`) passes.
   */
  private crossDenialJob(
    name: string,
    a: {
      args: DemoWorkloadArgs;
      crossDenial: NonNullable<DemoWorkloadArgs["crossDenial"]>;
      podSpec: PodSpecOf;
      namespace: pulumi.Output<string>;
      labels: Record<string, string>;
      podLabels: Record<string, string>;
      templateAnnotations: Record<string, pulumi.Input<string>>;
      after: batch.Job;
      podDeps: {
        parent: pulumi.Resource;
        provider: KubernetesProvider;
        dependsOn: pulumi.Resource[];
      };
    },
  ): pulumi.Output<string> {
    const { client, credentialVariables } = a.args.access;
    const { key, owner, objectUrl } = a.crossDenial;
    const other = `${owner.namespace}/${owner.serviceAccount}`;
    const script = denialScript(
      { ...client, read: client.readKey!(key) },
      {
        attempts: DENIAL_ATTEMPTS,
        // Only the storage service decides here: this workload's identity is genuinely its own.
        refusal: "",
        credentialVariables,
        what: `it read ${key}, the object of workload ${other}`,
      },
    );
    const attempts = DENIAL_ATTEMPTS;
    const deadlineSeconds = jobDeadlineSeconds(attempts);
    const timeout = jobTimeout(deadlineSeconds);
    const job = new batch.Job(
      `${name}-cross-deny`,
      {
        metadata: { namespace: a.namespace, labels: a.labels, annotations: { ...REPLACE_UNREADY } },
        spec: {
          backoffLimit: JOB_PODS - 1,
          activeDeadlineSeconds: deadlineSeconds,
          template: {
            metadata: {
              labels: { ...a.podLabels, "app.kubernetes.io/component": "cross-deny" },
              annotations: a.templateAnnotations,
            },
            // The other object's URL: a data dependency, so it exists before this reads it.
            spec: a.podSpec(["/bin/sh", "-c", script], "Never", [
              { name: "OTHER_OBJECT", value: objectUrl },
            ]),
          },
        },
      },
      // After this workload's own read passed: its grant is in force when the refusal is tested.
      {
        ...a.podDeps,
        dependsOn: [...a.podDeps.dependsOn, a.after],
        customTimeouts: { create: timeout, update: timeout },
      },
    );
    return job.metadata.name;
  }
}
