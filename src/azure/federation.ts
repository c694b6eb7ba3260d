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
import type { WorkloadIdentity } from "../contracts";

/** The only audience Entra accepts for a federated token exchange (the FIC's `audiences`). */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** Entra refuses a 21st federated identity credential on one managed identity. */
export const MAX_FEDERATED_CREDENTIALS = 20;

/** The `sub` claim of a ServiceAccount token: what a FIC's `subject` must equal, exactly. */
export function federatedSubject(identity: WorkloadIdentity): string {
  return `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`;
}

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The subjects one managed identity trusts, in order. Refuses what Entra would refuse later, or
 * what would silently trust the wrong pods: none, more than 20, the same ServiceAccount twice, and
 * names Kubernetes does not allow (a subject with a stray `:` would never match a token).
 */
export function federatedSubjects(serviceAccounts: readonly WorkloadIdentity[]): string[] {
  if (serviceAccounts.length === 0) {
    throw new Error("serviceAccounts: expected at least one namespace/ServiceAccount, got none");
  }
  if (serviceAccounts.length > MAX_FEDERATED_CREDENTIALS) {
    throw new Error(
      `serviceAccounts: a managed identity takes at most ${MAX_FEDERATED_CREDENTIALS} federated ` +
        `identity credentials, got ${serviceAccounts.length}; ` +
        "split the ServiceAccounts across several IdentityBindings",
    );
  }
  const subjects: string[] = [];
  for (const sa of serviceAccounts) {
    const { namespace, serviceAccount } = sa;
    if (
      namespace.length > 63 ||
      !RFC1123_LABEL.test(namespace) ||
      serviceAccount.length > 253 ||
      !RFC1123_SUBDOMAIN.test(serviceAccount)
    ) {
      throw new Error(
        `serviceAccounts: ${JSON.stringify(`${namespace}/${serviceAccount}`)} is not a Kubernetes ` +
          "namespace/ServiceAccount (lowercase letters, digits, '-'; '.' in the ServiceAccount only)",
      );
    }
    const subject = federatedSubject(sa);
    if (subjects.includes(subject)) {
      throw new Error(
        `serviceAccounts: ${JSON.stringify(subject)} is listed twice; ` +
          "each ServiceAccount gets exactly one federated identity credential",
      );
    }
    subjects.push(subject);
  }
  return subjects;
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
  const hash = createHash("sha256").update(federatedSubject(identity)).digest("hex").slice(0, 16);
  return `${readable.slice(0, FIC_NAME_MAX - hash.length - 1)}-${hash}`;
}
