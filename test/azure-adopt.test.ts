/**
 * Adopting an existing AKS cluster (`Pulumi.aks-existing.yaml`, `existingCluster` and
 * `existingResourceGroup`): the stack looks the cluster up through our azure-native provider,
 * checks the OIDC issuer, Workload ID and Entra ID, builds its Kubernetes provider from the user
 * kubeconfig's API server and CA with kubelogin, and registers nothing of the cluster: no resource
 * group, no ManagedCluster, no role assignment on it, no wait for one. Blob trusts the looked-up
 * issuer with the webhook's delivery; S3 and GCS trust it too.
 *
 * What this cannot prove: that ARM answers `getManagedCluster` in this shape (the mock follows
 * `containerservice/getManagedCluster.d.ts`), that the invoke runs at preview, that the deployer
 * already has a Kubernetes role on the cluster (docs/aks-existing.md), nor that the `az` commands
 * in the messages turn the features on: a real `pulumi preview` does.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  AKS_CA,
  aksServer,
  EXISTING_AKS,
  EXISTING_AKS_GROUP,
  EXISTING_AKS_ISSUER,
} from "../offline/clouds/azure";
import { GCP_PROJECT_NUMBER } from "../offline/clouds/gcp";
import {
  evaluate,
  EXAMPLE_PROJECT,
  exampleStackConfig,
  type Evaluation,
} from "../offline/evaluate";
import { installMocks, isSecret, valueOf, type Recorded } from "../offline/mocks";
import { parseConfig } from "../src/config";
import {
  aksExistingNameProblem,
  aksPrerequisiteProblems,
  KUBELOGIN_ARGS,
  USE_LABEL,
} from "../src/azure";
import { expectOwnedAndNamed } from "./support/expect";

const rec = installMocks("aks-existing");
const file = exampleStackConfig("aks-existing");

const T = {
  group: "azure-native:resources:ResourceGroup",
  aks: "azure-native:containerservice:ManagedCluster",
  role: "azure-native:authorization:RoleAssignment",
  dynamic: "pulumi-nodejs:dynamic:Resource",
  fic: "azure-native:managedidentity:FederatedIdentityCredential",
  azureProvider: "pulumi:providers:azure-native",
  k8sProvider: "pulumi:providers:kubernetes",
  webhook: "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  role_aws: "aws:iam/role:Role",
  poolProvider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
};
const LOOKUP = "azure-native:containerservice:getManagedCluster";
const CREDENTIALS = "azure-native:containerservice:listManagedClusterUserCredentials";

/** Nothing of the cluster: no group of its, no cluster, no role on it, no wait for a role. */
function expectNothingOfTheCluster(): void {
  expect(rec.ofType(T.aks)).toEqual([]);
  expect(rec.ofType(T.dynamic)).toEqual([]);
  // The storage's own group only (Blob), never the cluster's.
  for (const g of rec.ofType(T.group)) expect(g.name).toMatch(/-storage-rg$/);
  for (const r of rec.ofType(T.role)) {
    expect(String(r.inputs.scope)).not.toContain("Microsoft.ContainerService");
    expect(rec.byUrn(r.parent).type).toBe("workload-identity:azure:IdentityBinding");
  }
  // Nor does anything of ours name the cluster's resource group.
  for (const r of rec.resources.filter((x) => x.type.startsWith("azure-native:"))) {
    expect(r.inputs.resourceGroupName, r.name).not.toBe(EXISTING_AKS_GROUP);
  }
}

/** The lookup and the credentials read, both of the existing cluster, through our provider. */
function expectLookups(): void {
  const provider = rec.one(T.azureProvider).urn;
  for (const token of [LOOKUP, CREDENTIALS]) {
    const calls = rec.invokes.filter((i) => i.token === token);
    expect(calls, token).toHaveLength(1);
    expect(calls[0].args).toEqual({
      resourceGroupName: EXISTING_AKS_GROUP,
      resourceName: EXISTING_AKS.ready,
    });
    expect(calls[0].provider.split("::").slice(0, -1).join("::")).toBe(provider);
  }
}

function expectOurKubernetesProvider(): Recorded {
  const k8s = rec.one(T.k8sProvider);
  expect(rec.byUrn(k8s.parent).type).toBe("workload-identity:azure:Cluster");
  const objects = rec.resources.filter((r) => r.type.startsWith("kubernetes:"));
  expect(objects.length).toBeGreaterThan(5);
  for (const o of objects) expect(rec.providerUrn(o), o.name).toBe(k8s.urn);
  // The webhook is read through it, after which the pods come.
  const webhook = rec.one(T.webhook);
  expect(webhook.readId).toBe("azure-wi-webhook-mutating-webhook-configuration");
  return k8s;
}

function expectPodsAfter(grant: Recorded): void {
  const webhook = rec.one(T.webhook);
  for (const p of [rec.one(T.deployment), rec.one(T.job, "-verify"), rec.one(T.job, "-deny")]) {
    expect(rec.dependsOn(p, grant), `${p.name} after ${grant.name}`).toBe(true);
    expect(rec.dependsOn(p, webhook), `${p.name} after the webhook`).toBe(true);
  }
}

describe("aks-existing → Blob: the webhook's delivery", () => {
  let run: Evaluation;
  beforeAll(async () => {
    run = await evaluate(rec, "aks-existing", file);
  });

  test("the five components, the Cluster adopting", () => {
    const components = rec.resources.filter((r) => r.type.startsWith("workload-identity:"));
    expect(components.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
      "workload-identity:azure:BucketWithPolicy wi-aks-existing-storage",
      "workload-identity:azure:Cluster wi-aks-existing-cluster",
      "workload-identity:azure:IdentityAgent wi-aks-existing-agent",
      "workload-identity:azure:IdentityBinding wi-aks-existing-binding",
      "workload-identity:k8s:DemoWorkload wi-aks-existing-demo",
    ]);
    expectOwnedAndNamed(rec);
  });

  test("registers no cluster, no group of its, no role assignment on it, no access wait", () => {
    expectNothingOfTheCluster();
    // Exactly one role assignment: the binding's read on the container.
    expect(rec.ofType(T.role)).toHaveLength(1);
  });

  test("looks the cluster up by name in existingResourceGroup, through our provider", () => {
    expectLookups();
  });

  test("outputs: the cluster's name, its issuer verbatim, a secret kubelogin kubeconfig", async () => {
    expect(await valueOf(run.outputs.clusterName)).toBe(EXISTING_AKS.ready);
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(EXISTING_AKS_ISSUER);
    expect(await isSecret(run.outputs.kubeconfig)).toBe(true);
    const kubeconfig = parseYaml(await valueOf(run.outputs.kubeconfig));
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: aksServer(EXISTING_AKS.ready),
      "certificate-authority-data": AKS_CA,
    });
    const user = kubeconfig.users[0].user;
    expect(Object.keys(user)).toEqual(["exec"]);
    expect(user.exec.command).toBe("kubelogin");
    expect(user.exec.args).toEqual([...KUBELOGIN_ARGS]);
  });

  test("the Kubernetes provider is built from that kubeconfig, as a secret", async () => {
    const k8s = expectOurKubernetesProvider();
    expect(k8s.secretInputs).toContain("kubeconfig");
    expect(k8s.inputs.kubeconfig).toBe(await valueOf(run.outputs.kubeconfig));
  });

  test("the federated credential trusts the looked-up issuer; the webhook delivers the token", () => {
    const fic = rec.one(T.fic);
    expect(fic.inputs.issuer).toBe(EXISTING_AKS_ISSUER);
    expect(fic.inputs.subject).toBe("system:serviceaccount:demo:demo");
    const pod = rec.one(T.job, "-verify").inputs.spec.template;
    expect(pod.metadata.labels[USE_LABEL]).toBe("true");
    // The webhook projects the token: the pod projects none of its own.
    const projected = (pod.spec.volumes ?? []).filter((v: any) => v.projected);
    expect(projected).toEqual([]);
    expectPodsAfter(rec.one(T.role));
  });
});

describe("aks-existing → S3 and → GCS: the looked-up issuer", () => {
  test("S3: the OIDC provider and the role trust exactly it", async () => {
    await evaluate(rec, "aks-existing", {
      ...file,
      "workload-identity:storage": "s3",
      "aws:region": "eu-north-1",
    });
    expectNothingOfTheCluster();
    expectLookups();
    expectOurKubernetesProvider();
    expect(rec.one(T.oidc).inputs.url).toBe(EXISTING_AKS_ISSUER);
    const trust = JSON.parse(rec.one(T.role_aws).inputs.assumeRolePolicy);
    // As the program writes it for AKS's issuer: with its trailing '/' (test/cross-cloud.test.ts).
    const host = EXISTING_AKS_ISSUER.replace("https://", "");
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      [`${host}:sub`]: "system:serviceaccount:demo:demo",
      [`${host}:aud`]: "sts.amazonaws.com",
    });
    expectPodsAfter(rec.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment"));
  });

  test("GCS: the pool provider trusts exactly it; the grant names the pool's principal", async () => {
    await evaluate(rec, "aks-existing", {
      ...file,
      "workload-identity:storage": "gcs",
      "gcp:project": EXAMPLE_PROJECT,
      "gcp:region": "europe-north1",
    });
    expectNothingOfTheCluster();
    expectLookups();
    expectOurKubernetesProvider();
    expect(rec.one(T.poolProvider).inputs.oidc.issuerUri).toBe(EXISTING_AKS_ISSUER);
    const member = String(rec.one(T.bucketMember).inputs.member);
    expect(member).toMatch(
      new RegExp(
        `^principal://iam\\.googleapis\\.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/[^/]+/subject/system:serviceaccount:demo:demo$`,
      ),
    );
    expectPodsAfter(rec.one(T.bucketMember));
  });
});

/** The errors Pulumi would report for aks-existing adopting `name` (its unhandled-rejection hook). */
async function refusals(name: string): Promise<pulumi.ResourceError[]> {
  const reported: unknown[] = [];
  const listener = (e: unknown) => void (reported.includes(e) || reported.push(e));
  process.on("unhandledRejection", listener);
  try {
    await evaluate(rec, "aks-existing", { ...file, "workload-identity:existingCluster": name });
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return reported.filter((e): e is pulumi.ResourceError => pulumi.ResourceError.isInstance(e));
}

describe("missing prerequisites fail the preview, naming the cluster and the command", () => {
  const label = (name: string) => `AKS cluster ${name} (resource group ${EXISTING_AKS_GROUP})`;
  const az = (name: string) =>
    `az aks update --resource-group ${EXISTING_AKS_GROUP} --name ${name}`;

  test.each([
    [
      EXISTING_AKS.noIssuer,
      `${label(EXISTING_AKS.noIssuer)} has the OIDC issuer off; turn it on with \`${az(EXISTING_AKS.noIssuer)} --enable-oidc-issuer\``,
    ],
    [
      EXISTING_AKS.noWorkloadIdentity,
      `${label(EXISTING_AKS.noWorkloadIdentity)} has Microsoft Entra Workload ID off; turn it on with \`${az(EXISTING_AKS.noWorkloadIdentity)} --enable-workload-identity\``,
    ],
    [
      EXISTING_AKS.bare,
      `${label(EXISTING_AKS.bare)} has the OIDC issuer and Microsoft Entra Workload ID off; turn them on with \`${az(EXISTING_AKS.bare)} --enable-oidc-issuer --enable-workload-identity\``,
    ],
    [
      EXISTING_AKS.localAccounts,
      `${label(EXISTING_AKS.localAccounts)} has no managed Microsoft Entra ID integration: the stack signs in with kubelogin and never with a local account's static credential; turn it on with \`${az(EXISTING_AKS.localAccounts)} --enable-aad\``,
    ],
  ])("%s", async (name, message) => {
    const errors = await refusals(name);
    expect(errors.length).toBeGreaterThan(0);
    // Pulumi prefixes the inputs it failed to serialize on the way (`error serializing property …`).
    expect(errors[0].message.replace(/^(error serializing property "\w+": )*/, "")).toBe(message);
    expect(await valueOf(errors[0].resource!.urn)).toBe(
      rec.one("workload-identity:azure:Cluster").urn,
    );
    // No credential of a refused cluster is asked for; no provider, no pod.
    expect(rec.invokes.filter((i) => i.token === CREDENTIALS)).toEqual([]);
    expect(rec.ofType(T.k8sProvider)).toEqual([]);
    expect(rec.ofType(T.job)).toEqual([]);
    expectNothingOfTheCluster();
  });

  test("an issuer reported enabled but without a URL counts as off", () => {
    expect(
      aksPrerequisiteProblems(
        { resourceGroup: "rg", name: "c" },
        {
          name: "c",
          aadProfile: { managed: true },
          oidcIssuerProfile: { enabled: true },
          securityProfile: { workloadIdentity: { enabled: true } },
        },
      ),
    ).toEqual([
      "AKS cluster c (resource group rg) has the OIDC issuer off; turn it on with `az aks update --resource-group rg --name c --enable-oidc-issuer`",
    ]);
  });
});

describe("existingCluster names AKS would refuse are refused before anything is registered", () => {
  const raw = {
    cluster: "aks",
    "azure-native:location": "swedencentral",
    existingResourceGroup: "platform-rg",
  };
  test.each(["-prod", "prod_", "prod.eu", "prod eu", "a".repeat(64), "_a"])("%j", (name) => {
    expect(() => parseConfig({ ...raw, existingCluster: name }, "aks-existing")).toThrow(
      `config \`existingCluster\`: ${JSON.stringify(name)} is not an AKS cluster name; AKS names are ` +
        "1–63 letters, digits, '-' and '_', starting and ending with a letter or digit",
    );
  });
  test.each(["a", "Prod_EU-1", `a${"b".repeat(62)}`])("%j is a name AKS accepts", (name) => {
    expect(aksExistingNameProblem(name)).toBeUndefined();
    expect(parseConfig({ ...raw, existingCluster: name }, "aks-existing").existing).toEqual({
      name,
      resourceGroup: "platform-rg",
      installAgent: false,
    });
  });
  test("a narrowed apiAllowedCidrs is refused: the stack never changes the adopted cluster", async () => {
    await expect(
      evaluate(rec, "aks-existing", {
        ...file,
        "workload-identity:apiAllowedCidrs": '["203.0.113.0/24"]',
      }),
    ).rejects.toThrow(
      'config `apiAllowedCidrs`: applies only to a cluster the stack creates, got ["203.0.113.0/24"] with existingCluster',
    );
    expect(rec.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:"))).toEqual([]);
  });
});
