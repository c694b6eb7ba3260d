/**
 * IAM policy documents, as data. Kept apart from the components so the shape of every grant and
 * trust is reviewable in one place (and testable by parsing the JSON the components register).
 */
import * as pulumi from "@pulumi/pulumi";
import type { AccessLevel } from "../core";

/** The service principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

/**
 * The permission document of one workload for a known bucket ARN: `s3:ListBucket` on the bucket
 * (with a prefix, only for `s3:prefix` values under it: ListObjectsV2's `prefix` parameter, the
 * only way to narrow ListBucket to keys, https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html),
 * `s3:GetObject` on `<bucket>/<prefix>*`, and for a writer `s3:PutObject`/`s3:DeleteObject` on the
 * same keys. Nothing else: no `s3:*`, no other bucket. `*` in an object ARN matches any characters,
 * `/` included, so `team-a/*` covers `team-a/x/y` and nothing outside `team-a/`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 */
export function s3AccessDocument(bucketArn: string, access: AccessLevel, prefix: string) {
  const objects = `${bucketArn}/${prefix}*`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListBucket",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArn,
        ...(prefix ? { Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } } : {}),
      },
      { Sid: "GetObjects", Effect: "Allow", Action: "s3:GetObject", Resource: objects },
      ...(access === "write"
        ? [
            {
              Sid: "WriteObjects",
              Effect: "Allow",
              Action: ["s3:PutObject", "s3:DeleteObject"],
              Resource: objects,
            },
          ]
        : []),
    ],
  };
}

/** `s3AccessDocument` for the bucket's ARN once it is known. */
export function s3AccessPolicy(
  bucketArn: pulumi.Input<string>,
  access: AccessLevel,
  prefix: string,
): pulumi.Output<string> {
  return pulumi
    .output(bucketArn)
    .apply((arn) => JSON.stringify(s3AccessDocument(arn, access, prefix)));
}

/** Read one whole bucket: list it, get its objects. Nothing else. */
export function s3ReadPolicy(bucketArn: pulumi.Input<string>): pulumi.Output<string> {
  return s3AccessPolicy(bucketArn, "read", "");
}

/** The bucket policy statement that refuses every request not made over TLS. */
export function denyInsecureTransportStatement(bucketArn: pulumi.Input<string>) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** A bucket policy that refuses every request not made over TLS. */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [denyInsecureTransportStatement(bucketArn)],
  });
}

/** IAM's default limit on a role's trust policy (ACLSizePerRole), in characters. */
export const TRUST_POLICY_LIMIT = 2048;

export interface PodIdentityTrustArgs {
  readonly clusterArn: pulumi.Input<string>;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The Pod Identity trust document for known values (also used to check size before deploy). */
export function podIdentityTrustDocument(
  clusterArn: string,
  namespace: string,
  serviceAccount: string,
) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EksPodIdentity",
        Effect: "Allow",
        Principal: { Service: POD_IDENTITY_PRINCIPAL },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:RequestTag/eks-cluster-arn": clusterArn,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
          },
        },
      },
    ],
  };
}

/**
 * Trust for EKS Pod Identity, narrowed with the session tags EKS sets: only pods of this cluster
 * running as this namespace/ServiceAccount can assume the role, whichever association names it.
 */
export function podIdentityTrust(args: PodIdentityTrustArgs): pulumi.Output<string> {
  return pulumi
    .output(args.clusterArn)
    .apply((arn) =>
      JSON.stringify(podIdentityTrustDocument(arn, args.namespace, args.serviceAccount)),
    );
}

/** The audience AWS STS expects in a web identity token (IRSA and foreign clusters alike). */
export const STS_AUDIENCE = "sts.amazonaws.com";

export interface WebIdentityTrustArgs {
  /** The IAM OIDC provider's ARN. */
  readonly providerArn: pulumi.Input<string>;
  /** The cluster's issuer, with `https://`. */
  readonly issuerUrl: pulumi.Input<string>;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** The issuer as IAM condition keys spell it: without the scheme. */
export function issuerHost(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "");
}

/** The web identity trust document for known values (also used to check size before deploy). */
export function webIdentityTrustDocument(
  providerArn: string,
  issuerUrl: string,
  namespace: string,
  serviceAccount: string,
) {
  const host = issuerHost(issuerUrl);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "KubernetesServiceAccount",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${host}:aud`]: STS_AUDIENCE,
          },
        },
      },
    ],
  };
}

/**
 * Trust for a Kubernetes ServiceAccount token (IRSA, or a cluster outside AWS): only tokens from
 * this issuer, for exactly `system:serviceaccount:<ns>:<sa>`, with the STS audience.
 */
export function webIdentityTrust(args: WebIdentityTrustArgs): pulumi.Output<string> {
  // The issuer is part of the condition *keys*, so the document is built once both are known.
  return pulumi
    .all([args.providerArn, args.issuerUrl])
    .apply(([arn, issuer]) =>
      JSON.stringify(webIdentityTrustDocument(arn, issuer, args.namespace, args.serviceAccount)),
    );
}
