/** The Kubernetes side of every identity chain: who the workload is, and how a token reaches it. */
import type * as pulumi from "@pulumi/pulumi";
import type { ProjectedToken, WorkloadIdentity } from "./contracts";

/**
 * The `sub` claim of a ServiceAccount token, `system:serviceaccount:<namespace>:<name>`: what AWS
 * trust conditions, Azure federated credentials and Google pool subjects name.
 */
export function serviceAccountSubject(identity: WorkloadIdentity): string {
  return `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`;
}

/** The ServiceAccount nothing trusts, for the denial Job: `<serviceAccount>-unbound`. */
export function unboundServiceAccount(serviceAccount: string): string {
  return `${serviceAccount}-unbound`;
}

/** How long projected tokens live: an hour; the kubelet refreshes them at 80 %. */
export const PROJECTED_TOKEN_SECONDS = 3600;

/**
 * A ServiceAccount token the kubelet projects into the pod at `<mountPath>/token` for another
 * cloud's token exchange, for `audience`.
 */
export function projectedToken(
  name: string,
  audience: pulumi.Input<string>,
  mountPath: string,
): ProjectedToken {
  return { name, audience, mountPath, expirationSeconds: PROJECTED_TOKEN_SECONDS };
}
