/**
 * Azure: the AKS cluster (Entra ID, Azure RBAC) and its workload identity webhook, the Blob
 * container with its reader role, and the binding (a managed identity with federated credentials).
 */
export * from "./access";
export * from "./agent";
export * from "./binding";
export * from "./bucket";
export * from "./client";
export * from "./cluster";
export * from "./existing";
export * from "./federation";
export * from "./issuer";
export * from "./limits";
export * from "./module";
export * from "./settings";
