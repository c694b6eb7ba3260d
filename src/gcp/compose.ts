/** The Google Cloud halves of a stack: a GKE cluster side, and a GCS storage side. */
import { Provider } from "@pulumi/gcp/provider";
import type { GcpSettings, StackConfig } from "../config";
import type { ClusterOffer, ClusterSide, StorageSide } from "../contracts";
import type { Tags } from "../tags";
import { GkeMetadataServer } from "./agent";
import { GcsBucketWithPolicy } from "./bucket";
import { GkeWorkloadIdentityBinding } from "./binding";
import { GkeCluster } from "./cluster";
import { FederatedGcsBinding } from "./federation";

/** An explicit Google Cloud provider from validated config; no resource uses the ambient default. */
export function gcpProvider(name: string, settings: GcpSettings): Provider {
  return new Provider(name, {
    project: settings.project,
    region: settings.region,
    ...(settings.zone ? { zone: settings.zone } : {}),
  });
}

function requireGcp(config: StackConfig): GcpSettings {
  // parseConfig sets `gcp` whenever the cluster or the storage is on Google Cloud.
  if (!config.gcp) throw new Error("internal: Google Cloud settings missing from validated config");
  return config.gcp;
}

export function gkeClusterSide(config: StackConfig, tags: Tags, provider: Provider): ClusterSide {
  const settings = requireGcp(config);
  const opts = { providers: { gcp: provider } };
  const cluster = new GkeCluster(
    `${config.prefix}-cluster`,
    {
      project: settings.project,
      // Zonal when a zone is configured: one control plane, cheaper and faster to create.
      location: settings.zone ?? settings.region,
      nodeServiceAccountId: `${config.prefix}-nodes`,
      apiAllowedCidrs: config.apiAllowedCidrs,
      tags,
    },
    opts,
  );
  const agent = new GkeMetadataServer(
    `${config.prefix}-agent`,
    { provider: cluster.kubernetesProvider, nodePools: cluster.nodePools },
    opts,
  );
  return { cluster, agent };
}

export function gcsStorageSide(
  config: StackConfig,
  cluster: ClusterOffer,
  tags: Tags,
  provider: Provider,
): StorageSide {
  const settings = requireGcp(config);
  const opts = { providers: { gcp: provider } };
  const bucket = new GcsBucketWithPolicy(
    `${config.prefix}-storage`,
    {
      project: settings.project,
      location: settings.region,
      namePrefix: config.prefix,
      tags,
    },
    opts,
  );
  if (!(cluster instanceof GkeCluster)) {
    // A cluster outside Google Cloud: a Workload Identity pool trusts its issuer.
    const binding = new FederatedGcsBinding(
      `${config.prefix}-binding`,
      {
        project: settings.project,
        issuerUrl: cluster.oidcIssuerUrl,
        identity: config.workload,
        bucketName: bucket.bucketName,
        role: bucket.readRole,
        objectUrl: bucket.objectUrl,
        poolIdPrefix: config.prefix,
      },
      opts,
    );
    return {
      bucketName: bucket.bucketName,
      objectUrl: bucket.objectUrl,
      access: binding.podAccess,
      outputs: { principal: binding.member, workloadIdentityPool: binding.poolId },
    };
  }
  // The pool's project is the cluster's; its number is read off the bucket, which lives there too.
  if (cluster.project !== settings.project) {
    throw new Error("internal: the GKE cluster and the bucket must share the configured project");
  }
  const binding = new GkeWorkloadIdentityBinding(
    `${config.prefix}-binding`,
    {
      workloadPool: cluster.workloadPool,
      poolProjectNumber: bucket.projectNumber,
      identity: config.workload,
      bucketName: bucket.bucketName,
      role: bucket.readRole,
      objectUrl: bucket.objectUrl,
    },
    opts,
  );
  return {
    bucketName: bucket.bucketName,
    objectUrl: bucket.objectUrl,
    access: binding.podAccess,
    outputs: { principal: binding.member },
  };
}
