/** The Azure halves of a stack: an AKS cluster side, and a Blob storage side. */
import * as azure from "@pulumi/azure-native/provider";
import type { AzureSettings, StackConfig } from "../config";
import type { ClusterOffer, ClusterSide, StorageSide } from "../contracts";
import type { Tags } from "../tags";

/** An explicit Azure provider from validated config. */
export function azureProvider(name: string, settings: AzureSettings): azure.Provider {
  return new azure.Provider(name, { location: settings.location });
}

export function aksClusterSide(
  config: StackConfig,
  _tags: Tags,
  _provider: azure.Provider,
): ClusterSide {
  throw new Error(`internal: AKS (${config.prefix}) is not implemented yet`);
}

export function blobStorageSide(
  config: StackConfig,
  _cluster: ClusterOffer,
  _tags: Tags,
  _provider: azure.Provider,
): StorageSide {
  throw new Error(`internal: Blob (${config.prefix}) is not implemented yet`);
}
