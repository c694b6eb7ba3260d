/**
 * The aks stack (AKS Microsoft Entra Workload ID → Blob) under mocks: every link of the identity
 * chain, read off what the program registers (here the components, the cluster, the agent and the
 * storage; test/azure-binding.test.ts the rest, on the same evaluation). The mocks give the managed identity a client ID and
 * a principal ID that differ, and an issuer URL with its trailing '/', so a swap or a normalised
 * issuer shows up as a wrong input.
 *
 * What this cannot prove: that Azure accepts these inputs (no provider validation runs), that the
 * AKS add-on injects the token and AZURE_* variables, that Entra exchanges the token (its issuer
 * keys are fetched from the live issuer), that RBAC propagates in time, or that the pinned image
 * starts; the verification Job proves those on a real `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { expectOwnedAndNamed, expectUniqueNames } from "./support/expect";
import { describe, expect, test } from "vitest";
import {
  AKS_CA,
  AKS_ISSUER,
  aksServer,
  DEPLOYER_CLIENT_ID,
  DEPLOYER_OBJECT_ID,
} from "../offline/clouds/azure";
import { isSecret, valueOf } from "../offline/mocks";
import { AKS_AAD_SERVER_APP_ID } from "../src/azure";
import { WORKLOAD_IDENTITY_WEBHOOK } from "../src/azure";
import { AZURE_CLI_APP_ID } from "../src/azure";
import { HELLO_CONTENT } from "../src/core";
import {
  ACCOUNT,
  adminRole,
  CLUSTER_ADMIN_ROLE,
  CLUSTER_ID,
  CLUSTER_NAME,
  CLUSTER_RG,
  CONTAINER,
  rec,
  run,
  STORAGE_RG,
  T,
  useAks,
  webhookRead,
} from "./support/aks";

useAks();

describe("the five components", () => {
  test("are registered once each, with their type tokens", () => {
    const components = rec.resources.filter((r) => r.type.startsWith("workload-identity:"));
    expect(components.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
      "workload-identity:azure:BucketWithPolicy wi-aks-storage",
      "workload-identity:azure:Cluster wi-aks-cluster",
      "workload-identity:azure:IdentityAgent wi-aks-agent",
      "workload-identity:azure:IdentityBinding wi-aks-binding",
      "workload-identity:k8s:DemoWorkload wi-aks-demo",
    ]);
  });

  test("own every cloud and Kubernetes resource, named after the component", () => {
    expectOwnedAndNamed(rec);
  });

  test("every Azure resource and invoke goes through the explicit provider for the configured location", () => {
    const provider = rec.one(T.azureProvider);
    expect(provider.inputs.location).toBe("swedencentral");
    const azure = rec.resources.filter((r) => r.custom && r.type.startsWith("azure-native:"));
    expect(azure.map((r) => r.type).sort()).toEqual(
      [
        T.group,
        T.group,
        T.aks,
        T.role,
        T.account,
        T.container,
        T.blob,
        T.identity,
        T.fic,
        T.role,
      ].sort(),
    );
    for (const r of azure) expect(rec.providerUrn(r), r.name).toBe(provider.urn);
    const invokes = rec.invokes.filter((i) => i.token.startsWith("azure-native:"));
    expect(invokes.map((i) => i.token).sort()).toEqual([
      "azure-native:authorization:getClientConfig",
      "azure-native:authorization:getClientConfig",
      "azure-native:containerservice:listManagedClusterUserCredentials",
    ]);
    for (const i of invokes) {
      expect(i.provider.split("::").slice(0, -1).join("::"), i.token).toBe(provider.urn);
    }
    // Both resource groups land where the stack says.
    for (const g of rec.ofType(T.group)) expect(g.inputs.location).toBe("swedencentral");
  });

  test("every Kubernetes object, and the webhook read, uses the provider built from our cluster", () => {
    const provider = rec.one(T.k8sProvider);
    expect(rec.ancestors(provider)[0].type).toBe("workload-identity:azure:Cluster");
    const objects = rec.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.readId);
    // The bound pods, and the denial Job with its unbound ServiceAccount.
    expect(objects.map((o) => o.type).sort()).toEqual(
      [T.deployment, T.job, T.job, T.ns, T.sa, T.sa].sort(),
    );
    for (const o of objects) expect(rec.providerUrn(o), o.name).toBe(provider.urn);
    expect(webhookRead().provider.split("::").slice(0, -1).join("::")).toBe(provider.urn);
  });

  test("no two resources share a name", () => {
    expectUniqueNames(rec);
  });
});

describe("Cluster", () => {
  test("free tier, one small Linux node in a System pool, a system-assigned identity", () => {
    const aks = rec.one(T.aks);
    expect(aks.inputs.resourceGroupName).toBe(CLUSTER_RG);
    expect(aks.inputs.location).toBe("swedencentral");
    expect(aks.inputs.sku).toEqual({ name: "Base", tier: "Free" });
    expect(aks.inputs.identity).toEqual({ type: "SystemAssigned" });
    expect(aks.inputs.agentPoolProfiles).toEqual([
      {
        name: "system",
        mode: "System",
        type: "VirtualMachineScaleSets",
        osType: "Linux",
        vmSize: "Standard_D2s_v5",
        count: 1,
        enableAutoScaling: false,
      },
    ]);
    // Unset: AKS's current default version, never a paid LTS one.
    expect(aks.inputs.kubernetesVersion).toBeUndefined();
  });

  test("the OIDC issuer and Workload ID (the webhook add-on) are on", () => {
    const aks = rec.one(T.aks);
    expect(aks.inputs.oidcIssuerProfile).toEqual({ enabled: true });
    expect(aks.inputs.securityProfile).toEqual({ workloadIdentity: { enabled: true } });
  });

  test("the issuer is exactly what AKS reports, trailing slash included", async () => {
    expect(AKS_ISSUER.endsWith("/")).toBe(true);
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(AKS_ISSUER);
  });

  test("Entra ID sign-in with Azure RBAC, no local accounts, no admin credential ever asked for", () => {
    const aks = rec.one(T.aks);
    expect(aks.inputs.aadProfile).toEqual({ managed: true, enableAzureRBAC: true });
    expect(aks.inputs.disableLocalAccounts).toBe(true);
    expect(aks.inputs.enableRBAC).toBe(true);
    const tokens = rec.invokes.map((i) => i.token);
    expect(tokens).not.toContain(
      "azure-native:containerservice:listManagedClusterAdminCredentials",
    );
    expect(tokens.filter((t) => t.includes("ManagedCluster"))).toEqual([
      "azure-native:containerservice:listManagedClusterUserCredentials",
    ]);
  });

  test("the deployer gets AKS RBAC Cluster Admin on this cluster only", () => {
    const admin = adminRole();
    expect(admin.inputs).toEqual({
      principalId: DEPLOYER_OBJECT_ID,
      // The mock's deployer signed in with `az login` (the Azure CLI's client ID): a user.
      principalType: "User",
      roleDefinitionId: CLUSTER_ADMIN_ROLE,
      scope: CLUSTER_ID,
    });
    expect(DEPLOYER_CLIENT_ID).toBe(AZURE_CLI_APP_ID);
    expect(rec.byUrn(admin.parent).type).toBe("workload-identity:azure:Cluster");
    expect(admin.dependencies).toContain(rec.one(T.aks).urn);
  });

  test("a bounded node resource group of our own, not AKS's MC_<group>_<cluster>_<location>", () => {
    const aks = rec.one(T.aks);
    expect(aks.inputs.nodeResourceGroup).toBe(`${CLUSTER_RG}-nodes`);
  });

  test("the API server stays reachable from anywhere by default: no authorized ranges", () => {
    expect(rec.one(T.aks).inputs.apiServerAccessProfile).toBeUndefined();
  });

  test("the kubeconfig runs kubelogin with the Azure CLI's identity; it holds no credential, stays secret, feeds the provider", async () => {
    const lookups = rec.invokes.filter(
      (i) => i.token === "azure-native:containerservice:listManagedClusterUserCredentials",
    );
    expect(lookups.map((i) => i.args)).toEqual([
      { resourceGroupName: CLUSTER_RG, resourceName: CLUSTER_NAME },
    ]);
    expect(await isSecret(run.outputs.kubeconfig)).toBe(true);
    const kubeconfig = await valueOf(run.outputs.kubeconfig);
    expect(JSON.parse(kubeconfig)).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: CLUSTER_NAME,
          cluster: { server: aksServer(CLUSTER_NAME), "certificate-authority-data": AKS_CA },
        },
      ],
      contexts: [{ name: CLUSTER_NAME, context: { cluster: CLUSTER_NAME, user: CLUSTER_NAME } }],
      "current-context": CLUSTER_NAME,
      users: [
        {
          name: CLUSTER_NAME,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "kubelogin",
              args: ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_APP_ID],
              installHint:
                "Install kubelogin: az aks install-cli, or see https://azure.github.io/kubelogin/install.html",
              provideClusterInfo: false,
              interactiveMode: "Never",
            },
          },
        },
      ],
    });
    // The AKS Entra server application (Azure/kubelogin docs/book/src/concepts/aks.md).
    expect(AKS_AAD_SERVER_APP_ID).toBe("6dae42f8-4368-4678-94ff-3960e28e3630");
    for (const secret of ["client-key-data", "client-certificate-data", "token", "password"]) {
      expect(kubeconfig).not.toContain(`"${secret}"`);
    }
    const provider = rec.one(T.k8sProvider);
    expect(provider.inputs.kubeconfig).toBe(kubeconfig);
    expect(provider.secretInputs).toEqual(["kubeconfig"]);
  });

  test("the provider keeps objects in state when the API is unreachable (no deleteUnreachable)", () => {
    const provider = rec.one(T.k8sProvider);
    expect(provider.inputs.deleteUnreachable).toBeUndefined();
  });

  test("nothing reaches Kubernetes before the deployer's role has taken effect in the cluster", () => {
    const admin = adminRole();
    const access = rec.one(T.access);
    expect(rec.byUrn(access.parent).type).toBe("workload-identity:azure:Cluster");
    expect(access.name).toBe("wi-aks-cluster-access");
    expect(access.inputs).toMatchObject({
      server: aksServer(CLUSTER_NAME),
      certificateAuthority: AKS_CA,
      roleAssignmentId: `${CLUSTER_ID}/providers/Microsoft.Authorization/roleAssignments/6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b`,
      attempts: 60,
      intervalSeconds: 10,
    });
    expect(access.dependencies).toContain(admin.urn);
    // The provider waits for the cluster, the assignment and the wait; every object and read
    // through it (checked above) therefore waits too.
    const provider = rec.one(T.k8sProvider);
    for (const r of [rec.one(T.aks), admin, access]) {
      expect(provider.dependencies, `provider → ${r.name}`).toContain(r.urn);
    }
    for (const r of rec.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(rec.providerUrn(r) || r.provider.split("::").slice(0, -1).join("::"), r.name).toBe(
        provider.urn,
      );
    }
  });
});

describe("IdentityAgent", () => {
  test("reads the add-on's MutatingWebhookConfiguration by name, after the cluster", () => {
    const read = webhookRead();
    expect(read.readId).toBe(WORKLOAD_IDENTITY_WEBHOOK);
    expect(read.readId).toBe("azure-wi-webhook-mutating-webhook-configuration");
    expect(rec.byUrn(read.parent).type).toBe("workload-identity:azure:IdentityAgent");
    expect(read.dependencies).toContain(rec.one(T.aks).urn);
  });

  test("the ServiceAccount and both pods wait for the webhook", () => {
    const read = webhookRead();
    for (const r of [rec.one(T.sa, "-sa"), rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(r.dependencies, `${r.name} → webhook`).toContain(read.urn);
    }
  });
});

describe("BucketWithPolicy", () => {
  test("a StorageV2 account: no anonymous access, TLS 1.2, HTTPS only, shared key kept for the upload", () => {
    const account = rec.one(T.account);
    expect(account.inputs).toMatchObject({
      kind: "StorageV2",
      resourceGroupName: STORAGE_RG,
      location: "swedencentral",
      allowBlobPublicAccess: false,
      minimumTlsVersion: "TLS1_2",
      enableHttpsTrafficOnly: true,
      // Deliberate: azure-native uploads hello.txt with the account key (pulumi-azure-native#2015).
      allowSharedKeyAccess: true,
      defaultToOAuthAuthentication: true,
      allowCrossTenantReplication: false,
    });
    expect(account.inputs.networkRuleSet).toBeUndefined();
  });

  test("the account name is the stack prefix without dashes plus a random lowercase suffix", () => {
    const account = rec.one(T.account);
    expect(account.inputs.accountName).toBe(ACCOUNT);
    expect(account.inputs.accountName).toMatch(/^[a-z0-9]{3,24}$/);
    const suffix = rec.one(T.random);
    expect(suffix.inputs).toMatchObject({
      length: 6,
      lower: true,
      upper: false,
      numeric: true,
      special: false,
    });
    expect(account.dependencies).toContain(suffix.urn);
  });

  test("a private container in that account", () => {
    const container = rec.one(T.container);
    expect(container.inputs).toEqual({
      accountName: ACCOUNT,
      resourceGroupName: STORAGE_RG,
      containerName: "hello",
      publicAccess: "None",
    });
  });

  test("hello.txt holds Hello, World! in that container", () => {
    const blob = rec.one(T.blob);
    expect(blob.inputs).toMatchObject({
      accountName: ACCOUNT,
      resourceGroupName: STORAGE_RG,
      containerName: CONTAINER,
      blobName: "hello.txt",
      type: "Block",
      contentType: "text/plain",
    });
    // The asset's text is read off the register request, as the engine would receive it.
    const source = blob.serializedInputs.source as any;
    expect(source[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialAssetSig);
    expect(source.text).toBe(HELLO_CONTENT);
    expect(HELLO_CONTENT).toBe("Hello, World!\n");
  });
});
