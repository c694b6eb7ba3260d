/** The AWS halves of a stack: an EKS cluster side, and an S3 storage side. */
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { AwsSettings, StackConfig } from "../config";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterOffer, ClusterSide, PodAccess, StorageSide } from "../contracts";
import type { Tags } from "../tags";
import { PodIdentityAgent } from "./agent";
import { S3BucketWithPolicy } from "./bucket";
import { PodIdentityBinding } from "./binding";
import { EksCluster } from "./cluster";
import { WebIdentityBinding } from "./webIdentity";

/** An explicit AWS provider from validated config; no resource uses the ambient default. */
export function awsProvider(name: string, settings: AwsSettings): AwsProvider {
  return new AwsProvider(name, {
    region: settings.region,
    ...(settings.profile ? { profile: settings.profile } : {}),
  });
}

function requireAws(config: StackConfig): AwsSettings {
  // parseConfig sets `aws` whenever the cluster or the storage is on AWS.
  if (!config.aws) throw new Error("internal: AWS settings missing from validated config");
  return config.aws;
}

export function eksClusterSide(
  config: StackConfig,
  tags: Tags,
  provider: AwsProvider,
): ClusterSide {
  const settings = requireAws(config);
  const opts = { providers: { aws: provider } };
  const cluster = new EksCluster(
    `${config.prefix}-cluster`,
    {
      region: settings.region,
      profile: settings.profile,
      apiAllowedCidrs: config.apiAllowedCidrs,
      tags,
    },
    opts,
  );
  const agent = new PodIdentityAgent(
    `${config.prefix}-agent`,
    { clusterName: cluster.clusterName, nodes: cluster.nodeGroup, tags },
    opts,
  );
  return { cluster, agent };
}

export function s3StorageSide(
  config: StackConfig,
  cluster: ClusterOffer,
  tags: Tags,
  provider: AwsProvider,
): StorageSide {
  const settings = requireAws(config);
  const opts = { providers: { aws: provider } };
  const bucket = new S3BucketWithPolicy(`${config.prefix}-storage`, { tags }, opts);
  const common = {
    identity: config.workload,
    policyArn: bucket.readPolicyArn,
    objectUrl: bucket.objectUrl,
    region: settings.region,
    tags,
  };
  const storage = { bucketName: bucket.bucketName, objectUrl: bucket.objectUrl };
  const name = `${config.prefix}-binding`;

  if (cluster instanceof EksCluster && config.awsMechanism === "pod-identity") {
    const binding = new PodIdentityBinding(
      name,
      { ...common, clusterName: cluster.clusterName, clusterArn: cluster.clusterArn },
      opts,
    );
    return {
      ...storage,
      access: withPermission(binding.podAccess, bucket.readPolicyDocument),
      outputs: { roleArn: binding.roleArn },
    };
  }
  // IRSA on EKS (its webhook delivers the token), or a cluster outside AWS (the pod projects it).
  const binding = new WebIdentityBinding(
    name,
    {
      ...common,
      issuerUrl: cluster.oidcIssuerUrl,
      delivery: cluster instanceof EksCluster ? "irsa" : "projected",
    },
    opts,
  );
  return {
    ...storage,
    access: withPermission(binding.podAccess, bucket.readPolicyDocument),
    outputs: { roleArn: binding.roleArn, oidcProviderArn: binding.oidcProviderArn },
  };
}

/**
 * The bindings know the read policy by its ARN only; its document joins the proof inputs here, so
 * a changed permission re-runs the proofs too.
 */
function withPermission(access: PodAccess, policyDocument: pulumi.Input<string>): PodAccess {
  return { ...access, proofInputs: [...access.proofInputs, policyDocument] };
}
