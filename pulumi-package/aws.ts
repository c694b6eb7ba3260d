/**
 * AWS for other languages: the S3 bucket, and the three ways a pod becomes an IAM role (EKS Pod
 * Identity, IRSA, web identity from any OIDC issuer). Thin wrappers over src/aws with serializable
 * Args. AWS resources use the calling program's `aws` provider (its `providers` resource option,
 * which the component provider hands to every child: @pulumi/pulumi provider/server.js
 * `construct`, `providers[pkg]`), or the default one of the stack's `aws:region`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "../src/aws";
import { identityProblems, packageTags, podOutputs, raise } from "./pod";
import type { PodConfigFile, PodEnvVariable, PodProjectedToken } from "./pod";

export interface S3BucketArgs {
  /** Tags on every AWS resource of the bucket, besides `managed-by` and `component`. */
  tags?: Record<string, string>;
}

/**
 * A private S3 bucket holding `hello.txt` (public access blocked, ACLs disabled, TLS only), and a
 * customer-managed IAM policy that lists and reads exactly this bucket, for a binding to attach.
 */
export class S3Bucket extends pulumi.ComponentResource {
  /** The bucket's name (generated, unique). */
  public readonly bucketName: pulumi.Output<string>;
  /** The bucket's ARN. */
  public readonly bucketArn: pulumi.Output<string>;
  /** The least-privilege read policy (s3:ListBucket, s3:GetObject on this bucket only). */
  public readonly readPolicyArn: pulumi.Output<string>;
  /** The read policy's JSON document, as IAM holds it. */
  public readonly readPolicyDocument: pulumi.Output<string>;
  /** `s3://<bucket>/hello.txt`. */
  public readonly objectUrl: pulumi.Output<string>;

  constructor(name: string, args: S3BucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:S3Bucket", name, {}, opts);
    const bucket = new aws.BucketWithPolicy(
      name,
      { tags: packageTags(args.tags) },
      { parent: this },
    );
    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.bucketArn;
    this.readPolicyArn = bucket.readPolicyArn;
    this.readPolicyDocument = bucket.readPolicyDocument;
    this.objectUrl = bucket.objectUrl;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      readPolicyArn: this.readPolicyArn,
      readPolicyDocument: this.readPolicyDocument,
      objectUrl: this.objectUrl,
    });
  }
}

export interface PodIdentityS3BindingArgs {
  /** The EKS cluster's name; its Pod Identity agent add-on must be installed. */
  clusterName: pulumi.Input<string>;
  /** The EKS cluster's ARN: the role trusts only sessions tagged with it. */
  clusterArn: pulumi.Input<string>;
  /** The Kubernetes namespace of the workload. */
  namespace: string;
  /** The workload's Kubernetes ServiceAccount: only pods running as it get the role. */
  serviceAccount: string;
  /** The IAM policy the role gets, e.g. `S3Bucket.readPolicyArn`. */
  policyArn: pulumi.Input<string>;
  /** Tags on the role and the association, besides `managed-by` and `component`. */
  tags?: Record<string, string>;
}

/**
 * EKS Pod Identity for one namespace/ServiceAccount: an IAM role only EKS Pod Identity can assume,
 * for this cluster and ServiceAccount only, the given policy attached, and the association. The
 * agent injects the credentials: pods carry nothing (all pod outputs are empty).
 */
export class PodIdentityS3Binding extends pulumi.ComponentResource {
  /** The role's ARN. */
  public readonly roleArn: pulumi.Output<string>;
  /** The Pod Identity association's ID. */
  public readonly associationId: pulumi.Output<string>;
  /** Annotations for the ServiceAccount (none: the association names it). */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Labels for the pod template (none). */
  public readonly podLabels: pulumi.Output<Record<string, string>>;
  /** Environment the containers set (none: the agent injects it). */
  public readonly env: pulumi.Output<PodEnvVariable[]>;
  /** Tokens the pod projects itself (none: the agent's webhook projects its own). */
  public readonly projectedTokens: pulumi.Output<PodProjectedToken[]>;
  /** Files the pod mounts (none). */
  public readonly files: pulumi.Output<PodConfigFile[]>;

  constructor(
    name: string,
    args: PodIdentityS3BindingArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("workload-identity:index:PodIdentityS3Binding", name, {}, opts);
    raise(identityProblems(args.namespace, args.serviceAccount), this);
    const binding = new aws.IdentityBinding(
      name,
      {
        clusterName: args.clusterName,
        clusterArn: args.clusterArn,
        identity: { namespace: args.namespace, serviceAccount: args.serviceAccount },
        policyArn: args.policyArn,
        tags: packageTags(args.tags),
      },
      { parent: this },
    );
    this.roleArn = binding.roleArn;
    this.associationId = binding.associationId;
    const pod = podOutputs(binding.podAccess);
    this.serviceAccountAnnotations = pod.serviceAccountAnnotations;
    this.podLabels = pod.podLabels;
    this.env = pod.env;
    this.projectedTokens = pod.projectedTokens;
    this.files = pod.files;
    this.registerOutputs({ roleArn: this.roleArn, associationId: this.associationId, ...pod });
  }
}

export interface IrsaS3BindingArgs {
  /** The EKS cluster's OIDC issuer, with `https://`, exactly as EKS reports it. */
  issuerUrl: pulumi.Input<string>;
  /** The Kubernetes namespace of the workload. */
  namespace: string;
  /** The workload's Kubernetes ServiceAccount: only its tokens can assume the role. */
  serviceAccount: string;
  /** The IAM policy the role gets, e.g. `S3Bucket.readPolicyArn`. */
  policyArn: pulumi.Input<string>;
  /**
   * Use the account's existing IAM OIDC provider for the issuer instead of creating one (IAM
   * allows one per issuer URL; an existing EKS cluster usually has it). Preview fails, naming the
   * fix, if it is missing or lacks the `sts.amazonaws.com` audience. Default: false (create it).
   */
  existingOidcProvider?: boolean;
  /** The cluster's name, for messages about its IAM OIDC provider. Default: the issuer URL. */
  clusterName?: string;
  /** Tags on the role and the OIDC provider, besides `managed-by` and `component`. */
  tags?: Record<string, string>;
}

/**
 * IRSA for one namespace/ServiceAccount: an IAM OIDC provider for the EKS cluster's issuer (or
 * the existing one), a role only `system:serviceaccount:<ns>:<sa>` of that issuer can assume with
 * the STS audience, and the given policy attached. The ServiceAccount carries the role ARN
 * annotation; EKS's webhook injects the token and env.
 */
export class IrsaS3Binding extends pulumi.ComponentResource {
  /** The role's ARN. */
  public readonly roleArn: pulumi.Output<string>;
  /** The IAM OIDC provider's ARN. */
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** Annotations for the ServiceAccount: `eks.amazonaws.com/role-arn`. */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Labels for the pod template (none). */
  public readonly podLabels: pulumi.Output<Record<string, string>>;
  /** Environment the containers set (none: the webhook injects it). */
  public readonly env: pulumi.Output<PodEnvVariable[]>;
  /** Tokens the pod projects itself (none: the webhook projects it). */
  public readonly projectedTokens: pulumi.Output<PodProjectedToken[]>;
  /** Files the pod mounts (none). */
  public readonly files: pulumi.Output<PodConfigFile[]>;

  constructor(name: string, args: IrsaS3BindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:IrsaS3Binding", name, {}, opts);
    const binding = webIdentity(this, name, args, "irsa");
    this.roleArn = binding.roleArn;
    this.oidcProviderArn = binding.oidcProviderArn;
    const pod = podOutputs(binding.podAccess);
    this.serviceAccountAnnotations = pod.serviceAccountAnnotations;
    this.podLabels = pod.podLabels;
    this.env = pod.env;
    this.projectedTokens = pod.projectedTokens;
    this.files = pod.files;
    this.registerOutputs({ roleArn: this.roleArn, oidcProviderArn: this.oidcProviderArn, ...pod });
  }
}

export interface OidcS3BindingArgs {
  /**
   * The OIDC issuer of the cluster whose ServiceAccount tokens AWS trusts (GKE, AKS, or any
   * cluster), with `https://`, exactly as its tokens carry it in `iss`.
   */
  issuerUrl: pulumi.Input<string>;
  /** The Kubernetes namespace of the workload. */
  namespace: string;
  /** The workload's Kubernetes ServiceAccount: only its tokens can assume the role. */
  serviceAccount: string;
  /** The IAM policy the role gets, e.g. `S3Bucket.readPolicyArn`. */
  policyArn: pulumi.Input<string>;
  /**
   * Use the account's existing IAM OIDC provider for the issuer instead of creating one (IAM
   * allows one per issuer URL). Default: false (create it).
   */
  existingOidcProvider?: boolean;
  /** The cluster's name, for messages about its IAM OIDC provider. Default: the issuer URL. */
  clusterName?: string;
  /** Tags on the role and the OIDC provider, besides `managed-by` and `component`. */
  tags?: Record<string, string>;
}

/**
 * Web identity federation from any OIDC issuer into AWS: an IAM OIDC provider for the issuer, a
 * role only `system:serviceaccount:<ns>:<sa>` of that issuer can assume with the STS audience,
 * and the given policy attached. No webhook: the pod projects its own token for
 * `sts.amazonaws.com` and sets AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_SESSION_NAME.
 */
export class OidcS3Binding extends pulumi.ComponentResource {
  /** The role's ARN. */
  public readonly roleArn: pulumi.Output<string>;
  /** The IAM OIDC provider's ARN. */
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** Annotations for the ServiceAccount (none). */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Labels for the pod template (none). */
  public readonly podLabels: pulumi.Output<Record<string, string>>;
  /** Environment the containers set: the role, the token file, the session name. */
  public readonly env: pulumi.Output<PodEnvVariable[]>;
  /** The token the pod projects: audience `sts.amazonaws.com`. */
  public readonly projectedTokens: pulumi.Output<PodProjectedToken[]>;
  /** Files the pod mounts (none). */
  public readonly files: pulumi.Output<PodConfigFile[]>;

  constructor(name: string, args: OidcS3BindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:OidcS3Binding", name, {}, opts);
    const binding = webIdentity(this, name, args, "projected");
    this.roleArn = binding.roleArn;
    this.oidcProviderArn = binding.oidcProviderArn;
    const pod = podOutputs(binding.podAccess);
    this.serviceAccountAnnotations = pod.serviceAccountAnnotations;
    this.podLabels = pod.podLabels;
    this.env = pod.env;
    this.projectedTokens = pod.projectedTokens;
    this.files = pod.files;
    this.registerOutputs({ roleArn: this.roleArn, oidcProviderArn: this.oidcProviderArn, ...pod });
  }
}

/** The web identity binding both IRSA and federation wrap. */
function webIdentity(
  parent: pulumi.ComponentResource,
  name: string,
  args: IrsaS3BindingArgs | OidcS3BindingArgs,
  delivery: "irsa" | "projected",
): aws.WebIdentityBinding {
  raise(identityProblems(args.namespace, args.serviceAccount), parent);
  return new aws.WebIdentityBinding(
    name,
    {
      issuerUrl: args.issuerUrl,
      identity: { namespace: args.namespace, serviceAccount: args.serviceAccount },
      policyArn: args.policyArn,
      delivery,
      existingOidcProvider: args.existingOidcProvider
        ? { cluster: args.clusterName ?? "with this issuer" }
        : undefined,
      tags: packageTags(args.tags),
    },
    { parent },
  );
}
