import * as containerservice from "@pulumi/azure-native/containerservice";
import * as resources from "@pulumi/azure-native/resources";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterOffer } from "../contracts";
import { nodeCountProblem } from "../k8s/cluster";
import { componentTags, type Tags } from "../tags";

/** The one node pool: AKS needs a System pool; its name is 1–12 lowercase letters and digits. */
export const SYSTEM_POOL = "system";

export interface AksClusterArgs {
  /** The Azure location of the resource group and the cluster, e.g. `swedencentral`. */
  readonly location: string;
  /**
   * Kubernetes version. Unset means the version AKS currently defaults to, so the demo never
   * lands on a version that needs the paid long-term support plan.
   */
  readonly kubernetesVersion?: string;
  /**
   * The node VM size: 2 vCPUs and 8 GiB leave room for the system add-ons (CoreDNS, the workload
   * identity webhook, …) and the demo pods on a single node.
   * @default "Standard_D2s_v5"
   */
  readonly vmSize?: string;
  /** @default 1 */
  readonly nodeCount?: number;
  readonly tags: Tags;
}

/**
 * An AKS cluster in a resource group of its own: free tier, one small Linux node in a System pool,
 * a system-assigned identity, the OIDC issuer and Microsoft Entra Workload ID (which installs the
 * mutating webhook) turned on. Offers a Kubernetes provider built from this cluster, its
 * kubeconfig (secret) and its OIDC issuer exactly as Azure reports it.
 *
 * The cluster keeps Kubernetes' local accounts and no Entra ID integration, so the user
 * credentials are a plain kubeconfig and nothing needs `kubelogin`.
 */
export class AksCluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly kind = "aks" as const;
  public readonly resourceGroupName: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  public readonly clusterId: pulumi.Output<string>;
  /** As AKS reports it, with its trailing `/`: federated credentials must match it byte for byte. */
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;
  /** The ManagedCluster: whatever needs the cluster and its add-ons in place waits for it. */
  public readonly managedCluster: containerservice.ManagedCluster;

  constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:azure:Cluster", name, {}, opts);
    const nodeCount = args.nodeCount ?? 1;
    const problem = nodeCountProblem(nodeCount);
    if (problem) throw new pulumi.ResourceError(problem, this);
    const tags = componentTags(args.tags, "cluster");

    const group = new resources.ResourceGroup(
      `${name}-rg`,
      { location: args.location, tags },
      { parent: this },
    );

    this.managedCluster = new containerservice.ManagedCluster(
      `${name}-aks`,
      {
        resourceGroupName: group.name,
        location: group.location,
        dnsPrefix: name,
        kubernetesVersion: args.kubernetesVersion,
        sku: {
          name: containerservice.ManagedClusterSKUName.Base,
          tier: containerservice.ManagedClusterSKUTier.Free,
        },
        identity: { type: containerservice.ResourceIdentityType.SystemAssigned },
        enableRBAC: true,
        agentPoolProfiles: [
          {
            name: SYSTEM_POOL,
            mode: containerservice.AgentPoolMode.System,
            type: containerservice.AgentPoolType.VirtualMachineScaleSets,
            osType: containerservice.OSType.Linux,
            vmSize: args.vmSize ?? "Standard_D2s_v5",
            count: nodeCount,
            enableAutoScaling: false,
          },
        ],
        // The issuer publishes the keys Entra checks ServiceAccount tokens against. It cannot be
        // turned off once on, and turning it on later changes the issuer URL.
        oidcIssuerProfile: { enabled: true },
        // Installs the mutating webhook that gives labelled pods their token and AZURE_* env.
        securityProfile: { workloadIdentity: { enabled: true } },
        tags,
      },
      { parent: this },
    );
    const cluster = this.managedCluster;

    this.resourceGroupName = group.name;
    this.clusterName = cluster.name;
    this.clusterId = cluster.id;
    // Verbatim: the trailing '/' is part of the issuer, and Entra compares strings (AADSTS70021).
    this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((profile) => {
      const issuer = profile?.issuerURL;
      if (!issuer) {
        throw new pulumi.ResourceError(
          "AKS reported no OIDC issuer URL although oidcIssuerProfile.enabled is true",
          this,
        );
      }
      return issuer;
    });

    // The cluster user's kubeconfig, which AKS returns base64-encoded.
    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
      { resourceGroupName: group.name, resourceName: cluster.name },
      { parent: this },
    );
    this.kubeconfig = pulumi.secret(
      credentials.kubeconfigs.apply((kubeconfigs) => {
        const encoded = kubeconfigs[0]?.value;
        if (!encoded) throw new pulumi.ResourceError("AKS returned no user kubeconfig", this);
        return Buffer.from(encoded, "base64").toString("utf8");
      }),
    );
    this.kubernetesProvider = new KubernetesProvider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, deleteUnreachable: true },
      { parent: this, dependsOn: [cluster] },
    );

    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      clusterName: this.clusterName,
      clusterId: this.clusterId,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
    });
  }
}
