/**
 * The policy pack's rules against what our own program registers under mocks: one suite per rule
 * in test/policy/<rule>.ts, all loaded here so that one process evaluates each stack once
 * (test/support/policy.ts) — a test file per rule would pay Pulumi's module loading and ten
 * evaluations each. Run one rule's suite with `npx vitest run test/policy.test.ts -t <rule>`.
 *
 * Each suite: the rule stays quiet on every stack (stack files, plus dev with IRSA) and sees there
 * the types it guards; it fires, with its exact message, on a recorded resource changed the way a
 * careless edit would; and every type in its table has a minimal firing example.
 * test/policy-crossguard.test.ts covers the wiring into CrossGuard.
 */
import "./policy/no-public-buckets";
import "./policy/s3-bucket-has-public-access-block";
import "./policy/public-only-for-oidc-issuer";
import "./policy/no-wildcard-iam";
import "./policy/no-broad-managed-policies";
import "./policy/no-broad-storage-grants";
import "./policy/trust-one-service-account";
import "./policy/pod-security-restricted";
import "./policy/no-static-cloud-credentials";
import "./policy/pack";
