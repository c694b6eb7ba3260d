/**
 * Which default-VPC subnets an EKS cluster and its managed nodes go into: the default subnets of
 * Availability Zones that EKS accepts and that offer the node instance type. A region without a
 * default VPC, or with fewer than two such zones, is refused at preview with what to do.
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as pulumi from "@pulumi/pulumi";

/**
 * Availability Zone IDs where EKS refuses cluster subnets (`UnsupportedAvailabilityZoneException`).
 * IDs, not names: names map to different physical zones in each account.
 * - use1-az3, usw1-az2, cac1-az3: "The subnets can't reside in the following Availability Zones",
 *   https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html#cluster-subnets
 * - cnn1-az4: eksctl's `zoneIDsToAvoid` (pkg/az/az.go; eksctl-io/eksctl#3916).
 */
export const EKS_UNSUPPORTED_ZONE_IDS: readonly string[] = [
  "use1-az3",
  "usw1-az2",
  "cac1-az3",
  "cnn1-az4",
];

/** EKS needs cluster subnets in at least two Availability Zones (same page as above). */
export const EKS_MIN_ZONES = 2;

/** The zone IDs, of those offering the instance type, where EKS accepts subnets; sorted. */
export function eksZoneIds(offeredZoneIds: readonly string[]): string[] {
  return [...new Set(offeredZoneIds)].filter((id) => !EKS_UNSUPPORTED_ZONE_IDS.includes(id)).sort();
}

export function noDefaultVpcMessage(region: string): string {
  return (
    `config \`aws:region\`: ${region} has no default VPC in this account, and the EKS cluster is ` +
    `placed in the default VPC's subnets; create one with \`aws ec2 create-default-vpc --region ${region}\`, ` +
    "or set `aws:region` to a region that has one"
  );
}

export function tooFewZonesMessage(
  region: string,
  instanceType: string,
  offeredZoneIds: readonly string[],
): string {
  const usable = eksZoneIds(offeredZoneIds);
  const excluded = offeredZoneIds.filter((id) => EKS_UNSUPPORTED_ZONE_IDS.includes(id));
  return (
    `config \`aws:region\`: ${region} has ${usable.length} Availability Zone(s) that offer ${instanceType} ` +
    `and that EKS supports (${usable.join(", ") || "none"}` +
    (excluded.length ? `; EKS refuses ${excluded.join(", ")}` : "") +
    `), and EKS needs subnets in at least ${EKS_MIN_ZONES}; set \`aws:region\` to another region`
  );
}

export function tooFewSubnetsMessage(
  region: string,
  vpcId: string,
  zoneIds: readonly string[],
  subnetIds: readonly string[],
): string {
  return (
    `config \`aws:region\`: the default VPC ${vpcId} in ${region} has ${subnetIds.length} default subnet(s) ` +
    `(${subnetIds.join(", ") || "none"}) in the Availability Zones EKS can use (${zoneIds.join(", ")}), ` +
    `and EKS needs subnets in at least ${EKS_MIN_ZONES}; recreate the missing ones with ` +
    `\`aws ec2 create-default-subnet --availability-zone <zone> --region ${region}\`, ` +
    "or set `aws:region` to another region"
  );
}

export interface DefaultSubnetsArgs {
  /** Passed to every lookup explicitly, so the mocks (and a reader) see which region is asked. */
  readonly region: string;
  /** The node instance type: only zones that offer it are used. */
  readonly instanceType: string;
}

/**
 * The default subnets (sorted IDs) of the default VPC in the zones EKS can use. Lookups go through
 * `opts` (our explicit provider, via the parent) and run at preview, so a problem fails the preview
 * with a `ResourceError` attributed to `owner`, before anything is created.
 *
 * EC2 filters: DescribeVpcs `is-default`, DescribeSubnets `vpc-id`, `default-for-az`,
 * `availability-zone-id`, DescribeInstanceTypeOfferings `instance-type` with location type
 * `availability-zone-id` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcs.html,
 * …/API_DescribeSubnets.html, …/API_DescribeInstanceTypeOfferings.html). A VPC has at most one
 * default subnet per zone, so the subnet count is the zone count.
 */
export function defaultVpcSubnetIds(
  args: DefaultSubnetsArgs,
  owner: pulumi.Resource,
  opts: pulumi.InvokeOptions,
): pulumi.Output<string[]> {
  const { region, instanceType } = args;
  // getVpcs, not getVpc({ default: true }): no default VPC is an empty list, not a provider error.
  const vpcIds = ec2.getVpcsOutput(
    { region, filters: [{ name: "is-default", values: ["true"] }] },
    opts,
  ).ids;
  const offered = ec2.getInstanceTypeOfferingsOutput(
    {
      region,
      locationType: "availability-zone-id",
      filters: [{ name: "instance-type", values: [instanceType] }],
    },
    opts,
  ).locations;
  // The subnet lookup needs both answers checked first (an EC2 filter with no values is no
  // filter), so it runs as a plain invoke in this one callback.
  return pulumi.all([vpcIds, offered]).apply(async ([vpcs, locations]) => {
    if (vpcs.length === 0) throw new pulumi.ResourceError(noDefaultVpcMessage(region), owner);
    const zoneIds = eksZoneIds(locations);
    if (zoneIds.length < EKS_MIN_ZONES) {
      throw new pulumi.ResourceError(tooFewZonesMessage(region, instanceType, locations), owner);
    }
    const { ids } = await ec2.getSubnets(
      {
        region,
        filters: [
          { name: "vpc-id", values: [vpcs[0]] },
          { name: "default-for-az", values: ["true"] },
          { name: "availability-zone-id", values: zoneIds },
        ],
      },
      opts,
    );
    if (ids.length < EKS_MIN_ZONES) {
      throw new pulumi.ResourceError(tooFewSubnetsMessage(region, vpcs[0], zoneIds, ids), owner);
    }
    return [...ids].sort();
  });
}
