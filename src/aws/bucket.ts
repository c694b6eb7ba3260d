import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { HELLO_CONTENT, HELLO_KEY } from "../core";
import { componentTags, type Tags } from "../core";
import { denyInsecureTransport, s3ReadPolicy } from "./policies";

export interface BucketWithPolicyArgs {
  readonly tags: Tags;
}

/**
 * A private S3 bucket holding `hello.txt`, and a customer-managed policy that reads exactly this
 * bucket. Public access is blocked (all four flags), ACLs are disabled (BucketOwnerEnforced),
 * plain-HTTP requests are denied, and `forceDestroy` lets `pulumi destroy` empty it.
 */
export class BucketWithPolicy extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** The least-privilege read policy, for roles to attach. */
  public readonly readPolicyArn: pulumi.Output<string>;
  /** The read policy's document, as IAM holds it. */
  public readonly readPolicyDocument: pulumi.Output<string>;
  /** The URL of the object the demo reads: `s3://<bucket>/hello.txt`. */
  public readonly objectUrl: pulumi.Output<string>;

  constructor(name: string, args: BucketWithPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:aws:BucketWithPolicy", name, {}, opts);
    const tags = componentTags(args.tags, "bucket");

    // No physical name: Pulumi appends a random suffix, so the name is unique per stack.
    const bucket = new s3.Bucket(`${name}-bucket`, { forceDestroy: true, tags }, { parent: this });

    // S3 rejects concurrent configuration writes to one bucket, so these run one after another.
    const publicAccessBlock = new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    const ownership = new s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this, dependsOn: [publicAccessBlock] },
    );
    const tlsOnly = new s3.BucketPolicy(
      `${name}-tls-only`,
      { bucket: bucket.id, policy: denyInsecureTransport(bucket.arn) },
      { parent: this, dependsOn: [ownership] },
    );
    const hello = new s3.BucketObjectv2(
      `${name}-hello`,
      {
        bucket: bucket.id,
        key: HELLO_KEY,
        content: HELLO_CONTENT,
        contentType: "text/plain",
        tags,
      },
      { parent: this, dependsOn: [tlsOnly] },
    );
    const readPolicy = new iam.Policy(
      `${name}-read`,
      {
        description: pulumi.interpolate`Read s3://${bucket.id} (ListBucket, GetObject) and nothing else`,
        policy: s3ReadPolicy(bucket.arn),
        tags,
      },
      { parent: this },
    );

    this.bucketName = bucket.id;
    this.bucketArn = bucket.arn;
    this.readPolicyArn = readPolicy.arn;
    this.readPolicyDocument = readPolicy.policy;
    this.objectUrl = pulumi.interpolate`s3://${hello.bucket}/${hello.key}`;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      readPolicyArn: this.readPolicyArn,
      readPolicyDocument: this.readPolicyDocument,
      objectUrl: this.objectUrl,
    });
  }
}
