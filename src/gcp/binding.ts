import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import type { BindingAccess, WorkloadIdentity } from "../core";
import { prefixCondition } from "./bucket";

export interface GkePrincipalArgs {
  /** The number of the project that hosts the pool, e.g. `123456789012`. */
  readonly projectNumber: pulumi.Input<string>;
  /** The pool, `<project ID>.svc.id.goog`, as the cluster reports it. */
  readonly workloadPool: pulumi.Input<string>;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * The IAM principal of one Kubernetes ServiceAccount under Workload Identity Federation for GKE:
 * `principal://iam.googleapis.com/projects/<NUMBER>/locations/global/workloadIdentityPools/<ID>.svc.id.goog/subject/ns/<ns>/sa/<sa>`.
 * The project *number* goes in the path and the project *ID* in the pool name; swapping them is
 * the classic mistake, and IAM accepts either string without complaint.
 */
export function gkePrincipal(args: GkePrincipalArgs): pulumi.Output<string> {
  return pulumi.interpolate`principal://iam.googleapis.com/projects/${args.projectNumber}/locations/global/workloadIdentityPools/${args.workloadPool}/subject/ns/${args.namespace}/sa/${args.serviceAccount}`;
}

export interface IdentityBindingArgs {
  /**
   * The cluster's pool, `<project ID>.svc.id.goog`: its `workloadIdentityConfig.workloadPool`
   * output (`Cluster.workloadPool`), never a string built beside it. The pool exists only once
   * the project's first Workload Identity cluster does, and a grant naming it before fails with
   * `Identity Pool does not exist` (terraform-google-kubernetes-engine#916); the output makes the
   * grant wait for the cluster.
   */
  readonly workloadPool: pulumi.Input<string>;
  /**
   * The number of the pool's project (the cluster's), e.g. `BucketWithPolicy.projectNumber`
   * of a bucket in that project. Read off a resource, never configured nor looked up.
   */
  readonly poolProjectNumber: pulumi.Input<string>;
  /** The namespace/ServiceAccount that may read. */
  readonly identity: WorkloadIdentity;
  readonly bucketName: pulumi.Input<string>;
  /** The role granted on the bucket, e.g. `BucketWithPolicy.readRole`. */
  readonly role: string;
  /**
   * Confine the role to the objects under this key prefix (an IAM condition, `prefixCondition`).
   * @default "" (the whole bucket, no condition)
   */
  readonly prefix?: string;
}

/** What is wrong with `args`, as messages; empty when nothing is. */
export function validateIdentityBindingArgs(args: IdentityBindingArgs): string[] {
  return args.role.startsWith("roles/")
    ? []
    : [
        `role: expected a role name such as roles/storage.objectViewer, got ${JSON.stringify(args.role)}`,
      ];
}

/**
 * Workload Identity Federation for GKE, the direct route: one non-authoritative IAM member on the
 * bucket (never the project) for exactly one namespace/ServiceAccount. No Google service account,
 * no key, no `iam.gke.io/gcp-service-account` annotation: the metadata server exchanges the pod's
 * token for a federated one, and IAM checks the `principal://` member.
 */
export class IdentityBinding extends pulumi.ComponentResource {
  /** The principal granted on the bucket. */
  public readonly member: pulumi.Output<string>;
  public readonly projectNumber: pulumi.Output<string>;
  public readonly podAccess: BindingAccess;

  constructor(name: string, args: IdentityBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:gcp:IdentityBinding", name, {}, opts);
    const problems = validateIdentityBindingArgs(args);
    // Stryker disable next-line StringLiteral: `validateIdentityBindingArgs` returns one problem at most, so the separator never shows.
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const { namespace, serviceAccount } = args.identity;

    // Both halves come from resources, so the member (and the grant) wait for them; no lookup of
    // the project (`getProject` needs the Cloud Resource Manager API, at every preview).
    this.projectNumber = pulumi.output(args.poolProjectNumber);
    this.member = gkePrincipal({
      projectNumber: args.poolProjectNumber,
      workloadPool: args.workloadPool,
      namespace,
      serviceAccount,
    });

    // A member, not a binding or policy: it adds one grant and leaves the bucket's others alone.
    const condition = prefixCondition(args.bucketName, args.prefix ?? "");
    const grant = new storage.BucketIAMMember(
      `${name}-read`,
      {
        bucket: args.bucketName,
        role: args.role,
        member: this.member,
        ...(condition ? { condition } : {}),
      },
      { parent: this },
    );

    this.podAccess = {
      identity: args.identity,
      serviceAccountAnnotations: {},
      podLabels: {},
      env: [],
      readyAfter: [grant],
      // Nothing is injected: the GKE metadata server answers every pod of a GKE_METADATA node.
      credentialVariables: [],
      // The grant as IAM holds it: principal (the identity), role (the permission), bucket.
      proofInputs: [
        grant.member,
        grant.role,
        grant.bucket,
        grant.condition.apply((c) => JSON.stringify(c ?? null)),
      ],
      // The metadata server gives every ServiceAccount its own principal; only the bucket's IAM
      // decides, so the denial pod carries nothing and Cloud Storage must refuse it.
      denial: { env: [], podLabels: {}, refusal: "" },
    };
    this.registerOutputs({ member: this.member, projectNumber: this.projectNumber });
  }
}
