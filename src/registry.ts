/**
 * The registry: every kind of cluster and storage, and every cloud, by name. The config reader,
 * the program (`index.ts`) and the offline tools ask it; nothing else dispatches on a kind. Adding
 * a kind is a folder that exports its module, and a line here.
 */
import type * as pulumi from "@pulumi/pulumi";
import { awsCloud, eksCluster, s3Storage } from "./aws";
import { azureCloud, aksCluster, blobStorage } from "./azure";
import {
  CLUSTER_KINDS,
  STORAGE_KINDS,
  type Cloud,
  type CloudModule,
  type ClusterKind,
  type ClusterModule,
  settingsOf,
  type StackConfig,
  type StorageKind,
  type StorageModule,
} from "./core";
import { externalCluster } from "./external";
import { gcpCloud, gcsStorage, gkeCluster } from "./gcp";
import { kindCluster } from "./kind";

export const CLOUD_MODULES: { readonly [C in Cloud]: CloudModule<C> } = {
  aws: awsCloud,
  gcp: gcpCloud,
  azure: azureCloud,
};

export const CLUSTERS: Readonly<Record<ClusterKind, ClusterModule>> = {
  eks: eksCluster,
  gke: gkeCluster,
  aks: aksCluster,
  external: externalCluster,
  kind: kindCluster,
};

export const STORAGES: Readonly<Record<StorageKind, StorageModule>> = {
  s3: s3Storage,
  gcs: gcsStorage,
  blob: blobStorage,
};

/** Cluster → storage pairs this version can build: every storage trusts every cluster's issuer. */
export const SUPPORTED_PAIRS: ReadonlyArray<readonly [ClusterKind, StorageKind]> =
  CLUSTER_KINDS.flatMap((c) => STORAGE_KINDS.map((s) => [c, s] as const));

/** The clouds a stack of `cluster` and `storage` touches, the cluster's first. */
export function cloudsOf(cluster: ClusterKind, storage: StorageKind): Cloud[] {
  const clusterCloud = CLUSTERS[cluster].cloud;
  return [...new Set([...(clusterCloud ? [clusterCloud] : []), STORAGES[storage].cloud])];
}

/** The explicit provider of `cloud`, named after the stack, from its validated settings. */
export function cloudProvider<C extends Cloud>(
  cloud: C,
  config: StackConfig,
): pulumi.ProviderResource {
  const module: CloudModule<C> = CLOUD_MODULES[cloud];
  return module.provider(`${config.prefix}-${cloud}`, settingsOf(config, cloud));
}
