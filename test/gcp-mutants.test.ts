/**
 * What `npm run mutation` found unchecked in src/gcp/binding.ts and src/gcp/federation.ts beyond
 * test/gcp-federation-mutants.test.ts (docs/testing.md, "Mutation testing"): the prefix condition
 * on each grant (present for a prefix, absent for the whole bucket) and its place in the proofs,
 * what the direct GKE binding hands the pods and its denial, the pool's display name cut to
 * Google's 32 characters, and the outputs both components register. Built on their own under
 * the mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, test, vi } from "vitest";
import { installMocks, settle, valueOf } from "../offline/mocks";
import {
  FederatedIdentityBinding,
  gkePrincipal,
  IdentityBinding,
  type FederatedIdentityBindingArgs,
  type IdentityBindingArgs,
} from "../src/gcp";

const rec = installMocks();
afterEach(() => vi.restoreAllMocks());

function spyOutputs(): (component: pulumi.ComponentResource) => Promise<Record<string, unknown>> {
  const spy = vi.spyOn(pulumi.ComponentResource.prototype as any, "registerOutputs");
  return async (component) => {
    const index = spy.mock.contexts.indexOf(component);
    expect(index).toBeGreaterThanOrEqual(0);
    const outputs = spy.mock.calls[index][0] as Record<string, pulumi.Output<unknown>>;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs)) values[k] = await valueOf(v);
    return values;
  };
}

const resolved = (inputs: readonly pulumi.Input<unknown>[]) =>
  Promise.all(inputs.map((i) => valueOf(pulumi.output(i))));

const CONDITION = {
  title: "objects under team-a/",
  description: "Only objects whose names start with team-a/",
  expression: 'resource.name.startsWith("projects/_/buckets/wi-unit-bucket/objects/team-a/")',
};

describe("IdentityBinding (Workload Identity Federation for GKE)", () => {
  const ARGS: IdentityBindingArgs = {
    workloadPool: "wi-example-123.svc.id.goog",
    poolProjectNumber: "123456789012",
    identity: { namespace: "team-a", serviceAccount: "reader" },
    bucketName: "wi-unit-bucket",
    role: "roles/storage.objectViewer",
  };
  const MEMBER =
    "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/" +
    "wi-example-123.svc.id.goog/subject/ns/team-a/sa/reader";

  test("the whole bucket: one unconditional grant, nothing carried, only the bucket decides", async () => {
    rec.clear();
    const outputsOf = spyOutputs();
    const binding = new IdentityBinding("mut-gke", ARGS);
    await settle();
    expect(
      await valueOf(
        gkePrincipal({
          projectNumber: "123456789012",
          workloadPool: "wi-example-123.svc.id.goog",
          namespace: "team-a",
          serviceAccount: "reader",
        }),
      ),
    ).toBe(MEMBER);
    const grant = rec.one("gcp:storage/bucketIAMMember:BucketIAMMember", "mut-gke-read");
    expect(grant.inputs).toEqual({
      bucket: "wi-unit-bucket",
      role: "roles/storage.objectViewer",
      member: MEMBER,
    });
    const access = binding.podAccess;
    expect(access.env).toEqual([]);
    expect(access.serviceAccountAnnotations).toEqual({});
    expect(access.podLabels).toEqual({});
    expect(access.credentialVariables).toEqual([]);
    expect(access.projectedTokens).toBeUndefined();
    expect(access.denial).toEqual({ env: [], podLabels: {}, refusal: "" });
    expect(await resolved(access.proofInputs)).toEqual([
      MEMBER,
      "roles/storage.objectViewer",
      "wi-unit-bucket",
      "null",
    ]);
    expect(await outputsOf(binding)).toEqual({ member: MEMBER, projectNumber: "123456789012" });
  });

  test("a prefix: the grant holds only for the objects under it, and the proofs say so", async () => {
    rec.clear();
    const binding = new IdentityBinding("mut-gkep", { ...ARGS, prefix: "team-a/" });
    await settle();
    const grant = rec.one("gcp:storage/bucketIAMMember:BucketIAMMember", "mut-gkep-read");
    expect(grant.inputs.condition).toEqual(CONDITION);
    const proofs = await resolved(binding.podAccess.proofInputs);
    expect(JSON.parse(proofs[3] as string)).toEqual(CONDITION);
  });

  test("a role that is not a role name is refused before any child exists", () => {
    rec.clear();
    expect(
      () => new IdentityBinding("mut-gkebad", { ...ARGS, role: "storage.objectViewer" }),
    ).toThrow(
      'role: expected a role name such as roles/storage.objectViewer, got "storage.objectViewer"',
    );
    expect(rec.resources.filter((r) => r.name.startsWith("mut-gkebad-"))).toEqual([]);
  });
});

describe("FederatedIdentityBinding", () => {
  const ARGS: FederatedIdentityBindingArgs = {
    project: "wi-example-123",
    issuerUrl: "https://issuer.example.com/cluster",
    identity: { namespace: "team-a", serviceAccount: "reader" },
    bucketName: "wi-unit-bucket",
    role: "roles/storage.objectViewer",
    poolIdPrefix: "wi-unit",
  };

  test("the whole bucket: no condition, `null` in the proofs; its outputs", async () => {
    rec.clear();
    const outputsOf = spyOutputs();
    const binding = new FederatedIdentityBinding("mut-fed", ARGS);
    await settle();
    const grant = rec.one("gcp:storage/bucketIAMMember:BucketIAMMember", "mut-fed-read");
    const member = await valueOf(binding.member);
    expect(grant.inputs).toEqual({
      bucket: "wi-unit-bucket",
      role: "roles/storage.objectViewer",
      member,
    });
    const proofs = await resolved(binding.podAccess.proofInputs);
    expect(proofs.slice(-4)).toEqual([
      member,
      "roles/storage.objectViewer",
      "wi-unit-bucket",
      "null",
    ]);
    expect(await outputsOf(binding)).toEqual({
      member,
      poolId: await valueOf(binding.poolId),
      audience: await valueOf(binding.audience),
    });
  });

  test("a prefix: the condition on the grant and in the proofs", async () => {
    rec.clear();
    const binding = new FederatedIdentityBinding("mut-fedp", { ...ARGS, prefix: "team-a/" });
    await settle();
    const grant = rec.one("gcp:storage/bucketIAMMember:BucketIAMMember", "mut-fedp-read");
    expect(grant.inputs.condition).toEqual(CONDITION);
    const proofs = await resolved(binding.podAccess.proofInputs);
    expect(JSON.parse(proofs.at(-1) as string)).toEqual(CONDITION);
  });

  test("the pool's display name is cut to Google's 32 characters", async () => {
    rec.clear();
    const identity = { namespace: "a".repeat(40), serviceAccount: "reader" };
    new FederatedIdentityBinding("mut-fedlong", { ...ARGS, identity });
    await settle();
    const pool = rec.one("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "mut-fedlong-pool");
    expect(pool.inputs.displayName).toBe(`k8s ${"a".repeat(28)}`);
  });
});
