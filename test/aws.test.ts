/**
 * The dev stack (EKS Pod Identity → S3) under mocks: every link of the identity chain and the
 * security posture, read off what the program registers. Here the components, the cluster, the
 * agent and the bucket; test/aws-binding.test.ts the rest, on the same evaluation.
 *
 * What this cannot prove: that AWS accepts these inputs (no provider validation runs under mocks),
 * that the Pod Identity webhook injects credentials, or that IAM propagates in time; the
 * verification Job proves those on a real `pulumi up`.
 */
import { expectOwnedAndNamed, expectUniqueNames } from "./support/expect";
import { describe, expect, test } from "vitest";
import { statements } from "../offline/iam";
import {
  ACCOUNT,
  DEFAULT_SUBNETS,
  DEFAULT_VPC,
  EKS_ISSUER,
  isSecret,
  valueOf,
} from "../offline/mocks";
import { NODE_ROLE_POLICIES } from "../src/aws";
import { HELLO_CONTENT } from "../src/core";
import { EKS_NAME, rec, run, T, useDev } from "./support/aws-dev";

useDev();

describe("the five components", () => {
  test("are registered once each, with their type tokens", () => {
    const components = rec.resources.filter((r) => r.type.startsWith("workload-identity:"));
    expect(components.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
      "workload-identity:aws:BucketWithPolicy wi-dev-storage",
      "workload-identity:aws:Cluster wi-dev-cluster",
      "workload-identity:aws:IdentityAgent wi-dev-agent",
      "workload-identity:aws:IdentityBinding wi-dev-binding",
      "workload-identity:k8s:DemoWorkload wi-dev-demo",
    ]);
  });

  test("own every cloud and Kubernetes resource, named after the component", () => {
    expectOwnedAndNamed(rec);
  });

  test("every AWS resource uses the explicit provider for the configured region", () => {
    const provider = rec.one(T.awsProvider);
    expect(provider.inputs.region).toBe("eu-north-1");
    const awsResources = rec.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    expect(awsResources.length).toBeGreaterThan(10);
    for (const r of awsResources) expect(rec.providerUrn(r), r.name).toBe(provider.urn);
  });

  test("every Kubernetes object uses the provider built from our cluster", () => {
    const provider = rec.one(T.k8sProvider);
    expect(rec.ancestors(provider)[0].type).toBe("workload-identity:aws:Cluster");
    const objects = rec.resources.filter((r) => r.type.startsWith("kubernetes:"));
    // The bound pods, and the denial Job with its unbound ServiceAccount.
    expect(objects.map((o) => o.type).sort()).toEqual(
      [T.deployment, T.job, T.job, T.ns, T.sa, T.sa].sort(),
    );
    for (const o of objects) expect(rec.providerUrn(o), o.name).toBe(provider.urn);
  });

  test("no two resources share a name", () => {
    expectUniqueNames(rec);
  });
});

describe("Cluster", () => {
  test("an EKS control plane in the default VPC's default subnets, API access entries", () => {
    const eks = rec.one(T.eks);
    expect(eks.inputs.vpcConfig).toEqual({
      subnetIds: DEFAULT_SUBNETS,
      endpointPublicAccess: true,
      // The default of `apiAllowedCidrs`; the dev stack file does not set it.
      publicAccessCidrs: ["0.0.0.0/0"],
      endpointPrivateAccess: true,
    });
    expect(rec.one(T.nodeGroup).inputs.subnetIds).toEqual(DEFAULT_SUBNETS);
    expect(eks.inputs.accessConfig).toEqual({
      authenticationMode: "API",
      bootstrapClusterCreatorAdminPermissions: true,
    });
    expect(eks.inputs.roleArn).toBe(
      `arn:aws:iam::${ACCOUNT}:role/wi-dev-cluster-control-plane-a1b2c3d`,
    );
  });

  test("standard support only: no version silently enters paid extended support", () => {
    expect(rec.one(T.eks).inputs.upgradePolicy).toEqual({ supportType: "STANDARD" });
  });

  test("the subnet lookups ask the configured region, through our AWS provider", () => {
    const provider = rec.one(T.awsProvider);
    const byToken = (token: string) => {
      const found = rec.invokes.filter((i) => i.token === token);
      expect(found, token).toHaveLength(1);
      // `<provider urn>::<id>`: the explicit provider, not the ambient default.
      expect(found[0].provider.split("::").slice(0, -1).join("::"), token).toBe(provider.urn);
      return found[0].args;
    };
    expect(byToken("aws:ec2/getVpcs:getVpcs")).toEqual({
      region: "eu-north-1",
      filters: [{ name: "is-default", values: ["true"] }],
    });
    expect(byToken("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings")).toEqual({
      region: "eu-north-1",
      locationType: "availability-zone-id",
      filters: [{ name: "instance-type", values: ["t3.medium"] }],
    });
    expect(byToken("aws:ec2/getSubnets:getSubnets")).toEqual({
      region: "eu-north-1",
      filters: [
        { name: "vpc-id", values: [DEFAULT_VPC] },
        { name: "default-for-az", values: ["true"] },
        { name: "availability-zone-id", values: ["eun1-az1", "eun1-az2", "eun1-az3"] },
      ],
    });
  });

  test("one small Linux managed node (Pod Identity does not run on Fargate or Windows)", () => {
    const ng = rec.one(T.nodeGroup);
    expect(ng.inputs.scalingConfig).toEqual({ minSize: 1, desiredSize: 1, maxSize: 1 });
    expect(ng.inputs.amiType).toBe("AL2023_x86_64_STANDARD");
    expect(ng.inputs.instanceTypes).toEqual(["t3.medium"]);
    expect(ng.inputs.clusterName).toBe(EKS_NAME);
  });

  test("the node role has exactly the node policies: the agent's eks-auth call, and no S3", () => {
    const nodeRole = rec.one(T.role, "-cluster-node");
    const attached = rec
      .ofType(T.attachment)
      .filter((a) => a.dependencies.includes(nodeRole.urn))
      .map((a) => a.inputs.policyArn)
      .sort();
    expect(attached).toEqual([...NODE_ROLE_POLICIES].sort());
    expect(statements(nodeRole.inputs.assumeRolePolicy)).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "ec2.amazonaws.com" },
        Action: ["sts:AssumeRole"],
        Resource: [],
      },
    ]);
  });

  test("the kubeconfig is secret and fetches tokens with aws eks get-token for this cluster", async () => {
    expect(await isSecret(run.outputs.kubeconfig)).toBe(true);
    const kubeconfig = JSON.parse(await valueOf(run.outputs.kubeconfig));
    expect(kubeconfig.clusters[0].cluster.server).toBe(
      "https://EXAMPLE.gr7.eu-north-1.eks.amazonaws.com",
    );
    expect(kubeconfig.users[0].user.exec).toMatchObject({
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", EKS_NAME, "--region", "eu-north-1"],
    });
    // The provider is built from that same secret kubeconfig, after the nodes exist.
    const provider = rec.one(T.k8sProvider);
    expect(JSON.parse(provider.inputs.kubeconfig)).toEqual(kubeconfig);
    expect(provider.secretInputs).toEqual(["kubeconfig"]);
    // No deleteUnreachable: an unreachable API (an expired SSO session) must fail the run, not
    // drop the objects from the state. (The SDK would fill it from PULUMI_K8S_DELETE_UNREACHABLE,
    // which useDev's beforeAll clears.)
    expect(provider.inputs).not.toHaveProperty("deleteUnreachable");
    expect(provider.dependencies).toContain(rec.one(T.nodeGroup).urn);
  });

  test("the OIDC issuer is the one EKS reports", async () => {
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(EKS_ISSUER);
  });
});

describe("IdentityAgent", () => {
  test("the eks-pod-identity-agent add-on, on our cluster, once a node can run it", () => {
    const addon = rec.one(T.addon);
    expect(addon.inputs.addonName).toBe("eks-pod-identity-agent");
    expect(addon.inputs.clusterName).toBe(EKS_NAME);
    expect(addon.dependencies).toContain(rec.one(T.nodeGroup).urn);
  });
});

describe("BucketWithPolicy", () => {
  test("a force-destroyable bucket with no fixed name (Pulumi makes it unique per stack)", () => {
    const bucket = rec.one(T.bucket);
    expect(bucket.inputs.bucket).toBeUndefined();
    expect(bucket.inputs.forceDestroy).toBe(true);
    expect(bucket.name).toBe("wi-dev-storage-bucket");
  });

  test("all four public-access-block flags on, ACLs disabled", () => {
    const bucket = rec.one(T.bucket);
    const pab = rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    expect(pab.inputs).toMatchObject({
      bucket: bucket.inputs.bucket ?? "wi-dev-storage-bucket-a1b2c3d",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const ownership = rec.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls");
    expect(ownership.inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  test("the bucket policy denies every request not over TLS, and nothing else", () => {
    const policy = rec.one("aws:s3/bucketPolicy:BucketPolicy");
    const arn = "arn:aws:s3:::wi-dev-storage-bucket-a1b2c3d";
    expect(statements(policy.inputs.policy)).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("hello.txt holds Hello, World! and sets no ACL", () => {
    const hello = rec.one("aws:s3/bucketObjectv2:BucketObjectv2");
    expect(hello.inputs.bucket).toBe("wi-dev-storage-bucket-a1b2c3d");
    expect(hello.inputs.key).toBe("hello.txt");
    expect(hello.inputs.content).toBe(HELLO_CONTENT);
    expect(hello.inputs.content).toBe("Hello, World!\n");
    expect(hello.inputs.acl).toBeUndefined();
  });

  test("the read policy: ListBucket on the bucket, GetObject on its objects, nothing else", () => {
    const arn = "arn:aws:s3:::wi-dev-storage-bucket-a1b2c3d";
    expect(statements(rec.one(T.policy).inputs.policy)).toEqual([
      { Sid: "ListBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [arn] },
      { Sid: "GetObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${arn}/*`] },
    ]);
  });
});
