import * as organizations from "@pulumi/gcp/organizations";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import type { PodAccess, WorkloadIdentity } from "../contracts";
import { gcsClient } from "./client";
import { workloadPool } from "./cluster";

export interface GkePrincipalArgs {
  /** The number of the project that hosts the pool, e.g. `123456789012`. */
  readonly projectNumber: pulumi.Input<string>;
  /** The ID of that project, e.g. `my-project`: it names the pool. */
  readonly projectId: string;
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
  const pool = workloadPool(args.projectId);
  return pulumi.interpolate`principal://iam.googleapis.com/projects/${args.projectNumber}/locations/global/workloadIdentityPools/${pool}/subject/ns/${args.namespace}/sa/${args.serviceAccount}`;
}

export interface GkeWorkloadIdentityBindingArgs {
  /** The ID of the project whose GKE cluster runs the pods (its pool is `<id>.svc.id.goog`). */
  readonly poolProject: string;
  /** The namespace/ServiceAccount that may read. */
  readonly identity: WorkloadIdentity;
  readonly bucketName: pulumi.Input<string>;
  /** The role granted on the bucket, e.g. `GcsBucketWithPolicy.readRole`. */
  readonly role: string;
  /** What the verification reads, e.g. `gs://<bucket>/hello.txt`. */
  readonly objectUrl: pulumi.Input<string>;
}

/**
 * Workload Identity Federation for GKE, the direct route: one non-authoritative IAM member on the
 * bucket (never the project) for exactly one namespace/ServiceAccount. No Google service account,
 * no key, no `iam.gke.io/gcp-service-account` annotation: the metadata server exchanges the pod's
 * token for a federated one, and IAM checks the `principal://` member.
 */
export class GkeWorkloadIdentityBinding extends pulumi.ComponentResource {
  /** The principal granted on the bucket. */
  public readonly member: pulumi.Output<string>;
  public readonly projectNumber: pulumi.Output<string>;
  public readonly podAccess: PodAccess;

  constructor(
    name: string,
    args: GkeWorkloadIdentityBindingArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("workload-identity:gcp:IdentityBinding", name, {}, opts);
    if (!args.role.startsWith("roles/")) {
      throw new pulumi.ResourceError(
        `role: expected a role name such as roles/storage.objectViewer, got ${JSON.stringify(args.role)}`,
        this,
      );
    }
    const { namespace, serviceAccount } = args.identity;

    // The number is looked up, never configured: it is what users get wrong.
    const project = organizations.getProjectOutput(
      { projectId: args.poolProject },
      { parent: this },
    );
    this.projectNumber = project.number;
    this.member = gkePrincipal({
      projectNumber: project.number,
      projectId: args.poolProject,
      namespace,
      serviceAccount,
    });

    // A member, not a binding or policy: it adds one grant and leaves the bucket's others alone.
    const grant = new storage.BucketIAMMember(
      `${name}-read`,
      { bucket: args.bucketName, role: args.role, member: this.member },
      { parent: this },
    );

    this.podAccess = {
      serviceAccountAnnotations: {},
      podLabels: {},
      env: [],
      client: gcsClient({
        objectUrl: args.objectUrl,
        workloadPool: workloadPool(args.poolProject),
      }),
      readyAfter: [grant],
      // Nothing is injected: the GKE metadata server answers every pod of a GKE_METADATA node.
      credentialVariables: [],
      // The grant as IAM holds it: principal (the identity), role (the permission), bucket.
      proofInputs: [grant.member, grant.role, grant.bucket],
      // The metadata server gives every ServiceAccount its own principal; only the bucket's IAM
      // decides, so the denial pod carries nothing and Cloud Storage must refuse it.
      denial: { env: [], podLabels: {}, refusal: "" },
    };
    this.registerOutputs({ member: this.member, projectNumber: this.projectNumber });
  }
}
