/**
 * Per mechanism, the proof digest on every pod template is the sha256 of exactly the binding's
 * trust, permission and identity as registered: dropping one of them from `proofInputs` (so that a
 * change to it would no longer re-run the proofs) fails here. Each stack also names the credential
 * variables its mechanism really delivers.
 *
 * What mocks cannot prove: that the provider replaces the Jobs on a changed template (that is
 * pulumi-kubernetes' forceNew on batch/v1 Job `.spec.template`, cited in src/k8s/workload.ts).
 */
import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig } from "../offline/evaluate";
import { installMocks, type Recorder } from "../offline/mocks";
import { PROOF_DIGEST_ANNOTATION } from "../src/k8s";

const rec = installMocks();
const sha256 = (values: unknown[]) =>
  createHash("sha256").update(JSON.stringify(values)).digest("hex");

/** The digest on each pod template; they must all agree. */
function digestOf(r: Recorder): string {
  const templates = [
    r.one("kubernetes:batch/v1:Job", "-verify"),
    r.one("kubernetes:batch/v1:Job", "-deny"),
    r.one("kubernetes:apps/v1:Deployment", "-shell"),
  ].map((x) => x.inputs.spec.template.metadata.annotations[PROOF_DIGEST_ANNOTATION]);
  expect(new Set(templates).size).toBe(1);
  return templates[0];
}

/** [label, stack file, config, the expected proof inputs read off the registrations, variables] */
const CASES: [string, string, Record<string, string>, (r: Recorder) => unknown[], string[]][] = [
  [
    "dev (Pod Identity)",
    "dev",
    exampleStackConfig("dev"),
    (r) => {
      const role = r.one("aws:iam/role:Role", "-binding-role");
      const assoc = r.one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
      const read = r.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-binding-read");
      return [
        assoc.inputs.roleArn,
        role.inputs.assumeRolePolicy,
        read.inputs.policyArn,
        assoc.inputs.clusterName,
        "demo",
        "demo",
        r.one("aws:iam/policy:Policy", "-storage-read").inputs.policy,
      ];
    },
    ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"],
  ],
  [
    "dev with IRSA",
    "dev",
    { ...exampleStackConfig("dev"), "workload-identity:awsMechanism": "irsa" },
    (r) => {
      const role = r.one("aws:iam/role:Role", "-binding-role");
      const read = r.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-binding-read");
      const oidc = r.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      const sa = r.one("kubernetes:core/v1:ServiceAccount", "-sa");
      return [
        sa.inputs.metadata.annotations["eks.amazonaws.com/role-arn"],
        role.inputs.assumeRolePolicy,
        read.inputs.policyArn,
        `arn:aws:iam::123456789012:oidc-provider/${String(oidc.inputs.url).replace("https://", "")}`,
        oidc.inputs.url,
        r.one("aws:iam/policy:Policy", "-storage-read").inputs.policy,
      ];
    },
    ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"],
  ],
  [
    "aks (Workload ID)",
    "aks",
    exampleStackConfig("aks"),
    (r) => {
      const fic = r.one("azure-native:managedidentity:FederatedIdentityCredential");
      const ra = r.one("azure-native:authorization:RoleAssignment", "-binding-reader");
      const sa = r.one("kubernetes:core/v1:ServiceAccount", "-sa");
      return [
        sa.inputs.metadata.annotations["azure.workload.identity/client-id"],
        ra.inputs.principalId,
        fic.inputs.issuer,
        fic.inputs.subject,
        fic.inputs.audiences.join(" "),
        ra.inputs.roleDefinitionId,
        ra.inputs.scope,
        ra.inputs.principalId,
      ];
    },
    ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"],
  ],
  [
    "gke (direct principal)",
    "gke",
    exampleStackConfig("gke"),
    (r) => {
      const grant = r.one("gcp:storage/bucketIAMMember:BucketIAMMember");
      return [
        grant.inputs.member,
        grant.inputs.role,
        grant.inputs.bucket,
        // The prefix condition (none: the whole bucket).
        JSON.stringify(grant.inputs.condition ?? null),
      ];
    },
    [],
  ],
  [
    "eks-gcs (pool federation)",
    "eks-gcs",
    exampleStackConfig("eks-gcs"),
    (r) => {
      const p = r.one("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
      const grant = r.one("gcp:storage/bucketIAMMember:BucketIAMMember");
      return [
        // The provider's full name: the pool's path (as the member spells it) plus its id.
        `${grant.inputs.member.split("://iam.googleapis.com/")[1].split("/subject/")[0]}/providers/kubernetes`,
        JSON.stringify(p.inputs.oidc),
        JSON.stringify(p.inputs.attributeMapping),
        "",
        grant.inputs.member,
        grant.inputs.role,
        grant.inputs.bucket,
        JSON.stringify(grant.inputs.condition ?? null),
      ];
    },
    ["GOOGLE_APPLICATION_CREDENTIALS"],
  ],
];

describe.each(CASES)("%s", (_, stack, config, expected, variables) => {
  test("the digest covers exactly its trust, permission and identity", async () => {
    await evaluate(rec, stack, config);
    expect(digestOf(rec)).toBe(sha256(expected(rec)));
  });

  test("the verification checks exactly the variables its mechanism delivers", () => {
    const script: string = rec.one("kubernetes:batch/v1:Job", "-verify").inputs.spec.template.spec
      .containers[0].command[2];
    const checked = [...script.matchAll(/\[ -n "\$\{([A-Z_]+):-\}" \]/g)].map((m) => m[1]);
    expect(checked).toEqual(variables);
  });
});
