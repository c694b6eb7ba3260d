import { describe, expect, test } from "vitest";
import { AWS, AZURE, GCP, noPublicBuckets, resourceMessages } from "../../policy/rules";
import {
  changed,
  changedDocument,
  firesOnEveryType,
  one,
  quietOnEveryStack,
  resourcesOf,
  synthetic,
  useStacks,
} from "../support/policy";

const check = (r: Parameters<typeof resourceMessages>[1]) => resourceMessages(noPublicBuckets, r);
const S3 = [AWS.bucket, AWS.publicAccessBlock, AWS.bucketPolicy];
const GCS = [GCP.bucket, GCP.bucketIamMember];
const BLOB = [AZURE.storageAccount, AZURE.blobContainer];
const FLAGS =
  "set all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true";
const ACL = (acl: string) =>
  `acl is "${acl}", which opens the bucket to others; remove it (BucketOwnerEnforced ownership disables ACLs)`;
const PUBLIC_DATA =
  "which makes the data public; remove it (uniform bucket-level access disables ACLs)";
const PUBLIC_POLICY = (label: string) =>
  `policy statement ${label} allows Principal "*" (anyone); grant named roles instead (only s3:GetObject on an OIDC issuer's .well-known/openid-configuration and openid/v1/jwks in this bucket may be public)`;
const PUBLIC_ACCOUNT = (value: string) =>
  `allowBlobPublicAccess is ${value}; set it to false (only an account tagged workload-identity-purpose: oidc-issuer, holding an OIDC issuer's two documents, may allow it)`;

describe("no-public-buckets", () => {
  useStacks();
  quietOnEveryStack(noPublicBuckets, {
    dev: S3,
    "dev (irsa)": S3,
    "gke-s3": S3,
    "aks-s3": S3,
    gke: GCS,
    "eks-gcs": GCS,
    "aks-gcs": GCS,
    aks: BLOB,
    "eks-blob": BLOB,
    "gke-blob": BLOB,
  });

  describe("on dev", () => {
    const PAB =
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock wi-dev-storage-public-access";

    test("fires when an ACL flag is turned off or dropped (the policy flags: public-only-for-oidc-issuer)", () => {
      const pab = one(resourcesOf("dev"), AWS.publicAccessBlock);
      expect(check(changed(pab, (p) => (p.blockPublicAcls = false)))).toEqual([
        `${PAB}: blockPublicAcls is false; ${FLAGS}`,
      ]);
      expect(check(changed(pab, (p) => delete p.ignorePublicAcls))).toEqual([
        `${PAB}: ignorePublicAcls is unset; ${FLAGS}`,
      ]);
    });

    test("fires on a public canned ACL; a private one is fine", () => {
      const bucket = one(resourcesOf("dev"), AWS.bucket);
      expect(check(changed(bucket, (p) => (p.acl = "public-read")))).toEqual([
        `aws:s3/bucket:Bucket wi-dev-storage-bucket: ${ACL("public-read")}`,
      ]);
      expect(check(changed(bucket, (p) => (p.acl = "private")))).toEqual([]);
    });

    test("fires when the bucket policy allows everyone; its Deny on non-TLS requests is fine", () => {
      const policy = one(resourcesOf("dev"), AWS.bucketPolicy);
      const allow = changedDocument(policy, "policy", (d) => (d.Statement[0].Effect = "Allow"));
      expect(check(allow)).toEqual([
        `aws:s3/bucketPolicy:BucketPolicy wi-dev-storage-tls-only: ${PUBLIC_POLICY('"DenyInsecureTransport"')}`,
      ]);
    });
  });

  test("fires when the gke stack's bucket stops enforcing public access prevention", () => {
    const bucket = one(resourcesOf("gke"), GCP.bucket);
    const at = `${bucket.type} ${bucket.name}`;
    expect(check(changed(bucket, (p) => (p.publicAccessPrevention = "inherited")))).toEqual([
      `${at}: publicAccessPrevention is "inherited"; set it to "enforced"`,
    ]);
    expect(check(changed(bucket, (p) => delete p.uniformBucketLevelAccess))).toEqual([
      `${at}: uniformBucketLevelAccess is unset; set it to true (no object ACLs; principal:// members need it)`,
    ]);
  });

  test.for(["aks", "eks-blob", "gke-blob"])(
    "fires when the %s stack's storage account or container turns public",
    (label) => {
      const account = one(resourcesOf(label), AZURE.storageAccount);
      expect(check(changed(account, (p) => (p.allowBlobPublicAccess = true)))).toEqual([
        `${account.type} ${account.name}: ${PUBLIC_ACCOUNT("true")}`,
      ]);
      const container = one(resourcesOf(label), AZURE.blobContainer);
      expect(check(changed(container, (p) => (p.publicAccess = "Container")))).toEqual([
        `${container.type} ${container.name}: publicAccess is "Container"; set it to "None" or leave it unset`,
      ]);
    },
  );

  test.for(["gke", "eks-gcs", "aks-gcs"])(
    "fires when the %s stack grants its bucket to allAuthenticatedUsers, or allUsers more than reading",
    (label) => {
      const grant = one(resourcesOf(label), GCP.bucketIamMember);
      const at = `${grant.type} ${grant.name}: member is`;
      const message = (m: string) =>
        `${at} "${m}", which makes the bucket public; grant one workload's principal instead`;
      expect(check(changed(grant, (p) => (p.member = "allAuthenticatedUsers")))).toEqual([
        message("allAuthenticatedUsers"),
      ]);
      const writer = changed(grant, (p) => {
        p.member = "allUsers";
        p.role = "roles/storage.objectUser";
      });
      expect(check(writer)).toEqual([message("allUsers")]);
      // allUsers reading objects is an issuer's shape: public-only-for-oidc-issuer refuses it on
      // this unmarked bucket (test/policy/public-only-for-oidc-issuer.ts).
      const reader = changed(grant, (p) => {
        p.member = "allUsers";
        p.role = "roles/storage.objectViewer";
      });
      expect(check(reader)).toEqual([]);
    },
  );

  test('a bucket policy with Principal "*" as a string, or not JSON at all, fires', () => {
    const policy = (document: unknown) =>
      synthetic(AWS.bucketPolicy, "p", { bucket: "b", policy: document });
    expect(
      check(policy({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }] })),
    ).toEqual([`aws:s3/bucketPolicy:BucketPolicy p: ${PUBLIC_POLICY("#1")}`]);
    expect(check(policy("{"))[0]).toMatch(
      /^aws:s3\/bucketPolicy:BucketPolicy p: policy is not valid JSON \(/,
    );
  });

  describe("an OIDC issuer's shape (public-only-for-oidc-issuer checks its marker)", () => {
    const BUCKET = "wi-kind-s3-issuer-bucket-a1b2c3d";
    const ARN = `arn:aws:s3:::${BUCKET}`;
    const DOCS = [`${ARN}/.well-known/openid-configuration`, `${ARN}/openid/v1/jwks`];
    const withStatement = (statement: Record<string, unknown>, bucket = BUCKET) =>
      check(
        synthetic(AWS.bucketPolicy, "p", {
          bucket,
          policy: JSON.stringify({
            Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", ...statement }],
          }),
        }),
      );
    const REFUSED = [`aws:s3/bucketPolicy:BucketPolicy p: ${PUBLIC_POLICY("#1")}`];

    test("a public s3:GetObject on exactly the two documents of its own bucket passes", () => {
      expect(withStatement({ Resource: DOCS })).toEqual([]);
      expect(withStatement({ Resource: DOCS[1], Principal: { AWS: "*" } })).toEqual([]);
      expect(withStatement({ Resource: DOCS, Action: ["S3:GetObject"] })).toEqual([]);
      const china = `arn:aws-cn:s3:::${BUCKET}/openid/v1/jwks`;
      expect(withStatement({ Resource: china })).toEqual([]);
    });

    test.for<[string, Record<string, unknown>]>([
      ["every key", { Resource: `${ARN}/*` }],
      ["the bucket itself", { Resource: ARN }],
      ["another key", { Resource: [...DOCS, `${ARN}/data.csv`] }],
      ["no Resource", {}],
      ["NotResource", { Resource: DOCS, NotResource: `${ARN}/data.csv` }],
      ["listing", { Resource: DOCS, Action: ["s3:GetObject", "s3:ListBucket"] }],
      ["a wildcard action", { Resource: DOCS, Action: "s3:Get*" }],
      ["a write", { Resource: DOCS, Action: "s3:PutObject" }],
      ["NotAction", { Resource: DOCS, Action: undefined, NotAction: "s3:DeleteObject" }],
      ["another bucket's documents", { Resource: DOCS.map((d) => d.replace(BUCKET, "other")) }],
    ])("a public statement on %s is refused", ([, statement]) => {
      expect(withStatement(statement)).toEqual(REFUSED);
    });

    test("a bucket name that is a wildcard never matches", () => {
      const star = ["arn:aws:s3:::*/.well-known/openid-configuration"];
      expect(withStatement({ Resource: star }, "*")).toEqual(REFUSED);
    });

    test("a marked GCS bucket may leave public access prevention to the organisation, never uniform access", () => {
      const marked = (labels: Record<string, string>, ubla = true) =>
        check(
          synthetic(GCP.bucket, "b", {
            uniformBucketLevelAccess: ubla,
            publicAccessPrevention: "inherited",
            labels,
          }),
        );
      expect(marked({ "workload-identity-purpose": "oidc-issuer" })).toEqual([]);
      expect(marked({ "workload-identity-purpose": "oidc-issuer" }, false)).toEqual([
        `${GCP.bucket} b: uniformBucketLevelAccess is false; set it to true (no object ACLs; principal:// members need it)`,
      ]);
      // The marker is a key and its value; another value, or a tag key on GCS, is no marker.
      expect(marked({ "workload-identity-purpose": "data" })).toEqual([
        `${GCP.bucket} b: publicAccessPrevention is "inherited"; set it to "enforced"`,
      ]);
    });

    test("a marked account may allow blob public access; Container access is refused anywhere", () => {
      const account = (tags: Record<string, string>) =>
        check(synthetic(AZURE.storageAccount, "a", { allowBlobPublicAccess: true, tags }));
      expect(account({ "workload-identity-purpose": "oidc-issuer" })).toEqual([]);
      expect(account({ "workload-identity-purpose": "oidc-issuers" })).toEqual([
        `${AZURE.storageAccount} a: ${PUBLIC_ACCOUNT("true")}`,
      ]);
      expect(check(synthetic(AZURE.blobContainer, "c", { publicAccess: "Blob" }))).toEqual([]);
    });
  });

  test("names the one public member among several, and unreadable policyData", () => {
    const binding = synthetic(GCP.bucketIamBinding, "b", {
      role: "roles/storage.objectViewer",
      members: ["serviceAccount:a@p.iam.gserviceaccount.com", "allAuthenticatedUsers"],
    });
    expect(check(binding)).toEqual([
      `${GCP.bucketIamBinding} b: members[1] is "allAuthenticatedUsers", which makes the bucket public; grant one workload's principal instead`,
    ]);
    const broken = synthetic(GCP.bucketIamPolicy, "p", { policyData: "not json" });
    expect(check(broken)[0]).toMatch(/: policyData is not valid JSON \(/);
  });

  test("an API-versioned azure-native module is checked like the default one", () => {
    const container = synthetic("azure-native:storage/v20230501:BlobContainer", "c", {
      publicAccess: "Container",
    });
    expect(check(container)).toEqual([
      'azure-native:storage/v20230501:BlobContainer c: publicAccess is "Container"; set it to "None" or leave it unset',
    ]);
    expect(check(changed(container, (p) => (p.publicAccess = "None")))).toEqual([]);
  });

  const s3Acl = { props: { acl: "public-read" }, messages: [ACL("public-read")] };
  const gcsAcl = {
    props: { roleEntities: ["OWNER:project-owners-1", "READER:allUsers"] },
    messages: [`roleEntities[1] is "READER:allUsers", ${PUBLIC_DATA}`],
  };
  const accessControl = {
    props: { entity: "allAuthenticatedUsers", role: "READER" },
    messages: [`entity is "allAuthenticatedUsers", ${PUBLIC_DATA}`],
  };
  const publicMember = (path: string, member: string) =>
    `${path} is "${member}", which makes the bucket public; grant one workload's principal instead`;
  firesOnEveryType(noPublicBuckets, {
    [AWS.publicAccessBlock]: {
      props: { blockPublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      messages: [`ignorePublicAcls is unset; ${FLAGS}`],
    },
    [AWS.bucket]: s3Acl,
    [AWS.bucketV2]: s3Acl,
    [AWS.bucketAcl]: {
      props: { acl: "authenticated-read" },
      messages: [ACL("authenticated-read")],
    },
    [AWS.bucketAclV2]: {
      props: { acl: "public-read-write" },
      messages: [ACL("public-read-write")],
    },
    [AWS.bucketPolicy]: {
      props: {
        policy: JSON.stringify({
          Statement: [{ Sid: "Open", Effect: "Allow", Principal: { AWS: ["*"] }, Action: "s3:*" }],
        }),
      },
      messages: [PUBLIC_POLICY('"Open"')],
    },
    [GCP.bucket]: {
      props: { uniformBucketLevelAccess: true },
      messages: ['publicAccessPrevention is unset; set it to "enforced"'],
    },
    [GCP.bucketIamMember]: {
      props: { role: "roles/storage.objectViewer", member: "allAuthenticatedUsers" },
      messages: [publicMember("member", "allAuthenticatedUsers")],
    },
    [GCP.bucketIamBinding]: {
      props: { role: "roles/storage.objectCreator", members: ["allUsers"] },
      messages: [publicMember("members[0]", "allUsers")],
    },
    [GCP.bucketIamPolicy]: {
      props: {
        policyData: JSON.stringify({
          bindings: [{ role: "roles/storage.objectViewer", members: ["allAuthenticatedUsers"] }],
        }),
      },
      messages: [publicMember("policyData.bindings[0].members[0]", "allAuthenticatedUsers")],
    },
    [GCP.bucketAccessControl]: accessControl,
    [GCP.defaultObjectAccessControl]: accessControl,
    [GCP.objectAccessControl]: accessControl,
    [GCP.bucketAcl]: gcsAcl,
    [GCP.defaultObjectAcl]: gcsAcl,
    [GCP.objectAcl]: gcsAcl,
    [AZURE.storageAccount]: {
      props: { kind: "StorageV2" },
      messages: [PUBLIC_ACCOUNT("unset")],
    },
    [AZURE.blobContainer]: {
      props: { publicAccess: "Container" },
      messages: ['publicAccess is "Container"; set it to "None" or leave it unset'],
    },
  });
});
