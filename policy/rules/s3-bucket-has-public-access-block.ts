import type { StackRule } from "../rule";
import { AWS } from "../tokens";

export const s3BucketHasPublicAccessBlock: StackRule = {
  kind: "stack",
  name: "s3-bucket-has-public-access-block",
  description: "Every S3 bucket in the stack has a public-access block.",
  enforcementLevel: "mandatory",
  mirrors: {
    cis: ["AWS Foundations v1.5.0 2.1.4 (2.1.5 in v1.4.0)"],
    checkov: ["CKV2_AWS_6"],
  },
  check(resources, report) {
    const blocks = resources.filter((r) => r.type === AWS.publicAccessBlock);
    for (const bucket of resources.filter(
      (r) => r.type === AWS.bucket || r.type === AWS.bucketV2,
    )) {
      const covered = blocks.some((b) => {
        // Linked by dependency: per property where CrossGuard has them (`bucket`), otherwise any
        // dependency (the offline mocks record no per-property dependencies).
        const pd = b.propertyDependencies;
        const perProperty = pd !== undefined && Object.keys(pd).length > 0;
        const refs = perProperty ? (pd["bucket"] ?? []) : (b.dependencies ?? []);
        if (bucket.urn !== undefined && refs.includes(bucket.urn)) return true;
        // A `bucket` made from another resource's output names that resource; its value may be
        // unknown during a preview, so it is not read.
        if (perProperty && refs.length > 0) return false;
        // Otherwise `bucket` is a literal name.
        return typeof b.props.bucket === "string" && b.props.bucket === bucket.props.bucket;
      });
      if (!covered) {
        report(
          bucket,
          `no ${AWS.publicAccessBlock} names this bucket; add one with bucket: <this bucket>.id and all four flags true`,
        );
      }
    }
  },
};
