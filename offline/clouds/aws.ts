import { autoname, type InvokeMock, type ResourceMock } from "./types";

export const ACCOUNT = "123456789012";
export const REGION = "eu-north-1";
export const EKS_ISSUER = `https://oidc.eks.${REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
export const DEFAULT_VPC = "vpc-0default";
export const DEFAULT_SUBNETS = ["subnet-0a", "subnet-0b", "subnet-0c"];

export const awsResources: Record<string, ResourceMock> = {
  "aws:iam/role:Role": (name, inputs) => {
    const roleName = inputs.name ?? autoname(name);
    return {
      id: roleName,
      state: { ...inputs, name: roleName, arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}` },
    };
  },
  "aws:iam/policy:Policy": (name, inputs) => {
    const policyName = inputs.name ?? autoname(name);
    return {
      id: `arn:aws:iam::${ACCOUNT}:policy/${policyName}`,
      state: { ...inputs, name: policyName, arn: `arn:aws:iam::${ACCOUNT}:policy/${policyName}` },
    };
  },
  "aws:s3/bucket:Bucket": (name, inputs) => {
    const bucket = inputs.bucket ?? autoname(name);
    return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
  },
  "aws:eks/cluster:Cluster": (name, inputs) => {
    const clusterName = inputs.name ?? autoname(name);
    return {
      id: clusterName,
      state: {
        ...inputs,
        name: clusterName,
        arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${clusterName}`,
        endpoint: `https://EXAMPLE.gr7.${REGION}.eks.amazonaws.com`,
        certificateAuthority: { data: "LS0tLS1CRUdJTi1DQS0tLS0t" },
        identities: [{ oidcs: [{ issuer: EKS_ISSUER }] }],
      },
    };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (_name, inputs) => {
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`;
    return { id: arn, state: { ...inputs, arn } };
  },
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": (name, inputs) => ({
    id: `${name}-id`,
    state: {
      ...inputs,
      associationId: "a-0example",
      associationArn: `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/x/a-0example`,
    },
  }),
};

export const awsInvokes: Record<string, InvokeMock> = {
  "aws:ec2/getVpc:getVpc": (args) => {
    if (args.default !== true) throw new Error(`unexpected getVpc args ${JSON.stringify(args)}`);
    return { id: DEFAULT_VPC, cidrBlock: "172.31.0.0/16" };
  },
  "aws:ec2/getSubnets:getSubnets": () => ({ ids: DEFAULT_SUBNETS }),
};
