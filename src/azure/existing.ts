import * as containerservice from "@pulumi/azure-native/containerservice";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { clusterProvider } from "../k8s";
import type { ClusterOffer, NativeCluster } from "../core";
import { aksKubeconfig, userEndpoint } from "./cluster";

/**
 * An AKS cluster name: 1–63 letters, digits, '-' and '_', starting and ending with a letter or
 * digit (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcontainerservice,
 * `managedClusters`: "Alphanumerics, underscores, and hyphens. Start and end with alphanumeric.").
 */
const AKS_CLUSTER_NAME = /^[A-Za-z0-9](?:[-_A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

/** Why AKS would refuse `name` as a cluster's name, or undefined (for `existingCluster`). */
export function aksExistingNameProblem(name: string): string | undefined {
  return AKS_CLUSTER_NAME.test(name)
    ? undefined
    : "is not an AKS cluster name; AKS names are 1–63 letters, digits, '-' and '_', " +
        "starting and ending with a letter or digit";
}

/** What the adoption reads of a looked-up cluster (a subset of `GetManagedClusterResult`). */
export interface AksLookup {
  readonly name: string;
  readonly aadProfile?: { readonly managed?: boolean };
  readonly oidcIssuerProfile?: { readonly enabled?: boolean; readonly issuerURL?: string };
  readonly securityProfile?: { readonly workloadIdentity?: { readonly enabled?: boolean } };
}

/** Where the cluster was looked up, for the messages and their commands. */
export interface AksWhere {
  readonly resourceGroup: string;
  readonly name: string;
}

/**
 * What the existing cluster lacks, as messages naming the cluster, what is missing and the one
 * command that turns it on; empty when nothing is.
 *
 * - The OIDC issuer and Microsoft Entra Workload ID (the webhook add-on): Entra trusts the
 *   issuer's tokens, the webhook hands them to the pods
 *   (https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster#update-an-existing-aks-cluster).
 * - Managed Microsoft Entra ID integration: the stack signs in with `kubelogin` and the Azure CLI,
 *   never with a local account's static credential; a cluster without Entra ID is refused rather
 *   than reached with a certificate that lives in the state
 *   (https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id).
 */
export function aksPrerequisiteProblems(where: AksWhere, cluster: AksLookup): string[] {
  const label = `AKS cluster ${where.name} (resource group ${where.resourceGroup})`;
  const az = `az aks update --resource-group ${where.resourceGroup} --name ${where.name}`;
  const problems: string[] = [];
  const missing = [
    ...(cluster.oidcIssuerProfile?.enabled && cluster.oidcIssuerProfile.issuerURL
      ? []
      : [{ what: "the OIDC issuer", flag: "--enable-oidc-issuer" }]),
    ...(cluster.securityProfile?.workloadIdentity?.enabled
      ? []
      : [{ what: "Microsoft Entra Workload ID", flag: "--enable-workload-identity" }]),
  ];
  if (missing.length > 0) {
    problems.push(
      `${label} has ${missing.map((m) => m.what).join(" and ")} off; turn ` +
        `${missing.length > 1 ? "them" : "it"} on with \`${az} ${missing.map((m) => m.flag).join(" ")}\``,
    );
  }
  if (!cluster.aadProfile?.managed) {
    problems.push(
      `${label} has no managed Microsoft Entra ID integration: the stack signs in with kubelogin and ` +
        `never with a local account's static credential; turn it on with \`${az} --enable-aad\``,
    );
  }
  return problems;
}

export interface ExistingClusterArgs {
  /** The existing cluster's resource group. */
  readonly resourceGroupName: string;
  /** The existing cluster's name. */
  readonly clusterName: string;
}

/**
 * An existing AKS cluster, adopted: the same Cluster component as a created one (type token
 * `workload-identity:azure:Cluster`, the same offer), but it creates nothing in Azure: no resource
 * group, no cluster, no role assignment on it. It looks the cluster up (`getManagedCluster`, an
 * invoke: Pulumi never updates, tags, replaces or deletes what it only read), checks at every
 * preview and update that the OIDC issuer, Workload ID and Entra ID are on, and builds the
 * Kubernetes provider from the API server and CA of the cluster user's kubeconfig with `kubelogin`
 * (Entra sign-in, nothing that expires). The deploying identity must already be allowed in the
 * cluster (docs/aks-existing.md): the stack does not grant itself a role on what it did not create,
 * so it also has no role assignment to wait for.
 */
export class ExistingCluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly native: NativeCluster = { kind: "aks" };
  public readonly resourceGroupName: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  public readonly clusterId: pulumi.Output<string>;
  /** As AKS reports it, with its trailing `/`: federated credentials must match it byte for byte. */
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:azure:Cluster", name, {}, opts);
    const where: AksWhere = { resourceGroup: args.resourceGroupName, name: args.clusterName };
    // An invoke with known arguments: it runs at preview too, so a missing prerequisite fails the
    // preview (https://www.pulumi.com/docs/iac/concepts/functions/provider-functions/). Through
    // this component's azure-native provider (inherited from `parent`).
    const lookup = containerservice.getManagedClusterOutput(
      { resourceGroupName: args.resourceGroupName, resourceName: args.clusterName },
      { parent: this },
    );
    const checked = lookup.apply((cluster) => {
      const problems = aksPrerequisiteProblems(where, cluster);
      if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
      return {
        name: cluster.name,
        id: cluster.id,
        // Verbatim: the trailing '/' is part of the issuer, and Entra compares strings.
        issuer: cluster.oidcIssuerProfile?.issuerURL ?? "",
      };
    });

    this.resourceGroupName = pulumi.output(args.resourceGroupName);
    this.clusterName = checked.name;
    this.clusterId = checked.id;
    this.oidcIssuerUrl = checked.issuer;
    // Asked only once the check passed (the name comes from it): no credential of a cluster the
    // stack then refuses.
    const endpoint = userEndpoint(this, args.resourceGroupName, checked.name);
    this.kubeconfig = pulumi.secret(
      aksKubeconfig({
        name: checked.name,
        server: endpoint.server,
        certificateAuthority: endpoint.certificateAuthority,
      }),
    );
    this.kubernetesProvider = clusterProvider(`${name}-k8s`, this.kubeconfig, { parent: this });

    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      clusterName: this.clusterName,
      clusterId: this.clusterId,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
    });
  }
}
