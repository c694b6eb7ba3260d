/**
 * Each component of the package constructed through the component provider, as a Python, Go, C#
 * or YAML program reaches it (test/support/package-construct.ts), under the recording mocks: the
 * resources it creates (types, parents, the calling program's providers), the trust and
 * permission documents parsed, and the outputs a pod must carry.
 *
 * What mocks cannot prove: that the clouds accept these documents, that the engine serializes
 * the outputs as the provider server does (serializeResourceProperties), or that the generated
 * SDKs of other languages compile; the schema test covers what they are generated from.
 */
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import { Provider as GcpProvider } from "@pulumi/gcp/provider";
import type * as pulumi from "@pulumi/pulumi";
import type { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { beforeAll, describe, expect, test } from "vitest";
import { statements } from "../offline/iam";
import { ACCOUNT, EKS_ISSUER, EXISTING_EKS, installMocks, type Recorded } from "../offline/mocks";
import {
  AKS_ISSUER,
  IDENTITY_CLIENT_ID,
  IDENTITY_PRINCIPAL_ID,
  SUBSCRIPTION,
  TENANT,
} from "../offline/clouds/azure";
import { GCP_PROJECT_NUMBER } from "../offline/clouds/gcp";
import { autoname } from "../offline/clouds/types";
import * as pkg from "../pulumi-package";
import { construct, customsUnder, providerReference } from "./support/package-construct";
import { packageProvider } from "./support/package-schema";

const rec = installMocks();
const GKE_ISSUER =
  "https://container.googleapis.com/v1/projects/p/locations/europe-north1/clusters/c";
const token = (component: string) => `workload-identity:index:${component}`;

let provider: ComponentProvider;
let aws: { ref: string; resource: pulumi.ProviderResource };
let gcp: { ref: string; resource: pulumi.ProviderResource };
let azure: { ref: string; resource: pulumi.ProviderResource };
beforeAll(async () => {
  provider = packageProvider(pkg);
  await provider.getSchema(); // construct reads the outputs to return from the schema's analysis
  aws = await providerReference(new AwsProvider("caller-aws", { region: "eu-north-1" }));
  gcp = await providerReference(new GcpProvider("caller-gcp", { project: "caller-project" }));
  azure = await providerReference(
    new AzureProvider("caller-azure", { subscriptionId: SUBSCRIPTION }),
  );
}, 60_000);

/**
 * The component registered with the package's type token at the root, and every cloud resource
 * under it uses the caller's provider of its cloud (handed down from the component's options).
 */
function expectWiring(component: Recorded, type: string, customs: Recorded[]): void {
  expect(component.type).toBe(token(type));
  expect(component.custom).toBe(false);
  const refs: Record<string, string> = { aws: aws.ref, gcp: gcp.ref, "azure-native": azure.ref };
  expect(customs.length).toBeGreaterThan(0);
  for (const r of customs) {
    const cloud = r.type.split(":")[0];
    if (cloud === "random") continue; // the random provider is not the caller's to choose
    expect(r.provider, `${r.type} ${r.name}`).toBe(refs[cloud]);
  }
}

const one = (customs: Recorded[], type: string): Recorded => {
  const found = customs.filter((r) => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
};

describe("AWS", () => {
  test("S3Bucket: a private bucket and a read policy for exactly it", async () => {
    const { component, state } = await construct(
      rec,
      provider,
      "data",
      token("S3Bucket"),
      {},
      { aws: aws.resource },
    );
    const customs = customsUnder(rec, component);
    expectWiring(component, "S3Bucket", customs);
    // The cloud resources belong to the wrapped component, which belongs to the package's.
    const bucket = one(customs, "aws:s3/bucket:Bucket");
    expect(rec.ancestors(bucket).map((a) => a.type)).toEqual([
      "workload-identity:aws:BucketWithPolicy",
      token("S3Bucket"),
    ]);
    const policy = one(customs, "aws:iam/policy:Policy");
    const arn = `arn:aws:s3:::${autoname("data-bucket")}`;
    expect(statements(policy.inputs.policy)).toEqual([
      { Sid: "ListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [arn] },
      { Sid: "GetObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${arn}/*`] },
    ]);
    expect(state.readPolicyArn).toBe(`arn:aws:iam::${ACCOUNT}:policy/${autoname("data-read")}`);
    expect(statements(state.readPolicyDocument)).toEqual(statements(policy.inputs.policy));
    expect(state.bucketName).toBe(autoname("data-bucket"));
    expect(state.objectUrl).toBe(`s3://${autoname("data-bucket")}/hello.txt`);
    expect(
      one(customs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(policy.inputs.tags).toMatchObject({ "managed-by": "pulumi", component: "bucket" });
  });

  test("PodIdentityS3Binding: a role only Pod Identity of this cluster and ServiceAccount assumes", async () => {
    const clusterArn = `arn:aws:eks:eu-north-1:${ACCOUNT}:cluster/shared`;
    const policyArn = `arn:aws:iam::${ACCOUNT}:policy/read`;
    const { component, state } = await construct(
      rec,
      provider,
      "reports",
      token("PodIdentityS3Binding"),
      {
        clusterName: "shared",
        clusterArn,
        namespace: "reports",
        serviceAccount: "reader",
        policyArn,
        tags: { team: "a" },
      },
      { aws: aws.resource },
    );
    const customs = customsUnder(rec, component);
    expectWiring(component, "PodIdentityS3Binding", customs);
    const role = one(customs, "aws:iam/role:Role");
    expect(statements(role.inputs.assumeRolePolicy)).toEqual([
      {
        Sid: "EksPodIdentity",
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: [],
        Condition: {
          StringEquals: {
            "aws:RequestTag/eks-cluster-arn": clusterArn,
            "aws:RequestTag/kubernetes-namespace": "reports",
            "aws:RequestTag/kubernetes-service-account": "reader",
          },
        },
      },
    ]);
    expect(one(customs, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn).toBe(
      policyArn,
    );
    const association = one(customs, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
    expect(association.inputs).toMatchObject({
      clusterName: "shared",
      namespace: "reports",
      serviceAccount: "reader",
    });
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${autoname("reports-role")}`;
    expect(association.inputs.roleArn).toBe(roleArn);
    expect(role.inputs.tags).toEqual({
      "managed-by": "pulumi",
      team: "a",
      component: "identity-binding",
    });
    expect(state).toEqual({
      roleArn,
      associationId: "a-0example",
      serviceAccountAnnotations: {},
      podLabels: {},
      env: [],
      projectedTokens: [],
      files: [],
    });
  });

  test("IrsaS3Binding: an OIDC provider and a role for one ServiceAccount; the annotation names the role", async () => {
    const { component, state } = await construct(
      rec,
      provider,
      "irsa",
      token("IrsaS3Binding"),
      {
        issuerUrl: EKS_ISSUER,
        namespace: "reports",
        serviceAccount: "reader",
        policyArn: "arn:aws:iam::123456789012:policy/read",
      },
      { aws: aws.resource },
    );
    const customs = customsUnder(rec, component);
    expectWiring(component, "IrsaS3Binding", customs);
    const oidc = one(customs, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(oidc.inputs).toMatchObject({ url: EKS_ISSUER, clientIdLists: ["sts.amazonaws.com"] });
    const host = EKS_ISSUER.replace("https://", "");
    const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`;
    expect(statements(one(customs, "aws:iam/role:Role").inputs.assumeRolePolicy)).toEqual([
      {
        Sid: "KubernetesServiceAccount",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Resource: [],
        Condition: {
          StringEquals: {
            [`${host}:sub`]: "system:serviceaccount:reports:reader",
            [`${host}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ]);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${autoname("irsa-role")}`;
    expect(state.roleArn).toBe(roleArn);
    expect(state.oidcProviderArn).toBe(providerArn);
    expect(state.serviceAccountAnnotations).toEqual({ "eks.amazonaws.com/role-arn": roleArn });
    expect([state.podLabels, state.env, state.projectedTokens, state.files]).toEqual([
      {},
      [],
      [],
      [],
    ]);
  });

  test("IrsaS3Binding with existingOidcProvider: the account's provider, looked up through the caller's", async () => {
    const issuer = EXISTING_EKS["my-eks-cluster"].issuer;
    const { component, state } = await construct(
      rec,
      provider,
      "adopted",
      token("IrsaS3Binding"),
      {
        issuerUrl: issuer,
        namespace: "reports",
        serviceAccount: "reader",
        policyArn: "arn:aws:iam::123456789012:policy/read",
        existingOidcProvider: true,
        clusterName: "my-eks-cluster",
      },
      { aws: aws.resource },
    );
    const customs = customsUnder(rec, component);
    expect(customs.map((r) => r.type).sort()).toEqual([
      "aws:iam/role:Role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    ]);
    const lookup = rec.invokes.filter(
      (i) => i.token === "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
    );
    expect(lookup.map((i) => [i.args.url, i.provider])).toEqual([[issuer, aws.ref]]);
    expect(state.oidcProviderArn).toBe(
      `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer.replace("https://", "")}`,
    );
  });

  test("OidcS3Binding: the pod projects a token for STS and names the role itself", async () => {
    const { component, state } = await construct(
      rec,
      provider,
      "gke-s3",
      token("OidcS3Binding"),
      {
        issuerUrl: GKE_ISSUER,
        namespace: "reports",
        serviceAccount: "reader",
        policyArn: "arn:aws:iam::123456789012:policy/read",
      },
      { aws: aws.resource },
    );
    const customs = customsUnder(rec, component);
    expectWiring(component, "OidcS3Binding", customs);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${autoname("gke-s3-role")}`;
    const trust = statements(one(customs, "aws:iam/role:Role").inputs.assumeRolePolicy);
    expect(trust[0].Condition!.StringEquals).toEqual({
      "container.googleapis.com/v1/projects/p/locations/europe-north1/clusters/c:sub":
        "system:serviceaccount:reports:reader",
      "container.googleapis.com/v1/projects/p/locations/europe-north1/clusters/c:aud":
        "sts.amazonaws.com",
    });
    expect(state.serviceAccountAnnotations).toEqual({});
    expect(state.projectedTokens).toEqual([
      {
        volumeName: "aws-token",
        audience: "sts.amazonaws.com",
        mountPath: "/var/run/secrets/tokens/aws",
        path: "/var/run/secrets/tokens/aws/token",
        expirationSeconds: 3600,
      },
    ]);
    expect(state.env).toEqual([
      { name: "AWS_ROLE_ARN", value: roleArn },
      { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: state.projectedTokens[0].path },
      { name: "AWS_ROLE_SESSION_NAME", value: "reports.reader" },
    ]);
  });
});

describe("Google Cloud", () => {
  test("GcsBucket: a private bucket in the given project; the read role and project number", async () => {
    const { component, state } = await construct(
      rec,
      provider,
      "data",
      token("GcsBucket"),
      { project: "my-project", location: "europe-north1", namePrefix: "reports" },
      { gcp: gcp.resource },
    );
    const customs = customsUnder(rec, component);
    expectWiring(component, "GcsBucket", customs);
    const bucket = one(customs, "gcp:storage/bucket:Bucket");
    expect(bucket.inputs).toMatchObject({
      project: "my-project",
      location: "EUROPE-NORTH1",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
    });
    expect(state.bucketName).toBe(bucket.inputs.name);
    expect(state.bucketName).toMatch(/^reports-[0-9a-f]{12}$/);
    expect(state.readRole).toBe("roles/storage.objectViewer");
    expect(state.projectNumber).toBe(GCP_PROJECT_NUMBER);
    expect(state.objectUrl).toBe(`gs://${state.bucketName}/hello.txt`);
  });

  test("GkeGcsBinding: the ServiceAccount's own principal on the bucket; pods carry nothing", async () => {
    const { component, state } = await construct(
      rec,
      provider,
      "gke",
      token("GkeGcsBinding"),
      {
        clusterProject: "my-project",
        clusterProjectNumber: "604875213397",
        namespace: "reports",
        serviceAccount: "reader",
        bucketName: "reports-bucket",
      },
      { gcp: gcp.resource },
    );
    const customs = customsUnder(rec, component);
    expectWiring(component, "GkeGcsBinding", customs);
    const member =
      "principal://iam.googleapis.com/projects/604875213397/locations/global/workloadIdentityPools/my-project.svc.id.goog/subject/ns/reports/sa/reader";
    expect(one(customs, "gcp:storage/bucketIAMMember:BucketIAMMember").inputs).toEqual({
      bucket: "reports-bucket",
      role: "roles/storage.objectViewer",
      member,
    });
    expect(customs).toHaveLength(1);
    expect(state).toEqual({
      member,
      serviceAccountAnnotations: {},
      podLabels: {},
      env: [],
      projectedTokens: [],
      files: [],
    });
  });

  test("OidcGcsBinding: a pool trusting the issuer, the principal on the bucket, a credential configuration", async () => {
    const { component, state } = await construct(
      rec,
      provider,
      "eks-gcs",
      token("OidcGcsBinding"),
      {
        project: "my-project",
        issuerUrl: EKS_ISSUER,
        namespace: "reports",
        serviceAccount: "reader",
        bucketName: "reports-bucket",
      },
      { gcp: gcp.resource },
    );
    const customs = customsUnder(rec, component);
    expectWiring(component, "OidcGcsBinding", customs);
    const pool = one(customs, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool");
    expect(pool.inputs.workloadIdentityPoolId).toMatch(/^k8s-[a-z0-9]{6}$/);
    const poolName = `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${pool.inputs.workloadIdentityPoolId}`;
    const audience = `https://iam.googleapis.com/${poolName}/providers/kubernetes`;
    const oidc = one(customs, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
    expect(oidc.inputs.oidc).toEqual({ issuerUri: EKS_ISSUER, allowedAudiences: [audience] });
    expect(oidc.inputs.attributeMapping).toEqual({ "google.subject": "assertion.sub" });
    const member = `principal://iam.googleapis.com/${poolName}/subject/system:serviceaccount:reports:reader`;
    expect(one(customs, "gcp:storage/bucketIAMMember:BucketIAMMember").inputs).toEqual({
      bucket: "reports-bucket",
      role: "roles/storage.objectViewer",
      member,
    });
    expect(state.member).toBe(member);
    expect(state.audience).toBe(audience);
    expect(state.projectedTokens).toEqual([
      {
        volumeName: "gcp-token",
        audience,
        mountPath: "/var/run/secrets/tokens/gcp",
        path: "/var/run/secrets/tokens/gcp/token",
        expirationSeconds: 3600,
      },
    ]);
    const config = JSON.parse(state.credentialConfiguration);
    expect(config).toEqual({
      universe_domain: "googleapis.com",
      type: "external_account",
      audience: `//iam.googleapis.com/${poolName}/providers/kubernetes`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      credential_source: { file: state.projectedTokens[0].path, format: { type: "text" } },
    });
    expect(state.files).toEqual([
      {
        volumeName: "gcp-credentials",
        mountPath: "/etc/workload-identity/gcp",
        fileName: "credentials.json",
        content: state.credentialConfiguration,
      },
    ]);
    expect(state.env).toEqual([
      {
        name: "GOOGLE_APPLICATION_CREDENTIALS",
        value: "/etc/workload-identity/gcp/credentials.json",
      },
    ]);
  });
});

describe("Azure", () => {
  const access = {
    resourceGroupName: "rg-apps",
    location: "swedencentral",
    roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`,
    scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/hello`,
  };

  test("BlobContainer: a private container and the reader role of the caller's subscription", async () => {
    const { component, state } = await construct(
      rec,
      provider,
      "data",
      token("BlobContainer"),
      { location: "swedencentral", accountNamePrefix: "wi-reports" },
      { "azure-native": azure.resource },
    );
    const customs = customsUnder(rec, component);
    expectWiring(component, "BlobContainer", customs);
    const account = one(customs, "azure-native:storage:StorageAccount");
    expect(account.inputs).toMatchObject({
      allowBlobPublicAccess: false,
      minimumTlsVersion: "TLS1_2",
      enableHttpsTrafficOnly: true,
    });
    expect(account.inputs.accountName).toMatch(/^wireports[a-z0-9]{6}$/);
    expect(state.readRoleDefinitionId).toBe(access.roleDefinitionId);
    // The subscription came from the caller's provider: the lookup went through it.
    const lookups = rec.invokes.filter(
      (i) => i.token === "azure-native:authorization:getClientConfig",
    );
    expect(lookups.map((i) => i.provider)).toEqual([azure.ref]);
    expect(state.containerId).toMatch(/\/blobServices\/default\/containers\/hello$/);
    expect(state.objectUrl).toBe(
      `https://${account.inputs.accountName}.blob.core.windows.net/hello/hello.txt`,
    );
  });

  for (const [type, annotated] of [
    ["AksBlobBinding", true],
    ["OidcBlobBinding", false],
  ] as const) {
    test(`${type}: one identity, one federated credential for the ServiceAccount, the role at the scope`, async () => {
      const issuer = annotated ? AKS_ISSUER : EKS_ISSUER;
      const { component, state } = await construct(
        rec,
        provider,
        "blob",
        token(type),
        { issuerUrl: issuer, namespace: "reports", serviceAccount: "reader", ...access },
        { "azure-native": azure.resource },
      );
      const customs = customsUnder(rec, component);
      expectWiring(component, type, customs);
      const fic = one(customs, "azure-native:managedidentity:FederatedIdentityCredential");
      expect(fic.inputs).toMatchObject({
        issuer,
        subject: "system:serviceaccount:reports:reader",
        audiences: ["api://AzureADTokenExchange"],
        resourceGroupName: "rg-apps",
      });
      const assignment = one(customs, "azure-native:authorization:RoleAssignment");
      expect(assignment.inputs).toMatchObject({
        principalId: IDENTITY_PRINCIPAL_ID,
        principalType: "ServicePrincipal",
        roleDefinitionId: access.roleDefinitionId,
        scope: access.scope,
      });
      expect([state.clientId, state.tenantId, state.principalId]).toEqual([
        IDENTITY_CLIENT_ID,
        TENANT,
        IDENTITY_PRINCIPAL_ID,
      ]);
      if (annotated) {
        expect(state.serviceAccountAnnotations).toEqual({
          "azure.workload.identity/client-id": IDENTITY_CLIENT_ID,
          "azure.workload.identity/tenant-id": TENANT,
        });
        expect(state.podLabels).toEqual({ "azure.workload.identity/use": "true" });
        expect([state.env, state.projectedTokens]).toEqual([[], []]);
      } else {
        expect([state.serviceAccountAnnotations, state.podLabels]).toEqual([{}, {}]);
        expect(state.projectedTokens).toEqual([
          {
            volumeName: "azure-token",
            audience: "api://AzureADTokenExchange",
            mountPath: "/var/run/secrets/tokens/azure",
            path: "/var/run/secrets/tokens/azure/token",
            expirationSeconds: 3600,
          },
        ]);
        expect(state.env).toEqual([
          { name: "AZURE_CLIENT_ID", value: IDENTITY_CLIENT_ID },
          { name: "AZURE_TENANT_ID", value: TENANT },
          { name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/tokens/azure/token" },
          { name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/" },
        ]);
      }
      expect(state.files).toEqual([]);
    });
  }
});

describe("bad input", () => {
  test.each([
    ["PodIdentityS3Binding", { clusterName: "c", clusterArn: "arn", policyArn: "p" }],
    ["OidcS3Binding", { issuerUrl: EKS_ISSUER, policyArn: "p" }],
    ["GkeGcsBinding", { clusterProject: "p", clusterProjectNumber: "1", bucketName: "b" }],
    [
      "OidcBlobBinding",
      {
        issuerUrl: EKS_ISSUER,
        resourceGroupName: "rg",
        location: "l",
        roleDefinitionId: "r",
        scope: "s",
      },
    ],
  ])(
    "%s refuses a namespace Kubernetes would refuse, before anything is created",
    async (type, args) => {
      rec.clear();
      await expect(
        provider.construct(
          "bad",
          token(type),
          { ...args, namespace: "Team_A", serviceAccount: "reader" },
          {},
        ),
      ).rejects.toThrow(/namespace: expected a Kubernetes namespace .*got "Team_A"/);
      expect(rec.resources.filter((r) => r.custom)).toEqual([]);
    },
  );
});
