/**
 * Composes the five components for the configured cluster and storage. `index.ts` calls this with
 * validated config and exports what it returns; tests call it under mocks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PodIdentityAgent } from "./aws/agent";
import { S3BucketWithPolicy } from "./aws/bucket";
import { PodIdentityBinding } from "./aws/binding";
import { EksCluster } from "./aws/cluster";
import type { AwsSettings, StackConfig } from "./config";
import { DemoWorkload } from "./k8s/workload";
import { baseTags } from "./tags";

/** The stack outputs. `kubeconfig` is a secret. */
export interface ProgramOutputs {
  readonly cluster: string;
  readonly storage: string;
  readonly clusterName: pulumi.Output<string>;
  readonly oidcIssuerUrl: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly bucketName: pulumi.Output<string>;
  readonly objectUrl: pulumi.Output<string>;
  readonly roleArn?: pulumi.Output<string>;
  readonly namespace: pulumi.Output<string>;
  readonly serviceAccount: pulumi.Output<string>;
  readonly verifyJob: pulumi.Output<string>;
  readonly verifyCommand: pulumi.Output<string>;
}

/** An explicit AWS provider from validated config; resources never use the ambient default. */
export function awsProvider(name: string, settings: AwsSettings): aws.Provider {
  return new aws.Provider(name, {
    region: settings.region as aws.Region,
    profile: settings.profile,
  });
}

export function deploy(config: StackConfig): ProgramOutputs {
  const { prefix } = config;
  const tags = baseTags(config.stack);

  if (config.cluster === "eks" && config.storage === "s3" && config.aws) {
    const provider = awsProvider(`${prefix}-aws`, config.aws);
    const withAws = { providers: { aws: provider } };

    const cluster = new EksCluster(
      `${prefix}-cluster`,
      { region: config.aws.region, profile: config.aws.profile, tags },
      withAws,
    );
    const agent = new PodIdentityAgent(
      `${prefix}-agent`,
      { clusterName: cluster.clusterName, nodes: cluster.nodeGroup, tags },
      withAws,
    );
    const bucket = new S3BucketWithPolicy(`${prefix}-storage`, { tags }, withAws);
    const binding = new PodIdentityBinding(
      `${prefix}-binding`,
      {
        clusterName: cluster.clusterName,
        clusterArn: cluster.clusterArn,
        identity: config.workload,
        policyArn: bucket.readPolicyArn,
        objectUrl: bucket.objectUrl,
        region: config.aws.region,
        tags,
      },
      withAws,
    );
    const workload = new DemoWorkload(`${prefix}-demo`, {
      provider: cluster.kubernetesProvider,
      identity: config.workload,
      access: binding.podAccess,
      readyAfter: [agent],
    });

    return {
      cluster: config.cluster,
      storage: config.storage,
      clusterName: cluster.clusterName,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      kubeconfig: cluster.kubeconfig,
      bucketName: bucket.bucketName,
      objectUrl: bucket.objectUrl,
      roleArn: binding.roleArn,
      namespace: workload.namespace,
      serviceAccount: workload.serviceAccountName,
      verifyJob: workload.jobName,
      verifyCommand: workload.verifyCommand,
    };
  }
  // parseConfig refuses every other pair before we get here.
  throw new pulumi.RunError(`unsupported: ${config.cluster}→${config.storage}`);
}
