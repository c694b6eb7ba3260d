import {
  ISSUER_PUBLIC_ACCESS,
  ISSUER_PUBLIC_ROLE,
  isIssuerStatement,
  isMarked,
  isPublicAllow,
  MARKER_TEXT,
} from "../issuer";
import { GCP_GRANTS, iamStatements, show, strings, type GcpIamType } from "../readers";
import { forEach, type Check, type ResourceRule } from "../rule";
import { AWS, AZURE, GCP } from "../tokens";

export const S3_PUBLIC_ACCESS_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

/** Canned ACLs that open a bucket to everyone or to every AWS account. */
export const S3_PUBLIC_ACLS: readonly string[] = [
  "public-read",
  "public-read-write",
  "authenticated-read",
];

/** GCP's members for "anyone" and "any Google account". */
export const GCP_PUBLIC_MEMBERS: readonly string[] = ["allUsers", "allAuthenticatedUsers"];

/** The flags that keep ACLs out: an OIDC issuer's bucket keeps them on too. */
export const S3_ACL_FLAGS = ["blockPublicAcls", "ignorePublicAcls"] as const;

/**
 * The ACL flags here; the two policy flags are checked by `public-only-for-oidc-issuer`, which
 * sees the bucket the block names (off only on a bucket marked as an OIDC issuer's).
 */
const publicAccessBlock: Check = (p, report) => {
  for (const flag of S3_ACL_FLAGS) {
    if (p[flag] !== true) {
      report(
        `${flag} is ${show(p[flag])}; set all four of ${S3_PUBLIC_ACCESS_FLAGS.join(", ")} to true`,
      );
    }
  }
};

const s3Acl: Check = (p, report) => {
  if (typeof p.acl === "string" && S3_PUBLIC_ACLS.includes(p.acl)) {
    report(
      `acl is ${show(p.acl)}, which opens the bucket to others; remove it (BucketOwnerEnforced ownership disables ACLs)`,
    );
  }
};

/**
 * No public Allow, but an OIDC issuer's: `s3:GetObject` on exactly its two documents in this
 * bucket. That shape exposes nothing else even on a bucket wrongly marked, and the Block Public
 * Access that lets it take effect must be on a marked bucket (`public-only-for-oidc-issuer`).
 */
const bucketPolicy: Check = (p, report) => {
  const statements = iamStatements(p.policy);
  if (typeof statements === "string") return report(`policy ${statements}`);
  for (const s of statements) {
    if (isPublicAllow(s) && !isIssuerStatement(s, p.bucket)) {
      report(
        `policy statement ${s.label} allows Principal "*" (anyone); grant named roles instead (only s3:GetObject on an OIDC issuer's .well-known/openid-configuration and openid/v1/jwks in this bucket may be public)`,
      );
    }
  }
};

/** Uniform access always; public access prevention, but on a bucket marked as an OIDC issuer's. */
const gcsBucket: Check = (p, report) => {
  if (p.uniformBucketLevelAccess !== true) {
    report(
      `uniformBucketLevelAccess is ${show(p.uniformBucketLevelAccess)}; set it to true (no object ACLs; principal:// members need it)`,
    );
  }
  if (p.publicAccessPrevention !== "enforced" && !isMarked(GCP.bucket, p)) {
    report(`publicAccessPrevention is ${show(p.publicAccessPrevention)}; set it to "enforced"`);
  }
};

const gcsBucketIam =
  (type: GcpIamType): Check =>
  (p, report) => {
    const grants = GCP_GRANTS[type](p);
    if (typeof grants === "string") return report(grants);
    for (const g of grants) {
      // allUsers reading objects is an OIDC issuer's shape; the stack rule
      // public-only-for-oidc-issuer requires the bucket to be marked as one.
      if (g.member === "allUsers" && g.role === ISSUER_PUBLIC_ROLE) continue;
      if (GCP_PUBLIC_MEMBERS.includes(g.member)) {
        report(
          `${g.path} is ${show(g.member)}, which makes the bucket public; grant one workload's principal instead`,
        );
      }
    }
  };

const gcsAccessControl: Check = (p, report) => {
  if (GCP_PUBLIC_MEMBERS.includes(p.entity as string)) {
    report(
      `entity is ${show(p.entity)}, which makes the data public; remove it (uniform bucket-level access disables ACLs)`,
    );
  }
};

const gcsAcl: Check = (p, report) => {
  strings(p.roleEntities).forEach((e, i) => {
    if (GCP_PUBLIC_MEMBERS.some((m) => e.endsWith(`:${m}`))) {
      report(
        `roleEntities[${i}] is ${show(e)}, which makes the data public; remove it (uniform bucket-level access disables ACLs)`,
      );
    }
  });
};

/** Off, but on an account marked as an OIDC issuer's. */
const storageAccount: Check = (p, report) => {
  if (p.allowBlobPublicAccess !== false && !isMarked(AZURE.storageAccount, p)) {
    report(
      `allowBlobPublicAccess is ${show(p.allowBlobPublicAccess)}; set it to false (only an account tagged ${MARKER_TEXT}, holding an OIDC issuer's two documents, may allow it)`,
    );
  }
};

/**
 * `None`, or `Blob` (read a blob by name, no listing: an OIDC issuer's shape, which
 * public-only-for-oidc-issuer allows only in a marked account); never `Container`.
 */
const blobContainer: Check = (p, report) => {
  const access = p.publicAccess;
  if (access !== undefined && access !== "None" && access !== ISSUER_PUBLIC_ACCESS) {
    report(`publicAccess is ${show(access)}; set it to "None" or leave it unset`);
  }
};

export const noPublicBuckets: ResourceRule = {
  kind: "resource",
  name: "no-public-buckets",
  description:
    "Buckets are private: no public ACL, policy or member, S3 ACL blocks on, GCS uniform access and public access prevention, Azure blob public access off; only a marked OIDC issuer's two documents may be public.",
  enforcementLevel: "mandatory",
  mirrors: {
    cis: [
      "AWS Foundations v1.5.0 2.1.4 (2.1.5 in v1.4.0): S3 'Block public access (bucket settings)'",
      "GCP Foundations v3.0.0 5.1: bucket not anonymously or publicly accessible",
      "GCP Foundations v3.0.0 5.2: uniform bucket-level access",
      "Azure Foundations v3.0.0 4.17 (3.5 in v1.4.0): 'Allow Blob Anonymous Access' disabled",
    ],
    checkov: [
      "CKV_AWS_53",
      "CKV_AWS_54",
      "CKV_AWS_55",
      "CKV_AWS_56",
      "CKV_AWS_70",
      "CKV_GCP_28",
      "CKV_GCP_29",
      "CKV_GCP_114",
      "CKV_AZURE_190",
      "CKV_AZURE_34",
    ],
  },
  checks: {
    [AWS.publicAccessBlock]: publicAccessBlock,
    ...forEach([AWS.bucket, AWS.bucketV2, AWS.bucketAcl, AWS.bucketAclV2], () => s3Acl),
    [AWS.bucketPolicy]: bucketPolicy,
    [GCP.bucket]: gcsBucket,
    ...forEach([GCP.bucketIamMember, GCP.bucketIamBinding, GCP.bucketIamPolicy], gcsBucketIam),
    ...forEach(
      [GCP.bucketAccessControl, GCP.defaultObjectAccessControl, GCP.objectAccessControl],
      () => gcsAccessControl,
    ),
    ...forEach([GCP.bucketAcl, GCP.defaultObjectAcl, GCP.objectAcl], () => gcsAcl),
    [AZURE.storageAccount]: storageAccount,
    [AZURE.blobContainer]: blobContainer,
  },
};
