/**
 * The gke stack (GKE Workload Identity Federation → Cloud Storage) as test/gcp.test.ts and
 * test/gcp-binding.test.ts read it: one recorder, the evaluation of `Pulumi.gke.yaml` (run once
 * per worker: the evaluation cache), the types and the names the mocks give.
 */
import { beforeAll } from "vitest";
import { GCP_PROJECT_NUMBER, RANDOM_HEX } from "../../offline/clouds/gcp";
import { evaluate, exampleStackConfig, type Evaluation } from "../../offline/evaluate";
import { installMocks } from "../../offline/mocks";

export const rec = installMocks();
export const stackFile = exampleStackConfig("gke");
export const PROJECT = stackFile["gcp:project"];
export const REGION = stackFile["gcp:region"];
export const ZONE = stackFile["gcp:zone"];
export const POOL = `${PROJECT}.svc.id.goog`;

/** Evaluates `stack` (default gke) with `config` (default its stack file) into `rec`. */
export async function evaluateGke(
  config?: Record<string, string>,
  stack = "gke",
): Promise<Evaluation> {
  return evaluate(rec, stack, config);
}

/** The latest `evaluateGkeFile()`. */
export let run: Evaluation;

/** Evaluates gke as its stack file has it into `rec`, and makes it `run`. */
export async function evaluateGkeFile(): Promise<Evaluation> {
  run = await evaluateGke();
  return run;
}

/** Registers the calling file's `beforeAll`: gke as its stack file has it. */
export function useGke(): void {
  beforeAll(evaluateGkeFile);
}

/** The config without one key. */
export const without = (config: Record<string, string>, key: string) =>
  Object.fromEntries(Object.entries(config).filter(([k]) => k !== key));

export const T = {
  service: "gcp:projects/service:Service",
  account: "gcp:serviceaccount/account:Account",
  projectMember: "gcp:projects/iAMMember:IAMMember",
  cluster: "gcp:container/cluster:Cluster",
  nodePool: "gcp:container/nodePool:NodePool",
  bucket: "gcp:storage/bucket:Bucket",
  object: "gcp:storage/bucketObject:BucketObject",
  bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
  randomId: "random:index/randomId:RandomId",
  gcpProvider: "pulumi:providers:gcp",
  k8sProvider: "pulumi:providers:kubernetes",
  ns: "kubernetes:core/v1:Namespace",
  sa: "kubernetes:core/v1:ServiceAccount",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
};

/** The names the mocks give what Pulumi auto-names, and what the mocks derive from inputs. */
export const CLUSTER_NAME = "wi-gke-cluster-gke-a1b2c3d";
export const BUCKET = `wi-gke-${RANDOM_HEX.slice(0, 12)}`;
export const NODE_EMAIL = `wi-gke-nodes@${PROJECT}.iam.gserviceaccount.com`;
export const PRINCIPAL = `principal://iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${PROJECT}.svc.id.goog/subject/ns/demo/sa/demo`;

export const podTemplates = () =>
  [rec.one(T.deployment), rec.one(T.job, "-verify")].map((r) => r.inputs.spec.template);
/** The metadata server DaemonSet, as the agent reads it (`.get`): the recorder keeps reads too. */
export const metadataServerRead = () => rec.one(T.daemonSet);
