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
/** A service principal that could deploy instead (a pipeline): its own client and object IDs. */
export const PIPELINE_CLIENT_ID = "2f1a3b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b";
export const PIPELINE_OBJECT_ID = "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918";

/** Who getClientConfig reports: a user signed in with `az login` unless a test switches it. */
export const deployer = {
  clientId: DEPLOYER_CLIENT_ID,
  objectId: DEPLOYER_OBJECT_ID,
  type: "User" as "User" | "ServicePrincipal",
};

/** The principal type Entra ID holds for each principal ID the mocks hand out. */
function principalTypeOf(principalId: string): string | undefined {
  if (principalId === deployer.objectId) return deployer.type;
  if (principalId === IDENTITY_PRINCIPAL_ID || principalId === CLUSTER_PRINCIPAL_ID) {
    return "ServicePrincipal";
  }
  return undefined;
}
/** What the random provider would pick for the storage account's suffix. */
export const RANDOM_SUFFIX = "q7x2k9m4p1z8";

const rgId = (group: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}`;
const provider = (group: string, type: string, name: string) =>
  `${rgId(group)}/providers/${type}/${name}`;

/** The API server's CA, as AKS returns it (base64 PEM). */
export const AKS_CA =
  "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUU2RENDQXRDZ0F3SUJBZ0lRCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K";
/** The API server URL in the kubeconfig AKS returns for `cluster`. */
export const aksServer = (cluster: string) =>
  `https://${cluster}-dns-4f2a9c1e.hcp.${LOCATION}.azmk8s.io:443`;

/**
 * The kubeconfig AKS hands the cluster user of a managed Entra ID cluster with local accounts off:
 * an exec entry for kubelogin (device code) and no secret of any kind.
 */
export function aksKubeconfig(cluster: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${AKS_CA}
    server: ${aksServer(cluster)}
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
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - ${TENANT}
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.

        To learn more, please go to https://aka.ms/aks/kubelogin
      interactiveMode: IfAvailable
      provideClusterInfo: false
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
    // As AKS refuses them (https://aka.ms/aks-naming-rules; managedCluster.d.ts).
    const nodeGroup =
      inputs.nodeResourceGroup ?? `MC_${inputs.resourceGroupName}_${cluster}_${inputs.location}`;
    if (nodeGroup.length > 80) {
      throw new Error(
        `InvalidParameter: The length of the node resource group name is too long. The maximum length is 80 and the length of the value provided is ${nodeGroup.length}.`,
      );
    }
    if (inputs.disableLocalAccounts && !inputs.aadProfile?.managed) {
      throw new Error("BadRequest: local accounts can only be disabled on managed AAD clusters");
    }
    // AKS reports an issuer URL only when the issuer is enabled.
    const oidcIssuerProfile = inputs.oidcIssuerProfile?.enabled
      ? { enabled: true, issuerURL: AKS_ISSUER }
      : { enabled: false };
    return {
      id,
      state: {
        ...inputs,
        name: cluster,
        nodeResourceGroup: nodeGroup,
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
    // ARM refuses a principalType that is not the principal's (the SDK sends "User" when unset).
    const actual = principalTypeOf(inputs.principalId);
    if (actual && inputs.principalType && inputs.principalType !== actual) {
      throw new Error(
        `UnmatchedPrincipalType: The PrincipalId '${inputs.principalId}' has type '${actual}', which is different from specified PrincipalType '${inputs.principalType}'.`,
      );
    }
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

/**
 * Existing AKS clusters the `getManagedCluster` lookup knows, all in `EXISTING_AKS_GROUP`; any
 * other name or group is not found, as ARM answers (`ResourceNotFound`). `wi-existing` has
 * everything the adoption needs; the others each lack something.
 */
export const EXISTING_AKS_GROUP = "platform-rg";
export const EXISTING_AKS = {
  ready: "wi-existing",
  noIssuer: "wi-existing-no-issuer",
  noWorkloadIdentity: "wi-existing-no-wi",
  bare: "wi-existing-bare",
  localAccounts: "wi-existing-local",
} as const;
/** The issuer AKS reports for the existing clusters: not that of a created one. */
export const EXISTING_AKS_ISSUER = `https://${LOCATION}.oic.prod-aks.azure.com/${TENANT}/7b1d0e4c-2a3f-4e5d-8c6b-9a0f1e2d3c4b/`;

function getManagedCluster(args: any): Record<string, unknown> {
  const { resourceGroupName, resourceName, ...rest } = args;
  if (Object.keys(rest).length > 0) {
    throw new Error(`unexpected getManagedCluster args ${JSON.stringify(args)}`);
  }
  const name = String(resourceName);
  if (
    resourceGroupName !== EXISTING_AKS_GROUP ||
    !(Object.values(EXISTING_AKS) as string[]).includes(name)
  ) {
    throw new Error(
      `ResourceNotFound: The Resource 'Microsoft.ContainerService/managedClusters/${name}' under resource group '${resourceGroupName}' was not found.`,
    );
  }
  const issuer = name !== EXISTING_AKS.noIssuer && name !== EXISTING_AKS.bare;
  const workloadIdentity = name !== EXISTING_AKS.noWorkloadIdentity && name !== EXISTING_AKS.bare;
  const entra = name !== EXISTING_AKS.localAccounts;
  return {
    id: provider(EXISTING_AKS_GROUP, "Microsoft.ContainerService/managedClusters", name),
    name,
    location: LOCATION,
    type: "Microsoft.ContainerService/ManagedClusters",
    fqdn: `${name}-dns-4f2a9c1e.hcp.${LOCATION}.azmk8s.io`,
    enableRBAC: true,
    ...(entra
      ? { aadProfile: { managed: true, enableAzureRBAC: true, tenantID: TENANT } }
      : { disableLocalAccounts: false }),
    oidcIssuerProfile: issuer
      ? { enabled: true, issuerURL: EXISTING_AKS_ISSUER }
      : { enabled: false },
    securityProfile: workloadIdentity ? { workloadIdentity: { enabled: true } } : {},
    provisioningState: "Succeeded",
    tags: { team: "platform" },
  };
}

export const azureInvokes: Record<string, InvokeMock> = {
  "azure-native:containerservice:getManagedCluster": getManagedCluster,
  "azure-native:authorization:getClientConfig": (args) => {
    if (Object.keys(args).length > 0) {
      throw new Error(`unexpected getClientConfig args ${JSON.stringify(args)}`);
    }
    return {
      clientId: deployer.clientId,
      objectId: deployer.objectId,
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
    };
  },
  "azure-native:containerservice:listManagedClusterUserCredentials": (args) => {
    const { resourceGroupName, resourceName, ...rest } = args;
    if (typeof resourceGroupName !== "string" || typeof resourceName !== "string") {
      throw new Error(`unexpected listManagedClusterUserCredentials args ${JSON.stringify(args)}`);
    }
    // `format` only chooses the user entry's shape, which the program does not read.
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
