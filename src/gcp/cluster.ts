import * as container from "@pulumi/gcp/container";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterOffer, NativeCluster, Tags } from "../core";
import { componentTags } from "../core";
import { clusterProvider, execKubeconfig, nodeCountProblem } from "../k8s";
import { gcpLabels } from "./labels";

/**
 * The APIs the cluster side calls. Enabling is idempotent and they stay enabled on destroy:
 * other things in the project may use them.
 */
export const CLUSTER_APIS = [
  "compute.googleapis.com",
  "container.googleapis.com",
  // Service accounts.
  "iam.googleapis.com",
  // Project IAM policy (the node service account's role).
  "cloudresourcemanager.googleapis.com",
] as const;

/**
 * What the node service account may do: write logs and metrics, read monitoring, nothing else (no
 * Storage). GKE's documented least-privilege role for nodes; public images need no pull role.
 */
export const NODE_SERVICE_ACCOUNT_ROLES = ["roles/container.defaultNodeServiceAccount"] as const;

/**
 * Nodes that run the GKE metadata server: pods get their Kubernetes ServiceAccount's federated
 * identity instead of the node's service account (`GCE_METADATA` would hand them the node's).
 */
export const GKE_METADATA = "GKE_METADATA";

/** GKE's limit on cluster and node pool names. */
const GKE_NAME_MAX = 40;
/** What Pulumi's auto-naming appends: `-` and seven random characters. */
const AUTONAME_SUFFIX = 8;
/** Authorized networks per cluster (cloud.google.com/kubernetes-engine/quotas). */
const MAX_AUTHORIZED_NETWORKS = 50;
/** A Google service account ID: 6–30 characters, RFC 1035. */
const SERVICE_ACCOUNT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

/**
 * The workload identity pool to ask GKE for: named after the project ID. Only the cluster's input;
 * everything that names the pool takes it from the cluster's output (`Cluster.workloadPool`).
 */
export function workloadPool(project: string): string {
  return `${project}.svc.id.goog`;
}

/** Every IPv4 address: the config's default, as open as GKE is without authorized networks. */
export const ANYWHERE = "0.0.0.0/0";

/** The input type of `masterAuthorizedNetworksConfig`, with plain values. */
export interface AuthorizedNetworks {
  readonly cidrBlocks: { readonly cidrBlock: string; readonly displayName: string }[];
  readonly gcpPublicCidrsAccessEnabled: boolean;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Why a CIDR is no authorized network, or undefined. The provider checks `cidrBlock` with
 * `validation.IsCIDRNetwork(0, 32)` (terraform-provider-google,
 * google/services/container/resource_container_cluster.go, `cidrBlockConfig`), which refuses any
 * spelling but Go's own of the network address (terraform-plugin-sdk,
 * helper/validation/network.go: `v != ipnet.String()`): `203.0.113.7/24` and `010.0.0.0/8` fail
 * there, halfway through an update, so they are refused here first.
 */
export function authorizedNetworkProblem(cidr: string): string | undefined {
  const m = IPV4_CIDR.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits > 32) {
    return `apiAllowedCidrs: ${JSON.stringify(cidr)} is not an IPv4 CIDR such as "203.0.113.0/24"`;
  }
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const network = address - (address % 2 ** (32 - bits));
  const canonical = `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join(".")}/${bits}`;
  if (canonical !== cidr) {
    return `apiAllowedCidrs: ${JSON.stringify(cidr)} is not a network address; GKE takes "${canonical}"`;
  }
  return undefined;
}

/**
 * The control plane's authorized networks, always written out, also for the open default.
 *
 * Leaving the block unset for `["0.0.0.0/0"]` would be the same on a new cluster (authorized
 * networks off: reachable from anywhere, credentials still required), but not on a deployed one:
 * `master_authorized_networks_config` is Optional+Computed in the provider
 * (google/services/container/resource_container_cluster.go, since hashicorp/terraform-provider-google#13128), so an absent block
 * means "keep what the cluster has". A stack narrowed once and set back to the default would keep
 * its old list with an empty diff. Written out, `0.0.0.0/0` shows in every preview, both ways.
 *
 * A narrowed list also turns off `gcpPublicCidrsAccessEnabled`: otherwise every Compute Engine
 * VM's public address, anyone's, may reach the endpoint too
 * (cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks). GKE always lets the
 * cluster's own nodes in (`container/cluster.d.ts`, `masterAuthorizedNetworksConfig`).
 */
export function authorizedNetworks(cidrs: readonly string[]): AuthorizedNetworks {
  return {
    cidrBlocks: cidrs.map((cidrBlock, i) => ({ cidrBlock, displayName: `apiAllowedCidrs[${i}]` })),
    gcpPublicCidrsAccessEnabled: cidrs.includes(ANYWHERE),
  };
}

export interface ClusterArgs {
  /** The project ID (not its number): the cluster, its node service account and its pool live here. */
  readonly project: string;
  /**
   * A zone makes a zonal cluster (one control plane, the cheaper and faster choice); a region makes
   * a regional one, with `nodeCount` nodes in each of its zones.
   */
  readonly location: string;
  /** The ID of the node service account this component creates (6–30 characters, RFC 1035). */
  readonly nodeServiceAccountId: string;
  /** @default "e2-medium" */
  readonly machineType?: string;
  /**
   * Nodes per zone.
   * @default 1
   */
  readonly nodeCount?: number;
  /**
   * IPv4 networks that may reach the control plane's public endpoint (at most 50); the machine
   * running Pulumi must be in one.
   * @default ["0.0.0.0/0"]
   */
  readonly apiAllowedCidrs?: readonly string[];
  readonly tags: Tags;
}

/** The logical names whose auto-names GKE must accept: the cluster's and its node pool's. */
const gkeLogicalNames = (name: string) => [`${name}-gke`, `${name}-pool`];
/** A GKE cluster or node pool name: RFC 1035, at most 40 characters. */
const GKE_NAME = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;

/**
 * Why GKE or IAM would refuse what this component makes of `name` and `args`, or undefined: the
 * node service account ID, the cluster's and node pool's auto-names, the node count and the
 * authorized networks. Pure, so a stack that would fail is refused before anything is created.
 */
/** What is wrong with `args` (for a component named `name`), as messages; empty when nothing is. */
export function validateClusterArgs(name: string, args: ClusterArgs): string[] {
  const problem = gkeClusterProblem(name, args);
  return problem ? [problem] : [];
}

export function gkeClusterProblem(
  name: string,
  args: Pick<ClusterArgs, "nodeServiceAccountId" | "nodeCount" | "apiAllowedCidrs">,
): string | undefined {
  const countProblem = nodeCountProblem(args.nodeCount ?? 1);
  if (countProblem) return countProblem;
  if (!SERVICE_ACCOUNT_ID.test(args.nodeServiceAccountId)) {
    return (
      `nodeServiceAccountId: ${JSON.stringify(args.nodeServiceAccountId)} is not a service account ID; ` +
      "use 6–30 lowercase letters, digits and '-', starting with a letter"
    );
  }
  const cidrs = args.apiAllowedCidrs ?? [ANYWHERE];
  if (cidrs.length === 0 || cidrs.length > MAX_AUTHORIZED_NETWORKS) {
    return `apiAllowedCidrs: expected 1–${MAX_AUTHORIZED_NETWORKS} IPv4 CIDRs, got ${JSON.stringify(cidrs)}`;
  }
  for (const cidr of cidrs) {
    const cidrProblem = authorizedNetworkProblem(cidr);
    if (cidrProblem) return cidrProblem;
  }
  for (const n of gkeLogicalNames(name)) {
    const physical = `${n}-${"x".repeat(AUTONAME_SUFFIX - 1)}`;
    if (physical.length > GKE_NAME_MAX) {
      return (
        `name: ${JSON.stringify(name)} is too long; GKE names are at most ${GKE_NAME_MAX} characters ` +
        `and ${JSON.stringify(n)} plus a random suffix would be ${physical.length}`
      );
    }
    if (!GKE_NAME.test(physical)) {
      return `name: ${JSON.stringify(name)} would make GKE names like ${JSON.stringify(physical)}; use lowercase letters, digits and '-', starting with a letter`;
    }
  }
  return undefined;
}

/**
 * A GKE Standard cluster with Workload Identity Federation for GKE (`<project>.svc.id.goog`) and
 * one small node pool whose nodes run the GKE metadata server as a dedicated, least-privilege
 * service account. The default node pool is removed once the cluster exists (GKE cannot create a
 * cluster without one); `deletionProtection` is off so `pulumi destroy` works. Offers a
 * Kubernetes provider built from this cluster, its kubeconfig (secret) and its OIDC issuer.
 */
export class Cluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly native: NativeCluster;
  /** The project ID: it names the workload identity pool. */
  public readonly project: string;
  /**
   * `<project>.svc.id.goog`, the pool every Kubernetes ServiceAccount of this cluster is in, as GKE
   * reports it: whatever names the pool waits for this cluster, which brings the pool into being.
   */
  public readonly workloadPool: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  /** The zone or region, exactly as the issuer URL spells it. */
  public readonly location: pulumi.Output<string>;
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;
  /** The node pools; every one runs the GKE metadata server. */
  public readonly nodePools: readonly container.NodePool[];
  public readonly nodeServiceAccountEmail: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:gcp:Cluster", name, {}, opts);
    const problems = validateClusterArgs(name, args);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const nodeCount = args.nodeCount ?? 1;
    const apiAllowedCidrs = args.apiAllowedCidrs ?? [ANYWHERE];
    const clusterLogicalName = `${name}-gke`;
    const poolLogicalName = `${name}-pool`;
    const { project } = args;
    const labels = gcpLabels(componentTags(args.tags, "cluster"));

    const apis = Object.fromEntries(
      CLUSTER_APIS.map((service) => [
        service,
        new projects.Service(
          `${name}-api-${service.split(".")[0]}`,
          { project, service, disableOnDestroy: false },
          { parent: this },
        ),
      ]),
    ) as Record<(typeof CLUSTER_APIS)[number], projects.Service>;

    const nodeAccount = new serviceaccount.Account(
      `${name}-nodes`,
      {
        project,
        accountId: args.nodeServiceAccountId,
        displayName: `GKE nodes of ${name}`,
        description: "Runs the nodes: logs and metrics only. Pods never act as it (GKE_METADATA).",
      },
      { parent: this, dependsOn: [apis["iam.googleapis.com"]] },
    );
    const nodeRoles = NODE_SERVICE_ACCOUNT_ROLES.map(
      (role, i) =>
        new projects.IAMMember(
          `${name}-node-role-${i}`,
          { project, role, member: nodeAccount.member },
          { parent: this, dependsOn: [apis["cloudresourcemanager.googleapis.com"]] },
        ),
    );

    // GKE cannot create a cluster without a node pool, so it makes a default one and this removes
    // it before the cluster counts as created; nothing of ours ever runs there. No nodeConfig here:
    // the provider advises against it beside separate pools (it makes later plans replace the
    // cluster), so that short-lived pool runs as the Compute Engine default service account, which
    // must exist. Our pool is a separate resource: it can change without replacing the cluster.
    const cluster = new container.Cluster(
      clusterLogicalName,
      {
        project,
        location: args.location,
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        deletionProtection: false,
        workloadIdentityConfig: { workloadPool: workloadPool(project) },
        masterAuthorizedNetworksConfig: authorizedNetworks(apiAllowedCidrs),
        resourceLabels: labels,
      },
      {
        parent: this,
        dependsOn: [apis["compute.googleapis.com"], apis["container.googleapis.com"]],
      },
    );

    const pool = new container.NodePool(
      poolLogicalName,
      {
        project,
        cluster: cluster.name,
        location: cluster.location,
        nodeCount,
        management: { autoRepair: true, autoUpgrade: true },
        nodeConfig: {
          machineType: args.machineType ?? "e2-medium",
          diskSizeGb: 30,
          diskType: "pd-balanced",
          serviceAccount: nodeAccount.email,
          // Access is decided by IAM, not by legacy scopes; the account itself has almost none.
          oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
          workloadMetadataConfig: { mode: GKE_METADATA },
          shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
          resourceLabels: labels,
        },
      },
      // Nodes that can write logs from their first boot.
      { parent: this, dependsOn: nodeRoles },
    );

    this.project = project;
    // The pool exists only once the project's first Workload Identity cluster does: a grant that
    // names it before fails with `Identity Pool does not exist (<project>.svc.id.goog)`
    // (terraform-google-kubernetes-engine#916). Taken from the cluster's output, it carries the
    // dependency on the cluster to everything built from it.
    this.workloadPool = cluster.workloadIdentityConfig.apply((config) => {
      if (!config?.workloadPool) {
        throw new Error(
          `GKE reports no workload pool on cluster ${name}: Workload Identity is off`,
        );
      }
      return config.workloadPool;
    });
    this.native = { kind: "gke", project, workloadPool: this.workloadPool };
    this.clusterName = cluster.name;
    this.location = cluster.location;
    this.nodePools = [pool];
    this.nodeServiceAccountEmail = nodeAccount.email;
    this.oidcIssuerUrl = gkeIssuerUrl(project, cluster.location, cluster.name);
    this.kubeconfig = pulumi.secret(
      gkeKubeconfig({
        name: cluster.name,
        endpoint: cluster.endpoint,
        caCertificate: cluster.masterAuth.clusterCaCertificate,
      }),
    );
    // Everything that uses this provider waits for the nodes, not only the control plane.
    this.kubernetesProvider = clusterProvider(`${name}-k8s`, this.kubeconfig, {
      parent: this,
      dependsOn: [pool],
    });

    this.registerOutputs({
      clusterName: this.clusterName,
      location: this.location,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
      nodeServiceAccountEmail: this.nodeServiceAccountEmail,
    });
  }
}

/** GKE's OIDC issuer: `https://container.googleapis.com/v1/projects/<id>/locations/<loc>/clusters/<name>`. */
export function gkeIssuerUrl(
  project: string,
  location: pulumi.Input<string>,
  clusterName: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.interpolate`https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${clusterName}`;
}

interface KubeconfigArgs {
  readonly name: pulumi.Input<string>;
  /** The control plane's IP address, as GKE reports it (no scheme). */
  readonly endpoint: pulumi.Input<string>;
  /** Base64 PEM, as GKE reports it. */
  readonly caCertificate: pulumi.Input<string>;
}

/**
 * A kubeconfig that asks `gke-gcloud-auth-plugin` for a fresh token on every call, from the same
 * application-default credentials Pulumi uses: no token in the file, nothing to expire.
 */
export function gkeKubeconfig(args: KubeconfigArgs): pulumi.Output<string> {
  return execKubeconfig({
    name: args.name,
    server: pulumi.interpolate`https://${args.endpoint}`,
    certificateAuthority: args.caCertificate,
    exec: {
      command: "gke-gcloud-auth-plugin",
      args: ["--use_application_default_credentials"],
      installHint:
        "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin " +
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin)",
      provideClusterInfo: true,
    },
  });
}
