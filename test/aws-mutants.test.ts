/**
 * What `npm run mutation` found unchecked in src/aws/policies.ts, src/aws/binding.ts and
 * src/aws/webIdentity.ts (docs/testing.md, "Mutation testing"): the exact permission, bucket and
 * trust documents for every shape the stacks do not reach (a writer with a prefix, the whole
 * bucket), the issuer host rule, and what the two bindings register and hand the pods (role
 * description and tags, env, credential variables, proof inputs, registered outputs). The
 * components are built on their own under the mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, test, vi } from "vitest";
import { installMocks, settle, valueOf } from "../offline/mocks";
import {
  AWS_TOKEN_DIR,
  denyInsecureTransport,
  IdentityBinding,
  issuerHost,
  podIdentityTrust,
  podIdentityTrustDocument,
  s3AccessDocument,
  s3AccessPolicy,
  s3ReadPolicy,
  STS_AUDIENCE,
  TRUST_POLICY_LIMIT,
  webIdentityTrust,
  webIdentityTrustDocument,
  WebIdentityBinding,
} from "../src/aws";

const rec = installMocks();
const BUCKET = "arn:aws:s3:::wi-bucket";

afterEach(() => vi.restoreAllMocks());

describe("the permission documents", () => {
  test("a reader of the whole bucket: list it and get its objects, nothing else", () => {
    expect(s3AccessDocument(BUCKET, "read", "")).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET },
        { Sid: "GetObjects", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/*` },
      ],
    });
  });

  test("a writer under a prefix: list only the prefix, get, put and delete only under it", () => {
    expect(s3AccessDocument(BUCKET, "write", "team-a/")).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ListBucket",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET,
          Condition: { StringLike: { "s3:prefix": ["team-a/*"] } },
        },
        {
          Sid: "GetObjects",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: `${BUCKET}/team-a/*`,
        },
        {
          Sid: "WriteObjects",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:DeleteObject"],
          Resource: `${BUCKET}/team-a/*`,
        },
      ],
    });
  });

  test("the policies are those documents as JSON, for the bucket's ARN once known", async () => {
    expect(JSON.parse(await valueOf(s3ReadPolicy(pulumi.output(BUCKET))))).toStrictEqual(
      s3AccessDocument(BUCKET, "read", ""),
    );
    expect(
      JSON.parse(await valueOf(s3AccessPolicy(pulumi.output(BUCKET), "write", "b/"))),
    ).toStrictEqual(s3AccessDocument(BUCKET, "write", "b/"));
  });

  test("the bucket policy refuses everything not over TLS, on the bucket and its objects", async () => {
    expect(JSON.parse(await valueOf(denyInsecureTransport(BUCKET)))).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [BUCKET, `${BUCKET}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });
});

describe("the trust documents", () => {
  const CLUSTER = "arn:aws:eks:eu-north-1:123456789012:cluster/c";
  const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/id/X";

  test("Pod Identity: only EKS, only this cluster and namespace/ServiceAccount", async () => {
    const expected = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EksPodIdentity",
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: {
            StringEquals: {
              "aws:RequestTag/eks-cluster-arn": CLUSTER,
              "aws:RequestTag/kubernetes-namespace": "team-a",
              "aws:RequestTag/kubernetes-service-account": "reader",
            },
          },
        },
      ],
    };
    expect(podIdentityTrustDocument(CLUSTER, "team-a", "reader")).toStrictEqual(expected);
    const trust = podIdentityTrust({
      clusterArn: CLUSTER,
      namespace: "team-a",
      serviceAccount: "reader",
    });
    expect(JSON.parse(await valueOf(trust))).toStrictEqual(expected);
  });

  test("web identity: only this issuer's token for this subject and the STS audience", async () => {
    const expected = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "KubernetesServiceAccount",
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "oidc.example.com/id/X:sub": "system:serviceaccount:team-a:reader",
              "oidc.example.com/id/X:aud": "sts.amazonaws.com",
            },
          },
        },
      ],
    };
    const issuer = "https://oidc.example.com/id/X";
    expect(webIdentityTrustDocument(PROVIDER, issuer, "team-a", "reader")).toStrictEqual(expected);
    const trust = webIdentityTrust({
      providerArn: PROVIDER,
      issuerUrl: issuer,
      namespace: "team-a",
      serviceAccount: "reader",
    });
    expect(JSON.parse(await valueOf(trust))).toStrictEqual(expected);
    expect(TRUST_POLICY_LIMIT).toBe(2048);
  });

  test("the issuer host drops only a leading https://", () => {
    expect(issuerHost("https://oidc.example.com/id/X")).toBe("oidc.example.com/id/X");
    expect(issuerHost("oidc.example.com/https://x")).toBe("oidc.example.com/https://x");
  });
});

/** The outputs `component` registered (ComponentResource.registerOutputs, spied). */
function spyOutputs(): (component: pulumi.ComponentResource) => Promise<Record<string, unknown>> {
  const spy = vi.spyOn(pulumi.ComponentResource.prototype as any, "registerOutputs");
  return async (component) => {
    const index = spy.mock.contexts.indexOf(component);
    expect(index).toBeGreaterThanOrEqual(0);
    const outputs = spy.mock.calls[index][0] as Record<string, pulumi.Output<unknown>>;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs)) values[k] = await valueOf(v);
    return values;
  };
}

const resolved = (inputs: readonly pulumi.Input<unknown>[]) =>
  Promise.all(inputs.map((i) => valueOf(pulumi.output(i))));

describe("IdentityBinding (Pod Identity)", () => {
  test("its role, what the pods carry and what it registers", async () => {
    rec.clear();
    const outputsOf = spyOutputs();
    const binding = new IdentityBinding("mut-pi", {
      clusterName: "c",
      clusterArn: "arn:aws:eks:eu-north-1:123456789012:cluster/c",
      identity: { namespace: "team-a", serviceAccount: "reader" },
      policyArn: "arn:aws:iam::123456789012:policy/read",
      tags: { project: "p" },
    });
    await settle();
    const role = rec.one("aws:iam/role:Role", "mut-pi-role");
    expect(role.inputs.description).toBe("EKS Pod Identity for team-a/reader");
    expect(role.inputs.tags).toEqual({ project: "p", component: "identity-binding" });
    const access = binding.podAccess;
    expect(access.env).toEqual([]);
    expect(access.serviceAccountAnnotations).toEqual({});
    expect(await resolved(access.proofInputs)).toEqual([
      await valueOf(binding.roleArn),
      role.inputs.assumeRolePolicy,
      "arn:aws:iam::123456789012:policy/read",
      "c",
      "team-a",
      "reader",
    ]);
    expect(await outputsOf(binding)).toEqual({
      roleArn: await valueOf(binding.roleArn),
      roleName: await valueOf(binding.roleName),
      associationId: await valueOf(binding.associationId),
    });
  });
});

describe("WebIdentityBinding", () => {
  const args = {
    issuerUrl: "https://oidc.example.com/id/X",
    identity: { namespace: "team-a", serviceAccount: "reader" },
    policyArn: "arn:aws:iam::123456789012:policy/read",
    tags: { project: "p" },
  };

  test("projected: the pod projects its own STS token and carries the env; its role and outputs", async () => {
    rec.clear();
    const outputsOf = spyOutputs();
    const binding = new WebIdentityBinding("mut-wi", { ...args, delivery: "projected" });
    await settle();
    expect(AWS_TOKEN_DIR).toBe("/var/run/secrets/tokens/aws");
    const role = rec.one("aws:iam/role:Role", "mut-wi-role");
    expect(role.inputs.description).toBe("Web identity for team-a/reader");
    expect(role.inputs.tags).toEqual({ project: "p", component: "identity-binding" });
    const access = binding.podAccess;
    const roleArn = await valueOf(binding.roleArn);
    expect(access.credentialVariables).toEqual(["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]);
    expect(
      await Promise.all(
        access.env.map(async (e) => [e.name, await valueOf(pulumi.output(e.value))]),
      ),
    ).toEqual([
      ["AWS_ROLE_ARN", roleArn],
      ["AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/tokens/aws/token"],
      ["AWS_ROLE_SESSION_NAME", "team-a.reader"],
    ]);
    expect(access.projectedTokens).toEqual([
      {
        name: "aws-token",
        audience: STS_AUDIENCE,
        mountPath: "/var/run/secrets/tokens/aws",
        expirationSeconds: 3600,
      },
    ]);
    expect(await resolved(access.proofInputs)).toEqual([
      roleArn,
      role.inputs.assumeRolePolicy,
      "arn:aws:iam::123456789012:policy/read",
      await valueOf(binding.oidcProviderArn),
      "https://oidc.example.com/id/X",
    ]);
    expect(await outputsOf(binding)).toEqual({
      roleArn,
      roleName: await valueOf(binding.roleName),
      oidcProviderArn: await valueOf(binding.oidcProviderArn),
    });
  });

  test("irsa: the webhook injects the env, the ServiceAccount names the role", async () => {
    rec.clear();
    const binding = new WebIdentityBinding("mut-irsa", { ...args, delivery: "irsa" });
    await settle();
    expect(binding.podAccess.env).toEqual([]);
    expect(binding.podAccess.projectedTokens).toBeUndefined();
    expect(
      await valueOf(
        pulumi.output(binding.podAccess.serviceAccountAnnotations["eks.amazonaws.com/role-arn"]),
      ),
    ).toBe(await valueOf(binding.roleArn));
    expect(binding.podAccess.credentialVariables).toEqual([
      "AWS_ROLE_ARN",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
    ]);
  });
});

describe("WebIdentityBinding with the account's existing IAM OIDC provider", () => {
  test("a lookup that fails for another reason than a missing provider is reported as it is", async () => {
    rec.clear();
    const token = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider";
    const mocks = (pulumi.runtime.getMonitor() as any).mocks;
    const call = mocks.call.bind(mocks);
    vi.spyOn(mocks, "call").mockImplementation((req: any) => {
      if (req.token === token) {
        // As the provider reports a failed read (offline/clouds/aws.ts `invokeFailure`).
        const text = "AccessDenied: not authorized to perform iam:GetOpenIDConnectProvider";
        throw Object.assign(new Error(text), { details: text });
      }
      return call(req);
    });
    const reported: unknown[] = [];
    const listener = (error: unknown) => {
      if (!reported.includes(error)) reported.push(error);
    };
    process.on("unhandledRejection", listener);
    try {
      const binding = new WebIdentityBinding("mut-denied", {
        issuerUrl: "https://oidc.example.com/id/DENIED",
        identity: { namespace: "team-a", serviceAccount: "reader" },
        policyArn: "arn:aws:iam::123456789012:policy/read",
        tags: {},
        delivery: "irsa",
        existingOidcProvider: { cluster: "c" },
      });
      void binding.roleArn;
      await settle();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off("unhandledRejection", listener);
    }
    expect(reported.length).toBeGreaterThanOrEqual(1);
    const [error] = reported;
    expect(pulumi.ResourceError.isInstance(error)).toBe(true);
    const message = (error as Error).message.replace(
      /^(error serializing property "[^"]*": )*/,
      "",
    );
    expect(message).toMatch(
      /^IRSA on EKS cluster "c": looking up the IAM OIDC provider for https:\/\/oidc\.example\.com\/id\/DENIED: .*AccessDenied: not authorized/,
    );
    // Nothing IAM would need the provider for is created in its place.
    expect(rec.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
  });
});
