/**
 * The external cluster in the registry: any conformant cluster, reached through a kubeconfig from
 * the stack's secret config and trusted through its own OIDC issuer. It has no cloud and no
 * storage of its own: every storage trusts it by federation, with tokens the pods project.
 */
import type { ClusterModule } from "../core";
import { IdentityAgent } from "./agent";
import { Cluster } from "./cluster";
import { currentCluster } from "./kubeconfig";

export const externalCluster: ClusterModule = {
  kind: "external",
  // Nothing of the cluster is a resource of the stack: tools reading a recorded stack find the
  // Cluster component (which holds only the Kubernetes provider).
  resourceType: "workload-identity:external:Cluster",
  // The configured issuer exactly: nothing else can appear in the trust, so the storage limits
  // (IAM trust size, google.subject) are checked on what will really be registered.
  worstCaseIssuer(config) {
    if (!config.external) throw new Error("internal: cluster external without its settings");
    return config.external.oidcIssuerUrl;
  },
  location(config) {
    const found = currentCluster(config.external?.kubeconfig ?? "");
    return `cluster ${"name" in found ? found.name : "?"} of the configured kubeconfig`;
  },
  build({ config }) {
    if (!config.external) throw new Error("internal: cluster external without its settings");
    const cluster = new Cluster(`${config.prefix}-cluster`, {
      kubeconfig: config.external.kubeconfig,
      oidcIssuerUrl: config.external.oidcIssuerUrl,
    });
    const agent = new IdentityAgent(`${config.prefix}-agent`, {
      oidcIssuerUrl: cluster.oidcIssuerUrl,
    });
    return { cluster, agent };
  },
};
