/**
 * What Microsoft Entra trusts, as data: the audience, the subject of a Kubernetes ServiceAccount
 * token, the limits on federated identity credentials (FICs), and their names. Kept apart from the
 * components so every rule is a pure function that tests call directly.
 *
 * Sources: https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-considerations
 * (one audience, at most 20 FICs per identity, no concurrent writes, name rules) and
 * https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview.
 */
import { createHash } from "node:crypto";
import { serviceAccountSubject, type WorkloadIdentity } from "../core";

/** The only audience Entra accepts for a federated token exchange (the FIC's `audiences`). */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** Entra refuses a 21st federated identity credential on one managed identity. */
export const MAX_FEDERATED_CREDENTIALS = 20;

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * What is wrong with the ServiceAccounts one managed identity would trust: what Entra would refuse
 * later, or what would silently trust the wrong pods: none, more than 20, the same ServiceAccount
 * twice, and names Kubernetes does not allow (a subject with a stray `:` would never match a
 * token). Empty when nothing is.
 */
export function serviceAccountsProblems(serviceAccounts: readonly WorkloadIdentity[]): string[] {
  if (serviceAccounts.length === 0) {
    return ["serviceAccounts: expected at least one namespace/ServiceAccount, got none"];
  }
  const problems: string[] = [];
  if (serviceAccounts.length > MAX_FEDERATED_CREDENTIALS) {
    problems.push(
      `serviceAccounts: a managed identity takes at most ${MAX_FEDERATED_CREDENTIALS} federated ` +
        `identity credentials, got ${serviceAccounts.length}; ` +
        "split the ServiceAccounts across several IdentityBindings",
    );
  }
  const seen = new Set<string>();
  for (const sa of serviceAccounts) {
    const { namespace, serviceAccount } = sa;
    if (
      namespace.length > 63 ||
      !RFC1123_LABEL.test(namespace) ||
      serviceAccount.length > 253 ||
      !RFC1123_SUBDOMAIN.test(serviceAccount)
    ) {
      problems.push(
        `serviceAccounts: ${JSON.stringify(`${namespace}/${serviceAccount}`)} is not a Kubernetes ` +
          "namespace/ServiceAccount (lowercase letters, digits, '-'; '.' in the ServiceAccount only)",
      );
      continue;
    }
    const subject = serviceAccountSubject(sa);
    if (seen.has(subject)) {
      problems.push(
        `serviceAccounts: ${JSON.stringify(subject)} is listed twice; ` +
          "each ServiceAccount gets exactly one federated identity credential",
      );
    }
    seen.add(subject);
  }
  return problems;
}

/** FIC names: 3–120 letters, digits, '-' and '_', starting with a letter or digit. */
const FIC_NAME_MAX = 120;

/**
 * The name of the FIC that trusts one ServiceAccount: `<namespace>_<serviceAccount>`, with the
 * ServiceAccount's dots as `_`. Neither name can hold `_`, so no two ServiceAccounts share a
 * name. A name too long for Entra is cut short and ends in a hash of the subject, so it stays
 * distinct.
 */
export function federatedCredentialName(identity: WorkloadIdentity): string {
  const readable = `${identity.namespace}_${identity.serviceAccount.replace(/\./g, "_")}`;
  if (readable.length <= FIC_NAME_MAX) return readable;
  const hash = createHash("sha256")
    .update(serviceAccountSubject(identity))
    .digest("hex")
    .slice(0, 16);
  return `${readable.slice(0, FIC_NAME_MAX - hash.length - 1)}-${hash}`;
}
