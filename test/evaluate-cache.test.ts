/**
 * The evaluation cache the test files share (offline/evaluate.ts `useEvaluationCache`, on for every
 * file through test/support/setup.ts): a hit records exactly what a fresh run records, nothing a
 * test reads from it can be changed for the next, and whatever the program reads besides the
 * stack and its config (the SDKs' environment, switchable mock answers) makes another evaluation.
 */
import type * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig, useEvaluationCache } from "../offline/evaluate";
import {
  cloudResourceMock,
  installMocks,
  valueOf,
  withResourceMocks,
  type Recorder,
} from "../offline/mocks";

const K8S_PROVIDER = "pulumi:providers:kubernetes";

afterEach(() => {
  useEvaluationCache(true);
  delete process.env.PULUMI_K8S_DELETE_UNREACHABLE;
});

/** Everything an evaluation leaves for a test to read, with its outputs resolved. */
async function observed(rec: Recorder, run: Awaited<ReturnType<typeof evaluate>>) {
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(run.outputs)) {
    outputs[k] = typeof v === "string" ? v : await valueOf(v as pulumi.Output<unknown>);
  }
  return { resources: [...rec.resources], invokes: [...rec.invokes], config: run.config, outputs };
}

describe("a cached evaluation", () => {
  test("records exactly what running the program again records (aks: assets, reads, a dynamic provider)", async () => {
    const cached = installMocks("aks");
    await evaluate(cached, "aks");
    const hit = await observed(cached, await evaluate(cached, "aks"));
    expect(hit.resources.length).toBeGreaterThan(20);
    expect(hit.resources.some((r) => r.readId !== undefined)).toBe(true);

    useEvaluationCache(false);
    const fresh = installMocks("aks");
    const run = await observed(fresh, await evaluate(fresh, "aks"));
    // Not the cache's objects: a fresh run's own.
    expect(run.resources[0]).not.toBe(hit.resources[0]);
    expect(run).toEqual(hit);
  });

  test("is frozen: a test that changes what it reads fails, and the next reader sees the original", async () => {
    const rec = installMocks();
    const run = await evaluate(rec, "dev");
    const sa = rec.one("kubernetes:core/v1:ServiceAccount", "-sa");
    expect(() => {
      sa.inputs.metadata.name = "changed";
    }).toThrow(TypeError);
    expect(() =>
      (rec.one("aws:eks/nodeGroup:NodeGroup").inputs.subnetIds as string[]).pop(),
    ).toThrow(TypeError);
    expect(() => {
      (run.config as any).namespace = "changed";
    }).toThrow(TypeError);
    expect(() => {
      (run.outputs as any).clusterName = "changed";
    }).toThrow(TypeError);
    // The recorder's own lists are the test's to change; the next evaluation refills them.
    rec.resources.length = 0;
    await evaluate(rec, "dev");
    expect(rec.one("kubernetes:core/v1:ServiceAccount", "-sa").inputs.metadata.name).toBe("demo");
  });
});

describe("another evaluation, not a hit", () => {
  test("another config", async () => {
    const rec = installMocks();
    await evaluate(rec, "dev");
    await evaluate(rec, "dev", {
      ...exampleStackConfig("dev"),
      "workload-identity:serviceAccount": "reader",
    });
    expect(rec.one("kubernetes:core/v1:ServiceAccount", "-sa").inputs.metadata.name).toBe("reader");
  });

  test("another environment the SDKs read (PULUMI_K8S_DELETE_UNREACHABLE)", async () => {
    const rec = installMocks();
    await evaluate(rec, "dev");
    expect(rec.one(K8S_PROVIDER).inputs).not.toHaveProperty("deleteUnreachable");
    process.env.PULUMI_K8S_DELETE_UNREACHABLE = "true";
    await evaluate(rec, "dev");
    expect(rec.one(K8S_PROVIDER).inputs.deleteUnreachable).toBe("true");
    delete process.env.PULUMI_K8S_DELETE_UNREACHABLE;
    await evaluate(rec, "dev");
    expect(rec.one(K8S_PROVIDER).inputs).not.toHaveProperty("deleteUnreachable");
  });

  test("another mock answer (withResourceMocks), neither served from the cache nor kept", async () => {
    const BUCKET = "aws:s3/bucket:Bucket";
    const rec = installMocks();
    await evaluate(rec, "dev");
    const renamedTo = (bucket: string) => (name: string, inputs: any) => {
      const answer = cloudResourceMock(BUCKET)!(name, inputs);
      return { id: bucket, state: { ...answer.state, bucket } };
    };
    const objectBucket = () => rec.one("aws:s3/bucketObjectv2:BucketObjectv2").inputs.bucket;
    // Two different answers for the same type: the second is not served the first's run.
    for (const bucket of ["renamed-by-the-mock", "renamed-again"]) {
      await withResourceMocks({ [BUCKET]: renamedTo(bucket) }, () => evaluate(rec, "dev"));
      expect(objectBucket()).toBe(bucket);
    }
    await evaluate(rec, "dev");
    expect(objectBucket()).toBe("wi-dev-storage-bucket-a1b2c3d");
  });
});
