import { describe, expect, test } from "vitest";
import {
  AWS,
  broadManagedPolicy,
  noBroadManagedPolicies,
  resourceMessages,
  type PolicyResource,
} from "../../policy/rules";
import {
  changed,
  firesOnEveryType,
  one,
  quietOnEveryStack,
  resourcesOf,
  useStacks,
} from "../support/policy";

const check = (r: PolicyResource) => resourceMessages(noBroadManagedPolicies, r);
const managed = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const broad = (path: string, name: string) =>
  `${path} is "${managed(name)}", the AWS-managed ${name} policy, which reaches far beyond one bucket; attach a customer-managed policy scoped to the bucket (e.g. BucketWithPolicy.readPolicyArn)`;
const ATTACHED = [AWS.role, AWS.rolePolicyAttachment];

describe("no-broad-managed-policies", () => {
  useStacks();
  quietOnEveryStack(noBroadManagedPolicies, {
    dev: ATTACHED,
    "dev (irsa)": ATTACHED,
    "eks-gcs": ATTACHED,
    "eks-blob": ATTACHED,
    "gke-s3": ATTACHED,
    "aks-s3": ATTACHED,
  });

  test.for(["dev", "dev (irsa)", "gke-s3", "aks-s3"])(
    "fires when the %s binding's role gets AmazonS3ReadOnlyAccess instead of the bucket's policy",
    (label) => {
      const attachment = one(resourcesOf(label), AWS.rolePolicyAttachment, "-binding-read");
      const swapped = changed(attachment, (p) => (p.policyArn = managed("AmazonS3ReadOnlyAccess")));
      expect(check(swapped)).toEqual([
        `${attachment.type} ${attachment.name}: ${broad("policyArn", "AmazonS3ReadOnlyAccess")}`,
      ]);
    },
  );

  test("fires on AdministratorAccess in the node role's managedPolicyArns", () => {
    const role = one(resourcesOf("dev"), AWS.role, "-cluster-node");
    const admin = changed(role, (p) => (p.managedPolicyArns = [managed("AdministratorAccess")]));
    expect(check(admin)).toEqual([
      `aws:iam/role:Role wi-dev-cluster-node: ${broad("managedPolicyArns[0]", "AdministratorAccess")}`,
    ]);
  });

  test("tells read-everything and admin policies from the EKS ones the cluster needs", () => {
    const verdicts = Object.fromEntries(
      [
        "AdministratorAccess",
        "PowerUserAccess",
        "ReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonS3FullAccess",
        "IAMFullAccess",
        "AmazonEKSClusterPolicy",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEC2ContainerRegistryReadOnly",
      ].map((n) => [n, broadManagedPolicy(managed(n)) !== undefined]),
    );
    expect(verdicts).toEqual({
      AdministratorAccess: true,
      PowerUserAccess: true,
      ReadOnlyAccess: true,
      AmazonS3ReadOnlyAccess: true,
      AmazonS3FullAccess: true,
      IAMFullAccess: true,
      AmazonEKSClusterPolicy: false,
      AmazonEKSWorkerNodePolicy: false,
      AmazonEKS_CNI_Policy: false,
      AmazonEC2ContainerRegistryPullOnly: false,
      AmazonEC2ContainerRegistryReadOnly: false,
    });
    // A customer-managed policy of the same name is the customer's own, scoped as they wrote it.
    expect(broadManagedPolicy("arn:aws:iam::123456789012:policy/ReadOnlyAccess")).toBeUndefined();
    expect(broadManagedPolicy("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess")).toBe(
      undefined,
    );
    expect(broadManagedPolicy("arn:aws-us-gov:iam::aws:policy/AdministratorAccess")).toBe(
      "AdministratorAccess",
    );
    expect(broadManagedPolicy(managed("service-role/AWSConfigRoleFullAccess"))).toBe(
      "AWSConfigRoleFullAccess",
    );
  });

  const attachment = {
    props: { policyArn: managed("PowerUserAccess") },
    messages: [broad("policyArn", "PowerUserAccess")],
  };
  firesOnEveryType(noBroadManagedPolicies, {
    [AWS.rolePolicyAttachment]: attachment,
    [AWS.userPolicyAttachment]: attachment,
    [AWS.groupPolicyAttachment]: attachment,
    [AWS.policyAttachment]: attachment,
    [AWS.rolePolicyAttachmentsExclusive]: {
      props: { policyArns: [managed("AmazonEKSClusterPolicy"), managed("IAMFullAccess")] },
      messages: [broad("policyArns[1]", "IAMFullAccess")],
    },
    [AWS.role]: {
      props: { managedPolicyArns: [managed("ReadOnlyAccess")] },
      messages: [broad("managedPolicyArns[0]", "ReadOnlyAccess")],
    },
  });
});
