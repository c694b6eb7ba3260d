/**
 * Config validation, rule by rule, for the mutants (docs/testing.md "Mutation testing"): every
 * refusal with its whole message (the key, the value received and what is allowed), every limit on
 * both sides of its boundary, and every accepted value exactly as parsed. Pure calls of
 * `parseConfig`, `checkLimits` and `namePrefix`; `loadConfig` once, with the stack's config set as
 * the CLI would.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, test } from "vitest";
import {
  awsSettings,
  eksClusterNameProblem,
  podIdentityTrustDocument,
  s3Problems,
  webIdentityTrustDocument,
  worstCaseEksIssuer,
  worstCaseTrustPolicy,
} from "../src/aws";
import {
  accountNamePrefixProblem,
  azureSettings,
  blobProblems,
  worstCaseAksIssuer,
} from "../src/azure";
import {
  gcpSettings,
  gcsProblems,
  googleSubjectProblem,
  PLACEHOLDER_PROJECT,
  poolIdPrefixProblem,
  worstCaseGkeIssuer,
} from "../src/gcp";
import {
  checkLimits,
  ConfigError,
  keyPrefixProblem,
  loadConfig,
  namePrefix,
  parseConfig,
  validateCidrs,
  type RawConfig,
  type StackConfig,
} from "../src/config";
import { shortHash, type Workload } from "../src/core";
import { EXAMPLE_KUBECONFIG } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";

const AWS = { "aws:region": "eu-north-1" } as const;
const GCP = { "gcp:project": "wi-example-123", "gcp:region": "europe-north1" } as const;
const AZURE = { "azure-native:location": "swedencentral" } as const;
const ISSUER = "https://oidc.example.com/clusters/abc";
const EXTERNAL = { ...AWS, cluster: "external", storage: "s3", kubeconfig: EXAMPLE_KUBECONFIG };

/** The message `parseConfig` refuses `raw` with; fails when it accepts it or throws anything else. */
function refusal(raw: RawConfig, stack = "dev"): string {
  try {
    parseConfig(raw, stack);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected parseConfig to refuse ${JSON.stringify(raw)}`);
}

const workloadsOf = (workloads: unknown, extra: RawConfig = {}) =>
  parseConfig({ ...AWS, ...extra, workloads }, "dev").workloads;
const workloadRefusal = (workloads: unknown, extra: RawConfig = {}) =>
  refusal({ ...AWS, ...extra, workloads });
const reader = (namespace: string, serviceAccount = "app", prefix = `${namespace}/`) => ({
  namespace,
  serviceAccount,
  access: "read" as const,
  prefix,
});

describe("cluster, storage, awsMechanism: one of the kinds", () => {
  test("an unknown cluster, storage or mechanism is refused with the allowed values", () => {
    expect(refusal({ ...AWS, cluster: "gcp" })).toBe(
      'config `cluster`: expected one of eks, gke, aks, external, kind, got "gcp"',
    );
    expect(refusal({ ...AWS, storage: "azure" })).toBe(
      'config `storage`: expected one of s3, gcs, blob, got "azure"',
    );
    expect(refusal({ ...AWS, awsMechanism: "kiam" })).toBe(
      'config `awsMechanism`: expected one of pod-identity, irsa, got "kiam"',
    );
  });

  test("each cluster's own storage when storage is empty or missing", () => {
    expect(parseConfig({ ...GCP, cluster: "gke" }, "dev").storage).toBe("gcs");
    expect(parseConfig({ ...AZURE, cluster: "aks", storage: "" }, "dev").storage).toBe("blob");
    expect(parseConfig({ ...AWS, storage: "" }, "dev").storage).toBe("s3");
  });

  test("a cluster with no cloud of its own needs a storage", () => {
    for (const cluster of ["external", "kind"]) {
      expect(refusal({ ...AWS, cluster })).toBe(
        `config \`storage\`: required with cluster ${cluster}, which has no cloud of its own; ` +
          "expected one of s3, gcs, blob, got nothing",
      );
    }
  });

  test("irsa only for EKS reading S3", () => {
    const message = (pair: string) =>
      `config \`awsMechanism\`: irsa applies only to cluster eks reading storage s3, got ${pair}; ` +
      "leave it at pod-identity (other clusters reach S3 through web identity federation)";
    expect(refusal({ ...AWS, ...GCP, cluster: "gke", storage: "s3", awsMechanism: "irsa" })).toBe(
      message("gke→s3"),
    );
    expect(refusal({ ...AWS, ...GCP, storage: "gcs", awsMechanism: "irsa" })).toBe(
      message("eks→gcs"),
    );
    expect(parseConfig({ ...AWS, awsMechanism: "irsa" }, "dev").awsMechanism).toBe("irsa");
  });
});

describe("each cloud's settings, asked for by the key that needs them", () => {
  test("the cluster's cloud is named by `cluster`, the storage's by `storage`", () => {
    expect(refusal({ ...GCP, cluster: "gke", storage: "s3" })).toBe(
      "config `aws:region`: required when `storage` is s3, got nothing; " +
        "set it with `pulumi config set aws:region eu-north-1`",
    );
    expect(refusal({ ...GCP, storage: "gcs" })).toBe(
      "config `aws:region`: required when `cluster` is eks, got nothing; " +
        "set it with `pulumi config set aws:region eu-north-1`",
    );
  });

  test("exactly the touched clouds' settings are parsed and handed on", () => {
    const config = parseConfig({ ...AWS, ...GCP, ...AZURE, cluster: "gke", storage: "s3" }, "dev");
    expect(config.gcp).toEqual({ project: "wi-example-123", region: "europe-north1" });
    expect(config.aws).toEqual({ region: "eu-north-1" });
    expect(config).not.toHaveProperty("azure");
  });
});

describe("aws:region and aws:profile", () => {
  test("a region name, required; a profile handed on only when set", () => {
    for (const region of ["eu-north-1", "us-gov-west-1", "ap-southeast-10", "cn-north-1"]) {
      expect(awsSettings({ "aws:region": region }, "`cluster` is eks")).toEqual({ region });
    }
    expect(awsSettings({ ...AWS, "aws:profile": "platform" }, "x")).toEqual({
      region: "eu-north-1",
      profile: "platform",
    });
    expect(awsSettings({ ...AWS, "aws:profile": "" }, "x")).toEqual({ region: "eu-north-1" });
    for (const region of [undefined, ""]) {
      expect(() => awsSettings({ "aws:region": region }, "`storage` is s3")).toThrow(
        new ConfigError(
          "config `aws:region`: required when `storage` is s3, got nothing; " +
            "set it with `pulumi config set aws:region eu-north-1`",
        ),
      );
    }
    for (const region of [
      "eur-north-1",
      "e-north-1",
      "eu-north-",
      "eu-1",
      "eu-north-1a",
      " eu-north-1",
      "eu-North-1",
      "eu-north-x",
      "eu--north-1",
      "eu_north_1",
    ]) {
      expect(() => awsSettings({ "aws:region": region }, "x"), region).toThrow(
        new ConfigError(
          `config \`aws:region\`: ${JSON.stringify(region)} is not an AWS region name (e.g. eu-north-1)`,
        ),
      );
    }
  });
});

describe("gcp:project, gcp:region and gcp:zone", () => {
  const settings = (raw: RawConfig) => gcpSettings({ ...GCP, ...raw }, "`cluster` is gke", "gke");
  const refused = (raw: RawConfig) => {
    try {
      settings(raw);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
  };

  test("the stack files' placeholder, with the command for this stack", () => {
    expect(refused({ "gcp:project": PLACEHOLDER_PROJECT })).toBe(
      'config `gcp:project`: "replace-with-your-project-id" is a placeholder; set your project\'s ID with ' +
        "`pulumi config set gcp:project <your-project-id> --stack gke`",
    );
  });

  test("a project ID: 6–30 lowercase letters, digits and '-', from a letter, not to a '-'", () => {
    const longest = `a${"b".repeat(28)}9`;
    for (const project of ["abcdef", "a-1234", longest]) {
      expect(settings({ "gcp:project": project }).project).toBe(project);
    }
    for (const project of [
      undefined,
      "",
      "abcde",
      `${longest}0`,
      "1abcdef",
      "abcde-",
      "Abcdef",
      "abc_def",
    ]) {
      expect(refused({ "gcp:project": project }), String(project)).toBe(
        "config `gcp:project`: required when `cluster` is gke; expected a project ID " +
          `(6–30 lowercase letters, digits and '-', starting with a letter), got ${JSON.stringify(project ?? "")}`,
      );
    }
  });

  test("a region such as europe-north1", () => {
    for (const region of ["europe-north1", "us-central1", "northamerica-northeast2", "me-west10"]) {
      expect(settings({ "gcp:region": region }).region).toBe(region);
    }
    for (const region of [
      undefined,
      "",
      "europe-north",
      "europe1",
      "Europe-north1",
      "europe-north1-a",
      "-north1",
      "europe-1",
    ]) {
      expect(refused({ "gcp:region": region }), String(region)).toBe(
        "config `gcp:region`: required when `cluster` is gke; expected a region such as europe-north1, " +
          `got ${JSON.stringify(region ?? "")}`,
      );
    }
  });

  test("a zone, when set, in the region", () => {
    expect(settings({})).toEqual({ project: "wi-example-123", region: "europe-north1" });
    expect(settings({ "gcp:zone": "europe-north1-b" })).toEqual({
      project: "wi-example-123",
      region: "europe-north1",
      zone: "europe-north1-b",
    });
    expect(settings({ "gcp:region": "me-west10", "gcp:zone": "me-west10-c" }).zone).toBe(
      "me-west10-c",
    );
    for (const zone of [
      "",
      "europe-west1-b",
      "europe-north1",
      "europe-north1-ab",
      "europe-north1-1",
      "xeurope-north1-a",
      "europe-north1-A",
      "1europe-north1-a",
      "-europe-north1-a",
    ]) {
      expect(refused({ "gcp:zone": zone }), zone).toBe(
        `config \`gcp:zone\`: expected a zone in europe-north1 such as europe-north1-a, got ${JSON.stringify(zone)}`,
      );
    }
  });
});

describe("azure-native:location", () => {
  test("a location name such as swedencentral", () => {
    for (const location of ["swedencentral", "westus2", "uk"]) {
      expect(azureSettings({ "azure-native:location": location }, "x")).toEqual({ location });
    }
    for (const location of [
      undefined,
      "",
      "s",
      "Sweden Central",
      "sweden-central",
      "2westus",
      "westus2 ",
    ]) {
      expect(
        () => azureSettings({ "azure-native:location": location }, "`storage` is blob"),
        String(location),
      ).toThrow(
        new ConfigError(
          "config `azure-native:location`: required when `storage` is blob; expected a location name such as " +
            `swedencentral, got ${JSON.stringify(location ?? "")}`,
        ),
      );
    }
  });
});

describe("apiAllowedCidrs", () => {
  const expected =
    'expected a list of 1–20 IPv4 CIDRs such as ["203.0.113.0/24"]; ' +
    'set it with `pulumi config set --path "workload-identity:apiAllowedCidrs[0]" 203.0.113.0/24`';
  const cidrs = (value: unknown) => parseConfig({ ...AWS, apiAllowedCidrs: value }, "dev");
  const cidrRefusal = (value: unknown) => refusal({ ...AWS, apiAllowedCidrs: value });

  test("a list of 1 to 20, nothing else", () => {
    expect(cidrRefusal("203.0.113.0/24")).toBe(
      `config \`apiAllowedCidrs\`: ${expected}, got "203.0.113.0/24"`,
    );
    expect(cidrRefusal([])).toBe(`config \`apiAllowedCidrs\`: ${expected}, got []`);
    const twenty = Array.from({ length: 20 }, (_, i) => `10.${i}.0.0/16`);
    expect(cidrs(twenty).apiAllowedCidrs).toEqual(twenty);
    const more = [...twenty, "10.20.0.0/16"];
    expect(cidrRefusal(more)).toBe(
      `config \`apiAllowedCidrs\`: ${expected}, got ${JSON.stringify(more)}`,
    );
    expect(validateCidrs("apiAllowedCidrs", ["0.0.0.0/0"])).toEqual(["0.0.0.0/0"]);
  });

  test("every octet 0–255 without leading zeros, every prefix length 0–32", () => {
    const good = [
      "255.255.255.255/32",
      "250.249.200.199/32",
      "100.99.10.9/32",
      "0.1.2.3/32",
      "192.168.1.128/25",
      "172.16.0.0/12",
      "10.0.0.0/8",
      "128.0.0.0/1",
      "0.0.0.0/0",
      "203.0.113.0/24",
      "198.51.100.0/30",
      "198.51.96.0/19",
      "198.0.0.0/9",
      "198.0.0.0/10",
      "198.51.100.4/31",
      "1.2.3.249/32",
      "1.2.3.205/32",
      "1.2.3.42/32",
    ];
    expect(cidrs(good).apiAllowedCidrs).toEqual(good);
    for (const bad of [
      "256.0.0.0/8",
      "260.0.0.0/8",
      "300.0.0.0/8",
      "01.0.0.0/8",
      "1000.0.0.0/8",
      "10.0.0/8",
      "10.0.0.0.0/8",
      "10.0.0.0",
      "10.0.0.0/33",
      "10.0.0.0/40",
      "10.0.0.0/08",
      "10.0.0.0/",
      " 10.0.0.0/8",
      "10.0.0.0/8 ",
      "x10.0.0.0/8",
      "10.0.0.0/8x",
      "a.b.c.d/8",
      "10,0.0.0/8",
    ]) {
      expect(cidrRefusal([bad]), bad).toBe(
        `config \`apiAllowedCidrs\`: ${JSON.stringify(bad)} is not an IPv4 CIDR; ${expected}`,
      );
    }
    expect(cidrRefusal(["10.0.0.0/8", 10])).toBe(
      `config \`apiAllowedCidrs\`: 10 is not an IPv4 CIDR; ${expected}`,
    );
    expect(cidrRefusal([["10.0.0.0/8"]])).toBe(
      `config \`apiAllowedCidrs\`: ["10.0.0.0/8"] is not an IPv4 CIDR; ${expected}`,
    );
  });

  test("a range only by its first address, and which one that is", () => {
    for (const [given, first] of [
      ["203.0.113.7/24", "203.0.113.0/24"],
      ["10.1.2.3/8", "10.0.0.0/8"],
      ["255.255.255.255/0", "0.0.0.0/0"],
      ["192.168.1.129/25", "192.168.1.128/25"],
      ["198.51.100.5/31", "198.51.100.4/31"],
      ["172.31.255.255/12", "172.16.0.0/12"],
      ["1.2.3.4/30", "1.2.3.4/30"],
    ]) {
      if (given === first) {
        expect(cidrs([given]).apiAllowedCidrs).toEqual([given]);
        continue;
      }
      expect(cidrRefusal(["0.0.0.0/0", given]), given).toBe(
        `config \`apiAllowedCidrs\`: ${JSON.stringify(given)} is not the first address of its range; use ${JSON.stringify(first)}`,
      );
    }
  });

  test("kind's API server listens on 127.0.0.1: no range, not even beside 0.0.0.0/0", () => {
    for (const value of [["203.0.113.0/24"], ["0.0.0.0/0", "203.0.113.0/24"]]) {
      expect(refusal({ ...AWS, cluster: "kind", storage: "s3", apiAllowedCidrs: value })).toBe(
        `config \`apiAllowedCidrs\`: applies only to a cloud cluster, got ${JSON.stringify(value)} with cluster kind; ` +
          "a kind cluster's API server listens on 127.0.0.1 only, so remove it",
      );
    }
    const kind = parseConfig({ ...AWS, cluster: "kind", storage: "s3" }, "dev");
    expect(kind.apiAllowedCidrs).toEqual(["0.0.0.0/0"]);
    expect(kind.cluster).toBe("kind");
    // A created cloud cluster takes the same range.
    expect(cidrs(["203.0.113.0/24"]).apiAllowedCidrs).toEqual(["203.0.113.0/24"]);
  });
});

describe("namespace and serviceAccount", () => {
  const namespaceMessage = (key: string, value: string) =>
    `config \`${key}\`: ${JSON.stringify(value)} is not a valid Kubernetes namespace; ` +
    "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
  const accountMessage = (key: string, value: string) =>
    `config \`${key}\`: ${JSON.stringify(value)} is not a valid Kubernetes ServiceAccount name; ` +
    "use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";

  test("defaults demo/demo; the values given are the one workload's", () => {
    expect(workloadsOf(undefined)).toEqual([
      { namespace: "demo", serviceAccount: "demo", access: "read", prefix: "", name: "wi-dev" },
    ]);
    const given = parseConfig({ ...AWS, namespace: "team-a", serviceAccount: "reader.v2" }, "dev");
    expect(given.workloads).toEqual([
      {
        namespace: "team-a",
        serviceAccount: "reader.v2",
        access: "read",
        prefix: "",
        name: "wi-dev",
      },
    ]);
  });

  test("a namespace is an RFC 1123 label of at most 63, not default nor kube-*", () => {
    for (const good of [
      "a",
      "0",
      "a-b",
      "a1",
      "9-z",
      "x".repeat(63),
      "kube",
      "kubex",
      "defaults",
    ]) {
      expect(parseConfig({ ...AWS, namespace: good }, "dev").workloads[0].namespace).toBe(good);
    }
    for (const bad of ["", "-a", "a-", "A", "a_b", "a.b", "a b", "x".repeat(64), "ä"]) {
      expect(refusal({ ...AWS, namespace: bad }), bad).toBe(namespaceMessage("namespace", bad));
    }
    for (const reserved of ["default", "kube-system", "kube-public", "kube-x"]) {
      expect(refusal({ ...AWS, namespace: reserved })).toBe(
        `config \`namespace\`: ${JSON.stringify(reserved)} is reserved; ` +
          "choose a namespace of the workload's own (not default, nor any kube-*)",
      );
    }
  });

  test("a ServiceAccount is an RFC 1123 subdomain of at most 253, not default", () => {
    const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    expect(long).toHaveLength(253);
    for (const good of ["a", "a.b", "a-b.c-d", "0.9", long, "defaults"]) {
      expect(parseConfig({ ...AWS, serviceAccount: good }, "dev").workloads[0].serviceAccount).toBe(
        good,
      );
    }
    for (const bad of ["", ".a", "a.", "a..b", "A", "a_b", "-a", "a-", "a.-b", `${long}e`]) {
      expect(refusal({ ...AWS, serviceAccount: bad }), bad).toBe(
        accountMessage("serviceAccount", bad),
      );
    }
    expect(refusal({ ...AWS, serviceAccount: "default" })).toBe(
      'config `serviceAccount`: "default" is the ServiceAccount every pod in the namespace runs as ' +
        "unless it names another; choose a ServiceAccount of the workload's own",
    );
  });

  test("a ServiceAccount whose denial ServiceAccount would be too long: 245 fit, 246 do not", () => {
    const fits = "a".repeat(245);
    expect(checkLimits(parseConfig({ ...AWS, serviceAccount: fits }, "dev")).workloads).toEqual([
      { namespace: "demo", serviceAccount: fits, access: "read", prefix: "", name: "wi-dev" },
    ]);
    const long = "a".repeat(246);
    expect(() => checkLimits(parseConfig({ ...AWS, serviceAccount: long }, "dev"))).toThrow(
      new ConfigError(
        `config \`serviceAccount\`: ${JSON.stringify(long)} is too long for the denial check's ServiceAccount ` +
          `"${"a".repeat(20)}…" (at most 253 characters); use at most 245`,
      ),
    );
    const listed = parseConfig(
      { ...AWS, workloads: [reader("team-a"), reader("team-b", long)] },
      "dev",
    );
    expect(() => checkLimits(listed)).toThrow(
      new ConfigError(
        `config \`workloads[1].serviceAccount\` (workload team-b/${long}): ${JSON.stringify(long)} is too long ` +
          `for the denial check's ServiceAccount "${"a".repeat(20)}…" (at most 253 characters); use at most 245`,
      ),
    );
  });

  test("checkLimits hands a config it accepts on unchanged", () => {
    const config = parseConfig(AWS, "dev");
    expect(checkLimits(config)).toBe(config);
  });
});

describe("workloads", () => {
  const expected =
    'expected a list of 1–100 workloads such as [{namespace: team-a, serviceAccount: app, access: read, prefix: "team-a/"}]';

  test("each listed workload, validated and named after the stack and its label", () => {
    expect(
      workloadsOf([
        reader("team-a"),
        { namespace: "team-b", serviceAccount: "app", access: "write", prefix: "team-b/in/" },
      ]),
    ).toEqual([
      {
        namespace: "team-a",
        serviceAccount: "app",
        access: "read",
        prefix: "team-a/",
        name: `wi-dev-${shortHash("team-a/app")}`,
      },
      {
        namespace: "team-b",
        serviceAccount: "app",
        access: "write",
        prefix: "team-b/in/",
        name: `wi-dev-${shortHash("team-b/app")}`,
      },
    ]);
    expect(shortHash("team-a/app")).toMatch(/^[0-9a-f]{6}$/);
    // No prefix: the whole bucket.
    expect(workloadsOf([{ namespace: "team-c", serviceAccount: "app", access: "read" }])).toEqual([
      {
        namespace: "team-c",
        serviceAccount: "app",
        access: "read",
        prefix: "",
        name: `wi-dev-${shortHash("team-c/app")}`,
      },
    ]);
  });

  test("namespace/serviceAccount beside the list: only Pulumi.yaml's default passes", () => {
    expect(workloadsOf([reader("team-a")], { namespace: "demo", serviceAccount: "demo" })).toEqual(
      workloadsOf([reader("team-a")]),
    );
    for (const key of ["namespace", "serviceAccount"]) {
      expect(workloadRefusal([reader("team-a")], { [key]: "other" })).toBe(
        `config \`${key}\`: applies only without \`workloads\`, got "other" beside it; ` +
          "give every workload its namespace and serviceAccount in the list, and remove it",
      );
    }
  });

  test("a list of 1 to 100", () => {
    expect(workloadRefusal("team-a")).toBe(`config \`workloads\`: ${expected}, got "team-a"`);
    expect(workloadRefusal({ namespace: "a" })).toBe(
      `config \`workloads\`: ${expected}, got {"namespace":"a"}`,
    );
    expect(workloadRefusal([])).toBe(`config \`workloads\`: ${expected}, got 0 workloads`);
    const hundred = Array.from({ length: 100 }, (_, i) => reader(`team-${i}`));
    expect(workloadsOf(hundred)).toHaveLength(100);
    expect(workloadRefusal([...hundred, reader("team-100")])).toBe(
      `config \`workloads\`: ${expected}, got 101 workloads`,
    );
  });

  test("each item a mapping of the four fields", () => {
    for (const item of [null, "team-a", 1, ["team-a"]]) {
      expect(workloadRefusal([reader("team-a"), item])).toBe(
        `config \`workloads[1]\`: ${expected}, got ${JSON.stringify(item)}`,
      );
    }
    expect(workloadRefusal([{ ...reader("team-a"), bucket: "b" }])).toBe(
      "config `workloads[0].bucket`: not a workload field; expected namespace, serviceAccount, access, prefix",
    );
    expect(workloadRefusal([{ serviceAccount: "app", access: "read" }])).toBe(
      "config `workloads[0].namespace`: required, a string; got null",
    );
    expect(workloadRefusal([{ namespace: "team-a", serviceAccount: 5, access: "read" }])).toBe(
      "config `workloads[0].serviceAccount`: required, a string; got 5",
    );
  });

  test("names checked as the single workload's, under the list's key", () => {
    expect(workloadRefusal([reader("team-a"), reader("Team-B")])).toBe(
      'config `workloads[1].namespace`: "Team-B" is not a valid Kubernetes namespace; ' +
        "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
    expect(workloadRefusal([reader("kube-system")])).toBe(
      'config `workloads[0].namespace`: "kube-system" is reserved; ' +
        "choose a namespace of the workload's own (not default, nor any kube-*)",
    );
    expect(workloadRefusal([reader("team-a", "default")])).toBe(
      'config `workloads[0].serviceAccount`: "default" is the ServiceAccount every pod in the namespace runs as ' +
        "unless it names another; choose a ServiceAccount of the workload's own",
    );
  });

  test("access: read or write, nothing else", () => {
    for (const [access, got] of [
      [undefined, "null"],
      ["admin", '"admin"'],
      ["", '""'],
      [1, "1"],
    ] as const) {
      expect(workloadRefusal([{ namespace: "team-a", serviceAccount: "app", access }])).toBe(
        `config \`workloads[0].access\` (workload team-a/app): expected one of read, write, got ${got}`,
      );
    }
  });

  test("prefix: a plain key prefix, at most 256 characters, or the whole bucket", () => {
    const at = "config `workloads[0].prefix` (workload team-a/app)";
    const notPlain =
      "is not a plain key prefix; use folders of letters, digits, '-', '_' and '.' that each end in '/' " +
      '(e.g. "team-a/" or "team-a/reports/"), with no leading \'/\', no \'..\' and no wildcard, or "" for the whole bucket';
    expect(workloadRefusal([{ ...reader("team-a"), prefix: 5 }])).toBe(
      `${at}: expected a key prefix such as "team-a/", got 5`,
    );
    expect(workloadRefusal([{ ...reader("team-a"), prefix: null }])).toBe(
      `${at}: expected a key prefix such as "team-a/", got null`,
    );
    for (const good of ["", "a/", "A/", "_/", "-/", "team-a/reports/", "a.b_c-d/", "x/y.z/"]) {
      expect(workloadsOf([reader("team-a", "app", good)])[0].prefix, good).toBe(good);
      expect(keyPrefixProblem(good)).toBeUndefined();
    }
    const longest = "ab/".repeat(85) + "a/";
    expect(longest).toHaveLength(257);
    const fits = longest.slice(1);
    expect(workloadsOf([reader("team-a", "app", fits)])[0].prefix).toBe(fits);
    expect(workloadRefusal([reader("team-a", "app", longest)])).toBe(
      `${at}: ${JSON.stringify(longest)} is 257 characters long; at most 256 are allowed`,
    );
    for (const bad of [
      "a",
      "/a/",
      "a//",
      "a..b/",
      "../a/",
      ".a/",
      "a/.b/",
      "a*/",
      "a?/",
      "${aws:username}/",
      "a'/",
      'a"/',
      "a b/",
      "a/b",
      "ä/",
    ]) {
      expect(workloadRefusal([reader("team-a", "app", bad)]), bad).toBe(
        `${at}: ${JSON.stringify(bad)} ${notPlain}`,
      );
    }
  });

  test("no two workloads are the same ServiceAccount, nor each other's denial ServiceAccount", () => {
    expect(
      workloadRefusal([reader("team-a"), reader("team-b"), reader("team-a", "app", "x/")]),
    ).toBe(
      "config `workloads[2]` (workload team-a/app): duplicates workloads[0]; list each namespace/ServiceAccount once",
    );
    for (const [first, second] of [
      ["app", "app-unbound"],
      ["app-unbound", "app"],
    ]) {
      expect(workloadRefusal([reader("team-a", first), reader("team-a", second)])).toBe(
        `config \`workloads[1]\` (workload team-a/${second}): its ServiceAccount or workloads[0]'s (team-a/${first}) ` +
          "is the other's denial check ServiceAccount (<serviceAccount>-unbound); rename one",
      );
    }
    // Across namespaces the names are different ServiceAccounts.
    expect(workloadsOf([reader("team-a"), reader("team-b", "app-unbound")])).toHaveLength(2);
    expect(workloadsOf([reader("team-a"), reader("team-b")])).toHaveLength(2);
  });

  test("two workloads whose labels share a short hash would share resource names: refused", () => {
    // Found by search: the first two labels team-<i>/app whose SHA-256 starts alike.
    expect(shortHash("team-2518/app")).toBe(shortHash("team-8412/app"));
    expect(workloadRefusal([reader("team-2518"), reader("team-8412")])).toBe(
      "config `workloads[1]` (workload team-8412/app): derives the same resource names as workloads[0] " +
        "(team-2518/app); rename one",
    );
  });

  test("a writer's prefix shares no keys with another namespace's; readers may share", () => {
    const writer = (namespace: string, prefix: string) => ({
      namespace,
      serviceAccount: "app",
      access: "write",
      prefix,
    });
    const message = (a: string, aPrefix: string, b: string, bPrefix: string) =>
      `config \`workloads[1].prefix\` (workload ${a}/app): ${JSON.stringify(aPrefix)} shares keys with ` +
      `workloads[0].prefix ${JSON.stringify(bPrefix)} (${b}/app, another namespace), and one of them may write; ` +
      "give workloads of different namespaces disjoint prefixes when either writes (readers may share)";
    expect(
      workloadRefusal([writer("team-a", "shared/"), reader("team-b", "app", "shared/x/")]),
    ).toBe(message("team-b", "shared/x/", "team-a", "shared/"));
    expect(
      workloadRefusal([reader("team-a", "app", "shared/x/"), writer("team-b", "shared/")]),
    ).toBe(message("team-b", "shared/", "team-a", "shared/x/"));
    expect(workloadRefusal([writer("team-a", ""), writer("team-b", "b/")])).toBe(
      message("team-b", "b/", "team-a", ""),
    );
    // Readers share; one namespace shares; disjoint writers do not share keys.
    expect(
      workloadsOf([reader("team-a", "app", "s/"), reader("team-b", "app", "s/")]),
    ).toHaveLength(2);
    expect(workloadsOf([writer("team-a", "s/"), reader("team-a", "other", "s/")])).toHaveLength(2);
    expect(workloadsOf([writer("team-a", "a/"), writer("team-b", "b/")])).toHaveLength(2);
    expect(workloadsOf([writer("team-a", "ab/"), writer("team-b", "a/b/")])).toHaveLength(2);
  });
});

describe("namePrefix", () => {
  const hash = (stack: string) => shortHash(stack);

  test("a clean name of at most 16 characters is used as it is", () => {
    expect(namePrefix("dev")).toBe("wi-dev");
    expect(namePrefix("a")).toBe("wi-a");
    expect(namePrefix("abcdefgh-ijklmnop")).toBe(`wi-abcdefgh-${hash("abcdefgh-ijklmnop")}`);
    expect(namePrefix("abcdefgh-ijklmno")).toBe("wi-abcdefgh-ijklmno");
    expect(namePrefix("0-9")).toBe("wi-0-9");
  });

  test("any other is cleaned, cut to 9 without a trailing '-', and followed by its hash", () => {
    expect(namePrefix("Dev")).toBe(`wi-dev-${hash("Dev")}`);
    expect(namePrefix("-dev")).toBe(`wi-dev-${hash("-dev")}`);
    expect(namePrefix("dev-")).toBe(`wi-dev-${hash("dev-")}`);
    expect(namePrefix("a--b")).toBe(`wi-a-b-${hash("a--b")}`);
    expect(namePrefix("a_.b")).toBe(`wi-a-b-${hash("a_.b")}`);
    expect(namePrefix("abcdefgh-ijklmnopq")).toBe(`wi-abcdefgh-${hash("abcdefgh-ijklmnopq")}`);
    expect(namePrefix("abcdefghijklmnopq")).toBe(`wi-abcdefghi-${hash("abcdefghijklmnopq")}`);
    expect(namePrefix("abcdefgh--xyz_")).toBe(`wi-abcdefgh-${hash("abcdefgh--xyz_")}`);
    expect(namePrefix("___")).toBe(`wi-${hash("___")}`);
    expect(namePrefix("ÄÖ")).toBe(`wi-${hash("ÄÖ")}`);
  });

  test("parseConfig names everything with it", () => {
    expect(parseConfig(AWS, "Prod.EU_1").prefix).toBe(`wi-prod-eu-1-${hash("Prod.EU_1")}`);
    expect(parseConfig(AWS, "Prod.EU_1").stack).toBe("Prod.EU_1");
  });
});

describe("existingCluster", () => {
  const adopt = (extra: RawConfig) => ({ ...AWS, existingCluster: "shared", ...extra });

  test("the adopted cluster, its group and installAgent, exactly", () => {
    expect(parseConfig(adopt({}), "dev").existing).toEqual({ name: "shared", installAgent: false });
    expect(parseConfig(adopt({ installAgent: true }), "dev").existing).toEqual({
      name: "shared",
      installAgent: true,
    });
    expect(
      parseConfig(
        {
          ...AZURE,
          cluster: "aks",
          existingCluster: "shared",
          existingResourceGroup: "rg-(a)_b.c",
        },
        "dev",
      ).existing,
    ).toEqual({ name: "shared", installAgent: false, resourceGroup: "rg-(a)_b.c" });
    expect(parseConfig(AWS, "dev")).not.toHaveProperty("existing");
    expect(
      parseConfig({ ...AWS, existingCluster: "", installAgent: false }, "dev"),
    ).not.toHaveProperty("existing");
  });

  test("installAgent is a boolean", () => {
    for (const value of ["true", 1, "false"]) {
      expect(refusal(adopt({ installAgent: value }))).toBe(
        `config \`installAgent\`: expected true or false, got ${JSON.stringify(value)}`,
      );
    }
  });

  test("existingResourceGroup and installAgent only with existingCluster", () => {
    for (const [key, extra] of [
      ["existingResourceGroup", { existingResourceGroup: "rg" }],
      ["installAgent", { installAgent: true }],
    ] as const) {
      expect(refusal({ ...AWS, ...extra })).toBe(
        `config \`${key}\`: applies only with \`existingCluster\`, which is not set; ` +
          "set existingCluster to the cluster's name, or remove it",
      );
    }
  });

  test("only EKS, GKE and AKS are adopted, by a name their cloud accepts", () => {
    expect(refusal({ ...AWS, cluster: "kind", storage: "s3", existingCluster: "shared" })).toBe(
      'config `existingCluster`: cluster kind cannot adopt an existing cluster, got "shared"; ' +
        "set cluster to eks, gke or aks",
    );
    expect(refusal(adopt({ existingCluster: "-shared" }))).toBe(
      `config \`existingCluster\`: "-shared" ${eksClusterNameProblem("-shared")}`,
    );
  });

  test("the resource group: required for AKS, refused elsewhere, a valid name", () => {
    expect(refusal({ ...AZURE, cluster: "aks", existingCluster: "shared" })).toBe(
      "config `existingResourceGroup`: required when existingCluster is an AKS cluster, got nothing; " +
        "set it to the cluster's resource group",
    );
    expect(refusal(adopt({ existingResourceGroup: "rg" }))).toBe(
      'config `existingResourceGroup`: applies only to an AKS cluster, got "rg" with cluster eks',
    );
    const aks = (group: string) => ({
      ...AZURE,
      cluster: "aks",
      existingCluster: "shared",
      existingResourceGroup: group,
    });
    expect(parseConfig(aks("r".repeat(90)), "dev").existing?.resourceGroup).toBe("r".repeat(90));
    for (const bad of ["r".repeat(91), "rg a", "rg/a", "rg*"]) {
      expect(refusal(aks(bad)), bad).toBe(
        `config \`existingResourceGroup\`: ${JSON.stringify(bad)} is not a resource group name ` +
          "(1–90 letters, digits, '-', '_', '.', '(' and ')')",
      );
    }
  });

  test("installAgent: only EKS, and only where Pod Identity is used", () => {
    expect(refusal({ ...GCP, cluster: "gke", existingCluster: "shared", installAgent: true })).toBe(
      "config `installAgent`: installs the EKS Pod Identity agent, so applies only to cluster eks, got cluster gke",
    );
    for (const [extra, storage, mechanism] of [
      [{ ...GCP, storage: "gcs" }, "gcs", "pod-identity"],
      [{ awsMechanism: "irsa" }, "s3", "irsa"],
    ] as const) {
      expect(refusal(adopt({ ...extra, installAgent: true }))).toBe(
        "config `installAgent`: true, but this stack does not use EKS Pod Identity " +
          `(storage ${storage}, awsMechanism ${mechanism}); ` +
          "the agent is only needed with storage s3 and awsMechanism pod-identity: remove installAgent",
      );
    }
  });

  test("the stack never changes an adopted cluster's API access", () => {
    for (const value of [["203.0.113.0/24"], ["0.0.0.0/0", "203.0.113.0/24"]]) {
      expect(refusal(adopt({ apiAllowedCidrs: value }))).toBe(
        `config \`apiAllowedCidrs\`: applies only to a cluster the stack creates, got ${JSON.stringify(value)} ` +
          "with existingCluster; the stack never changes an existing EKS cluster's API access, so remove it",
      );
    }
  });
});

describe("cluster external", () => {
  test("its kubeconfig and issuer, exactly", () => {
    const config = parseConfig({ ...EXTERNAL, oidcIssuerUrl: ISSUER }, "dev");
    expect(config.external).toEqual({ kubeconfig: EXAMPLE_KUBECONFIG, oidcIssuerUrl: ISSUER });
    expect(config).not.toHaveProperty("existing");
    expect(parseConfig(AWS, "dev")).not.toHaveProperty("external");
    expect(parseConfig({ ...AWS, kubeconfig: "", oidcIssuerUrl: "" }, "dev")).not.toHaveProperty(
      "external",
    );
  });

  test("kubeconfig and oidcIssuerUrl only with cluster external", () => {
    for (const key of ["kubeconfig", "oidcIssuerUrl"]) {
      expect(refusal({ ...AWS, [key]: "x" })).toBe(
        `config \`${key}\`: applies only to cluster external, got a value with cluster eks; ` +
          "remove it (the stack builds the kubeconfig and reads the issuer of the clusters it knows)",
      );
    }
  });

  test("a kubeconfig is required, and must name a cluster; its contents are never echoed", () => {
    for (const kubeconfig of [undefined, "", "  \n"]) {
      expect(refusal({ ...EXTERNAL, kubeconfig, oidcIssuerUrl: ISSUER })).toBe(
        "config `kubeconfig`: required with cluster external, got nothing; set it as a secret with " +
          '`pulumi config set --secret kubeconfig "$(cat ~/.kube/config)"`',
      );
    }
    const message = refusal({ ...EXTERNAL, kubeconfig: "token: s3cr3t", oidcIssuerUrl: ISSUER });
    expect(message).toBe(
      "config `kubeconfig`: the value set has no current-context; set one " +
        "(`kubectl config use-context <name> --kubeconfig <file>`) and set the config again; " +
        'set it as a secret from a working file with `pulumi config set --secret kubeconfig "$(cat path/to/kubeconfig)"`',
    );
    expect(message).not.toContain("s3cr3t");
  });

  test("the issuer: an https:// URL with no query or fragment", () => {
    for (const issuer of [
      undefined,
      "",
      "oidc.example.com",
      "http://oidc.example.com",
      "https://oidc.example.com?a=b",
      "https://oidc.example.com/?",
      "https://oidc.example.com#id",
      "https://oidc.example.com/#",
      "https://oidc.example.com/x?#",
    ]) {
      expect(refusal({ ...EXTERNAL, oidcIssuerUrl: issuer }), String(issuer)).toBe(
        "config `oidcIssuerUrl`: expected the cluster's issuer as an https:// URL with no query or fragment, " +
          "exactly as its tokens carry it in `iss` (kubectl get --raw /.well-known/openid-configuration), " +
          `got ${JSON.stringify(issuer ?? "")}`,
      );
    }
  });
});

describe("loadConfig", () => {
  test("reads every key from the stack's config, the providers' by their own namespace", () => {
    installMocks("Team.A");
    pulumi.runtime.setAllConfig({
      "workload-identity:cluster": "external",
      "workload-identity:storage": "gcs",
      "workload-identity:workloads": JSON.stringify([reader("team-a")]),
      "workload-identity:kubeconfig": EXAMPLE_KUBECONFIG,
      "workload-identity:oidcIssuerUrl": ISSUER,
      "workload-identity:apiAllowedCidrs": '["0.0.0.0/0"]',
      "workload-identity:installAgent": "false",
      "gcp:project": "wi-example-123",
      "gcp:region": "europe-north1",
      "gcp:zone": "europe-north1-b",
      "aws:region": "eu-west-1",
    });
    expect(loadConfig()).toEqual({
      stack: "Team.A",
      prefix: `wi-team-a-${shortHash("Team.A")}`,
      cluster: "external",
      storage: "gcs",
      workloads: [
        {
          ...reader("team-a"),
          name: `wi-team-a-${shortHash("Team.A")}-${shortHash("team-a/app")}`,
        },
      ],
      awsMechanism: "pod-identity",
      apiAllowedCidrs: ["0.0.0.0/0"],
      external: { kubeconfig: EXAMPLE_KUBECONFIG, oidcIssuerUrl: ISSUER },
      gcp: { project: "wi-example-123", region: "europe-north1", zone: "europe-north1-b" },
    });
  });

  test("and each of the adopting and AWS keys, refusing what the clouds would", () => {
    installMocks("dev");
    pulumi.runtime.setAllConfig({
      "workload-identity:namespace": "team-a",
      "workload-identity:serviceAccount": "reader",
      "workload-identity:awsMechanism": "irsa",
      "workload-identity:existingCluster": "shared",
      "workload-identity:existingResourceGroup": "",
      "aws:region": "eu-west-1",
      "aws:profile": "platform",
    });
    expect(loadConfig()).toMatchObject({
      workloads: [{ namespace: "team-a", serviceAccount: "reader" }],
      awsMechanism: "irsa",
      existing: { name: "shared", installAgent: false },
      aws: { region: "eu-west-1", profile: "platform" },
    });
    pulumi.runtime.setAllConfig({
      "workload-identity:existingCluster": "shared",
      "workload-identity:installAgent": "true",
      "aws:region": "eu-west-1",
    });
    expect(loadConfig().existing).toEqual({ name: "shared", installAgent: true });
    pulumi.runtime.setAllConfig({
      "workload-identity:cluster": "aks",
      "workload-identity:existingCluster": "shared",
      "workload-identity:existingResourceGroup": "rg-shared",
      "azure-native:location": "swedencentral",
    });
    expect(loadConfig().existing).toEqual({
      name: "shared",
      installAgent: false,
      resourceGroup: "rg-shared",
    });
    pulumi.runtime.setAllConfig({
      "workload-identity:apiAllowedCidrs": '["203.0.113.0/24"]',
      "aws:region": "eu-west-1",
    });
    expect(loadConfig().apiAllowedCidrs).toEqual(["203.0.113.0/24"]);
    pulumi.runtime.setAllConfig({
      "aws:region": "eu-west-1",
      "workload-identity:serviceAccount": "a".repeat(246),
    });
    expect(() => loadConfig()).toThrow(/is too long for the denial check's ServiceAccount/);
    pulumi.runtime.setAllConfig({
      "azure-native:location": "nowhere land",
      "workload-identity:cluster": "aks",
    });
    expect(() => loadConfig()).toThrow(
      /config `azure-native:location`: required when `cluster` is aks/,
    );
  });
});

describe("the limits each storage checks at preview, on the worst case", () => {
  const x = (n: number) => "x".repeat(n);
  // Parsed in each test, so a config bug fails the tests rather than the file's collection.
  let eks: StackConfig, gke: StackConfig, aks: StackConfig;
  beforeEach(() => {
    eks = parseConfig(AWS, "dev");
    gke = parseConfig({ ...GCP, cluster: "gke" }, "dev");
    aks = parseConfig({ ...AZURE, cluster: "aks" }, "dev");
  });

  test("the longest issuer each managed cluster may have", () => {
    expect(worstCaseEksIssuer(eks)).toBe(`https://oidc.eks.eu-north-1.amazonaws.com/id/${x(32)}`);
    expect(worstCaseGkeIssuer(gke)).toBe(
      `https://container.googleapis.com/v1/projects/wi-example-123/locations/europe-north1/clusters/${x(40)}`,
    );
    const zonal = parseConfig({ ...GCP, "gcp:zone": "europe-north1-a", cluster: "gke" }, "dev");
    expect(worstCaseGkeIssuer(zonal)).toBe(
      `https://container.googleapis.com/v1/projects/wi-example-123/locations/europe-north1-a/clusters/${x(40)}`,
    );
    expect(worstCaseAksIssuer(aks)).toBe(
      `https://swedencentral.oic.prod-aks.azure.com/${x(36)}/${x(36)}/`,
    );
  });

  test("the longest trust policy: Pod Identity's names the cluster, web identity's the issuer", () => {
    const account = "1".repeat(12);
    const trust = (config: StackConfig, issuer: string, w?: Workload) =>
      JSON.parse(worstCaseTrustPolicy(config, issuer, w)) as unknown;
    const issuer = worstCaseEksIssuer(eks);
    expect(trust(eks, issuer)).toEqual(
      podIdentityTrustDocument(
        `arn:aws:eks:eu-north-1:${account}:cluster/${x(100)}`,
        "demo",
        "demo",
      ),
    );
    const federated = (host: string, config: StackConfig, w = config.workloads[0]) =>
      webIdentityTrustDocument(
        `arn:aws:iam::${account}:oidc-provider/${host}`,
        `https://${host}`,
        w.namespace,
        w.serviceAccount,
      );
    const irsa = { ...eks, awsMechanism: "irsa" as const };
    expect(trust(irsa, issuer)).toEqual(
      federated(`oidc.eks.eu-north-1.amazonaws.com/id/${x(32)}`, irsa),
    );
    const gkeS3 = parseConfig({ ...AWS, ...GCP, cluster: "gke", storage: "s3" }, "dev");
    expect(gkeS3.awsMechanism).toBe("pod-identity");
    const gkeIssuer = worstCaseGkeIssuer(gkeS3);
    expect(trust(gkeS3, gkeIssuer)).toEqual(federated(gkeIssuer.replace("https://", ""), gkeS3));
    const teams = parseConfig(
      { ...AWS, workloads: [reader("team-a"), reader("team-b", "b")] },
      "dev",
    );
    expect(trust(teams, issuer, teams.workloads[1])).toEqual(
      podIdentityTrustDocument(
        `arn:aws:eks:eu-north-1:${account}:cluster/${x(100)}`,
        "team-b",
        "b",
      ),
    );
  });

  test("a listed workload's trust policy over IAM's limit is named by its key", () => {
    const teams = parseConfig(
      { ...AWS, workloads: [reader("team-a"), reader("team-b", "s".repeat(100))] },
      "dev",
    );
    const issuer = worstCaseEksIssuer(teams);
    const lengths = teams.workloads.map((w) => worstCaseTrustPolicy(teams, issuer, w).length);
    expect(lengths[1]).toBeGreaterThan(lengths[0]);
    expect(s3Problems(teams, issuer, lengths[1] - 1)).toEqual([
      `config \`workloads[1].namespace\` (workload team-b/${"s".repeat(100)}): the role's trust policy could reach ` +
        `${lengths[1]} characters with "team-b"/"${"s".repeat(100)}", over IAM's limit of ${lengths[1] - 1}; ` +
        "use shorter names (or ask AWS to raise ACLSizePerRole)",
    ]);
  });

  test("a pool's google.subject, named by the listed workload's key", () => {
    const eksGcs = parseConfig(
      {
        ...AWS,
        ...GCP,
        storage: "gcs",
        workloads: [reader("team-a"), reader("n".repeat(48), "s".repeat(49))],
      },
      "dev",
    );
    expect(gcsProblems(eksGcs)).toEqual([
      `config \`workloads[1].namespace\` (workload ${"n".repeat(48)}/${"s".repeat(49)}): the pool's google.subject ` +
        `would be 128 bytes ("system:serviceaccount:${"n".repeat(18)}…"), over Google's limit of 127; ` +
        "keep the namespace and ServiceAccount names at most 96 characters together",
    ]);
    // Multi-byte characters count as their UTF-8 bytes.
    expect(googleSubjectProblem("n".repeat(47), "é", "k")).toBeUndefined();
    expect(googleSubjectProblem("n".repeat(48), `${"s".repeat(47)}é`, "k")).toMatch(
      /^config k: the pool's google.subject would be 128 bytes/,
    );
  });

  test("guards beyond what a stack name can reach: the pool id, the account name, 100 conditions", () => {
    // namePrefix never gives these prefixes (wi-…, at most 19); the guards hold if that changes.
    const eksGcs = parseConfig({ ...AWS, ...GCP, storage: "gcs" }, "dev");
    expect(gcsProblems({ ...eksGcs, prefix: "gcp-team" })).toEqual([
      `stack name "dev" (prefix gcp-team): ${poolIdPrefixProblem("gcp-team")}`,
    ]);
    expect(gcsProblems({ ...gke, prefix: "gcp-team" })).toEqual([]);
    const long = `wi-${"a".repeat(17)}`;
    expect(blobProblems({ ...aks, prefix: long })).toEqual([
      `stack name "dev" (prefix ${long}): ${accountNamePrefixProblem(long)}`,
    ]);
    expect(accountNamePrefixProblem(long)).toMatch(/^accountNamePrefix: /);
    expect(blobProblems(aks)).toEqual([]);
    const prefixed = (n: number, prefix = "p/") =>
      Array.from({ length: n }, (_, i) => ({
        ...reader(`team-${i}`, "app", prefix),
        name: `w${i}`,
      }));
    const conditional =
      "config `workloads`: 101 workloads with a prefix would each add a conditional role binding " +
      "to the bucket's IAM policy, which holds at most 100; use fewer";
    expect(gcsProblems({ ...gke, workloads: prefixed(101) })).toEqual([conditional]);
    expect(gcsProblems({ ...gke, workloads: prefixed(100) })).toEqual([]);
    expect(gcsProblems({ ...gke, workloads: [...prefixed(100), ...prefixed(1, "")] })).toEqual([]);
  });
});
