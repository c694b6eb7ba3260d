/**
 * Google Cloud in the registry: its settings and provider, the GKE cluster side and the Cloud
 * Storage side. Cloud Storage trusts a GKE cluster's own principal directly, any other cluster
 * through a Workload Identity pool that trusts the cluster's issuer.
 */
import { Provider } from "@pulumi/gcp/provider";
import type * as pulumi from "@pulumi/pulumi";
import {
  settingsOf,
  type CloudModule,
  type ClusterModule,
  type GcpSettings,
  type StorageModule,
  type StorageSide,
  type WorkloadAccess,
} from "../core";
import { IdentityAgent } from "./agent";
import { IdentityBinding } from "./binding";
import { BucketWithPolicy, gcsRole } from "./bucket";
import { federatedGcsClient, gcsClient, gcsReadKey, gcsWriteCommands } from "./client";
import { Cluster } from "./cluster";
import { ExistingCluster, gkeExistingNameProblem } from "./existing";
import { FederatedIdentityBinding } from "./federation";
import { gcsIssuerHost } from "./issuer";
import { gcsProblems, worstCaseGkeIssuer } from "./limits";
import { gcpSettings } from "./settings";

export const gcpCloud: CloudModule<"gcp"> = {
  cloud: "gcp",
  title: "Google Cloud",
  keys: ["gcp:project", "gcp:region", "gcp:zone"],
  settings: gcpSettings,
  provider(name, settings) {
    return new Provider(name, {
      project: settings.project,
      region: settings.region,
      ...(settings.zone ? { zone: settings.zone } : {}),
    });
  },
};

/** Zonal when a zone is configured: one control plane, cheaper and faster to create. */
const gkeLocation = (settings: GcpSettings): string => settings.zone ?? settings.region;

export const gkeCluster: ClusterModule = {
  kind: "gke",
  cloud: "gcp",
  nativeStorage: "gcs",
  resourceType: "gcp:container/cluster:Cluster",
  existingNameProblem: gkeExistingNameProblem,
  worstCaseIssuer: worstCaseGkeIssuer,
  location: (config) => gkeLocation(settingsOf(config, "gcp")),
  build({ config, tags, providerOf }) {
    const settings = settingsOf(config, "gcp");
    const opts = { providers: { gcp: providerOf("gcp") } };
    if (config.existing) {
      // Looked up in the configured zone, or region, of gcp:project; never created or changed.
      const cluster = new ExistingCluster(
        `${config.prefix}-cluster`,
        {
          project: settings.project,
          location: gkeLocation(settings),
          clusterName: config.existing.name,
        },
        opts,
      );
      const agent = new IdentityAgent(
        `${config.prefix}-agent`,
        { provider: cluster.kubernetesProvider, nodePools: [], adopted: true },
        opts,
      );
      return { cluster, agent };
    }
    const cluster = new Cluster(
      `${config.prefix}-cluster`,
      {
        project: settings.project,
        location: gkeLocation(settings),
        nodeServiceAccountId: `${config.prefix}-nodes`,
        apiAllowedCidrs: config.apiAllowedCidrs,
        tags,
      },
      opts,
    );
    const agent = new IdentityAgent(
      `${config.prefix}-agent`,
      { provider: cluster.kubernetesProvider, nodePools: cluster.nodePools },
      opts,
    );
    return { cluster, agent };
  },
};

export const gcsStorage: StorageModule = {
  kind: "gcs",
  cloud: "gcp",
  problems: gcsProblems,
  location: (config) => settingsOf(config, "gcp").region,
  issuerHost: gcsIssuerHost,
  build({ config, tags, providerOf }, cluster): StorageSide {
    const settings = settingsOf(config, "gcp");
    const opts = { providers: { gcp: providerOf("gcp") } };
    const bucket = new BucketWithPolicy(
      `${config.prefix}-storage`,
      {
        project: settings.project,
        location: settings.region,
        namePrefix: config.prefix,
        tags,
        prefixes: config.workloads.map((w) => w.prefix),
      },
      opts,
    );
    const { native } = cluster;
    // The pool's project is the cluster's; its number is read off the bucket, which lives there too.
    if (native.kind === "gke" && native.project !== settings.project) {
      throw new Error("internal: the GKE cluster and the bucket must share the configured project");
    }
    // One pool per cluster issuer: the first federated binding makes it, the others share it.
    let shared: FederatedIdentityBinding | undefined;
    const accesses = config.workloads.map(
      (w): WorkloadAccess & { outputs: Record<string, pulumi.Output<string>> } => {
        const objectUrl = bucket.objectUrlOf(w.prefix);
        const common = {
          identity: w,
          bucketName: bucket.bucketName,
          role: gcsRole(w.access),
          prefix: w.prefix,
        };
        const write = w.access === "write" ? gcsWriteCommands(bucket.bucketName, w.prefix) : {};
        const readKey = gcsReadKey(bucket.bucketName);
        if (native.kind !== "gke") {
          // A cluster outside Google Cloud: a Workload Identity pool trusts its issuer.
          const binding: FederatedIdentityBinding = new FederatedIdentityBinding(
            `${w.name}-binding`,
            {
              ...common,
              project: settings.project,
              issuerUrl: cluster.oidcIssuerUrl,
              poolIdPrefix: config.prefix,
              ...(shared ? { pool: shared.pool } : {}),
            },
            opts,
          );
          shared ??= binding;
          return {
            workload: w,
            objectUrl,
            access: {
              ...binding.podAccess,
              client: {
                ...federatedGcsClient({ objectUrl, member: binding.member }),
                readKey,
                ...write,
              },
            },
            outputs: { principal: binding.member, workloadIdentityPool: binding.poolId },
          };
        }
        const binding = new IdentityBinding(
          `${w.name}-binding`,
          { ...common, workloadPool: native.workloadPool, poolProjectNumber: bucket.projectNumber },
          opts,
        );
        return {
          workload: w,
          objectUrl,
          access: {
            ...binding.podAccess,
            client: {
              ...gcsClient({ objectUrl, workloadPool: native.workloadPool }),
              readKey,
              ...write,
            },
          },
          outputs: { principal: binding.member },
        };
      },
    );
    return {
      bucketName: bucket.bucketName,
      objectUrl: bucket.objectUrl,
      accesses,
      outputs: accesses[0].outputs,
    };
  },
};
