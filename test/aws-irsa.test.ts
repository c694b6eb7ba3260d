/**
 * EKS reading S3 with IRSA (`awsMechanism: irsa`): the role trusts the cluster's OIDC issuer for
 * exactly demo/demo with the STS audience, and the ServiceAccount carries the role ARN so EKS's
 * webhook injects the token. What mocks cannot prove: that IAM accepts the issuer's keys (it
 * fetches them from the issuer when the token is presented).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig } from "../offline/evaluate";
import { statements } from "../offline/iam";
import { ACCOUNT, EKS_ISSUER, installMocks } from "../offline/mocks";

const rec = installMocks();
/** The long-running pod and the verification Job (the denial Job runs as another identity). */
const PODS = [
  ["kubernetes:apps/v1:Deployment", "-shell"],
  ["kubernetes:batch/v1:Job", "-verify"],
] as const;
const HOST = EKS_ISSUER.replace("https://", "");
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/wi-dev-binding-role-a1b2c3d`;

beforeAll(async () => {
  await evaluate(rec, "dev", {
    ...exampleStackConfig("dev"),
    "workload-identity:awsMechanism": "irsa",
  });
});

describe("IRSA", () => {
  test("an IAM OIDC provider for this cluster's issuer, for the STS audience", () => {
    const oidc = rec.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(oidc.inputs.url).toBe(EKS_ISSUER);
    expect(oidc.inputs.clientIdLists).toEqual(["sts.amazonaws.com"]);
    expect(rec.ancestors(oidc)[0].type).toBe("workload-identity:aws:WebIdentityBinding");
  });

  test("the role trusts only demo/demo tokens of that issuer, with the STS audience", () => {
    const role = rec.one("aws:iam/role:Role", "-binding-role");
    expect(statements(role.inputs.assumeRolePolicy)).toEqual([
      {
        Sid: "KubernetesServiceAccount",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}` },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Resource: [],
        Condition: {
          StringEquals: {
            [`${HOST}:sub`]: "system:serviceaccount:demo:demo",
            [`${HOST}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ]);
    const attached = rec
      .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.dependencies.includes(role.urn));
    expect(attached.map((a) => a.inputs.policyArn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:policy/wi-dev-storage-read-a1b2c3d`,
    ]);
  });

  test("the ServiceAccount carries the role ARN; pods carry no token of their own; no association", () => {
    const sa = rec.one("kubernetes:core/v1:ServiceAccount", "-sa");
    expect(sa.inputs.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": ROLE_ARN });
    expect(rec.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")).toEqual([]);
    for (const [type, suffix] of PODS) {
      const spec = rec.one(type, suffix).inputs.spec.template.spec;
      expect(spec.volumes.map((v: any) => v.name)).toEqual(["tmp"]);
      expect(spec.containers[0].env.map((e: any) => e.name)).not.toContain("AWS_ROLE_ARN");
    }
  });

  test("the ServiceAccount and pods come after the role can read (the webhook acts at admission)", () => {
    const attachment = rec.one(
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "-binding-read",
    );
    for (const [type, suffix] of [["kubernetes:core/v1:ServiceAccount", "-sa"], ...PODS]) {
      expect(rec.dependsOn(rec.one(type, suffix), attachment), type).toBe(true);
    }
  });
});
