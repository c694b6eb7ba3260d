import * as apps from "@pulumi/kubernetes/apps/v1";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";

/** The DaemonSet GKE runs on every `GKE_METADATA` node once Workload Identity is on. */
export const GKE_METADATA_SERVER = {
  namespace: "kube-system",
  name: "gke-metadata-server",
} as const;

export interface IdentityAgentArgs {
  /** The provider built from our cluster. */
  readonly provider: KubernetesProvider;
  /** The node pools the metadata server runs on (each with `workloadMetadataConfig.mode = GKE_METADATA`). */
  readonly nodePools: readonly pulumi.Resource[];
  /**
   * The cluster is an existing one whose node pools the stack did not create (and never touches):
   * its Cluster component checked that every pool runs `GKE_METADATA`, and the provider waits for
   * that check, so no pool resource is needed here.
   * @default false
   */
  readonly adopted?: boolean;
}

/** What is wrong with `args`, as messages; empty when nothing is. */
export function validateIdentityAgentArgs(args: IdentityAgentArgs): string[] {
  return args.nodePools.length > 0 || args.adopted
    ? []
    : ["nodePools: expected at least one node pool for the metadata server to run on, got none"];
}

/**
 * The GKE metadata server, the identity agent of GKE: a DaemonSet GKE itself deploys and owns in
 * `kube-system` and runs on nodes whose pool sets `GKE_METADATA`. It intercepts the pod's calls to
 * `metadata.google.internal` and answers with tokens for the pod's Kubernetes ServiceAccount.
 *
 * Unlike EKS there is no add-on to install, so this component does not create it: it *reads* it,
 * through our cluster's provider, once the node pools exist. Pods that depend on this component
 * are therefore created only after the nodes are up, and `pulumi up` stops with the DaemonSet's
 * name if GKE never deployed it (Workload Identity off on the cluster). The node pools themselves
 * stay with the Cluster, whose Kubernetes provider must wait for them too.
 */
export class IdentityAgent extends pulumi.ComponentResource {
  /** The DaemonSet as read from the cluster (GKE owns it; Pulumi never changes or deletes it). */
  public readonly daemonSet: apps.DaemonSet;

  constructor(name: string, args: IdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:gcp:IdentityAgent", name, {}, opts);
    const problems = validateIdentityAgentArgs(args);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    this.daemonSet = apps.DaemonSet.get(
      `${name}-daemonset`,
      `${GKE_METADATA_SERVER.namespace}/${GKE_METADATA_SERVER.name}`,
      { parent: this, provider: args.provider, dependsOn: [...args.nodePools] },
    );
    this.registerOutputs({ daemonSet: this.daemonSet.metadata.name });
  }
}
