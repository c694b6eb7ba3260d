/**
 * An existing EKS cluster the stack adopts (`existingCluster`): looked up by name, never created,
 * changed, tagged or deleted. The stack reads the cluster and its add-on; the only thing it may
 * create on the cluster is a missing Pod Identity agent, and only when asked (`installAgent`),
 * and then keeps it on destroy.
 */
import * as eks from "@pulumi/aws/eks";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import { clusterProvider } from "../k8s";
import { componentTags, PROJECT, type ClusterOffer, type NativeCluster, type Tags } from "../core";
import { POD_IDENTITY_AGENT_ADDON } from "./agent";
import { eksKubeconfig } from "./cluster";

/**
 * EKS cluster names: 1–100 characters, `^[0-9A-Za-z][A-Za-z0-9\-_]*$` (EKS API, CreateCluster
 * `name`: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html#API_CreateCluster_RequestSyntax).
 */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;
export const EKS_CLUSTER_NAME_MAX = 100;

/** Why EKS would refuse `name` as a cluster's name, or undefined. */
export function eksClusterNameProblem(name: string): string | undefined {
  if (name.length > EKS_CLUSTER_NAME_MAX || !EKS_CLUSTER_NAME.test(name)) {
    return (
      `is not an EKS cluster name: 1–${EKS_CLUSTER_NAME_MAX} letters, digits, '-' and '_', ` +
      "starting with a letter or digit"
    );
  }
  return undefined;
}

/**
 * The invoke failed because the thing looked up does not exist. The provider's data sources turn
 * EKS's `ResourceNotFoundException` into "couldn't find resource" (terraform-provider-aws
 * `internal/tfresource` NotFoundError); IAM answers `NoSuchEntity`. Any other failure (access
 * denied, throttling) is not "missing" and is reported as it is.
 */
export function isNotFound(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /ResourceNotFoundException|NoSuchEntity|couldn't find resource|not found/i.test(text);
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export interface AdoptedClusterArgs {
  /** The existing cluster's name (validated by the config reader). */
  readonly name: string;
  /** The cluster's region: the lookup's and `aws eks get-token`'s. */
  readonly region: string;
  /** A named AWS profile the kubeconfig passes to `aws eks get-token`. */
  readonly profile?: string;
}

/**
 * An existing EKS cluster, looked up by name through the component's AWS provider. Offers what a
 * created `Cluster` offers (issuer, kubeconfig with `aws eks get-token`, a Kubernetes provider)
 * and registers no AWS resource: nothing of the cluster is in the stack, so nothing of it can be
 * updated, replaced or deleted.
 */
export class AdoptedCluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly native: NativeCluster;
  public readonly clusterName: pulumi.Output<string>;
  public readonly clusterArn: pulumi.Output<string>;
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;
  /** EKS Auto Mode is on: it runs the Pod Identity agent itself. */
  public readonly autoMode: pulumi.Output<boolean>;

  constructor(name: string, args: AdoptedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // The same type as a created cluster: it is the stack's Cluster, only looked up.
    super("workload-identity:aws:Cluster", name, {}, opts);
    const where = `EKS cluster ${JSON.stringify(args.name)} in ${args.region}`;
    // An invoke with `parent` uses the parent's provider for its package (@pulumi/pulumi
    // runtime/invoke.js `getProvider`): our explicit AWS provider, never an ambient default.
    const found = pulumi.output(
      eks.getCluster({ name: args.name, region: args.region }, { parent: this }).catch((e) => {
        throw new pulumi.ResourceError(
          isNotFound(e)
            ? `config \`existingCluster\`: no ${where} (check the name and aws:region; ` +
                `\`aws eks list-clusters --region ${args.region}\` lists them)`
            : `looking up ${where}: ${errorText(e)}`,
          this,
        );
      }),
    );

    this.clusterName = found.name;
    this.clusterArn = found.arn;
    this.native = { kind: "eks", clusterName: this.clusterName, clusterArn: this.clusterArn };
    this.oidcIssuerUrl = found.identities.apply((ids) => {
      const issuer = ids?.[0]?.oidcs?.[0]?.issuer;
      if (!issuer) throw new pulumi.ResourceError(`${where} reports no OIDC issuer`, this);
      return issuer;
    });
    this.autoMode = found.computeConfigs.apply((c) => c?.[0]?.enabled === true);
    this.kubeconfig = pulumi.secret(
      eksKubeconfig({
        name: found.name,
        endpoint: found.endpoint,
        certificateAuthority: found.certificateAuthorities.apply((cas) => {
          const data = cas?.[0]?.data;
          if (!data)
            throw new pulumi.ResourceError(`${where} reports no certificate authority`, this);
          return data;
        }),
        region: args.region,
        profile: args.profile,
      }),
    );
    // Nothing to wait for: the cluster and its nodes exist already.
    this.kubernetesProvider = clusterProvider(`${name}-k8s`, this.kubeconfig, { parent: this });

    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
    });
  }
}

export interface AdoptedIdentityAgentArgs {
  /** The adopted cluster's name, as configured (a plain value: the lookup needs it now). */
  readonly clusterName: string;
  readonly region: string;
  /** The cluster runs EKS Auto Mode (`AdoptedCluster.autoMode`). */
  readonly autoMode: pulumi.Input<boolean>;
  /**
   * Whether the stack's mechanism needs the agent (EKS Pod Identity); when not (IRSA, federation
   * to another cloud) nothing is looked up or installed.
   * @default true
   */
  readonly required?: boolean;
  /**
   * Install the agent add-on when it is missing, and keep it on destroy. When the add-on exists
   * already and this stack did not install it, the stack refuses rather than take it over.
   * @default false
   */
  readonly install?: boolean;
  readonly tags: Tags;
}

/** How the adopted cluster runs the Pod Identity agent. */
export type AgentSource = "not-needed" | "auto-mode" | "add-on" | "installed-by-this-stack";

/** The one command that installs the agent add-on on `cluster`. */
export function createAgentCommand(cluster: string, region: string): string {
  return (
    `aws eks create-addon --cluster-name ${cluster} --addon-name ${POD_IDENTITY_AGENT_ADDON} ` +
    `--region ${region}`
  );
}

/**
 * Checks, at preview, that the adopted cluster runs the EKS Pod Identity agent (the add-on, or
 * Auto Mode, which runs it itself: "EKS Auto Mode … you don't need to install the EKS Pod Identity
 * Agent", https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html). A missing
 * agent fails the preview with the command that installs it; with `install` the component
 * installs it instead, with `retainOnDelete` (@pulumi/pulumi resource.d.ts
 * `CustomResourceOptions.retainOnDelete`: the provider's Delete is never called), so `pulumi
 * destroy` leaves it for the cluster's other workloads.
 */
export class AdoptedIdentityAgent extends pulumi.ComponentResource {
  /** Where the agent comes from; fails (a ResourceError) when the cluster has none. */
  public readonly source: pulumi.Output<AgentSource>;
  /** The add-on this stack installs (`install: true` only). */
  public readonly addon?: eks.Addon;

  constructor(
    name: string,
    args: AdoptedIdentityAgentArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("workload-identity:aws:IdentityAgent", name, {}, opts);
    const tags = componentTags(args.tags, "identity-agent");
    const cluster = JSON.stringify(args.clusterName);
    const command = createAgentCommand(args.clusterName, args.region);
    if (args.required === false) {
      this.source = pulumi.output<AgentSource>("not-needed");
      this.registerOutputs({ source: this.source });
      return;
    }

    // The add-on as EKS reports it, or undefined when the cluster has none.
    const addon = pulumi.output(
      eks
        .getAddon(
          {
            clusterName: args.clusterName,
            addonName: POD_IDENTITY_AGENT_ADDON,
            region: args.region,
          },
          { parent: this },
        )
        .then(
          (a): eks.GetAddonResult | undefined => a,
          (e): undefined => {
            if (isNotFound(e)) return undefined;
            throw new pulumi.ResourceError(
              `looking up the ${POD_IDENTITY_AGENT_ADDON} add-on of EKS cluster ${cluster}: ${errorText(e)}`,
              this,
            );
          },
        ),
    );
    // Ours when it carries this project's and stack's tags (an earlier `up` of this stack made it).
    const ours = (a: eks.GetAddonResult): boolean =>
      a.tags?.project === PROJECT && a.tags?.stack === args.tags.stack;

    if (!args.install) {
      this.source = pulumi.all([args.autoMode, addon]).apply(([auto, a]): AgentSource => {
        if (auto) return "auto-mode";
        if (a) return "add-on";
        throw new pulumi.ResourceError(
          `EKS cluster ${cluster} has no Pod Identity agent (neither the ${POD_IDENTITY_AGENT_ADDON} ` +
            `add-on nor Auto Mode), which Pod Identity needs; install it with \`${command}\`, ` +
            "or set installAgent: true to let this stack install it (kept on destroy), " +
            "or use awsMechanism: irsa",
          this,
        );
      });
    } else {
      // Whether the add-on is registered is decided from config alone (resources are never
      // created inside apply); the lookup decides whether that is allowed: an add-on that exists
      // and is not this stack's would make CreateAddon fail at `up` ("already exists"), so the
      // preview refuses instead of taking it over.
      const clusterName = pulumi.all([args.autoMode, addon]).apply(([auto, a]) => {
        if (auto) {
          throw new pulumi.ResourceError(
            `EKS cluster ${cluster} runs Auto Mode, which runs the Pod Identity agent itself; ` +
              "remove installAgent",
            this,
          );
        }
        if (a && !ours(a)) {
          throw new pulumi.ResourceError(
            `EKS cluster ${cluster} already has the ${POD_IDENTITY_AGENT_ADDON} add-on, installed ` +
              "outside this stack; remove installAgent (the stack uses the add-on as it is)",
            this,
          );
        }
        return args.clusterName;
      });
      this.addon = new eks.Addon(
        `${name}-addon`,
        { clusterName, addonName: POD_IDENTITY_AGENT_ADDON, tags },
        { parent: this, retainOnDelete: true },
      );
      this.source = this.addon.arn.apply((): AgentSource => "installed-by-this-stack");
    }
    this.registerOutputs({ source: this.source });
  }
}
