/**
 * The small interfaces components hand each other. The cluster side says *who the workload is*
 * (issuer, namespace, ServiceAccount); the storage side decides *how that identity is trusted*;
 * the binding hands the pod *what it must carry*, and the demo workload applies it without
 * knowing which cloud asked.
 */
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";
import type { Workload } from "./settings";

/** The Kubernetes identity that is granted access: the pods run as exactly this. */
export interface WorkloadIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * What only a cluster of one kind offers, as data: the storage side reads it to choose its
 * mechanism (EKS Pod Identity needs the cluster's ARN; GKE's own principal needs its pool).
 */
export type NativeCluster =
  | {
      readonly kind: "eks";
      readonly clusterName: pulumi.Output<string>;
      readonly clusterArn: pulumi.Output<string>;
    }
  | {
      readonly kind: "gke";
      /** The project ID that holds the cluster and its pool. */
      readonly project: string;
      /** `<project>.svc.id.goog`, as GKE reports it once the pool exists. */
      readonly workloadPool: pulumi.Output<string>;
    }
  | { readonly kind: "aks" }
  | { readonly kind: "external" }
  | { readonly kind: "kind" };

/** What every Cluster component offers the resources that run on it or trust it. */
export interface ClusterOffer {
  readonly native: NativeCluster;
  readonly clusterName: pulumi.Output<string>;
  /** The cluster's OIDC issuer, with `https://`, exactly as the cloud reports it. */
  readonly oidcIssuerUrl: pulumi.Output<string>;
  /** A kubeconfig for this cluster; a secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** Built from `kubeconfig`: every Kubernetes object of this program uses it. */
  readonly kubernetesProvider: KubernetesProvider;
}

/** One environment variable a pod must carry. */
export interface PodEnvVar {
  readonly name: string;
  readonly value: pulumi.Input<string>;
}

/** How the verification talks to the bucket: a pinned CLI image and shell commands for it. */
export interface StorageClient {
  /** A pinned image with the cloud's CLI. */
  readonly image: string;
  /** The CLI's command (`aws`, `gcloud`, `az`): a denial only counts if the CLI itself runs. */
  readonly cli: string;
  /** Environment the CLI needs to run as a non-root user with a read-only root filesystem. */
  readonly env: readonly PodEnvVar[];
  /** Optional: obtains credentials before anything else (e.g. `az login --federated-token`). */
  readonly login?: pulumi.Input<string>;
  /** Prints the identity the pod acts as, so a fallback to node credentials cannot pass. */
  readonly whoami: pulumi.Input<string>;
  /** A string `whoami` must contain for the run to count (e.g. the role's name). */
  readonly expectedIdentity: pulumi.Input<string>;
  /**
   * `equals` where another identity's name can contain the expected one (a principal ending in
   * `…:demo:demo` is contained in `…:demo:demo-unbound`): `whoami` must print exactly it.
   * @default "contains"
   */
  readonly identityMatch?: "contains" | "equals";
  /** Prints `hello.txt` (the workload's own, `<prefix>hello.txt`) to stdout. */
  readonly read: pulumi.Input<string>;
  /**
   * Prints another object of the same bucket, by its key: the cross-workload denial reads another
   * workload's `hello.txt` with this client's identity, and must be refused.
   */
  readonly readKey?: (key: string) => pulumi.Input<string>;
  /**
   * For a workload that may write: how to write an object of its own under its prefix, read it
   * back and delete it (the verification does all three). Absent for readers.
   */
  readonly write?: WriteCommands;
  /**
   * An extended regular expression (`grep -E`) matching the storage service's explicit refusal in
   * the CLI's output (e.g. S3 `AccessDenied`): only that, or the identity service's refusal
   * (`PodAccess.denial.refusal`), counts as a denial; any other failure (DNS, no token, a crash)
   * leaves the denial unproven and fails the denial Job. Must not be empty.
   */
  readonly refusal: string;
  /**
   * How many tries (10 s apart) the verification needs to outlast this cloud's propagation delay.
   * @default 30
   */
  readonly attempts?: number;
}

/**
 * Shell commands for an object whose URL the verification puts in `$key` (under `prefixUrl`).
 */
export interface WriteCommands {
  /** The URL of the writer's prefix as the CLI spells it, e.g. `s3://<bucket>/team-a/`. */
  readonly prefixUrl: pulumi.Input<string>;
  /** Writes stdin to `$key`. */
  readonly put: pulumi.Input<string>;
  /** Prints `$key`. */
  readonly get: pulumi.Input<string>;
  /** Deletes `$key`. */
  readonly remove: pulumi.Input<string>;
}

/**
 * A ServiceAccount token the kubelet projects into the pod for a foreign cloud's token exchange:
 * `<mountPath>/token`, for `audience`, refreshed before it expires.
 */
export interface ProjectedToken {
  /** The volume name; unique within the pod. */
  readonly name: string;
  /** The `aud` claim the other cloud expects (the most common cause of failed exchanges). */
  readonly audience: pulumi.Input<string>;
  /** A directory of its own; the token is the file `token` in it. */
  readonly mountPath: string;
  /** At least 600 (Kubernetes' minimum). */
  readonly expirationSeconds: number;
}

/** A non-secret file the pod needs (e.g. a credential *configuration*, never a key). */
export interface PodFile {
  /** The volume name; unique within the pod. */
  readonly name: string;
  readonly mountPath: string;
  readonly fileName: string;
  readonly content: pulumi.Input<string>;
}

/**
 * What the denial pod carries. It runs as a ServiceAccount no binding names, yet claims the bound
 * identity anyway (same role ARN, client ID or credential configuration, with its own token), so
 * the cloud has to refuse it explicitly. Webhooks and agents inject nothing into a pod whose
 * ServiceAccount no binding names, so everything the bound pod would be given is set here by hand.
 */
export interface DenialAccess {
  /** The whole binding env of the denial pod (it replaces `PodAccess.env`, not added to it). */
  readonly env: readonly PodEnvVar[];
  /** Tokens the denial pod projects itself (replaces `PodAccess.projectedTokens`). */
  readonly projectedTokens?: readonly ProjectedToken[];
  /** Labels on the denial pod template (replaces `PodAccess.podLabels`). */
  readonly podLabels: Readonly<Record<string, string>>;
  /**
   * An extended regular expression matching the identity service's explicit refusal to hand this
   * ServiceAccount the bound identity (STS `AccessDenied` for AssumeRoleWithWebIdentity, Entra
   * `AADSTS700213`, EKS Auth via the Pod Identity agent). Empty where the identity service hands
   * every ServiceAccount of the cluster its own identity and only the storage service decides.
   */
  readonly refusal: string;
}

/** What a binding hands the pods: everything they must carry to act as the bound identity. */
export interface BindingAccess {
  /** The namespace/ServiceAccount this access was made for: the pods must run as exactly it. */
  readonly identity: WorkloadIdentity;
  readonly serviceAccountAnnotations: Readonly<Record<string, pulumi.Input<string>>>;
  /** Labels on the pod template (not the ServiceAccount). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly env: readonly PodEnvVar[];
  /** Tokens to project, for federation without a webhook. */
  readonly projectedTokens?: readonly ProjectedToken[];
  /** Files to mount from a ConfigMap the workload creates. */
  readonly files?: readonly PodFile[];
  /**
   * Environment variables a pod admitted after the binding carries (injected by the cloud's agent
   * or webhook, or set by the binding), e.g. `AWS_CONTAINER_CREDENTIALS_FULL_URI`. A pod without
   * them was admitted too early: retrying inside it cannot succeed, so the verification exits and
   * the Job starts a fresh pod. Empty where nothing is injected (GKE's metadata server).
   */
  readonly credentialVariables: readonly string[];
  /**
   * Everything that decides who is trusted and what they may do: trust and permission documents,
   * the bound identity (role ARN, principal, client ID). A digest of these annotates the proof
   * Jobs' pod template, so any change to them replaces the Jobs and re-runs both proofs.
   */
  readonly proofInputs: readonly pulumi.Input<string>[];
  /** How the denial pod claims the bound identity, and what counts as the cloud refusing it. */
  readonly denial: DenialAccess;
  /**
   * Resources the ServiceAccount and pods are created after: identity webhooks mutate pods only
   * at admission, so a pod admitted before its association never gets credentials.
   */
  readonly readyAfter: readonly pulumi.Resource[];
}

/** A binding's access with the client that proves it: what the demo workload runs. */
export interface PodAccess extends BindingAccess {
  readonly client: StorageClient;
}

/** The cluster half of a stack: the cluster, and what pods on it must wait for (its agent). */
export interface ClusterSide {
  readonly cluster: ClusterOffer;
  /** The cluster's IdentityAgent: pods that need it are created after it. */
  readonly agent: pulumi.Resource;
}

/** One workload's binding: what its pods carry, and the object they prove it with. */
export interface WorkloadAccess {
  readonly workload: Workload;
  /** Its `<prefix>hello.txt`, as the cloud's CLI spells it (`s3://…`, `gs://…`, `https://…`). */
  readonly objectUrl: pulumi.Output<string>;
  /** What the pods carry to be this workload's bound identity; `identity` is the workload's. */
  readonly access: PodAccess;
}

/** The storage half of a stack: one bucket, and one binding per workload, each to its prefix. */
export interface StorageSide {
  readonly bucketName: pulumi.Output<string>;
  /** The first workload's object, as the cloud's CLI spells it (`s3://…`, `gs://…`, `https://…`). */
  readonly objectUrl: pulumi.Output<string>;
  /** One per workload of the config, in its order. */
  readonly accesses: readonly WorkloadAccess[];
  /** Extra stack outputs of this storage/mechanism (the first workload's), e.g. `roleArn`. */
  readonly outputs: Readonly<Record<string, pulumi.Output<string>>>;
}

/** The stack outputs. `kubeconfig` is a secret; each storage adds its own (e.g. `roleArn`). */
export interface StackOutputs {
  readonly cluster: string;
  readonly storage: string;
  readonly clusterName: pulumi.Output<string>;
  readonly oidcIssuerUrl: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly bucketName: pulumi.Output<string>;
  readonly objectUrl: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly serviceAccount: pulumi.Output<string>;
  readonly verifyJob: pulumi.Output<string>;
  readonly verifyCommand: pulumi.Output<string>;
  readonly [extra: string]: pulumi.Output<string> | string;
}
