/**
 * Cross-cloud pairs: the storage side trusts the cluster's OIDC issuer, and the pod carries a token
 * for exactly the audience that trust expects. For every pair the program supports, the issuer,
 * the audience and the subject must agree between the binding and the pod spec (an audience
 * mismatch is the most common real-world failure), and the Job must use the right credential flow.
 *
 * What mocks cannot prove: that the storage cloud fetches the issuer's keys (it does so live when
 * the token is presented), nor how each cloud normalises an issuer URL (a trailing `/` on AWS is
 * unverified).
 */
import { describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig, stackNames, STORAGE_OVERRIDES } from "../offline/evaluate";
import { statements } from "../offline/iam";
import { installMocks, valueOf, type Recorder } from "../offline/mocks";
import type { ClusterKind, StorageKind } from "../src/core";
import { CLUSTERS, SUPPORTED_PAIRS } from "../src/registry";

const rec = installMocks();
/** The long-running pod and the verification Job (the denial Job runs as another identity). */
const PODS = [
  ["kubernetes:apps/v1:Deployment", "-shell"],
  ["kubernetes:batch/v1:Job", "-verify"],
] as const;

/** What the storage side trusts, read off the resources it registered. */
interface Trust {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly subject: string;
}

function trustOf(storage: StorageKind, r: Recorder): Trust {
  switch (storage) {
    case "s3": {
      const oidc = r.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      const role = r.one("aws:iam/role:Role", "-binding-role");
      const [s] = statements(role.inputs.assumeRolePolicy);
      expect(s.Action).toEqual(["sts:AssumeRoleWithWebIdentity"]);
      expect(Object.keys(s.Condition!)).toEqual(["StringEquals"]);
      const eq = s.Condition!.StringEquals as Record<string, string>;
      const host = String(oidc.inputs.url).replace(/^https:\/\//, "");
      expect(Object.keys(eq).sort()).toEqual([`${host}:aud`, `${host}:sub`]);
      expect(oidc.inputs.clientIdLists).toEqual([eq[`${host}:aud`]]);
      return {
        issuer: oidc.inputs.url,
        audiences: [eq[`${host}:aud`]],
        subject: eq[`${host}:sub`],
      };
    }
    case "gcs": {
      const provider = r.one("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
      const member: string = r.one("gcp:storage/bucketIAMMember:BucketIAMMember").inputs.member;
      return {
        issuer: provider.inputs.oidc.issuerUri,
        audiences: provider.inputs.oidc.allowedAudiences,
        subject: member.split("/subject/")[1],
      };
    }
    case "blob": {
      const fic = r.one("azure-native:managedidentity:FederatedIdentityCredential");
      return {
        issuer: fic.inputs.issuer,
        audiences: fic.inputs.audiences,
        subject: fic.inputs.subject,
      };
    }
  }
}

/** The credential flow each storage cloud's Job must use with a projected token. */
const FLOW: Record<StorageKind, { env: string[]; login?: RegExp }> = {
  s3: { env: ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"] },
  gcs: { env: ["GOOGLE_APPLICATION_CREDENTIALS"], login: /gcloud auth login --cred-file=/ },
  blob: {
    env: [
      "AZURE_CLIENT_ID",
      "AZURE_TENANT_ID",
      "AZURE_FEDERATED_TOKEN_FILE",
      "AZURE_AUTHORITY_HOST",
    ],
    login:
      /az login --service-principal .*--federated-token "\$\(cat "\$AZURE_FEDERATED_TOKEN_FILE"\)"/,
  },
};

const crossPairs = SUPPORTED_PAIRS.filter(([c, s]) => CLUSTERS[c].nativeStorage !== s);
/** A stack file for a pair, if the project ships one. */
const stackFor = (c: ClusterKind, s: StorageKind) =>
  stackNames().find((n) => {
    const cfg = exampleStackConfig(n);
    return cfg["workload-identity:cluster"] === c && cfg["workload-identity:storage"] === s;
  });
/**
 * The example of a pair: its stack file, or, for the external cluster (which ships one file, for
 * S3), that file with the storage's `--config` overrides (docs/external.md shows them).
 */
const exampleFor = (c: ClusterKind, s: StorageKind) => {
  const own = stackFor(c, s);
  if (own) return { stack: own, config: exampleStackConfig(own) };
  const base = c === "external" ? stackFor(c, "s3") : undefined;
  return base ? { stack: base, config: exampleStackConfig(base, STORAGE_OVERRIDES[s]) } : undefined;
};

describe.each(crossPairs)("%s → %s", (cluster, storage) => {
  test("ships a stack file (external: one, for S3, the others by --config)", () => {
    expect(exampleFor(cluster, storage)).toBeDefined();
    if (cluster !== "external") expect(stackFor(cluster, storage)).toBeDefined();
  });

  test("issuer, audience and subject agree between the trust and the pod", async () => {
    const { stack, config } = exampleFor(cluster, storage)!;
    const run = await evaluate(rec, stack, config);
    const trust = trustOf(storage, rec);

    // The issuer is the cluster's, verbatim (with https://, trailing '/' kept on AKS).
    expect(trust.issuer).toBe(await valueOf(run.outputs.oidcIssuerUrl));
    expect(trust.issuer.startsWith("https://")).toBe(true);

    const sa = rec.one("kubernetes:core/v1:ServiceAccount", "-sa").inputs.metadata;
    expect(trust.subject).toBe(`system:serviceaccount:${sa.namespace}:${sa.name}`);

    for (const [type, suffix] of PODS) {
      const spec = rec.one(type, suffix).inputs.spec.template.spec;
      expect(spec.serviceAccountName).toBe(sa.name);
      const tokens = spec.volumes.filter((v: any) => v.projected);
      expect(tokens).toHaveLength(1);
      const token = tokens[0].projected.sources[0].serviceAccountToken;
      // The pod's token is minted for an audience the trust accepts.
      expect(trust.audiences).toContain(token.audience);
      expect(token.expirationSeconds).toBeGreaterThanOrEqual(600);
      const mount = spec.containers[0].volumeMounts.find((m: any) => m.name === tokens[0].name);
      expect(mount.readOnly).toBe(true);
      // The env points the cloud's SDK/CLI at that very file.
      const env = Object.fromEntries(spec.containers[0].env.map((e: any) => [e.name, e.value]));
      for (const name of FLOW[storage].env) expect(env[name], name).toBeDefined();
      const tokenFile = `${mount.mountPath}/${token.path}`;
      if (storage === "s3") expect(env.AWS_WEB_IDENTITY_TOKEN_FILE).toBe(tokenFile);
      if (storage === "blob") expect(env.AZURE_FEDERATED_TOKEN_FILE).toBe(tokenFile);
      if (storage === "gcs") {
        const files = rec.one("kubernetes:core/v1:ConfigMap").inputs.data;
        const config = JSON.parse(Object.values(files)[0] as string);
        expect(config.credential_source.file).toBe(tokenFile);
      }
      // No webhook is involved: nothing on the ServiceAccount or the pod asks for one.
      expect(Object.keys(sa.annotations ?? {})).toEqual([]);
    }

    const script: string = rec.one("kubernetes:batch/v1:Job", "-verify").inputs.spec.template.spec
      .containers[0].command[2];
    const login = FLOW[storage].login;
    if (login) expect(script).toMatch(login);
    else expect(script).not.toMatch(/login/);
  });
});
