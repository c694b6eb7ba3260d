/**
 * The one public thing the pack allows: a self-hosted OIDC issuer (`cluster: kind`,
 * docs/kind.md), i.e. exactly two documents readable by anyone, in a bucket or storage account
 * that holds nothing else. Decided by what the resources are, not by their names:
 *
 * - the bucket or account carries the marker tag (GCS: label) `workload-identity-purpose:
 *   oidc-issuer`; and
 * - what makes it public has the issuer's shape: an S3 bucket policy's public statements allow
 *   `s3:GetObject` on exactly `<its bucket>/.well-known/openid-configuration` and
 *   `<its bucket>/openid/v1/jwks`; a Block Public Access that relaxes only the two policy flags;
 *   `allUsers` (never `allAuthenticatedUsers`) with `roles/storage.objectViewer` only; a
 *   container with `publicAccess: Blob` (never `Container`); and
 * - a marked bucket or account holds only those two documents and is granted to no one else.
 *
 * `no-public-buckets` (one resource at a time) refuses anything broader than the shape;
 * `public-only-for-oidc-issuer` (the stack) checks the marker, through the resource the public
 * setting names (its `bucket`/`accountName`), and what a marked bucket holds.
 */
import { at, isRecord, type IamStatement, principals } from "./readers";
import type { PolicyResource, Props } from "./rule";

/** The marker, as a tag (AWS, Azure) or a label (GCS). */
export const ISSUER_MARKER = { key: "workload-identity-purpose", value: "oidc-issuer" } as const;

/** The two documents an OIDC issuer publishes, relative to the issuer URL. */
export const ISSUER_DOCUMENTS: readonly string[] = [
  ".well-known/openid-configuration",
  "openid/v1/jwks",
];

/** The only role `allUsers` may hold, on a marked GCS bucket: read objects (get, list). */
export const ISSUER_PUBLIC_ROLE = "roles/storage.objectViewer";

/** The only public access a container of a marked account may have: read a blob by its name. */
export const ISSUER_PUBLIC_ACCESS = "Blob";

/** Where each marked type keeps its tags or labels. */
const MARKER_FIELD: Readonly<Record<string, string>> = {
  "aws:s3/bucket:Bucket": "tags",
  "aws:s3/bucketV2:BucketV2": "tags",
  "gcp:storage/bucket:Bucket": "labels",
  "azure-native:storage:StorageAccount": "tags",
};

/** True when the bucket or account's own tags (labels) carry the issuer marker. */
export function isMarked(type: string, props: Props): boolean {
  const field = MARKER_FIELD[type];
  return field !== undefined && at(props, field, ISSUER_MARKER.key) === ISSUER_MARKER.value;
}

/** `key: value` as messages show the marker. */
export const MARKER_TEXT = `${ISSUER_MARKER.key}: ${ISSUER_MARKER.value}`;

/** S3 bucket names (a `*` or `?` would make the ARN a wildcard). */
const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The ARNs of the two documents in `bucket`, in each AWS partition. */
function issuerObjectArns(bucket: string): string[] {
  return ["aws", "aws-cn", "aws-us-gov"].flatMap((partition) =>
    ISSUER_DOCUMENTS.map((key) => `arn:${partition}:s3:::${bucket}/${key}`),
  );
}

/**
 * True when a public Allow statement of the bucket policy of `bucket` has the issuer's shape:
 * `s3:GetObject` alone (IAM action names are case-insensitive), on one or both of the two
 * documents' ARNs in that very bucket, and no `NotAction`/`NotResource`. A Condition only narrows
 * an Allow, so any is accepted.
 */
export function isIssuerStatement(s: IamStatement, bucket: unknown): boolean {
  if (typeof bucket !== "string" || !S3_BUCKET_NAME.test(bucket)) return false;
  if (s.notAction.length > 0 || s.notResource.length > 0) return false;
  if (s.action.length === 0 || s.resource.length === 0) return false;
  if (!s.action.every((a) => a.toLowerCase() === "s3:getobject")) return false;
  const arns = issuerObjectArns(bucket);
  return s.resource.every((r) => arns.includes(r));
}

/** True when the statement allows `Principal: "*"` (anyone). */
export function isPublicAllow(s: IamStatement): boolean {
  return s.effect === "Allow" && principals(s.principal, "AWS").includes("*");
}

/**
 * The resources among `targets` that the `key` property of `r` names. Where CrossGuard gives
 * per-property dependencies and this property has some (a `bucket: bucket.id`), by their URNs:
 * known during a preview, and the value (maybe unknown then) is not read. Where there are none at
 * all (the offline mocks record no per-property dependencies), by any dependency. Otherwise the
 * value is a literal: the targets `sameName` matches.
 */
export function linked(
  r: PolicyResource,
  key: string,
  targets: readonly PolicyResource[],
  sameName: (value: string, target: PolicyResource) => boolean,
): PolicyResource[] {
  const byUrn = (refs: readonly string[]) =>
    targets.filter((t) => t.urn !== undefined && refs.includes(t.urn));
  const pd = r.propertyDependencies;
  const perProperty = pd !== undefined && Object.keys(pd).length > 0;
  const refs = perProperty ? (pd[key] ?? []) : (r.dependencies ?? []);
  const found = byUrn(refs);
  if (found.length > 0 || (perProperty && refs.length > 0)) return found;
  const value = r.props[key];
  return typeof value === "string" ? targets.filter((t) => sameName(value, t)) : [];
}

/** A literal name equal to the target's `field`. */
export const named =
  (field: string) =>
  (value: string, t: PolicyResource): boolean =>
    isRecord(t.props) && t.props[field] === value;
