/**
 * What every cluster component shares.
 *
 * Kubeconfigs that hold no credential: the user entry runs an exec plugin that fetches a
 * short-lived token on every call (`aws eks get-token`, `gke-gcloud-auth-plugin`).
 */
import * as pulumi from "@pulumi/pulumi";

export interface ExecKubeconfigArgs {
  /** The cluster, context and user name. */
  readonly name: pulumi.Input<string>;
  /** The API server URL, with `https://`. */
  readonly server: pulumi.Input<string>;
  /** Base64 PEM of the cluster's CA. */
  readonly certificateAuthority: pulumi.Input<string>;
  /** The `users[].user.exec` entry; `apiVersion` and `interactiveMode` are filled in. */
  readonly exec: Readonly<Record<string, pulumi.Input<unknown>>>;
}

export function execKubeconfig(args: ExecKubeconfigArgs): pulumi.Output<string> {
  return pulumi.jsonStringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: args.name,
        cluster: { server: args.server, "certificate-authority-data": args.certificateAuthority },
      },
    ],
    contexts: [{ name: args.name, context: { cluster: args.name, user: args.name } }],
    "current-context": args.name,
    users: [
      {
        name: args.name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            ...args.exec,
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}

/** A node count a demo cluster accepts, or the message why not. */
export function nodeCountProblem(nodeCount: number): string | undefined {
  return Number.isInteger(nodeCount) && nodeCount >= 1
    ? undefined
    : `nodeCount: expected a whole number ≥ 1, got ${nodeCount}`;
}
