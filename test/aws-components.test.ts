/**
 * The AWS components on their own, as a platform engineer would lift them: many Pod Identity
 * bindings on one cluster (one per namespace/ServiceAccount), without collisions.
 */
import { describe, expect, test } from "vitest";
import { statements } from "../offline/iam";
import { installMocks, settle } from "../offline/mocks";
import { IdentityBinding } from "../src/aws";

const rec = installMocks();

describe("IdentityBinding", () => {
  test("two bindings on one cluster: two roles, two associations, each for its own ServiceAccount", async () => {
    rec.clear();
    const common = {
      clusterName: "shared",
      clusterArn: "arn:aws:eks:eu-north-1:123456789012:cluster/shared",
      policyArn: "arn:aws:iam::123456789012:policy/read",
      objectUrl: "s3://b/hello.txt",
      region: "eu-north-1",
      tags: {},
    };
    new IdentityBinding("reports", {
      ...common,
      identity: { namespace: "reports", serviceAccount: "reader" },
    });
    new IdentityBinding("audit", {
      ...common,
      identity: { namespace: "audit", serviceAccount: "reader" },
    });
    await settle();

    const associations = rec.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation");
    expect(
      associations.map((a) => [a.name, a.inputs.namespace, a.inputs.serviceAccount]).sort(),
    ).toEqual([
      ["audit-association", "audit", "reader"],
      ["reports-association", "reports", "reader"],
    ]);
    // Each association hands out its own role, and each role trusts only its own namespace.
    for (const a of associations) {
      const prefix = a.name.replace(/-association$/, "");
      const role = rec.one("aws:iam/role:Role", `${prefix}-role`);
      expect(a.inputs.roleArn).toBe(`arn:aws:iam::123456789012:role/${prefix}-role-a1b2c3d`);
      const [trust] = statements(role.inputs.assumeRolePolicy);
      expect(trust.Condition!.StringEquals["aws:RequestTag/kubernetes-namespace"]).toBe(
        a.inputs.namespace,
      );
    }
    const names = rec.resources.map((r) => `${r.type}::${r.name}`);
    expect(new Set(names).size).toBe(names.length);
  });
});
