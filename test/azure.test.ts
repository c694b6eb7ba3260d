/**
 * The aks stack (AKS Microsoft Entra Workload ID → Blob) under mocks: every link of the identity
 * chain, read off what the program registers. The mocks give the managed identity a client ID and
 * a principal ID that differ, and an issuer URL with its trailing '/', so a swap or a normalised
 * issuer shows up as a wrong input.
 *
 * What this cannot prove: that Azure accepts these inputs (no provider validation runs), that the
 * AKS add-on injects the token and AZURE_* variables, that Entra exchanges the token (its issuer
 * keys are fetched from the live issuer), that RBAC propagates in time, or that the pinned image
 * starts; the verification Job proves those on a real `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { expectOwnedAndNamed, expectRestrictedPod, expectUniqueNames } from "./support/expect";
import { beforeAll, describe, expect, test } from "vitest";
import {
  AKS_CA,
  AKS_ISSUER,
  aksServer,
  DEPLOYER_CLIENT_ID,
  DEPLOYER_OBJECT_ID,
  IDENTITY_CLIENT_ID,
  IDENTITY_PRINCIPAL_ID,
  RANDOM_SUFFIX,
  SUBSCRIPTION,
  TENANT,
} from "../offline/clouds/azure";
import { evaluate, exampleStackConfig, type Evaluation } from "../offline/evaluate";
import { installMocks, isSecret, valueOf, type Recorded } from "../offline/mocks";
import { AKS_AAD_SERVER_APP_ID } from "../src/azure";
import { WORKLOAD_IDENTITY_WEBHOOK } from "../src/azure";
import { AZURE_CLI_APP_ID } from "../src/azure";
import { AZURE_CLI_IMAGE, FEDERATED_LOGIN } from "../src/azure";
import { HELLO_CONTENT } from "../src/core";

const rec = installMocks("aks");
let run: Evaluation;

async function evaluateAks(config: Record<string, string> = exampleStackConfig("aks")) {
  return evaluate(rec, "aks", config);
}

beforeAll(async () => {
  run = await evaluateAks();
});

const T = {
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
const CLUSTER_NAME = "wi-aks-cluster-aks-a1b2c3d";
const CLUSTER_RG = "wi-aks-cluster-rg-a1b2c3d";
const STORAGE_RG = "wi-aks-storage-rg-a1b2c3d";
const ACCOUNT = `wiaks${RANDOM_SUFFIX.slice(0, 6)}`;
const CONTAINER = "hello";
const IDENTITY = "wi-aks-binding-identity-a1b2c3d";
const ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${STORAGE_RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`;
const CONTAINER_ID = `${ACCOUNT_ID}/blobServices/default/containers/${CONTAINER}`;
const READER_ROLE = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`;
const CLUSTER_ADMIN_ROLE = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b`;
const CLUSTER_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${CLUSTER_RG}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER_NAME}`;
/** The deployer's role on the cluster, and the pods' role on the container. */
const adminRole = () => rec.one(T.role, "-cluster-admin");
const readerRole = () => rec.one(T.role, "-binding-reader");

/** The IdentityAgent's `.get` of the webhook configuration (recorded with the ID it read). */
const webhookRead = (): Recorded => {
  const found = rec.resources.filter((r) => r.type === T.webhook && r.readId !== undefined);
  expect(found).toHaveLength(1);
  return found[0];
};
const podTemplates = () =>
  [rec.one(T.deployment), rec.one(T.job, "-verify")].map((r) => r.inputs.spec.template);

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

describe("IdentityBinding", () => {
  test("a user-assigned identity next to the storage", () => {
    const identity = rec.one(T.identity);
    expect(identity.inputs.resourceGroupName).toBe(STORAGE_RG);
    expect(identity.inputs.location).toBe("swedencentral");
  });

  test("one federated credential: issuer verbatim, subject demo/demo, the token-exchange audience only", () => {
    const fic = rec.one(T.fic);
    expect(fic.inputs).toEqual({
      resourceGroupName: STORAGE_RG,
      resourceName: IDENTITY,
      federatedIdentityCredentialResourceName: "demo_demo",
      issuer: AKS_ISSUER,
      subject: "system:serviceaccount:demo:demo",
      audiences: ["api://AzureADTokenExchange"],
    });
    // Said twice because it is the classic mistake: the issuer keeps its trailing '/'.
    expect(fic.inputs.issuer.endsWith("/")).toBe(true);
    const sa = rec.one(T.sa, "-sa");
    expect(fic.inputs.subject).toBe(
      `system:serviceaccount:${sa.inputs.metadata.namespace}:${sa.inputs.metadata.name}`,
    );
  });

  test("Storage Blob Data Reader for the identity's principal ID, on the container only", () => {
    const role = readerRole();
    expect(IDENTITY_PRINCIPAL_ID).not.toBe(IDENTITY_CLIENT_ID);
    expect(role.inputs.principalId).toBe(IDENTITY_PRINCIPAL_ID);
    expect(role.inputs.principalType).toBe("ServicePrincipal");
    expect(role.inputs.roleDefinitionId).toBe(READER_ROLE);
    expect(role.inputs.scope).toBe(CONTAINER_ID);
    expect(role.inputs.scope).not.toBe(ACCOUNT_ID);
    expect(role.inputs.condition).toBeUndefined();
    // The subscription comes from the provider's client config, not from configuration.
    expect(
      rec.invokes.filter((i) => i.token === "azure-native:authorization:getClientConfig"),
    ).toHaveLength(2);
  });

  test("the ServiceAccount carries the client ID and tenant ID, and no pod label", () => {
    const sa = rec.one(T.sa, "-sa");
    expect(sa.inputs.metadata).toMatchObject({ name: "demo", namespace: "demo" });
    expect(sa.inputs.metadata.annotations).toEqual({
      "azure.workload.identity/client-id": IDENTITY_CLIENT_ID,
      "azure.workload.identity/tenant-id": TENANT,
    });
    expect(sa.inputs.metadata.labels?.["azure.workload.identity/use"]).toBeUndefined();
  });

  test("both pod templates carry the use label as the string true; the workloads themselves need not", () => {
    for (const t of podTemplates()) {
      expect(t.metadata.labels["azure.workload.identity/use"]).toBe("true");
    }
    for (const r of [rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(r.inputs.metadata.labels["azure.workload.identity/use"]).toBeUndefined();
    }
  });

  test("the ServiceAccount and both pods are created after the credential and the role assignment", () => {
    const fic = rec.one(T.fic);
    const role = readerRole();
    for (const r of [rec.one(T.sa, "-sa"), rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(r.dependencies, `${r.name} → credential`).toContain(fic.urn);
      expect(r.dependencies, `${r.name} → role assignment`).toContain(role.urn);
    }
  });
});

describe("DemoWorkload on AKS", () => {
  test.each([0, 1])("pod %i meets Pod Security restricted and mounts no token of its own", (i) => {
    const spec = podTemplates()[i].spec;
    expectRestrictedPod(spec);
    expect(spec.hostNetwork).toBeUndefined();
    const [c] = spec.containers;
    // The webhook projects the token; the pod spec only has its writable /tmp.
    expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }]);
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(spec.serviceAccountName).toBe("demo");
    expect(
      podTemplates()[i].metadata.annotations?.["azure.workload.identity/inject-proxy-sidecar"],
    ).toBeUndefined();
  });

  test("a pinned azure-cli image from mcr.microsoft.com", () => {
    for (const t of podTemplates()) {
      expect(t.spec.containers[0].image).toBe(AZURE_CLI_IMAGE);
      expect(t.spec.containers[0].image).toMatch(/^mcr\.microsoft\.com\/azure-cli:\d+\.\d+\.\d+$/);
    }
  });

  test("env: the CLI's config under /tmp, the expected identity, no static credential", () => {
    for (const t of podTemplates()) {
      const env: { name: string; value: string }[] = t.spec.containers[0].env;
      expect(env).toContainEqual({ name: "HOME", value: "/tmp" });
      expect(env).toContainEqual({ name: "AZURE_CONFIG_DIR", value: "/tmp/.azure" });
      expect(env).toContainEqual({ name: "EXPECTED_IDENTITY", value: IDENTITY_CLIENT_ID });
      const names = env.map((e) => e.name);
      // Injected by the webhook, never set by us; and no secret of any kind.
      for (const forbidden of [
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_SECRET",
        "AZURE_STORAGE_KEY",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_SAS_TOKEN",
      ]) {
        expect(names).not.toContain(forbidden);
      }
    }
  });

  test("the Job logs in with the federated token, checks it is the identity, reads the blob with Entra auth", () => {
    const spec = rec.one(T.job, "-verify").inputs.spec.template.spec;
    expect(spec.restartPolicy).toBe("Never");
    const [sh, flag, script] = spec.containers[0].command;
    expect([sh, flag]).toEqual(["/bin/sh", "-c"]);
    expect(script).toContain(`if ${FEDERATED_LOGIN}; then`);
    expect(FEDERATED_LOGIN).toBe(
      'az login --service-principal -u "$AZURE_CLIENT_ID" -t "$AZURE_TENANT_ID" --federated-token "$(cat "$AZURE_FEDERATED_TOKEN_FILE")" --allow-no-subscriptions -o none',
    );
    expect(script).toContain('identity="$(az account show --query user.name -o tsv)"');
    expect(script).toContain(
      `rm -f /tmp/hello.txt && az storage blob download --auth-mode login --account-name ${ACCOUNT} --container-name ${CONTAINER} --name hello.txt --file /tmp/hello.txt -o none && cat /tmp/hello.txt`,
    );
    expect(script).toContain('[ "$content" = "Hello, World!" ]');
    // Role assignments take up to ten minutes: 60 tries, and a deadline that lets them happen.
    expect(script).toContain('while [ "$attempt" -le 60 ]; do');
    // Three pod starts of 120 s, the Job controller's 10 s + 20 s back-off, 60 tries of 20 s.
    expect(rec.one(T.job, "-verify").inputs.spec.activeDeadlineSeconds).toBe(
      3 * 120 + 30 + 60 * 20,
    );
    // A pod the webhook did not mutate (admitted too early) exits at once for a fresh one.
    for (const v of ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"]) {
      expect(script).toContain(`[ -n "\${${v}:-}" ] || { echo "FAILED: ${v} is not set:`);
    }
  });

  test("the denial pod claims the identity by hand, unlabelled, so Entra must refuse its subject", () => {
    const template = rec.one(T.job, "-deny").inputs.spec.template;
    const spec = template.spec;
    expect(spec.serviceAccountName).toBe("demo-unbound");
    // No use label: the webhook leaves it alone and cannot inject a second token or env.
    expect(template.metadata.labels["azure.workload.identity/use"]).toBeUndefined();
    const env = Object.fromEntries(spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      AZURE_CLIENT_ID: IDENTITY_CLIENT_ID,
      AZURE_TENANT_ID: TENANT,
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/tokens/azure/token",
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
    });
    expect(spec.volumes[1].projected.sources[0].serviceAccountToken).toEqual({
      audience: "api://AzureADTokenExchange",
      expirationSeconds: 3600,
      path: "token",
    });
    const script: string = spec.containers[0].command[2];
    expect(script).toContain(`if out="$( { ${FEDERATED_LOGIN} && rm -f /tmp/hello.txt`);
    expect(script).toContain("refusal='AuthorizationPermissionMismatch|AADSTS700213|AADSTS70021'");
  });
});

describe("stack outputs", () => {
  test("name the account/container, the object, the identity, and how to verify", async () => {
    const o = run.outputs;
    expect(await valueOf(o.bucketName)).toBe(`${ACCOUNT}/${CONTAINER}`);
    expect(await valueOf(o.objectUrl)).toBe(
      `https://${ACCOUNT}.blob.core.windows.net/${CONTAINER}/hello.txt`,
    );
    expect(await valueOf(o.clusterName)).toBe(CLUSTER_NAME);
    expect(await valueOf(o.identityClientId as any)).toBe(IDENTITY_CLIENT_ID);
    expect(await valueOf(o.storageAccount as any)).toBe(ACCOUNT);
    expect(await valueOf(o.container as any)).toBe(CONTAINER);
    const verify = await valueOf(o.verifyCommand);
    expect(verify).toBe(
      `kubectl -n demo exec deploy/wi-aks-demo-shell-a1b2c3d -- sh -c '${FEDERATED_LOGIN} && rm -f /tmp/hello.txt && az storage blob download --auth-mode login --account-name ${ACCOUNT} --container-name ${CONTAINER} --name hello.txt --file /tmp/hello.txt -o none && cat /tmp/hello.txt'`,
    );
    expect(await isSecret(o.bucketName)).toBe(false);
  });
});

describe("configuration flows through", () => {
  test("another namespace/ServiceAccount changes the credential's subject, the ServiceAccount and the pods together", async () => {
    await evaluateAks({
      ...exampleStackConfig("aks"),
      "workload-identity:namespace": "team-a",
      "workload-identity:serviceAccount": "reader.v2",
    });
    const fic = rec.one(T.fic);
    expect(fic.inputs.subject).toBe("system:serviceaccount:team-a:reader.v2");
    expect(fic.inputs.federatedIdentityCredentialResourceName).toBe("team-a_reader_v2");
    expect(rec.one(T.sa, "-sa").inputs.metadata).toMatchObject({
      name: "reader.v2",
      namespace: "team-a",
    });
    for (const t of podTemplates()) expect(t.spec.serviceAccountName).toBe("reader.v2");
    run = await evaluateAks();
  });

  test("aks without a location stops before any resource is registered", async () => {
    await expect(evaluateAks({ "workload-identity:cluster": "aks" })).rejects.toThrow(
      'config `azure-native:location`: required when `cluster` is aks; expected a location name such as swedencentral, got ""',
    );
    expect(rec.resources).toEqual([]);
    run = await evaluateAks();
  });
});
