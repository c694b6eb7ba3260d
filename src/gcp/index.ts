/**
 * Google Cloud: the GKE cluster and its metadata server, the Cloud Storage bucket, and the two
 * bindings (GKE's own principal; a Workload Identity pool for clusters outside Google Cloud).
 */
export * from "./agent";
export * from "./binding";
export * from "./bucket";
export * from "./client";
export * from "./cluster";
export * from "./existing";
export * from "./federation";
export * from "./issuer";
export * from "./labels";
export * from "./limits";
export * from "./module";
export * from "./settings";
