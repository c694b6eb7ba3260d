/**
 * Azure under mocks: outputs shaped like ARM's (resource IDs, a managed identity whose client ID
 * and principal ID differ, an AKS issuer URL with its trailing '/'), and the invokes the Azure
 * components make. Names Azure would refuse (storage accounts) throw, as Azure would.
 */
import { autoname, type InvokeMock, type ResourceMock } from "./types";

export const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
export const TENANT = "5d7e4366-1b9b-45cf-8e79-b14b27df46e1";
export const LOCATION = "swedencentral";
/** As AKS reports it: per tenant and cluster, ending in '/'. */
export const AKS_ISSUER = `https://${LOCATION}.oic.prod-aks.azure.com/${TENANT}/c0a5e1f2-8b7d-4e3a-9f61-2d4c8b0e7a13/`;
/** The managed identity's application (client) ID: what the SA annotation and `az login` use. */
export const IDENTITY_CLIENT_ID = "8e3c5b1a-7f2d-4c9e-a6b0-1d2e3f4a5b6c";
/** The managed identity's service principal (object) ID: what a role assignment names. */
export const IDENTITY_PRINCIPAL_ID = "f4a7c2d9-0e1b-4f3a-8c5d-6e7f8a9b0c1d";
/** Whoever runs `pulumi up`, as getClientConfig reports them. */
export const DEPLOYER_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
export const DEPLOYER_OBJECT_ID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
export const CLUSTER_PRINCIPAL_ID = "3c2b1a09-8f7e-4d6c-b5a4-9382716f5e4d";
/** What the random provider would pick for the storage account's suffix. */
export const RANDOM_SUFFIX = "q7x2k9m4p1z8";

const rgId = (group: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}`;
const provider = (group: string, type: string, name: string) =>
  `${rgId(group)}/providers/${type}/${name}`;

/** The kubeconfig AKS hands the cluster user for `cluster` (local accounts, no Entra ID). */
export function aksKubeconfig(cluster: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTi1DQS0tLS0t
    server: https://${cluster}-dns-4f2a9c1e.hcp.${LOCATION}.azmk8s.io:443
  name: ${cluster}
contexts:
- context:
    cluster: ${cluster}
    user: clusterUser_${cluster}
  name: ${cluster}
current-context: ${cluster}
users:
- name: clusterUser_${cluster}
  user:
    client-certificate-data: LS0tLS1DTElFTlQtQ0VSVC0tLS0t
    client-key-data: LS0tLS1DTElFTlQtS0VZLS0tLS0=
    token: example-token
`;
}

/** The add-on's webhook configuration, as `kubectl get mutatingwebhookconfiguration -o yaml` shows it. */
export const WEBHOOK_CONFIGURATION = {
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "MutatingWebhookConfiguration",
  metadata: {
    name: "azure-wi-webhook-mutating-webhook-configuration",
    labels: { "azure-workload-identity.io/system": "true" },
  },
  webhooks: [
    {
      name: "mutation.azure-workload-identity.io",
      failurePolicy: "Fail",
      objectSelector: { matchLabels: { "azure.workload.identity/use": "true" } },
      clientConfig: {
        service: {
          name: "azure-wi-webhook-webhook-service",
          namespace: "kube-system",
          path: "/mutate-v1-pod",
        },
      },
    },
  ],
};

export const azureResources: Record<string, ResourceMock> = {
  "azure-native:resources:ResourceGroup": (name, inputs) => {
    const group = inputs.resourceGroupName ?? autoname(name);
    return { id: rgId(group), state: { ...inputs, name: group } };
  },
  "azure-native:containerservice:ManagedCluster": (name, inputs) => {
    const cluster = inputs.resourceName ?? autoname(name);
    const id = provider(
      inputs.resourceGroupName,
      "Microsoft.ContainerService/managedClusters",
      cluster,
    );
    // AKS reports an issuer URL only when the issuer is enabled.
    const oidcIssuerProfile = inputs.oidcIssuerProfile?.enabled
      ? { enabled: true, issuerURL: AKS_ISSUER }
      : { enabled: false };
    return {
      id,
      state: {
        ...inputs,
        name: cluster,
        fqdn: `${inputs.dnsPrefix}-dns-4f2a9c1e.hcp.${LOCATION}.azmk8s.io`,
        oidcIssuerProfile,
        identity: { ...inputs.identity, principalId: CLUSTER_PRINCIPAL_ID, tenantId: TENANT },
        provisioningState: "Succeeded",
      },
    };
  },
  "azure-native:managedidentity:UserAssignedIdentity": (name, inputs) => {
    const identity = inputs.resourceName ?? autoname(name);
    return {
      id: provider(
        inputs.resourceGroupName,
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        identity,
      ),
      state: {
        ...inputs,
        name: identity,
        clientId: IDENTITY_CLIENT_ID,
        principalId: IDENTITY_PRINCIPAL_ID,
        tenantId: TENANT,
      },
    };
  },
  "azure-native:managedidentity:FederatedIdentityCredential": (name, inputs) => {
    const credential = inputs.federatedIdentityCredentialResourceName ?? autoname(name);
    const identity = provider(
      inputs.resourceGroupName,
      "Microsoft.ManagedIdentity/userAssignedIdentities",
      inputs.resourceName,
    );
    return {
      id: `${identity}/federatedIdentityCredentials/${credential}`,
      state: { ...inputs, name: credential },
    };
  },
  "azure-native:storage:StorageAccount": (name, inputs) => {
    const account = inputs.accountName ?? autoname(name);
    if (!/^[a-z0-9]{3,24}$/.test(account)) {
      throw new Error(
        `AccountNameInvalid: ${account} is not a valid storage account name (3–24 lowercase letters and digits)`,
      );
    }
    return {
      id: provider(inputs.resourceGroupName, "Microsoft.Storage/storageAccounts", account),
      state: {
        ...inputs,
        name: account,
        primaryEndpoints: { blob: `https://${account}.blob.core.windows.net/` },
      },
    };
  },
  "azure-native:storage:BlobContainer": (name, inputs) => {
    const container = inputs.containerName ?? autoname(name);
    const account = provider(
      inputs.resourceGroupName,
      "Microsoft.Storage/storageAccounts",
      inputs.accountName,
    );
    return {
      id: `${account}/blobServices/default/containers/${container}`,
      state: { ...inputs, name: container },
    };
  },
  "azure-native:storage:Blob": (name, inputs) => {
    const blob = inputs.blobName ?? autoname(name);
    const url = `https://${inputs.accountName}.blob.core.windows.net/${inputs.containerName}/${blob}`;
    return { id: url, state: { ...inputs, name: blob, url } };
  },
  "azure-native:authorization:RoleAssignment": (_name, inputs) => {
    const assignment = inputs.roleAssignmentName ?? "6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b";
    const id = `${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment}`;
    return { id, state: { ...inputs, name: assignment } };
  },
  "random:index/randomString:RandomString": (name, inputs) => ({
    id: `${name}-id`,
    state: { ...inputs, result: RANDOM_SUFFIX.slice(0, inputs.length) },
  }),
  // A `.get` of the add-on's configuration: a read, which carries an ID and no inputs.
  "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration": () => ({
    id: WEBHOOK_CONFIGURATION.metadata.name,
    state: WEBHOOK_CONFIGURATION,
  }),
};

export const azureInvokes: Record<string, InvokeMock> = {
  "azure-native:authorization:getClientConfig": (args) => {
    if (Object.keys(args).length > 0) {
      throw new Error(`unexpected getClientConfig args ${JSON.stringify(args)}`);
    }
    return {
      clientId: DEPLOYER_CLIENT_ID,
      objectId: DEPLOYER_OBJECT_ID,
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
    };
  },
  "azure-native:containerservice:listManagedClusterUserCredentials": (args) => {
    const { resourceGroupName, resourceName, ...rest } = args;
    if (typeof resourceGroupName !== "string" || typeof resourceName !== "string") {
      throw new Error(`unexpected listManagedClusterUserCredentials args ${JSON.stringify(args)}`);
    }
    // `format` and `serverFqdn` only matter to Entra ID clusters, which this program does not make.
    if (Object.keys(rest).length > 0) {
      throw new Error(`unexpected listManagedClusterUserCredentials args ${JSON.stringify(rest)}`);
    }
    return {
      kubeconfigs: [
        {
          name: "clusterUser",
          value: Buffer.from(aksKubeconfig(resourceName)).toString("base64"),
        },
      ],
    };
  },
};
