/**
 * Keeps the tables and examples under docs/ true to what the program does: the configuration table
 * lists exactly the keys the program reads, the outputs table exactly what the stacks export, the
 * bad-input examples are the messages the program prints, the retry windows are the proof Jobs'
 * own, the policy table is the pack's rules in order with their Checkov IDs, and code examples
 * import what exists. The stacks are evaluated under mocks, each from its stack file (with an
 * example project where the file holds the placeholder, which the program refuses).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { checkLimits, parseConfig, type RawConfig } from "../src/config";
import { PROJECT } from "../src/core";
import { PLACEHOLDER_PROJECT } from "../src/gcp";
import {
  evaluate,
  EXAMPLE_KUBECONFIG,
  exampleStackConfig,
  ROOT,
  stackNames,
  useEvaluationCache,
} from "../offline/evaluate";
import { installMocks } from "../offline/mocks";
import { RULES } from "../policy/rules";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const project = parse(read("Pulumi.yaml"));

/** The part of a page from `heading` to the next heading of the same or a higher level. */
function section(file: string, heading: string): string {
  const text = read(file);
  const at = text.indexOf(`\n${heading}\n`);
  expect(at, `${file} has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(heading)![0].length;
  const rest = text.slice(at + heading.length + 2);
  const next = new RegExp(`^#{1,${level}} `, "m").exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/** The body rows of the first table in `text`, as trimmed cells. */
function tableRows(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .slice(2)
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

/** What every stack (and dev with IRSA) exports, reads from configuration and runs as proofs. */
interface Observed {
  readonly outputs: Set<string>;
  readonly configKeys: Set<string>;
  /** `<label>|<tries>|<activeDeadlineSeconds>` of every proof Job. */
  readonly windows: Set<string>;
  /** `<mechanism>|<variables>` the verification insists on, per mechanism. */
  readonly variables: Set<string>;
}

/** The row of the credential-variable table each stack's mechanism belongs to. */
function mechanism(cluster: string, storage: string, awsMechanism: string): string {
  if (storage === "s3") {
    return cluster === "eks" && awsMechanism === "pod-identity"
      ? "EKS Pod Identity"
      : "IRSA, and S3 from GKE or AKS";
  }
  if (storage === "gcs") {
    return cluster === "gke" ? "GKE → Cloud Storage" : "Cloud Storage from EKS or AKS";
  }
  return "Blob (from AKS, EKS or GKE)";
}

/**
 * Project settings read by the program and documented but not declared in Pulumi.yaml: secrets
 * (see below), and `workloads`, a list of objects, which Pulumi.yaml's config types (string,
 * integer, boolean, and arrays of those: https://www.pulumi.com/docs/reference/pulumi-yaml/)
 * cannot declare; a wrong declaration would make Pulumi refuse every stack that sets it.
 */
const UNDECLARED_KEYS: readonly string[] = ["kubeconfig", "workloads"];

const STORAGE_LABEL: Record<string, string> = { s3: "S3", gcs: "Cloud Storage", blob: "Blob" };

async function observe(): Promise<Observed> {
  const observed: Observed = {
    outputs: new Set(),
    configKeys: new Set(),
    windows: new Set(),
    variables: new Set(),
  };
  // Every typed getter of pulumi.Config goes through getImpl: record each key read, with its
  // namespace, whatever the stack sets.
  const proto = pulumi.Config.prototype as unknown as {
    getImpl: (this: pulumi.Config, key: string, ...rest: unknown[]) => unknown;
  };
  const getImpl = proto.getImpl;
  proto.getImpl = function (key, ...rest) {
    observed.configKeys.add(`${this.name}:${key}`);
    return getImpl.call(this, key, ...rest);
  };
  try {
    const rec = installMocks();
    const variants: [string, Record<string, string>][] = [
      ...stackNames().map((s): [string, Record<string, string>] => [s, exampleStackConfig(s)]),
      ["dev", { ...exampleStackConfig("dev"), "workload-identity:awsMechanism": "irsa" }],
    ];
    for (const [i, [stack, config]] of variants.entries()) {
      // The first run fresh, not from the cache (a cached run reads no config): the config reader
      // reads every key of every cloud on every run, so one run shows them all.
      useEvaluationCache(i > 0);
      const run = await evaluate(rec, stack, config);
      for (const key of Object.keys(run.outputs)) observed.outputs.add(key);
      for (const job of rec.ofType("kubernetes:batch/v1:Job")) {
        const script: string = job.inputs.spec.template.spec.containers[0].command[2];
        const tries = /while \[ "\$attempt" -le (\d+) \]/.exec(script)?.[1];
        const label = job.name.endsWith("-verify")
          ? `verification, ${STORAGE_LABEL[run.config.storage]}`
          : job.name.endsWith("-deny")
            ? "denial, every storage"
            : `unknown Job ${job.name}`;
        observed.windows.add(`${label}|${tries}|${job.inputs.spec.activeDeadlineSeconds}`);
        if (job.name.endsWith("-verify")) {
          const vars = [...script.matchAll(/\[ -n "\$\{(\w+):-\}" \]/g)].map((m) => m[1]);
          const { cluster, storage, awsMechanism } = run.config;
          observed.variables.add(
            `${mechanism(cluster, storage, awsMechanism)}|${vars.sort().join(" ") || "none"}`,
          );
        }
      }
    }
  } finally {
    proto.getImpl = getImpl;
    useEvaluationCache(true);
  }
  return observed;
}

let observed: Observed;
beforeAll(async () => {
  observed = await observe();
}, 60_000);

describe("docs/configuration.md", () => {
  test("its settings table lists exactly the keys the program reads, and Pulumi.yaml declares the project's", () => {
    const projectKeys = [...observed.configKeys]
      .filter((k) => k.startsWith(`${PROJECT}:`))
      .map((k) => k.slice(PROJECT.length + 1));
    // Secret settings are read but not declared: a declaration in Pulumi.yaml either carries a
    // default, in plain text in the project file (a kubeconfig there would be a leaked
    // credential), or none, and then Pulumi requires the key on every stack of the project, EKS
    // stacks included (https://www.pulumi.com/docs/reference/pulumi-yaml/, `config`). They are set
    // per stack with `pulumi config set --secret` and documented in the table like the others.
    expect(UNDECLARED_KEYS.every((k) => projectKeys.includes(k))).toBe(true);
    expect(UNDECLARED_KEYS.filter((k) => k in project.config)).toEqual([]);
    expect(projectKeys.filter((k) => !UNDECLARED_KEYS.includes(k)).sort()).toEqual(
      Object.keys(project.config).sort(),
    );
    const expected = [
      ...projectKeys,
      ...[...observed.configKeys].filter((k) => !k.startsWith(`${PROJECT}:`)),
    ];
    const table = tableRows(section("docs/configuration.md", "## Settings")).map(
      ([key]) => /^`([a-zA-Z:-]+)`$/.exec(key)?.[1] ?? key,
    );
    expect(table.sort()).toEqual(expected.sort());
  });

  test("the state backend it describes is the one Pulumi.yaml sets", () => {
    expect(project.backend.url).toBe("file://~");
    expect(section("docs/configuration.md", "## State without an account")).toContain(
      "`backend.url: file://~`",
    );
  });

  test("its bad-input examples are, line for line, what the program prints", () => {
    const region = { "aws:region": "eu-north-1" };
    const gke = { cluster: "gke", "gcp:region": "europe-north1" };
    const cases: [RawConfig, string][] = [
      [{ cluster: "gcp" }, "dev"],
      [{ ...region, namespace: "default" }, "dev"],
      [{ ...region, storage: "gcs", awsMechanism: "irsa" }, "dev"],
      [{ ...region, apiAllowedCidrs: ["203.0.113.7/24"] }, "dev"],
      [{ ...gke, "gcp:project": PLACEHOLDER_PROJECT }, "gke"],
      [{ ...gke, "gcp:project": "my-project-id" }, "google-demo"],
      [
        {
          ...region,
          cluster: "external",
          storage: "s3",
          kubeconfig: EXAMPLE_KUBECONFIG,
          oidcIssuerUrl: "http://oidc.example.com",
        },
        "external-s3",
      ],
    ];
    const printed = cases.map(([raw, stack]) => {
      try {
        checkLimits(parseConfig(raw, stack));
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error(`accepted: ${JSON.stringify(raw)} as stack ${stack}`);
    });
    const block = /```text\n([\s\S]*?)```/.exec(section("docs/configuration.md", "## Bad input"));
    expect(block).not.toBeNull();
    expect(block![1].trim().split("\n")).toEqual(printed);
  });

  test("its outputs table lists exactly what the stacks export", () => {
    const documented = tableRows(section("docs/configuration.md", "## Outputs")).flatMap(([cell]) =>
      [...cell.matchAll(/`([a-zA-Z]+)`/g)].map((k) => k[1]),
    );
    expect(documented.sort()).toEqual([...observed.outputs].sort());
  });
});

describe("docs/demo-workload.md", () => {
  test("its retry windows are the proof Jobs' tries and activeDeadlineSeconds", () => {
    const rows = tableRows(section("docs/demo-workload.md", "## Retry windows")).map(
      ([label, tries, deadline]) => `${label}|${tries}|${deadline.replace(/ s$/, "")}`,
    );
    expect(rows.sort()).toEqual([...observed.windows].sort());
  });
});

describe("docs/demo-workload.md: the credential-variable check", () => {
  test("its table lists, per mechanism, exactly the variables the verification insists on", () => {
    const rows = tableRows(section("docs/demo-workload.md", "## Verify")).map(([label, cell]) => {
      // "none (…)" may name other things in its explanation.
      const vars = cell.startsWith("none")
        ? []
        : [...cell.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]);
      return `${label}|${vars.sort().join(" ") || "none"}`;
    });
    expect(rows.sort()).toEqual([...observed.variables].sort());
  });
});

describe("docs/guardrails.md", () => {
  test("its policy table lists the pack's rules in order, each with its Checkov IDs", () => {
    const rows = tableRows(section("docs/guardrails.md", "## The policy pack"));
    expect(rows.map(([name]) => name)).toEqual(RULES.map((r) => `\`${r.name}\``));
    rows.forEach(([, checks, , checkov], i) => {
      const rule = RULES[i];
      expect(checks.startsWith("(stack)"), rule.name).toBe(rule.kind === "stack");
      const ids = checkov.match(/CKV2?_[A-Z0-9]+_\d+/g) ?? [];
      for (const id of rule.mirrors.checkov) expect(ids, rule.name).toContain(id);
      for (const id of ids) {
        const known = rule.mirrors.checkov.includes(id) || (rule.mirrors.note ?? "").includes(id);
        expect(known, `${rule.name}: ${id}`).toBe(true);
      }
    });
  });
});

describe("code examples under docs/", () => {
  test("import names the modules they name export", async () => {
    const pages = fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`);
    const imports = pages.flatMap((page) =>
      [...read(page).matchAll(/```typescript\n([\s\S]*?)```/g)].flatMap((block) =>
        [...block[1].matchAll(/import \{([^}]+)\} from "(\.[^"]+)"/g)].map((m) => ({
          page,
          names: m[1].split(",").map((n) => n.trim()),
          from: m[2],
        })),
      ),
    );
    expect(imports.length).toBeGreaterThan(0);
    for (const { page, names, from } of imports) {
      const mod = (await import(path.join(ROOT, from))) as Record<string, unknown>;
      for (const name of names) expect(mod[name], `${page}: ${name} from ${from}`).toBeDefined();
    }
  });
});

describe("docs/testing.md: mutation testing", () => {
  const page = "docs/testing.md";

  test("its score table lists exactly the modules Stryker mutates", async () => {
    const { default: stryker } = (await import(path.join(ROOT, "stryker.config.mjs"))) as {
      default: { mutate: string[] };
    };
    const measured = section(page, "### Measured");
    const rows = [...measured.matchAll(/^\| `(src\/[^`]+)` +\|/gm)].map((m) => m[1]);
    expect(rows).toEqual(stryker.mutate);
  });

  test("every test file its lists and Stryker's default list name exists", async () => {
    const { default: vitest } = (await import(path.join(ROOT, "stryker.vitest.config.mjs"))) as {
      default: { test: { include: string[] } };
    };
    const tests = fs.readdirSync(path.join(ROOT, "test")).map((f) => `test/${f}`);
    const named = [...section(page, "## Mutation testing").matchAll(/`(test\/[^`]+\.ts)`/g)].map(
      (m) => m[1],
    );
    expect(named.length).toBeGreaterThan(10);
    for (const pattern of [...vitest.test.include, ...named]) {
      const glob = new RegExp(`^${pattern.replace(/[.]/g, "\\.").replace("*", "[^/]+")}$`);
      expect(tests.filter((t) => glob.test(t)).length, pattern).toBeGreaterThan(0);
    }
  });
});
