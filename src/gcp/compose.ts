/** The Google Cloud halves of a stack: a GKE cluster side, and a GCS storage side. */
import * as gcp from "@pulumi/gcp";
import type { GcpSettings, StackConfig } from "../config";
import type { ClusterOffer, ClusterSide, StorageSide } from "../contracts";
import type { Tags } from "../tags";

/** An explicit Google Cloud provider from validated config. */
export function gcpProvider(name: string, settings: GcpSettings): gcp.Provider {
  return new gcp.Provider(name, {
    project: settings.project,
    region: settings.region,
    ...(settings.zone ? { zone: settings.zone } : {}),
  });
}

export function gkeClusterSide(
  config: StackConfig,
  _tags: Tags,
  _provider: gcp.Provider,
): ClusterSide {
  throw new Error(`internal: GKE (${config.prefix}) is not implemented yet`);
}

export function gcsStorageSide(
  config: StackConfig,
  _cluster: ClusterOffer,
  _tags: Tags,
  _provider: gcp.Provider,
): StorageSide {
  throw new Error(`internal: GCS (${config.prefix}) is not implemented yet`);
}
