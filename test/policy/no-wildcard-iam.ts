import { describe, expect, test } from "vitest";
import { AWS, noWildcardIam, resourceMessages, type PolicyResource } from "../../policy/rules";
import {
  changed,
  changedDocument,
  firesOnEveryType,
  one,
  quietOnEveryStack,
  resourcesOf,
  synthetic,
  useStacks,
} from "../support/policy";

const check = (r: PolicyResource) => resourceMessages(noWildcardIam, r);
const EVERYTHING = JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*" } });
const ALL = [
  'statement #1 (Allow) has wildcard action "*"; list the exact actions it needs',
  'statement #1 (Allow) has wildcard resource "*"; name the exact ARNs',
];
const AWS_IAM = [AWS.policy, AWS.role];

describe("no-wildcard-iam", () => {
  useStacks();
  quietOnEveryStack(noWildcardIam, {
    dev: AWS_IAM,
    "dev (irsa)": AWS_IAM,
    "eks-gcs": [AWS.role],
    "eks-blob": [AWS.role],
    "gke-s3": AWS_IAM,
    "aks-s3": AWS_IAM,
  });

  describe("on dev's bucket read policy", () => {
    const READ = "aws:iam/policy:Policy wi-dev-storage-read: policy statement";
    const read = () => one(resourcesOf("dev"), AWS.policy);

    test("fires on a wildcard action or resource in an Allow statement", () => {
      const wildAction = changedDocument(read(), "policy", (d) => {
        d.Statement[1].Action = "s3:*";
      });
      expect(check(wildAction)).toEqual([
        `${READ} "GetObjects" (Allow) has wildcard action "s3:*"; list the exact actions it needs`,
      ]);
      const wildResource = changedDocument(
        read(),
        "policy",
        (d) => (d.Statement[0].Resource = "*"),
      );
      expect(check(wildResource)).toEqual([
        `${READ} "ListBucket" (Allow) has wildcard resource "*"; name the exact ARNs`,
      ]);
      const everyBucket = changedDocument(read(), "policy", (d) => {
        d.Statement[1].Resource = "arn:aws:s3:::*/*";
      });
      expect(check(everyBucket)).toEqual([
        `${READ} "GetObjects" (Allow) has wildcard resource "arn:aws:s3:::*/*"; name the exact ARNs`,
      ]);
      const question = changedDocument(read(), "policy", (d) => {
        d.Statement[1].Action = ["s3:GetObjec?"];
      });
      expect(check(question)).toEqual([
        `${READ} "GetObjects" (Allow) has wildcard action "s3:GetObjec?"; list the exact actions it needs`,
      ]);
    });

    test("fires on NotAction and NotResource in an Allow statement", () => {
      const notAction = changedDocument(read(), "policy", (d) => {
        delete d.Statement[0].Action;
        d.Statement[0].NotAction = ["iam:*"];
      });
      expect(check(notAction)).toEqual([
        `${READ} "ListBucket" (Allow) uses NotAction ["iam:*"], which allows everything else; list the allowed actions instead`,
      ]);
      const notResource = changedDocument(read(), "policy", (d) => {
        d.Statement[1].NotResource = d.Statement[1].Resource;
        delete d.Statement[1].Resource;
      });
      const resource = JSON.parse(String(read().props.policy)).Statement[1].Resource;
      expect(check(notResource)).toEqual([
        `${READ} "GetObjects" (Allow) uses NotResource ${JSON.stringify([resource].flat())}, which allows every other resource; list the resources instead`,
      ]);
    });

    test("a Deny statement may use wildcards (as the bucket's TLS-only policy does)", () => {
      const deny = changedDocument(read(), "policy", (d) =>
        d.Statement.push({ Effect: "Deny", Action: "s3:*", Resource: "*" }),
      );
      expect(check(deny)).toEqual([]);
    });
  });

  test("checks a role's inline policies too", () => {
    const role = one(resourcesOf("dev"), AWS.role, "-binding-role");
    const inline = changed(role, (p) => {
      p.inlinePolicies = [{ name: "everything", policy: EVERYTHING }];
    });
    expect(check(inline)).toEqual(
      ALL.map((m) => `aws:iam/role:Role wi-dev-binding-role: inlinePolicies[0].policy ${m}`),
    );
  });

  test.for(["gke-s3", "aks-s3"])("fires when the %s stack's read policy allows s3:*", (label) => {
    const read = one(resourcesOf(label), AWS.policy);
    const wild = changedDocument(read, "policy", (d) => {
      for (const s of d.Statement) s.Action = "s3:*";
    });
    expect(check(wild).length).toBeGreaterThan(0);
    for (const m of check(wild)) expect(m).toMatch(/has wildcard action "s3:\*"/);
  });

  test("a document that is not JSON, or not a document, fires", () => {
    const broken = synthetic(AWS.rolePolicy, "broken", { role: "r", policy: "{" });
    expect(check(broken)[0]).toMatch(
      /^aws:iam\/rolePolicy:RolePolicy broken: policy is not valid JSON \(/,
    );
    expect(check(synthetic(AWS.policy, "n", { policy: 42 }))).toEqual([
      "aws:iam/policy:Policy n: policy is not a policy document: 42",
    ]);
  });

  const identity = { props: { policy: EVERYTHING }, messages: ALL.map((m) => `policy ${m}`) };
  firesOnEveryType(noWildcardIam, {
    [AWS.policy]: identity,
    [AWS.rolePolicy]: identity,
    [AWS.userPolicy]: identity,
    [AWS.groupPolicy]: identity,
    [AWS.role]: {
      props: {
        inlinePolicies: [
          { name: "ok", policy: "{}" },
          { name: "all", policy: EVERYTHING },
        ],
      },
      messages: ALL.map((m) => `inlinePolicies[1].policy ${m}`),
    },
  });
});
