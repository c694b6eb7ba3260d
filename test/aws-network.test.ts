/**
 * Where the EKS cluster goes and who reaches its API: default subnets only in Availability Zones
 * that EKS accepts and that offer the node instance type, a clear refusal at preview when a region
 * cannot host it, and the API endpoint's allowed CIDRs from config.
 *
 * The EC2 answers are the mocks' (offline/clouds/aws.ts, per region); what this cannot prove is
 * that EC2 answers these filters the same way, or that EKS's list of refused zones is still
 * complete (it is read from the EKS user guide, not from the API).
 */
import { describe, expect, test } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { evaluate, exampleStackConfig } from "../offline/evaluate";
import { AWS_REGIONS, installMocks, settle, valueOf } from "../offline/mocks";
import { Cluster } from "../src/aws";
import { awsCloud } from "../src/aws";
import { EKS_UNSUPPORTED_ZONE_IDS, eksZoneIds } from "../src/aws";

const rec = installMocks();
const T = {
  eks: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  component: "workload-identity:aws:Cluster",
};
const devIn = (region: string) => ({ ...exampleStackConfig("dev"), "aws:region": region });

/**
 * Runs `body` and returns the errors that reached Node's unhandled-rejection hook, which is where
 * `pulumi` itself reports a failed program (its uncaught handler logs a `ResourceError` once per
 * error object, against the error's resource). `message` is the text at the moment of reporting:
 * Pulumi prefixes it with `error serializing property …` for each input it fails.
 */
async function reportedErrors(
  body: () => Promise<unknown>,
): Promise<{ error: unknown; message: string }[]> {
  const reported: { error: unknown; message: string }[] = [];
  const seen = new Set<unknown>();
  const listener = (error: unknown) => {
    if (seen.has(error)) return;
    seen.add(error);
    reported.push({ error, message: (error as Error).message });
  };
  process.on("unhandledRejection", listener);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return reported;
}

/** The one error a failed run reports: a ResourceError of the Cluster component. */
async function expectClusterRefused(
  reported: { error: unknown; message: string }[],
): Promise<string> {
  expect(reported).toHaveLength(1);
  const [{ error, message }] = reported;
  expect(pulumi.ResourceError.isInstance(error)).toBe(true);
  const owner = (error as pulumi.ResourceError).resource!;
  expect(await valueOf(owner.urn)).toBe(rec.one(T.component).urn);
  // Neither the control plane nor the nodes were registered: nothing billable is attempted.
  expect(rec.ofType(T.eks)).toEqual([]);
  expect(rec.ofType(T.nodeGroup)).toEqual([]);
  return message;
}

describe("subnets", () => {
  test("us-east-1: not use1-az3 (EKS refuses it), not use1-az5 (no t3.medium)", async () => {
    const region = AWS_REGIONS["us-east-1"];
    // The mock region holds both traps, so the assertion below can tell them apart.
    expect(Object.keys(region.defaultSubnets)).toContain("use1-az3");
    expect(region.offerings["t3.medium"]).toContain("use1-az3");
    expect(region.offerings["t3.medium"]).not.toContain("use1-az5");

    await evaluate(rec, "dev", devIn("us-east-1"));
    const chosen = ["subnet-0use1az1", "subnet-0use1az2", "subnet-0use1az4", "subnet-0use1az6"];
    expect(rec.one(T.eks).inputs.vpcConfig.subnetIds).toEqual(chosen);
    expect(rec.one(T.nodeGroup).inputs.subnetIds).toEqual(chosen);
    const lookup = rec.invokes.find((i) => i.token === "aws:ec2/getSubnets:getSubnets")!;
    expect(lookup.args).toEqual({
      region: "us-east-1",
      filters: [
        { name: "vpc-id", values: ["vpc-0use1"] },
        { name: "default-for-az", values: ["true"] },
        { name: "availability-zone-id", values: ["use1-az1", "use1-az2", "use1-az4", "use1-az6"] },
      ],
    });
  });

  test("the zones EKS refuses are the EKS user guide's (plus eksctl's cnn1-az4)", () => {
    expect([...EKS_UNSUPPORTED_ZONE_IDS].sort()).toEqual(
      ["cac1-az3", "cnn1-az4", "use1-az3", "usw1-az2"].sort(),
    );
    expect(eksZoneIds(["use1-az6", "use1-az3", "use1-az1", "use1-az1", "usw1-az2"])).toEqual([
      "use1-az1",
      "use1-az6",
    ]);
  });

  test("a region without a default VPC is refused at preview, saying what to do", async () => {
    const reported = await reportedErrors(() => evaluate(rec, "dev", devIn("eu-west-3")));
    const message = await expectClusterRefused(reported);
    expect(message).toMatch(
      /config `aws:region`: eu-west-3 has no default VPC in this account, and the EKS cluster is placed in the default VPC's subnets; create one with `aws ec2 create-default-vpc --region eu-west-3`, or set `aws:region` to a region that has one$/,
    );
    // The subnet lookup never ran with a made-up VPC.
    expect(rec.invokes.map((i) => i.token)).not.toContain("aws:ec2/getSubnets:getSubnets");
  });

  test("evaluated again, the region is refused again (a refused run is never served from the cache)", async () => {
    for (let i = 0; i < 2; i++) {
      const reported = await reportedErrors(() => evaluate(rec, "dev", devIn("eu-west-3")));
      expect(await expectClusterRefused(reported)).toMatch(/eu-west-3 has no default VPC/);
    }
  });

  test("fewer than two default subnets in usable zones is refused, naming them", async () => {
    const reported = await reportedErrors(() => evaluate(rec, "dev", devIn("eu-west-1")));
    const message = await expectClusterRefused(reported);
    expect(message).toMatch(
      /config `aws:region`: the default VPC vpc-0euw1 in eu-west-1 has 1 default subnet\(s\) \(subnet-0euw1az2\) in the Availability Zones EKS can use \(euw1-az1, euw1-az2, euw1-az3\), and EKS needs subnets in at least 2; recreate the missing ones with `aws ec2 create-default-subnet --availability-zone <zone> --region eu-west-1`, or set `aws:region` to another region$/,
    );
  });

  test("an instance type offered in one usable zone only is refused (a refused zone does not count)", async () => {
    const reported = await reportedErrors(async () => {
      rec.clear();
      const provider = awsCloud.provider("c-aws", { region: "us-east-1" });
      new Cluster(
        "c",
        { region: "us-east-1", instanceType: "p4d.24xlarge", tags: {} },
        { providers: { aws: provider } },
      );
      await settle();
    });
    const message = await expectClusterRefused(reported);
    expect(message).toMatch(
      /config `aws:region`: us-east-1 has 1 Availability Zone\(s\) that offer p4d\.24xlarge and that EKS supports \(use1-az6; EKS refuses use1-az3\), and EKS needs subnets in at least 2; set `aws:region` to another region$/,
    );
  });
});

describe("API endpoint", () => {
  test("apiAllowedCidrs from config become the endpoint's public access CIDRs, exactly", async () => {
    const cidrs = ["203.0.113.0/24", "198.51.100.7/32"];
    await evaluate(rec, "dev", {
      ...exampleStackConfig("dev"),
      "workload-identity:apiAllowedCidrs": JSON.stringify(cidrs),
    });
    expect(rec.one(T.eks).inputs.vpcConfig).toEqual({
      subnetIds: ["subnet-0a", "subnet-0b", "subnet-0c"],
      endpointPublicAccess: true,
      publicAccessCidrs: cidrs,
      // Else the nodes, which reach a public-only endpoint from their own public IPs, could not
      // join a cluster whose API only these CIDRs may reach.
      endpointPrivateAccess: true,
    });
  });

  test("an empty list is refused before anything is registered under the cluster", () => {
    rec.clear();
    expect(() => new Cluster("e", { region: "eu-north-1", apiAllowedCidrs: [], tags: {} })).toThrow(
      'apiAllowedCidrs: empty; list the CIDRs that may reach the API, e.g. ["203.0.113.0/24"]',
    );
  });
});
