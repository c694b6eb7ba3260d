import {
  ISSUER_DOCUMENTS,
  ISSUER_PUBLIC_ACCESS,
  ISSUER_PUBLIC_ROLE,
  isMarked,
  linked,
  MARKER_TEXT,
  named,
} from "../issuer";
import { GCP_GRANTS, show, type GcpIamType } from "../readers";
import type { PolicyResource, StackReport, StackRule } from "../rule";
import { AWS, AZURE, GCP, ruleType } from "../tokens";

/** Object types, and the property that names an object in its bucket or account. */
const OBJECTS: Readonly<Record<string, { host: "s3" | "gcs" | "blob"; key: string }>> = {
  "aws:s3/bucketObject:BucketObject": { host: "s3", key: "key" },
  "aws:s3/bucketObjectv2:BucketObjectv2": { host: "s3", key: "key" },
  "gcp:storage/bucketObject:BucketObject": { host: "gcs", key: "name" },
  "azure-native:storage:Blob": { host: "blob", key: "blobName" },
};

const GCS_BUCKET_IAM: readonly GcpIamType[] = [
  GCP.bucketIamMember,
  GCP.bucketIamBinding,
  GCP.bucketIamPolicy,
];

/** An ARM scope at or under the storage account `name`. */
const underAccount = (scope: string, t: PolicyResource): boolean =>
  typeof t.props.accountName === "string" &&
  scope
    .toLowerCase()
    .includes(`/providers/microsoft.storage/storageaccounts/${t.props.accountName.toLowerCase()}`);

/**
 * The storage accounts a role assignment's `scope` is in: the account, or a container of it
 * (followed to its account), or a literal ARM ID under the account.
 */
function accountsOfScope(
  r: PolicyResource,
  resources: readonly PolicyResource[],
  accounts: readonly PolicyResource[],
): PolicyResource[] {
  const containers = resources.filter((x) => ruleType(x.type) === AZURE.blobContainer);
  return linked(r, "scope", [...accounts, ...containers], underAccount).flatMap((t) =>
    ruleType(t.type) === AZURE.blobContainer
      ? linked(t, "accountName", accounts, named("accountName"))
      : [t],
  );
}

/** Every bucket or account of the stack, per host, and how a resource names one. */
function hostsOf(resources: readonly PolicyResource[]) {
  const of = (...types: string[]) => resources.filter((r) => types.includes(ruleType(r.type)));
  return {
    s3: { all: of(AWS.bucket, AWS.bucketV2), key: "bucket", same: named("bucket") },
    gcs: { all: of(GCP.bucket), key: "bucket", same: named("name") },
    blob: { all: of(AZURE.storageAccount), key: "accountName", same: named("accountName") },
  };
}

const marked = (t: PolicyResource): boolean => isMarked(ruleType(t.type), t.props);

export const publicOnlyForOidcIssuer: StackRule = {
  kind: "stack",
  name: "public-only-for-oidc-issuer",
  description: `What no-public-buckets lets through for a self-hosted OIDC issuer is on a bucket or account tagged ${MARKER_TEXT}, which holds only the issuer's two documents and is granted to no one else.`,
  enforcementLevel: "mandatory",
  mirrors: {
    cis: [
      "AWS Foundations v1.5.0 2.1.4 (2.1.5 in v1.4.0)",
      "GCP Foundations v3.0.0 5.1",
      "Azure Foundations v3.0.0 4.17 (3.5 in v1.4.0)",
    ],
    checkov: [],
    note: "no direct equivalent: the exception to no-public-buckets for a public OIDC issuer; nearest the checks it relaxes, CKV_AWS_54, CKV_AWS_56, CKV_GCP_114, CKV_AZURE_190",
  },
  check(resources, report) {
    const hosts = hostsOf(resources);
    /** Whether `r`'s reference names only marked hosts (and at least one). */
    const onMarked = (r: PolicyResource, host: keyof typeof hosts) => {
      const targets = linked(r, hosts[host].key, hosts[host].all, hosts[host].same);
      return targets.length > 0 && targets.every(marked);
    };
    const inMarked = (r: PolicyResource, host: keyof typeof hosts) =>
      (ruleType(r.type) === AZURE.roleAssignment
        ? accountsOfScope(r, resources, hosts.blob.all)
        : linked(r, hosts[host].key, hosts[host].all, hosts[host].same)
      ).some(marked);
    publicSettings(resources, onMarked, report);
    markedHoldings(resources, inMarked, report);
  },
};

type OnHost = (r: PolicyResource, host: "s3" | "gcs" | "blob") => boolean;

/** Each issuer-shaped public setting no-public-buckets lets through: on a marked host only. */
function publicSettings(
  resources: readonly PolicyResource[],
  onMarked: OnHost,
  report: StackReport,
): void {
  const notMarked = (what: string) =>
    `${what}, but the ${what.startsWith("publicAccess") ? "account" : "bucket"} it names is not tagged ${MARKER_TEXT} (only an OIDC issuer's own bucket or account, holding nothing but its two documents, may be public); make it private`;
  for (const r of resources) {
    const type = ruleType(r.type);
    if (type === AWS.publicAccessBlock) {
      const off = ["blockPublicPolicy", "restrictPublicBuckets"].filter((f) => r.props[f] !== true);
      if (off.length > 0 && !onMarked(r, "s3")) {
        report(
          r,
          notMarked(off.map((f) => `${f} is ${show(r.props[f])}`).join(", ")) +
            " (set all four flags to true)",
        );
      }
    } else if ((GCS_BUCKET_IAM as readonly string[]).includes(type)) {
      const grants = GCP_GRANTS[type as GcpIamType](r.props);
      if (typeof grants === "string") continue; // no-public-buckets reports it
      for (const g of grants) {
        if (g.member === "allUsers" && !onMarked(r, "gcs")) {
          report(r, notMarked(`${g.path} is "allUsers"`));
        }
      }
    } else if (type === AZURE.blobContainer) {
      if (r.props.publicAccess === ISSUER_PUBLIC_ACCESS && !onMarked(r, "blob")) {
        report(r, notMarked(`publicAccess is "${ISSUER_PUBLIC_ACCESS}"`));
      }
    }
  }
}

/**
 * What a marked bucket or account holds and who may use it: the two documents, read by anyone;
 * no other object (with `allUsers` reading a GCS bucket, or `Blob` access, it would be public),
 * and no grant (a workload able to write there could replace the key set, or keep data there).
 */
function markedHoldings(
  resources: readonly PolicyResource[],
  inMarked: OnHost,
  report: StackReport,
): void {
  const ONLY = `which is tagged ${MARKER_TEXT}: it holds only ${ISSUER_DOCUMENTS.join(" and ")}`;
  for (const r of resources) {
    const type = ruleType(r.type);
    const object = OBJECTS[type];
    if (object !== undefined) {
      if (inMarked(r, object.host) && !ISSUER_DOCUMENTS.includes(r.props[object.key] as string)) {
        report(
          r,
          `${object.key} is ${show(r.props[object.key])} in a bucket or account ${ONLY}; put other objects in another one`,
        );
      }
    } else if ((GCS_BUCKET_IAM as readonly string[]).includes(type) && inMarked(r, "gcs")) {
      const grants = GCP_GRANTS[type as GcpIamType](r.props);
      if (typeof grants === "string") continue;
      for (const g of grants) {
        if (g.member !== "allUsers" || g.role !== ISSUER_PUBLIC_ROLE) {
          report(
            r,
            `${g.path} is ${show(g.member)} with ${show(g.role)} on a bucket ${ONLY}, read by allUsers (${ISSUER_PUBLIC_ROLE}); grant nothing else on it`,
          );
        }
      }
    } else if (type === AZURE.roleAssignment && inMarked(r, "blob")) {
      report(r, `scope is in a storage account ${ONLY}; grant nothing on it`);
    }
  }
}
