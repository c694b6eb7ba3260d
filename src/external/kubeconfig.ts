/**
 * Reading the user's kubeconfig without ever printing it: it holds credentials, so every message
 * names the config key `kubeconfig` and what is missing, never the text.
 */
import { parse as parseYaml } from "yaml";

interface KubeconfigDocument {
  readonly "current-context"?: unknown;
  readonly contexts?: readonly {
    readonly name?: unknown;
    readonly context?: { cluster?: unknown };
  }[];
  readonly clusters?: readonly {
    readonly name?: unknown;
    readonly cluster?: { server?: unknown };
  }[];
}

/**
 * The name of the cluster the kubeconfig's current context points at, or a message saying why
 * there is none. kubectl, and the Kubernetes provider built from the same text, talk to exactly
 * that cluster (client-go `clientcmd`: the current context picks the cluster and the user).
 */
export function currentCluster(text: string): { name: string } | { problem: string } {
  let doc: KubeconfigDocument | null;
  try {
    doc = parseYaml(text) as KubeconfigDocument | null;
  } catch (e) {
    // The parser's message quotes the offending lines: only the position is safe to show.
    const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    return { problem: `is not YAML${line !== undefined ? ` (error on line ${line})` : ""}` };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { problem: "is not a kubeconfig (expected a YAML mapping with clusters and contexts)" };
  }
  const current = doc["current-context"];
  if (typeof current !== "string" || current === "") {
    return {
      problem:
        "has no current-context; set one (`kubectl config use-context <name> --kubeconfig <file>`) " +
        "and set the config again",
    };
  }
  const context = (doc.contexts ?? []).find((c) => c?.name === current)?.context;
  const clusterName = context?.cluster;
  if (typeof clusterName !== "string" || clusterName === "") {
    return {
      problem: `names current-context ${JSON.stringify(current)}, but no context of that name names a cluster`,
    };
  }
  const cluster = (doc.clusters ?? []).find((c) => c?.name === clusterName)?.cluster;
  if (typeof cluster?.server !== "string" || cluster.server === "") {
    return {
      problem: `has no cluster ${JSON.stringify(clusterName)} with a server (its current-context ${JSON.stringify(current)} points at it)`,
    };
  }
  return { name: clusterName };
}
