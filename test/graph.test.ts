/**
 * The resource graph stays parallel: buckets, their objects and read policies, identities and
 * role assignments that do not need the cluster are created while it is (5–15 minutes); only
 * what needs it (nodes, agent, Kubernetes objects, anything that names its issuer) waits.
 */
import { describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig, stackNames } from "../offline/evaluate";
import { criticalPath } from "../offline/graph";
import { installMocks } from "../offline/mocks";

const rec = installMocks();

const CLUSTERS = [
  "aws:eks/cluster:Cluster",
  "gcp:container/cluster:Cluster",
  "azure-native:containerservice:ManagedCluster",
];
/** Never needs the cluster: must not wait for it. */
const INDEPENDENT = [
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketObjectv2:BucketObjectv2",
  "aws:iam/policy:Policy",
  "gcp:storage/bucket:Bucket",
  "gcp:storage/bucketObject:BucketObject",
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
  "azure-native:storage:StorageAccount",
  "azure-native:storage:BlobContainer",
  "azure-native:storage:Blob",
  "azure-native:managedidentity:UserAssignedIdentity",
  "azure-native:authorization:RoleAssignment",
];

const variants: [string, Record<string, string>][] = [
  ...stackNames().map((s): [string, Record<string, string>] => [s, exampleStackConfig(s)]),
  ["dev", { ...exampleStackConfig("dev"), "workload-identity:awsMechanism": "irsa" }],
];

describe.each(variants)("stack %s", (stack, config) => {
  test("storage, read policies and identities do not wait for the cluster", async () => {
    const run = await evaluate(rec, stack, config);
    // A kind cluster is the local command that runs `kind create cluster`.
    const clusters = rec.resources.filter(
      (r) =>
        CLUSTERS.includes(r.type) ||
        (r.type === "command:local:Command" && r.name.endsWith("-cluster-kind")),
    );
    if (config["workload-identity:cluster"] === "external") {
      // No cluster is created: nothing waits for one, and the storage side does not wait for
      // the issuer check either (only the pods do, test/external.test.ts).
      expect(clusters).toEqual([]);
      const check = rec.one("pulumi-nodejs:dynamic:Resource");
      const independent = rec.resources.filter((r) => INDEPENDENT.includes(r.type));
      expect(independent.length).toBeGreaterThanOrEqual(2);
      for (const r of independent) expect(rec.dependsOn(r, check), r.name).toBe(false);
      return;
    }
    // An adopted cluster (`existingCluster`) is looked up, never registered: nothing can wait for
    // it (test/aws-adopt.test.ts, gcp-adopt and azure-adopt check the rest).
    if (run.config.existing) {
      expect(clusters).toEqual([]);
      return;
    }
    expect(clusters).toHaveLength(1);
    // The Cluster component's own resources (the deployer's role on the AKS cluster) need it.
    const independent = rec.resources.filter(
      (r) => INDEPENDENT.includes(r.type) && !rec.byUrn(r.parent).type.endsWith(":Cluster"),
    );
    expect(independent.length).toBeGreaterThanOrEqual(2);
    for (const r of independent) {
      expect(rec.dependsOn(r, clusters[0]), `${r.type} ${r.name} waits for the cluster`).toBe(
        false,
      );
    }
    // …while every Kubernetes object does wait for it, through our provider.
    for (const k of rec.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
      const provider = rec.byUrn(rec.providerUrn(k));
      expect(rec.dependsOn(provider, clusters[0]) || rec.dependsOn(k, clusters[0])).toBe(true);
    }
    // The cluster bounds the update: it is on the critical path.
    expect(criticalPath(rec).path.map((r) => r.urn)).toContain(clusters[0].urn);
  });

  test("one Kubernetes provider, from the cluster component, adopting nothing", async () => {
    await evaluate(rec, stack, config);
    const [provider, ...others] = rec.ofType("pulumi:providers:kubernetes");
    expect(others).toEqual([]);
    expect(rec.byUrn(provider.parent).type).toMatch(/:Cluster$|:ExistingCluster$|:AdoptedCluster$/);
    // An existing namespace is refused, never taken over and deleted with the stack, whatever
    // PULUMI_K8S_UPSERT_EXISTING_OBJECTS says (src/k8s/kubeconfig.ts `clusterProvider`). The
    // Kubernetes provider SDK hands its settings to the engine as strings.
    expect(provider.inputs.upsertExistingObjects).toBe("false");
    expect(provider.inputs).not.toHaveProperty("deleteUnreachable");
    for (const k of rec.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
      expect(rec.providerUrn(k), k.name).toBe(provider.urn);
    }
  });
});
