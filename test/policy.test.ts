/**
 * The policy pack's rules as plain functions, against what our own program registers under mocks:
 * every rule stays quiet on every stack that evaluates today (stack files, plus the IRSA variant
 * of dev), and fires, with its exact message, when one recorded resource is changed the way a
 * careless edit would change it. The gke and aks stacks are covered the same way once they
 * evaluate (skipped while their cloud throws "not implemented"); shapes the program never
 * registers (IAM policies on a project, ACLs, Secrets, key resources) use hand-written inputs
 * shaped like the facts file.
 *
 * What this cannot prove: that CrossGuard hands the rules these exact inputs (the engine's
 * checked inputs may carry provider defaults), or how they behave on values unknown during a
 * preview (there CrossGuard reports the policy as advisory and enforces it during `up`).
 * test/policy-crossguard.test.ts covers the wiring into CrossGuard.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { evaluate, readStackFile, stackNames } from "../offline/evaluate";
import { installMocks, settle, type Recorded } from "../offline/mocks";
import {
  AWS,
  AZURE,
  broadManagedPolicy,
  checkAll,
  GCP,
  K8S,
  noBroadManagedPolicies,
  noBroadStorageGrants,
  noPublicBuckets,
  noStaticCloudCredentials,
  noWildcardIam,
  podSecurityRestricted,
  resourceMessages,
  RULES,
  stackViolations,
  s3BucketHasPublicAccessBlock,
  trustOneServiceAccount,
  type PolicyResource,
} from "../policy/rules";

const rec = installMocks();

/** A recorded registration in the rules' neutral shape (what CrossGuard would hand them). */
function toPolicyResource(r: Recorded): PolicyResource {
  return { type: r.type, name: r.name, urn: r.urn, props: r.inputs, dependencies: r.dependencies };
}

interface Variant {
  readonly label: string;
  readonly stack: string;
  readonly config: Record<string, string>;
}

const VARIANTS: Variant[] = [
  ...stackNames().map((stack) => ({ label: stack, stack, config: readStackFile(stack) })),
  {
    label: "dev (irsa)",
    stack: "dev",
    config: { ...readStackFile("dev"), "workload-identity:awsMechanism": "irsa" },
  },
];

/** Stacks whose cloud is still being written are skipped, not failed. */
const NOT_YET = /not supported yet|not implemented/;

type Run =
  | { readonly label: string; readonly resources: PolicyResource[] }
  | { readonly label: string; readonly skipped: string };

const runs: Run[] = [];

beforeAll(async () => {
  for (const v of VARIANTS) {
    try {
      await evaluate(rec, v.stack, v.config);
      runs.push({ label: v.label, resources: rec.resources.map(toPolicyResource) });
    } catch (e) {
      await settle();
      const message = e instanceof Error ? e.message : String(e);
      if (!NOT_YET.test(message)) throw e;
      runs.push({ label: v.label, skipped: message });
    }
  }
});

function resourcesOf(label: string): PolicyResource[] {
  const run = runs.find((r) => r.label === label);
  if (!run || !("resources" in run)) throw new Error(`stack ${label} did not evaluate`);
  return run.resources;
}

/**
 * The one resource of `type` that stack `label` records, for tests that change a GKE or AKS
 * resource: skipped while that stack's cloud is not implemented yet.
 */
function recordedIn(
  label: string,
  type: string,
  ctx: { skip: (note?: string) => never },
): PolicyResource {
  const run = runs.find((r) => r.label === label);
  if (!run || !("resources" in run)) ctx.skip(`stack ${label} is not evaluated yet`);
  return one(resourcesOf(label), type);
}

/** The one recorded resource of `type` (whose name ends with `suffix`). */
function one(resources: PolicyResource[], type: string, suffix = ""): PolicyResource {
  const found = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} *${suffix}, got ${found.length}`);
  return found[0];
}

/** A copy of `r` with its props changed by `edit` (the recording is left alone). */
function changed(r: PolicyResource, edit: (props: any) => void): PolicyResource {
  const props = structuredClone(r.props) as any;
  edit(props);
  return { ...r, props };
}

/** A copy of `r` whose JSON policy document at `key` is changed by `edit`. */
function changedDocument(r: PolicyResource, key: string, edit: (doc: any) => void) {
  return changed(r, (p) => {
    const doc = JSON.parse(p[key]);
    edit(doc);
    p[key] = JSON.stringify(doc);
  });
}

const synthetic = (type: string, name: string, props: Record<string, unknown>): PolicyResource => ({
  type,
  name,
  props,
});

describe.each(VARIANTS)("stack $label", ({ label }) => {
  test.for(RULES.map((r) => [r.name, r] as const))(
    "%s stays quiet on what the program registers",
    ([, rule], ctx) => {
      const run = runs.find((r) => r.label === label);
      if (run && "skipped" in run) ctx.skip(`not evaluated yet: ${run.skipped}`);
      const resources = resourcesOf(label);
      const found =
        rule.kind === "resource"
          ? resources.flatMap((r) => resourceMessages(rule, r))
          : stackViolations(rule, resources).map((v) => v.message);
      expect(found).toEqual([]);
    },
  );
});

describe("the quiet cases are not vacuous", () => {
  test("dev registers what the AWS and Kubernetes rules guard", () => {
    const types = new Set(resourcesOf("dev").map((r) => r.type));
    for (const t of [
      AWS.bucket,
      AWS.publicAccessBlock,
      AWS.bucketPolicy,
      AWS.policy,
      AWS.role,
      AWS.rolePolicyAttachment,
      K8S.deployment,
      K8S.job,
    ]) {
      expect(types, t).toContain(t);
    }
    // And nothing at all fires across the pack.
    expect(checkAll(resourcesOf("dev"))).toEqual([]);
    expect(checkAll(resourcesOf("dev (irsa)"))).toEqual([]);
  });
});

describe("the quiet cases on gke and aks see what the GCP and Azure rules guard", () => {
  test.for([
    ["gke", [GCP.bucket, GCP.bucketIamMember, GCP.projectIamMember, K8S.deployment, K8S.job]],
    [
      "aks",
      [
        AZURE.storageAccount,
        AZURE.blobContainer,
        AZURE.roleAssignment,
        AZURE.federatedIdentityCredential,
        K8S.deployment,
        K8S.job,
      ],
    ],
  ] as const)("%s", ([label, guarded], ctx) => {
    const run = runs.find((r) => r.label === label);
    if (!run || !("resources" in run)) ctx.skip(`stack ${label} is not evaluated yet`);
    const types = new Set(resourcesOf(label).map((r) => r.type));
    for (const t of guarded) expect(types, t).toContain(t);
  });
});

describe("no-public-buckets", () => {
  const dev = () => resourcesOf("dev");
  const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock wi-dev-storage-public-access";

  test("fires when one public-access flag is turned off or dropped", () => {
    const pab = one(dev(), AWS.publicAccessBlock);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(pab, (p) => (p.blockPublicPolicy = false)),
      ),
    ).toEqual([
      `${PAB}: blockPublicPolicy is false; set all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true`,
    ]);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(pab, (p) => delete p.restrictPublicBuckets),
      ),
    ).toEqual([
      `${PAB}: restrictPublicBuckets is unset; set all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true`,
    ]);
  });

  test("fires on a public canned ACL", () => {
    const bucket = one(dev(), AWS.bucket);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(bucket, (p) => (p.acl = "public-read")),
      ),
    ).toEqual([
      'aws:s3/bucket:Bucket wi-dev-storage-bucket: acl is "public-read", which opens the bucket to others; remove it (BucketOwnerEnforced ownership disables ACLs)',
    ]);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(bucket, (p) => (p.acl = "private")),
      ),
    ).toEqual([]);
  });

  test("fires when the bucket policy allows everyone; its Deny on non-TLS requests is fine", () => {
    const policy = one(dev(), AWS.bucketPolicy);
    const allow = changedDocument(policy, "policy", (d) => (d.Statement[0].Effect = "Allow"));
    expect(resourceMessages(noPublicBuckets, allow)).toEqual([
      'aws:s3/bucketPolicy:BucketPolicy wi-dev-storage-tls-only: policy statement "DenyInsecureTransport" allows Principal "*" (anyone); grant named roles instead',
    ]);
  });

  test("fires on a GCS bucket without uniform access and enforced public access prevention", () => {
    const bucket = synthetic(GCP.bucket, "wi-gke-storage-bucket", {
      uniformBucketLevelAccess: false,
      publicAccessPrevention: "inherited",
    });
    expect(resourceMessages(noPublicBuckets, bucket)).toEqual([
      "gcp:storage/bucket:Bucket wi-gke-storage-bucket: uniformBucketLevelAccess is false; set it to true (no object ACLs; principal:// members need it)",
      'gcp:storage/bucket:Bucket wi-gke-storage-bucket: publicAccessPrevention is "inherited"; set it to "enforced"',
    ]);
    const fixed = changed(bucket, (p) => {
      p.uniformBucketLevelAccess = true;
      p.publicAccessPrevention = "enforced";
    });
    expect(resourceMessages(noPublicBuckets, fixed)).toEqual([]);
  });

  test("fires when the gke stack's bucket stops enforcing public access prevention", (ctx) => {
    const bucket = recordedIn("gke", GCP.bucket, ctx);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(bucket, (p) => (p.publicAccessPrevention = "inherited")),
      ),
    ).toEqual([
      `${bucket.type} ${bucket.name}: publicAccessPrevention is "inherited"; set it to "enforced"`,
    ]);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(bucket, (p) => delete p.uniformBucketLevelAccess),
      ),
    ).toEqual([
      `${bucket.type} ${bucket.name}: uniformBucketLevelAccess is unset; set it to true (no object ACLs; principal:// members need it)`,
    ]);
  });

  test("fires when the aks stack's storage account allows blob public access", (ctx) => {
    const account = recordedIn("aks", AZURE.storageAccount, ctx);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(account, (p) => (p.allowBlobPublicAccess = true)),
      ),
    ).toEqual([`${account.type} ${account.name}: allowBlobPublicAccess is true; set it to false`]);
    const container = recordedIn("aks", AZURE.blobContainer, ctx);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(container, (p) => (p.publicAccess = "Container")),
      ),
    ).toEqual([
      `${container.type} ${container.name}: publicAccess is "Container"; set it to "None" or leave it unset`,
    ]);
  });

  test("fires on allUsers / allAuthenticatedUsers in a bucket's IAM or ACLs", () => {
    expect(
      resourceMessages(
        noPublicBuckets,
        synthetic(GCP.bucketIamMember, "public", {
          bucket: "b",
          role: "roles/storage.objectViewer",
          member: "allUsers",
        }),
      ),
    ).toEqual([
      `gcp:storage/bucketIAMMember:BucketIAMMember public: member is "allUsers", which makes the bucket public; grant one workload's principal instead`,
    ]);
    expect(
      resourceMessages(
        noPublicBuckets,
        synthetic(GCP.bucketIamPolicy, "policy", {
          bucket: "b",
          policyData: JSON.stringify({
            bindings: [{ role: "roles/storage.objectViewer", members: ["allAuthenticatedUsers"] }],
          }),
        }),
      ),
    ).toEqual([
      `gcp:storage/bucketIAMPolicy:BucketIAMPolicy policy: policyData.bindings[0].members[0] is "allAuthenticatedUsers", which makes the bucket public; grant one workload's principal instead`,
    ]);
    expect(
      resourceMessages(
        noPublicBuckets,
        synthetic(GCP.bucketAcl, "acl", { bucket: "b", roleEntities: ["READER:allUsers"] }),
      ),
    ).toEqual([
      'gcp:storage/bucketACL:BucketACL acl: roleEntities[0] is "READER:allUsers", which makes the data public; remove it (uniform bucket-level access disables ACLs)',
    ]);
  });

  test("fires on an Azure storage account that allows blob public access, or a public container", () => {
    const account = synthetic(AZURE.storageAccount, "wi-aks-storage-account", {
      kind: "StorageV2",
      minimumTlsVersion: "TLS1_2",
    });
    expect(resourceMessages(noPublicBuckets, account)).toEqual([
      "azure-native:storage:StorageAccount wi-aks-storage-account: allowBlobPublicAccess is unset; set it to false",
    ]);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(account, (p) => (p.allowBlobPublicAccess = false)),
      ),
    ).toEqual([]);
    const container = synthetic("azure-native:storage/v20230501:BlobContainer", "c", {
      publicAccess: "Blob",
    });
    expect(resourceMessages(noPublicBuckets, container)).toEqual([
      'azure-native:storage/v20230501:BlobContainer c: publicAccess is "Blob"; set it to "None" or leave it unset',
    ]);
    expect(
      resourceMessages(
        noPublicBuckets,
        changed(container, (p) => (p.publicAccess = "None")),
      ),
    ).toEqual([]);
  });
});

describe("s3-bucket-has-public-access-block", () => {
  test("fires, on the bucket, when the stack has no public-access block for it", () => {
    const resources = resourcesOf("dev").filter((r) => r.type !== AWS.publicAccessBlock);
    const bucket = one(resources, AWS.bucket);
    expect(stackViolations(s3BucketHasPublicAccessBlock, resources)).toEqual([
      {
        message:
          "aws:s3/bucket:Bucket wi-dev-storage-bucket: no aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock names this bucket; add one with bucket: <this bucket>.id and all four flags true",
        urn: bucket.urn,
      },
    ]);
  });

  test("a block made from another bucket does not count; one naming the bucket literally does", () => {
    const dev = resourcesOf("dev");
    const named = synthetic(AWS.bucket, "logs", { bucket: "my-logs" });
    const withLogs = [...dev, { ...named, urn: "urn:logs" }];
    expect(stackViolations(s3BucketHasPublicAccessBlock, withLogs).map((v) => v.urn)).toEqual([
      "urn:logs",
    ]);
    const literal = synthetic(AWS.publicAccessBlock, "logs-pab", { bucket: "my-logs" });
    expect(stackViolations(s3BucketHasPublicAccessBlock, [...withLogs, literal])).toEqual([]);
  });
});

describe("no-wildcard-iam", () => {
  const dev = () => resourcesOf("dev");
  const READ = "aws:iam/policy:Policy wi-dev-storage-read: policy statement";

  test("fires on a wildcard action or resource in an Allow statement", () => {
    const read = one(dev(), AWS.policy);
    const wildAction = changedDocument(read, "policy", (d) => (d.Statement[1].Action = "s3:*"));
    expect(resourceMessages(noWildcardIam, wildAction)).toEqual([
      `${READ} "GetObjects" (Allow) has wildcard action "s3:*"; list the exact actions it needs`,
    ]);
    const wildResource = changedDocument(read, "policy", (d) => (d.Statement[0].Resource = "*"));
    expect(resourceMessages(noWildcardIam, wildResource)).toEqual([
      `${READ} "ListBucket" (Allow) has wildcard resource "*"; name the exact ARNs`,
    ]);
    const everyBucket = changedDocument(read, "policy", (d) => {
      d.Statement[1].Resource = "arn:aws:s3:::*/*";
    });
    expect(resourceMessages(noWildcardIam, everyBucket)).toEqual([
      `${READ} "GetObjects" (Allow) has wildcard resource "arn:aws:s3:::*/*"; name the exact ARNs`,
    ]);
  });

  test("fires on NotAction and NotResource in an Allow statement", () => {
    const read = one(dev(), AWS.policy);
    const notAction = changedDocument(read, "policy", (d) => {
      delete d.Statement[0].Action;
      d.Statement[0].NotAction = ["iam:*"];
    });
    expect(resourceMessages(noWildcardIam, notAction)).toEqual([
      `${READ} "ListBucket" (Allow) uses NotAction ["iam:*"], which allows everything else; list the allowed actions instead`,
    ]);
  });

  test("a Deny statement may use wildcards (as the bucket's TLS-only policy does)", () => {
    const read = one(dev(), AWS.policy);
    const deny = changedDocument(read, "policy", (d) =>
      d.Statement.push({ Effect: "Deny", Action: "s3:*", Resource: "*" }),
    );
    expect(resourceMessages(noWildcardIam, deny)).toEqual([]);
  });

  test("checks a role's inline policies too", () => {
    const role = one(dev(), AWS.role, "-binding-role");
    const inline = changed(role, (p) => {
      p.inlinePolicies = [
        {
          name: "everything",
          policy: JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
        },
      ];
    });
    expect(resourceMessages(noWildcardIam, inline)).toEqual([
      'aws:iam/role:Role wi-dev-binding-role: inlinePolicies[0].policy statement #1 (Allow) has wildcard action "*"; list the exact actions it needs',
      'aws:iam/role:Role wi-dev-binding-role: inlinePolicies[0].policy statement #1 (Allow) has wildcard resource "*"; name the exact ARNs',
    ]);
  });

  test("fires on a RolePolicy whose document is not JSON", () => {
    const broken = synthetic(AWS.rolePolicy, "broken", { role: "r", policy: "{" });
    expect(resourceMessages(noWildcardIam, broken)[0]).toMatch(
      /^aws:iam\/rolePolicy:RolePolicy broken: policy is not valid JSON \(/,
    );
  });
});

describe("no-broad-managed-policies", () => {
  test("fires when the binding's role gets AmazonS3ReadOnlyAccess instead of the bucket's policy", () => {
    const attachment = one(resourcesOf("dev"), AWS.rolePolicyAttachment, "-binding-read");
    const broad = changed(
      attachment,
      (p) => (p.policyArn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"),
    );
    expect(resourceMessages(noBroadManagedPolicies, broad)).toEqual([
      'aws:iam/rolePolicyAttachment:RolePolicyAttachment wi-dev-binding-read: policyArn is "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", the AWS-managed AmazonS3ReadOnlyAccess policy, which reaches far beyond one bucket; attach a customer-managed policy scoped to the bucket (e.g. BucketWithPolicy.readPolicyArn)',
    ]);
  });

  test("fires on AdministratorAccess in a role's managedPolicyArns", () => {
    const role = one(resourcesOf("dev"), AWS.role, "-cluster-node");
    const admin = changed(
      role,
      (p) => (p.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"]),
    );
    expect(resourceMessages(noBroadManagedPolicies, admin)).toEqual([
      'aws:iam/role:Role wi-dev-cluster-node: managedPolicyArns[0] is "arn:aws:iam::aws:policy/AdministratorAccess", the AWS-managed AdministratorAccess policy, which reaches far beyond one bucket; attach a customer-managed policy scoped to the bucket (e.g. BucketWithPolicy.readPolicyArn)',
    ]);
  });

  test("tells read-everything and admin policies from the EKS ones the cluster needs", () => {
    const verdicts = Object.fromEntries(
      [
        "AdministratorAccess",
        "PowerUserAccess",
        "ReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonS3FullAccess",
        "IAMFullAccess",
        "AmazonEKSClusterPolicy",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEC2ContainerRegistryReadOnly",
      ].map((n) => [n, broadManagedPolicy(`arn:aws:iam::aws:policy/${n}`) !== undefined]),
    );
    expect(verdicts).toEqual({
      AdministratorAccess: true,
      PowerUserAccess: true,
      ReadOnlyAccess: true,
      AmazonS3ReadOnlyAccess: true,
      AmazonS3FullAccess: true,
      IAMFullAccess: true,
      AmazonEKSClusterPolicy: false,
      AmazonEKSWorkerNodePolicy: false,
      AmazonEKS_CNI_Policy: false,
      AmazonEC2ContainerRegistryPullOnly: false,
      AmazonEC2ContainerRegistryReadOnly: false,
    });
    // A customer-managed policy of the same name is the customer's own, scoped as they wrote it.
    expect(broadManagedPolicy("arn:aws:iam::123456789012:policy/ReadOnlyAccess")).toBeUndefined();
    expect(broadManagedPolicy("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess")).toBe(
      undefined,
    );
    expect(broadManagedPolicy("arn:aws-us-gov:iam::aws:policy/AdministratorAccess")).toBe(
      "AdministratorAccess",
    );
  });
});

describe("trust-one-service-account", () => {
  const POD_IDENTITY =
    'aws:iam/role:Role wi-dev-binding-role: assumeRolePolicy statement "EksPodIdentity" (pods.eks.amazonaws.com)';
  const WEB_IDENTITY =
    'aws:iam/role:Role wi-dev-binding-role: assumeRolePolicy statement "KubernetesServiceAccount" (web identity)';
  const HOST = "oidc.eks.eu-north-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  const podIdentityRole = () => one(resourcesOf("dev"), AWS.role, "-binding-role");
  const irsaRole = () => one(resourcesOf("dev (irsa)"), AWS.role, "-binding-role");

  test("Pod Identity: fires when the namespace condition is dropped", () => {
    const role = changedDocument(podIdentityRole(), "assumeRolePolicy", (d) => {
      delete d.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"];
    });
    expect(resourceMessages(trustOneServiceAccount, role)).toEqual([
      `${POD_IDENTITY} has no StringEquals condition on aws:RequestTag/kubernetes-namespace, so any association can use the role; add it with the one value the pods run as`,
    ]);
  });

  test("Pod Identity: fires on StringLike or a wildcard for the ServiceAccount", () => {
    const like = changedDocument(podIdentityRole(), "assumeRolePolicy", (d) => {
      const c = d.Statement[0].Condition;
      c.StringLike = { "aws:RequestTag/kubernetes-service-account": "demo" };
      delete c.StringEquals["aws:RequestTag/kubernetes-service-account"];
    });
    expect(resourceMessages(trustOneServiceAccount, like)).toEqual([
      `${POD_IDENTITY} conditions aws:RequestTag/kubernetes-service-account with StringLike; use StringEquals with the one value the pods run as`,
    ]);
    const wildcard = changedDocument(podIdentityRole(), "assumeRolePolicy", (d) => {
      d.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"] = "demo-*";
    });
    expect(resourceMessages(trustOneServiceAccount, wildcard)).toEqual([
      `${POD_IDENTITY} StringEquals aws:RequestTag/kubernetes-service-account is "demo-*", a wildcard; name the one value the pods run as`,
    ]);
  });

  test("IRSA: fires on a wildcard subject, a StringLike subject, or no audience", () => {
    const wildcard = changedDocument(irsaRole(), "assumeRolePolicy", (d) => {
      d.Statement[0].Condition.StringEquals[`${HOST}:sub`] = "system:serviceaccount:demo:*";
    });
    expect(resourceMessages(trustOneServiceAccount, wildcard)).toEqual([
      `${WEB_IDENTITY} StringEquals ${HOST}:sub is "system:serviceaccount:demo:*", a wildcard; name one system:serviceaccount:<namespace>:<serviceaccount>`,
    ]);
    const like = changedDocument(irsaRole(), "assumeRolePolicy", (d) => {
      const c = d.Statement[0].Condition;
      c.StringLike = { [`${HOST}:sub`]: "system:serviceaccount:*" };
      delete c.StringEquals[`${HOST}:sub`];
    });
    expect(resourceMessages(trustOneServiceAccount, like)).toEqual([
      `${WEB_IDENTITY} conditions ${HOST}:sub with StringLike; use StringEquals with one exact value`,
      `${WEB_IDENTITY} has no StringEquals condition on ${HOST}:sub, so any ServiceAccount of the cluster can assume the role; add it with system:serviceaccount:<namespace>:<serviceaccount>`,
    ]);
    const noAudience = changedDocument(irsaRole(), "assumeRolePolicy", (d) => {
      delete d.Statement[0].Condition.StringEquals[`${HOST}:aud`];
    });
    expect(resourceMessages(trustOneServiceAccount, noAudience)).toEqual([
      `${WEB_IDENTITY} has no StringEquals condition on ${HOST}:aud; add it with the token's audience (sts.amazonaws.com)`,
    ]);
  });

  test("fires on a role anyone may assume", () => {
    const role = changedDocument(podIdentityRole(), "assumeRolePolicy", (d) => {
      d.Statement.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" });
    });
    expect(resourceMessages(trustOneServiceAccount, role)).toEqual([
      'aws:iam/role:Role wi-dev-binding-role: assumeRolePolicy statement #2 trusts Principal "*" (anyone); trust one service or federated provider',
    ]);
  });

  test("Azure: fires on a wildcard subject or an extra audience on a federated credential", () => {
    const fic = synthetic(AZURE.federatedIdentityCredential, "wi-aks-binding-fic", {
      issuer: "https://eastus.oic.prod-aks.azure.com/tenant/cluster/",
      subject: "system:serviceaccount:demo:demo",
      audiences: ["api://AzureADTokenExchange"],
    });
    expect(resourceMessages(trustOneServiceAccount, fic)).toEqual([]);
    const loose = changed(fic, (p) => {
      p.subject = "system:serviceaccount:demo:*";
      p.audiences = ["api://AzureADTokenExchange", "sts.amazonaws.com"];
    });
    expect(resourceMessages(trustOneServiceAccount, loose)).toEqual([
      'azure-native:managedidentity:FederatedIdentityCredential wi-aks-binding-fic: subject is "system:serviceaccount:demo:*"; name one system:serviceaccount:<namespace>:<serviceaccount>, without wildcards',
      'azure-native:managedidentity:FederatedIdentityCredential wi-aks-binding-fic: audiences is ["api://AzureADTokenExchange","sts.amazonaws.com"]; set it to ["api://AzureADTokenExchange"]',
    ]);
  });

  test("AKS: fires when the recorded federated credential trusts a whole namespace", (ctx) => {
    const fic = recordedIn("aks", AZURE.federatedIdentityCredential, ctx);
    expect(
      resourceMessages(
        trustOneServiceAccount,
        changed(fic, (p) => (p.subject = "system:serviceaccount:demo:*")),
      ),
    ).toEqual([
      `${fic.type} ${fic.name}: subject is "system:serviceaccount:demo:*"; name one system:serviceaccount:<namespace>:<serviceaccount>, without wildcards`,
    ]);
  });

  test("GKE: fires when the recorded bucket grant goes to a principalSet", (ctx) => {
    const grant = recordedIn("gke", GCP.bucketIamMember, ctx);
    const set = String(grant.props.member)
      .replace("principal://", "principalSet://")
      .replace(/\/subject\/.*$/, "/namespace/demo");
    expect(
      resourceMessages(
        trustOneServiceAccount,
        changed(grant, (p) => (p.member = set)),
      ),
    ).toEqual([
      `${grant.type} ${grant.name}: member "${set}" grants a whole set of identities (principalSet://); grant one principal://…/subject/<subject> instead`,
    ]);
  });

  test("GCP: one principal:// subject is fine; principalSet:// fires", () => {
    const pool =
      "principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools";
    const member = (m: string) =>
      synthetic(GCP.bucketIamMember, "wi-gke-binding-read", {
        bucket: "b",
        role: "roles/storage.objectViewer",
        member: m,
      });
    expect(
      resourceMessages(
        trustOneServiceAccount,
        member(`${pool}/p.svc.id.goog/subject/ns/demo/sa/demo`),
      ),
    ).toEqual([]);
    expect(
      resourceMessages(
        trustOneServiceAccount,
        member(`${pool}/pool-1/subject/system:serviceaccount:demo:demo`),
      ),
    ).toEqual([]);
    const set =
      "principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/p.svc.id.goog/namespace/demo";
    expect(resourceMessages(trustOneServiceAccount, member(set))).toEqual([
      `gcp:storage/bucketIAMMember:BucketIAMMember wi-gke-binding-read: member "${set}" grants a whole set of identities (principalSet://); grant one principal://…/subject/<subject> instead`,
    ]);
  });
});

describe("no-broad-storage-grants", () => {
  test("GKE: fires when the recorded project grant becomes a storage role", (ctx) => {
    const grant = recordedIn("gke", GCP.projectIamMember, ctx);
    expect(
      resourceMessages(
        noBroadStorageGrants,
        changed(grant, (p) => (p.role = "roles/storage.objectViewer")),
      ),
    ).toEqual([
      `${grant.type} ${grant.name}: role "roles/storage.objectViewer" is granted on the whole project; grant it on the bucket with gcp:storage/bucketIAMMember`,
    ]);
  });

  test("AKS: fires when the recorded role assignment moves up to the resource group", (ctx) => {
    const assignment = recordedIn("aks", AZURE.roleAssignment, ctx);
    const group = String(assignment.props.scope).split("/providers/")[0];
    expect(
      resourceMessages(
        noBroadStorageGrants,
        changed(assignment, (p) => (p.scope = group)),
      ),
    ).toEqual([
      `${assignment.type} ${assignment.name}: scope is "${group}", above the storage account, for Storage Blob Data Reader; scope it to the container (BlobContainer.id) or the storage account`,
    ]);
  });

  test("GCP: fires on a storage role granted on the whole project", () => {
    const grant = synthetic(GCP.projectIamMember, "wi-gke-read", {
      project: "my-project",
      role: "roles/storage.objectViewer",
      member: "serviceAccount:reader@my-project.iam.gserviceaccount.com",
    });
    expect(resourceMessages(noBroadStorageGrants, grant)).toEqual([
      'gcp:projects/iAMMember:IAMMember wi-gke-read: role "roles/storage.objectViewer" is granted on the whole project; grant it on the bucket with gcp:storage/bucketIAMMember',
    ]);
    const policy = synthetic(GCP.projectIamPolicy, "wi-gke-policy", {
      project: "my-project",
      policyData: JSON.stringify({
        bindings: [
          {
            role: "roles/logging.logWriter",
            members: ["serviceAccount:a@p.iam.gserviceaccount.com"],
          },
          { role: "roles/storage.admin", members: ["user:a@example.com", "user:b@example.com"] },
        ],
      }),
    });
    expect(resourceMessages(noBroadStorageGrants, policy)).toEqual([
      'gcp:projects/iAMPolicy:IAMPolicy wi-gke-policy: policyData.bindings[1].role "roles/storage.admin" is granted on the whole project; grant it on the bucket with gcp:storage/bucketIAMMember',
    ]);
    // The same role on the bucket is what the rule asks for.
    expect(
      resourceMessages(noBroadStorageGrants, {
        ...grant,
        type: GCP.bucketIamMember,
        props: { ...grant.props, bucket: "b" },
      }),
    ).toEqual([]);
  });

  test("Azure: fires on a storage data role at the resource group; container scope is fine", () => {
    const assignment = synthetic(AZURE.roleAssignment, "wi-aks-binding-read", {
      principalId: "00000000-0000-0000-0000-000000000001",
      principalType: "ServicePrincipal",
      roleDefinitionId:
        "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
      scope: "/subscriptions/sub/resourceGroups/rg",
    });
    expect(resourceMessages(noBroadStorageGrants, assignment)).toEqual([
      'azure-native:authorization:RoleAssignment wi-aks-binding-read: scope is "/subscriptions/sub/resourceGroups/rg", above the storage account, for Storage Blob Data Reader; scope it to the container (BlobContainer.id) or the storage account',
    ]);
    const container = changed(assignment, (p) => {
      p.scope =
        "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acc/blobServices/default/containers/c";
    });
    expect(resourceMessages(noBroadStorageGrants, container)).toEqual([]);
    // Reader on the resource group is not a data role: other rules' business, not this one's.
    const reader = changed(assignment, (p) => {
      p.roleDefinitionId =
        "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";
    });
    expect(resourceMessages(noBroadStorageGrants, reader)).toEqual([]);
  });
});

describe("pod-security-restricted", () => {
  const SHELL = "kubernetes:apps/v1:Deployment wi-dev-demo-shell";
  const VERIFY = "kubernetes:batch/v1:Job wi-dev-demo-verify";
  const shell = () => one(resourcesOf("dev"), K8S.deployment);
  const verify = () => one(resourcesOf("dev"), K8S.job, "-verify");

  test("fires on a host namespace or a hostPath volume", () => {
    expect(
      resourceMessages(
        podSecurityRestricted,
        changed(shell(), (p) => (p.spec.template.spec.hostNetwork = true)),
      ),
    ).toEqual([
      `${SHELL}: spec.template.spec.hostNetwork is true; remove it (restricted pods share no host namespace)`,
    ]);
    const hostPath = changed(verify(), (p) =>
      p.spec.template.spec.volumes.push({ name: "docker", hostPath: { path: "/var/run" } }),
    );
    expect(resourceMessages(podSecurityRestricted, hostPath)).toEqual([
      `${VERIFY}: spec.template.spec.volumes[1] ("docker") is a hostPath volume; use an emptyDir, configMap, secret or projected volume`,
    ]);
  });

  test("fires on root: no runAsNonRoot, or UID 0", () => {
    const root = changed(verify(), (p) => delete p.spec.template.spec.securityContext.runAsNonRoot);
    expect(resourceMessages(podSecurityRestricted, root)).toEqual([
      `${VERIFY}: spec.template.spec.containers[0].securityContext.runAsNonRoot is unset and spec.template.spec.securityContext.runAsNonRoot is unset; set runAsNonRoot: true on the pod (and no false on a container)`,
    ]);
    const uid0 = changed(
      verify(),
      (p) => (p.spec.template.spec.containers[0].securityContext.runAsUser = 0),
    );
    expect(resourceMessages(podSecurityRestricted, uid0)).toEqual([
      `${VERIFY}: spec.template.spec.containers[0].securityContext.runAsUser is 0 (root); set a non-zero UID, e.g. 1000`,
    ]);
  });

  test("fires on escalation, privilege, capabilities and seccomp, container by container", () => {
    const loose = changed(shell(), (p) => {
      const ctx = p.spec.template.spec.containers[0].securityContext;
      ctx.allowPrivilegeEscalation = true;
      ctx.privileged = true;
      ctx.capabilities = { add: ["NET_BIND_SERVICE", "SYS_ADMIN"] };
      ctx.seccompProfile = { type: "Unconfined" };
    });
    const c = `${SHELL}: spec.template.spec.containers[0].securityContext`;
    expect(resourceMessages(podSecurityRestricted, loose)).toEqual([
      `${c}.seccompProfile.type is "Unconfined" and spec.template.spec.securityContext.seccompProfile.type is "RuntimeDefault"; set spec.template.spec.securityContext.seccompProfile.type to "RuntimeDefault" (or "Localhost")`,
      `${c}.allowPrivilegeEscalation is true; set it to false`,
      `${c}.privileged is true; remove it`,
      `${c}.capabilities.drop is unset; set it to ["ALL"]`,
      `${c}.capabilities.add is ["NET_BIND_SERVICE","SYS_ADMIN"]; add nothing but NET_BIND_SERVICE`,
    ]);
    const netBind = changed(shell(), (p) => {
      p.spec.template.spec.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE"];
    });
    expect(resourceMessages(podSecurityRestricted, netBind)).toEqual([]);
  });

  test("checks init containers, and the pod specs of Pods and CronJobs", () => {
    const init = changed(verify(), (p) => {
      p.spec.template.spec.initContainers = [{ name: "setup", image: "busybox" }];
    });
    const i = `${VERIFY}: spec.template.spec.initContainers[0].securityContext`;
    expect(resourceMessages(podSecurityRestricted, init)).toEqual([
      `${i}.allowPrivilegeEscalation is unset; set it to false`,
      `${i}.capabilities.drop is unset; set it to ["ALL"]`,
    ]);
    const template = verify().props.spec as any;
    const pod = synthetic(K8S.pod, "pod", { spec: { ...template.template.spec, hostIPC: true } });
    expect(resourceMessages(podSecurityRestricted, pod)).toEqual([
      "kubernetes:core/v1:Pod pod: spec.hostIPC is true; remove it (restricted pods share no host namespace)",
    ]);
    const cron = synthetic(K8S.cronJob, "cron", {
      spec: {
        schedule: "@daily",
        jobTemplate: {
          spec: { ...template, template: { spec: { ...template.template.spec, hostPID: true } } },
        },
      },
    });
    expect(resourceMessages(podSecurityRestricted, cron)).toEqual([
      "kubernetes:batch/v1:CronJob cron: spec.jobTemplate.spec.template.spec.hostPID is true; remove it (restricted pods share no host namespace)",
    ]);
  });
});

describe("no-static-cloud-credentials", () => {
  const VERIFY = "kubernetes:batch/v1:Job wi-dev-demo-verify";
  const verify = () => one(resourcesOf("dev"), K8S.job, "-verify");
  const FIX = "remove it and let the pod's bound identity supply credentials";

  test("fires on an env variable that carries a static credential, however it is sourced", () => {
    let at = -1;
    const secretEnv = changed(verify(), (p) => {
      const env = p.spec.template.spec.containers[0].env;
      at = env.length;
      env.push({
        name: "AWS_SECRET_ACCESS_KEY",
        value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      });
      env.push({
        name: "AZURE_STORAGE_CONNECTION_STRING",
        valueFrom: { secretKeyRef: { name: "storage", key: "cs" } },
      });
    });
    expect(resourceMessages(noStaticCloudCredentials, secretEnv)).toEqual([
      `${VERIFY}: spec.template.spec.containers[0].env[${at}] sets AWS_SECRET_ACCESS_KEY, a static credential; ${FIX}`,
      `${VERIFY}: spec.template.spec.containers[0].env[${at + 1}] sets AZURE_STORAGE_CONNECTION_STRING, a static credential; ${FIX}`,
    ]);
  });

  test("fires on key material in an innocently named variable", () => {
    let at = -1;
    const keyId = changed(verify(), (p) => {
      const env = p.spec.template.spec.containers[0].env;
      at = env.length;
      env.push({ name: "SETTINGS", value: "id=AKIAIOSFODNN7EXAMPLE" });
    });
    expect(resourceMessages(noStaticCloudCredentials, keyId)).toEqual([
      `${VERIFY}: spec.template.spec.containers[0].env[${at}] ("SETTINGS") holds an AWS access key ID; ${FIX}`,
    ]);
  });

  test("fires on a service-account key in a Secret and an account key in a ConfigMap", () => {
    const key = JSON.stringify({
      type: "service_account",
      project_id: "p",
      private_key_id: "0",
      private_key: "-----BEGIN PRIVATE KEY-----\nMII...\n-----END PRIVATE KEY-----\n",
    });
    const secret = synthetic(K8S.secret, "gcs-key", {
      data: { "key.json": Buffer.from(key).toString("base64") },
    });
    expect(resourceMessages(noStaticCloudCredentials, secret)).toEqual([
      `kubernetes:core/v1:Secret gcs-key: data["key.json"] holds a Google service-account key; delete it and grant the workload's identity instead`,
    ]);
    const configMap = synthetic(K8S.configMap, "blob", {
      data: {
        connection:
          "DefaultEndpointsProtocol=https;AccountName=acc;AccountKey=bXlrZXk=;EndpointSuffix=core.windows.net",
        AWS_ACCESS_KEY_ID: "unused",
      },
    });
    expect(resourceMessages(noStaticCloudCredentials, configMap)).toEqual([
      `kubernetes:core/v1:ConfigMap blob: data["connection"] holds an Azure storage account key; delete it and grant the workload's identity instead`,
      `kubernetes:core/v1:ConfigMap blob: data["AWS_ACCESS_KEY_ID"] is a static credential (AWS_ACCESS_KEY_ID); delete it and grant the workload's identity instead`,
    ]);
  });

  test("a federated credential configuration (no key in it) is fine", () => {
    const config = synthetic(K8S.configMap, "wi-eks-demo-files", {
      data: {
        "credential-configuration.json": JSON.stringify({
          universe_domain: "googleapis.com",
          type: "external_account",
          audience:
            "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/eks",
          subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
          token_url: "https://sts.googleapis.com/v1/token",
          credential_source: { file: "/var/run/service-account/token", format: { type: "text" } },
        }),
      },
    });
    expect(resourceMessages(noStaticCloudCredentials, config)).toEqual([]);
  });

  test("fires on resources that mint long-lived keys", () => {
    expect(
      [
        synthetic(AWS.accessKey, "ci", { user: "ci" }),
        synthetic(GCP.serviceAccountKey, "reader", { serviceAccountId: "reader" }),
        synthetic(GCP.hmacKey, "hmac", { serviceAccountEmail: "reader@p.iam.gserviceaccount.com" }),
      ].flatMap((r) => resourceMessages(noStaticCloudCredentials, r)),
    ).toEqual([
      "aws:iam/accessKey:AccessKey ci: creates a long-lived IAM access key; remove it and let pods use EKS Pod Identity or IRSA",
      "gcp:serviceaccount/key:Key reader: creates a downloadable service-account key; remove it and use Workload Identity Federation",
      "gcp:storage/hmacKey:HmacKey hmac: creates a Cloud Storage HMAC key; remove it and grant the workload's identity on the bucket",
    ]);
  });
});
