/**
 * Google Cloud for other languages: the Cloud Storage bucket, GKE's own principal, and federation
 * from any OIDC issuer through a Workload Identity pool. Thin wrappers over src/gcp with
 * serializable Args. Google Cloud resources use the calling program's `gcp` provider (its
 * `providers` resource option, handed to every child: @pulumi/pulumi provider/server.js
 * `construct`), or the default one; the project is always an argument, never the provider's.
 */
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "../src/gcp";
import { identityProblems, packageTags, podOutputs, raise } from "./pod";
import type { PodConfigFile, PodEnvVariable, PodProjectedToken } from "./pod";

export interface GcsBucketArgs {
  /** The project ID that holds the bucket. */
  project: string;
  /** The bucket's location, e.g. `europe-north1` or `EU`. */
  location: string;
  /** The bucket is named `<namePrefix>-<12 random hex>` (lowercase letters, digits, '-'). */
  namePrefix: string;
  /** Labels on the bucket, besides `managed-by` and `component` (Google Cloud label rules). */
  tags?: Record<string, string>;
}

/**
 * A private Cloud Storage bucket holding `hello.txt`: uniform bucket-level access, public access
 * prevention enforced. Bindings grant `readRole` (roles/storage.objectViewer) on it, no wider.
 */
export class GcsBucket extends pulumi.ComponentResource {
  /** The bucket's name. */
  public readonly bucketName: pulumi.Output<string>;
  /** `gs://<bucket>/hello.txt`. */
  public readonly objectUrl: pulumi.Output<string>;
  /** The role a binding grants on this bucket to read it: `roles/storage.objectViewer`. */
  public readonly readRole: pulumi.Output<string>;
  /** The number of the bucket's project, as Cloud Storage reports it. */
  public readonly projectNumber: pulumi.Output<string>;

  constructor(name: string, args: GcsBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:GcsBucket", name, {}, opts);
    const bucket = new gcp.BucketWithPolicy(
      name,
      {
        project: args.project,
        location: args.location,
        namePrefix: args.namePrefix,
        tags: packageTags(args.tags),
      },
      { parent: this },
    );
    this.bucketName = bucket.bucketName;
    this.objectUrl = bucket.objectUrl;
    this.readRole = pulumi.output(bucket.readRole);
    this.projectNumber = bucket.projectNumber;
    this.registerOutputs({
      bucketName: this.bucketName,
      objectUrl: this.objectUrl,
      readRole: this.readRole,
      projectNumber: this.projectNumber,
    });
  }
}

export interface GkeGcsBindingArgs {
  /** The GKE cluster's project ID: its pool is `<clusterProject>.svc.id.goog`. */
  clusterProject: string;
  /** The number of the cluster's project, e.g. `GcsBucket.projectNumber` of a bucket in it. */
  clusterProjectNumber: pulumi.Input<string>;
  /** The Kubernetes namespace of the workload. */
  namespace: string;
  /** The workload's Kubernetes ServiceAccount: only its principal gets the role. */
  serviceAccount: string;
  /** The bucket the workload reads. */
  bucketName: pulumi.Input<string>;
  /** The role granted on the bucket. Default: `roles/storage.objectViewer`. */
  role?: string;
}

/**
 * Workload Identity Federation for GKE, the direct route: one IAM member on the bucket (never the
 * project) for the ServiceAccount's own `principal://` identity. No Google service account, no
 * key, no annotation: GKE's metadata server answers the pod, so pods carry nothing.
 */
export class GkeGcsBinding extends pulumi.ComponentResource {
  /** The principal granted on the bucket. */
  public readonly member: pulumi.Output<string>;
  /** Annotations for the ServiceAccount (none). */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Labels for the pod template (none). */
  public readonly podLabels: pulumi.Output<Record<string, string>>;
  /** Environment the containers set (none). */
  public readonly env: pulumi.Output<PodEnvVariable[]>;
  /** Tokens the pod projects itself (none). */
  public readonly projectedTokens: pulumi.Output<PodProjectedToken[]>;
  /** Files the pod mounts (none). */
  public readonly files: pulumi.Output<PodConfigFile[]>;

  constructor(name: string, args: GkeGcsBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:GkeGcsBinding", name, {}, opts);
    raise(identityProblems(args.namespace, args.serviceAccount), this);
    // GKE names a project's pool after its ID (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity).
    const binding = new gcp.IdentityBinding(
      name,
      {
        workloadPool: `${args.clusterProject}.svc.id.goog`,
        poolProjectNumber: args.clusterProjectNumber,
        identity: { namespace: args.namespace, serviceAccount: args.serviceAccount },
        bucketName: args.bucketName,
        role: args.role ?? gcp.GCS_READ_ROLE,
      },
      { parent: this },
    );
    this.member = binding.member;
    const pod = podOutputs(binding.podAccess);
    this.serviceAccountAnnotations = pod.serviceAccountAnnotations;
    this.podLabels = pod.podLabels;
    this.env = pod.env;
    this.projectedTokens = pod.projectedTokens;
    this.files = pod.files;
    this.registerOutputs({ member: this.member, ...pod });
  }
}

export interface OidcGcsBindingArgs {
  /** The project ID that holds the Workload Identity pool (and usually the bucket). */
  project: string;
  /**
   * The OIDC issuer of the cluster whose ServiceAccount tokens Google Cloud trusts (EKS, AKS, or
   * any cluster), with `https://`, exactly as its tokens carry it in `iss`.
   */
  issuerUrl: pulumi.Input<string>;
  /** The Kubernetes namespace of the workload. */
  namespace: string;
  /** The workload's Kubernetes ServiceAccount: only its principal gets the role. */
  serviceAccount: string;
  /** The bucket the workload reads. */
  bucketName: pulumi.Input<string>;
  /** The role granted on the bucket. Default: `roles/storage.objectViewer`. */
  role?: string;
  /** The pool id is `<poolIdPrefix>-<6 random>` (4–32 of a-z, 0-9, '-'). Default: `k8s`. */
  poolIdPrefix?: string;
}

/**
 * Workload Identity Federation from any OIDC issuer into Google Cloud: a pool (random id) with an
 * OIDC provider for the issuer, and the role on the bucket for exactly
 * `principal://…/subject/system:serviceaccount:<ns>:<sa>`. The pod projects a token for the
 * provider's audience and mounts an external_account credential configuration (no key).
 */
export class OidcGcsBinding extends pulumi.ComponentResource {
  /** The principal granted on the bucket. */
  public readonly member: pulumi.Output<string>;
  /** The Workload Identity pool's id. */
  public readonly poolId: pulumi.Output<string>;
  /** The audience the pod's token carries and the pool's provider allows. */
  public readonly audience: pulumi.Output<string>;
  /** The external_account credential configuration (JSON) the pod mounts; it holds no secret. */
  public readonly credentialConfiguration: pulumi.Output<string>;
  /** Annotations for the ServiceAccount (none). */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Labels for the pod template (none). */
  public readonly podLabels: pulumi.Output<Record<string, string>>;
  /** Environment the containers set: GOOGLE_APPLICATION_CREDENTIALS. */
  public readonly env: pulumi.Output<PodEnvVariable[]>;
  /** The token the pod projects, for `audience`. */
  public readonly projectedTokens: pulumi.Output<PodProjectedToken[]>;
  /** The credential configuration file the pod mounts. */
  public readonly files: pulumi.Output<PodConfigFile[]>;

  constructor(name: string, args: OidcGcsBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:OidcGcsBinding", name, {}, opts);
    raise(identityProblems(args.namespace, args.serviceAccount), this);
    const binding = new gcp.FederatedIdentityBinding(
      name,
      {
        project: args.project,
        issuerUrl: args.issuerUrl,
        identity: { namespace: args.namespace, serviceAccount: args.serviceAccount },
        bucketName: args.bucketName,
        role: args.role ?? gcp.GCS_READ_ROLE,
        poolIdPrefix: args.poolIdPrefix ?? "k8s",
      },
      { parent: this },
    );
    this.member = binding.member;
    this.poolId = binding.poolId;
    this.audience = binding.audience;
    const pod = podOutputs(binding.podAccess);
    this.credentialConfiguration = pod.files.apply((files) => files[0]?.content ?? "");
    this.serviceAccountAnnotations = pod.serviceAccountAnnotations;
    this.podLabels = pod.podLabels;
    this.env = pod.env;
    this.projectedTokens = pod.projectedTokens;
    this.files = pod.files;
    this.registerOutputs({
      member: this.member,
      poolId: this.poolId,
      audience: this.audience,
      credentialConfiguration: this.credentialConfiguration,
      ...pod,
    });
  }
}
