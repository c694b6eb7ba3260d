import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import { componentTags, type BindingAccess, type Tags, type WorkloadIdentity } from "../core";
import { podIdentityDenial } from "./client";
import { podIdentityTrust } from "./policies";
import { readerRole } from "./role";

export interface IdentityBindingArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  /** The namespace/ServiceAccount that may assume the role. */
  readonly identity: WorkloadIdentity;
  /** The policy the role gets, e.g. `BucketWithPolicy.readPolicyArn`. */
  readonly policyArn: pulumi.Input<string>;
  readonly tags: Tags;
}

/**
 * EKS Pod Identity for one namespace/ServiceAccount: an IAM role only EKS Pod Identity can assume,
 * and only for this cluster and this ServiceAccount; the given policy attached; and the
 * association. One binding per ServiceAccount; a cluster can have many.
 */
export class IdentityBinding extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;
  public readonly associationId: pulumi.Output<string>;
  public readonly podAccess: BindingAccess;

  constructor(name: string, args: IdentityBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:aws:IdentityBinding", name, {}, opts);
    const tags = componentTags(args.tags, "identity-binding");
    const { namespace, serviceAccount } = args.identity;

    const { role, permissions } = readerRole(
      name,
      {
        description: `EKS Pod Identity for ${namespace}/${serviceAccount}`,
        trust: podIdentityTrust({ clusterArn: args.clusterArn, namespace, serviceAccount }),
        policyArn: args.policyArn,
        tags,
      },
      this,
    );
    // Created once the role can read: a pod that gets credentials gets working ones.
    const association = new eks.PodIdentityAssociation(
      `${name}-association`,
      { clusterName: args.clusterName, namespace, serviceAccount, roleArn: role.arn, tags },
      { parent: this, dependsOn: [permissions] },
    );

    this.roleArn = role.arn;
    this.roleName = role.name;
    this.associationId = association.associationId;
    this.podAccess = {
      identity: args.identity,
      serviceAccountAnnotations: {},
      podLabels: {},
      env: [],
      readyAfter: [association],
      // What EKS injects into a pod of an associated ServiceAccount (EKS "pod-id-how-it-works").
      credentialVariables: [
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      ],
      // The trust as IAM holds it, the identity, and the association. The permission is known here
      // only by its policy ARN; the storage side adds the policy's document (aws/compose.ts).
      proofInputs: [
        role.arn,
        role.assumeRolePolicy,
        args.policyArn,
        association.clusterName,
        association.namespace,
        association.serviceAccount,
      ],
      denial: podIdentityDenial(),
    };
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      associationId: this.associationId,
    });
  }
}
