import * as container from "@pulumi/gcp/container";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { clusterProvider } from "../k8s";
import type { ClusterOffer, NativeCluster } from "../core";
import { GKE_METADATA, gkeIssuerUrl, gkeKubeconfig, workloadPool } from "./cluster";

/**
 * A GKE cluster name: 1–40 lowercase letters, digits and '-', starting with a letter and ending
 * with a letter or digit ("Lowercase letters, numbers, and hyphens only. Must start with a letter.
 * Must end with a number or a letter. Must be between 1 and 40 characters.",
 * https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster,
 * field `name`).
 */
const GKE_CLUSTER_NAME = /^[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?$/;

/** Why GKE would refuse `name` as a cluster's name, or undefined (for `existingCluster`). */
export function gkeExistingNameProblem(name: string): string | undefined {
  return GKE_CLUSTER_NAME.test(name)
    ? undefined
    : "is not a GKE cluster name; GKE names are 1–40 lowercase letters, digits and '-', " +
        "starting with a letter and ending with a letter or digit";
}

/** What the adoption reads of a looked-up cluster (a subset of `container.GetClusterResult`). */
export interface GkeLookup {
  readonly name: string;
  readonly endpoint: string;
  readonly masterAuths: readonly { readonly clusterCaCertificate: string }[];
  readonly workloadIdentityConfigs: readonly { readonly workloadPool: string }[];
  readonly nodePools: readonly {
    readonly name: string;
    readonly nodeConfigs: readonly {
      readonly workloadMetadataConfigs: readonly { readonly mode: string }[];
    }[];
  }[];
}

/** Where the cluster was looked up, for the messages and their commands. */
export interface GkeWhere {
  readonly project: string;
  readonly location: string;
  readonly name: string;
}

/**
 * What the existing cluster lacks for GKE's own Workload Identity Federation, as messages naming
 * the cluster, what is missing and the one command that turns it on; empty when nothing is.
 *
 * - The cluster's pool must be `<project>.svc.id.goog` of the configured project: the Cloud
 *   Storage grant names the pool by the bucket's project number (`IdentityBinding`), and a fleet
 *   cluster whose pool is another project's would be granted under the wrong name.
 * - Every node pool must run the GKE metadata server (`GKE_METADATA`): on a `GCE_METADATA` node a
 *   pod acts as the node's service account instead (cloud.google.com/kubernetes-engine/docs/how-to/workload-identity,
 *   "Migrate existing workloads": node pools must be updated separately from the cluster).
 */
export function gkePrerequisiteProblems(where: GkeWhere, cluster: GkeLookup): string[] {
  const label = `GKE cluster ${where.name} (${where.location}, project ${where.project})`;
  const expectedPool = workloadPool(where.project);
  const pool = cluster.workloadIdentityConfigs[0]?.workloadPool ?? "";
  if (pool === "") {
    return [
      `${label} has Workload Identity Federation for GKE off (no workload pool); turn it on with ` +
        `\`gcloud container clusters update ${where.name} --location ${where.location} ` +
        `--project ${where.project} --workload-pool=${expectedPool}\``,
    ];
  }
  const problems: string[] = [];
  if (pool !== expectedPool) {
    problems.push(
      `${label} uses the workload pool ${pool}, not ${expectedPool}: the stack grants the bucket to ` +
        `the pool of gcp:project only; set gcp:project to the pool's project, or switch the cluster with ` +
        `\`gcloud container clusters update ${where.name} --location ${where.location} ` +
        `--project ${where.project} --workload-pool=${expectedPool}\``,
    );
  }
  if (cluster.nodePools.length === 0) {
    problems.push(`${label} has no node pool for the pods to run on; add one with GKE_METADATA`);
  }
  for (const nodePool of cluster.nodePools) {
    const modes = nodePool.nodeConfigs.map((c) => c.workloadMetadataConfigs[0]?.mode ?? "");
    if (modes.length === 0 || modes.some((m) => m !== GKE_METADATA)) {
      problems.push(
        `${label}: node pool ${nodePool.name} does not run the GKE metadata server ` +
          `(workload metadata ${JSON.stringify(modes[0] ?? "")}, pods there would act as the node); ` +
          `turn it on with \`gcloud container node-pools update ${nodePool.name} --cluster ${where.name} ` +
          `--location ${where.location} --project ${where.project} --workload-metadata=GKE_METADATA\``,
      );
    }
  }
  return problems;
}

export interface ExistingClusterArgs {
  /** The project ID that holds the cluster (and, so, its pool `<project>.svc.id.goog`). */
  readonly project: string;
  /** The cluster's zone or region, exactly as GKE knows it. */
  readonly location: string;
  /** The existing cluster's name. */
  readonly clusterName: string;
}

/**
 * An existing GKE cluster, adopted: the same Cluster component as a created one (type token
 * `workload-identity:gcp:Cluster`, the same offer), but it creates nothing in Google Cloud. It
 * looks the cluster up (`container.getCluster`, an invoke: Pulumi never updates, tags, replaces
 * or deletes what it only read), checks at every preview and update that GKE's Workload Identity
 * Federation is on and every node pool runs the metadata server, and builds the Kubernetes
 * provider from the endpoint and CA the lookup reports, with `gke-gcloud-auth-plugin` (cloud
 * sign-in, nothing that expires). The deployer needs `container.clusters.get` on the cluster and
 * Kubernetes rights to create namespaces, ServiceAccounts, ConfigMaps, Deployments and Jobs and to
 * read the `kube-system/gke-metadata-server` DaemonSet (docs/gke-existing.md).
 */
export class ExistingCluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly native: NativeCluster;
  public readonly project: string;
  /** The pool as GKE reports it, once checked. */
  public readonly workloadPool: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  public readonly location: pulumi.Output<string>;
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:gcp:Cluster", name, {}, opts);
    const where: GkeWhere = {
      project: args.project,
      location: args.location,
      name: args.clusterName,
    };
    // An invoke, with known arguments: it runs at preview too, so a missing prerequisite fails
    // the preview (https://www.pulumi.com/docs/iac/concepts/functions/provider-functions/). Through
    // this component's gcp provider (inherited from `parent`), never an ambient default.
    const lookup = container.getClusterOutput(
      { name: args.clusterName, location: args.location, project: args.project },
      { parent: this },
    );
    const checked = lookup.apply((cluster) => {
      const problems = gkePrerequisiteProblems(where, cluster);
      if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
      const ca = cluster.masterAuths[0]?.clusterCaCertificate;
      if (!cluster.endpoint || !ca) {
        throw new pulumi.ResourceError(
          `GKE reports no endpoint or CA for cluster ${args.clusterName}`,
          this,
        );
      }
      return {
        name: cluster.name,
        endpoint: cluster.endpoint,
        caCertificate: ca,
        workloadPool: cluster.workloadIdentityConfigs[0].workloadPool,
      };
    });

    this.project = args.project;
    this.workloadPool = checked.workloadPool;
    this.native = { kind: "gke", project: args.project, workloadPool: this.workloadPool };
    this.clusterName = checked.name;
    this.location = pulumi.output(args.location);
    // The issuer GKE gives every cluster; it follows the checked name, so it too waits for the check.
    this.oidcIssuerUrl = gkeIssuerUrl(args.project, args.location, checked.name);
    this.kubeconfig = pulumi.secret(
      gkeKubeconfig({
        name: checked.name,
        endpoint: checked.endpoint,
        caCertificate: checked.caCertificate,
      }),
    );
    this.kubernetesProvider = clusterProvider(`${name}-k8s`, this.kubeconfig, { parent: this });

    this.registerOutputs({
      clusterName: this.clusterName,
      location: this.location,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
    });
  }
}
