/**
 * The rules as CrossGuard policies. Kept apart from `index.ts` so tests can check the wiring
 * without constructing the PolicyPack (whose constructor starts the analyzer's gRPC server): this
 * module imports only types from @pulumi/policy.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyResource as CrossGuardResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { resourceMessages, stackViolations, type PolicyResource, type Rule } from "./rule";
import { RULES } from "./rules";

export const PACK_NAME = "workload-identity";
export const ENFORCEMENT: EnforcementLevel = "mandatory";

/** A stack resource in the rules' neutral shape, with the URNs it depends on. */
export function fromStackResource(r: CrossGuardResource): PolicyResource {
  const propertyDependencies = Object.fromEntries(
    Object.entries(r.propertyDependencies).map(([k, ds]) => [k, ds.map((d) => d.urn)]),
  );
  const dependencies = [
    ...new Set([
      ...r.dependencies.map((d) => d.urn),
      ...Object.values(propertyDependencies).flat(),
    ]),
  ];
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.props,
    dependencies,
    propertyDependencies,
  };
}

function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  // CrossGuard prints the description above every violation, so it stays one sentence; the
  // mapping goes into the tags (and the table in docs/guardrails.md).
  const common = {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    severity: "high" as const,
    tags: [...rule.mirrors.checkov],
  };
  if (rule.kind === "resource") {
    return {
      ...common,
      validateResource: (args, reportViolation) => {
        const resource = { type: args.type, name: args.name, props: args.props };
        for (const message of resourceMessages(rule, resource)) reportViolation(message);
      },
    };
  }
  return {
    ...common,
    validateStack: (args, reportViolation) => {
      for (const v of stackViolations(rule, args.resources.map(fromStackResource))) {
        reportViolation(v.message, v.urn);
      }
    },
  };
}

/** Every rule of `rules/` as a CrossGuard policy, at the rule's own enforcement level. */
export function crossGuardPolicies(): Policies {
  return RULES.map(toPolicy);
}
