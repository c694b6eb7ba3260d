/**
 * Cloud limits checked before anything is created, on worst-case values for what only the clouds
 * will know (generated names, ARNs, issuer URLs): a stack that could hit a limit is refused at
 * preview, not fifteen minutes into `pulumi up`.
 */
import {
  podIdentityTrustDocument,
  TRUST_POLICY_LIMIT,
  webIdentityTrustDocument,
} from "./aws/policies";
import { accountNameBase } from "./azure/bucket";
import type { StackConfig } from "./config";
import { ConfigError } from "./errors";
import { bucketNamePrefixProblem } from "./gcp/bucket";
import { poolIdPrefixProblem } from "./gcp/federation";
import { unboundServiceAccount } from "./k8s/workload";

/** The longest issuer each kind of cluster can have, with `https://`. */
export function worstCaseIssuer(config: StackConfig): string {
  const x = (n: number) => "x".repeat(n);
  switch (config.cluster) {
    case "eks":
      return `https://oidc.eks.${config.aws?.region ?? x(20)}.amazonaws.com/id/${x(32)}`;
    case "gke": {
      const location = config.gcp?.zone ?? config.gcp?.region ?? x(30);
      return `https://container.googleapis.com/v1/projects/${config.gcp?.project ?? x(30)}/locations/${location}/clusters/${x(40)}`;
    }
    case "aks":
      return `https://${config.azure?.location ?? x(20)}.oic.prod-aks.azure.com/${x(36)}/${x(36)}/`;
  }
}

/** The trust policy of the role the pods assume, as long as it can get; undefined off AWS. */
export function worstCaseTrustPolicy(config: StackConfig): string | undefined {
  if (config.storage !== "s3") return undefined;
  const { namespace, serviceAccount } = config.workload;
  const account = "1".repeat(12);
  const region = config.aws?.region ?? "x".repeat(20);
  if (config.cluster === "eks" && config.awsMechanism === "pod-identity") {
    const clusterArn = `arn:aws:eks:${region}:${account}:cluster/${"x".repeat(100)}`;
    return JSON.stringify(podIdentityTrustDocument(clusterArn, namespace, serviceAccount));
  }
  const issuer = worstCaseIssuer(config);
  const providerArn = `arn:aws:iam::${account}:oidc-provider/${issuer.replace(/^https:\/\//, "")}`;
  return JSON.stringify(webIdentityTrustDocument(providerArn, issuer, namespace, serviceAccount));
}

/** Names derived from the stack that a cloud would refuse, as messages naming the stack. */
export function namingProblems(config: StackConfig): string[] {
  const problems: (string | undefined)[] = [];
  const stack = (problem: string | undefined) =>
    problem && `stack name ${JSON.stringify(config.stack)} (prefix ${config.prefix}): ${problem}`;
  if (config.storage === "gcs") {
    problems.push(stack(bucketNamePrefixProblem(config.prefix)));
    if (config.cluster !== "gke") problems.push(stack(poolIdPrefixProblem(config.prefix)));
  }
  if (config.storage === "blob") {
    try {
      accountNameBase(config.prefix);
    } catch (e) {
      problems.push(stack((e as Error).message));
    }
  }
  const unbound = unboundServiceAccount(config.workload.serviceAccount);
  if (config.storage === "gcs" && config.cluster !== "gke") {
    problems.push(googleSubjectProblem(config.workload.namespace, unbound));
  }
  if (unbound.length > 253) {
    problems.push(
      `config \`serviceAccount\`: ${JSON.stringify(config.workload.serviceAccount)} is too long for the denial ` +
        `check's ServiceAccount ${JSON.stringify(unbound.slice(0, 20) + "…")} (at most 253 characters); use at most 245`,
    );
  }
  return problems.filter((p): p is string => p !== undefined);
}

/**
 * A Workload Identity pool maps `google.subject` from the token's `sub`,
 * `system:serviceaccount:<ns>:<sa>`, and refuses a token whose mapped subject exceeds 127 bytes
 * (IAM API, WorkloadIdentityPoolProvider.attributeMapping: `google.subject` "cannot exceed 127
 * bytes"; STS answers "The size of mapped attribute exceeds the 127 bytes limit", as GitLab users
 * met it: gitlab-org/gitlab!114147). The denial check's `<sa>-unbound` must fit too: a token that overflows the
 * mapping fails the exchange instead of being refused by Cloud Storage, and proves nothing.
 */
export const GOOGLE_SUBJECT_LIMIT = 127;

function googleSubjectProblem(
  namespace: string,
  longestServiceAccount: string,
): string | undefined {
  const subject = `system:serviceaccount:${namespace}:${longestServiceAccount}`;
  const bytes = Buffer.byteLength(subject, "utf8");
  if (bytes <= GOOGLE_SUBJECT_LIMIT) return undefined;
  const room = GOOGLE_SUBJECT_LIMIT - "system:serviceaccount::".length - "-unbound".length;
  return (
    `config \`namespace\`/\`serviceAccount\`: the pool's google.subject would be ${bytes} bytes ` +
    `(${JSON.stringify(subject.slice(0, 40) + "…")}), over Google's limit of ${GOOGLE_SUBJECT_LIMIT}; ` +
    `keep the namespace and ServiceAccount names at most ${room} characters together`
  );
}

/** Refuses a configuration that could exceed a cloud limit. Returns it unchanged otherwise. */
export function checkLimits(config: StackConfig, trustLimit = TRUST_POLICY_LIMIT): StackConfig {
  const [problem] = namingProblems(config);
  if (problem) throw new ConfigError(problem);
  const trust = worstCaseTrustPolicy(config);
  if (trust !== undefined && trust.length > trustLimit) {
    throw new ConfigError(
      `config \`namespace\`/\`serviceAccount\`: the role's trust policy could reach ${trust.length} characters ` +
        `with ${JSON.stringify(config.workload.namespace)}/${JSON.stringify(config.workload.serviceAccount)}, ` +
        `over IAM's limit of ${trustLimit}; use shorter names (or ask AWS to raise ACLSizePerRole)`,
    );
  }
  return config;
}
