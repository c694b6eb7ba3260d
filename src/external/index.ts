/** Any conformant cluster, reached through a kubeconfig and trusted through its own issuer. */
export * from "./agent";
export * from "./cluster";
export * from "./issuer";
export * from "./kubeconfig";
export * from "./module";
