import * as pulumi from "@pulumi/pulumi";
import type { PodEnvVar, StorageClient } from "../contracts";

/** AWS CLI v2 ≥ 2.15 is needed for Pod Identity; pinned so a run is repeatable. */
export const AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.32.9";

/** The AWS CLI reading `s3://<bucket>/<key>` as whatever role the pod's credentials give it. */
export function s3Client(args: {
  readonly objectUrl: pulumi.Input<string>;
  readonly region: string;
  readonly roleName: pulumi.Input<string>;
}): StorageClient {
  const env: PodEnvVar[] = [
    { name: "AWS_REGION", value: args.region },
    { name: "AWS_DEFAULT_REGION", value: args.region },
  ];
  return {
    image: AWS_CLI_IMAGE,
    cli: "aws",
    refusal: "", // TODO(issue 10)
    env,
    whoami: "aws sts get-caller-identity --query Arn --output text",
    expectedIdentity: pulumi.interpolate`:assumed-role/${args.roleName}/`,
    read: pulumi.interpolate`aws s3 cp ${args.objectUrl} -`,
  };
}
