import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import { componentTags, type Tags } from "../core";

export const POD_IDENTITY_AGENT_ADDON = "eks-pod-identity-agent";

export interface IdentityAgentArgs {
  readonly clusterName: pulumi.Input<string>;
  /** The agent is a DaemonSet: the add-on only becomes ACTIVE once a node can run it. */
  readonly nodes: pulumi.Resource;
  /** Pin an add-on version; unset means the default for the cluster's Kubernetes version. */
  readonly addonVersion?: string;
  readonly tags: Tags;
}

/**
 * The EKS Pod Identity Agent add-on: a DaemonSet that serves credentials to pods on
 * 169.254.170.23. Workloads that need Pod Identity depend on this component.
 */
export class IdentityAgent extends pulumi.ComponentResource {
  public readonly addon: eks.Addon;

  constructor(name: string, args: IdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:aws:IdentityAgent", name, {}, opts);
    this.addon = new eks.Addon(
      `${name}-addon`,
      {
        clusterName: args.clusterName,
        addonName: POD_IDENTITY_AGENT_ADDON,
        addonVersion: args.addonVersion,
        tags: componentTags(args.tags, "identity-agent"),
      },
      { parent: this, dependsOn: [args.nodes] },
    );
    this.registerOutputs({ addonArn: this.addon.arn });
  }
}
