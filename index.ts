/**
 * The program: read the stack's configuration, build the configured cluster side and storage side,
 * join them with the demo workload, and export the stack outputs.
 *
 * Pulumi calls the exported function and takes what it returns as the stack outputs
 * (@pulumi/pulumi cmd/run/run.js: `programExport instanceof Function ? programExport() : …`);
 * tests import this file under mocks and call it the same way.
 */
import type * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./src/config";
import { baseTags, type Cloud, type StackOutputs } from "./src/core";
import { DemoWorkload } from "./src/k8s";
import { cloudProvider, CLUSTERS, cloudsOf, STORAGES } from "./src/registry";

export = (): StackOutputs => {
  // Validated before any resource is registered: a bad value stops here, with its key.
  const config = loadConfig();
  const tags = baseTags(config.stack);

  // One explicit provider per cloud the stack touches; no resource uses an ambient default.
  const providers = new Map<Cloud, pulumi.ProviderResource>(
    cloudsOf(config.cluster, config.storage).map((cloud) => [cloud, cloudProvider(cloud, config)]),
  );
  const providerOf = (cloud: Cloud): pulumi.ProviderResource => {
    const provider = providers.get(cloud);
    if (!provider) throw new Error(`internal: no ${cloud} provider for this stack`);
    return provider;
  };

  // The cluster side: the cluster and its identity agent. Says who the workload is.
  const clusterModule = CLUSTERS[config.cluster];
  // A cluster that signs its own tokens (kind) publishes its issuer in the storage's cloud.
  const issuerHost = STORAGES[config.storage].issuerHost;
  const { cluster, agent } = clusterModule.build({ config, tags, providerOf, issuerHost });

  // The storage side: the bucket, and the binding that trusts that workload to read it.
  const storageModule = STORAGES[config.storage];
  const storage = storageModule.build({ config, tags, providerOf }, cluster);

  // The demo workload: runs as the bound identity and proves the chain in the cluster.
  const demo = new DemoWorkload(`${config.prefix}-demo`, {
    provider: cluster.kubernetesProvider,
    identity: config.workload,
    access: storage.access,
    readyAfter: [agent],
  });

  return {
    cluster: config.cluster,
    storage: config.storage,
    clusterName: cluster.clusterName,
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    kubeconfig: cluster.kubeconfig,
    bucketName: storage.bucketName,
    objectUrl: storage.objectUrl,
    ...storage.outputs,
    namespace: demo.namespace,
    serviceAccount: demo.serviceAccountName,
    verifyJob: demo.jobName,
    ...(demo.denialJobName ? { denialJob: demo.denialJobName } : {}),
    verifyCommand: demo.verifyCommand,
  };
};
