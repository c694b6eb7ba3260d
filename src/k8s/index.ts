/** The cloud-agnostic Kubernetes side: kubeconfigs, restricted pods, the proofs, the demo workload. */
export * from "./kubeconfig";
export * from "./pod";
export * from "./proofs";
export * from "./workload";
