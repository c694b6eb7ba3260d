import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import {
  CLUSTER_KINDS,
  DEFAULTS,
  parseConfig,
  STORAGE_KINDS,
  SUPPORTED_PAIRS,
  type RawConfig,
} from "../src/config";
import { evaluate, readStackFile, ROOT } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";
import { checkLimits, namingProblems, worstCaseTrustPolicy } from "../src/limits";

const aws = { awsRegion: "eu-north-1" };
const error = (raw: RawConfig, stack = "dev") => {
  try {
    parseConfig(raw, stack);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected parseConfig to throw");
};

describe("parseConfig", () => {
  test("defaults: EKS reading S3 as demo/demo, prefix from the stack", () => {
    expect(parseConfig(aws, "dev")).toEqual({
      stack: "dev",
      prefix: "wi-dev",
      cluster: "eks",
      storage: "s3",
      workload: { namespace: "demo", serviceAccount: "demo" },
      awsMechanism: "pod-identity",
      apiAllowedCidrs: ["0.0.0.0/0"],
      aws: { region: "eu-north-1" },
    });
  });

  test("an empty storage means the cluster's own cloud", () => {
    expect(parseConfig({ ...aws, cluster: "eks", storage: "" }, "dev").storage).toBe("s3");
  });

  test("Pulumi.yaml declares the same defaults the program applies", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const declared = Object.fromEntries(
      Object.entries(project.config as Record<string, { default: unknown; type: string }>).map(
        ([k, v]) => [k, v.default],
      ),
    );
    expect(declared).toEqual(DEFAULTS);
    for (const [k, v] of Object.entries(project.config as Record<string, any>)) {
      expect(v.type).toBe(k === "apiAllowedCidrs" ? "array" : "string");
      expect(v.description).toMatch(/\w/);
    }
  });

  test("stack names become safe, short prefixes", () => {
    expect(parseConfig(aws, "Team_A.prod").prefix).toBe("wi-team-a-prod");
    expect(parseConfig(aws, "a-very-long-stack-name-indeed").prefix).toBe("wi-a-very-long-stac");
  });

  test.each([
    [{ cluster: "gcp" }, 'config `cluster`: expected one of eks, gke, aks, got "gcp"'],
    [{ cluster: "EKS" }, 'config `cluster`: expected one of eks, gke, aks, got "EKS"'],
    [{ storage: "gcp" }, 'config `storage`: expected one of s3, gcs, blob, got "gcp"'],
    [
      { namespace: "Demo" },
      "config `namespace`: \"Demo\" is not a valid Kubernetes namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    ],
    [
      { namespace: "a".repeat(64) },
      `config \`namespace\`: "${"a".repeat(64)}" is not a valid Kubernetes namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
    ],
    [
      { namespace: "default" },
      'config `namespace`: "default" is reserved; choose a namespace of the workload\'s own (not default, kube-system, kube-public, kube-node-lease)',
    ],
    [
      { namespace: "kube-system" },
      'config `namespace`: "kube-system" is reserved; choose a namespace of the workload\'s own (not default, kube-system, kube-public, kube-node-lease)',
    ],
    [
      { serviceAccount: "my_sa" },
      "config `serviceAccount`: \"my_sa\" is not a valid Kubernetes ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    ],
    [
      { serviceAccount: "" },
      "config `serviceAccount`: \"\" is not a valid Kubernetes ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    ],
  ])("refuses %j", (bad, message) => {
    expect(error({ ...aws, ...bad })).toBe(message);
  });

  test("EKS needs aws:region, and says how to set it", () => {
    expect(error({})).toBe(
      "config `aws:region`: required when `cluster` is eks, got nothing; set it with `pulumi config set aws:region eu-north-1`",
    );
    expect(error({ awsRegion: "Stockholm" })).toBe(
      'config `aws:region`: "Stockholm" is not an AWS region name (e.g. eu-north-1)',
    );
  });

  test("IRSA is a choice for EKS reading S3 only", () => {
    expect(parseConfig({ ...aws, awsMechanism: "irsa" }, "dev").awsMechanism).toBe("irsa");
    expect(error({ ...aws, awsMechanism: "IRSA" })).toBe(
      'config `awsMechanism`: expected one of pod-identity, irsa, got "IRSA"',
    );
    expect(error({ ...aws, storage: "gcs", awsMechanism: "irsa" })).toBe(
      "config `awsMechanism`: irsa applies only to cluster eks reading storage s3, got eks→gcs; " +
        "leave it at pod-identity (other clusters reach S3 through web identity federation)",
    );
  });

  test("the AWS profile is passed on when set", () => {
    expect(parseConfig({ ...aws, awsProfile: "demo" }, "dev").aws).toEqual({
      region: "eu-north-1",
      profile: "demo",
    });
  });
});

describe("cluster × storage pairs", () => {
  const raw = {
    awsRegion: "eu-north-1",
    gcpProject: "demo-project-123",
    gcpRegion: "europe-north1",
    gcpZone: "europe-north1-a",
    azureLocation: "swedencentral",
  };

  test("all nine are supported, each needing exactly its two clouds' settings", () => {
    const all = CLUSTER_KINDS.flatMap((c) => STORAGE_KINDS.map((s) => [c, s] as const));
    expect([...SUPPORTED_PAIRS].sort()).toEqual([...all].sort());
    const cloud = { eks: "aws", gke: "gcp", aks: "azure", s3: "aws", gcs: "gcp", blob: "azure" };
    for (const [cluster, storage] of all) {
      const config = parseConfig({ ...raw, cluster, storage }, "x");
      const clouds = ["aws", "gcp", "azure"].filter((k) => k in config);
      expect(clouds.sort(), `${cluster}→${storage}`).toEqual(
        [...new Set([cloud[cluster], cloud[storage]])].sort(),
      );
    }
  });

  test("a cross-cloud pair names the other cloud's missing setting", () => {
    expect(error({ awsRegion: "eu-north-1", storage: "gcs" })).toBe(
      "config `gcp:project`: required when `storage` is gcs; expected a project ID (6–30 lowercase letters, digits and '-', starting with a letter), got \"\"",
    );
    expect(error({ awsRegion: "eu-north-1", storage: "blob" })).toBe(
      'config `azure-native:location`: required when `storage` is blob; expected a location name such as swedencentral, got ""',
    );
  });
});

describe("cloud limits, checked before anything is created", () => {
  const base = parseConfig({ awsRegion: "eu-north-1" }, "dev");

  test("the longest trust policy a Kubernetes name allows stays within IAM's 2,048", () => {
    const longest = {
      ...base,
      workload: { namespace: "n".repeat(63), serviceAccount: "s".repeat(245) },
    };
    for (const awsMechanism of ["pod-identity", "irsa"] as const) {
      const trust = worstCaseTrustPolicy({ ...longest, awsMechanism })!;
      expect(trust.length).toBeLessThanOrEqual(2048);
      expect(checkLimits({ ...longest, awsMechanism })).toEqual({ ...longest, awsMechanism });
    }
  });

  test("a trust policy over the limit is refused with the names that caused it", () => {
    const length = worstCaseTrustPolicy(base)!.length;
    expect(() => checkLimits(base, length - 1)).toThrow(
      `config \`namespace\`/\`serviceAccount\`: the role's trust policy could reach ${length} characters with "demo"/"demo", over IAM's limit of ${length - 1}; use shorter names (or ask AWS to raise ACLSizePerRole)`,
    );
  });

  test("the worst case really is worse than what the program registers", () => {
    // The EKS cluster name Pulumi generates is far shorter than the 100 characters assumed.
    expect(worstCaseTrustPolicy(base)).toContain(`cluster/${"x".repeat(100)}`);
  });
});

describe("names the clouds would refuse, before anything is created", () => {
  const raw = {
    awsRegion: "eu-north-1",
    gcpProject: "demo-project-123",
    gcpRegion: "europe-north1",
    azureLocation: "swedencentral",
  };

  test("a stack whose name puts google in a bucket name", () => {
    const config = parseConfig({ ...raw, cluster: "eks", storage: "gcs" }, "google-demo");
    expect(() => checkLimits(config)).toThrow(
      'stack name "google-demo" (prefix wi-google-demo): namePrefix: "wi-google-demo" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    );
  });

  test("a ServiceAccount too long for the denial check's second one", () => {
    const config = parseConfig({ ...raw, serviceAccount: "s".repeat(250) }, "dev");
    expect(() => checkLimits(config)).toThrow(
      `config \`serviceAccount\`: "${"s".repeat(250)}" is too long for the denial check's ServiceAccount "${"s".repeat(20)}…" (at most 253 characters); use at most 245`,
    );
  });

  test("every shipped stack passes, and loading applies the checks", async () => {
    expect(namingProblems(parseConfig({ ...raw, cluster: "aks", storage: "blob" }, "aks"))).toEqual(
      [],
    );
    const rec = installMocks("google-demo");
    await expect(
      evaluate(rec, "google-demo", {
        ...readStackFile("eks-gcs"),
        "gcp:project": "demo-project-123",
      }),
    ).rejects.toThrow('stack name "google-demo"');
    expect(rec.resources).toEqual([]);
  });
});
