/** The AWS halves of a stack: an EKS cluster side, and an S3 storage side. */
import * as aws from "@pulumi/aws";
import type { AwsSettings, StackConfig } from "../config";
import type { ClusterOffer, ClusterSide, StorageSide } from "../contracts";
import type { Tags } from "../tags";
import { PodIdentityAgent } from "./agent";
import { S3BucketWithPolicy } from "./bucket";
import { PodIdentityBinding } from "./binding";
import { EksCluster } from "./cluster";

/** An explicit AWS provider from validated config; no resource uses the ambient default. */
export function awsProvider(name: string, settings: AwsSettings): aws.Provider {
  return new aws.Provider(name, {
    region: settings.region as aws.Region,
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
  provider: aws.Provider,
): ClusterSide {
  const settings = requireAws(config);
  const opts = { providers: { aws: provider } };
  const cluster = new EksCluster(
    `${config.prefix}-cluster`,
    { region: settings.region, profile: settings.profile, tags },
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
  provider: aws.Provider,
): StorageSide {
  const settings = requireAws(config);
  const opts = { providers: { aws: provider } };
  const bucket = new S3BucketWithPolicy(`${config.prefix}-storage`, { tags }, opts);
  if (!(cluster instanceof EksCluster)) {
    throw new Error(`internal: S3 from a ${cluster.kind} cluster is not supported yet`);
  }
  const binding = new PodIdentityBinding(
    `${config.prefix}-binding`,
    {
      clusterName: cluster.clusterName,
      clusterArn: cluster.clusterArn,
      identity: config.workload,
      policyArn: bucket.readPolicyArn,
      objectUrl: bucket.objectUrl,
      region: settings.region,
      tags,
    },
    opts,
  );
  return {
    bucketName: bucket.bucketName,
    objectUrl: bucket.objectUrl,
    access: binding.podAccess,
    outputs: { roleArn: binding.roleArn },
  };
}
