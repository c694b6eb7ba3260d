/**
 * Cloud Storage as the public home of a self-hosted OIDC issuer (`cluster: kind`): a bucket of
 * its own, holding only the discovery document and the key set, readable by anyone.
 *
 * Why a bucket rather than the pool provider's `oidc.jwksJson` (which would need nothing public):
 * the issuer's URL must still be https and is what the tokens carry, the other two clouds need the
 * documents public anyway, and the provider as `FederatedIdentityBinding` registers it for every
 * other cluster (by `issuerUri`, Google fetching the documents) then stays the same for kind; a
 * key rotation is a republication, as on AWS and Azure, not a change of the trust.
 *
 * Cloud Storage has no per-object grant with uniform bucket-level access (object ACLs are off),
 * and IAM conditions cannot narrow a grant to `allUsers` to object names, so the grant is on the
 * bucket: `roles/storage.objectViewer` for `allUsers`, on a bucket that holds these two objects
 * and nothing else. Anyone can also list it, which shows those two names.
 */
import * as projects from "@pulumi/gcp/projects";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import { RandomId } from "@pulumi/random/randomId";
import {
  issuerObjects,
  settingsOf,
  type IssuerDocuments,
  type IssuerHost,
  type StackConfig,
  type Tags,
  issuerTags,
} from "../core";
import { bucketNamePrefixProblem } from "./bucket";
import { gcpLabels } from "./labels";

/** What anyone gets on the issuer bucket: read objects (get, list), nothing else. */
export const PUBLIC_READ_ROLE = "roles/storage.objectViewer";
const SUFFIX_BYTES = 6;

/** The issuer bucket's name prefix: `<stack prefix>-oidc`, then 12 random hex. */
export const issuerBucketPrefix = (prefix: string): string => `${prefix}-oidc`;

/** The issuer URL of a bucket: path-style, no trailing `/`. */
export function gcsIssuerUrl(bucket: string): string {
  return `https://storage.googleapis.com/${bucket}`;
}

export interface IssuerBucketArgs {
  readonly project: string;
  readonly location: string;
  /** The bucket is `<namePrefix>-<12 random hex>`. */
  readonly namePrefix: string;
  readonly tags: Tags;
  readonly documents: (issuerUrl: pulumi.Output<string>) => IssuerDocuments;
}

/**
 * A dedicated Cloud Storage bucket serving an OIDC issuer: uniform bucket-level access (no ACLs),
 * public access prevention left to the organisation (`inherited`: `enforced` would refuse the
 * public grant), `allUsers` reading its objects, and only the two documents in it.
 */
export class IssuerBucket extends pulumi.ComponentResource {
  public readonly issuerUrl: pulumi.Output<string>;
  public readonly bucketName: pulumi.Output<string>;
  public readonly objects: readonly storage.BucketObject[];

  constructor(name: string, args: IssuerBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:gcp:IssuerBucket", name, {}, opts);
    const problem = bucketNamePrefixProblem(args.namePrefix);
    if (problem) throw new pulumi.ResourceError(problem, this);
    const api = new projects.Service(
      `${name}-api-storage`,
      { project: args.project, service: "storage.googleapis.com", disableOnDestroy: false },
      { parent: this },
    );
    const suffix = new RandomId(`${name}-suffix`, { byteLength: SUFFIX_BYTES }, { parent: this });
    const bucket = new storage.Bucket(
      `${name}-bucket`,
      {
        project: args.project,
        name: pulumi.interpolate`${args.namePrefix}-${suffix.hex}`,
        location: args.location.toUpperCase(),
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "inherited",
        forceDestroy: true,
        // The policy pack's marker (policy/issuer.ts): it lets this bucket, and only a bucket with
        // nothing but the two documents, be read by allUsers.
        labels: gcpLabels(issuerTags(args.tags)),
      },
      { parent: this, dependsOn: [api] },
    );
    // Authoritative for the role on this bucket (the bucket is the issuer's alone): readers are
    // exactly `allUsers`, and nobody else is granted it here by accident.
    const reader = new storage.BucketIAMBinding(
      `${name}-public-read`,
      { bucket: bucket.name, role: PUBLIC_READ_ROLE, members: ["allUsers"] },
      { parent: this },
    );
    this.bucketName = bucket.name;
    this.issuerUrl = bucket.name.apply(gcsIssuerUrl);
    const documents = args.documents(this.issuerUrl);
    this.objects = issuerObjects(name, documents).map(
      (object) =>
        new storage.BucketObject(
          object.name,
          {
            bucket: bucket.name,
            name: object.path,
            content: object.content,
            contentType: "application/json",
            // Public objects are cached for an hour by default; a rotated key set must not be.
            cacheControl: "no-cache",
          },
          { parent: this, dependsOn: [reader] },
        ),
    );
    this.registerOutputs({ issuerUrl: this.issuerUrl, bucketName: this.bucketName });
  }
}

const worstCaseBucket = (config: StackConfig) =>
  `${issuerBucketPrefix(config.prefix)}-${"x".repeat(SUFFIX_BYTES * 2)}`;

/** Cloud Storage as an issuer host: a bucket of its own, in the storage's project and region. */
export const gcsIssuerHost: IssuerHost = {
  worstCaseIssuer: (config) => gcsIssuerUrl(worstCaseBucket(config)),
  problems(config) {
    const problem = bucketNamePrefixProblem(issuerBucketPrefix(config.prefix));
    return problem
      ? [`stack name ${JSON.stringify(config.stack)} (prefix ${config.prefix}): ${problem}`]
      : [];
  },
  publish({ config, tags, providerOf }, name, documents, opts) {
    const settings = settingsOf(config, "gcp");
    const bucket = new IssuerBucket(
      name,
      {
        project: settings.project,
        location: settings.region,
        namePrefix: issuerBucketPrefix(config.prefix),
        tags,
        documents,
      },
      { ...opts, providers: { gcp: providerOf("gcp") } },
    );
    return { issuerUrl: bucket.issuerUrl, published: bucket.objects };
  },
};
