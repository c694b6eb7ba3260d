/**
 * The kind cluster's configuration: one control-plane node whose API server signs
 * ServiceAccount tokens for the published issuer, with our key.
 *
 * As the azure-workload-identity kind guide does it (docs/book/src/topics/self-managed-clusters/
 * examples/kind.md): the key files are mounted into the node at kubeadm's own paths
 * (`/etc/kubernetes/pki/sa.key`, `sa.pub`; kubeadm keeps an existing pair instead of generating
 * one), and `kubeadmConfigPatches` give the API server the issuer flags and the controller manager
 * the private key. kind renders kubeadm's `v1beta3` ClusterConfiguration, where `extraArgs` is a
 * map (kubernetes-sigs/kind pkg/cluster/internal/kubeadm/config.go `ConfigTemplateBetaV3`, chosen
 * for Kubernetes 1.23 and newer), and merges a patch into the document of the same kind and
 * apiVersion. The create command checks afterwards that the flag reached the API server.
 */
import { stringify } from "yaml";
import { jwksUri } from "./documents";

/** Where kubeadm looks for the ServiceAccount key pair inside the node. */
export const NODE_KEY = "/etc/kubernetes/pki/sa.key";
export const NODE_PUBLIC_KEY = "/etc/kubernetes/pki/sa.pub";

export interface KindConfigArgs {
  /** `https://…`: what the API server puts in `iss`, exactly as the storage trusts it. */
  readonly issuerUrl: string;
  /** Absolute path of the host directory holding `sa.key` and `sa.pub`. */
  readonly keyDir: string;
}

/** The API server's flags for the issuer (kube-apiserver `--service-account-*`). */
export function apiServerArgs(issuerUrl: string): Record<string, string> {
  return {
    "service-account-issuer": issuerUrl,
    "service-account-jwks-uri": jwksUri(issuerUrl),
    "service-account-signing-key-file": NODE_KEY,
    "service-account-key-file": NODE_PUBLIC_KEY,
  };
}

/** The kind `Cluster` document (`kind.x-k8s.io/v1alpha4`), as YAML. */
export function kindConfig(args: KindConfigArgs): string {
  const patch = stringify({
    apiVersion: "kubeadm.k8s.io/v1beta3",
    kind: "ClusterConfiguration",
    apiServer: { extraArgs: apiServerArgs(args.issuerUrl) },
    controllerManager: { extraArgs: { "service-account-private-key-file": NODE_KEY } },
  });
  return stringify({
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    nodes: [
      {
        role: "control-plane",
        extraMounts: [
          { hostPath: `${args.keyDir}/sa.key`, containerPath: NODE_KEY, readOnly: true },
          { hostPath: `${args.keyDir}/sa.pub`, containerPath: NODE_PUBLIC_KEY, readOnly: true },
        ],
        kubeadmConfigPatches: [patch],
      },
    ],
  });
}
