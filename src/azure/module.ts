/**
 * Azure in the registry: its settings and provider, the AKS cluster side and the Blob storage
 * side. Blob trusts any cluster's issuer through a federated identity credential: AKS's webhook
 * delivers the token on AKS; elsewhere the pod projects its own.
 */
import * as azure from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import {
  ConfigError,
  settingsOf,
  type AzureSettings,
  type CloudModule,
  type ClusterModule,
  type StorageModule,
  type StorageSide,
} from "../core";
import { IdentityAgent } from "./agent";
import { IdentityBinding } from "./binding";
import { BucketWithPolicy } from "./bucket";
import { blobClient } from "./client";
import { Cluster } from "./cluster";
import { aksExistingNameProblem, ExistingCluster } from "./existing";
import { blobIssuerHost } from "./issuer";
import { blobProblems, worstCaseAksIssuer } from "./limits";

const AZURE_LOCATION = /^[a-z][a-z0-9]+$/;

export const azureCloud: CloudModule<"azure"> = {
  cloud: "azure",
  title: "Azure",
  keys: ["azure-native:location"],
  settings(raw, reason): AzureSettings {
    const location = raw["azure-native:location"] ?? "";
    if (!AZURE_LOCATION.test(location)) {
      throw new ConfigError(
        `config \`azure-native:location\`: required when ${reason}; expected a location name such as ` +
          `swedencentral, got ${JSON.stringify(location)}`,
      );
    }
    return { location };
  },
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
      { location: settings.location, accountNamePrefix: config.prefix, tags },
      opts,
    );
    const binding = new IdentityBinding(
      `${config.prefix}-binding`,
      {
        // Any cluster's issuer, verbatim: AKS's own, or EKS's / GKE's for cross-cloud access.
        issuerUrl: cluster.oidcIssuerUrl,
        serviceAccounts: [config.workload],
        // On AKS the webhook projects the token; elsewhere the pod projects its own.
        delivery: cluster.native.kind === "aks" ? "webhook" : "projected",
        resourceGroupName: bucket.resourceGroupName,
        location: settings.location,
        roleDefinitionId: bucket.readRoleDefinitionId,
        scope: bucket.containerId,
        tags,
      },
      opts,
    );
    return {
      bucketName: pulumi.interpolate`${bucket.accountName}/${bucket.containerName}`,
      objectUrl: bucket.objectUrl,
      access: {
        ...binding.accessFor(config.workload),
        client: blobClient({
          accountName: bucket.accountName,
          containerName: bucket.containerName,
          blobName: bucket.blobName,
          clientId: binding.clientId,
        }),
      },
      outputs: {
        storageAccount: bucket.accountName,
        container: bucket.containerName,
        identityClientId: binding.clientId,
      },
    };
  },
};
