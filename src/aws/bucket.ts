import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { HELLO_CONTENT, helloKey, shortHash, type AccessLevel } from "../core";
import { componentTags, type Tags } from "../core";
import { denyInsecureTransport, s3AccessPolicy } from "./policies";

/** What one kind of workload may do: `access` under `prefix` (`""`: the whole bucket). */
export interface S3Grant {
  readonly access: AccessLevel;
  readonly prefix: string;
}

export interface BucketWithPolicyArgs {
  readonly tags: Tags;
  /**
   * The grants to offer as customer-managed policies, one per distinct access and prefix, and the
   * prefixes to hold a `hello.txt` under. A plain list: it decides how many resources exist.
   * @default [{ access: "read", prefix: "" }]
   */
  readonly grants?: readonly S3Grant[];
}

/** A managed policy offered for one grant. */
export interface S3Policy {
  readonly arn: pulumi.Output<string>;
  /** Its document, as IAM holds it. */
  readonly document: pulumi.Output<string>;
}

const grantKey = (g: S3Grant) => `${g.access}:${g.prefix}`;

/**
 * The suffix of a grant's child names: none for reading the whole bucket (so a stack of one such
 * workload keeps the names it always had), else the access and a hash of the prefix.
 */
function grantSuffix(g: S3Grant): string {
  if (g.prefix === "") return g.access === "read" ? "read" : "write";
  return `${g.access}-${shortHash(g.prefix)}`;
}

/**
 * A private S3 bucket holding `hello.txt`, and a customer-managed policy that reads exactly this
 * bucket. Public access is blocked (all four flags), ACLs are disabled (BucketOwnerEnforced),
 * plain-HTTP requests are denied, and `forceDestroy` lets `pulumi destroy` empty it.
 */
export class BucketWithPolicy extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** The first grant's least-privilege policy, for roles to attach. */
  public readonly readPolicyArn: pulumi.Output<string>;
  /** The first grant's policy document, as IAM holds it. */
  public readonly readPolicyDocument: pulumi.Output<string>;
  /** The URL of the first grant's object: `s3://<bucket>/<prefix>hello.txt`. */
  public readonly objectUrl: pulumi.Output<string>;
  private readonly policies = new Map<string, S3Policy>();
  private readonly objectUrls = new Map<string, pulumi.Output<string>>();

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
    const grants = args.grants ?? [{ access: "read", prefix: "" }];
    if (grants.length === 0) throw new pulumi.ResourceError("grants: expected at least one", this);
    // One hello.txt per prefix, under it; the whole bucket's keeps its name `<name>-hello`.
    for (const prefix of new Set(grants.map((g) => g.prefix))) {
      const hello = new s3.BucketObjectv2(
        prefix === "" ? `${name}-hello` : `${name}-hello-${shortHash(prefix)}`,
        {
          bucket: bucket.id,
          key: helloKey(prefix),
          content: HELLO_CONTENT,
          contentType: "text/plain",
          tags,
        },
        { parent: this, dependsOn: [tlsOnly] },
      );
      this.objectUrls.set(prefix, pulumi.interpolate`s3://${hello.bucket}/${hello.key}`);
    }
    for (const grant of grants) {
      if (this.policies.has(grantKey(grant))) continue;
      const what =
        grant.access === "write" ? "ListBucket, Get/Put/DeleteObject" : "ListBucket, GetObject";
      const policy = new iam.Policy(
        `${name}-${grantSuffix(grant)}`,
        {
          // Unchanged for the whole bucket's read policy: a policy's description forces replacement.
          description: pulumi.interpolate`${grant.access === "write" ? "Read and write" : "Read"} s3://${bucket.id}${grant.prefix ? `/${grant.prefix}` : ""} (${what}) and nothing else`,
          policy: s3AccessPolicy(bucket.arn, grant.access, grant.prefix),
          tags,
        },
        { parent: this },
      );
      this.policies.set(grantKey(grant), { arn: policy.arn, document: policy.policy });
    }

    this.bucketName = bucket.id;
    this.bucketArn = bucket.arn;
    const first = this.policyOf(grants[0]);
    this.readPolicyArn = first.arn;
    this.readPolicyDocument = first.document;
    this.objectUrl = this.objectUrlOf(grants[0].prefix);
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      readPolicyArn: this.readPolicyArn,
      readPolicyDocument: this.readPolicyDocument,
      objectUrl: this.objectUrl,
    });
  }

  /** The managed policy of `grant`, one of `args.grants`. */
  public policyOf(grant: S3Grant): S3Policy {
    const policy = this.policies.get(grantKey(grant));
    if (!policy) throw new Error(`internal: no policy for ${grantKey(grant)}`);
    return policy;
  }

  /** `s3://<bucket>/<prefix>hello.txt` for a prefix of `args.grants`. */
  public objectUrlOf(prefix: string): pulumi.Output<string> {
    const url = this.objectUrls.get(prefix);
    if (!url) throw new Error(`internal: no hello.txt under ${JSON.stringify(prefix)}`);
    return url;
  }
}
