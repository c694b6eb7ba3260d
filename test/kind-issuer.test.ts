/**
 * cluster: kind, for each storage: the issuer the program publishes is the one the storage trusts
 * and the kind cluster signs for, and a token signed the way kube-apiserver signs it verifies
 * against exactly what is published, judged by a standard JOSE library (jose), not by our own
 * idea of the format. The signing key is made here and handed to the program as the tls
 * provider's answer; the kid in the token's header is computed here, independently of the
 * program, as kubernetes pkg/serviceaccount/jwt.go `keyIDFromPublicKey` does.
 *
 * What mocks cannot prove: that the clouds fetch these documents over the internet (a bucket
 * policy or an account-level Block Public Access setting the mock cannot see may refuse them), that
 * kind applies the kubeadm patch (the create command checks that at `pulumi up`), or that STS,
 * Google STS and Entra accept the token (they are not called).
 */
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { beforeAll, describe, expect, test } from "vitest";
import { statements } from "../offline/iam";
import { installMocks, isSecret, valueOf, type Recorded, type Recorder } from "../offline/mocks";
import { checkAll, type PolicyResource } from "../policy/rules";
import { STORAGE_KINDS, type StorageKind } from "../src/core";
import {
  evaluateWithKey,
  KIND_STACKS,
  kindCommands,
  kindConfigOf,
  publishedObjects,
} from "./support/kind";

const rec = installMocks();
/** jose is an ES module: loaded with `import()` from this CommonJS test. */
let jose: typeof import("jose", { with: { "resolution-mode": "import" } });
beforeAll(async () => {
  jose = await import("jose");
});

/** What the storage side trusts, read off what it registered. */
function trustOf(storage: StorageKind, r: Recorder) {
  switch (storage) {
    case "s3": {
      const oidc = r.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      const role = r.one("aws:iam/role:Role", "-binding-role");
      const eq = statements(role.inputs.assumeRolePolicy)[0].Condition!.StringEquals as Record<
        string,
        string
      >;
      const host = String(oidc.inputs.url).replace(/^https:\/\//, "");
      return {
        issuer: String(oidc.inputs.url),
        audience: eq[`${host}:aud`],
        subject: eq[`${host}:sub`],
      };
    }
    case "gcs": {
      const provider = r.one("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
      const member = String(r.one("gcp:storage/bucketIAMMember:BucketIAMMember").inputs.member);
      expect(provider.inputs.oidc.jwksJson).toBeUndefined();
      return {
        issuer: String(provider.inputs.oidc.issuerUri),
        audience: provider.inputs.oidc.allowedAudiences[0] as string,
        subject: member.split("/subject/")[1],
      };
    }
    case "blob": {
      const fic = r.one("azure-native:managedidentity:FederatedIdentityCredential");
      return {
        issuer: String(fic.inputs.issuer),
        audience: fic.inputs.audiences[0] as string,
        subject: String(fic.inputs.subject),
      };
    }
  }
}

/** Each cloud's audience for Kubernetes tokens. */
const AUDIENCE: Record<StorageKind, RegExp> = {
  s3: /^sts\.amazonaws\.com$/,
  gcs: /^https:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/kubernetes$/,
  blob: /^api:\/\/AzureADTokenExchange$/,
};

/** kube-apiserver's kid, computed here from jose's SPKI export (PEM body = DER, base64). */
async function apiServerKid(publicKey: KeyObject): Promise<string> {
  const pem = await jose.exportSPKI(publicKey);
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  return createHash("sha256").update(der).digest("base64url");
}

/** A token as kube-apiserver issues a projected ServiceAccount token. */
function saToken(
  claims: { iss: string; sub: string; aud: string },
  kid: string,
  key: KeyObject,
): Promise<string> {
  const [, , namespace, serviceAccount] = claims.sub.split(":");
  return new jose.SignJWT({
    "kubernetes.io": { namespace, serviceaccount: { name: serviceAccount, uid: "0b1c" } },
  })
    .setProtectedHeader({ alg: "RS256", kid })
    .setIssuer(claims.iss)
    .setSubject(claims.sub)
    .setAudience(claims.aud)
    .setIssuedAt()
    .setNotBefore("0s")
    .setExpirationTime("1h")
    .sign(key);
}

/** A recorded resource as CrossGuard hands it to the pack's rules (stack rules: URN, dependencies). */
/** The pack's marker on a bucket or account (policy/issuer.ts). */
const MARKER = { "workload-identity-purpose": "oidc-issuer" };

const policyResource = (r: Recorded): PolicyResource => ({
  type: r.type,
  name: r.name,
  urn: r.urn,
  props: r.inputs,
  dependencies: r.dependencies,
});

describe.each(STORAGE_KINDS)("kind → %s", (storage) => {
  const stack = KIND_STACKS[storage];
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPair = {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
  let issuerOutput: string;
  let resources: Recorded[];
  let view: Recorder;
  let kubeconfigSecret: boolean;
  let kubeconfig: string;

  beforeAll(async () => {
    const run = await evaluateWithKey(rec, stack, keyPair);
    issuerOutput = await valueOf(run.outputs.oidcIssuerUrl);
    kubeconfigSecret = await isSecret(run.outputs.kubeconfig);
    kubeconfig = await valueOf(run.outputs.kubeconfig);
    // A copy: other files' evaluations reuse the recorder.
    resources = [...rec.resources];
    view = Object.assign(Object.create(Object.getPrototypeOf(rec)), { resources, invokes: [] });
  });

  const documents = () => {
    const objects = publishedObjects(view, storage);
    const byPath = Object.fromEntries(objects.map((o) => [o.path, o]));
    return {
      objects,
      discovery: JSON.parse(byPath[".well-known/openid-configuration"].content),
      jwks: JSON.parse(byPath["openid/v1/jwks"].content),
    };
  };

  test("one issuer everywhere: published, trusted by the storage, given to the API server", () => {
    const trust = trustOf(storage, view);
    const { discovery } = documents();
    const { patch } = kindConfigOf(view);
    const args = patch.apiServer.extraArgs;
    expect(trust.issuer).toBe(issuerOutput);
    expect(discovery.issuer).toBe(issuerOutput);
    expect(args["service-account-issuer"]).toBe(issuerOutput);
    expect(kindCommands(view).cluster.inputs.environment.ISSUER).toBe(issuerOutput);
    expect(discovery.jwks_uri).toBe(`${issuerOutput}/openid/v1/jwks`);
    expect(args["service-account-jwks-uri"]).toBe(discovery.jwks_uri);
    expect(trust.audience).toMatch(AUDIENCE[storage]);
    expect(trust.subject).toBe("system:serviceaccount:demo:demo");
  });

  test("a token signed as kube-apiserver signs it verifies against the published key set", async () => {
    const trust = trustOf(storage, view);
    const { discovery, jwks } = documents();
    const kid = await apiServerKid(publicKey);
    // Not the RFC 7638 thumbprint (a plausible mix-up): kube-apiserver hashes the DER key.
    expect(kid).not.toBe(await jose.calculateJwkThumbprint(jwks.keys[0]));
    const token = await saToken(
      { iss: issuerOutput, sub: trust.subject, aud: trust.audience },
      kid,
      privateKey,
    );
    const keySet = jose.createLocalJWKSet(jwks);
    const { payload, protectedHeader } = await jose.jwtVerify(token, keySet, {
      issuer: discovery.issuer,
      audience: trust.audience,
      algorithms: discovery.id_token_signing_alg_values_supported,
    });
    expect(payload.sub).toBe(trust.subject);
    expect(protectedHeader.kid).toBe(jwks.keys[0].kid);

    // Another key with the same kid is refused; so is our key under another kid.
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const forged = await saToken(
      { iss: issuerOutput, sub: trust.subject, aud: trust.audience },
      kid,
      other,
    );
    await expect(jose.jwtVerify(forged, keySet)).rejects.toThrow(/signature/);
    const stray = await saToken(
      { iss: issuerOutput, sub: trust.subject, aud: trust.audience },
      "another-kid",
      privateKey,
    );
    await expect(jose.jwtVerify(stray, keySet)).rejects.toThrow(/no applicable key/i);
  });

  test("the documents meet the clouds' stated requirements", () => {
    const { discovery, jwks, objects } = documents();
    const url = new URL(discovery.issuer);
    // https, no query, fragment or port (AWS CreateOpenIDConnectProvider; OIDC Discovery §4.3).
    expect([url.protocol, url.search, url.hash, url.port]).toEqual(["https:", "", "", ""]);
    expect(discovery.issuer).not.toMatch(/[?#]|\/$/);
    // Entra: an issuer of at most 600 characters.
    expect(discovery.issuer.length).toBeLessThanOrEqual(600);
    expect(discovery).toEqual({
      issuer: issuerOutput,
      jwks_uri: `${issuerOutput}/openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    // Google's oidc.jwksJson accepts kty, alg, use, kid, n, e, x, y, crv: these are a subset.
    expect(Object.keys(key).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
    expect([key.kty, key.alg, key.use, key.e]).toEqual(["RSA", "RS256", "sig", "AQAB"]);
    expect(Buffer.from(key.n, "base64url").length * 8).toBeGreaterThanOrEqual(2048);
    for (const o of objects) expect(o.contentType, o.path).toBe("application/json");
  });

  test("exactly the two documents are public, and the data stays private", () => {
    const objects = publishedObjects(view, storage);
    expect(objects.map((o) => o.path).sort()).toEqual([
      ".well-known/openid-configuration",
      "openid/v1/jwks",
    ]);
    // The pack passes on the stack as the program registers it, issuer included (its exemption:
    // docs/guardrails.md); test/policy/*.ts hold each rule's own cases.
    const stackResources = resources.map(policyResource);
    expect(checkAll(stackResources)).toEqual([]);
    /** What the pack reports once one resource is changed by `edit`: `<rule> <resource name>`. */
    const broadened = (type: string, suffix: string, edit: (props: any) => void) => {
      const target = view.one(type, suffix);
      const edited = stackResources.map((x) => {
        if (x.urn !== target.urn) return x;
        const props = structuredClone(x.props) as any;
        edit(props);
        return { ...x, props };
      });
      return checkAll(edited).map(
        ({ rule, message }) => `${rule} ${/^\S+ (\S+): /.exec(message)![1]}`,
      );
    };
    const name = (suffix: string) => `wi-${stack}-${suffix}`;
    const prefix = name("issuer-");
    if (storage === "s3") {
      const issuerBucket = view.one("aws:s3/bucket:Bucket", "-issuer-bucket");
      const policy = view.one("aws:s3/bucketPolicy:BucketPolicy", "-issuer-policy");
      const arn = `arn:aws:s3:::${issuerBucket.name}-a1b2c3d`;
      const allows = statements(policy.inputs.policy).filter((s) => s.Effect === "Allow");
      expect(allows).toEqual([
        expect.objectContaining({
          Principal: "*",
          Action: ["s3:GetObject"],
          Resource: [`${arn}/.well-known/openid-configuration`, `${arn}/openid/v1/jwks`],
        }),
      ]);
      const pab = view.one(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "-issuer-public-access",
      );
      expect(pab.inputs).toMatchObject({ blockPublicAcls: true, ignorePublicAcls: true });
      expect(
        view.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "-issuer-ownership")
          .inputs.rule,
      ).toEqual({ objectOwnership: "BucketOwnerEnforced" });
      expect(issuerBucket.inputs.acl).toBeUndefined();
      expect(issuerBucket.inputs.tags).toMatchObject(MARKER);
      // Every object in the issuer bucket is one of the two.
      const inIssuer = view
        .ofType("aws:s3/bucketObjectv2:BucketObjectv2")
        .filter((o) => o.dependencies.includes(issuerBucket.urn));
      expect(inIssuer).toHaveLength(2);
      // The data bucket: all four flags on, and its policy allows no one.
      const data = view.one(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "-storage-public-access",
      );
      expect(data.inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const dataPolicy = view.one("aws:s3/bucketPolicy:BucketPolicy", "-storage-tls-only");
      expect(statements(dataPolicy.inputs.policy).filter((s) => s.Effect === "Allow")).toEqual([]);
      // Broadened, the same resources are refused: a public GetObject on every key, public
      // listing, another public key, an ACL flag off; and the marker on the data bucket does
      // not let its policy expose anything but the two documents (that bucket has none).
      const policyRule = (edit: (statement: any) => void) =>
        broadened("aws:s3/bucketPolicy:BucketPolicy", "-issuer-policy", (p) => {
          const doc = JSON.parse(p.policy);
          edit(doc.Statement[0]);
          p.policy = JSON.stringify(doc);
        });
      const refusedPolicy = [`no-public-buckets ${prefix}policy`];
      expect(policyRule((st) => (st.Resource = [`${arn}/*`]))).toEqual(refusedPolicy);
      expect(policyRule((st) => (st.Action = ["s3:GetObject", "s3:ListBucket"]))).toEqual(
        refusedPolicy,
      );
      expect(policyRule((st) => st.Resource.push(`${arn}/openid/v1/jwks.old`))).toEqual(
        refusedPolicy,
      );
      expect(policyRule((st) => (st.Resource = [arn]))).toEqual(refusedPolicy);
      expect(
        broadened(pab.type, "-issuer-public-access", (p) => (p.blockPublicAcls = false)),
      ).toEqual([`no-public-buckets ${prefix}public-access`]);
      // The data bucket marked as an issuer, with a public statement on its keys: refused.
      const dataBucket = view.one("aws:s3/bucket:Bucket", "-storage-bucket");
      const dataArn = `arn:aws:s3:::${dataBucket.name}-a1b2c3d`;
      const markedData = stackResources.map((x) => {
        if (x.urn === dataBucket.urn) {
          return { ...x, props: { ...x.props, tags: { ...(x.props.tags as object), ...MARKER } } };
        }
        if (x.urn !== dataPolicy.urn) return x;
        const doc = JSON.parse(x.props.policy as string);
        doc.Statement.push({
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: `${dataArn}/*`,
        });
        return { ...x, props: { ...x.props, policy: JSON.stringify(doc) } };
      });
      expect(
        checkAll(markedData).map(
          ({ rule, message }) => `${rule} ${/^\S+ (\S+): /.exec(message)![1]}`,
        ),
      ).toEqual([
        `no-public-buckets ${name("storage-tls-only")}`,
        `public-only-for-oidc-issuer ${name("storage-hello")}`,
      ]);
    }
    if (storage === "gcs") {
      const grant = view.one("gcp:storage/bucketIAMBinding:BucketIAMBinding");
      const issuerBucket = view.one("gcp:storage/bucket:Bucket", "-issuer-bucket");
      expect(grant.inputs).toEqual({
        bucket: issuerBucket.inputs.name,
        role: "roles/storage.objectViewer",
        members: ["allUsers"],
      });
      expect(issuerBucket.inputs.uniformBucketLevelAccess).toBe(true);
      const inIssuer = view
        .ofType("gcp:storage/bucketObject:BucketObject")
        .filter((o) => o.inputs.bucket === issuerBucket.inputs.name);
      expect(inIssuer).toHaveLength(2);
      const data = view.one("gcp:storage/bucket:Bucket", "-storage-bucket");
      expect(data.inputs.publicAccessPrevention).toBe("enforced");
      for (const m of view.ofType("gcp:storage/bucketIAMMember:BucketIAMMember")) {
        expect(m.inputs.member).toMatch(/^principal:\/\//);
      }
      expect(issuerBucket.inputs.labels).toMatchObject(MARKER);
      // Broadened, refused: any Google account, a write role, object ACLs allowed.
      const binding = "gcp:storage/bucketIAMBinding:BucketIAMBinding";
      expect(
        broadened(binding, "-issuer-public-read", (p) => (p.members = ["allAuthenticatedUsers"])),
      ).toEqual([
        `no-public-buckets ${prefix}public-read`,
        `public-only-for-oidc-issuer ${prefix}public-read`,
      ]);
      expect(
        broadened(binding, "-issuer-public-read", (p) => (p.role = "roles/storage.objectAdmin")),
      ).toEqual([
        `no-public-buckets ${prefix}public-read`,
        `public-only-for-oidc-issuer ${prefix}public-read`,
      ]);
      expect(
        broadened(issuerBucket.type, "-issuer-bucket", (p) => (p.uniformBucketLevelAccess = false)),
      ).toEqual([`no-public-buckets ${prefix}bucket`]);
      // The data bucket read by allUsers: refused (it is not marked).
      expect(
        broadened(
          "gcp:storage/bucketIAMMember:BucketIAMMember",
          "",
          (p) => (p.member = "allUsers"),
        ),
      ).toEqual([`public-only-for-oidc-issuer ${name("binding-read")}`]);
    }
    if (storage === "blob") {
      const account = view.one("azure-native:storage:StorageAccount", "-issuer-account");
      const container = view.one("azure-native:storage:BlobContainer", "-issuer-container");
      expect(account.inputs.allowBlobPublicAccess).toBe(true);
      expect(container.inputs.publicAccess).toBe("Blob");
      const inIssuer = view
        .ofType("azure-native:storage:Blob")
        .filter((b) => b.dependencies.includes(account.urn));
      expect(inIssuer).toHaveLength(2);
      expect(
        view.one("azure-native:storage:StorageAccount", "-storage-account").inputs
          .allowBlobPublicAccess,
      ).toBe(false);
      expect(
        view.one("azure-native:storage:BlobContainer", "-storage-container").inputs.publicAccess,
      ).toBe("None");
      expect(account.inputs.tags).toMatchObject(MARKER);
      // Broadened, refused: a listable container; Blob access in the (unmarked) data account.
      expect(
        broadened(container.type, "-issuer-container", (p) => (p.publicAccess = "Container")),
      ).toEqual([`no-public-buckets ${prefix}container`]);
      expect(
        broadened(container.type, "-storage-container", (p) => (p.publicAccess = "Blob")),
      ).toEqual([`public-only-for-oidc-issuer ${name("storage-container")}`]);
      expect(
        broadened(account.type, "-storage-account", (p) => (p.allowBlobPublicAccess = true)),
      ).toEqual([`no-public-buckets ${name("storage-account")}`]);
    }
  });

  test("the cluster is created after the published documents, its pods after the cluster", () => {
    const { keys, cluster, kubeconfig: kc } = kindCommands(view);
    const objects = publishedObjects(view, storage).map((o) => o.resource);
    for (const o of objects) {
      expect(cluster.dependencies, o.name).toContain(o.urn);
      expect(view.dependsOn(o, cluster), o.name).toBe(false);
    }
    expect(cluster.dependencies).toContain(keys.urn);
    expect(view.dependsOn(kc, cluster)).toBe(true);
    const provider = view.one("pulumi:providers:kubernetes");
    expect(view.dependsOn(provider, kc)).toBe(true);
    const verify = view.one("kubernetes:batch/v1:Job", "-verify");
    expect(view.providerUrn(verify)).toBe(provider.urn);
    for (const o of objects) expect(view.dependsOn(verify, o), o.name).toBe(true);
  });

  test("the private key goes only to the key file, as a secret on stdin; the kubeconfig is a secret", () => {
    const { keys, cluster, kubeconfig: kc } = kindCommands(view);
    expect(keys.inputs.stdin).toBe(keyPair.privateKeyPem);
    expect(keys.secretInputs).toContain("stdin");
    expect(keys.inputs.environment.SA_PUB).toBe(keyPair.publicKeyPem);
    expect([keys.inputs.logging, kc.inputs.logging]).toEqual(["none", "none"]);
    const holders = resources
      .filter((r) => JSON.stringify(r.serializedInputs).includes("PRIVATE KEY"))
      .map((r) => r.name);
    expect(holders).toEqual([keys.name]);
    for (const c of [keys, cluster, kc]) expect(c.inputs.create).not.toContain("PRIVATE");
    expect(kubeconfigSecret).toBe(true);
    expect(kubeconfig).toContain("current-context: kind-");
  });

  test("the kind config mounts the key files into the node where the flags point", () => {
    const { config, patch } = kindConfigOf(view);
    const { keys } = kindCommands(view);
    const keyDir = keys.inputs.environment.KEY_DIR as string;
    expect(keyDir.startsWith("/")).toBe(true);
    expect(config).toMatchObject({ kind: "Cluster", apiVersion: "kind.x-k8s.io/v1alpha4" });
    expect(config.nodes).toHaveLength(1);
    expect(config.nodes[0].extraMounts).toEqual([
      { hostPath: `${keyDir}/sa.key`, containerPath: "/etc/kubernetes/pki/sa.key", readOnly: true },
      { hostPath: `${keyDir}/sa.pub`, containerPath: "/etc/kubernetes/pki/sa.pub", readOnly: true },
    ]);
    expect(patch).toEqual({
      apiVersion: "kubeadm.k8s.io/v1beta3",
      kind: "ClusterConfiguration",
      apiServer: {
        extraArgs: {
          "service-account-issuer": issuerOutput,
          "service-account-jwks-uri": `${issuerOutput}/openid/v1/jwks`,
          "service-account-signing-key-file": "/etc/kubernetes/pki/sa.key",
          "service-account-key-file": "/etc/kubernetes/pki/sa.pub",
        },
      },
      controllerManager: {
        extraArgs: { "service-account-private-key-file": "/etc/kubernetes/pki/sa.key" },
      },
    });
    expect(kindCommands(view).cluster.inputs.environment.CLUSTER).toBe(`wi-${stack}`);
  });
});
