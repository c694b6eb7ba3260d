import * as pulumi from "@pulumi/pulumi";
import type { DenialAccess, PodEnvVar, StorageClient } from "../core";
import { POD_IDENTITY_PRINCIPAL, STS_AUDIENCE } from "./policies";

/** AWS CLI v2 ≥ 2.15 is needed for Pod Identity; pinned so a run is repeatable. */
export const AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.32.9";

/**
 * S3's explicit refusal as the AWS CLI prints it. `aws s3 cp s3://… -` asks HeadObject first, and a
 * HEAD response has no body, so a refusal shows as "An error occurred (403) when calling the
 * HeadObject operation: Forbidden"; a GET refused shows its error code, `AccessDenied`. A missing
 * object is 404 (or 403 without s3:ListBucket, which the read policy grants), not this.
 */
export const S3_REFUSAL =
  "\\(403\\) when calling the HeadObject operation: Forbidden|\\(AccessDenied\\) when calling the GetObject operation";

/** The AWS CLI reading `s3://<bucket>/<key>` as whatever role the pod's credentials give it. */
export function s3Client(args: {
  readonly objectUrl: pulumi.Input<string>;
  readonly region: string;
  readonly roleName: pulumi.Input<string>;
  /** The bucket, to read other keys of it (the cross-workload denial). */
  readonly bucketName?: pulumi.Input<string>;
  /** For a writer: the prefix it writes, reads back and deletes a check object under. */
  readonly writePrefix?: string;
}): StorageClient {
  const { bucketName, writePrefix } = args;
  const env: PodEnvVar[] = [
    { name: "AWS_REGION", value: args.region },
    { name: "AWS_DEFAULT_REGION", value: args.region },
  ];
  return {
    image: AWS_CLI_IMAGE,
    cli: "aws",
    refusal: S3_REFUSAL,
    env,
    whoami: "aws sts get-caller-identity --query Arn --output text",
    expectedIdentity: pulumi.interpolate`:assumed-role/${args.roleName}/`,
    read: pulumi.interpolate`aws s3 cp ${args.objectUrl} -`,
    ...(bucketName !== undefined
      ? { readKey: (key: string) => pulumi.interpolate`aws s3 cp s3://${bucketName}/${key} -` }
      : {}),
    ...(bucketName !== undefined && writePrefix !== undefined
      ? {
          write: {
            prefixUrl: pulumi.interpolate`s3://${bucketName}/${writePrefix}`,
            put: 'aws s3 cp - "$key"',
            get: 'aws s3 cp "$key" -',
            remove: 'aws s3 rm "$key"',
          },
        }
      : {}),
  };
}

/**
 * STS refusing a web identity token for a role (the trust's `sub` condition names another
 * ServiceAccount), as botocore prints it: "An error occurred (AccessDenied) when calling the
 * AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity".
 * A missing OIDC provider or a bad token is `InvalidIdentityToken`, not this.
 */
export const STS_WEB_IDENTITY_REFUSAL =
  "\\(AccessDenied\\) when calling the AssumeRoleWithWebIdentity operation";

/**
 * EKS Auth refusing a ServiceAccount credentials, relayed by the Pod Identity agent as
 * "(<code>): <message>, fault: client" (aws/eks-pod-identity-agent `pkg/errors/errors.go`,
 * HandleCredentialFetchingError), which the AWS CLI prints after "Received non 200 response … from
 * container metadata". `AccessDeniedException` (the role's trust refuses the session tags) and
 * `ResourceNotFoundException` (no association for this ServiceAccount) are the two codes the agent
 * treats as final refusals (`internal/cloud/eksauth/errors.go`, IsIrrecoverableApiError); which of
 * the two EKS Auth returns for a ServiceAccount without association is not documented. The agent
 * serving the bound pod a moment earlier rules out a missing cluster. `InvalidTokenException` and
 * `ExpiredTokenException` concern the token, not the identity, and stay inconclusive.
 */
export const POD_IDENTITY_REFUSAL = "\\((AccessDeniedException|ResourceNotFoundException)\\)";

/** The Pod Identity agent's credentials endpoint on an IPv4 cluster (EKS "pod-id-how-it-works"). */
export const POD_IDENTITY_AGENT_URI = "http://169.254.170.23/v1/credentials";
/** Where the denial pod projects its own Pod Identity token. */
export const POD_IDENTITY_TOKEN_DIR = "/var/run/secrets/tokens/eks-pod-identity";

/**
 * The denial pod under Pod Identity: no association names its ServiceAccount, so EKS injects
 * nothing and the CLI would fall back to the node's role (or find no credentials at all). Instead
 * it points the CLI at the agent with its own token for `pods.eks.amazonaws.com`, as EKS would for
 * a bound pod; the CLI then uses the container provider and never falls back, and the agent asks
 * EKS Auth for this ServiceAccount's role, which must refuse.
 */
export function podIdentityDenial(): DenialAccess {
  return {
    env: [
      { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: POD_IDENTITY_AGENT_URI },
      {
        name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        value: `${POD_IDENTITY_TOKEN_DIR}/token`,
      },
    ],
    projectedTokens: [
      {
        name: "eks-pod-identity-token",
        audience: POD_IDENTITY_PRINCIPAL,
        mountPath: POD_IDENTITY_TOKEN_DIR,
        expirationSeconds: 3600,
      },
    ],
    podLabels: {},
    refusal: POD_IDENTITY_REFUSAL,
  };
}

/**
 * A pod that assumes `roleArn` with its own ServiceAccount token for `sts.amazonaws.com`: what the
 * IRSA webhook injects into a bound pod, and what a pod on a cluster outside AWS carries itself.
 * As the denial pod, STS must refuse it (the trust names another `sub`).
 */
export function webIdentityAccess(args: {
  readonly roleArn: pulumi.Input<string>;
  readonly tokenDir: string;
  readonly sessionName: string;
}): DenialAccess {
  return {
    env: [
      { name: "AWS_ROLE_ARN", value: args.roleArn },
      { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: `${args.tokenDir}/token` },
      { name: "AWS_ROLE_SESSION_NAME", value: args.sessionName },
    ],
    projectedTokens: [
      {
        name: "aws-token",
        audience: STS_AUDIENCE,
        mountPath: args.tokenDir,
        expirationSeconds: 3600,
      },
    ],
    podLabels: {},
    refusal: STS_WEB_IDENTITY_REFUSAL,
  };
}
