/**
 * The kind cluster in the registry: a local cluster the stack creates with kind, whose API server
 * signs tokens for an issuer the stack publishes in the storage's cloud. It has no cloud and no
 * storage of its own: every storage trusts it by federation, as any external cluster.
 */
import * as path from "node:path";
import type { ClusterModule, StorageModule } from "../core";
import { Cluster } from "./cluster";
import { Issuer } from "./issuer";
import { checkPrerequisites } from "./prerequisites";

/**
 * Where the key files live: `.kind/<cluster>/` beside Pulumi.yaml (Pulumi runs the program, and
 * the command provider its commands, in the project directory). Ignored by git.
 */
export const KEY_ROOT = ".kind";

function hostOf(storage: StorageModule | undefined) {
  const host = storage?.issuerHost;
  if (!host) throw new Error(`internal: storage ${storage?.kind ?? "?"} cannot host an issuer`);
  return host;
}

export const kindCluster: ClusterModule = {
  kind: "kind",
  resourceType: "workload-identity:kind:Cluster",
  worstCaseIssuer: (config, storage) => hostOf(storage).worstCaseIssuer(config),
  problems: (config, storage) => hostOf(storage).problems(config),
  location: (config) => `Docker on this machine (cluster ${config.prefix})`,
  build(context) {
    const { config } = context;
    const host = context.issuerHost;
    if (!host) throw new Error(`internal: storage ${config.storage} cannot host an issuer`);
    // Docker and kind, checked at preview: a missing tool stops the stack before anything exists.
    const tools = checkPrerequisites();
    const issuer = new Issuer(`${config.prefix}-issuer`, { host, context });
    const cluster = new Cluster(`${config.prefix}-cluster`, {
      name: config.prefix,
      issuerUrl: issuer.issuerUrl,
      privateKeyPem: issuer.privateKeyPem,
      publicKeyPem: issuer.publicKeyPem,
      keyDir: path.resolve(KEY_ROOT, config.prefix),
      issuerPublished: [...issuer.published],
      tools,
    });
    return { cluster, agent: issuer };
  },
};
