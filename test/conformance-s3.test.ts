/**
 * Client conformance, S3: every pair that reads S3 hands its verification pod's env and files to
 * the AWS SDK for JavaScript v3's default credential chain (`fromNodeProviderChain`, what an
 * application's S3Client uses), and the SDK must obtain credentials the way AWS would grant them:
 * - EKS Pod Identity: a GET to the agent's endpoint with the projected `pods.eks.amazonaws.com`
 *   token as Authorization; the agent's answer is simulated from what EKS Auth would do (the
 *   association for the token's namespace/ServiceAccount, its role's trust over the session tags).
 * - Web identity (IRSA, GKE, AKS, external): AssumeRoleWithWebIdentity at the regional STS with
 *   the role ARN, a valid session name and the token projected for `sts.amazonaws.com`; the role's
 *   trust must admit that token (its OIDC provider is the token's issuer, its `sub` and `aud`).
 * Network is disabled (nock): any other request fails the test.
 *
 * What this cannot prove: that STS accepts the token's signature (it fetches the issuer's keys),
 * nor that the agent runs on the node.
 */
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig } from "../offline/evaluate";
import { statements } from "../offline/iam";
import { TENANT } from "../offline/clouds/azure";
import { ACCOUNT, installMocks } from "../offline/mocks";
import {
  admitVerificationPod,
  interceptNetwork,
  bodyOf,
  POD_IDENTITY_AUDIENCE,
  POD_IDENTITY_URI,
  ROLE_SESSION_NAME,
  subjectOf,
  withPodEnv,
  workloadPairs,
  type Admitted,
  type Pair,
} from "./support/conformance";

const rec = installMocks();
const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

const PAIRS: readonly (Pair & { readonly mechanism: "pod-identity" | "web-identity" })[] = [
  {
    name: "eks → s3 (Pod Identity)",
    stack: "dev",
    config: exampleStackConfig("dev"),
    mechanism: "pod-identity",
  },
  {
    name: "eks → s3 (IRSA)",
    stack: "dev",
    config: exampleStackConfig("dev", { "workload-identity:awsMechanism": "irsa" }),
    mechanism: "web-identity",
  },
  {
    name: "adopted eks → s3 (Pod Identity)",
    stack: "eks-existing",
    config: exampleStackConfig("eks-existing"),
    mechanism: "pod-identity",
  },
  {
    name: "gke → s3",
    stack: "gke-s3",
    config: exampleStackConfig("gke-s3"),
    mechanism: "web-identity",
  },
  {
    name: "aks → s3",
    stack: "aks-s3",
    config: exampleStackConfig("aks-s3"),
    mechanism: "web-identity",
  },
  {
    name: "external → s3",
    stack: "external-s3",
    config: exampleStackConfig("external-s3"),
    mechanism: "web-identity",
  },
  {
    name: "kind → s3 (self-hosted issuer)",
    stack: "kind-s3",
    config: exampleStackConfig("kind-s3"),
    mechanism: "web-identity",
  },
  ...workloadPairs("eks → s3 teams", "eks-teams", exampleStackConfig("eks-teams")).map((p) => ({
    ...p,
    mechanism: "pod-identity" as const,
  })),
  ...workloadPairs("gke → s3 teams", "gke-s3-teams", exampleStackConfig("gke-s3-teams")).map(
    (p) => ({ ...p, mechanism: "web-identity" as const }),
  ),
];

let nock: Awaited<ReturnType<typeof interceptNetwork>>;
beforeAll(async () => {
  nock = await interceptNetwork();
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** The role of ARN `arn` among the recorded ones (the mocks name it as Pulumi auto-naming does). */
function roleByArn(arn: string) {
  const name = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(arn);
  expect(name?.[1], `role ARN ${arn}`).toBe(ACCOUNT);
  const roles = rec.ofType(ROLE).filter((r) => `${r.name}-a1b2c3d` === name?.[2]);
  expect(roles, `one role named by ${arn}`).toHaveLength(1);
  return roles[0];
}

/** Does a StringEquals condition block hold for these context values? (IAM: every key must.) */
function conditionsHold(
  condition: Record<string, Record<string, unknown>> | undefined,
  context: Record<string, string>,
): boolean {
  const ops = Object.keys(condition ?? {});
  expect(
    ops.every((op) => op === "StringEquals"),
    `condition operators ${ops.join(", ")}`,
  ).toBe(true);
  return Object.entries(condition?.StringEquals ?? {}).every(([key, want]) =>
    (Array.isArray(want) ? want : [want]).includes(context[key]),
  );
}

const CREDENTIALS = {
  AccessKeyId: "ASIAEXAMPLECONFORMANCE",
  SecretAccessKey: "conformance-secret",
  Token: "conformance-session-token",
};

describe.each(PAIRS)("$name: the AWS SDK's default chain", (pair) => {
  let admitted: Admitted;
  beforeAll(async () => {
    const run = await evaluate(rec, pair.stack, pair.config);
    admitted = await admitVerificationPod(rec, run, TENANT, pair.workload);
  });
  afterAll(() => admitted?.layout.remove());

  if (pair.mechanism === "pod-identity") {
    test("gets credentials from the Pod Identity agent with the pods.eks.amazonaws.com token, for the associated role", async () => {
      const { layout, pod, clusterName, issuer } = admitted;
      const projected = layout.tokens.get(POD_IDENTITY_AUDIENCE);
      expect(projected, "a projected pods.eks.amazonaws.com token").toBeDefined();
      let granted: string | undefined;
      const agent = nock(new URL(POD_IDENTITY_URI).origin)
        .get(new URL(POD_IDENTITY_URI).pathname)
        .reply((req: Request) => {
          const token = req.headers.get("authorization");
          // The agent forwards the token to EKS Auth (AssumeRoleForPodIdentity), which checks it
          // and finds the association of its namespace/ServiceAccount on this cluster.
          expect(token).toBe(projected!.jwt);
          const claims = projected!.claims;
          expect(claims.aud).toEqual([POD_IDENTITY_AUDIENCE]);
          expect(claims.iss).toBe(issuer);
          expect(claims.sub).toBe(subjectOf(pod));
          const association = rec
            .ofType(ASSOCIATION)
            .filter(
              (a) =>
                a.inputs.clusterName === clusterName &&
                `system:serviceaccount:${a.inputs.namespace}:${a.inputs.serviceAccount}` ===
                  claims.sub,
            );
          expect(association).toHaveLength(1);
          // EKS assumes the role as pods.eks.amazonaws.com with the session tags
          // (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html).
          const roleArn: string = association[0].inputs.roleArn;
          const [statement] = statements(roleByArn(roleArn).inputs.assumeRolePolicy).filter(
            (s) => s.Effect === "Allow",
          );
          expect(statement.Principal).toEqual({ Service: POD_IDENTITY_AUDIENCE });
          expect(statement.Action).toEqual(["sts:AssumeRole", "sts:TagSession"]);
          const region = pair.config["aws:region"];
          const tags = {
            "aws:RequestTag/eks-cluster-arn": `arn:aws:eks:${region}:${ACCOUNT}:cluster/${clusterName}`,
            "aws:RequestTag/eks-cluster-name": clusterName,
            "aws:RequestTag/kubernetes-namespace": pod.namespace,
            "aws:RequestTag/kubernetes-service-account": pod.serviceAccount,
          };
          expect(conditionsHold(statement.Condition, tags), "the trust admits the session").toBe(
            true,
          );
          granted = roleArn;
          return [
            200,
            { ...CREDENTIALS, Expiration: new Date(Date.now() + 3_600_000).toISOString() },
          ];
        });
      const credentials = await withPodEnv(layout.env, () => fromNodeProviderChain()());
      expect(agent.isDone()).toBe(true);
      expect(credentials.accessKeyId).toBe(CREDENTIALS.AccessKeyId);
      expect(credentials.sessionToken).toBe(CREDENTIALS.Token);
      expect(granted).toMatch(/^arn:aws:iam::\d{12}:role\//);
    });
  } else {
    test("assumes the bound role at the regional STS with the sts.amazonaws.com token, and the trust admits it", async () => {
      const { layout, pod, issuer } = admitted;
      const projected = layout.tokens.get("sts.amazonaws.com");
      expect(projected, "a projected sts.amazonaws.com token").toBeDefined();
      const region = layout.env.AWS_REGION;
      expect(region).toBe(pair.config["aws:region"]);
      let sent: Record<string, string> = {};
      const sts = nock(`https://sts.${region}.amazonaws.com`)
        .post("/")
        .reply(async (req: Request) => {
          sent = bodyOf(await req.text());
          return [
            200,
            `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${subjectOf(pod)}</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${ACCOUNT}:assumed-role/r/${sent.RoleSessionName}</Arn>
      <AssumedRoleId>AROAEXAMPLE:${sent.RoleSessionName}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${CREDENTIALS.AccessKeyId}</AccessKeyId>
      <SecretAccessKey>${CREDENTIALS.SecretAccessKey}</SecretAccessKey>
      <SessionToken>${CREDENTIALS.Token}</SessionToken>
      <Expiration>${new Date(Date.now() + 3_600_000).toISOString()}</Expiration>
    </Credentials>
    <Provider>${issuer}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`,
            { "content-type": "text/xml" },
          ];
        });
      const credentials = await withPodEnv(layout.env, () => fromNodeProviderChain()());
      expect(sts.isDone()).toBe(true);
      expect(credentials.accessKeyId).toBe(CREDENTIALS.AccessKeyId);

      expect(sent.Action).toBe("AssumeRoleWithWebIdentity");
      expect(sent.WebIdentityToken).toBe(projected!.jwt);
      expect(sent.RoleSessionName).toMatch(ROLE_SESSION_NAME);
      // What STS checks: the role trusts an OIDC provider for the token's issuer, and its
      // conditions hold for the token's claims.
      const claims = projected!.claims;
      expect(claims.iss).toBe(issuer);
      expect(claims.sub).toBe(subjectOf(pod));
      const role = roleByArn(sent.RoleArn);
      const [statement] = statements(role.inputs.assumeRolePolicy).filter(
        (s) => s.Effect === "Allow",
      );
      expect(statement.Action).toEqual(["sts:AssumeRoleWithWebIdentity"]);
      const host = issuer.replace(/^https:\/\//, "");
      expect(statement.Principal).toEqual({
        Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`,
      });
      const context = {
        [`${host}:sub`]: String(claims.sub),
        [`${host}:aud`]: (claims.aud as string[])[0],
      };
      expect(conditionsHold(statement.Condition, context), "the trust admits the token").toBe(true);
      // And the `sub` condition is there: a trust without it would admit every ServiceAccount.
      expect(Object.keys(statement.Condition?.StringEquals ?? {}).sort()).toEqual(
        Object.keys(context).sort(),
      );
    });
  }
});
