/**
 * Azure in the registry: its settings and provider, the AKS cluster side and the Blob storage
 * side. Blob trusts any cluster's issuer through a federated identity credential: AKS's webhook
 * delivers the token on AKS; elsewhere the pod projects its own.
 */
import * as azure from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import {
  settingsOf,
  type CloudModule,
  type ClusterModule,
  type StorageModule,
  type StorageSide,
  type WorkloadAccess,
} from "../core";
import { IdentityAgent } from "./agent";
import { IdentityBinding } from "./binding";
import { blobPrefixCondition, BucketWithPolicy } from "./bucket";
import { blobClient, blobReadCommand, blobWriteCommands } from "./client";
import { Cluster } from "./cluster";
import { aksExistingNameProblem, ExistingCluster } from "./existing";
import { blobIssuerHost } from "./issuer";
import { blobProblems, worstCaseAksIssuer } from "./limits";
import { azureSettings } from "./settings";

export const azureCloud: CloudModule<"azure"> = {
  cloud: "azure",
  title: "Azure",
  keys: ["azure-native:location"],
  settings: azureSettings,
  provider: (name, settings) => new azure.Provider(name, { location: settings.location }),
};

export const aksCluster: ClusterModule = {
  kind: "aks",
  cloud: "azure",
  nativeStorage: "blob",
  resourceType: "azure-native:containerservice:ManagedCluster",
  existingNameProblem: aksExistingNameProblem,
  worstCaseIssuer: worstCaseAksIssuer,
  location: (config) => settingsOf(config, "azure").location,
  build({ config, tags, providerOf }) {
    const settings = settingsOf(config, "azure");
    const opts = { providers: { "azure-native": providerOf("azure") } };
    const { existing } = config;
    if (existing) {
      if (!existing.resourceGroup) {
        throw new Error("internal: config.existing of an AKS cluster has no resource group");
      }
      const cluster = new ExistingCluster(
        `${config.prefix}-cluster`,
        { resourceGroupName: existing.resourceGroup, clusterName: existing.name },
        opts,
      );
      const agent = new IdentityAgent(
        `${config.prefix}-agent`,
        { provider: cluster.kubernetesProvider },
        opts,
      );
      return { cluster, agent };
    }
    const cluster = new Cluster(
      `${config.prefix}-cluster`,
      { location: settings.location, apiAllowedCidrs: config.apiAllowedCidrs, tags },
      opts,
    );
    const agent = new IdentityAgent(
      `${config.prefix}-agent`,
      { provider: cluster.kubernetesProvider, cluster: cluster.managedCluster },
      opts,
    );
    return { cluster, agent };
  },
};

export const blobStorage: StorageModule = {
  kind: "blob",
  cloud: "azure",
  problems: blobProblems,
  location: (config) => settingsOf(config, "azure").location,
  issuerHost: blobIssuerHost,
  build({ config, tags, providerOf }, cluster): StorageSide {
    const settings = settingsOf(config, "azure");
    const opts = { providers: { "azure-native": providerOf("azure") } };
    const bucket = new BucketWithPolicy(
      `${config.prefix}-storage`,
      {
        location: settings.location,
        accountNamePrefix: config.prefix,
        tags,
        prefixes: config.workloads.map((w) => w.prefix),
      },
      opts,
    );
    const readKey = (key: string) =>
      blobReadCommand(bucket.accountName, bucket.containerName, key, "/tmp/other.txt");
    // One managed identity per workload (its own role assignment and condition), each with one
    // federated credential: far below Entra's 20 per identity.
    const accesses = config.workloads.map(
      (w): WorkloadAccess & { clientId: pulumi.Output<string> } => {
        const hello = bucket.helloOf(w.prefix);
        const condition = blobPrefixCondition(w.access, w.prefix);
        const binding = new IdentityBinding(
          `${w.name}-binding`,
          {
            // Any cluster's issuer, verbatim: AKS's own, or EKS's / GKE's for cross-cloud access.
            issuerUrl: cluster.oidcIssuerUrl,
            serviceAccounts: [w],
            // On AKS the webhook projects the token; elsewhere the pod projects its own.
            delivery: cluster.native.kind === "aks" ? "webhook" : "projected",
            resourceGroupName: bucket.resourceGroupName,
            location: settings.location,
            roleDefinitionId:
              w.access === "write" ? bucket.writeRoleDefinitionId : bucket.readRoleDefinitionId,
            scope: bucket.containerId,
            ...(condition ? { condition } : {}),
            tags,
          },
          opts,
        );
        return {
          workload: w,
          objectUrl: hello.url,
          clientId: binding.clientId,
          access: {
            ...binding.accessFor(w),
            client: {
              ...blobClient({
                accountName: bucket.accountName,
                containerName: bucket.containerName,
                blobName: hello.name,
                clientId: binding.clientId,
              }),
              readKey,
              ...(w.access === "write"
                ? { write: blobWriteCommands(bucket.accountName, bucket.containerName, w.prefix) }
                : {}),
            },
          },
        };
      },
    );
    return {
      bucketName: pulumi.interpolate`${bucket.accountName}/${bucket.containerName}`,
      objectUrl: bucket.objectUrl,
      accesses,
      outputs: {
        storageAccount: bucket.accountName,
        container: bucket.containerName,
        identityClientId: accesses[0].clientId,
      },
    };
  },
};
