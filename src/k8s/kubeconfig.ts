/**
 * What every cluster component shares.
 *
 * Kubeconfigs that hold no credential: the user entry runs an exec plugin that fetches a
 * short-lived token on every call (`aws eks get-token`, `gke-gcloud-auth-plugin`).
 */
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
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

/**
 * The Kubernetes provider every cluster component builds from its kubeconfig, and every Kubernetes
 * object of the stack uses. Objects that already exist in the cluster are refused, never adopted:
 * an adopted object (a team's namespace on a shared cluster) would be deleted with the stack.
 * 4.29 made that the default (pulumi/pulumi-kubernetes#2926, "When a resource already exists in
 * the cluster, the API server now returns an AlreadyExists error"); set here so
 * `PULUMI_K8S_UPSERT_EXISTING_OBJECTS` cannot turn it back on (@pulumi/kubernetes provider.d.ts
 * `upsertExistingObjects`: the argument takes precedence over the variable).
 *
 * No `deleteUnreachable`: with it, any unreachable API (an expired SSO session, a narrowed
 * `apiAllowedCidrs`, an outage) silently drops every Kubernetes object from the state. After the
 * cluster itself is gone, `PULUMI_K8S_DELETE_UNREACHABLE=true pulumi destroy` opts in for that one
 * run: the provider reads the variable when its config has no `deleteUnreachable`
 * (pulumi-kubernetes provider/pkg/provider/provider.go, Configure).
 */
export function clusterProvider(
  name: string,
  kubeconfig: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): KubernetesProvider {
  return new KubernetesProvider(name, { kubeconfig, upsertExistingObjects: false }, opts);
}
