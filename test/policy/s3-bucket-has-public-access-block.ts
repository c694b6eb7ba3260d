import { describe, expect, test } from "vitest";
import { AWS, s3BucketHasPublicAccessBlock, stackViolations } from "../../policy/rules";
import { one, quietOnEveryStack, resourcesOf, synthetic, useStacks } from "../support/policy";

const check = (resources: Parameters<typeof stackViolations>[1]) =>
  stackViolations(s3BucketHasPublicAccessBlock, resources);
const MISSING =
  "no aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock names this bucket; add one with bucket: <this bucket>.id and all four flags true";
const S3 = [AWS.bucket, AWS.publicAccessBlock];

describe("s3-bucket-has-public-access-block", () => {
  useStacks();
  quietOnEveryStack(s3BucketHasPublicAccessBlock, {
    dev: S3,
    "dev (irsa)": S3,
    "gke-s3": S3,
    "aks-s3": S3,
  });

  test.for(["dev", "dev (irsa)", "gke-s3", "aks-s3"])(
    "fires, on the bucket, when the %s stack has no public-access block for it",
    (label) => {
      const resources = resourcesOf(label).filter((r) => r.type !== AWS.publicAccessBlock);
      const bucket = one(resources, AWS.bucket);
      expect(check(resources)).toEqual([
        { message: `${bucket.type} ${bucket.name}: ${MISSING}`, urn: bucket.urn },
      ]);
    },
  );

  test("the recorded block covers its bucket through its dependency, not by name", () => {
    // The mocks record no per-property dependencies: the link is the block's dependency on the
    // bucket. Without it, and with a `bucket` that names nothing literal, the bucket is bare.
    const resources = resourcesOf("dev").map((r) =>
      r.type === AWS.publicAccessBlock
        ? { ...r, dependencies: [], props: { ...r.props, bucket: "x" } }
        : r,
    );
    const bucket = one(resources, AWS.bucket);
    expect(check(resources).map((v) => v.urn)).toEqual([bucket.urn]);
  });

  test("a block made from another bucket does not count; one naming the bucket literally does", () => {
    const dev = resourcesOf("dev");
    const logs = { ...synthetic(AWS.bucket, "logs", { bucket: "my-logs" }), urn: "urn:logs" };
    expect(check([...dev, logs]).map((v) => v.urn)).toEqual(["urn:logs"]);
    const literal = synthetic(AWS.publicAccessBlock, "logs-pab", { bucket: "my-logs" });
    expect(check([...dev, logs, literal])).toEqual([]);
  });

  test("checks the deprecated BucketV2 too", () => {
    const legacy = { ...synthetic(AWS.bucketV2, "legacy", { bucket: "old" }), urn: "urn:legacy" };
    expect(check([legacy])).toEqual([
      { message: `aws:s3/bucketV2:BucketV2 legacy: ${MISSING}`, urn: "urn:legacy" },
    ]);
  });
});
