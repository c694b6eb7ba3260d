/** Placeholder: the external cluster module (issue 12), built on this branch. */
import type { ClusterModule } from "../core";

export const externalCluster: ClusterModule = {
  kind: "external",
  resourceType: "kubernetes:core/v1:Namespace",
  worstCaseIssuer: (config) => config.external?.oidcIssuerUrl ?? `https://${"x".repeat(200)}`,
  location: () => "outside the three clouds",
  build() {
    throw new Error("internal: cluster external is not built yet");
  },
};
