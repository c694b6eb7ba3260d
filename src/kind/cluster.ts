import * as local from "@pulumi/command/local";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { clusterProvider } from "../k8s";
import type { ClusterOffer, NativeCluster } from "../core";
import { kindConfig } from "./kindConfig";

/**
 * kind cluster names: at most 50 characters, as the control-plane container's host name is
 * `<name>-control-plane` (kubernetes-sigs/kind pkg/cluster/internal/create/create.go
 * `clusterNameMax = 50`); lowercase letters, digits and '-' here (the stack prefix's alphabet).
 */
export const KIND_NAME_MAX = 50;
const KIND_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Writes the key pair for the node to mount: the private key from stdin (never on a command line,
 * in the environment or in a log), the public key from `SA_PUB`; owner-only from the start
 * (umask 077), and chmod 600 in case the files existed.
 */
export const WRITE_KEYS = [
  "set -eu",
  "umask 077",
  'mkdir -p "$KEY_DIR"',
  'chmod 700 "$KEY_DIR"',
  'cat > "$KEY_DIR/sa.key"',
  'printf \'%s\\n\' "$SA_PUB" > "$KEY_DIR/sa.pub"',
  'chmod 600 "$KEY_DIR/sa.key" "$KEY_DIR/sa.pub"',
].join("\n");
export const REMOVE_KEYS =
  'rm -f "$KEY_DIR/sa.key" "$KEY_DIR/sa.pub"; rmdir "$KEY_DIR" 2>/dev/null || true';

/**
 * Creates the cluster from the config on stdin, then checks that the API server really took the
 * issuer (a patch kind did not apply would leave kubeadm's default issuer, and every token would
 * be refused by the storage cloud with a 403 only when the verification runs). kind's own output
 * goes to stderr; stdout is one line naming the creation, so a re-created cluster is a change.
 */
export const CREATE_CLUSTER = [
  "set -eu",
  'kind create cluster --name "$CLUSTER" --config - --wait 180s >&2',
  'if ! docker exec "$CLUSTER-control-plane" grep -q -F -- "--service-account-issuer=$ISSUER" /etc/kubernetes/manifests/kube-apiserver.yaml; then',
  '  echo "kind cluster $CLUSTER: the API server did not take --service-account-issuer=$ISSUER (kubeadmConfigPatches not applied); delete it with: kind delete cluster --name $CLUSTER" >&2',
  "  exit 1",
  "fi",
  'echo "created $CLUSTER $(date -u +%Y-%m-%dT%H:%M:%SZ)"',
].join("\n");
export const DELETE_CLUSTER = 'kind delete cluster --name "$CLUSTER"';
export const GET_KUBECONFIG = 'kind get kubeconfig --name "$CLUSTER"';

export interface ClusterArgs {
  /** The kind cluster's name, unique per stack: `kind create cluster --name`. */
  readonly name: string;
  /** `https://…`: the issuer the API server signs for, exactly as the storage trusts it. */
  readonly issuerUrl: pulumi.Input<string>;
  /** The signing key's private half (PEM), a secret: written to `keyDir/sa.key` only. */
  readonly privateKeyPem: pulumi.Input<string>;
  /** Its public half (PKIX PEM): `keyDir/sa.pub`, for the API server to verify tokens. */
  readonly publicKeyPem: pulumi.Input<string>;
  /** Absolute host directory for the key files; removed on destroy. */
  readonly keyDir: string;
  /**
   * The published issuer documents: the cluster is created after them, so no token exists before
   * the storage cloud can fetch the keys to verify it.
   */
  readonly issuerPublished: readonly pulumi.Resource[];
  /** The prerequisite check's answer (`checkPrerequisites`): the cluster is created after it. */
  readonly tools?: pulumi.Input<string>;
}

/** Why `args` cannot make a cluster, as messages. */
export function validateClusterArgs(args: ClusterArgs): string[] {
  const problems: string[] = [];
  if (!KIND_NAME.test(args.name) || args.name.length > KIND_NAME_MAX) {
    problems.push(
      `name: ${JSON.stringify(args.name)} is not a kind cluster name (1–${KIND_NAME_MAX} lowercase letters, digits and '-')`,
    );
  }
  if (!args.keyDir.startsWith("/")) {
    problems.push(
      `keyDir: ${JSON.stringify(args.keyDir)} must be absolute (kind mounts host paths)`,
    );
  }
  return problems;
}

/**
 * A kind cluster on this machine whose API server signs ServiceAccount tokens with our key for a
 * published issuer. Three local commands (`@pulumi/command`): the key files, the cluster (`kind
 * create cluster` / `kind delete cluster`), and its kubeconfig (`kind get kubeconfig`, a secret).
 * A new issuer, key or config replaces the cluster (kind cannot change an API server's flags):
 * the old one is deleted first, since the name is the same.
 */
export class Cluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly native: NativeCluster = { kind: "kind" };
  public readonly clusterName: pulumi.Output<string>;
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  /** From `kind get kubeconfig`: a secret (it holds the cluster admin's client key). */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:kind:Cluster", name, {}, opts);
    const [problem] = validateClusterArgs(args);
    if (problem) throw new pulumi.ResourceError(problem, this);

    // `logging: none`: nothing a command prints reaches Pulumi's log (@pulumi/command
    // local/command.d.ts `logging`: "If there might be secrets in the output, you can disable
    // logging here and mark the outputs as secret via 'additionalSecretOutputs'").
    const keys = new local.Command(
      `${name}-keys`,
      {
        create: WRITE_KEYS,
        delete: REMOVE_KEYS,
        environment: { KEY_DIR: args.keyDir, SA_PUB: args.publicKeyPem },
        stdin: pulumi.secret(args.privateKeyPem),
        logging: "none",
        addPreviousOutputInEnv: false,
      },
      { parent: this, additionalSecretOutputs: ["stdin"], deleteBeforeReplace: true },
    );
    const cluster = new local.Command(
      `${name}-kind`,
      {
        create: CREATE_CLUSTER,
        delete: DELETE_CLUSTER,
        environment: { CLUSTER: args.name, ISSUER: args.issuerUrl },
        // Waits for the tools check too; its answer is not part of the config.
        stdin: pulumi
          .all([args.issuerUrl, args.tools])
          .apply(([issuerUrl]) => kindConfig({ issuerUrl, keyDir: args.keyDir })),
        // A new key replaces the cluster: the API server reads the key files only at start.
        triggers: [args.publicKeyPem],
        addPreviousOutputInEnv: false,
      },
      {
        parent: this,
        dependsOn: [keys, ...args.issuerPublished],
        // Without an `update` command a changed input would re-run `create` on the existing
        // cluster (command.d.ts `create`); replace it instead, deleting first (same name).
        replaceOnChanges: ["create", "environment", "stdin", "triggers"],
        deleteBeforeReplace: true,
      },
    );
    const kubeconfig = new local.Command(
      `${name}-kubeconfig`,
      {
        create: GET_KUBECONFIG,
        environment: { CLUSTER: args.name },
        // Read again whenever the cluster is created again (new certificates).
        triggers: [cluster.stdout],
        logging: "none",
        addPreviousOutputInEnv: false,
      },
      { parent: this, additionalSecretOutputs: ["stdout"] },
    );

    this.clusterName = cluster.stdout.apply(() => args.name);
    this.oidcIssuerUrl = pulumi.output(args.issuerUrl);
    this.kubeconfig = pulumi.secret(kubeconfig.stdout);
    this.kubernetesProvider = clusterProvider(`${name}-k8s`, this.kubeconfig, { parent: this });
    this.registerOutputs({
      clusterName: this.clusterName,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
    });
  }
}
