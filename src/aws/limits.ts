/**
 * AWS limits checked before anything is created, on worst-case values for what only AWS will know
 * (the account, the cluster's generated name, the issuer's ID).
 */
import { settingsOf, workloadKey, type StackConfig, type WorkloadIdentity } from "../core";
import { podIdentityTrustDocument, TRUST_POLICY_LIMIT, webIdentityTrustDocument } from "./policies";

/** The longest EKS issuer, with `https://`: `oidc.eks.<region>.amazonaws.com/id/<32 hex>`. */
export function worstCaseEksIssuer(config: StackConfig): string {
  return `https://oidc.eks.${settingsOf(config, "aws").region}.amazonaws.com/id/${"x".repeat(32)}`;
}

/**
 * The trust policy of the role the pods assume, as long as it can get: Pod Identity's names the
 * cluster's ARN (a generated name of at most 100), web identity's names the cluster's issuer.
 */
export function worstCaseTrustPolicy(
  config: StackConfig,
  issuer: string,
  workload: WorkloadIdentity = config.workloads[0],
): string {
  const { namespace, serviceAccount } = workload;
  const account = "1".repeat(12);
  const region = settingsOf(config, "aws").region;
  if (config.cluster === "eks" && config.awsMechanism === "pod-identity") {
    const clusterArn = `arn:aws:eks:${region}:${account}:cluster/${"x".repeat(100)}`;
    return JSON.stringify(podIdentityTrustDocument(clusterArn, namespace, serviceAccount));
  }
  const providerArn = `arn:aws:iam::${account}:oidc-provider/${issuer.replace("https://", "")}`;
  return JSON.stringify(webIdentityTrustDocument(providerArn, issuer, namespace, serviceAccount));
}

/** The S3 side's problems: a role's trust policy (one role per workload) over IAM's size limit. */
export function s3Problems(
  config: StackConfig,
  issuer: string,
  trustLimit = TRUST_POLICY_LIMIT,
): string[] {
  return config.workloads.flatMap((w, i) => {
    const trust = worstCaseTrustPolicy(config, issuer, w);
    if (trust.length <= trustLimit) return [];
    const keys =
      workloadKey(config, i, "namespace") === "`namespace`"
        ? "`namespace`/`serviceAccount`"
        : workloadKey(config, i, "namespace");
    return [
      `config ${keys}: the role's trust policy could reach ${trust.length} characters ` +
        `with ${JSON.stringify(w.namespace)}/${JSON.stringify(w.serviceAccount)}, ` +
        `over IAM's limit of ${trustLimit}; use shorter names (or ask AWS to raise ACLSizePerRole)`,
    ];
  });
}
