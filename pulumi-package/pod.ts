/**
 * What a pod must carry to act as a bound identity, as outputs every language can read: the
 * binding's access (`BindingAccess` of src/core) turned into plain, serializable values. The
 * interfaces are the package schema's object types (`workload-identity:index:<Name>`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { BindingAccess, Tags } from "../src/core";

/** One environment variable the workload's containers must set. */
export interface PodEnvVariable {
  /** The variable's name, e.g. `AWS_ROLE_ARN`. */
  name: string;
  /** Its value. */
  value: string;
}

/**
 * A ServiceAccount token the pod must project itself (a `serviceAccountToken` source of a
 * projected volume): the kubelet writes it to `path` and refreshes it before it expires.
 */
export interface PodProjectedToken {
  /** The volume's name; unique within the pod. */
  volumeName: string;
  /** The token's `aud` claim, which the cloud's token exchange checks. */
  audience: string;
  /** The directory the volume is mounted at. */
  mountPath: string;
  /** The token file the cloud's SDK reads: `<mountPath>/token`. */
  path: string;
  /** How long the token lives, in seconds (at least 600). */
  expirationSeconds: number;
}

/** A non-secret file the pod must mount (e.g. a credential configuration; never a key). */
export interface PodConfigFile {
  /** The volume's name; unique within the pod. */
  volumeName: string;
  /** The directory the file is mounted in. */
  mountPath: string;
  /** The file's name in that directory. */
  fileName: string;
  /** The file's content. */
  content: string;
}

/** The outputs every binding of the package has, from the binding's access. */
export interface PodOutputs {
  readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  readonly podLabels: pulumi.Output<Record<string, string>>;
  readonly env: pulumi.Output<PodEnvVariable[]>;
  readonly projectedTokens: pulumi.Output<PodProjectedToken[]>;
  readonly files: pulumi.Output<PodConfigFile[]>;
}

/** A binding's access as outputs: inputs inside it (a role ARN, a client ID) are resolved. */
export function podOutputs(access: BindingAccess): PodOutputs {
  return {
    serviceAccountAnnotations: pulumi.output(access.serviceAccountAnnotations),
    podLabels: pulumi.output({ ...access.podLabels }),
    env: pulumi.output(access.env.map((e) => ({ name: e.name, value: e.value }))),
    projectedTokens: pulumi.output(
      (access.projectedTokens ?? []).map((t) => ({
        volumeName: t.name,
        audience: t.audience,
        mountPath: t.mountPath,
        path: `${t.mountPath}/token`,
        expirationSeconds: t.expirationSeconds,
      })),
    ),
    files: pulumi.output(
      (access.files ?? []).map((f) => ({
        volumeName: f.name,
        mountPath: f.mountPath,
        fileName: f.fileName,
        content: f.content,
      })),
    ),
  };
}

/** Tags (labels on Google Cloud) every resource of a component gets: the caller's, and who manages it. */
export function packageTags(tags: Record<string, string> | undefined): Tags {
  return { "managed-by": "pulumi", ...(tags ?? {}) };
}

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * What is wrong with a namespace/ServiceAccount pair the trust would name, as messages; empty when
 * nothing is. Kubernetes names: a namespace is an RFC 1123 label (63 characters), a ServiceAccount
 * an RFC 1123 subdomain (253). A name Kubernetes refuses would make a trust no token ever matches.
 */
export function identityProblems(namespace: string, serviceAccount: string): string[] {
  const problems: string[] = [];
  if (typeof namespace !== "string" || namespace.length > 63 || !RFC1123_LABEL.test(namespace)) {
    problems.push(
      `namespace: expected a Kubernetes namespace (at most 63 lowercase letters, digits and '-'), got ${JSON.stringify(namespace)}`,
    );
  }
  if (
    typeof serviceAccount !== "string" ||
    serviceAccount.length > 253 ||
    !RFC1123_SUBDOMAIN.test(serviceAccount)
  ) {
    problems.push(
      `serviceAccount: expected a Kubernetes ServiceAccount name (lowercase letters, digits, '-' and '.'), got ${JSON.stringify(serviceAccount)}`,
    );
  }
  return problems;
}

/** Raises `problems` as one error attributed to `resource`, before it creates anything. */
export function raise(problems: string[], resource: pulumi.Resource): void {
  if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), resource);
}
