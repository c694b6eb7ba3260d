import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterOffer, NativeCluster, Tags } from "../core";
import { componentTags } from "../core";
import { clusterProvider, execKubeconfig, nodeCountProblem } from "../k8s";
import { defaultVpcSubnetIds } from "./subnets";

/** AWS-managed policies an EKS control plane and a managed node need; nothing that reads data. */
export const CLUSTER_ROLE_POLICIES = ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"] as const;
export const NODE_ROLE_POLICIES = [
  // Includes eks-auth:AssumeRoleForPodIdentity, which the Pod Identity Agent calls.
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
] as const;

export interface ClusterArgs {
  /** The AWS region, for the `aws eks get-token` call in the kubeconfig. */
  readonly region: string;
  /** A named AWS profile the kubeconfig passes to `aws eks get-token`. */
  readonly profile?: string;
  /**
   * Kubernetes version. Unset means the version EKS currently defaults to, so the demo never
   * lands on a version in (paid) extended support.
   */
  readonly version?: string;
  /** @default "t3.medium" */
  readonly instanceType?: string;
  /** @default 1 */
  readonly nodeCount?: number;
  /**
   * IPv4 CIDRs allowed to reach the public API endpoint; nodes use the private endpoint.
   * @default ["0.0.0.0/0"] (EKS's own default: open to the internet)
   */
  readonly apiAllowedCidrs?: readonly string[];
  readonly tags: Tags;
}

/** What is wrong with `args`, as messages; empty when nothing is. */
export function validateClusterArgs(args: ClusterArgs): string[] {
  const problems = [nodeCountProblem(args.nodeCount ?? 1)];
  if (args.apiAllowedCidrs?.length === 0) {
    problems.push(
      'apiAllowedCidrs: empty; list the CIDRs that may reach the API, e.g. ["203.0.113.0/24"]',
    );
  }
  return problems.filter((p): p is string => p !== undefined);
}

/**
 * An EKS control plane in the account's default VPC and one managed Linux node group (Pod
 * Identity does not work on Fargate or Windows nodes). Offers a Kubernetes provider built from
 * this cluster, its kubeconfig (secret) and its OIDC issuer.
 */
export class Cluster extends pulumi.ComponentResource implements ClusterOffer {
  public readonly native: NativeCluster;
  public readonly clusterName: pulumi.Output<string>;
  public readonly clusterArn: pulumi.Output<string>;
  public readonly oidcIssuerUrl: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly kubernetesProvider: KubernetesProvider;
  /** The managed node group: whatever must run on a node waits for it. */
  public readonly nodeGroup: eks.NodeGroup;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:aws:Cluster", name, {}, opts);
    const problems = validateClusterArgs(args);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const nodeCount = args.nodeCount ?? 1;
    const apiAllowedCidrs = [...(args.apiAllowedCidrs ?? ["0.0.0.0/0"])];
    const tags = componentTags(args.tags, "cluster");
    const parent = { parent: this };

    const clusterRole = new iam.Role(
      `${name}-control-plane`,
      { assumeRolePolicy: serviceTrust("eks.amazonaws.com"), tags },
      parent,
    );
    const clusterRolePolicies = CLUSTER_ROLE_POLICIES.map(
      (policyArn, i) =>
        new iam.RolePolicyAttachment(
          `${name}-control-plane-${i}`,
          { role: clusterRole.name, policyArn },
          parent,
        ),
    );
    const nodeRole = new iam.Role(
      `${name}-node`,
      { assumeRolePolicy: serviceTrust("ec2.amazonaws.com"), tags },
      parent,
    );
    const nodeRolePolicies = NODE_ROLE_POLICIES.map(
      (policyArn, i) =>
        new iam.RolePolicyAttachment(
          `${name}-node-${i}`,
          { role: nodeRole.name, policyArn },
          parent,
        ),
    );

    // The default VPC keeps the demo small; its subnets are public, so nodes reach EKS Auth.
    const instanceType = args.instanceType ?? "t3.medium";
    const subnetIds = defaultVpcSubnetIds({ region: args.region, instanceType }, this, parent);

    const cluster = new eks.Cluster(
      `${name}-eks`,
      {
        roleArn: clusterRole.arn,
        version: args.version,
        vpcConfig: {
          subnetIds,
          endpointPublicAccess: true,
          publicAccessCidrs: apiAllowedCidrs,
          // Nodes reach the API through the VPC, not from their public IPs: with public access
          // limited to apiAllowedCidrs and no private endpoint they could not join. "If you limit
          // access to specific CIDR blocks, then it is recommended that you also enable the
          // private endpoint" (needs the VPC's DNS hostnames and support, on in a default VPC):
          // https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
          endpointPrivateAccess: true,
        },
        // Access entries, not the aws-auth ConfigMap; whoever runs `pulumi up` is admin.
        accessConfig: {
          authenticationMode: "API",
          bootstrapClusterCreatorAdminPermissions: true,
        },
        // The EKS API defaults to EXTENDED: a forgotten demo would enter paid extended support
        // when its version leaves standard support. STANDARD upgrades it instead.
        // https://docs.aws.amazon.com/eks/latest/APIReference/API_UpgradePolicyRequest.html
        upgradePolicy: { supportType: "STANDARD" },
        tags,
      },
      { parent: this, dependsOn: clusterRolePolicies },
    );

    this.nodeGroup = new eks.NodeGroup(
      `${name}-nodes`,
      {
        clusterName: cluster.name,
        nodeRoleArn: nodeRole.arn,
        subnetIds,
        amiType: "AL2023_x86_64_STANDARD",
        instanceTypes: [instanceType],
        scalingConfig: { minSize: nodeCount, desiredSize: nodeCount, maxSize: nodeCount },
        tags,
      },
      { parent: this, dependsOn: nodeRolePolicies },
    );

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.native = { kind: "eks", clusterName: this.clusterName, clusterArn: this.clusterArn };
    this.oidcIssuerUrl = cluster.identities.apply((ids) => {
      const issuer = ids?.[0]?.oidcs?.[0]?.issuer;
      if (!issuer) throw new pulumi.ResourceError("EKS reported no OIDC issuer", this);
      return issuer;
    });
    this.kubeconfig = pulumi.secret(
      eksKubeconfig({
        name: cluster.name,
        endpoint: cluster.endpoint,
        certificateAuthority: cluster.certificateAuthority.data,
        region: args.region,
        profile: args.profile,
      }),
    );
    // Everything that uses this provider waits for a node to exist, not only the control plane.
    this.kubernetesProvider = clusterProvider(`${name}-k8s`, this.kubeconfig, {
      parent: this,
      dependsOn: [this.nodeGroup],
    });

    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeconfig: this.kubeconfig,
    });
  }
}

/** A trust policy that lets one AWS service assume the role. */
function serviceTrust(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

interface KubeconfigArgs {
  readonly name: pulumi.Input<string>;
  readonly endpoint: pulumi.Input<string>;
  readonly certificateAuthority: pulumi.Input<string>;
  readonly region: string;
  readonly profile?: string;
}

/** A kubeconfig that fetches short-lived tokens with `aws eks get-token`: nothing to expire. */
export function eksKubeconfig(args: KubeconfigArgs): pulumi.Output<string> {
  return execKubeconfig({
    name: args.name,
    server: args.endpoint,
    certificateAuthority: args.certificateAuthority,
    exec: {
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", args.name, "--region", args.region],
      env: args.profile ? [{ name: "AWS_PROFILE", value: args.profile }] : null,
    },
  });
}
