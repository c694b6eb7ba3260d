/**
 * The aks stack (AKS Microsoft Entra Workload ID → Blob) as test/azure.test.ts and
 * test/azure-binding.test.ts read it: one recorder, the evaluation of `Pulumi.aks.yaml` (run once
 * per worker: the evaluation cache), the types and the names the mocks give.
 */
import { beforeAll, expect } from "vitest";
import { RANDOM_SUFFIX, SUBSCRIPTION } from "../../offline/clouds/azure";
import { evaluate, exampleStackConfig, type Evaluation } from "../../offline/evaluate";
import { installMocks, type Recorded } from "../../offline/mocks";

export const rec = installMocks("aks");

/** Evaluates aks with `config` (default its stack file) into `rec`. */
export async function evaluateAks(
  config: Record<string, string> = exampleStackConfig("aks"),
): Promise<Evaluation> {
  return evaluate(rec, "aks", config);
}

/** The latest `evaluateAksFile()`. */
export let run: Evaluation;

/** Evaluates aks as its stack file has it into `rec`, and makes it `run`. */
export async function evaluateAksFile(): Promise<Evaluation> {
  run = await evaluateAks();
  return run;
}

/** Registers the calling file's `beforeAll`: aks as its stack file has it. */
export function useAks(): void {
  beforeAll(evaluateAksFile);
}

export const T = {
  group: "azure-native:resources:ResourceGroup",
  aks: "azure-native:containerservice:ManagedCluster",
  account: "azure-native:storage:StorageAccount",
  container: "azure-native:storage:BlobContainer",
  blob: "azure-native:storage:Blob",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  fic: "azure-native:managedidentity:FederatedIdentityCredential",
  role: "azure-native:authorization:RoleAssignment",
  access: "pulumi-nodejs:dynamic:Resource",
  random: "random:index/randomString:RandomString",
  azureProvider: "pulumi:providers:azure-native",
  k8sProvider: "pulumi:providers:kubernetes",
  ns: "kubernetes:core/v1:Namespace",
  sa: "kubernetes:core/v1:ServiceAccount",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  webhook: "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
};

/** Names the mocks give auto-named resources. */
export const CLUSTER_NAME = "wi-aks-cluster-aks-a1b2c3d";
export const CLUSTER_RG = "wi-aks-cluster-rg-a1b2c3d";
export const STORAGE_RG = "wi-aks-storage-rg-a1b2c3d";
export const ACCOUNT = `wiaks${RANDOM_SUFFIX.slice(0, 6)}`;
export const CONTAINER = "hello";
export const IDENTITY = "wi-aks-binding-identity-a1b2c3d";
export const ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${STORAGE_RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`;
export const CONTAINER_ID = `${ACCOUNT_ID}/blobServices/default/containers/${CONTAINER}`;
export const READER_ROLE = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`;
export const CLUSTER_ADMIN_ROLE = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b`;
export const CLUSTER_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${CLUSTER_RG}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER_NAME}`;
/** The deployer's role on the cluster, and the pods' role on the container. */
export const adminRole = () => rec.one(T.role, "-cluster-admin");
export const readerRole = () => rec.one(T.role, "-binding-reader");

/** The IdentityAgent's `.get` of the webhook configuration (recorded with the ID it read). */
export const webhookRead = (): Recorded => {
  const found = rec.resources.filter((r) => r.type === T.webhook && r.readId !== undefined);
  expect(found).toHaveLength(1);
  return found[0];
};
export const podTemplates = () =>
  [rec.one(T.deployment), rec.one(T.job, "-verify")].map((r) => r.inputs.spec.template);
