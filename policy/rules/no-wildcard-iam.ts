import { at, iamStatements, list, show } from "../readers";
import { forEach, type Check, type Props, type ResourceRule } from "../rule";
import { AWS } from "../tokens";

/** An ARN (or `*`) that stands for every resource of a service: `*`, `arn:aws:s3:::*`, … */
function isWildcardResource(resource: string): boolean {
  return resource === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*/.test(resource);
}

interface Document {
  readonly path: string;
  readonly document: unknown;
}

/** Checks the identity-policy documents that `documents` finds in a resource's properties. */
const identityPolicies =
  (documents: (p: Props) => Document[]): Check =>
  (p, report) => {
    for (const { path, document } of documents(p)) {
      const statements = iamStatements(document);
      if (typeof statements === "string") {
        report(`${path} ${statements}`);
        continue;
      }
      for (const s of statements) {
        if (s.effect !== "Allow") continue;
        const where = `${path} statement ${s.label} (Allow)`;
        for (const a of s.action.filter((x) => /[*?]/.test(x))) {
          report(`${where} has wildcard action ${show(a)}; list the exact actions it needs`);
        }
        for (const x of s.resource.filter(isWildcardResource)) {
          report(`${where} has wildcard resource ${show(x)}; name the exact ARNs`);
        }
        if (s.notAction.length > 0) {
          report(
            `${where} uses NotAction ${show(s.notAction)}, which allows everything else; list the allowed actions instead`,
          );
        }
        if (s.notResource.length > 0) {
          report(
            `${where} uses NotResource ${show(s.notResource)}, which allows every other resource; list the resources instead`,
          );
        }
      }
    }
  };

export const noWildcardIam: ResourceRule = {
  kind: "resource",
  name: "no-wildcard-iam",
  description:
    "IAM Allow statements name exact actions and resources: no `*` in an action, no `*` resource, no NotAction or NotResource (Deny may use wildcards).",
  enforcementLevel: "mandatory",
  mirrors: {
    cis: [
      'AWS Foundations v1.4.0 1.16: no IAM policies that allow full "*:*" administrative privileges',
    ],
    checkov: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"],
  },
  checks: {
    ...forEach([AWS.policy, AWS.rolePolicy, AWS.userPolicy, AWS.groupPolicy], () =>
      identityPolicies((p) => [{ path: "policy", document: p.policy }]),
    ),
    [AWS.role]: identityPolicies((p) =>
      list(p.inlinePolicies).map((inline, i) => ({
        path: `inlinePolicies[${i}].policy`,
        document: at(inline, "policy"),
      })),
    ),
  },
};
