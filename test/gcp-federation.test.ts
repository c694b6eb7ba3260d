/**
 * Google Cloud trusting a cluster outside it (the eks-gcs and aks-gcs stacks), read off what the
 * program registers: the Workload Identity pool, its OIDC provider (issuer, allowed audience,
 * attribute mapping), the `principal://` member on the bucket, and the credential configuration
 * the pod carries. And, for every stack that touches Google Cloud: no lookups (a `getProject`
 * needs the Cloud Resource Manager API at every preview; the number comes from resources).
 *
 * What this cannot prove: that Google's STS accepts the token (it fetches the issuer's keys live),
 * how it evaluates the mapping, or how long IAM takes to propagate. The project number is the
 * mock's; what is proven is that it comes from the pool's `name` and lands where it belongs.
 */
import { describe, expect, test } from "vitest";
import { GCP_PROJECT_NUMBER } from "../offline/clouds/gcp";
import { evaluate, exampleStackConfig, stackNames } from "../offline/evaluate";
import { installMocks, valueOf } from "../offline/mocks";
import { GCP_CREDENTIALS_FILE, GCP_TOKEN_DIR, PROVIDER_ID } from "../src/gcp";

const rec = installMocks();

const T = {
  pool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
  provider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  member: "gcp:storage/bucketIAMMember:BucketIAMMember",
  bucket: "gcp:storage/bucket:Bucket",
  service: "gcp:projects/service:Service",
  configMap: "kubernetes:core/v1:ConfigMap",
  sa: "kubernetes:core/v1:ServiceAccount",
  job: "kubernetes:batch/v1:Job",
};
const CLUSTER_TYPES: Record<string, string> = {
  eks: "aws:eks/cluster:Cluster",
  aks: "azure-native:containerservice:ManagedCluster",
};

const federated = stackNames().filter((s) => {
  const c = exampleStackConfig(s);
  // Clusters the stack creates in another cloud; kind-gcs has its own (test/kind-chain.test.ts).
  return (
    c["workload-identity:storage"] === "gcs" && c["workload-identity:cluster"] in CLUSTER_TYPES
  );
});
const touchingGoogle = stackNames().filter((s) => {
  const c = exampleStackConfig(s);
  return c["workload-identity:storage"] === "gcs" || c["workload-identity:cluster"] === "gke";
});

test("the stacks below include both federated pairs and every pair that touches Google Cloud", () => {
  expect(federated).toEqual(expect.arrayContaining(["aks-gcs", "eks-gcs"]));
  expect(touchingGoogle).toEqual(
    expect.arrayContaining(["aks-gcs", "eks-gcs", "gke", "gke-blob", "gke-s3"]),
  );
});

describe.each(federated)("%s", (stack) => {
  const config = exampleStackConfig(stack);
  const project = config["gcp:project"];
  const cluster = config["workload-identity:cluster"];
  const prefix = `wi-${stack}`;

  test("the pool and its OIDC provider: exactly the issuer, one audience, google.subject = assertion.sub", async () => {
    const run = await evaluate(rec, stack);
    const pool = rec.one(T.pool);
    const poolId: string = pool.inputs.workloadIdentityPoolId;
    expect(poolId).toMatch(new RegExp(`^${prefix}-[a-z0-9]{6}$`));
    const poolName = `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${poolId}`;
    const providerName = `${poolName}/providers/${PROVIDER_ID}`;

    const provider = rec.one(T.provider);
    // Exactly these inputs: no other mapping, no condition, no second audience.
    expect(provider.inputs).toEqual({
      project,
      workloadIdentityPoolId: poolId,
      workloadIdentityPoolProviderId: "kubernetes",
      // Kubernetes puts `system:serviceaccount:<ns>:<sa>` in `sub`; the member below names it.
      attributeMapping: { "google.subject": "assertion.sub" },
      oidc: {
        issuerUri: await valueOf(run.outputs.oidcIssuerUrl),
        allowedAudiences: [`https://iam.googleapis.com/${providerName}`],
      },
    });
    expect(provider.dependencies).toContain(rec.one(CLUSTER_TYPES[cluster]).urn);
    // The audience names the pool by its number, read off the pool's `name`.
    expect(provider.dependencies).toContain(pool.urn);
  });

  test("the member is exactly the pods' ServiceAccount under the pool, and the grant waits for the pool", () => {
    const pool = rec.one(T.pool);
    const grant = rec.one(T.member);
    const { namespace, name } = rec.one(T.sa, "-sa").inputs.metadata;
    expect(grant.inputs).toEqual({
      bucket: rec.one(T.bucket).inputs.name,
      role: "roles/storage.objectViewer",
      member: `principal://iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${pool.inputs.workloadIdentityPoolId}/subject/system:serviceaccount:${namespace}:${name}`,
    });
    expect(grant.dependencies).toContain(pool.urn);
  });

  test("the pod's token and credential configuration name that same provider", () => {
    const provider = rec.one(T.provider);
    const [audience] = provider.inputs.oidc.allowedAudiences as string[];
    const providerName = audience.replace(/^https:\/\/iam\.googleapis\.com\//, "");
    const credentials = JSON.parse(Object.values(rec.one(T.configMap).inputs.data)[0] as string);
    expect(credentials).toEqual({
      universe_domain: "googleapis.com",
      type: "external_account",
      audience: `//iam.googleapis.com/${providerName}`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      credential_source: { file: `${GCP_TOKEN_DIR}/token`, format: { type: "text" } },
    });
    const spec = rec.one(T.job, "-verify").inputs.spec.template.spec;
    const token = spec.volumes.find((v: any) => v.projected).projected.sources[0]
      .serviceAccountToken;
    expect(token.audience).toBe(audience);
    expect(spec.containers[0].env).toContainEqual({
      name: "GOOGLE_APPLICATION_CREDENTIALS",
      value: GCP_CREDENTIALS_FILE,
    });
  });

  test("only the IAM and STS APIs are enabled besides Storage: no Cloud Resource Manager", () => {
    expect(
      rec
        .ofType(T.service)
        .map((s) => s.inputs.service)
        .sort(),
    ).toEqual(["iam.googleapis.com", "storage.googleapis.com", "sts.googleapis.com"]);
  });
});

describe.each(touchingGoogle)("%s", (stack) => {
  test("looks nothing up on Google Cloud (no getProject: it needs Cloud Resource Manager at preview)", async () => {
    const run = await evaluate(rec, stack);
    // Only an adopted GKE cluster is looked up (GKE's API, not Cloud Resource Manager).
    const allowed = run.config.existing ? ["gcp:container/getCluster:getCluster"] : [];
    expect(rec.invokes.filter((i) => i.token.startsWith("gcp:")).map((i) => i.token)).toEqual(
      allowed,
    );
    // The mocks answer no Google Cloud invoke, so a lookup would also have failed the run.
    expect(rec.invokes.map((i) => i.token)).not.toContain(
      "gcp:organizations/getProject:getProject",
    );
  });
});
