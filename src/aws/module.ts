/**
 * AWS in the registry: its settings and provider, the EKS cluster side and the S3 storage side.
 * S3 trusts an EKS cluster through Pod Identity (or IRSA), any other cluster through web identity
 * federation with the cluster's issuer.
 */
import { Provider } from "@pulumi/aws/provider";
import type * as pulumi from "@pulumi/pulumi";
import {
  settingsOf,
  type BindingAccess,
  type CloudModule,
  type ClusterModule,
  type StorageModule,
  type StorageSide,
  type WorkloadAccess,
  type ClusterSide,
  type StackConfig,
  type Tags,
} from "../core";
import { AdoptedCluster, AdoptedIdentityAgent, eksClusterNameProblem } from "./adopted";
import { IdentityAgent } from "./agent";
import { IdentityBinding } from "./binding";
import { s3IssuerHost } from "./issuer";
import { BucketWithPolicy } from "./bucket";
import { s3Client } from "./client";
import { Cluster } from "./cluster";
import { s3Problems, worstCaseEksIssuer } from "./limits";
import { awsSettings } from "./settings";
import { WebIdentityBinding } from "./webIdentity";

export const awsCloud: CloudModule<"aws"> = {
  cloud: "aws",
  title: "AWS",
  keys: ["aws:region", "aws:profile"],
  settings: awsSettings,
  provider(name, settings) {
    return new Provider(name, {
      region: settings.region,
      ...(settings.profile ? { profile: settings.profile } : {}),
    });
  },
};

export const eksCluster: ClusterModule = {
  kind: "eks",
  cloud: "aws",
  nativeStorage: "s3",
  resourceType: "aws:eks/cluster:Cluster",
  worstCaseIssuer: worstCaseEksIssuer,
  location: (config) => settingsOf(config, "aws").region,
  existingNameProblem: eksClusterNameProblem,
  build({ config, tags, providerOf }) {
    const settings = settingsOf(config, "aws");
    const opts = { providers: { aws: providerOf("aws") } };
    if (config.existing) return adoptEks(config, tags, opts);
    const cluster = new Cluster(
      `${config.prefix}-cluster`,
      {
        region: settings.region,
        profile: settings.profile,
        apiAllowedCidrs: config.apiAllowedCidrs,
        tags,
      },
      opts,
    );
    const agent = new IdentityAgent(
      `${config.prefix}-agent`,
      { clusterName: cluster.clusterName, nodes: cluster.nodeGroup, tags },
      opts,
    );
    return { cluster, agent };
  },
};

/**
 * Pod Identity needs the agent on the cluster; IRSA and federation to other clouds do not (IRSA's
 * webhook is part of EKS's control plane).
 */
const needsPodIdentityAgent = (config: StackConfig): boolean =>
  config.storage === "s3" && config.awsMechanism === "pod-identity";

/** The cluster side of an adopted EKS cluster: looked up, and its agent checked (or installed). */
function adoptEks(
  config: StackConfig,
  tags: Tags,
  opts: pulumi.ComponentResourceOptions,
): ClusterSide {
  const existing = config.existing!;
  const settings = settingsOf(config, "aws");
  const cluster = new AdoptedCluster(
    `${config.prefix}-cluster`,
    { name: existing.name, region: settings.region, profile: settings.profile },
    opts,
  );
  const agent = new AdoptedIdentityAgent(
    `${config.prefix}-agent`,
    {
      clusterName: existing.name,
      region: settings.region,
      autoMode: cluster.autoMode,
      required: needsPodIdentityAgent(config),
      install: existing.installAgent,
      tags,
    },
    opts,
  );
  return { cluster, agent };
}

export const s3Storage: StorageModule = {
  kind: "s3",
  cloud: "aws",
  problems: s3Problems,
  location: (config) => settingsOf(config, "aws").region,
  issuerHost: s3IssuerHost,
  build({ config, tags, providerOf }, cluster): StorageSide {
    const settings = settingsOf(config, "aws");
    const opts = { providers: { aws: providerOf("aws") } };
    const bucket = new BucketWithPolicy(
      `${config.prefix}-storage`,
      { tags, grants: config.workloads.map(({ access, prefix }) => ({ access, prefix })) },
      opts,
    );
    const { native } = cluster;
    // IAM holds one OIDC provider per issuer: the first web identity binding makes (or finds) it,
    // the others share it.
    let shared: WebIdentityBinding | undefined;

    // One role per workload (docs/workloads.md, "Why one role per workload").
    const accesses = config.workloads.map(
      (w): WorkloadAccess & { outputs: Record<string, pulumi.Output<string>> } => {
        const policy = bucket.policyOf(w);
        const common = { identity: w, policyArn: policy.arn, tags };
        const name = `${w.name}-binding`;
        const objectUrl = bucket.objectUrlOf(w.prefix);
        const side = (
          binding: { readonly podAccess: BindingAccess; readonly roleName: pulumi.Output<string> },
          outputs: Record<string, pulumi.Output<string>>,
        ) => ({
          workload: w,
          objectUrl,
          access: {
            ...withPermission(binding.podAccess, policy.document),
            client: s3Client({
              objectUrl,
              region: settings.region,
              roleName: binding.roleName,
              bucketName: bucket.bucketName,
              ...(w.access === "write" ? { writePrefix: w.prefix } : {}),
            }),
          },
          outputs,
        });

        // EKS Pod Identity on EKS, unless IRSA is asked for; web identity federation elsewhere.
        if (native.kind === "eks" && config.awsMechanism === "pod-identity") {
          const binding = new IdentityBinding(
            name,
            { ...common, clusterName: native.clusterName, clusterArn: native.clusterArn },
            opts,
          );
          return side(binding, { roleArn: binding.roleArn });
        }
        const binding: WebIdentityBinding = new WebIdentityBinding(
          name,
          {
            ...common,
            issuerUrl: cluster.oidcIssuerUrl,
            // IRSA on EKS (its webhook delivers the token); elsewhere the pod projects its own.
            delivery: native.kind === "eks" ? "irsa" : "projected",
            ...(shared
              ? { oidcProvider: shared.oidcProvider }
              : // An adopted EKS cluster's IAM OIDC provider exists already, or is refused as missing.
                native.kind === "eks" && config.existing
                ? { existingOidcProvider: { cluster: config.existing.name } }
                : {}),
          },
          opts,
        );
        shared ??= binding;
        return side(binding, {
          roleArn: binding.roleArn,
          oidcProviderArn: binding.oidcProviderArn,
        });
      },
    );
    return {
      bucketName: bucket.bucketName,
      objectUrl: bucket.objectUrl,
      accesses,
      outputs: accesses[0].outputs,
    };
  },
};

/**
 * The bindings know the read policy by its ARN only; its document joins the proof inputs here, so
 * a changed permission re-runs the proofs too.
 */
function withPermission(
  access: BindingAccess,
  policyDocument: pulumi.Input<string>,
): BindingAccess {
  return { ...access, proofInputs: [...access.proofInputs, policyDocument] };
}
