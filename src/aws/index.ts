/**
 * AWS: the EKS cluster and its Pod Identity agent, the S3 bucket with its read policy, and the two
 * bindings (EKS Pod Identity; web identity federation for IRSA and clusters outside AWS).
 */
export * from "./adopted";
export * from "./agent";
export * from "./binding";
export * from "./bucket";
export * from "./client";
export * from "./cluster";
export * from "./issuer";
export * from "./limits";
export * from "./module";
export * from "./policies";
export * from "./settings";
export * from "./subnets";
export * from "./webIdentity";
