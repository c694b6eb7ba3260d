import { autoname, type InvokeMock, type ResourceMock } from "./types";

export const ACCOUNT = "123456789012";
export const REGION = "eu-north-1";
export const EKS_ISSUER = `https://oidc.eks.${REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
export const DEFAULT_VPC = "vpc-0default";
export const DEFAULT_SUBNETS = ["subnet-0a", "subnet-0b", "subnet-0c"];

/**
 * One mock account's EC2 view of a region: its default VPC (if it has one), the default subnet of
 * each Availability Zone ID, and which zone IDs offer which instance types. Invented data shaped
 * like the EC2 API's answers.
 */
interface RegionMock {
  readonly defaultVpc?: string;
  readonly defaultSubnets: Readonly<Record<string, string>>;
  readonly offerings: Readonly<Record<string, readonly string[]>>;
}

export const AWS_REGIONS: Readonly<Record<string, RegionMock>> = {
  // The stacks' region: three zones, each with its default subnet, all offering t3.medium.
  [REGION]: {
    defaultVpc: DEFAULT_VPC,
    defaultSubnets: { "eun1-az1": "subnet-0a", "eun1-az2": "subnet-0b", "eun1-az3": "subnet-0c" },
    offerings: { "t3.medium": ["eun1-az1", "eun1-az2", "eun1-az3"] },
  },
  // Six zones: EKS refuses use1-az3, and use1-az5 does not offer t3.medium.
  "us-east-1": {
    defaultVpc: "vpc-0use1",
    defaultSubnets: Object.fromEntries(
      [1, 2, 3, 4, 5, 6].map((n) => [`use1-az${n}`, `subnet-0use1az${n}`]),
    ),
    offerings: {
      "t3.medium": ["use1-az1", "use1-az2", "use1-az3", "use1-az4", "use1-az6"],
      // Offered in two zones, one of which EKS refuses: one usable zone is not enough.
      "p4d.24xlarge": ["use1-az3", "use1-az6"],
    },
  },
  // Every zone offers t3.medium, but someone deleted all default subnets but one.
  "eu-west-1": {
    defaultVpc: "vpc-0euw1",
    defaultSubnets: { "euw1-az2": "subnet-0euw1az2" },
    offerings: { "t3.medium": ["euw1-az1", "euw1-az2", "euw1-az3"] },
  },
  // This account deleted its default VPC here.
  "eu-west-3": {
    defaultSubnets: {},
    offerings: { "t3.medium": ["euw3-az1", "euw3-az2", "euw3-az3"] },
  },
};

/** Any other well-formed region: three zones like the stacks' region, named after it. */
function ordinaryRegion(name: string): RegionMock {
  const id = name.replace(/^([a-z]{2})-([a-z])[a-z]*-(\d+)$/, "$1$2$3");
  const zones = [1, 2, 3].map((n) => `${id}-az${n}`);
  return {
    defaultVpc: `vpc-0${id}`,
    defaultSubnets: Object.fromEntries(zones.map((z) => [z, `subnet-0${z.replace("-", "")}`])),
    offerings: { "t3.medium": zones },
  };
}

function regionOf(token: string, args: any): RegionMock {
  if (typeof args.region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(args.region)) {
    throw new Error(`${token}: no region in the arguments: ${JSON.stringify(args.region)}`);
  }
  return AWS_REGIONS[args.region] ?? ordinaryRegion(args.region);
}

/** The values of each filter, by name; throws on a filter the mock does not know. */
function filtersOf(token: string, args: any, known: readonly string[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const f of args.filters ?? []) {
    if (!known.includes(f.name)) throw new Error(`${token}: unexpected filter ${f.name}`);
    filters[f.name] = f.values;
  }
  return filters;
}

/**
 * An EKS cluster that exists in the mock account before any stack runs (for `existingCluster`):
 * what `eks:DescribeCluster` and `eks:DescribeAddon` would answer. Invented data.
 */
export interface ExistingEksMock {
  readonly issuer: string;
  /** EKS Auto Mode (`computeConfig.enabled`): it runs the Pod Identity agent itself. */
  readonly autoMode?: boolean;
  /** The `eks-pod-identity-agent` add-on, with its tags, when installed. */
  readonly agentAddon?: { readonly tags: Readonly<Record<string, string>> };
}

const existingIssuer = (id: string) => `https://oidc.eks.${REGION}.amazonaws.com/id/${id}`;

/** Existing clusters in `REGION`, by name. */
export const EXISTING_EKS: Readonly<Record<string, ExistingEksMock>> = {
  // The placeholder of Pulumi.eks-existing.yaml: a cluster someone else runs, agent installed.
  "my-eks-cluster": {
    issuer: existingIssuer("0A1B2C3D4E5F60718293A4B5C6D7E8F9"),
    agentAddon: { tags: {} },
  },
  // A team's cluster: agent add-on installed by its owners, IAM OIDC provider created (eksctl).
  "team-cluster": {
    issuer: existingIssuer("7E4A1C9B2D3F4A5B6C7D8E9F0A1B2C3D"),
    agentAddon: { tags: { owner: "platform-team" } },
  },
  // A bare cluster: no agent, no IAM OIDC provider.
  "bare-cluster": { issuer: existingIssuer("B1A2C3D4E5F60718293A4B5C6D7E8F90") },
  // Auto Mode: no add-on (it runs the agent itself); its IAM OIDC provider lacks the STS audience.
  "auto-cluster": { issuer: existingIssuer("A0B1C2D3E4F5061728394A5B6C7D8E9F"), autoMode: true },
  // The add-on an earlier `up` of stack dev installed (installAgent: true): it carries our tags.
  "ours-cluster": {
    issuer: existingIssuer("C0FFEE00112233445566778899AABBCC"),
    agentAddon: {
      tags: {
        project: "workload-identity",
        stack: "dev",
        "managed-by": "pulumi",
        component: "identity-agent",
      },
    },
  },
};

/** IAM OIDC providers that exist in the mock account, by URL (with `https://`): their audiences. */
export const EXISTING_OIDC_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  [EXISTING_EKS["my-eks-cluster"].issuer]: ["sts.amazonaws.com"],
  [EXISTING_EKS["team-cluster"].issuer]: ["sts.amazonaws.com"],
  [EXISTING_EKS["ours-cluster"].issuer]: ["sts.amazonaws.com"],
  [EXISTING_EKS["auto-cluster"].issuer]: ["example-audience"],
};

const oidcProviderArn = (url: string) =>
  `arn:aws:iam::${ACCOUNT}:oidc-provider/${url.replace(/^https:\/\//, "")}`;

/**
 * An invoke's failure as the engine hands it over: the SDK rejects with `new Error(err.details)`
 * (@pulumi/pulumi runtime/invoke.js), so a mock's error must carry its text in `details` too.
 */
function invokeFailure(message: string): Error {
  return Object.assign(new Error(message), { details: message });
}

/** The existing cluster the lookup names, or the error the provider reports for a missing one. */
function existingEks(token: string, name: unknown, region: unknown): ExistingEksMock {
  const cluster = region === REGION ? EXISTING_EKS[String(name)] : undefined;
  if (!cluster) {
    // How the provider reports EKS's ResourceNotFoundException from a data source.
    throw invokeFailure(
      `${token}: reading EKS Cluster (${String(name)}): couldn't find resource (ResourceNotFoundException)`,
    );
  }
  return cluster;
}

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
  "aws:eks/addon:Addon": (_name, inputs) => ({
    id: `${inputs.clusterName}:${inputs.addonName}`,
    state: {
      ...inputs,
      arn: `arn:aws:eks:${REGION}:${ACCOUNT}:addon/${inputs.clusterName}/${inputs.addonName}/0example`,
      addonVersion: "v1.3.4-eksbuild.1",
    },
  }),
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
  "aws:eks/getCluster:getCluster": (args) => {
    const cluster = existingEks("getCluster", args.name, args.region);
    return {
      id: args.name,
      name: args.name,
      region: args.region,
      arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${args.name}`,
      endpoint: `https://ADOPTED${args.name.length}.gr7.${REGION}.eks.amazonaws.com`,
      certificateAuthorities: [{ data: `Q0Etb2Yt${Buffer.from(args.name).toString("base64")}` }],
      identities: [{ oidcs: [{ issuer: cluster.issuer }] }],
      computeConfigs: cluster.autoMode
        ? [{ enabled: true, nodePools: ["general-purpose", "system"], nodeRoleArn: "" }]
        : [],
      status: "ACTIVE",
      version: "1.33",
      tags: {},
    };
  },
  "aws:eks/getAddon:getAddon": (args) => {
    const cluster = existingEks("getAddon", args.clusterName, args.region);
    const addon = args.addonName === "eks-pod-identity-agent" ? cluster.agentAddon : undefined;
    if (!addon) {
      throw invokeFailure(
        `getAddon: reading EKS Add-On (${args.clusterName}:${args.addonName}): couldn't find resource ` +
          `(ResourceNotFoundException: No addon: ${args.addonName} found in cluster: ${args.clusterName})`,
      );
    }
    return {
      id: `${args.clusterName}:${args.addonName}`,
      addonName: args.addonName,
      clusterName: args.clusterName,
      addonVersion: "v1.3.4-eksbuild.1",
      arn: `arn:aws:eks:${REGION}:${ACCOUNT}:addon/${args.clusterName}/${args.addonName}/0existing`,
      tags: addon.tags,
    };
  },
  "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": (args) => {
    const audiences = EXISTING_OIDC_PROVIDERS[args.url];
    if (!audiences) {
      throw invokeFailure(
        `getOpenIdConnectProvider: reading IAM OIDC Provider (${args.url}): couldn't find resource`,
      );
    }
    const arn = oidcProviderArn(args.url);
    return {
      id: arn,
      arn,
      url: args.url,
      clientIdLists: [...audiences],
      thumbprintLists: [],
      tags: {},
    };
  },
  "aws:ec2/getVpcs:getVpcs": (args) => {
    const token = "getVpcs";
    const region = regionOf(token, args);
    const filters = filtersOf(token, args, ["is-default"]);
    if (filters["is-default"]?.join() !== "true") {
      throw new Error(`${token}: expected the is-default filter, got ${JSON.stringify(args)}`);
    }
    const ids = region.defaultVpc ? [region.defaultVpc] : [];
    return { id: args.region, ids, region: args.region, tags: {} };
  },
  "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": (args) => {
    const token = "getInstanceTypeOfferings";
    const region = regionOf(token, args);
    if (args.locationType !== "availability-zone-id") {
      throw new Error(
        `${token}: expected locationType availability-zone-id, got ${args.locationType}`,
      );
    }
    const types = filtersOf(token, args, ["instance-type"])["instance-type"] ?? [];
    const pairs = types.flatMap((t) => (region.offerings[t] ?? []).map((zone) => [t, zone]));
    return {
      id: args.region,
      instanceTypes: pairs.map(([t]) => t),
      locations: pairs.map(([, zone]) => zone),
      locationTypes: pairs.map(() => "availability-zone-id"),
      region: args.region,
    };
  },
  "aws:ec2/getSubnets:getSubnets": (args) => {
    const token = "getSubnets";
    const region = regionOf(token, args);
    const f = filtersOf(token, args, ["vpc-id", "default-for-az", "availability-zone-id"]);
    if (f["default-for-az"]?.join() !== "true") {
      throw new Error(`${token}: expected default-for-az true, got ${JSON.stringify(args)}`);
    }
    if (!f["vpc-id"]?.includes(region.defaultVpc ?? "")) return { id: args.region, ids: [] };
    const zones = f["availability-zone-id"];
    const ids = Object.entries(region.defaultSubnets)
      .filter(([zone]) => zones === undefined || zones.includes(zone))
      .map(([, subnet]) => subnet);
    return { id: args.region, ids, region: args.region };
  },
};
