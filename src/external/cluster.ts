import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { clusterProvider } from "../k8s";
import type { ClusterOffer, NativeCluster } from "../core";
import { currentCluster } from "./kubeconfig";

export interface ClusterArgs {
  /**
   * The kubeconfig's contents (from the stack's secret config). Its current context picks the
   * cluster; it is handed on only as a secret.
   */
  readonly kubeconfig: string;
  /** The cluster's issuer, `https://…`, exactly as its tokens carry it in `iss`. */
  readonly oidcIssuerUrl: string;
}

/** Why `args` cannot describe a cluster, as messages that never quote the kubeconfig. */
export function validateClusterArgs(args: ClusterArgs): string[] {
  const found = currentCluster(args.kubeconfig);
  return "problem" in found ? [`kubeconfig: ${found.problem}`] : [];
}

/**
 * A cluster this stack did not create and never changes: any conformant Kubernetes cluster,
 * reached through the given kubeconfig and trusted through its own OIDC issuer. It registers no
 * cloud resource, only the Kubernetes provider every object of the program uses; the demo's
 * objects live in their own namespace, and are all the stack creates in the cluster.
 */
export class Cluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly native: NativeCluster = { kind: "external" };
  /** The kubeconfig current context's cluster name. */
  public readonly clusterName: pulumi.Output<string>;
  /** As configured: nothing reports it for a cluster outside the three clouds. */
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  /** The configured kubeconfig, as a secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:external:Cluster", name, {}, opts);
    const [problem] = validateClusterArgs(args);
    if (problem) throw new pulumi.ResourceError(problem, this);
    const found = currentCluster(args.kubeconfig);
    this.clusterName = pulumi.output("name" in found ? found.name : "");
    this.oidcIssuerUrl = pulumi.output(args.oidcIssuerUrl);
    this.kubeconfig = pulumi.secret(args.kubeconfig);

    this.kubernetesProvider = clusterProvider(`${name}-k8s`, this.kubeconfig, { parent: this });

    this.registerOutputs({
      clusterName: this.clusterName,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
    });
  }
}
