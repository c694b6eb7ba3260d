import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as resources from "@pulumi/azure-native/resources";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import type { ClusterOffer, NativeCluster, Tags } from "../core";
import { componentTags } from "../core";
import { clusterProvider, execKubeconfig, nodeCountProblem } from "../k8s";
import { KUBELOGIN_ARGS, KubernetesAccess } from "./access";
import { roleDefinitionId } from "./bucket";

/** The one node pool: AKS needs a System pool; its name is 1–12 lowercase letters and digits. */
export const SYSTEM_POOL = "system";

/**
 * Azure Kubernetes Service RBAC Cluster Admin: every Kubernetes action in every namespace, through
 * Azure RBAC (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers#azure-kubernetes-service-rbac-cluster-admin).
 */
export const AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";

/**
 * AKS refuses a node resource group name over 80 characters ("The length of the node resource
 * group name is too long. The maximum length is 80", https://aka.ms/aks-naming-rules; e.g.
 * Azure/aad-pod-identity#810). Resource group names take 1–90 of `[-\w._()]`, not ending in '.'
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftresources).
 */
export const NODE_RESOURCE_GROUP_MAX = 80;
const NODE_RESOURCE_GROUP_SUFFIX = "-nodes";

/**
 * The node resource group: the cluster's own group name plus `-nodes`, cut to fit 80 characters.
 * Left to AKS it is `MC_<group>_<cluster>_<location>`, which outgrows 80 with Pulumi's random
 * suffixes on both names (`prod-eu-01` in northeurope gives 81). The group name carries Pulumi's
 * random suffix, so the name is ours alone in the subscription; AKS creates the group and refuses
 * one that exists.
 */
export function nodeResourceGroupName(clusterGroupName: string): string {
  const base = clusterGroupName.slice(
    0,
    NODE_RESOURCE_GROUP_MAX - NODE_RESOURCE_GROUP_SUFFIX.length,
  );
  return `${base.replace(/\.+$/, "")}${NODE_RESOURCE_GROUP_SUFFIX}`;
}

/**
 * The Azure CLI's application ID: the `clientId` getClientConfig reports when a *user* signed in
 * with `az login` deploys (as azurerm's `azurerm_client_config` does); a service principal or
 * managed identity reports its own.
 */
export const AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/**
 * The deployer's `principalType` for its role assignment. It cannot be left unset: the SDK then
 * sends "User" (@pulumi/azure-native `authorization/roleAssignment.js`:
 * `args?.principalType ?? "User"`), and ARM refuses a type that does not match the principal
 * (`UnmatchedPrincipalType`). getClientConfig reports no type, so it is read off the client ID.
 */
export function deployerPrincipalType(clientId: string): "User" | "ServicePrincipal" {
  return clientId === AZURE_CLI_APP_ID ? "User" : "ServicePrincipal";
}

/** The open default of `apiAllowedCidrs`. */
const ANYWHERE = "0.0.0.0/0";

/**
 * `apiServerAccessProfile.authorizedIPRanges` for the allowed CIDRs, or undefined for exactly
 * `["0.0.0.0/0"]`: no list is AKS's own "reachable from anywhere", while a list holding
 * 0.0.0.0/0 would still switch the cluster into authorized-ranges mode for no gain. AKS wants each
 * range by its first address (`137.117.106.88/29`, not `.90/29`) and also lets in the cluster's own
 * outbound IP (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges).
 */
export function authorizedIpRanges(cidrs: readonly string[]): string[] | undefined {
  if (cidrs.length === 1 && cidrs[0] === ANYWHERE) return undefined;
  return [...cidrs];
}

/** Why AKS would refuse one of `cidrs` as an authorized range, or undefined. */
export function authorizedIpRangesProblem(cidrs: readonly string[]): string | undefined {
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split("/");
    const value = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(bits));
    if (value % size !== 0) {
      const first = value - (value % size);
      const dotted = [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
      return (
        `apiAllowedCidrs: ${JSON.stringify(cidr)} is not the first address of its range; ` +
        `AKS wants ${dotted}/${bits}`
      );
    }
  }
  return undefined;
}

/** What is wrong with `args`, as messages; empty when nothing is. */
export function validateClusterArgs(args: ClusterArgs): string[] {
  return [
    nodeCountProblem(args.nodeCount ?? 1),
    authorizedIpRangesProblem(args.apiAllowedCidrs ?? [ANYWHERE]),
  ].filter((p): p is string => p !== undefined);
}

/** The API server URL and CA of a kubeconfig AKS returned; its user entry is never read. */
export function clusterEndpoint(kubeconfig: string): {
  server: string;
  certificateAuthority: string;
} {
  const doc = parseYaml(kubeconfig) as {
    clusters?: { cluster?: { server?: string; "certificate-authority-data"?: string } }[];
  };
  const cluster = doc?.clusters?.[0]?.cluster;
  if (!cluster?.server || !cluster["certificate-authority-data"]) {
    throw new Error("the kubeconfig AKS returned names no API server and CA");
  }
  return { server: cluster.server, certificateAuthority: cluster["certificate-authority-data"] };
}

export interface ClusterArgs {
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
  /**
   * IPv4 CIDRs allowed to reach the API server; the machine running `pulumi up` must be inside
   * one. `["0.0.0.0/0"]` leaves the endpoint open (see `authorizedIpRanges`).
   * @default ["0.0.0.0/0"]
   */
  readonly apiAllowedCidrs?: readonly string[];
  readonly tags: Tags;
}

/**
 * An AKS cluster in a resource group of its own: free tier, one small Linux node in a System pool,
 * a system-assigned identity, the OIDC issuer and Microsoft Entra Workload ID (which installs the
 * mutating webhook) turned on. Offers a Kubernetes provider built from this cluster, its
 * kubeconfig (secret) and its OIDC issuer exactly as Azure reports it.
 *
 * Nobody signs in with a cluster secret: local accounts are off, people and pipelines sign in with
 * Microsoft Entra ID and are authorised by Azure RBAC. The identity running `pulumi up` gets
 * "Azure Kubernetes Service RBAC Cluster Admin" on this cluster, and the kubeconfig asks
 * `kubelogin` for a token from the Azure CLI's signed-in identity. No Kubernetes call is made
 * before that role has taken effect (`KubernetesAccess`).
 */
export class Cluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly native: NativeCluster = { kind: "aks" };
  public readonly resourceGroupName: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  public readonly clusterId: pulumi.Output<string>;
  /** As AKS reports it, with its trailing `/`: federated credentials must match it byte for byte. */
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  /** Holds no credential (it runs `kubelogin`), but stays secret like every cluster's. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;
  /** The ManagedCluster: whatever needs the cluster and its add-ons in place waits for it. */
  public readonly managedCluster: containerservice.ManagedCluster;
  /** The deploying identity's "Azure Kubernetes Service RBAC Cluster Admin" on this cluster. */
  public readonly adminAssignment: authorization.RoleAssignment;
  /** Completes once `adminAssignment` has taken effect in the cluster. */
  public readonly access: KubernetesAccess;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:azure:Cluster", name, {}, opts);
    const problems = validateClusterArgs(args);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const nodeCount = args.nodeCount ?? 1;
    const authorizedIPRanges = authorizedIpRanges(args.apiAllowedCidrs ?? [ANYWHERE]);
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
        // Bounded and ours; AKS's MC_<group>_<cluster>_<location> can pass its 80-character limit.
        nodeResourceGroup: group.name.apply(nodeResourceGroupName),
        sku: {
          name: containerservice.ManagedClusterSKUName.Base,
          tier: containerservice.ManagedClusterSKUTier.Free,
        },
        identity: { type: containerservice.ResourceIdentityType.SystemAssigned },
        enableRBAC: true,
        // Entra ID sign-in, Azure RBAC authorisation, and no local accounts: "getting static
        // credentials will be disabled for this cluster", which needs Entra ID
        // (@pulumi/azure-native containerservice/managedCluster.d.ts, `disableLocalAccounts`).
        aadProfile: { managed: true, enableAzureRBAC: true },
        disableLocalAccounts: true,
        ...(authorizedIPRanges ? { apiServerAccessProfile: { authorizedIPRanges } } : {}),
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

    this.adminAssignment = this.deployerAdmin(name, cluster);
    const endpoint = userEndpoint(this, group.name, cluster.name);
    this.access = new KubernetesAccess(
      `${name}-access`,
      {
        server: endpoint.server,
        certificateAuthority: endpoint.certificateAuthority,
        roleAssignmentId: this.adminAssignment.id,
      },
      { parent: this, dependsOn: [this.adminAssignment] },
    );
    this.kubeconfig = pulumi.secret(
      aksKubeconfig({
        name: cluster.name,
        server: endpoint.server,
        certificateAuthority: endpoint.certificateAuthority,
      }),
    );
    // Every object and read through this provider waits for the cluster and for the deployer's
    // role to take effect.
    this.kubernetesProvider = clusterProvider(`${name}-k8s`, this.kubeconfig, {
      parent: this,
      dependsOn: [cluster, this.adminAssignment, this.access],
    });

    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      clusterName: this.clusterName,
      clusterId: this.clusterId,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
    });
  }

  /**
   * "Azure Kubernetes Service RBAC Cluster Admin" on the cluster for whoever runs `pulumi up`
   * (getClientConfig's objectId: the signed-in user's, or the service principal's).
   */
  private deployerAdmin(
    name: string,
    cluster: containerservice.ManagedCluster,
  ): authorization.RoleAssignment {
    const client = authorization.getClientConfigOutput({ parent: this });
    return new authorization.RoleAssignment(
      `${name}-admin`,
      {
        principalId: client.objectId,
        principalType: client.clientId.apply(deployerPrincipalType),
        roleDefinitionId: roleDefinitionId(client.subscriptionId, AKS_RBAC_CLUSTER_ADMIN),
        scope: cluster.id,
      },
      { parent: this },
    );
  }
}

/**
 * The API server and CA of an AKS cluster, from the cluster user's kubeconfig
 * (`listClusterUserCredential`, a read that changes nothing on the cluster). With Entra ID AKS
 * returns only a kubelogin user entry, which holds no secret; only the cluster entry is read. The
 * admin credential (a local account) is never asked for.
 */
export function userEndpoint(
  parent: pulumi.Resource,
  resourceGroupName: pulumi.Input<string>,
  clusterName: pulumi.Input<string>,
): { server: pulumi.Output<string>; certificateAuthority: pulumi.Output<string> } {
  const credentials = containerservice.listManagedClusterUserCredentialsOutput(
    { resourceGroupName, resourceName: clusterName },
    { parent },
  );
  const endpoint = credentials.kubeconfigs.apply((kubeconfigs) => {
    const encoded = kubeconfigs[0]?.value;
    if (!encoded) throw new pulumi.ResourceError("AKS returned no user kubeconfig", parent);
    try {
      return clusterEndpoint(Buffer.from(encoded, "base64").toString("utf8"));
    } catch (e) {
      throw new pulumi.ResourceError((e as Error).message, parent);
    }
  });
  return { server: endpoint.server, certificateAuthority: endpoint.certificateAuthority };
}

interface KubeconfigArgs {
  readonly name: pulumi.Input<string>;
  /** The API server URL, with `https://` and port, as AKS reports it. */
  readonly server: pulumi.Input<string>;
  /** Base64 PEM, as AKS reports it. */
  readonly certificateAuthority: pulumi.Input<string>;
}

/**
 * A kubeconfig that asks `kubelogin` for an Entra ID token for the AKS server application from
 * the Azure CLI's signed-in identity on every call: no secret in the file, nothing to expire.
 * The arguments are those `kubelogin convert-kubeconfig -l azurecli` writes.
 */
export function aksKubeconfig(args: KubeconfigArgs): pulumi.Output<string> {
  return execKubeconfig({
    name: args.name,
    server: args.server,
    certificateAuthority: args.certificateAuthority,
    exec: {
      command: "kubelogin",
      args: [...KUBELOGIN_ARGS],
      installHint:
        "Install kubelogin: az aks install-cli, or see https://azure.github.io/kubelogin/install.html",
      provideClusterInfo: false,
    },
  });
}
