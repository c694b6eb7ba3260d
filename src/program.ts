/**
 * Composes the five components for the configured cluster and storage: a cluster side
 * (Cluster + IdentityAgent), a storage side (BucketWithPolicy + IdentityBinding) and the
 * DemoWorkload that joins them. `index.ts` calls this with validated config; tests call it under
 * mocks.
 */
import type * as pulumi from "@pulumi/pulumi";
import { awsProvider, eksClusterSide, s3StorageSide } from "./aws/compose";
import { aksClusterSide, azureProvider, blobStorageSide } from "./azure/compose";
import type { StackConfig } from "./config";
import type { ClusterSide, StorageSide } from "./contracts";
import { gcpProvider, gcsStorageSide, gkeClusterSide } from "./gcp/compose";
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
  readonly namespace: pulumi.Output<string>;
  readonly serviceAccount: pulumi.Output<string>;
  readonly verifyJob: pulumi.Output<string>;
  readonly verifyCommand: pulumi.Output<string>;
  /** Per mechanism, e.g. `roleArn` for AWS. */
  readonly [extra: string]: pulumi.Output<string> | string;
}

export function deploy(config: StackConfig): ProgramOutputs {
  const tags = baseTags(config.stack);
  // One explicit provider per cloud the stack touches, built from validated config.
  const aws = config.aws ? awsProvider(`${config.prefix}-aws`, config.aws) : undefined;
  const gcp = config.gcp ? gcpProvider(`${config.prefix}-gcp`, config.gcp) : undefined;
  const azure = config.azure ? azureProvider(`${config.prefix}-azure`, config.azure) : undefined;

  const clusterSide = ((): ClusterSide => {
    switch (config.cluster) {
      case "eks":
        return eksClusterSide(config, tags, required(aws, "aws"));
      case "gke":
        return gkeClusterSide(config, tags, required(gcp, "gcp"));
      case "aks":
        return aksClusterSide(config, tags, required(azure, "azure"));
    }
  })();
  const storageSide = ((): StorageSide => {
    switch (config.storage) {
      case "s3":
        return s3StorageSide(config, clusterSide.cluster, tags, required(aws, "aws"));
      case "gcs":
        return gcsStorageSide(config, clusterSide.cluster, tags, required(gcp, "gcp"));
      case "blob":
        return blobStorageSide(config, clusterSide.cluster, tags, required(azure, "azure"));
    }
  })();

  const { cluster } = clusterSide;
  const workload = new DemoWorkload(`${config.prefix}-demo`, {
    provider: cluster.kubernetesProvider,
    identity: config.workload,
    access: storageSide.access,
    readyAfter: [clusterSide.agent],
  });

  return {
    cluster: config.cluster,
    storage: config.storage,
    clusterName: cluster.clusterName,
    oidcIssuerUrl: cluster.oidcIssuerUrl,
    kubeconfig: cluster.kubeconfig,
    bucketName: storageSide.bucketName,
    objectUrl: storageSide.objectUrl,
    ...storageSide.outputs,
    namespace: workload.namespace,
    serviceAccount: workload.serviceAccountName,
    verifyJob: workload.jobName,
    ...(workload.denialJobName ? { denialJob: workload.denialJobName } : {}),
    verifyCommand: workload.verifyCommand,
  };
}

function required<T>(value: T | undefined, cloud: string): T {
  if (value === undefined) throw new Error(`internal: no ${cloud} provider for this stack`);
  return value;
}
