/**
 * Google Cloud limits checked before anything is created, on worst-case values for what only
 * Google Cloud will know (random suffixes, the cluster's generated name).
 */
import {
  serviceAccountSubject,
  settingsOf,
  unboundServiceAccount,
  workloadKey,
  type StackConfig,
} from "../core";
import { bucketNamePrefixProblem } from "./bucket";
import { poolIdPrefixProblem } from "./federation";

/** The longest GKE issuer: `container.googleapis.com/v1/projects/<p>/locations/<l>/clusters/<n>`. */
export function worstCaseGkeIssuer(config: StackConfig): string {
  const { project, region, zone } = settingsOf(config, "gcp");
  return `https://container.googleapis.com/v1/projects/${project}/locations/${zone ?? region}/clusters/${"x".repeat(40)}`;
}

/**
 * A Workload Identity pool maps `google.subject` from the token's `sub`,
 * `system:serviceaccount:<ns>:<sa>`, and refuses a token whose mapped subject exceeds 127 bytes
 * (IAM API, WorkloadIdentityPoolProvider.attributeMapping: `google.subject` "cannot exceed 127
 * bytes"; STS answers "The size of mapped attribute exceeds the 127 bytes limit", as GitLab users
 * met it: gitlab-org/gitlab!114147). The denial check's `<sa>-unbound` must fit too: a token that
 * overflows the mapping fails the exchange instead of being refused by Cloud Storage, and proves
 * nothing.
 */
export const GOOGLE_SUBJECT_LIMIT = 127;

export function googleSubjectProblem(
  namespace: string,
  serviceAccount: string,
  keys: string,
): string | undefined {
  const subject = serviceAccountSubject({
    namespace,
    serviceAccount: unboundServiceAccount(serviceAccount),
  });
  const bytes = Buffer.byteLength(subject); // UTF-8
  if (bytes <= GOOGLE_SUBJECT_LIMIT) return undefined;
  const room = GOOGLE_SUBJECT_LIMIT - "system:serviceaccount::".length - "-unbound".length;
  return (
    `config ${keys}: the pool's google.subject would be ${bytes} bytes ` +
    `(${JSON.stringify(subject.slice(0, 40) + "…")}), over Google's limit of ${GOOGLE_SUBJECT_LIMIT}; ` +
    `keep the namespace and ServiceAccount names at most ${room} characters together`
  );
}

/**
 * Conditional role bindings one allow policy (the bucket's) may hold: "An allow policy can contain
 * up to 100 conditional role bindings" (https://cloud.google.com/iam/docs/conditions-overview#limitations,
 * not verifiable offline: check the page). Each workload with a prefix adds one; the whole-bucket
 * ones add none.
 */
export const CONDITIONAL_BINDINGS_LIMIT = 100;

/**
 * The Cloud Storage side's problems: bucket names from the stack; for a cluster outside Google
 * Cloud (reached through a pool), the pool's id and each workload's subject; and more prefixed
 * workloads than the bucket's policy can hold conditional bindings.
 */
export function gcsProblems(config: StackConfig): string[] {
  const stack = (problem: string | undefined) =>
    problem && `stack name ${JSON.stringify(config.stack)} (prefix ${config.prefix}): ${problem}`;
  const problems = [stack(bucketNamePrefixProblem(config.prefix))];
  if (config.cluster !== "gke") {
    problems.push(stack(poolIdPrefixProblem(config.prefix)));
    config.workloads.forEach((w, i) => {
      const key = workloadKey(config, i, "namespace");
      const keys = key === "`namespace`" ? "`namespace`/`serviceAccount`" : key;
      problems.push(googleSubjectProblem(w.namespace, w.serviceAccount, keys));
    });
  }
  const conditional = config.workloads.filter((w) => w.prefix !== "").length;
  if (conditional > CONDITIONAL_BINDINGS_LIMIT) {
    problems.push(
      `config \`workloads\`: ${conditional} workloads with a prefix would each add a conditional role binding ` +
        `to the bucket's IAM policy, which holds at most ${CONDITIONAL_BINDINGS_LIMIT}; use fewer`,
    );
  }
  return problems.filter((p): p is string => p !== undefined);
}
