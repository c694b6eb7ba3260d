import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { s3Problems, worstCaseTrustPolicy } from "../src/aws";
import {
  checkLimits,
  configProblems as namingProblems,
  DEFAULTS,
  namePrefix,
  parseConfig,
  PREFIX_MAX_LENGTH,
  type RawConfig,
  type StackConfig,
} from "../src/config";
import { CLUSTER_KINDS, STORAGE_KINDS } from "../src/core";
import { CLUSTERS, SUPPORTED_PAIRS } from "../src/registry";
import { evaluate, EXAMPLE_KUBECONFIG, exampleStackConfig, ROOT } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";

const aws = { "aws:region": "eu-north-1" };
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
      workloads: [
        { namespace: "demo", serviceAccount: "demo", access: "read", prefix: "", name: "wi-dev" },
      ],
      awsMechanism: "pod-identity",
      apiAllowedCidrs: ["0.0.0.0/0"],
      aws: { region: "eu-north-1" },
    });
  });

  test("apiAllowedCidrs: ranges by their first address, /0 to /32", () => {
    const cidrs = ["0.0.0.0/0", "203.0.113.0/24", "198.51.100.7/32", "10.0.0.0/8"];
    expect(parseConfig({ ...aws, apiAllowedCidrs: cidrs }, "dev").apiAllowedCidrs).toEqual(cidrs);
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
      expect(v.type, k).toBe(
        k === "apiAllowedCidrs" ? "array" : k === "installAgent" ? "boolean" : "string",
      );
      expect(v.description).toMatch(/\w/);
    }
  });

  test("stack names become safe, short prefixes; a cut or altered name carries its hash", () => {
    expect(parseConfig(aws, "prod-eu-1").prefix).toBe("wi-prod-eu-1");
    expect(parseConfig(aws, "Team_A.prod").prefix).toBe("wi-team-a-pr-b61fe0");
    expect(parseConfig(aws, "a-very-long-stack-name-indeed").prefix).toBe("wi-a-very-lo-7b6e52");
    expect(parseConfig(aws, "a--b").prefix).toMatch(/^wi-a-b-[0-9a-f]{6}$/);
    expect(parseConfig(aws, "___").prefix).toMatch(/^wi-[0-9a-f]{6}$/);
  });

  test("two stacks never share a prefix, and every prefix is a clean name of at most 19", () => {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
    const stacks = new Set<string>([
      "averyveryveryverylong-a",
      "averyveryveryverylong-b",
      "Prod.EU_1",
      "prod-eu-1",
      "prod_eu_1",
      "production-eu-west-1",
      "production-eu-west-2",
    ]);
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let length = 1; length <= 40; length++) {
      for (let i = 0; i < 25; i++) {
        stacks.add(Array.from({ length }, () => alphabet[next() % alphabet.length]).join(""));
      }
    }
    const seen = new Map<string, string>();
    for (const stack of stacks) {
      const prefix = namePrefix(stack);
      expect(prefix, stack).toMatch(/^wi-[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(prefix.length, stack).toBeLessThanOrEqual(PREFIX_MAX_LENGTH);
      expect(seen.get(prefix), `${stack} and ${seen.get(prefix)}`).toBeUndefined();
      seen.set(prefix, stack);
    }
  });

  test.each([
    [
      { cluster: "gcp" },
      'config `cluster`: expected one of eks, gke, aks, external, kind, got "gcp"',
    ],
    [
      { cluster: "EKS" },
      'config `cluster`: expected one of eks, gke, aks, external, kind, got "EKS"',
    ],
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
      'config `namespace`: "default" is reserved; choose a namespace of the workload\'s own (not default, nor any kube-*)',
    ],
    [
      { namespace: "kube-system" },
      'config `namespace`: "kube-system" is reserved; choose a namespace of the workload\'s own (not default, nor any kube-*)',
    ],
    [
      { namespace: "kube-team-a" },
      'config `namespace`: "kube-team-a" is reserved; choose a namespace of the workload\'s own (not default, nor any kube-*)',
    ],
    [
      { serviceAccount: "default" },
      'config `serviceAccount`: "default" is the ServiceAccount every pod in the namespace runs as unless it names another; choose a ServiceAccount of the workload\'s own',
    ],
    [
      { apiAllowedCidrs: ["203.0.113.7/24"] },
      'config `apiAllowedCidrs`: "203.0.113.7/24" is not the first address of its range; use "203.0.113.0/24"',
    ],
    [
      { apiAllowedCidrs: ["10.1.2.3/8"] },
      'config `apiAllowedCidrs`: "10.1.2.3/8" is not the first address of its range; use "10.0.0.0/8"',
    ],
    [
      { apiAllowedCidrs: ["203.0.113.0/33"] },
      'config `apiAllowedCidrs`: "203.0.113.0/33" is not an IPv4 CIDR; expected a list of 1–20 IPv4 CIDRs such as ["203.0.113.0/24"]; set it with `pulumi config set --path "workload-identity:apiAllowedCidrs[0]" 203.0.113.0/24`',
    ],
    [
      { apiAllowedCidrs: [] },
      'config `apiAllowedCidrs`: expected a list of 1–20 IPv4 CIDRs such as ["203.0.113.0/24"]; set it with `pulumi config set --path "workload-identity:apiAllowedCidrs[0]" 203.0.113.0/24`, got []',
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
    expect(error({ "aws:region": "Stockholm" })).toBe(
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
    expect(parseConfig({ ...aws, "aws:profile": "demo" }, "dev").aws).toEqual({
      region: "eu-north-1",
      profile: "demo",
    });
  });
});

describe("cluster × storage pairs", () => {
  const raw = {
    "aws:region": "eu-north-1",
    "gcp:project": "demo-project-123",
    "gcp:region": "europe-north1",
    "gcp:zone": "europe-north1-a",
    "azure-native:location": "swedencentral",
  };

  test("all fifteen are supported, each needing exactly its clouds' settings (external and kind have none)", () => {
    const all = CLUSTER_KINDS.flatMap((c) => STORAGE_KINDS.map((s) => [c, s] as const));
    expect(all).toHaveLength(15);
    expect([...SUPPORTED_PAIRS].sort()).toEqual([...all].sort());
    const cloud: Record<string, string | undefined> = {
      ...{ eks: "aws", gke: "gcp", aks: "azure", external: undefined, kind: undefined },
      ...{ s3: "aws", gcs: "gcp", blob: "azure" },
    };
    const external = {
      kubeconfig: EXAMPLE_KUBECONFIG,
      oidcIssuerUrl: "https://oidc.example.com/clusters/demo",
    };
    for (const [cluster, storage] of all) {
      const config = parseConfig(
        { ...raw, ...(cluster === "external" ? external : {}), cluster, storage },
        "x",
      );
      const clouds = ["aws", "gcp", "azure"].filter((k) => k in config);
      expect(clouds.sort(), `${cluster}→${storage}`).toEqual(
        [...new Set([cloud[cluster], cloud[storage]].filter((c) => c !== undefined))].sort(),
      );
      expect(config.external, cluster).toEqual(cluster === "external" ? external : undefined);
    }
  });

  test("an external cluster needs a storage: it has no cloud of its own", () => {
    expect(error({ cluster: "external" })).toBe(
      "config `storage`: required with cluster external, which has no cloud of its own; expected one of s3, gcs, blob, got nothing",
    );
  });

  test("a cross-cloud pair names the other cloud's missing setting", () => {
    expect(error({ "aws:region": "eu-north-1", storage: "gcs" })).toBe(
      "config `gcp:project`: required when `storage` is gcs; expected a project ID (6–30 lowercase letters, digits and '-', starting with a letter), got \"\"",
    );
    expect(error({ "aws:region": "eu-north-1", storage: "blob" })).toBe(
      'config `azure-native:location`: required when `storage` is blob; expected a location name such as swedencentral, got ""',
    );
  });
});

describe("cloud limits, checked before anything is created", () => {
  // Parsed in each test, so a config bug fails the tests rather than the file's collection.
  let base: StackConfig;
  beforeEach(() => {
    base = parseConfig({ "aws:region": "eu-north-1" }, "dev");
  });
  const issuerOf = (config: StackConfig) => CLUSTERS[config.cluster].worstCaseIssuer(config);

  test("the longest trust policy a Kubernetes name allows stays within IAM's 2,048", () => {
    const longest = {
      ...base,
      workloads: [
        { ...base.workloads[0], namespace: "n".repeat(63), serviceAccount: "s".repeat(245) },
      ],
    };
    for (const awsMechanism of ["pod-identity", "irsa"] as const) {
      const config = { ...longest, awsMechanism };
      const trust = worstCaseTrustPolicy(config, issuerOf(config));
      for (const name of ["n".repeat(63), "s".repeat(245)]) expect(trust).toContain(name);
      expect(trust.length).toBeLessThanOrEqual(2048);
      expect(checkLimits({ ...longest, awsMechanism })).toEqual({ ...longest, awsMechanism });
    }
  });

  test("a trust policy over the limit is refused with the names that caused it", () => {
    const length = worstCaseTrustPolicy(base, issuerOf(base)).length;
    expect(s3Problems(base, issuerOf(base), length - 1)).toEqual([
      `config \`namespace\`/\`serviceAccount\`: the role's trust policy could reach ${length} characters with "demo"/"demo", over IAM's limit of ${length - 1}; use shorter names (or ask AWS to raise ACLSizePerRole)`,
    ]);
    expect(s3Problems(base, issuerOf(base), length)).toEqual([]);
  });

  test("the worst case really is worse than what the program registers", () => {
    // The EKS cluster name Pulumi generates is far shorter than the 100 characters assumed.
    expect(worstCaseTrustPolicy(base, issuerOf(base))).toContain(`cluster/${"x".repeat(100)}`);
  });
});

describe("names the clouds would refuse, before anything is created", () => {
  const raw = {
    "aws:region": "eu-north-1",
    "gcp:project": "demo-project-123",
    "gcp:region": "europe-north1",
    "azure-native:location": "swedencentral",
  };

  test("a stack whose name puts google in a bucket name", () => {
    const config = parseConfig({ ...raw, cluster: "eks", storage: "gcs" }, "google-demo");
    expect(() => checkLimits(config)).toThrow(
      'stack name "google-demo" (prefix wi-google-demo): namePrefix: "wi-google-demo" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    );
  });

  test("a pool's google.subject over 127 bytes, counting the denial check's ServiceAccount", () => {
    // 22 + ns + 1 + sa + 8 ("-unbound") ≤ 127 ⇔ ns + sa ≤ 96.
    const fits = { ...raw, cluster: "eks", storage: "gcs", namespace: "n".repeat(48) };
    expect(namingProblems(parseConfig({ ...fits, serviceAccount: "s".repeat(48) }, "dev"))).toEqual(
      [],
    );
    const over = parseConfig({ ...fits, serviceAccount: "s".repeat(49) }, "dev");
    expect(() => checkLimits(over)).toThrow(
      `config \`namespace\`/\`serviceAccount\`: the pool's google.subject would be 128 bytes ("system:serviceaccount:${"n".repeat(18)}…"), over Google's limit of 127; keep the namespace and ServiceAccount names at most 96 characters together`,
    );
    // GKE's own principal is not mapped through a pool: the limit does not apply there.
    const gke = parseConfig({ ...fits, cluster: "gke", serviceAccount: "s".repeat(49) }, "dev");
    expect(namingProblems(gke)).toEqual([]);
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
        ...exampleStackConfig("eks-gcs"),
        "gcp:project": "demo-project-123",
      }),
    ).rejects.toThrow('stack name "google-demo"');
    expect(rec.resources).toEqual([]);
  });
});
