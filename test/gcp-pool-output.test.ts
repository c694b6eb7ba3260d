/**
 * The GKE → Cloud Storage grant names the pool GKE *reports*, not one rebuilt from the project ID.
 *
 * GKE creates `<project>.svc.id.goog` with the project's first Workload Identity cluster; a grant
 * that names it before fails with `Identity Pool does not exist`
 * (terraform-google-kubernetes-engine#916). Only a member built from the cluster's
 * `workloadIdentityConfig.workloadPool` output waits for the cluster. A real GKE reports the pool
 * it was given, so under the ordinary mocks a string rebuilt beside the cluster would look the
 * same; here the cluster's mock reports a pool the program cannot compute, so only the output can
 * put it in the member, the Job's expected identity and the stack output.
 *
 * What this cannot prove: when Google actually creates the pool (mocks have no run time).
 */
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { evaluate } from "../offline/evaluate";
import { cloudResourceMock, installMocks, valueOf, withResourceMocks } from "../offline/mocks";

const REPORTED = "reported-by-gke.svc.id.goog";
const CLUSTER = "gcp:container/cluster:Cluster";

/** GKE's own answer, but reporting `REPORTED` as the cluster's workload pool. */
const reportingAnotherPool = (name: string, inputs: any) => {
  const answer = cloudResourceMock(CLUSTER)!(name, inputs);
  return {
    ...answer,
    state: { ...answer.state, workloadIdentityConfig: { workloadPool: REPORTED } },
  };
};

const rec = installMocks();

describe("gke", () => {
  test("the member, the Job's expected identity and the principal output carry the reported pool", async () => {
    const run = await withResourceMocks({ [CLUSTER]: reportingAnotherPool }, () =>
      evaluate(rec, "gke"),
    );
    const cluster = rec.one(CLUSTER);
    // The program asked for the project's pool; the mock answered with another on purpose.
    expect(cluster.inputs.workloadIdentityConfig.workloadPool).not.toBe(REPORTED);

    const grant = rec.one("gcp:storage/bucketIAMMember:BucketIAMMember");
    expect(grant.inputs.member).toMatch(
      new RegExp(
        `/workloadIdentityPools/${REPORTED.replaceAll(".", "\\.")}/subject/ns/demo/sa/demo$`,
      ),
    );
    expect(grant.dependencies).toContain(cluster.urn);

    const env = rec.one("kubernetes:batch/v1:Job", "-verify").inputs.spec.template.spec
      .containers[0].env;
    expect(env).toContainEqual({ name: "EXPECTED_IDENTITY", value: REPORTED });
    expect(await valueOf(run.outputs.principal as pulumi.Output<string>)).toBe(grant.inputs.member);
  });
});
