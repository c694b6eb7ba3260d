/**
 * Adopting an existing GKE cluster (`Pulumi.gke-existing.yaml`, `existingCluster`): the stack
 * looks the cluster up through our gcp provider, checks Workload Identity Federation for GKE and
 * the node pools, builds its Kubernetes provider from what the lookup reports, and registers
 * nothing of the cluster itself; GCS trusts GKE's direct principal, S3 and Blob the looked-up
 * issuer.
 *
 * What this cannot prove: that GKE answers `getCluster` in this shape (the mock follows
 * `container/getCluster.d.ts`), that the invoke runs at preview (Pulumi's documented behaviour for
 * provider functions with known arguments), that the deployer's Kubernetes rights suffice, nor that
 * the `gcloud` commands in the messages turn the features on: a real `pulumi preview` does.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  EXISTING_GKE,
  EXISTING_GKE_CA,
  EXISTING_GKE_ENDPOINT,
  GCP_PROJECT_NUMBER,
} from "../offline/clouds/gcp";
import { evaluate, exampleStackConfig, type Evaluation } from "../offline/evaluate";
import { installMocks, isSecret, valueOf, type Recorded } from "../offline/mocks";
import { parseConfig } from "../src/config";
import { gkeExistingNameProblem, gkePrerequisiteProblems } from "../src/gcp";
import { expectOwnedAndNamed } from "./support/expect";

const rec = installMocks("gke-existing");
const file = exampleStackConfig("gke-existing");
const PROJECT = file["gcp:project"];
const ZONE = file["gcp:zone"];
const ISSUER = `https://container.googleapis.com/v1/projects/${PROJECT}/locations/${ZONE}/clusters/${EXISTING_GKE.ready}`;
const PRINCIPAL = `principal://iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${PROJECT}.svc.id.goog/subject/ns/demo/sa/demo`;

const T = {
  cluster: "gcp:container/cluster:Cluster",
  nodePool: "gcp:container/nodePool:NodePool",
  account: "gcp:serviceaccount/account:Account",
  projectMember: "gcp:projects/iAMMember:IAMMember",
  bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
  k8sProvider: "pulumi:providers:kubernetes",
  gcpProvider: "pulumi:providers:gcp",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  role: "aws:iam/role:Role",
  fic: "azure-native:managedidentity:FederatedIdentityCredential",
};
const GETCLUSTER = "gcp:container/getCluster:getCluster";

/** What the stack registers of GKE itself: nothing, whatever the storage. */
function expectNothingOfTheCluster(): void {
  for (const type of [T.cluster, T.nodePool, T.account, T.projectMember]) {
    expect(rec.ofType(type), type).toEqual([]);
  }
  // No project services either: enabling APIs is the cluster owner's business, not ours.
  expect(rec.ofType("gcp:projects/service:Service").map((s) => s.inputs.service)).not.toContain(
    "container.googleapis.com",
  );
}

/** The one getCluster lookup, through the stack's gcp provider. */
function expectLookup(location: string): void {
  const lookups = rec.invokes.filter((i) => i.token === GETCLUSTER);
  expect(lookups).toHaveLength(1);
  expect(lookups[0].args).toEqual({ name: EXISTING_GKE.ready, location, project: PROJECT });
  const provider = rec.one(T.gcpProvider);
  expect(lookups[0].provider.split("::").slice(0, -1).join("::")).toBe(provider.urn);
}

/** Every Kubernetes object and read uses the adopted cluster's provider, parented by its Cluster. */
function expectOurKubernetesProvider(): Recorded {
  const k8s = rec.one(T.k8sProvider);
  const cluster = rec.byUrn(k8s.parent);
  expect(`${cluster.type} ${cluster.name}`).toMatch(/^workload-identity:gcp:Cluster .*-cluster$/);
  const objects = rec.resources.filter((r) => r.type.startsWith("kubernetes:"));
  expect(objects.length).toBeGreaterThan(5);
  for (const o of objects) expect(rec.providerUrn(o), o.name).toBe(k8s.urn);
  return k8s;
}

/** The pods (Deployment, both proof Jobs) come after the binding's grant and the agent's read. */
function expectPodsAfter(grant: Recorded): void {
  const pods = [rec.one(T.deployment), rec.one(T.job, "-verify"), rec.one(T.job, "-deny")];
  const daemonSet = rec.one(T.daemonSet);
  for (const p of pods) {
    expect(rec.dependsOn(p, grant), `${p.name} after ${grant.name}`).toBe(true);
    expect(rec.dependsOn(p, daemonSet), `${p.name} after the metadata server`).toBe(true);
  }
}

describe("gke-existing → GCS: GKE's direct principal", () => {
  let run: Evaluation;
  beforeAll(async () => {
    run = await evaluate(rec, "gke-existing", file);
  });

  test("the five components, the Cluster adopting", () => {
    const components = rec.resources.filter((r) => r.type.startsWith("workload-identity:"));
    expect(components.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
      "workload-identity:gcp:BucketWithPolicy wi-gke-existing-storage",
      "workload-identity:gcp:Cluster wi-gke-existing-cluster",
      "workload-identity:gcp:IdentityAgent wi-gke-existing-agent",
      "workload-identity:gcp:IdentityBinding wi-gke-existing-binding",
      "workload-identity:k8s:DemoWorkload wi-gke-existing-demo",
    ]);
    expectOwnedAndNamed(rec);
  });

  test("registers no cluster, node pool, node service account or project grant", () => {
    expectNothingOfTheCluster();
    // Only the storage's own Google Cloud resources.
    expect(
      rec.resources
        .filter((r) => r.custom && r.type.startsWith("gcp:"))
        .map((r) => r.type)
        .sort(),
    ).toEqual([
      "gcp:projects/service:Service",
      "gcp:storage/bucket:Bucket",
      "gcp:storage/bucketIAMMember:BucketIAMMember",
      "gcp:storage/bucketObject:BucketObject",
    ]);
  });

  test("looks the cluster up by name in gcp:zone of gcp:project, through our provider", () => {
    expectLookup(ZONE);
  });

  test("outputs: the cluster's name, GKE's issuer for it, a secret kubeconfig from the lookup", async () => {
    expect(await valueOf(run.outputs.clusterName)).toBe(EXISTING_GKE.ready);
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(ISSUER);
    expect(await isSecret(run.outputs.kubeconfig)).toBe(true);
    const kubeconfig = parseYaml(await valueOf(run.outputs.kubeconfig));
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: `https://${EXISTING_GKE_ENDPOINT}`,
      "certificate-authority-data": EXISTING_GKE_CA,
    });
    // Cloud sign-in on every call: no token, no certificate that expires.
    const user = kubeconfig.users[0].user;
    expect(Object.keys(user)).toEqual(["exec"]);
    expect(user.exec.command).toBe("gke-gcloud-auth-plugin");
  });

  test("the Kubernetes provider is built from that kubeconfig, as a secret", async () => {
    const k8s = expectOurKubernetesProvider();
    expect(k8s.secretInputs).toContain("kubeconfig");
    expect(k8s.inputs.kubeconfig).toBe(await valueOf(run.outputs.kubeconfig));
  });

  test("grants the bucket to exactly the looked-up pool's principal for demo/demo", () => {
    const grant = rec.one(T.bucketMember);
    expect(grant.inputs.member).toBe(PRINCIPAL);
    expect(run.outputs.principal).toBeDefined();
  });

  test("the agent reads GKE's metadata server through our provider; pods come after the grant", () => {
    const daemonSet = rec.one(T.daemonSet);
    expect(daemonSet.readId).toBe("kube-system/gke-metadata-server");
    expectPodsAfter(rec.one(T.bucketMember));
  });
});

describe("gke-existing → S3 and → Blob: the looked-up issuer", () => {
  test("S3: the OIDC provider and the role trust exactly the adopted cluster's issuer", async () => {
    const run = await evaluate(rec, "gke-existing", {
      ...file,
      "workload-identity:storage": "s3",
      "aws:region": "eu-north-1",
    });
    expectNothingOfTheCluster();
    expectLookup(ZONE);
    expectOurKubernetesProvider();
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(ISSUER);
    const oidc = rec.one(T.oidc);
    expect(oidc.inputs.url).toBe(ISSUER);
    const trust = JSON.parse(rec.one(T.role).inputs.assumeRolePolicy);
    const host = ISSUER.replace("https://", "");
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      [`${host}:sub`]: "system:serviceaccount:demo:demo",
      [`${host}:aud`]: "sts.amazonaws.com",
    });
    expectPodsAfter(rec.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment"));
  });

  test("Blob: the federated credential names exactly the adopted cluster's issuer", async () => {
    const run = await evaluate(rec, "gke-existing", {
      ...file,
      "workload-identity:storage": "blob",
      "azure-native:location": "swedencentral",
    });
    expectNothingOfTheCluster();
    expectLookup(ZONE);
    expectOurKubernetesProvider();
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(ISSUER);
    const fic = rec.one(T.fic);
    expect(fic.inputs.issuer).toBe(ISSUER);
    expect(fic.inputs.subject).toBe("system:serviceaccount:demo:demo");
    expectPodsAfter(rec.one(T.fic));
  });
});

describe("a regional cluster", () => {
  test("is looked up in gcp:region when no zone is set, and its issuer names the region", async () => {
    const config = Object.fromEntries(Object.entries(file).filter(([k]) => k !== "gcp:zone"));
    const run = await evaluate(rec, "gke-existing", config);
    expectLookup(file["gcp:region"]);
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(
      `https://container.googleapis.com/v1/projects/${PROJECT}/locations/${file["gcp:region"]}/clusters/${EXISTING_GKE.ready}`,
    );
  });
});

/**
 * Runs gke-existing adopting `name` and returns the errors Pulumi would report (its
 * unhandled-rejection hook: how a ResourceError inside an Output fails a preview).
 */
async function refusals(name: string): Promise<pulumi.ResourceError[]> {
  const reported: unknown[] = [];
  const listener = (e: unknown) => void (reported.includes(e) || reported.push(e));
  process.on("unhandledRejection", listener);
  try {
    await evaluate(rec, "gke-existing", { ...file, "workload-identity:existingCluster": name });
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return reported.filter((e): e is pulumi.ResourceError => pulumi.ResourceError.isInstance(e));
}

describe("missing prerequisites fail the preview, naming the cluster and the command", () => {
  const where = `GKE cluster %s (${"europe-north1-a"}, project ${"wi-example-123"})`;

  test.each([
    [
      EXISTING_GKE.noPool,
      `${where.replace("%s", EXISTING_GKE.noPool)} has Workload Identity Federation for GKE off (no workload pool); ` +
        `turn it on with \`gcloud container clusters update ${EXISTING_GKE.noPool} --location europe-north1-a ` +
        `--project wi-example-123 --workload-pool=wi-example-123.svc.id.goog\``,
    ],
    [
      EXISTING_GKE.gceMetadata,
      `${where.replace("%s", EXISTING_GKE.gceMetadata)}: node pool batch does not run the GKE metadata server ` +
        `(workload metadata "GCE_METADATA", pods there would act as the node); turn it on with ` +
        `\`gcloud container node-pools update batch --cluster ${EXISTING_GKE.gceMetadata} ` +
        `--location europe-north1-a --project wi-example-123 --workload-metadata=GKE_METADATA\``,
    ],
    [
      EXISTING_GKE.otherPool,
      `${where.replace("%s", EXISTING_GKE.otherPool)} uses the workload pool fleet-host-prj.svc.id.goog, ` +
        "not wi-example-123.svc.id.goog: the stack grants the bucket to the pool of gcp:project only; " +
        "set gcp:project to the pool's project, or switch the cluster with " +
        `\`gcloud container clusters update ${EXISTING_GKE.otherPool} --location europe-north1-a ` +
        "--project wi-example-123 --workload-pool=wi-example-123.svc.id.goog`",
    ],
  ])("%s", async (name, message) => {
    expect(PROJECT).toBe("wi-example-123");
    const errors = await refusals(name);
    expect(errors.length).toBeGreaterThan(0);
    // Pulumi prefixes the inputs it failed to serialize on the way (`error serializing property …`).
    expect(errors[0].message.replace(/^(error serializing property "\w+": )*/, "")).toBe(message);
    // Attributed to the Cluster component; no pod, no Kubernetes provider, nothing of the cluster.
    expect(await valueOf(errors[0].resource!.urn)).toBe(
      rec.one("workload-identity:gcp:Cluster").urn,
    );
    expectNothingOfTheCluster();
    expect(rec.ofType(T.k8sProvider)).toEqual([]);
    expect(rec.ofType(T.deployment)).toEqual([]);
    expect(rec.ofType(T.job)).toEqual([]);
  });

  test("every node pool counts, and a cluster without any is refused", () => {
    const base = {
      name: "c",
      endpoint: "1.2.3.4",
      masterAuths: [{ clusterCaCertificate: "x" }],
      workloadIdentityConfigs: [{ workloadPool: "p-123456.svc.id.goog" }],
    };
    const w = { project: "p-123456", location: "europe-north1", name: "c" };
    const pool = (name: string, mode: string) => ({
      name,
      nodeConfigs: [{ workloadMetadataConfigs: [{ mode }] }],
    });
    expect(gkePrerequisiteProblems(w, { ...base, nodePools: [pool("a", "GKE_METADATA")] })).toEqual(
      [],
    );
    const two = gkePrerequisiteProblems(w, {
      ...base,
      nodePools: [pool("a", "GKE_METADATA"), pool("b", "MODE_UNSPECIFIED"), pool("c", "")],
    });
    expect(two.map((p) => /node pool (\w+)/.exec(p)?.[1])).toEqual(["b", "c"]);
    expect(gkePrerequisiteProblems(w, { ...base, nodePools: [] })).toEqual([
      "GKE cluster c (europe-north1, project p-123456) has no node pool for the pods to run on; add one with GKE_METADATA",
    ]);
  });
});

describe("existingCluster names GKE would refuse are refused before anything is registered", () => {
  const raw = {
    cluster: "gke",
    "gcp:project": "wi-example-123",
    "gcp:region": "europe-north1",
  };
  test.each(["Prod", "1prod", "prod-", "prod_eu", "a".repeat(41), "prod.eu"])("%j", (name) => {
    expect(() => parseConfig({ ...raw, existingCluster: name }, "gke-existing")).toThrow(
      `config \`existingCluster\`: ${JSON.stringify(name)} is not a GKE cluster name; GKE names are ` +
        "1–40 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
    );
  });
  test.each(["a", "prod-eu-1", `a${"b".repeat(39)}`])("%j is a name GKE accepts", (name) => {
    expect(gkeExistingNameProblem(name)).toBeUndefined();
    expect(parseConfig({ ...raw, existingCluster: name }, "gke-existing").existing).toEqual({
      name,
      installAgent: false,
    });
  });
  test("a narrowed apiAllowedCidrs is refused: the stack never changes the adopted cluster", async () => {
    await expect(
      evaluate(rec, "gke-existing", {
        ...file,
        "workload-identity:apiAllowedCidrs": '["203.0.113.0/24"]',
      }),
    ).rejects.toThrow(
      'config `apiAllowedCidrs`: applies only to a cluster the stack creates, got ["203.0.113.0/24"] with existingCluster',
    );
    expectNothingOfTheCluster();
    expect(rec.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:"))).toEqual([]);
  });
});
