/**
 * `cluster: external` under mocks: a cluster the stack only connects to, reading S3, GCS and Blob
 * through federation with tokens the pods project. The trust must name exactly the configured
 * issuer (nothing reports it: a typo there is a 403 at run time), the pods must carry a token for
 * the audience that trust expects and start only after the binding and the issuer check, both
 * proofs must be present, and nothing of a cloud cluster may be registered.
 *
 * What this cannot prove: that the cluster behind the kubeconfig is reachable, that its API server
 * really signs tokens with the configured issuer, or that the storage cloud can fetch the issuer's
 * key set: the issuer check (test/external-issuer.test.ts) and the verification Job prove those
 * on a real `pulumi up`.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  evaluate,
  EXAMPLE_KUBECONFIG,
  exampleStackConfig,
  STORAGE_OVERRIDES,
  type Evaluation,
} from "../offline/evaluate";
import { identityChain } from "../offline/chain";
import { statements } from "../offline/iam";
import { installMocks, isSecret, valueOf, type Recorded } from "../offline/mocks";
import { checkLimits, parseConfig } from "../src/config";
import type { StorageKind } from "../src/core";
import { CLUSTERS } from "../src/registry";

const rec = installMocks();
const STACK = "external-s3";
const ISSUER = "https://oidc.example.com/clusters/demo";

const STORAGE_CLOUD = { s3: "aws", gcs: "gcp", blob: "azure" } as const;

const T = {
  provider: "pulumi:providers:kubernetes",
  check: "pulumi-nodejs:dynamic:Resource",
  sa: "kubernetes:core/v1:ServiceAccount",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  role: "aws:iam/role:Role",
  pool: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  member: "gcp:storage/bucketIAMMember:BucketIAMMember",
  fic: "azure-native:managedidentity:FederatedIdentityCredential",
} as const;

/** The issuer each storage's trust names, and the resources that hold the trust. */
function trustOf(storage: StorageKind): {
  issuers: string[];
  audiences: string[];
  holders: Recorded[];
} {
  switch (storage) {
    case "s3": {
      const oidc = rec.one(T.oidc);
      const role = rec.one(T.role, "-binding-role");
      const [s] = statements(role.inputs.assumeRolePolicy);
      const eq = s.Condition!.StringEquals as Record<string, string>;
      const hosts = Object.keys(eq).map((k) => k.replace(/:(aud|sub)$/, ""));
      return {
        issuers: [oidc.inputs.url, ...hosts.map((h) => `https://${h}`)],
        audiences: [eq[`${hosts[0]}:aud`]],
        holders: [oidc, role],
      };
    }
    case "gcs": {
      const provider = rec.one(T.pool);
      return {
        issuers: [provider.inputs.oidc.issuerUri],
        audiences: provider.inputs.oidc.allowedAudiences,
        holders: [provider, rec.one(T.member)],
      };
    }
    case "blob": {
      const fic = rec.one(T.fic);
      return { issuers: [fic.inputs.issuer], audiences: fic.inputs.audiences, holders: [fic] };
    }
  }
}

describe.each(["s3", "gcs", "blob"] as const)("external → %s", (storage) => {
  let run: Evaluation;
  beforeAll(async () => {
    run = await evaluate(rec, STACK, exampleStackConfig(STACK, STORAGE_OVERRIDES[storage]));
  });

  test("the trust names exactly the configured issuer", async () => {
    const trust = trustOf(storage);
    expect(trust.issuers.length).toBeGreaterThan(0);
    for (const issuer of trust.issuers) expect(issuer).toBe(ISSUER);
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(ISSUER);
  });

  test("the pods project a token for the audience the trust accepts, and start after the trust and the issuer check", () => {
    const trust = trustOf(storage);
    const check = rec.one(T.check);
    const agent = rec.one("workload-identity:external:IdentityAgent");
    expect(check.parent).toBe(agent.urn);
    expect(check.inputs.issuerUrl).toBe(ISSUER);
    const sa = rec.one(T.sa, "-sa");
    for (const r of [rec.one(T.deployment), rec.one(T.job, "-verify"), rec.one(T.job, "-deny")]) {
      const spec = r.inputs.spec.template.spec;
      const sources = spec.volumes
        .flatMap((v: any) => v.projected?.sources ?? [])
        .filter((s: any) => s.serviceAccountToken);
      expect(sources, r.name).toHaveLength(1);
      expect(trust.audiences).toContain(sources[0].serviceAccountToken.audience);
      // The verification and the shell pod wait for it directly, the denial after the verification.
      expect(rec.dependsOn(r, check), `${r.name} → issuer check`).toBe(true);
      if (!r.name.endsWith("-deny")) expect(r.dependencies, r.name).toContain(check.urn);
      for (const holder of trust.holders) {
        expect(rec.dependsOn(r, holder), `${r.name} → ${holder.name}`).toBe(true);
      }
    }
    expect(rec.one(T.job, "-verify").inputs.spec.template.spec.serviceAccountName).toBe(
      sa.inputs.metadata.name,
    );
    expect(rec.one(T.job, "-deny").inputs.spec.template.spec.serviceAccountName).not.toBe(
      sa.inputs.metadata.name,
    );
  });

  test("the cluster side is the external Cluster and IdentityAgent, once each, beside the storage's", () => {
    // Top-level components: those whose parent is no component of ours.
    const ours = new Set(
      rec.resources.filter((r) => r.type.startsWith("workload-identity:")).map((r) => r.urn),
    );
    const components = rec.resources
      .filter((r) => r.type.startsWith("workload-identity:") && !ours.has(r.parent))
      .map((r) => r.type.split(":").slice(1).join(":"));
    expect(components.filter((t) => t.startsWith("external:")).sort()).toEqual([
      "external:Cluster",
      "external:IdentityAgent",
    ]);
    expect(components.filter((t) => t === "k8s:DemoWorkload")).toHaveLength(1);
    expect(components.filter((t) => t.startsWith(`${STORAGE_CLOUD[storage]}:`)).length).toBe(2);
  });

  test("no cloud cluster: only the components, the provider, the check and the storage's resources", () => {
    const types = new Set(rec.resources.map((r) => r.type));
    for (const t of types) {
      expect(t, "a cloud cluster resource").not.toMatch(
        /^aws:eks|^eks:|^gcp:container|^azure-native:containerservice|^aws:ec2|^gcp:compute/,
      );
    }
    expect(rec.ofType(T.provider)).toHaveLength(1);
    // Every Kubernetes object goes through the provider built from the configured kubeconfig.
    const provider = rec.one(T.provider);
    for (const r of rec.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect(rec.providerUrn(r), r.name).toBe(provider.urn);
    }
  });

  test("the Kubernetes provider is built from the configured kubeconfig, as a secret, and adopts nothing", async () => {
    const provider = rec.one(T.provider);
    expect(provider.inputs.kubeconfig).toBe(EXAMPLE_KUBECONFIG);
    expect(provider.secretInputs).toContain("kubeconfig");
    // The Kubernetes provider SDK hands its settings to the engine as strings.
    expect(provider.inputs.upsertExistingObjects).toBe("false");
    expect(provider.parent).toBe(rec.one("workload-identity:external:Cluster").urn);
    expect(await isSecret(run.outputs.kubeconfig)).toBe(true);
    expect(await valueOf(run.outputs.kubeconfig)).toBe(EXAMPLE_KUBECONFIG);
    expect(await valueOf(run.outputs.clusterName)).toBe("example-cluster");
  });
});

describe("external: limits on the configured issuer exactly", () => {
  const raw = (oidcIssuerUrl: string) => ({
    ...{ cluster: "external", storage: "s3", "aws:region": "eu-north-1" },
    ...{ kubeconfig: EXAMPLE_KUBECONFIG, oidcIssuerUrl },
    ...{ namespace: "n".repeat(63), serviceAccount: "s".repeat(245) },
  });

  test("the worst case is the configured issuer, so long names fit a short issuer", () => {
    const config = checkLimits(parseConfig(raw(ISSUER), "x"));
    expect(CLUSTERS.external.worstCaseIssuer(config)).toBe(ISSUER);
  });

  test("…and a long issuer is refused by S3's trust policy size, before anything exists", () => {
    const long = `https://oidc.example.com/${"p".repeat(800)}`;
    expect(() => checkLimits(parseConfig(raw(long), "x"))).toThrow(
      "config `namespace`/`serviceAccount`: the role's trust policy could reach",
    );
  });
});

describe("external: the plan", () => {
  test("says the issuer check is skipped offline and what `pulumi up` will fetch", async () => {
    const run = await evaluate(rec, STACK);
    const steps = await identityChain(rec, run);
    expect(steps.map((s) => s.step).slice(0, 3)).toEqual([
      "cluster",
      "OIDC issuer",
      "issuer check",
    ]);
    expect(steps[0].detail).toBe(
      "EXTERNAL (external: reached through its kubeconfig, never changed) in cluster example-cluster of the configured kubeconfig",
    );
    expect(steps[2].detail).toContain(
      `skipped offline; \`pulumi up\` fetches ${ISSUER}/.well-known/openid-configuration and its jwks_uri`,
    );
  });
});

describe("external: bad input is refused before any resource exists", () => {
  const base = exampleStackConfig(STACK);
  const cases: [string, Record<string, string>, string][] = [
    [
      "no kubeconfig",
      { "workload-identity:kubeconfig": "" },
      'config `kubeconfig`: required with cluster external, got nothing; set it as a secret with `pulumi config set --secret kubeconfig "$(cat ~/.kube/config)"`',
    ],
    [
      "an http issuer",
      { "workload-identity:oidcIssuerUrl": "http://oidc.example.com" },
      'config `oidcIssuerUrl`: expected the cluster\'s issuer as an https:// URL with no query or fragment, exactly as its tokens carry it in `iss` (kubectl get --raw /.well-known/openid-configuration), got "http://oidc.example.com"',
    ],
    [
      "an issuer with a query",
      { "workload-identity:oidcIssuerUrl": "https://oidc.example.com/?x=1" },
      '"https://oidc.example.com/?x=1"',
    ],
    [
      "an issuer with an empty query",
      { "workload-identity:oidcIssuerUrl": "https://oidc.example.com/?" },
      '"https://oidc.example.com/?"',
    ],
    [
      "no issuer",
      { "workload-identity:oidcIssuerUrl": "" },
      "config `oidcIssuerUrl`: expected the cluster's issuer",
    ],
    [
      "a kubeconfig with no current context",
      {
        "workload-identity:kubeconfig": EXAMPLE_KUBECONFIG.replace(/current-context: .*\n/, ""),
      },
      "config `kubeconfig`: the value set has no current-context",
    ],
    [
      "a kubeconfig that is not YAML",
      { "workload-identity:kubeconfig": "clusters: [\n  token: s3cr3t-value" },
      "config `kubeconfig`: the value set is not YAML",
    ],
    [
      "a current context naming no cluster",
      {
        "workload-identity:kubeconfig": EXAMPLE_KUBECONFIG.replace(
          "current-context: example",
          "current-context: other",
        ),
      },
      'config `kubeconfig`: the value set names current-context "other", but no context of that name names a cluster',
    ],
    [
      "existingCluster with an external cluster",
      { "workload-identity:existingCluster": "prod" },
      "config `existingCluster`: cluster external cannot adopt an existing cluster",
    ],
  ];

  test.each(cases)("%s", async (_what, overrides, message) => {
    await expect(evaluate(rec, STACK, { ...base, ...overrides })).rejects.toThrow(message);
    expect(rec.resources).toEqual([]);
  });

  test("a refused kubeconfig is never printed", async () => {
    const secret = "s3cr3t-value";
    for (const kubeconfig of [
      `clusters: [\n  token: ${secret}`,
      EXAMPLE_KUBECONFIG.replace("example-token", secret).replace(/current-context: .*\n/, ""),
      `users: [{name: u, user: {token: ${secret}}}]\n`,
    ]) {
      const error = await evaluate(rec, STACK, {
        ...base,
        "workload-identity:kubeconfig": kubeconfig,
      }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(String(error?.message)).not.toContain(secret);
      expect(rec.resources).toEqual([]);
    }
  });

  test("kubeconfig and oidcIssuerUrl apply only to cluster external", async () => {
    const dev = exampleStackConfig("dev");
    await expect(
      evaluate(rec, "dev", { ...dev, "workload-identity:kubeconfig": EXAMPLE_KUBECONFIG }),
    ).rejects.toThrow(
      "config `kubeconfig`: applies only to cluster external, got a value with cluster eks",
    );
    await expect(
      evaluate(rec, "dev", { ...dev, "workload-identity:oidcIssuerUrl": ISSUER }),
    ).rejects.toThrow("config `oidcIssuerUrl`: applies only to cluster external");
    expect(rec.resources).toEqual([]);
  });
});
