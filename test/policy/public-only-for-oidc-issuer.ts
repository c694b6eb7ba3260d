import { describe, expect, test } from "vitest";
import {
  AWS,
  AZURE,
  GCP,
  ISSUER_MARKER,
  publicOnlyForOidcIssuer,
  stackViolations,
  type PolicyResource,
} from "../../policy/rules";
import { changed, one, quietOnEveryStack, resourcesOf, useStacks } from "../support/policy";

const check = (resources: readonly PolicyResource[]) =>
  stackViolations(publicOnlyForOidcIssuer, resources).map((v) => v.message);
const MARKER = "workload-identity-purpose: oidc-issuer";
const NOT_MARKED = (what: string, host: "bucket" | "account") =>
  `${what}, but the ${host} it names is not tagged ${MARKER} (only an OIDC issuer's own bucket or account, holding nothing but its two documents, may be public); make it private`;
const ONLY = `which is tagged ${MARKER}: it holds only .well-known/openid-configuration and openid/v1/jwks`;
const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const S3_OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";
const GCS_OBJECT = "gcp:storage/bucketObject:BucketObject";
const BLOB = "azure-native:storage:Blob";

/** `resources` with `r` replaced by `edit(r)`. */
const replace = (
  resources: readonly PolicyResource[],
  r: PolicyResource,
  edit: (props: any) => void,
) => resources.map((x) => (x === r ? changed(r, edit) : x));
const at = (r: PolicyResource) => `${r.type} ${r.name}`;
/** `r` as another resource with props `extra` changed (another object in the same bucket). */
const another = (r: PolicyResource, name: string, extra: Record<string, unknown>) => ({
  ...r,
  name,
  urn: `${r.urn}-${name}`,
  props: { ...r.props, ...extra },
});

describe("public-only-for-oidc-issuer", () => {
  useStacks();
  quietOnEveryStack(publicOnlyForOidcIssuer, {
    "kind-s3": [AWS.bucket, AWS.publicAccessBlock, S3_OBJECT],
    "kind-gcs": [GCS_BUCKET, GCP.bucketIamBinding, GCP.bucketIamMember, GCS_OBJECT],
    "kind-blob": [AZURE.storageAccount, AZURE.blobContainer, AZURE.roleAssignment, BLOB],
  });

  describe("on kind-s3", () => {
    const stack = () => resourcesOf("kind-s3");
    const issuer = () => one(stack(), AWS.bucket, "-issuer-bucket");
    const issuerPab = () => one(stack(), AWS.publicAccessBlock, "-issuer-public-access");

    test("the issuer's bucket carries the marker; its block relaxes the policy flags", () => {
      expect((issuer().props.tags as any)[ISSUER_MARKER.key]).toBe(ISSUER_MARKER.value);
      expect(issuerPab().props).toMatchObject({
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      });
    });

    test("fires on the block when the bucket loses its marker", () => {
      const resources = replace(stack(), issuer(), (p) => delete p.tags[ISSUER_MARKER.key]);
      expect(check(resources)).toEqual([
        `${at(issuerPab())}: ${NOT_MARKED("blockPublicPolicy is false, restrictPublicBuckets is false", "bucket")} (set all four flags to true)`,
      ]);
    });

    test("fires when the data bucket's block allows a public policy", () => {
      const data = one(stack(), AWS.publicAccessBlock, "-storage-public-access");
      expect(check(replace(stack(), data, (p) => (p.restrictPublicBuckets = false)))).toEqual([
        `${at(data)}: ${NOT_MARKED("restrictPublicBuckets is false", "bucket")} (set all four flags to true)`,
      ]);
    });

    test("a marker on the data bucket refuses what the bucket holds", () => {
      // The marker alone opens nothing (its block keeps all four flags; no-public-buckets allows
      // a public statement only on the two documents), and a marked bucket holds nothing else.
      const data = one(stack(), AWS.bucket, "-storage-bucket");
      const hello = one(stack(), S3_OBJECT, "-storage-hello");
      const resources = replace(stack(), data, (p) => (p.tags = { ...p.tags, ...markerTag() }));
      expect(check(resources)).toEqual([
        `${at(hello)}: key is "hello.txt" in a bucket or account ${ONLY}; put other objects in another one`,
      ]);
    });

    test("fires on any other object in the issuer's bucket", () => {
      const jwks = one(stack(), S3_OBJECT, "-issuer-jwks");
      const extra = another(jwks, "extra", { key: "data/report.csv" });
      expect(check([...stack(), extra])).toEqual([
        `${S3_OBJECT} extra: key is "data/report.csv" in a bucket or account ${ONLY}; put other objects in another one`,
      ]);
    });
  });

  describe("on kind-gcs", () => {
    const stack = () => resourcesOf("kind-gcs");
    const issuer = () => one(stack(), GCS_BUCKET, "-issuer-bucket");
    const reader = () => one(stack(), GCP.bucketIamBinding, "-issuer-public-read");

    test("fires on allUsers when the bucket loses its marker", () => {
      const resources = replace(stack(), issuer(), (p) => delete p.labels[ISSUER_MARKER.key]);
      expect(check(resources)).toEqual([
        `${at(reader())}: ${NOT_MARKED('members[0] is "allUsers"', "bucket")}`,
      ]);
    });

    test("fires when the data bucket is read by allUsers", () => {
      const grant = one(stack(), GCP.bucketIamMember);
      const resources = replace(stack(), grant, (p) => {
        p.member = "allUsers";
        p.role = "roles/storage.objectViewer";
      });
      expect(check(resources)).toEqual([
        `${at(grant)}: ${NOT_MARKED('member is "allUsers"', "bucket")}`,
      ]);
    });

    test("a marker on the data bucket refuses its objects and the workload's grant there", () => {
      const data = one(stack(), GCS_BUCKET, "-storage-bucket");
      const grant = one(stack(), GCP.bucketIamMember);
      const hello = one(stack(), GCS_OBJECT, "-storage-hello");
      const resources = replace(stack(), data, (p) => (p.labels = { ...p.labels, ...markerTag() }));
      expect(check(resources)).toEqual([
        `${at(grant)}: member is ${JSON.stringify(grant.props.member)} with ${JSON.stringify(grant.props.role)} on a bucket ${ONLY}, read by allUsers (roles/storage.objectViewer); grant nothing else on it`,
        `${at(hello)}: name is "hello.txt" in a bucket or account ${ONLY}; put other objects in another one`,
      ]);
    });

    test("fires on another member or role on the issuer's bucket, and on another object", () => {
      const writers = replace(stack(), reader(), (p) => (p.role = "roles/storage.objectUser"));
      expect(check(writers)).toEqual([
        `${at(reader())}: members[0] is "allUsers" with "roles/storage.objectUser" on a bucket ${ONLY}, read by allUsers (roles/storage.objectViewer); grant nothing else on it`,
      ]);
      const jwks = one(stack(), GCS_OBJECT, "-issuer-jwks");
      const extra = another(jwks, "extra", { name: "openid/v1/jwks.bak" });
      expect(check([...stack(), extra])).toEqual([
        `${GCS_OBJECT} extra: name is "openid/v1/jwks.bak" in a bucket or account ${ONLY}; put other objects in another one`,
      ]);
    });
  });

  describe("on kind-blob", () => {
    const stack = () => resourcesOf("kind-blob");
    const issuer = () => one(stack(), AZURE.storageAccount, "-issuer-account");
    const container = () => one(stack(), AZURE.blobContainer, "-issuer-container");

    test("fires on the Blob container when the account loses its marker", () => {
      const resources = replace(stack(), issuer(), (p) => delete p.tags[ISSUER_MARKER.key]);
      expect(check(resources)).toEqual([
        `${at(container())}: ${NOT_MARKED('publicAccess is "Blob"', "account")}`,
      ]);
    });

    test("fires when the data container allows Blob access", () => {
      const data = one(stack(), AZURE.blobContainer, "-storage-container");
      expect(check(replace(stack(), data, (p) => (p.publicAccess = "Blob")))).toEqual([
        `${at(data)}: ${NOT_MARKED('publicAccess is "Blob"', "account")}`,
      ]);
    });

    test("a marker on the data account refuses its blobs and the workload's role assignment there", () => {
      const data = one(stack(), AZURE.storageAccount, "-storage-account");
      const assignment = one(stack(), AZURE.roleAssignment);
      const hello = one(stack(), BLOB, "-storage-hello");
      const resources = replace(stack(), data, (p) => (p.tags = { ...p.tags, ...markerTag() }));
      expect(check(resources)).toEqual([
        `${at(hello)}: blobName is "hello.txt" in a bucket or account ${ONLY}; put other objects in another one`,
        `${at(assignment)}: scope is in a storage account ${ONLY}; grant nothing on it`,
      ]);
    });

    test("fires on another blob in the issuer's account", () => {
      const jwks = one(stack(), BLOB, "-issuer-jwks");
      const extra = another(jwks, "extra", { blobName: "backup.tar" });
      expect(check([...stack(), extra])).toEqual([
        `${BLOB} extra: blobName is "backup.tar" in a bucket or account ${ONLY}; put other objects in another one`,
      ]);
    });
  });

  describe("links a setting to its bucket as CrossGuard does", () => {
    const bucket = (name: string, marked: boolean): PolicyResource => ({
      type: AWS.bucket,
      name,
      urn: `urn:${name}`,
      props: { bucket: name, tags: marked ? markerTag() : {} },
    });
    const pab = (extra: Partial<PolicyResource>): PolicyResource => ({
      type: AWS.publicAccessBlock,
      name: "pab",
      urn: "urn:pab",
      props: {
        bucket: "unknown-during-preview",
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      },
      ...extra,
    });
    const buckets = [bucket("issuer", true), bucket("data", false)];

    test("by the URN of its `bucket` property, not by another dependency", () => {
      const toIssuer = pab({ propertyDependencies: { bucket: ["urn:issuer"] } });
      expect(check([...buckets, toIssuer])).toEqual([]);
      const toData = pab({
        propertyDependencies: { bucket: ["urn:data"] },
        dependencies: ["urn:data", "urn:issuer"],
      });
      expect(check([...buckets, toData])).toHaveLength(1);
    });

    test("by a literal name; a name that is no bucket of the stack is refused", () => {
      const literal = (name: string) =>
        pab({ props: { ...pab({}).props, bucket: name }, propertyDependencies: { other: ["x"] } });
      expect(check([...buckets, literal("issuer")])).toEqual([]);
      expect(check([...buckets, literal("data")])).toHaveLength(1);
      expect(check([...buckets, literal("elsewhere")])).toHaveLength(1);
    });
  });
});

function markerTag(): Record<string, string> {
  return { [ISSUER_MARKER.key]: ISSUER_MARKER.value };
}
