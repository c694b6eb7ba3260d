/**
 * Client conformance, Cloud Storage: every pair that reads GCS hands its verification pod's env and
 * files to `google-auth-library`'s `GoogleAuth` (Application Default Credentials, what the Cloud
 * Storage client and gcloud's libraries use), and the library must get a token the way Google would
 * grant it:
 * - From a cluster outside Google (EKS, AKS, external): the `external_account` file the pod mounts
 *   makes the library exchange the token projected for the pool provider's audience at Google's STS;
 *   the request must name the provider by its full resource name
 *   (`//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>`),
 *   and the principal Google computes by applying the provider's `google.subject` mapping to the
 *   token's claims must be exactly the one the bucket grants. No impersonation: any request but
 *   the STS exchange fails the test (network disabled).
 * - GKE: nothing in the pod; the library finds the GKE metadata server and asks it for a token;
 *   the metadata server answers as the pod's own principal, which the bucket must grant.
 *
 * What this cannot prove: that Google's STS accepts the token's signature (it fetches the issuer's
 * keys), nor that the GKE metadata server runs on the nodes (GKE_METADATA is asserted as configured).
 */
import { GoogleAuth } from "google-auth-library";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { GCP_PROJECT_NUMBER } from "../offline/clouds/gcp";
import { evaluate, exampleStackConfig, STORAGE_OVERRIDES } from "../offline/evaluate";
import { TENANT } from "../offline/clouds/azure";
import { installMocks } from "../offline/mocks";
import {
  admitVerificationPod,
  interceptNetwork,
  bodyOf,
  celAttribute,
  subjectOf,
  withPodEnv,
  type Admitted,
  type Pair,
  workloadCount,
  workloadPairs,
} from "./support/conformance";

const rec = installMocks();
const T = {
  provider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  member: "gcp:storage/bucketIAMMember:BucketIAMMember",
  cluster: "gcp:container/cluster:Cluster",
  nodePool: "gcp:container/nodePool:NodePool",
};
const SCOPE = "https://www.googleapis.com/auth/devstorage.read_only";

const FEDERATED: readonly Pair[] = [
  { name: "eks → gcs", stack: "eks-gcs", config: exampleStackConfig("eks-gcs") },
  { name: "aks → gcs", stack: "aks-gcs", config: exampleStackConfig("aks-gcs") },
  {
    name: "external → gcs",
    stack: "external-s3",
    config: exampleStackConfig("external-s3", STORAGE_OVERRIDES.gcs),
  },
  {
    name: "kind → gcs (self-hosted issuer)",
    stack: "kind-gcs",
    config: exampleStackConfig("kind-gcs"),
  },
  ...workloadPairs(
    "eks → gcs teams",
    "eks-teams",
    exampleStackConfig("eks-teams", STORAGE_OVERRIDES.gcs),
  ),
];
const GKE: readonly Pair[] = [
  { name: "gke → gcs", stack: "gke", config: exampleStackConfig("gke") },
  { name: "adopted gke → gcs", stack: "gke-existing", config: exampleStackConfig("gke-existing") },
  ...workloadPairs(
    "gke → gcs teams",
    "gke-s3-teams",
    exampleStackConfig("gke-s3-teams", STORAGE_OVERRIDES.gcs),
  ),
];

/**
 * The bucket grants `principal` exactly once, and nobody else but the stack's other workloads
 * (each once: one conditional grant per workload, docs/workloads.md).
 */
function expectGrantedOnce(pair: Pair, principal: string): void {
  const grants = rec.ofType(T.member).map((m) => m.inputs.member as string);
  if (!pair.workload) return void expect(grants).toEqual([principal]);
  expect(grants.filter((g) => g === principal)).toHaveLength(1);
  expect(new Set(grants).size).toBe(workloadCount(pair));
  expect(grants).toHaveLength(workloadCount(pair));
}

let nock: Awaited<ReturnType<typeof interceptNetwork>>;
beforeAll(async () => {
  nock = await interceptNetwork();
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const TOKEN_RESPONSE = {
  access_token: "ya29.conformance",
  issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
  token_type: "Bearer",
  expires_in: 3600,
};

/** The one pool provider the pair registered: its full resource name, issuer, audiences, mapping. */
function poolProvider() {
  const p = rec.one(T.provider).inputs;
  return {
    pool: `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${p.workloadIdentityPoolId}`,
    resourceName: `//iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${p.workloadIdentityPoolId}/providers/${p.workloadIdentityPoolProviderId}`,
    issuer: p.oidc.issuerUri as string,
    allowedAudiences: p.oidc.allowedAudiences as string[],
    mapping: p.attributeMapping as Record<string, string>,
    condition: p.attributeCondition as string | undefined,
  };
}

/** Exchanges the pod's credentials with GoogleAuth; returns what it sent to Google's STS. */
async function exchange(admitted: Admitted, project: string): Promise<Record<string, string>> {
  let sent: Record<string, string> | undefined;
  const sts = nock("https://sts.googleapis.com")
    .post("/v1/token")
    .reply(async (req: Request) => {
      sent = bodyOf(await req.text());
      return [200, TOKEN_RESPONSE];
    });
  const token = await withPodEnv(admitted.layout.env, async () => {
    // The project given, as the application's Storage client would: else the library looks it up
    // in Cloud Resource Manager (googleauth.ts getExternalAccountClientProjectId), which the
    // bucket-only grant does not allow.
    const auth = new GoogleAuth({ scopes: [SCOPE], projectId: project });
    const client = await auth.getClient();
    return (await client.getAccessToken()).token;
  });
  expect(sts.isDone()).toBe(true);
  expect(token).toBe(TOKEN_RESPONSE.access_token);
  return sent!;
}

describe.each(FEDERATED)("$name: google-auth-library, external_account", (pair) => {
  let admitted: Admitted;
  beforeAll(async () => {
    const run = await evaluate(rec, pair.stack, pair.config);
    admitted = await admitVerificationPod(rec, run, TENANT, pair.workload);
  });
  afterAll(() => admitted?.layout.remove());

  test("exchanges the token projected for the provider's audience at Google's STS, naming the provider by its full resource name", async () => {
    const provider = poolProvider();
    const sent = await exchange(admitted, pair.config["gcp:project"]);
    // What Google's STS reads (https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token).
    expect(sent.grant_type).toBe("urn:ietf:params:oauth:grant-type:token-exchange");
    expect(sent.audience).toBe(provider.resourceName);
    expect(sent.subject_token_type).toBe("urn:ietf:params:oauth:token-type:jwt");
    expect(sent.requested_token_type).toBe("urn:ietf:params:oauth:token-type:access_token");
    expect(sent.scope).toBe(SCOPE);
    // The assertion is the token the kubelet projected for an audience the provider allows, from
    // the issuer the provider trusts.
    const projected = [...admitted.layout.tokens.values()].find(
      (t) => t.jwt === sent.subject_token,
    );
    expect(projected, "the subject token is a projected token").toBeDefined();
    const aud = projected!.claims.aud as string[];
    expect(aud).toHaveLength(1);
    expect(provider.allowedAudiences).toContain(aud[0]);
    expect(projected!.claims.iss).toBe(provider.issuer);
    expect(provider.issuer).toBe(admitted.issuer);
  });

  test("the principal Google computes from the token (the provider's google.subject mapping) is the one the bucket grants", async () => {
    const provider = poolProvider();
    const sent = await exchange(admitted, pair.config["gcp:project"]);
    const projected = [...admitted.layout.tokens.values()].find(
      (t) => t.jwt === sent.subject_token,
    );
    // Only `google.subject` is mapped, and no condition: every attribute Google computes is known.
    expect(Object.keys(provider.mapping)).toEqual(["google.subject"]);
    expect(provider.condition ?? "").toBe("");
    const subject = celAttribute(provider.mapping["google.subject"], projected!.claims);
    expect(subject).toBe(subjectOf(admitted.pod));
    const principal = `principal://iam.googleapis.com/${provider.pool}/subject/${subject}`;
    expectGrantedOnce(pair, principal);
  });

  test("the credential file is exactly what Google documents for a file-sourced OIDC token, no impersonation", () => {
    const file = admitted.layout.env.GOOGLE_APPLICATION_CREDENTIALS;
    const config = JSON.parse(admitted.layout.read(admitted.layout.podPath(file))) as Record<
      string,
      any
    >;
    const provider = poolProvider();
    // https://google.aip.dev/auth/4117 (external_account, file-sourced credentials).
    expect(config).toEqual({
      universe_domain: "googleapis.com",
      type: "external_account",
      audience: provider.resourceName,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      credential_source: { file: config.credential_source.file, format: { type: "text" } },
    });
    // The token file it names is the one projected for the provider's audience.
    const projected = [...admitted.layout.tokens.values()].filter((t) =>
      provider.allowedAudiences.includes((t.claims.aud as string[])[0]),
    );
    expect(projected.map((t) => t.podPath)).toEqual([config.credential_source.file]);
  });
});

describe.each(GKE)("$name: google-auth-library, the GKE metadata server", (pair) => {
  let admitted: Admitted;
  beforeAll(async () => {
    const run = await evaluate(rec, pair.stack, pair.config);
    admitted = await admitVerificationPod(rec, run, TENANT, pair.workload);
  });
  afterAll(() => admitted?.layout.remove());

  test("finds no credentials in the pod, asks the metadata server, and the bucket grants the pod's own principal", async () => {
    const { layout, pod } = admitted;
    // Nothing in the pod may steer the library away from the metadata server.
    expect(
      Object.keys(layout.env).filter((k) => /^(GOOGLE_|GCE_|METADATA_SERVER_)/.test(k)),
    ).toEqual([]);
    expect(layout.tokens.size).toBe(0);
    // gcp-metadata pings both addresses (build/src/index.js HOST_ADDRESS, SECONDARY_HOST_ADDRESS)
    // and requires the `Metadata-Flavor: Google` response header.
    const flavor = { "Metadata-Flavor": "Google" };
    const asked: string[] = [];
    for (const host of ["http://169.254.169.254", "http://metadata.google.internal."]) {
      nock(host, { reqheaders: { "metadata-flavor": "Google" } })
        .persist()
        .get(/^\/computeMetadata\/v1\/.*/)
        .reply((req: Request) => {
          const url = new URL(req.url);
          asked.push(url.pathname);
          if (url.pathname === "/computeMetadata/v1/instance") return [200, "", flavor];
          if (url.pathname === "/computeMetadata/v1/instance/service-accounts/default/token") {
            return [
              200,
              { access_token: "ya29.gke", expires_in: 3600, token_type: "Bearer" },
              flavor,
            ];
          }
          return [404, "", flavor];
        });
    }
    const token = await withPodEnv(layout.env, async () => {
      const auth = new GoogleAuth({ scopes: [SCOPE] });
      return (await (await auth.getClient()).getAccessToken()).token;
    });
    expect(token).toBe("ya29.gke");
    expect(asked).toContain("/computeMetadata/v1/instance/service-accounts/default/token");

    // The GKE metadata server answers with the pod's own principal, in the cluster's pool
    // (https://cloud.google.com/kubernetes-engine/docs/concepts/workload-identity#principal-id).
    const project = pair.config["gcp:project"];
    const principal = `principal://iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${project}.svc.id.goog/subject/ns/${pod.namespace}/sa/${pod.serviceAccount}`;
    expectGrantedOnce(pair, principal);
    // The metadata server answers only on GKE_METADATA nodes: the node pool the stack creates
    // says so (an adopted cluster's pools are checked at preview: test/gcp-adopt.test.ts).
    for (const np of rec.ofType(T.nodePool)) {
      expect(np.inputs.nodeConfig.workloadMetadataConfig).toEqual({ mode: "GKE_METADATA" });
    }
  });
});
