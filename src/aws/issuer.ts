/**
 * S3 as the public home of a self-hosted OIDC issuer (`cluster: kind`): a bucket of its own, in
 * which exactly the discovery document and the key set are readable by anyone, through a bucket
 * policy. Never through ACLs: buckets created since April 2023 have ACLs disabled
 * (`BucketOwnerEnforced`) and all four Block Public Access settings on, so the `--acl public-read`
 * recipes fail (https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html,
 * "Object Ownership … ACLs disabled" and "Block Public Access settings … all enabled" by default).
 */
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import {
  ISSUER_DOCUMENT_PATHS,
  issuerObjects,
  settingsOf,
  type IssuerDocuments,
  type IssuerHost,
  type StackConfig,
  type Tags,
  issuerTags,
} from "../core";
import { denyInsecureTransportStatement } from "./policies";

/** S3 bucket names: 3–63 lowercase letters, digits, '-' and '.'. */
const BUCKET_NAME_MAX = 63;
/** What Pulumi appends to an auto-named resource: `-` and 7 random hex (aws Bucket autonaming). */
const AUTONAME_SUFFIX = 8;

/** The logical name of the issuer bucket; Pulumi names the bucket after it, with a suffix. */
export const issuerBucketLogicalName = (name: string): string => `${name}-bucket`;

/** The issuer URL of a bucket: virtual-hosted, regional, no trailing `/`. */
export function s3IssuerUrl(bucket: string, region: string): string {
  return `https://${bucket}.s3.${region}.amazonaws.com`;
}

/** A bucket policy: anyone may GET exactly the two documents, and only over TLS. */
export function issuerBucketPolicy(bucketArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PublicIssuerDocuments",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: Object.values(ISSUER_DOCUMENT_PATHS).map(
          (key) => pulumi.interpolate`${bucketArn}/${key}`,
        ),
      },
      denyInsecureTransportStatement(bucketArn),
    ],
  });
}

export interface IssuerBucketArgs {
  readonly region: string;
  readonly tags: Tags;
  /** The documents, given the issuer URL (which they name). */
  readonly documents: (issuerUrl: pulumi.Output<string>) => IssuerDocuments;
}

/**
 * A dedicated S3 bucket serving an OIDC issuer: Block Public Access keeps ACLs blocked and
 * ignored but allows the public *policy* (`blockPublicPolicy`/`restrictPublicBuckets` false, on
 * this bucket only), ACLs are disabled (`BucketOwnerEnforced`), and the policy grants
 * `s3:GetObject` to everyone on the two objects' ARNs and nothing else: no listing, no other key.
 */
export class IssuerBucket extends pulumi.ComponentResource {
  public readonly issuerUrl: pulumi.Output<string>;
  public readonly bucketName: pulumi.Output<string>;
  /** The two public objects, discovery document first. */
  public readonly objects: readonly s3.BucketObjectv2[];

  constructor(name: string, args: IssuerBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:aws:IssuerBucket", name, {}, opts);
    // The policy pack's marker (policy/issuer.ts): it lets this bucket, and only a bucket with
    // nothing but the two documents, relax the policy flags of Block Public Access.
    const tags = issuerTags(args.tags);
    const bucket = new s3.Bucket(
      issuerBucketLogicalName(name),
      { forceDestroy: true, tags },
      { parent: this },
    );
    // S3 rejects concurrent configuration writes to one bucket, so these run one after another;
    // the public policy only once Block Public Access allows it (PutBucketPolicy is refused with
    // AccessDenied while blockPublicPolicy is on).
    const publicAccessBlock = new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      },
      { parent: this },
    );
    const ownership = new s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this, dependsOn: [publicAccessBlock] },
    );
    const policy = new s3.BucketPolicy(
      `${name}-policy`,
      { bucket: bucket.id, policy: issuerBucketPolicy(bucket.arn) },
      { parent: this, dependsOn: [ownership] },
    );
    this.bucketName = bucket.id;
    this.issuerUrl = bucket.id.apply((b) => s3IssuerUrl(b, args.region));
    const documents = args.documents(this.issuerUrl);
    this.objects = issuerObjects(name, documents).map(
      (object) =>
        new s3.BucketObjectv2(
          object.name,
          {
            bucket: bucket.id,
            key: object.path,
            content: object.content,
            contentType: "application/json",
            // Read again by STS within minutes of a key rotation, not after a CDN's day.
            cacheControl: "no-cache",
            tags,
          },
          { parent: this, dependsOn: [policy] },
        ),
    );
    this.registerOutputs({ issuerUrl: this.issuerUrl, bucketName: this.bucketName });
  }
}

/** The issuer bucket's auto-name at its longest. */
const worstCaseBucket = (config: StackConfig) =>
  `${issuerBucketLogicalName(`${config.prefix}-issuer`)}-${"x".repeat(AUTONAME_SUFFIX - 1)}`;

/** S3 as an issuer host: a bucket of its own, in the storage's region and account. */
export const s3IssuerHost: IssuerHost = {
  worstCaseIssuer: (config) =>
    s3IssuerUrl(worstCaseBucket(config), settingsOf(config, "aws").region),
  problems(config) {
    const bucket = worstCaseBucket(config);
    return bucket.length <= BUCKET_NAME_MAX
      ? []
      : [
          `stack name ${JSON.stringify(config.stack)} (prefix ${config.prefix}): the issuer bucket's name would have ${bucket.length} characters, at most ${BUCKET_NAME_MAX} are allowed`,
        ];
  },
  publish({ config, tags, providerOf }, name, documents, opts) {
    const bucket = new IssuerBucket(
      name,
      { region: settingsOf(config, "aws").region, tags, documents },
      { ...opts, providers: { aws: providerOf("aws") } },
    );
    return { issuerUrl: bucket.issuerUrl, published: bucket.objects };
  },
};
