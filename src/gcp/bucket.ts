import * as projects from "@pulumi/gcp/projects";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import { RandomId } from "@pulumi/random/randomId";
import { HELLO_CONTENT, helloKey, shortHash, type AccessLevel } from "../core";
import { componentTags, type Tags } from "../core";
import { gcpLabels } from "./labels";

/** Read objects (get, list) and nothing else: the least-privilege predefined role for the demo. */
export const GCS_READ_ROLE = "roles/storage.objectViewer";
/**
 * Read, create, overwrite and delete objects, and nothing on the bucket or its IAM: Storage Object
 * User (https://cloud.google.com/storage/docs/access-control/iam-roles), for `write` workloads.
 */
export const GCS_WRITE_ROLE = "roles/storage.objectUser";

/** The predefined role a workload of `access` gets on the bucket. */
export function gcsRole(access: AccessLevel): string {
  return access === "write" ? GCS_WRITE_ROLE : GCS_READ_ROLE;
}

/**
 * The IAM condition that confines a bucket role to the objects under `prefix`; none for the whole
 * bucket. Cloud Storage names an object `projects/_/buckets/<bucket>/objects/<name>` in IAM
 * conditions (https://cloud.google.com/iam/docs/conditions-resource-attributes#resource-name), so
 * `startsWith` on it matches exactly the object names under the prefix. A prefix holds no `"` or
 * `\` (config.ts `keyPrefixProblem`), so it needs no escaping in the CEL string literal.
 *
 * `storage.objects.list` is checked against the *bucket*'s name, `projects/_/buckets/<bucket>`,
 * which never starts with `…/objects/`: a workload with a prefix cannot list, only get (and, as a
 * writer, create and delete) objects by name. The proofs read and write by name only.
 */
export function prefixCondition(bucketName: pulumi.Input<string>, prefix: string) {
  if (prefix === "") return undefined;
  return {
    title: `objects under ${prefix}`.slice(0, 100),
    description: `Only objects whose names start with ${prefix}`.slice(0, 256),
    expression: pulumi.interpolate`resource.name.startsWith("projects/_/buckets/${bucketName}/objects/${prefix}")`,
  };
}

/** Random bytes in the bucket name; two hex characters each. */
const SUFFIX_BYTES = 6;
const BUCKET_NAME_MAX = 63;

/**
 * Checks that `<prefix>-<12 hex>` is a valid bucket name: 3–63 lowercase letters, digits and '-',
 * starting with a letter or digit, and without "google" (which Cloud Storage refuses). Returns an
 * error message, or undefined when the prefix is fine.
 */
export function bucketNamePrefixProblem(prefix: string): string | undefined {
  const length = prefix.length + 1 + SUFFIX_BYTES * 2;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(prefix)) {
    return `namePrefix: ${JSON.stringify(prefix)} must be lowercase letters, digits and '-', starting with a letter or digit`;
  }
  if (length > BUCKET_NAME_MAX) {
    return `namePrefix: ${JSON.stringify(prefix)} is too long; with its random suffix the bucket name would have ${length} characters, at most ${BUCKET_NAME_MAX} are allowed`;
  }
  if (prefix.startsWith("goog") || /g[o0]{2}g[l1]e/.test(prefix)) {
    return `namePrefix: ${JSON.stringify(prefix)} would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack`;
  }
  return undefined;
}

/**
 * A project number as IAM spells it in a `principal://` path: decimal digits. The provider hands it
 * over as a JSON number; project numbers (12 digits today) are far below 2^53, so no digit is lost.
 */
export function projectNumberText(value: number | string | undefined): string {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !/^[1-9][0-9]{0,15}$/.test(text)) {
    throw new Error(`Cloud Storage reported no usable project number: ${JSON.stringify(value)}`);
  }
  return text;
}

export interface BucketWithPolicyArgs {
  readonly project: string;
  /** Where the bucket lives, e.g. the cluster's region (`europe-north1`). */
  readonly location: string;
  /** The bucket is named `<namePrefix>-<12 random hex>`: unique per stack, and globally. */
  readonly namePrefix: string;
  readonly tags: Tags;
  /**
   * The key prefixes to hold a `hello.txt` under (`""`: the bucket's root).
   * @default [""]
   */
  readonly prefixes?: readonly string[];
}

/** What is wrong with `args`, as messages; empty when nothing is. */
export function validateBucketWithPolicyArgs(args: BucketWithPolicyArgs): string[] {
  const problem = bucketNamePrefixProblem(args.namePrefix);
  return problem ? [problem] : [];
}

/**
 * A private Cloud Storage bucket holding `hello.txt`. Uniform bucket-level access (no object ACLs;
 * `principal://` members need it), public access prevention enforced, and `forceDestroy` so
 * `pulumi destroy` empties it. Offers the read role bindings grant on it (`roles/storage.objectViewer`).
 */
export class BucketWithPolicy extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  /** The URL of the first prefix's object: `gs://<bucket>/<prefix>hello.txt`. */
  public readonly objectUrl: pulumi.Output<string>;
  private readonly objectUrls = new Map<string, pulumi.Output<string>>();
  /** What a binding grants on this bucket to read it. */
  public readonly readRole: string = GCS_READ_ROLE;
  /**
   * The number of the bucket's project, as Cloud Storage reports it with the bucket: the
   * `principal://` members need the number, and this needs no Cloud Resource Manager API (which a
   * `getProject` lookup would, at every preview).
   */
  public readonly projectNumber: pulumi.Output<string>;

  constructor(name: string, args: BucketWithPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:gcp:BucketWithPolicy", name, {}, opts);
    const problems = validateBucketWithPolicyArgs(args);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const labels = gcpLabels(componentTags(args.tags, "bucket"));

    const api = new projects.Service(
      `${name}-api-storage`,
      { project: args.project, service: "storage.googleapis.com", disableOnDestroy: false },
      { parent: this },
    );
    // Bucket names are global; the suffix keeps them unique without naming the project.
    const suffix = new RandomId(`${name}-suffix`, { byteLength: SUFFIX_BYTES }, { parent: this });
    const bucket = new storage.Bucket(
      `${name}-bucket`,
      {
        project: args.project,
        name: pulumi.interpolate`${args.namePrefix}-${suffix.hex}`,
        location: args.location.toUpperCase(),
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        forceDestroy: true,
        labels,
      },
      { parent: this, dependsOn: [api] },
    );
    const prefixes = [...new Set(args.prefixes ?? [""])];
    // One hello.txt per prefix; the bucket root's keeps its name `<name>-hello`.
    for (const prefix of prefixes) {
      const hello = new storage.BucketObject(
        prefix === "" ? `${name}-hello` : `${name}-hello-${shortHash(prefix)}`,
        {
          bucket: bucket.name,
          name: helloKey(prefix),
          content: HELLO_CONTENT,
          contentType: "text/plain",
        },
        { parent: this },
      );
      this.objectUrls.set(prefix, pulumi.interpolate`gs://${hello.bucket}/${hello.name}`);
    }

    this.bucketName = bucket.name;
    this.objectUrl = this.objectUrlOf(prefixes[0]);
    // `projectNumber` is the Storage API's own field on the bucket (terraform-provider-google,
    // google/services/storage/resource_storage_bucket.go: `d.Set("project_number",
    // res.ProjectNumber)`; storage/bucket.d.ts: `projectNumber: Output<number>`).
    this.projectNumber = bucket.projectNumber.apply(projectNumberText);
    this.registerOutputs({
      bucketName: this.bucketName,
      objectUrl: this.objectUrl,
      projectNumber: this.projectNumber,
    });
  }

  /** `gs://<bucket>/<prefix>hello.txt` for one of `args.prefixes`. */
  public objectUrlOf(prefix: string): pulumi.Output<string> {
    const url = this.objectUrls.get(prefix);
    if (!url) throw new Error(`internal: no hello.txt under ${JSON.stringify(prefix)}`);
    return url;
  }
}
