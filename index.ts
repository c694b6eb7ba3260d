/**
 * The program: read the stack's configuration, build the configured cluster side and storage side,
 * join them with the demo workload, and export the stack outputs.
 *
 * Pulumi calls the exported function and takes what it returns as the stack outputs
 * (@pulumi/pulumi cmd/run/run.js: `programExport instanceof Function ? programExport() : …`);
 * tests import this file under mocks and call it the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./src/config";
import { baseTags, denialTarget, helloKey, type Cloud, type StackOutputs } from "./src/core";
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
  const storageModule = STORAGES[config.storage];
  // A cluster that signs its own tokens (kind) publishes its issuer in the storage's cloud.
  const { issuerHost } = storageModule;
  const { cluster, agent } = clusterModule.build({ config, tags, providerOf, issuerHost });

  // The storage side: the bucket, and one binding per workload, each confined to its prefix.
  const storage = storageModule.build({ config, tags, providerOf }, cluster);

  // One demo workload per bound workload: runs as its identity and proves the chain in the
  // cluster; each namespace is created once, by its first workload.
  const namespaces = new Map<string, pulumi.Output<string>>();
  const demos = storage.accesses.map(({ workload, access }, i) => {
    const target = denialTarget(config.workloads, i);
    const demo = new DemoWorkload(`${workload.name}-demo`, {
      provider: cluster.kubernetesProvider,
      identity: workload,
      access,
      readyAfter: [agent],
      sharedNamespace: namespaces.get(workload.namespace),
      ...(target !== undefined
        ? {
            crossDenial: {
              key: helloKey(config.workloads[target].prefix),
              objectUrl: storage.accesses[target].objectUrl,
              owner: config.workloads[target],
            },
          }
        : {}),
    });
    if (!namespaces.has(workload.namespace)) namespaces.set(workload.namespace, demo.namespace);
    return demo;
  });
  const demo = demos[0];
  // With a `workloads` list: each workload's grant, object and Jobs, as one JSON output.
  const listed = config.workloads.some((w) => w.name !== config.prefix);
  const workloads = pulumi.jsonStringify(
    storage.accesses.map(({ workload: w, objectUrl }, i) => ({
      namespace: w.namespace,
      serviceAccount: w.serviceAccount,
      access: w.access,
      prefix: w.prefix,
      objectUrl,
      verifyJob: demos[i].jobName,
      ...(demos[i].crossDenialJobName ? { crossDenialJob: demos[i].crossDenialJobName } : {}),
      verifyCommand: demos[i].verifyCommand,
    })),
  );

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
    ...(listed ? { workloads } : {}),
  };
};
