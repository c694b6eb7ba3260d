/**
 * The gke stack (GKE Workload Identity Federation → Cloud Storage) under mocks, from
 * `Pulumi.gke.yaml`: every link of the identity chain and the security posture, read off what the
 * program registers (and, for the metadata server, reads). Here the stack file, the components, the
 * cluster, the agent and the bucket; test/gcp-binding.test.ts the rest, on the same evaluation.
 *
 * What this cannot prove: that Google accepts these inputs (no provider runs under mocks), that GKE
 * deploys its metadata server and serves the pool as the pod's account, that a `principal://`
 * member on the bucket authorizes the federated token, or how long IAM takes to propagate. The
 * verification Job proves those on a real `pulumi up`. The project number is the mock's; what is
 * proven is that it is read off the bucket (no lookup) and lands where the number belongs. Nor can
 * mocks show that the pool exists only once the cluster does (terraform-google-kubernetes-engine#916):
 * what is proven is that the grant takes the pool from the cluster's output and so waits for it.
 */
import { expectOwnedAndNamed, expectUniqueNames } from "./support/expect";
import { describe, expect, test } from "vitest";
import { GCP_PROJECT_NUMBER, GKE_CA, GKE_ENDPOINT } from "../offline/clouds/gcp";
import { isSecret, valueOf } from "../offline/mocks";
import { GKE_METADATA_SERVER } from "../src/gcp";
import { CLUSTER_APIS, NODE_SERVICE_ACCOUNT_ROLES } from "../src/gcp";
import { HELLO_CONTENT } from "../src/core";
import {
  BUCKET,
  CLUSTER_NAME,
  metadataServerRead,
  NODE_EMAIL,
  POOL,
  PROJECT,
  rec,
  REGION,
  run,
  stackFile,
  T,
  useGke,
  ZONE,
} from "./support/gke";

useGke();

describe("the stack file", () => {
  test("asks for a zonal GKE cluster and names a project ID, not a number", () => {
    expect(stackFile["workload-identity:cluster"]).toBe("gke");
    expect(ZONE.startsWith(`${REGION}-`)).toBe(true);
    expect(PROJECT).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    expect(run.config).toMatchObject({ cluster: "gke", storage: "gcs", prefix: "wi-gke" });
  });
});

describe("the five components", () => {
  test("are registered once each, with their type tokens", () => {
    const components = rec.resources.filter((r) => r.type.startsWith("workload-identity:"));
    expect(components.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
      "workload-identity:gcp:BucketWithPolicy wi-gke-storage",
      "workload-identity:gcp:Cluster wi-gke-cluster",
      "workload-identity:gcp:IdentityAgent wi-gke-agent",
      "workload-identity:gcp:IdentityBinding wi-gke-binding",
      "workload-identity:k8s:DemoWorkload wi-gke-demo",
    ]);
  });

  test("own every cloud and Kubernetes resource, named after the component", () => {
    const owned = rec.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"));
    expect(owned.map((r) => r.type)).toContain(T.daemonSet);
    expectOwnedAndNamed(rec);
  });

  test("exactly these Google Cloud resources: one bucket grant, one project grant, nothing authoritative", () => {
    const types = rec.resources
      .filter((r) => r.custom && r.type.startsWith("gcp:"))
      .map((r) => r.type)
      .sort();
    expect(types).toEqual(
      [
        ...Array<string>(CLUSTER_APIS.length + 1).fill(T.service),
        T.account,
        T.projectMember,
        T.cluster,
        T.nodePool,
        T.bucket,
        T.object,
        T.bucketMember,
      ].sort(),
    );
  });

  test("every Google Cloud resource uses the explicit provider, configured from the stack", () => {
    const provider = rec.one(T.gcpProvider);
    expect(provider.inputs).toEqual({ project: PROJECT, region: REGION, zone: ZONE });
    const gcpResources = rec.resources.filter((r) => r.custom && r.type.startsWith("gcp:"));
    for (const r of gcpResources) expect(rec.providerUrn(r), r.name).toBe(provider.urn);
    // …and every resource that has a project names it, rather than trusting a default.
    const withProject = [T.service, T.account, T.projectMember, T.cluster, T.nodePool, T.bucket];
    for (const r of gcpResources.filter((x) => withProject.includes(x.type))) {
      expect(r.inputs.project, r.name).toBe(PROJECT);
    }
  });

  test("every Kubernetes object, and the metadata server read, use the provider built from our cluster", () => {
    const provider = rec.one(T.k8sProvider);
    expect(rec.ancestors(provider)[0].type).toBe("workload-identity:gcp:Cluster");
    const objects = rec.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(objects.map((o) => o.type).sort()).toEqual(
      [T.daemonSet, T.deployment, T.job, T.job, T.ns, T.sa, T.sa].sort(),
    );
    for (const o of objects) expect(rec.providerUrn(o), o.name).toBe(provider.urn);
  });

  test("no two resources share a name", () => {
    expectUniqueNames(rec);
  });
});

describe("Cluster", () => {
  test("a zonal GKE cluster in the configured zone, Workload Identity on the project ID's pool", () => {
    const cluster = rec.one(T.cluster);
    expect(cluster.inputs.location).toBe(ZONE);
    // The pool is named after the project ID; a number here is the classic mistake.
    expect(cluster.inputs.workloadIdentityConfig).toEqual({ workloadPool: POOL });
    expect(cluster.inputs.workloadIdentityConfig.workloadPool).not.toContain(GCP_PROJECT_NUMBER);
    expect(cluster.inputs.deletionProtection).toBe(false);
  });

  test("the API endpoint: authorized networks written out, open to 0.0.0.0/0 by default", () => {
    // Written out even when open: the provider keeps an absent block's old value (Optional+Computed).
    expect(rec.one(T.cluster).inputs.masterAuthorizedNetworksConfig).toEqual({
      cidrBlocks: [{ cidrBlock: "0.0.0.0/0", displayName: "apiAllowedCidrs[0]" }],
      gcpPublicCidrsAccessEnabled: true,
    });
  });

  test("the default pool is removed, and no pool is configured on the cluster itself", () => {
    const cluster = rec.one(T.cluster);
    expect(cluster.inputs.removeDefaultNodePool).toBe(true);
    expect(cluster.inputs.initialNodeCount).toBe(1);
    expect(cluster.inputs.nodeConfig).toBeUndefined();
    expect(cluster.inputs.nodePools).toBeUndefined();
    expect(cluster.inputs.enableAutopilot).toBeUndefined();
  });

  test("every node pool runs the GKE metadata server", () => {
    const pools = rec.ofType(T.nodePool);
    expect(pools.length).toBeGreaterThan(0);
    for (const p of pools) {
      expect(p.inputs.nodeConfig.workloadMetadataConfig, p.name).toEqual({ mode: "GKE_METADATA" });
    }
  });

  test("one small node in our cluster, running as our node service account, not Compute's default", () => {
    const pool = rec.one(T.nodePool);
    expect(pool.inputs.cluster).toBe(CLUSTER_NAME);
    expect(pool.inputs.location).toBe(ZONE);
    expect(pool.inputs.nodeCount).toBe(1);
    expect(pool.inputs.nodeConfig.machineType).toBe("e2-medium");
    expect(pool.inputs.nodeConfig.serviceAccount).toBe(NODE_EMAIL);
    expect(pool.inputs.nodeConfig.serviceAccount).not.toMatch(
      /-compute@developer\.gserviceaccount\.com$/,
    );
    expect(pool.inputs.nodeConfig.oauthScopes).toEqual([
      "https://www.googleapis.com/auth/cloud-platform",
    ]);
    expect(pool.dependencies).toContain(rec.one(T.cluster).urn);
  });

  test("the node service account has exactly the minimal node role, on the project, and nothing on Storage", () => {
    const account = rec.one(T.account);
    expect(account.inputs.accountId).toBe("wi-gke-nodes");
    const grants = rec.ofType(T.projectMember);
    expect(grants.map((g) => [g.inputs.role, g.inputs.member])).toEqual(
      NODE_SERVICE_ACCOUNT_ROLES.map((role) => [role, `serviceAccount:${NODE_EMAIL}`]),
    );
    expect(NODE_SERVICE_ACCOUNT_ROLES).toEqual(["roles/container.defaultNodeServiceAccount"]);
    for (const g of grants) expect(g.inputs.project).toBe(PROJECT);
    // The bucket grant names the pod's principal, never the node's account.
    expect(rec.one(T.bucketMember).inputs.member).not.toContain(NODE_EMAIL);
    // Nodes come up only once they can write logs.
    for (const g of grants) expect(rec.one(T.nodePool).dependencies).toContain(g.urn);
  });

  test("the APIs it needs are enabled before use, and left enabled on destroy", () => {
    const services = rec.ofType(T.service);
    expect(services.map((s) => s.inputs.service).sort()).toEqual(
      [...CLUSTER_APIS, "storage.googleapis.com"].sort(),
    );
    for (const s of services) expect(s.inputs.disableOnDestroy, s.name).toBe(false);
    const api = (svc: string) => services.find((s) => s.inputs.service === svc)!;
    const cluster = rec.one(T.cluster);
    expect(cluster.dependencies).toContain(api("container.googleapis.com").urn);
    expect(cluster.dependencies).toContain(api("compute.googleapis.com").urn);
    expect(rec.one(T.account).dependencies).toContain(api("iam.googleapis.com").urn);
    expect(rec.one(T.projectMember).dependencies).toContain(
      api("cloudresourcemanager.googleapis.com").urn,
    );
    expect(rec.one(T.bucket).dependencies).toContain(api("storage.googleapis.com").urn);
  });

  test("labels are valid Google Cloud labels (lowercase) carrying the house tags", () => {
    const expected = {
      project: "workload-identity",
      stack: "gke",
      "managed-by": "pulumi",
    };
    expect(rec.one(T.cluster).inputs.resourceLabels).toEqual({ ...expected, component: "cluster" });
    expect(rec.one(T.nodePool).inputs.nodeConfig.resourceLabels).toEqual({
      ...expected,
      component: "cluster",
    });
    expect(rec.one(T.bucket).inputs.labels).toEqual({ ...expected, component: "bucket" });
  });

  test("the kubeconfig is secret and fetches tokens with gke-gcloud-auth-plugin: no token inside", async () => {
    expect(await isSecret(run.outputs.kubeconfig)).toBe(true);
    const text = await valueOf(run.outputs.kubeconfig);
    const kubeconfig = JSON.parse(text);
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: `https://${GKE_ENDPOINT}`,
      "certificate-authority-data": GKE_CA,
    });
    const { user } = kubeconfig.users[0];
    expect(Object.keys(user)).toEqual(["exec"]);
    expect(user.exec).toMatchObject({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "gke-gcloud-auth-plugin",
      args: ["--use_application_default_credentials"],
      provideClusterInfo: true,
    });
    expect(text).not.toMatch(/"(token|password|client-key-data|client-certificate-data)"/);
    // The provider is built from that same secret kubeconfig, after the nodes exist.
    const provider = rec.one(T.k8sProvider);
    expect(JSON.parse(provider.inputs.kubeconfig)).toEqual(kubeconfig);
    expect(provider.secretInputs).toEqual(["kubeconfig"]);
    // No `deleteUnreachable`: an unreachable API must not drop objects from state; and nothing
    // that exists already is adopted (src/k8s/kubeconfig.ts `clusterProvider`).
    expect(Object.keys(provider.inputs).sort()).toEqual(["kubeconfig", "upsertExistingObjects"]);
    expect(provider.inputs.upsertExistingObjects).toBe("false");
    expect(provider.dependencies).toContain(rec.one(T.nodePool).urn);
  });

  test("the OIDC issuer is GKE's, for this project ID, location and cluster", async () => {
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(
      `https://container.googleapis.com/v1/projects/${PROJECT}/locations/${ZONE}/clusters/${CLUSTER_NAME}`,
    );
    expect(await valueOf(run.outputs.clusterName)).toBe(CLUSTER_NAME);
  });
});

describe("IdentityAgent", () => {
  test("reads GKE's metadata server DaemonSet, once the node pool exists; it creates nothing", () => {
    const read = metadataServerRead();
    expect(read.readId).toBe("kube-system/gke-metadata-server");
    expect(`${GKE_METADATA_SERVER.namespace}/${GKE_METADATA_SERVER.name}`).toBe(read.readId);
    expect(read.parent).toBe(rec.one("workload-identity:gcp:IdentityAgent").urn);
    expect(read.dependencies).toContain(rec.one(T.nodePool).urn);
    // Nothing it could create or delete: every Kubernetes object but the read is the workload's.
    const created = rec.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.readId);
    expect(created.map((r) => r.type)).not.toContain(T.daemonSet);
  });
});

describe("BucketWithPolicy", () => {
  test("a stack-unique name: the prefix and a random suffix", () => {
    const bucket = rec.one(T.bucket);
    expect(bucket.inputs.name).toBe(BUCKET);
    expect(bucket.inputs.name.length).toBeLessThanOrEqual(63);
    expect(bucket.dependencies).toContain(rec.one(T.randomId).urn);
    expect(rec.one(T.randomId).inputs.byteLength).toBe(6);
  });

  test("uniform access, public access prevention enforced, force-destroyable, in the region", () => {
    expect(rec.one(T.bucket).inputs).toMatchObject({
      location: REGION.toUpperCase(),
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      forceDestroy: true,
      project: PROJECT,
    });
  });

  test("hello.txt holds Hello, World! and sets no ACL", () => {
    const hello = rec.one(T.object);
    expect(hello.inputs).toEqual({
      bucket: BUCKET,
      name: "hello.txt",
      content: HELLO_CONTENT,
      contentType: "text/plain",
    });
    expect(HELLO_CONTENT).toBe("Hello, World!\n");
  });
});
