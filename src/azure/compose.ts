/** The Azure halves of a stack: an AKS cluster side, and a Blob storage side. */
import * as azure from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import type { AzureSettings, StackConfig } from "../config";
import type { ClusterOffer, ClusterSide, StorageSide } from "../contracts";
import type { Tags } from "../tags";
import { WorkloadIdentityWebhook } from "./agent";
import { WorkloadIdentityBinding } from "./binding";
import { BlobBucketWithPolicy } from "./bucket";
import { AksCluster } from "./cluster";

/** An explicit Azure provider from validated config; no resource uses the ambient default. */
export function azureProvider(name: string, settings: AzureSettings): azure.Provider {
  return new azure.Provider(name, { location: settings.location });
}

function requireAzure(config: StackConfig): AzureSettings {
  // parseConfig sets `azure` whenever the cluster or the storage is on Azure.
  if (!config.azure) throw new Error("internal: Azure settings missing from validated config");
  return config.azure;
}

export function aksClusterSide(
  config: StackConfig,
  tags: Tags,
  provider: azure.Provider,
): ClusterSide {
  const settings = requireAzure(config);
  const opts = { providers: { "azure-native": provider } };
  const cluster = new AksCluster(
    `${config.prefix}-cluster`,
    { location: settings.location, apiAllowedCidrs: config.apiAllowedCidrs, tags },
    opts,
  );
  const agent = new WorkloadIdentityWebhook(
    `${config.prefix}-agent`,
    { provider: cluster.kubernetesProvider, cluster: cluster.managedCluster },
    opts,
  );
  return { cluster, agent };
}

export function blobStorageSide(
  config: StackConfig,
  cluster: ClusterOffer,
  tags: Tags,
  provider: azure.Provider,
): StorageSide {
  const settings = requireAzure(config);
  const opts = { providers: { "azure-native": provider } };
  const bucket = new BlobBucketWithPolicy(
    `${config.prefix}-storage`,
    { location: settings.location, accountNamePrefix: config.prefix, tags },
    opts,
  );
  const binding = new WorkloadIdentityBinding(
    `${config.prefix}-binding`,
    {
      // Any cluster's issuer, verbatim: AKS's own, or EKS's / GKE's for cross-cloud access.
      issuerUrl: cluster.oidcIssuerUrl,
      serviceAccounts: [config.workload],
      // On AKS the webhook projects the token; elsewhere the pod projects its own.
      delivery: cluster instanceof AksCluster ? "webhook" : "projected",
      resourceGroupName: bucket.resourceGroupName,
      location: settings.location,
      roleDefinitionId: bucket.readRoleDefinitionId,
      scope: bucket.containerId,
      blob: {
        accountName: bucket.accountName,
        containerName: bucket.containerName,
        blobName: bucket.blobName,
      },
      tags,
    },
    opts,
  );
  return {
    bucketName: pulumi.interpolate`${bucket.accountName}/${bucket.containerName}`,
    objectUrl: bucket.objectUrl,
    access: binding.podAccess,
    outputs: {
      storageAccount: bucket.accountName,
      container: bucket.containerName,
      identityClientId: binding.clientId,
    },
  };
}
