/**
 * The proofs' mechanics, shared by the verification and the denial Jobs: the digest that replaces
 * them when a binding changes, their deadlines, and the shell scripts they run.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { HELLO_TEXT, type StorageClient, type WriteCommands } from "../core";

/**
 * The pod-template annotation that carries the digest of the binding's proof inputs. A Job's
 * `.spec.template` is immutable, and pulumi-kubernetes replaces a Job whose template changed
 * (`forceNew` for batch/v1 Job `.spec.template`, provider/pkg/provider/diff.go): a changed trust,
 * permission or identity therefore replaces both proof Jobs, and `pulumi up` runs both again.
 */
export const PROOF_DIGEST_ANNOTATION = "workload-identity/proof-digest";

/**
 * On the Jobs' own metadata. By default, once a Job has failed, every later `pulumi up` waits on
 * that same failed Job again and fails (pulumi-kubernetes#856). With this annotation the provider
 * replaces a Job that did not become ready instead (`@pulumi/kubernetes` 4.34
 * `batch/v1/job.d.ts`, lines 22–25), so a fixed binding gets a fresh proof.
 */
export const REPLACE_UNREADY = { "pulumi.com/replaceUnready": "true" } as const;

/**
 * Pods each proof Job may run (`backoffLimit` = this − 1). A pod admitted before the binding took
 * effect never gets its credentials (webhooks and the Pod Identity agent act only at admission;
 * EKS associations take seconds to apply, see CreatePodIdentityAssociation in the EKS API
 * reference and aws/amazon-eks-pod-identity-webhook#264): it exits at once and the Job starts a
 * fresh pod, which is admitted later.
 */
export const JOB_PODS = 3;
/** Seconds a pod may need to be scheduled and pull its CLI image before its script runs. */
export const POD_START_SECONDS = 120;
/** Seconds one try of a proof script may take: its 10 s pause plus the CLI's own calls. */
export const TRY_SECONDS = 20;

/**
 * The Job's `activeDeadlineSeconds`, which bounds all its pods together: every pod's start, the
 * Job controller's back-off between failed pods (10 s, doubling each time; kubernetes.io "Pod
 * backoff failure policy"), and one pod running every try. Pods that fail at once (admitted too
 * early) cost only their start and back-off, so all `JOB_PODS` of them fit.
 */
export function jobDeadlineSeconds(attempts: number): number {
  let backoff = 0;
  for (let i = 0; i < JOB_PODS - 1; i++) backoff += 10 * 2 ** i;
  return JOB_PODS * POD_START_SECONDS + backoff + attempts * TRY_SECONDS;
}

/** How long Pulumi waits for a Job: its whole deadline, plus five minutes of slack. */
export function jobTimeout(deadlineSeconds: number): string {
  return `${Math.ceil(deadlineSeconds / 60) + 5}m`;
}

/**
 * sha256 of the resolved proof inputs, in order. Computed in `apply` (no resources are created
 * there); a secret input makes the digest a secret Output too.
 */
export function proofDigest(inputs: readonly pulumi.Input<string>[]): pulumi.Output<string> {
  return pulumi
    .all([...inputs])
    .apply((values) => createHash("sha256").update(JSON.stringify(values)).digest("hex"));
}

/** Tries of the denial script; a transient error (DNS, a throttled call) is tried again. */
export const DENIAL_ATTEMPTS = 3;

/** A POSIX-shell single-quoted literal. */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Lines that exit at once, naming the first of `variables` that is unset or empty. */
function requireVariables(variables: readonly string[], why: string, code: number): string {
  return variables
    .map(
      (v) =>
        `[ -n "\${${v}:-}" ] || { echo "${code === 2 ? "FAILED" : "INCONCLUSIVE"}: ${v} is not set: ${why}" >&2; exit ${code}; }\n`,
    )
    .join("");
}

/**
 * The denial: as a ServiceAccount no binding names, claiming the bound identity, log in and read
 * hello.txt. Passes only when the output shows an explicit refusal (the storage service's
 * `client.refusal`, or the identity service's `refusal`). A read fails it at once; any other
 * failure (DNS, no token, a crash, an unknown error) is inconclusive: tried again, then it fails
 * with the CLI's output in the log.
 */
export function denialScript(
  client: StorageClient,
  opts: {
    /** What the denial tries, for its messages. @default "an unbound ServiceAccount read hello.txt" */
    readonly what?: string;
    readonly attempts?: number;
    /** The identity service's explicit refusal (`PodAccess.denial.refusal`); may be empty. */
    readonly refusal?: string;
    readonly credentialVariables?: readonly string[];
  } = {},
): pulumi.Output<string> {
  const attempts = opts.attempts ?? DENIAL_ATTEMPTS;
  const refusal = [client.refusal, opts.refusal ?? ""].filter((r) => r !== "").join("|");
  const checks = requireVariables(
    opts.credentialVariables ?? [],
    "the denial pod sets it itself to claim the bound identity; without it there is nothing for the cloud to refuse",
    1,
  );
  return pulumi.interpolate`command -v ${client.cli} >/dev/null || { echo "INCONCLUSIVE: ${client.cli} is not in the image" >&2; exit 1; }
command -v grep >/dev/null || { echo "INCONCLUSIVE: grep is not in the image" >&2; exit 1; }
${checks}refusal=${shellQuote(refusal)}
attempt=1
while [ "$attempt" -le ${attempts} ]; do
  echo "attempt $attempt of ${attempts}"
  if out="$( { ${client.login ?? "true"} && ${client.read}; } 2>&1 )"; then
    echo "FAILED: ${opts.what ?? "an unbound ServiceAccount read hello.txt"}: $out" >&2
    exit 1
  fi
  if printf '%s\\n' "$out" | grep -Eq -e "$refusal"; then
    printf '%s\\n' "$out" | grep -E -e "$refusal"
    echo "denied, as it must be: the cloud explicitly refused an unbound ServiceAccount"
    exit 0
  fi
  printf 'no explicit refusal (inconclusive):\\n%s\\n' "$out"
  attempt=$((attempt + 1))
  sleep 10
done
echo "FAILED: inconclusive: the cloud never explicitly refused the unbound ServiceAccount (output above)" >&2
exit 1
`;
}

/**
 * The object a writer's verification writes, reads back and deletes under its prefix: one per pod
 * (`HOSTNAME` is the pod's name), so two pods never race on one object.
 */
export const WRITE_CHECK_OBJECT = "verify-${HOSTNAME:-pod}.txt";

/**
 * The writer's step, run once the read passed: write a line to an object of its own under its
 * prefix, read it back, compare, delete it. Succeeds only if all three do.
 */
export function writeStep(write: WriteCommands): pulumi.Output<string> {
  return pulumi.interpolate`key="${write.prefixUrl}${WRITE_CHECK_OBJECT}"
              if echo "written by $key" | ${write.put} && [ "$(${write.get})" = "written by $key" ] && ${write.remove}; then
                echo "wrote, read back and deleted $key"
                exit 0
              fi
              echo "could not write, read back and delete $key"`;
}

/**
 * The verification: exit at once if the pod lacks the variables its binding gives it (it was
 * admitted too early: retrying inside it cannot help, the Job starts a fresh pod); then log in if
 * the flow needs it, print who we are, insist it is the bound identity (not a node's fallback
 * credentials), read hello.txt and compare. Retries while IAM propagates; exits non-zero if it
 * never succeeds.
 */
export function verifyScript(
  client: StorageClient,
  attempts: number,
  credentialVariables: readonly string[] = [],
): pulumi.Output<string> {
  const checks = requireVariables(
    credentialVariables,
    "this pod was admitted before its binding took effect (identity webhooks and the Pod Identity agent act only at pod admission), so retrying inside it cannot help; the Job starts a fresh pod",
    2,
  );
  const exact = client.identityMatch === "equals";
  const identityPattern = exact ? '"$EXPECTED_IDENTITY"' : '*"$EXPECTED_IDENTITY"*';
  const identityWords = exact ? "be exactly" : "contain";
  return pulumi.interpolate`set -u
${checks}attempt=1
while [ "$attempt" -le ${attempts} ]; do
  echo "attempt $attempt of ${attempts}"
  if ${client.login ?? "true"}; then
    if identity="$(${client.whoami})"; then
      echo "running as: $identity"
      case "$identity" in
        ${identityPattern})
          if content="$(${client.read})"; then
            if [ "$content" = "${HELLO_TEXT}" ]; then
              echo "read hello.txt: $content"
              ${client.write ? writeStep(client.write) : "exit 0"}
            else
              echo "hello.txt holds something else: $content"
            fi
          fi
          ;;
        *) echo "not the bound identity: expected it to ${identityWords} $EXPECTED_IDENTITY" ;;
      esac
    fi
  fi
  attempt=$((attempt + 1))
  sleep 10
done
echo "FAILED: could not read hello.txt as the bound identity" >&2
exit 1
`;
}
