/**
 * The `workload-identity` CrossGuard policy pack: `pulumi preview --policy-pack policy`.
 * Constructing the PolicyPack starts the analyzer's gRPC server, so nothing else imports this file;
 * the rules live in `rules/` (one per file) and their wiring in `crossguard.ts`, both testable on their own.
 */
import { PolicyPack } from "@pulumi/policy";
import { crossGuardPolicies, ENFORCEMENT, PACK_NAME } from "./crossguard";

new PolicyPack(PACK_NAME, {
  description:
    "Workload identity guardrails: private buckets, least-privilege IAM, trust scoped to one Kubernetes ServiceAccount, Pod Security restricted pods, no static cloud credentials.",
  enforcementLevel: ENFORCEMENT,
  policies: crossGuardPolicies(),
});
