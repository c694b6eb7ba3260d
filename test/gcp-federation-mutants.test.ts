/**
 * What `npm run mutation` found no test for in src/gcp/federation.ts (docs/testing.md, "Mutation
 * testing"): the pool id prefix check and the args check a program using the component directly
 * relies on (the stack's own prefixes always pass, so no stack test reaches the refusals), the
 * pool's random suffix, the APIs it enables and keeps, and everything the binding hands the pods.
 * The component is built on its own under the mocks.
 */
import { describe, expect, test } from "vitest";
import { installMocks, settle, valueOf } from "../offline/mocks";
import {
  FederatedIdentityBinding,
  poolIdPrefixProblem,
  validateFederatedIdentityBindingArgs,
  type FederatedIdentityBindingArgs,
} from "../src/gcp";

const rec = installMocks();

const ARGS: FederatedIdentityBindingArgs = {
  project: "wi-example-123",
  issuerUrl: "https://issuer.example.com/cluster",
  identity: { namespace: "team-a", serviceAccount: "reader" },
  bucketName: "wi-unit-bucket",
  role: "roles/storage.objectViewer",
  poolIdPrefix: "wi-unit",
};

describe("poolIdPrefixProblem", () => {
  test("refuses, with the rule, a prefix whose pool ids Google would refuse", () => {
    expect(poolIdPrefixProblem("gcp-team")).toBe(
      'poolIdPrefix: "gcp-team" would make pool ids like "gcp-team-xxxxxx"; ' +
        "pool ids are 4–32 lowercase letters, digits and '-', not starting with gcp-",
    );
    // Anywhere in the id, not only at its start or end; 25 characters and the 7 of `-<suffix>`
    // make 32, one more is too long.
    for (const bad of ["Team-a", "team-A", "te_am", "x".repeat(26)]) {
      expect(poolIdPrefixProblem(bad), bad).toMatch(/^poolIdPrefix: /);
    }
    for (const good of ["wi-dev", "x".repeat(25), "a", "team-gcp-"]) {
      expect(poolIdPrefixProblem(good), good).toBeUndefined();
    }
  });

  test("the args check returns that problem, and the component refuses it before any child", () => {
    const bad = { ...ARGS, poolIdPrefix: "gcp-team" };
    expect(validateFederatedIdentityBindingArgs(bad)).toEqual([poolIdPrefixProblem("gcp-team")]);
    expect(validateFederatedIdentityBindingArgs(ARGS)).toEqual([]);
    rec.clear();
    expect(() => new FederatedIdentityBinding("unit-bad", bad)).toThrow(
      /poolIdPrefix: "gcp-team" would make pool ids/,
    );
    expect(rec.resources.filter((r) => r.name.startsWith("unit-bad-"))).toEqual([]);
  });
});

describe("FederatedIdentityBinding on its own", () => {
  test("the pool's suffix, the APIs, the pool and what the pods carry", async () => {
    rec.clear();
    const binding = new FederatedIdentityBinding("unit", ARGS);
    await settle();
    const component = rec.one("workload-identity:gcp:FederatedIdentityBinding");
    const mine = (type: string) =>
      rec.ofType(type).filter((r) => r.parent === component.urn && r.name.startsWith("unit-"));

    // Six lowercase letters and digits: a pool id takes nothing else.
    const [suffix] = mine("random:index/randomString:RandomString");
    expect(suffix.inputs).toMatchObject({ length: 6, special: false, upper: false });

    // IAM and STS, enabled and left enabled when the stack goes (other users of the project).
    const apis = mine("gcp:projects/service:Service");
    expect(apis.map((a) => [a.name, a.inputs.service, a.inputs.disableOnDestroy])).toEqual([
      ["unit-iam", "iam.googleapis.com", false],
      ["unit-sts", "sts.googleapis.com", false],
    ]);

    const [pool] = mine("gcp:iam/workloadIdentityPool:WorkloadIdentityPool");
    expect(pool.inputs.displayName).toBe("k8s team-a/reader");
    expect(pool.inputs.description).toBe(
      "Kubernetes ServiceAccount tokens of a cluster outside Google Cloud",
    );
    for (const api of apis) expect(pool.dependencies).toContain(api.urn);
    const [provider] = mine("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
    const [grant] = mine("gcp:storage/bucketIAMMember:BucketIAMMember");
    expect(provider).toBeDefined();
    expect(grant).toBeDefined();

    const access = binding.podAccess;
    expect(access.credentialVariables).toEqual(["GOOGLE_APPLICATION_CREDENTIALS"]);
    expect(access.projectedTokens?.map((t) => t.name)).toEqual(["gcp-token"]);
    expect(access.files?.map((f) => f.name)).toEqual(["gcp-credentials"]);
    // Pods wait for the provider, the grant and both APIs.
    expect(access.readyAfter).toHaveLength(4);
    // Only the bucket decides for a ServiceAccount of the cluster: no identity-service refusal.
    expect(access.denial.refusal).toBe("");
    const proofs = (await Promise.all(
      access.proofInputs.map((p) => valueOf(p as any)),
    )) as string[];
    expect(JSON.parse(proofs[1])).toEqual({
      issuerUri: ARGS.issuerUrl,
      allowedAudiences: [await valueOf(binding.audience)],
    });
    expect(JSON.parse(proofs[2])).toEqual({ "google.subject": "assertion.sub" });
    expect(proofs[3]).toBe("");
  });
});
