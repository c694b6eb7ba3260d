/**
 * Every rule of the `workload-identity` pack, one per file, in the order docs/guardrails.md lists them;
 * the rest of this module re-exports what tests and the CrossGuard wiring use.
 */
import { resourceMessages, stackViolations, type Rule } from "../rule";
import type { PolicyResource } from "../rule";
import { noBroadManagedPolicies } from "./no-broad-managed-policies";
import { noBroadStorageGrants } from "./no-broad-storage-grants";
import { noPublicBuckets } from "./no-public-buckets";
import { noStaticCloudCredentials } from "./no-static-cloud-credentials";
import { noWildcardIam } from "./no-wildcard-iam";
import { podSecurityRestricted } from "./pod-security-restricted";
import { publicOnlyForOidcIssuer } from "./public-only-for-oidc-issuer";
import { s3BucketHasPublicAccessBlock } from "./s3-bucket-has-public-access-block";
import { trustOneServiceAccount } from "./trust-one-service-account";

export * from "../rule";
export * from "../tokens";
export * from "../issuer";
export { broadManagedPolicy } from "./no-broad-managed-policies";
export {
  noBroadManagedPolicies,
  noBroadStorageGrants,
  noPublicBuckets,
  noStaticCloudCredentials,
  noWildcardIam,
  podSecurityRestricted,
  publicOnlyForOidcIssuer,
  s3BucketHasPublicAccessBlock,
  trustOneServiceAccount,
};

export const RULES: readonly Rule[] = [
  noPublicBuckets,
  s3BucketHasPublicAccessBlock,
  publicOnlyForOidcIssuer,
  noWildcardIam,
  noBroadManagedPolicies,
  trustOneServiceAccount,
  noBroadStorageGrants,
  podSecurityRestricted,
  noStaticCloudCredentials,
];

/** Every message every rule reports on a stack: resource rules per resource, then stack rules. */
export function checkAll(
  resources: readonly PolicyResource[],
): { rule: string; message: string }[] {
  return RULES.flatMap((rule) =>
    (rule.kind === "resource"
      ? resources.flatMap((r) => resourceMessages(rule, r))
      : stackViolations(rule, resources).map((v) => v.message)
    ).map((message) => ({ rule: rule.name, message })),
  );
}
