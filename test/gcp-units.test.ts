/**
 * The Google Cloud pieces on their own: the checks that stop a bad name or argument before Google
 * refuses it halfway through an update, the label rules, and the principal's exact shape.
 */
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, test } from "vitest";
import { installMocks, settle, valueOf } from "../offline/mocks";
import { IdentityAgent } from "../src/gcp";
import { bucketNamePrefixProblem, BucketWithPolicy, projectNumberText } from "../src/gcp";
import { IdentityBinding, gkePrincipal } from "../src/gcp";
import {
  authorizedNetworkProblem,
  authorizedNetworks,
  Cluster,
  gkeClusterProblem,
} from "../src/gcp";
import { poolIdPrefixProblem } from "../src/gcp";
import { gcpLabels } from "../src/gcp";
import { baseTags } from "../src/core";
import { namePrefix } from "../src/config";

installMocks();
const tags = baseTags("dev");

describe("bucket names", () => {
  test("the longest prefix the config can make still fits", () => {
    const longest = namePrefix("a".repeat(100));
    expect(longest.length).toBe(19);
    expect(bucketNamePrefixProblem(longest)).toBeUndefined();
  });

  test.each([
    [
      "a".repeat(51),
      `namePrefix: "${"a".repeat(51)}" is too long; with its random suffix the bucket name would have 64 characters, at most 63 are allowed`,
    ],
    [
      "wi-google",
      'namePrefix: "wi-google" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    ],
    [
      "wi-g00gle",
      'namePrefix: "wi-g00gle" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    ],
    [
      "goog-x",
      'namePrefix: "goog-x" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    ],
    [
      "Wi_Dev",
      "namePrefix: \"Wi_Dev\" must be lowercase letters, digits and '-', starting with a letter or digit",
    ],
  ])("refuses %j", (prefix, message) => {
    expect(bucketNamePrefixProblem(prefix)).toBe(message);
  });

  test("50 characters is the limit (50 + '-' + 12 hex = 63)", () => {
    expect(bucketNamePrefixProblem("a".repeat(50))).toBeUndefined();
  });

  test("the component refuses a bad prefix before creating anything", () => {
    expect(
      () =>
        new BucketWithPolicy("b", {
          project: "demo-project-1",
          location: "europe-north1",
          namePrefix: "wi-google",
          tags,
        }),
    ).toThrow('namePrefix: "wi-google" would put "goog"/"google" in a bucket name');
  });
});

describe("labels", () => {
  test("lowercase, and only letters, digits, '_' and '-'", () => {
    expect(
      gcpLabels({ project: "workload-identity", stack: "Team_A.Prod", "managed-by": "pulumi" }),
    ).toEqual({
      project: "workload-identity",
      stack: "team_a-prod",
      "managed-by": "pulumi",
    });
  });

  test("values are cut at 63 characters", () => {
    expect(gcpLabels({ stack: "x".repeat(80) }).stack).toHaveLength(63);
  });

  test("a key that cannot be a label key is refused, not silently renamed", () => {
    expect(() => gcpLabels({ "1st": "a" })).toThrow(
      'label key "1st": Google Cloud label keys must start with a lowercase letter',
    );
  });
});

describe("the principal", () => {
  test("number in the project path, ID in the pool name, then ns and sa", async () => {
    expect(
      await valueOf(
        gkePrincipal({
          projectNumber: "111122223333",
          workloadPool: "my-project.svc.id.goog",
          namespace: "ns1",
          serviceAccount: "sa1",
        }),
      ),
    ).toBe(
      "principal://iam.googleapis.com/projects/111122223333/locations/global/workloadIdentityPools/my-project.svc.id.goog/subject/ns/ns1/sa/sa1",
    );
  });
});

describe("argument checks", () => {
  const cluster = (over: Partial<ConstructorParameters<typeof Cluster>[1]> = {}, name = "c") =>
    new Cluster(name, {
      project: "demo-project-1",
      location: "europe-north1-a",
      nodeServiceAccountId: "wi-dev-nodes",
      tags,
      ...over,
    });

  test.each([
    [
      { nodeServiceAccountId: "nodes" },
      "nodeServiceAccountId: \"nodes\" is not a service account ID; use 6–30 lowercase letters, digits and '-', starting with a letter",
    ],
    [
      { nodeServiceAccountId: "wi-a-very-long-stack-name-nodes" },
      'nodeServiceAccountId: "wi-a-very-long-stack-name-nodes" is not a service account ID',
    ],
    [{ nodeCount: 0 }, "nodeCount: expected a whole number ≥ 1, got 0"],
  ])("the cluster refuses %j", (over, message) => {
    expect(() => cluster(over)).toThrow(message);
  });

  test("the cluster refuses a name GKE would refuse once Pulumi adds its suffix", () => {
    expect(() => cluster({}, "wi-a-very-long-stack-name-cluster")).toThrow(
      'name: "wi-a-very-long-stack-name-cluster" is too long; GKE names are at most 40 characters',
    );
  });

  test("the longest prefix the config can make fits GKE's 40 characters, with the suffix", async () => {
    const prefix = namePrefix("a".repeat(100));
    expect(() =>
      cluster({ nodeServiceAccountId: `${prefix}-nodes` }, `${prefix}-cluster`),
    ).not.toThrow();
    await settle();
  });

  test("the agent needs a node pool to wait for", () => {
    const provider = new k8s.Provider("p", { kubeconfig: "{}" });
    expect(() => new IdentityAgent("a", { provider, nodePools: [] })).toThrow(
      "nodePools: expected at least one node pool for the metadata server to run on, got none",
    );
  });

  test("the binding takes a role name", () => {
    expect(
      () =>
        new IdentityBinding("b", {
          workloadPool: "demo-project-1.svc.id.goog",
          poolProjectNumber: "111122223333",
          identity: { namespace: "demo", serviceAccount: "demo" },
          bucketName: "bucket",
          role: "storage.objectViewer",
        }),
    ).toThrow(
      'role: expected a role name such as roles/storage.objectViewer, got "storage.objectViewer"',
    );
  });
});

describe("the API endpoint's authorized networks", () => {
  test("the open default is written out, Google Cloud's addresses included (they are in 0.0.0.0/0)", () => {
    expect(authorizedNetworks(["0.0.0.0/0"])).toEqual({
      cidrBlocks: [{ cidrBlock: "0.0.0.0/0", displayName: "apiAllowedCidrs[0]" }],
      gcpPublicCidrsAccessEnabled: true,
    });
  });

  test("a narrowed list is exactly those networks, and shuts out other Compute Engine VMs", () => {
    expect(authorizedNetworks(["203.0.113.0/24", "198.51.100.7/32"])).toEqual({
      cidrBlocks: [
        { cidrBlock: "203.0.113.0/24", displayName: "apiAllowedCidrs[0]" },
        { cidrBlock: "198.51.100.7/32", displayName: "apiAllowedCidrs[1]" },
      ],
      gcpPublicCidrsAccessEnabled: false,
    });
  });

  test.each(["0.0.0.0/0", "203.0.113.0/24", "198.51.100.7/32", "10.0.0.0/8", "255.255.255.255/32"])(
    "accepts the network address %s",
    (cidr) => {
      expect(authorizedNetworkProblem(cidr)).toBeUndefined();
    },
  );

  test.each([
    [
      "203.0.113.7/24",
      'apiAllowedCidrs: "203.0.113.7/24" is not a network address; GKE takes "203.0.113.0/24"',
    ],
    [
      "010.0.0.0/8",
      'apiAllowedCidrs: "010.0.0.0/8" is not a network address; GKE takes "10.0.0.0/8"',
    ],
    ["10.0.0.1/0", 'apiAllowedCidrs: "10.0.0.1/0" is not a network address; GKE takes "0.0.0.0/0"'],
    ["256.0.0.0/8", 'apiAllowedCidrs: "256.0.0.0/8" is not an IPv4 CIDR such as "203.0.113.0/24"'],
    ["10.0.0.0/33", 'apiAllowedCidrs: "10.0.0.0/33" is not an IPv4 CIDR such as "203.0.113.0/24"'],
    ["10.0.0.0", 'apiAllowedCidrs: "10.0.0.0" is not an IPv4 CIDR such as "203.0.113.0/24"'],
  ])("refuses %j", (cidr, message) => {
    expect(authorizedNetworkProblem(cidr)).toBe(message);
  });

  test("the cluster refuses a bad list before creating anything", () => {
    const args = { nodeServiceAccountId: "wi-dev-nodes" };
    expect(gkeClusterProblem("c", { ...args, apiAllowedCidrs: [] })).toBe(
      "apiAllowedCidrs: expected 1–50 IPv4 CIDRs, got []",
    );
    expect(
      () =>
        new Cluster("c", {
          project: "demo-project-1",
          location: "europe-north1-a",
          nodeServiceAccountId: "wi-dev-nodes",
          apiAllowedCidrs: ["203.0.113.7/24"],
          tags,
        }),
    ).toThrow('apiAllowedCidrs: "203.0.113.7/24" is not a network address');
  });
});

describe("the project number", () => {
  test("the provider's JSON number becomes IAM's digits, none lost", () => {
    expect(projectNumberText(604875213397)).toBe("604875213397");
    expect(projectNumberText(999999999999)).toBe("999999999999");
    expect(projectNumberText("123456789012")).toBe("123456789012");
  });

  test.each([undefined, 0, -1, 1.5, 2 ** 53, "", "my-project", "1e12"])(
    "refuses %j rather than building a principal from it",
    (value) => {
      expect(() => projectNumberText(value as number)).toThrow(
        "Cloud Storage reported no usable project number",
      );
    },
  );
});

/**
 * The prefix contract config.ts keeps: `wi-` and at most 16 of [a-z0-9-], no `--`, not ending in
 * `-` (a hash of the stack name stands in for what was cut). Every Google Cloud name derived from
 * any such prefix must hold; only Cloud Storage's "google" rule can refuse one (limits.ts checks it).
 */
describe("every Google Cloud name any prefix can make", () => {
  /** Deterministic prefixes of every length and shape the contract allows. */
  function prefixes(): string[] {
    const chars = "abcdefghijklmnopqrstuvwxyz0123456789";
    let seed = 42;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const out = new Set<string>([
      "wi-a",
      "wi-0",
      "wi-0-0",
      `wi-${"a".repeat(16)}`,
      "wi-a-b-c-d-e-f-g-h",
    ]);
    for (let i = 0; i < 2000; i++) {
      const length = 1 + next(16);
      let body = chars[next(chars.length)];
      while (body.length < length) {
        const dash = body.length < length - 1 && !body.endsWith("-") && next(4) === 0;
        body += dash ? "-" : chars[next(chars.length)];
      }
      out.add(`wi-${body}`);
    }
    return [...out];
  }
  const CONTRACT = /^wi-(?!.*--)[a-z0-9-]{1,16}$/;

  test("the sample keeps the contract, covering every length from 4 to 19", () => {
    const all = prefixes();
    for (const p of all) {
      expect(p, p).toMatch(CONTRACT);
      expect(p.endsWith("-"), p).toBe(false);
    }
    expect(new Set(all.map((p) => p.length))).toEqual(
      new Set(Array.from({ length: 16 }, (_, i) => i + 4)),
    );
  });

  test("node service account (6–30), GKE cluster and pool names (≤ 40 with the suffix), pool ids (4–32, not gcp-), bucket names (≤ 63)", () => {
    for (const p of prefixes()) {
      expect(
        gkeClusterProblem(`${p}-cluster`, { nodeServiceAccountId: `${p}-nodes` }),
        p,
      ).toBeUndefined();
      expect(poolIdPrefixProblem(p), p).toBeUndefined();
      const bucket = bucketNamePrefixProblem(p);
      if (bucket !== undefined)
        expect(bucket, p).toMatch(/would put "goog"\/"google" in a bucket name/);
    }
  });
});
