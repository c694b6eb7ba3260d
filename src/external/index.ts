/** Any conformant cluster, reached through a kubeconfig and trusted through its own issuer. */
export * from "./module";
