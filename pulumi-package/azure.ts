/**
 * Azure for other languages: the Blob container, Microsoft Entra Workload ID on AKS, and
 * federation from any OIDC issuer into a managed identity. Thin wrappers over src/azure with
 * serializable Args. Azure resources use the calling program's `azure-native` provider (its
 * `providers` resource option, handed to every child: @pulumi/pulumi provider/server.js
 * `construct`), or the default one of the stack's `azure-native:subscriptionId`/credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import * as azure from "../src/azure";
import { identityProblems, packageTags, podOutputs, raise } from "./pod";
import type { PodConfigFile, PodEnvVariable, PodProjectedToken } from "./pod";

export interface BlobContainerArgs {
  /** The Azure location of the resource group and the storage account, e.g. `swedencentral`. */
  location: string;
  /** Starts the storage account's name (1–18 letters and digits are kept; 6 random follow). */
  accountNamePrefix: string;
  /** Tags on the resource group and the account, besides `managed-by` and `component`. */
  tags?: Record<string, string>;
}

/**
 * A private Blob container holding `hello.txt`, in a StorageV2 account of its own resource group
 * (no anonymous access, TLS 1.2, HTTPS only). Bindings assign `readRoleDefinitionId` (Storage
 * Blob Data Reader) at `containerId`, no wider.
 */
export class BlobContainer extends pulumi.ComponentResource {
  /** The resource group that holds the account. */
  public readonly resourceGroupName: pulumi.Output<string>;
  /** The storage account's name. */
  public readonly accountName: pulumi.Output<string>;
  /** The container's name. */
  public readonly containerName: pulumi.Output<string>;
  /** The container's resource ID: the scope of a reader's role assignment. */
  public readonly containerId: pulumi.Output<string>;
  /** The full ID of Storage Blob Data Reader in this subscription. */
  public readonly readRoleDefinitionId: pulumi.Output<string>;
  /** `https://<account>.blob.core.windows.net/<container>/hello.txt`. */
  public readonly objectUrl: pulumi.Output<string>;

  constructor(name: string, args: BlobContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:BlobContainer", name, {}, opts);
    const bucket = new azure.BucketWithPolicy(
      name,
      {
        location: args.location,
        accountNamePrefix: args.accountNamePrefix,
        tags: packageTags(args.tags),
      },
      { parent: this },
    );
    this.resourceGroupName = bucket.resourceGroupName;
    this.accountName = bucket.accountName;
    this.containerName = bucket.containerName;
    this.containerId = bucket.containerId;
    this.readRoleDefinitionId = bucket.readRoleDefinitionId;
    this.objectUrl = bucket.objectUrl;
    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      accountName: this.accountName,
      containerName: this.containerName,
      containerId: this.containerId,
      readRoleDefinitionId: this.readRoleDefinitionId,
      objectUrl: this.objectUrl,
    });
  }
}

export interface AksBlobBindingArgs {
  /** The AKS cluster's OIDC issuer, exactly as AKS reports it (with its trailing `/`). */
  issuerUrl: pulumi.Input<string>;
  /** The Kubernetes namespace of the workload. */
  namespace: string;
  /** The workload's Kubernetes ServiceAccount: the one federated credential names it. */
  serviceAccount: string;
  /** The resource group the managed identity goes in. */
  resourceGroupName: pulumi.Input<string>;
  /** The managed identity's Azure location. */
  location: pulumi.Input<string>;
  /** The full ID of the role assigned, e.g. `BlobContainer.readRoleDefinitionId`. */
  roleDefinitionId: pulumi.Input<string>;
  /** Where the role applies, e.g. `BlobContainer.containerId`. */
  scope: pulumi.Input<string>;
  /** Tags on the managed identity, besides `managed-by` and `component`. */
  tags?: Record<string, string>;
}

/**
 * Microsoft Entra Workload ID on AKS for one namespace/ServiceAccount: a user-assigned managed
 * identity, a federated credential for the ServiceAccount's token (audience
 * `api://AzureADTokenExchange`), and the role at the scope. The ServiceAccount carries the client
 * and tenant IDs, the pod template the `azure.workload.identity/use` label; the webhook does the rest.
 */
export class AksBlobBinding extends pulumi.ComponentResource {
  /** The managed identity's client ID. */
  public readonly clientId: pulumi.Output<string>;
  /** The managed identity's tenant ID. */
  public readonly tenantId: pulumi.Output<string>;
  /** The managed identity's principal (object) ID, which the role is assigned to. */
  public readonly principalId: pulumi.Output<string>;
  /** Annotations for the ServiceAccount: the client and tenant IDs. */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Labels for the pod template: `azure.workload.identity/use: "true"`. */
  public readonly podLabels: pulumi.Output<Record<string, string>>;
  /** Environment the containers set (none: the webhook injects it). */
  public readonly env: pulumi.Output<PodEnvVariable[]>;
  /** Tokens the pod projects itself (none: the webhook projects it). */
  public readonly projectedTokens: pulumi.Output<PodProjectedToken[]>;
  /** Files the pod mounts (none). */
  public readonly files: pulumi.Output<PodConfigFile[]>;

  constructor(name: string, args: AksBlobBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:AksBlobBinding", name, {}, opts);
    const { binding, access } = entraBinding(this, name, args, "webhook");
    this.clientId = binding.clientId;
    this.tenantId = binding.tenantId;
    this.principalId = binding.principalId;
    const pod = podOutputs(access);
    this.serviceAccountAnnotations = pod.serviceAccountAnnotations;
    this.podLabels = pod.podLabels;
    this.env = pod.env;
    this.projectedTokens = pod.projectedTokens;
    this.files = pod.files;
    this.registerOutputs({
      clientId: this.clientId,
      tenantId: this.tenantId,
      principalId: this.principalId,
      ...pod,
    });
  }
}

export interface OidcBlobBindingArgs {
  /**
   * The OIDC issuer of the cluster whose ServiceAccount tokens Entra trusts (EKS, GKE, or any
   * cluster), exactly as its tokens carry it in `iss`: Entra compares it as a string.
   */
  issuerUrl: pulumi.Input<string>;
  /** The Kubernetes namespace of the workload. */
  namespace: string;
  /** The workload's Kubernetes ServiceAccount: the one federated credential names it. */
  serviceAccount: string;
  /** The resource group the managed identity goes in. */
  resourceGroupName: pulumi.Input<string>;
  /** The managed identity's Azure location. */
  location: pulumi.Input<string>;
  /** The full ID of the role assigned, e.g. `BlobContainer.readRoleDefinitionId`. */
  roleDefinitionId: pulumi.Input<string>;
  /** Where the role applies, e.g. `BlobContainer.containerId`. */
  scope: pulumi.Input<string>;
  /** Tags on the managed identity, besides `managed-by` and `component`. */
  tags?: Record<string, string>;
}

/**
 * Federation from any OIDC issuer into Azure: a user-assigned managed identity, a federated
 * credential for the ServiceAccount's token, and the role at the scope. No webhook: the pod
 * projects its own token for `api://AzureADTokenExchange` and sets the AZURE_* variables.
 */
export class OidcBlobBinding extends pulumi.ComponentResource {
  /** The managed identity's client ID. */
  public readonly clientId: pulumi.Output<string>;
  /** The managed identity's tenant ID. */
  public readonly tenantId: pulumi.Output<string>;
  /** The managed identity's principal (object) ID, which the role is assigned to. */
  public readonly principalId: pulumi.Output<string>;
  /** Annotations for the ServiceAccount (none). */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Labels for the pod template (none). */
  public readonly podLabels: pulumi.Output<Record<string, string>>;
  /** Environment the containers set: client, tenant, token file, authority. */
  public readonly env: pulumi.Output<PodEnvVariable[]>;
  /** The token the pod projects: audience `api://AzureADTokenExchange`. */
  public readonly projectedTokens: pulumi.Output<PodProjectedToken[]>;
  /** Files the pod mounts (none). */
  public readonly files: pulumi.Output<PodConfigFile[]>;

  constructor(name: string, args: OidcBlobBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:index:OidcBlobBinding", name, {}, opts);
    const { binding, access } = entraBinding(this, name, args, "projected");
    this.clientId = binding.clientId;
    this.tenantId = binding.tenantId;
    this.principalId = binding.principalId;
    const pod = podOutputs(access);
    this.serviceAccountAnnotations = pod.serviceAccountAnnotations;
    this.podLabels = pod.podLabels;
    this.env = pod.env;
    this.projectedTokens = pod.projectedTokens;
    this.files = pod.files;
    this.registerOutputs({
      clientId: this.clientId,
      tenantId: this.tenantId,
      principalId: this.principalId,
      ...pod,
    });
  }
}

/** The Entra binding both wrap: one managed identity for exactly one ServiceAccount. */
function entraBinding(
  parent: pulumi.ComponentResource,
  name: string,
  args: AksBlobBindingArgs | OidcBlobBindingArgs,
  delivery: "webhook" | "projected",
) {
  raise(identityProblems(args.namespace, args.serviceAccount), parent);
  const identity = { namespace: args.namespace, serviceAccount: args.serviceAccount };
  const binding = new azure.IdentityBinding(
    name,
    {
      issuerUrl: args.issuerUrl,
      serviceAccounts: [identity],
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      roleDefinitionId: args.roleDefinitionId,
      scope: args.scope,
      delivery,
      tags: packageTags(args.tags),
    },
    { parent },
  );
  return { binding, access: binding.accessFor(identity) };
}
