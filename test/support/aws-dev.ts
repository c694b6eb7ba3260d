/**
 * The dev stack (EKS Pod Identity → S3) as test/aws.test.ts and test/aws-binding.test.ts read it:
 * one recorder, the evaluation of the stack file (run once per worker: the evaluation cache), the
 * types and the names the mocks give.
 */
import { beforeAll } from "vitest";
import { evaluate, type Evaluation } from "../../offline/evaluate";
import { installMocks } from "../../offline/mocks";

export const rec = installMocks();
/** The latest `evaluateDev()`. */
export let run: Evaluation;

/** Evaluates dev as its stack file has it into `rec`, and makes it `run`. */
export async function evaluateDev(): Promise<Evaluation> {
  run = await evaluate(rec, "dev");
  return run;
}

/** Registers the calling file's `beforeAll`: dev as its stack file has it. */
export function useDev(): void {
  beforeAll(async () => {
    delete process.env.PULUMI_K8S_DELETE_UNREACHABLE;
    await evaluateDev();
  });
}

export const T = {
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  bucket: "aws:s3/bucket:Bucket",
  eks: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  addon: "aws:eks/addon:Addon",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  k8sProvider: "pulumi:providers:kubernetes",
  awsProvider: "pulumi:providers:aws",
  ns: "kubernetes:core/v1:Namespace",
  sa: "kubernetes:core/v1:ServiceAccount",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
};

export const bindingRole = () => rec.one(T.role, "-binding-role");
export const podTemplates = () =>
  [rec.one(T.deployment), rec.one(T.job, "-verify")].map((r) => r.inputs.spec.template);
/** The name the mocks give the EKS cluster (Pulumi auto-names it). */
export const EKS_NAME = "wi-dev-cluster-eks-a1b2c3d";
