/**
 * Issue 14: many workloads on one cluster, each read or write, confined to its prefix, on every
 * cluster × storage pair. Access is decided by the semantics of what the program registers (the
 * evaluators of test/support/access.ts: IAM statement globs and conditions, GCS CEL conditions,
 * Azure ABAC conditions), compared with the intent of `access` and `prefix` (core `mayRead`,
 * `mayWrite`), for every workload against every workload's object.
 *
 * What mocks cannot prove: that the clouds evaluate these documents as the evaluators do (the
 * evaluators follow the cited documentation, not the services), that a prefixed GCS workload
 * really cannot list (IAM checks list against the bucket's name: documented, untested live), that
 * Blob answers a failed condition with `AuthorizationPermissionMismatch` (the cross-workload
 * denial needs that exact refusal), and propagation times.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  evaluate,
  exampleStackConfig,
  readStackFile,
  stackNames,
  STORAGE_OVERRIDES,
} from "../offline/evaluate";
import {
  ACCOUNT,
  cloudResourceMock,
  installMocks,
  withResourceMocks,
  type Recorded,
} from "../offline/mocks";
import { autoname } from "../offline/clouds/types";
import { checkLimits, ConfigError, parseConfig, type RawConfig } from "../src/config";
import { SUPPORTED_PAIRS } from "../src/registry";
import {
  denialTarget,
  ISSUER_DOCUMENT_PATHS,
  helloKey,
  mayRead,
  mayWrite,
  serviceAccountSubject,
  unboundServiceAccount,
  type Workload,
} from "../src/core";
import {
  BLOB_ACTIONS,
  blobAllows,
  gcsAllows,
  gcsBucketName,
  gcsObjectName,
  s3Allows,
  type AzureAssignment,
  type GcsGrant,
} from "./support/access";
import { physicalNames, ruleProblem } from "./support/name-rules";

const rec = installMocks();

const TEAMS = [
  { namespace: "team-a", serviceAccount: "reader", access: "read", prefix: "team-a/" },
  { namespace: "team-b", serviceAccount: "reader", access: "read", prefix: "team-b/" },
  { namespace: "ingest", serviceAccount: "writer", access: "write", prefix: "ingest/" },
] as const;

// ---------------------------------------------------------------------------------------------
// Config: what is refused, with the workload, the key and the value.

const aws: RawConfig = { "aws:region": "eu-north-1" };
const refusal = (raw: RawConfig): string => {
  try {
    checkLimits(parseConfig(raw, "dev"));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a refusal");
};
const withWorkloads = (workloads: unknown, more: RawConfig = {}): RawConfig => ({
  ...aws,
  workloads,
  ...more,
});
const team = (over: Record<string, unknown> = {}) => ({ ...TEAMS[0], ...over });

describe("config `workloads`", () => {
  test("absent: one reader of the whole bucket from namespace/serviceAccount, named as before", () => {
    const c = parseConfig({ ...aws, namespace: "ns", serviceAccount: "sa" }, "dev");
    expect(c.workloads).toEqual([
      { namespace: "ns", serviceAccount: "sa", access: "read", prefix: "", name: "wi-dev" },
    ]);
  });

  test("a list: each workload as given, named after the stack and a hash of its identity", () => {
    const c = parseConfig(withWorkloads(TEAMS), "dev");
    expect(c.workloads.map(({ name: _n, ...w }) => w)).toEqual(TEAMS);
    const names = c.workloads.map((w) => w.name);
    for (const n of names) expect(n).toMatch(/^wi-dev-[0-9a-f]{6}$/);
    expect(new Set(names).size).toBe(3);
    // The prefix is optional: the whole bucket.
    const whole = parseConfig(withWorkloads([{ ...TEAMS[0], prefix: undefined }]), "dev");
    expect(whole.workloads[0].prefix).toBe("");
  });

  test("namespace/serviceAccount beside it: only their defaults (what Pulumi.yaml hands over)", () => {
    expect(() =>
      parseConfig(withWorkloads(TEAMS, { namespace: "demo", serviceAccount: "demo" }), "dev"),
    ).not.toThrow();
    expect(refusal(withWorkloads(TEAMS, { namespace: "other" }))).toBe(
      'config `namespace`: applies only without `workloads`, got "other" beside it; give every workload its namespace and serviceAccount in the list, and remove it',
    );
  });

  test.each([
    [[], "config `workloads`: expected a list of 1–100 workloads"],
    ["team-a", "config `workloads`: expected a list of 1–100 workloads"],
    [Array.from({ length: 101 }, (_, i) => team({ namespace: `ns${i}` })), "got 101 workloads"],
    [[team({ extra: 1 })], "config `workloads[0].extra`: not a workload field"],
    [[team({ namespace: undefined })], "config `workloads[0].namespace`: required"],
    [
      [team({ namespace: "kube-system" })],
      'config `workloads[0].namespace`: "kube-system" is reserved',
    ],
    [[team({ serviceAccount: "default" })], 'config `workloads[0].serviceAccount`: "default"'],
    [
      [team({ access: "admin" })],
      'config `workloads[0].access` (workload team-a/reader): expected one of read, write, got "admin"',
    ],
    [
      [team({ access: undefined })],
      "config `workloads[0].access` (workload team-a/reader): expected one of read, write, got null",
    ],
  ])("refuses workloads #%#", (workloads, message) => {
    expect(refusal(withWorkloads(workloads))).toContain(message);
  });

  test.each([
    "../x/",
    "a/../b/",
    "/team-a/",
    "team-a",
    "team-*/",
    "team-?/",
    "team-a//",
    ".hidden/",
    "a b/",
    "a\u0000/",
    "t\u00e9am/",
    "${aws:username}/",
    "it's/",
    'q"/',
    `${"a".repeat(256)}/`,
  ])("refuses the prefix %j, naming the workload, key and value", (prefix) => {
    const message = refusal(withWorkloads([team({ prefix })]));
    expect(message).toMatch(/^config `workloads\[0\]\.prefix` \(workload team-a\/reader\): /);
    expect(message).toContain(JSON.stringify(prefix));
  });

  test.each(["team-a/", "team-a/reports/", "a_b.c-d/2024/", ""])(
    "accepts the prefix %j",
    (prefix) => {
      expect(parseConfig(withWorkloads([team({ prefix })]), "dev").workloads[0].prefix).toBe(
        prefix,
      );
    },
  );

  test("refuses the same namespace/ServiceAccount twice", () => {
    expect(refusal(withWorkloads([TEAMS[0], team({ prefix: "x/" })]))).toBe(
      "config `workloads[1]` (workload team-a/reader): duplicates workloads[0]; list each namespace/ServiceAccount once",
    );
  });

  test("refuses a ServiceAccount that is another's denial ServiceAccount", () => {
    const message = refusal(
      withWorkloads([
        team(),
        team({ serviceAccount: unboundServiceAccount("reader"), prefix: "b/" }),
      ]),
    );
    expect(message).toContain("config `workloads[1]` (workload team-a/reader-unbound)");
  });

  test("overlapping prefixes: refused across namespaces when either writes, allowed otherwise", () => {
    const writer = {
      namespace: "ingest",
      serviceAccount: "w",
      access: "write",
      prefix: "team-a/in/",
    };
    expect(refusal(withWorkloads([TEAMS[0], writer]))).toBe(
      'config `workloads[1].prefix` (workload ingest/w): "team-a/in/" shares keys with workloads[0].prefix "team-a/" ' +
        "(team-a/reader, another namespace), and one of them may write; give workloads of different namespaces " +
        "disjoint prefixes when either writes (readers may share)",
    );
    // A whole-bucket writer overlaps every prefix.
    expect(refusal(withWorkloads([TEAMS[0], { ...writer, prefix: "" }]))).toContain("shares keys");
    // Readers of different namespaces may share; a writer may share with its own namespace.
    const readers = [TEAMS[0], { ...TEAMS[1], prefix: "team-a/" }];
    expect(parseConfig(withWorkloads(readers), "dev").workloads).toHaveLength(2);
    const sameNamespace = [TEAMS[0], { ...writer, namespace: "team-a" }];
    expect(parseConfig(withWorkloads(sameNamespace), "dev").workloads).toHaveLength(2);
    // Disjoint prefixes that share a beginning do not overlap: prefixes end in '/'.
    const disjoint = [
      { ...TEAMS[0], prefix: "team/" },
      { ...writer, prefix: "team-a/" },
    ];
    expect(parseConfig(withWorkloads(disjoint), "dev").workloads).toHaveLength(2);
  });

  test("cloud limits name the workload: IAM's trust policy size, Google's subject size", () => {
    const long = {
      namespace: "n".repeat(63),
      serviceAccount: "s".repeat(63),
      access: "read",
      prefix: "a/",
    };
    const gcs = refusal({
      workloads: [TEAMS[0], long],
      cluster: "eks",
      storage: "gcs",
      ...aws,
      "gcp:project": "wi-example-123",
      "gcp:region": "europe-north1",
    });
    expect(gcs).toMatch(
      /^config `workloads\[1\]\.namespace` \(workload n+\/s+\): the pool's google\.subject/,
    );
    const s3 = checkLimits(parseConfig(withWorkloads([TEAMS[0], long]), "dev"));
    expect(s3.workloads).toHaveLength(2); // fits 2,048 on Pod Identity
  });
});

// ---------------------------------------------------------------------------------------------
// Every pair, three workloads.

interface Pair {
  readonly id: string;
  readonly file: string;
  readonly overrides: Readonly<Record<string, string>>;
}
const PAIRS: readonly Pair[] = [
  ...stackNames()
    .filter((f) => {
      const file = readStackFile(f);
      return !file["workload-identity:existingCluster"] && !file["workload-identity:workloads"];
    })
    .map((file) => ({ id: file, file, overrides: {} })),
  { id: "dev-irsa", file: "dev", overrides: { "workload-identity:awsMechanism": "irsa" } },
  ...(["gcs", "blob"] as const).map((storage) => ({
    id: `external-${storage}`,
    file: "external-s3",
    overrides: STORAGE_OVERRIDES[storage],
  })),
];

test("the pairs cover every cluster × storage pair the registry supports", () => {
  const seen = new Set(
    PAIRS.map((p) => {
      const c = exampleStackConfig(p.file, p.overrides);
      const cluster = c["workload-identity:cluster"] ?? "eks";
      const storage =
        c["workload-identity:storage"] ||
        ({ eks: "s3", gke: "gcs", aks: "blob" } as Record<string, string>)[cluster];
      return `${cluster}→${storage}`;
    }),
  );
  expect([...seen].sort()).toEqual(SUPPORTED_PAIRS.map(([c, s]) => `${c}→${s}`).sort());
});

const ISSUER_DOCUMENTS: readonly string[] = Object.values(ISSUER_DOCUMENT_PATHS);

/** Distinct Azure identities per binding, so an assignment to the wrong one would show. */
const uaiMock = cloudResourceMock("azure-native:managedidentity:UserAssignedIdentity")!;
const DISTINCT_IDENTITIES = {
  "azure-native:managedidentity:UserAssignedIdentity": (name: string, inputs: any) => {
    const base = uaiMock(name, inputs);
    return {
      ...base,
      state: { ...base.state, principalId: `principal-${name}`, clientId: `client-${name}` },
    };
  },
};

interface Run {
  readonly resources: Recorded[];
  readonly workloads: readonly Workload[];
  readonly storage: string;
  readonly bucketName: string;
}
const runs = new Map<string, Run>();

beforeAll(async () => {
  for (const pair of PAIRS) {
    const config = exampleStackConfig(pair.file, {
      ...pair.overrides,
      "workload-identity:workloads": JSON.stringify(TEAMS),
    });
    const run = await withResourceMocks(DISTINCT_IDENTITIES, () =>
      evaluate(rec, pair.file, config),
    );
    const bucketName = await new Promise<string>((resolve) =>
      run.outputs.bucketName.apply(resolve),
    );
    runs.set(pair.id, {
      resources: [...rec.resources],
      workloads: run.config.workloads,
      storage: run.config.storage,
      bucketName,
    });
  }
}, 120_000);

const byType = (r: Run, type: string) => r.resources.filter((x) => x.type === type);
const byUrn = (r: Run, urn: string) => r.resources.find((x) => x.urn === urn);
const ancestors = (r: Run, x: Recorded): Recorded[] => {
  const chain: Recorded[] = [];
  for (let p = byUrn(r, x.parent); p; p = byUrn(r, p.parent)) chain.push(p);
  return chain;
};
const childrenOf = (r: Run, component: Recorded) =>
  r.resources.filter((x) => ancestors(r, x).some((a) => a.urn === component.urn));
const dependsOn = (
  r: Run,
  x: Recorded,
  on: (d: Recorded) => boolean,
  seen = new Set<string>(),
): boolean =>
  x.dependencies.some((urn) => {
    if (seen.has(urn)) return false;
    seen.add(urn);
    const d = byUrn(r, urn);
    return d !== undefined && (on(d) || dependsOn(r, d, on, seen));
  });
const bindingOf = (r: Run, w: Workload): Recorded => {
  const found = r.resources.filter((x) => !x.custom && x.name === `${w.name}-binding`);
  expect(found, `${w.namespace}/${w.serviceAccount}`).toHaveLength(1);
  return found[0];
};
const jobs = (r: Run, w: Workload, suffix: string) =>
  byType(r, "kubernetes:batch/v1:Job").filter(
    (j) => j.name === `${w.name}-demo${suffix}` && j.inputs.metadata.namespace === w.namespace,
  );
const envOf = (job: Recorded, name: string): string | undefined =>
  job.inputs.spec.template.spec.containers[0].env.find((e: any) => e.name === name)?.value;
const scriptOf = (job: Recorded): string => job.inputs.spec.template.spec.containers[0].command[2];

/** The keys every workload is checked against: each one's hello.txt and a key of its own. */
const keysOf = (r: Run) =>
  r.workloads.flatMap((o) => [helloKey(o.prefix), `${o.prefix}new/object.txt`]);

describe.each(PAIRS.map((p) => [p.id]))("%s with three workloads", (id) => {
  const run = () => runs.get(id)!;

  test("each namespace once, under Pod Security restricted; each ServiceAccount in it", () => {
    const r = run();
    const namespaces = byType(r, "kubernetes:core/v1:Namespace");
    expect(namespaces.map((n) => n.inputs.metadata.name).sort()).toEqual([
      "ingest",
      "team-a",
      "team-b",
    ]);
    for (const n of namespaces) {
      expect(n.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    }
    for (const w of r.workloads) {
      const sas = byType(r, "kubernetes:core/v1:ServiceAccount").filter(
        (s) =>
          s.inputs.metadata.name === w.serviceAccount &&
          s.inputs.metadata.namespace === w.namespace,
      );
      expect(sas, w.name).toHaveLength(1);
    }
  });

  test("each workload's hello.txt lies under its prefix", () => {
    const r = run();
    // A kind cluster's issuer documents live in an issuer bucket of their own (test/kind-issuer).
    const keys = [
      ...byType(r, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => o.inputs.key),
      ...byType(r, "gcp:storage/bucketObject:BucketObject").map((o) => o.inputs.name),
      ...byType(r, "azure-native:storage:Blob").map((o) => o.inputs.blobName),
    ].filter((key) => !ISSUER_DOCUMENTS.includes(key));
    expect(keys.sort()).toEqual(r.workloads.map((w) => helloKey(w.prefix)).sort());
  });

  test("verify Job per workload: as its ServiceAccount, after its binding; writers write", () => {
    const r = run();
    for (const w of r.workloads) {
      const [job] = jobs(r, w, "-verify");
      expect(job, w.name).toBeDefined();
      expect(job.inputs.spec.template.spec.serviceAccountName).toBe(w.serviceAccount);
      const binding = bindingOf(r, w);
      expect(dependsOn(r, job, (d) => ancestors(r, d).some((a) => a.urn === binding.urn))).toBe(
        true,
      );
      const script = scriptOf(job);
      expect(script.includes("wrote, read back and deleted"), w.name).toBe(w.access === "write");
      if (w.access === "write") {
        // The object it writes is under its own prefix, in the bucket.
        expect(script).toMatch(
          new RegExp(`key="[^"]*${w.prefix}verify-\\$\\{HOSTNAME:-pod\\}\\.txt"`),
        );
      }
    }
  });

  test("cross-workload denial Job per workload: as its own ServiceAccount, reading another's object", () => {
    const r = run();
    r.workloads.forEach((w, i) => {
      const [job] = jobs(r, w, "-cross-deny");
      const target = denialTarget(r.workloads, i);
      expect(target).toBeDefined();
      const other = r.workloads[target!];
      expect(mayRead(w, helloKey(other.prefix))).toBe(false);
      expect(job.inputs.spec.template.spec.serviceAccountName).toBe(w.serviceAccount);
      expect(scriptOf(job)).toContain(helloKey(other.prefix));
      expect(envOf(job, "OTHER_OBJECT")).toContain(helloKey(other.prefix));
      // Only the storage service's refusal counts: the identity is genuinely this workload's.
      expect(scriptOf(job)).toContain(`it read ${helloKey(other.prefix)}, the object of workload`);
      const [verify] = jobs(r, w, "-verify");
      expect(job.dependencies).toContain(verify.urn);
      // The unbound-ServiceAccount denial stays.
      const [deny] = jobs(r, w, "-deny");
      expect(deny.inputs.spec.template.spec.serviceAccountName).toBe(
        unboundServiceAccount(w.serviceAccount),
      );
    });
  });

  test("each workload can do exactly what its access and prefix allow, and nothing else", () => {
    const r = run();
    const check = storageChecks[r.storage];
    for (const w of r.workloads) check(r, w);
  });
});

// ---------------------------------------------------------------------------------------------
// Per storage: the grant of one workload, read by semantics.

/** The role whose trust names exactly `w` (Pod Identity session tags, or a web identity `sub`). */
function s3RoleOf(r: Run, w: Workload): Recorded {
  const roles = byType(r, "aws:iam/role:Role").filter((role) => {
    const trust = JSON.parse(role.inputs.assumeRolePolicy);
    const eq = (trust.Statement[0].Condition?.StringEquals ?? {}) as Record<string, string>;
    const sub = Object.entries(eq).find(([k]) => k.endsWith(":sub"))?.[1];
    return (
      sub === serviceAccountSubject(w) ||
      (eq["aws:RequestTag/kubernetes-namespace"] === w.namespace &&
        eq["aws:RequestTag/kubernetes-service-account"] === w.serviceAccount)
    );
  });
  expect(roles, `${w.namespace}/${w.serviceAccount}`).toHaveLength(1);
  return roles[0];
}

const storageChecks: Record<string, (r: Run, w: Workload) => void> = {
  s3: (r, w) => {
    const role = s3RoleOf(r, w);
    const roleName = autoname(role.name);
    const policyArns = byType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === roleName)
      .map((a) => a.inputs.policyArn);
    expect(policyArns).toHaveLength(1);
    const docs = byType(r, "aws:iam/policy:Policy")
      .filter((p) => policyArns.includes(`arn:aws:iam::${ACCOUNT}:policy/${autoname(p.name)}`))
      .map((p) => p.inputs.policy);
    expect(docs).toHaveLength(1);
    const bucket = `arn:aws:s3:::${r.bucketName}`;
    for (const key of keysOf(r)) {
      const object = `${bucket}/${key}`;
      expect(s3Allows(docs, "s3:GetObject", object), `${w.name} get ${key}`).toBe(mayRead(w, key));
      for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
        expect(s3Allows(docs, action, object), `${w.name} ${action} ${key}`).toBe(mayWrite(w, key));
      }
      // Listing is allowed exactly for prefixes under its own.
      const listPrefix = key.slice(0, key.lastIndexOf("/") + 1);
      expect(s3Allows(docs, "s3:ListBucket", bucket, { "s3:prefix": listPrefix })).toBe(
        listPrefix.startsWith(w.prefix),
      );
    }
    // Never the bucket root's listing, another bucket, or anything on the bucket itself.
    expect(s3Allows(docs, "s3:ListBucket", bucket)).toBe(w.prefix === "");
    expect(s3Allows(docs, "s3:GetObject", `arn:aws:s3:::other/${w.prefix}hello.txt`)).toBe(false);
    for (const action of [
      "s3:PutBucketPolicy",
      "s3:DeleteBucket",
      "s3:PutObjectAcl",
      "s3:GetObjectAcl",
    ]) {
      expect(
        s3Allows(docs, action, bucket) || s3Allows(docs, action, `${bucket}/${w.prefix}x`),
      ).toBe(false);
    }
    // The pods are this role, and nothing else: what the verification insists it runs as.
    const [job] = jobs(r, w, "-verify");
    expect(envOf(job, "EXPECTED_IDENTITY")).toBe(`:assumed-role/${roleName}/`);
  },

  gcs: (r, w) => {
    const grants: GcsGrant[] = byType(r, "gcp:storage/bucketIAMMember:BucketIAMMember").map(
      (g) => ({
        member: g.inputs.member,
        role: g.inputs.role,
        condition: g.inputs.condition,
      }),
    );
    const mine = grants.filter(
      (g) =>
        g.member.endsWith(`/subject/ns/${w.namespace}/sa/${w.serviceAccount}`) ||
        g.member.endsWith(`/subject/${serviceAccountSubject(w)}`),
    );
    expect(mine, w.name).toHaveLength(1);
    const member = mine[0].member;
    for (const key of keysOf(r)) {
      const name = gcsObjectName(r.bucketName, key);
      expect(gcsAllows(grants, member, "storage.objects.get", name), `${w.name} get ${key}`).toBe(
        mayRead(w, key),
      );
      for (const p of ["storage.objects.create", "storage.objects.delete"]) {
        expect(gcsAllows(grants, member, p, name), `${w.name} ${p} ${key}`).toBe(mayWrite(w, key));
      }
    }
    // A prefixed workload cannot list: list is checked against the bucket's own name.
    expect(gcsAllows(grants, member, "storage.objects.list", gcsBucketName(r.bucketName))).toBe(
      w.prefix === "",
    );
    const [job] = jobs(r, w, "-verify");
    if (member.includes("/subject/system:serviceaccount:")) {
      expect(envOf(job, "EXPECTED_IDENTITY")).toBe(member);
    }
  },

  blob: (r, w) => {
    const binding = bindingOf(r, w);
    const children = childrenOf(r, binding);
    const fics = children.filter(
      (c) => c.type === "azure-native:managedidentity:FederatedIdentityCredential",
    );
    expect(fics.map((f) => f.inputs.subject)).toEqual([serviceAccountSubject(w)]);
    const [identity] = children.filter(
      (c) => c.type === "azure-native:managedidentity:UserAssignedIdentity",
    );
    const principal = `principal-${identity.name}`;
    // Every assignment to this workload's principal, wherever it was made.
    const assignments: AzureAssignment[] = byType(r, "azure-native:authorization:RoleAssignment")
      .filter((a) => a.inputs.principalId === principal)
      .map((a) => a.inputs);
    expect(assignments).toHaveLength(1);
    expect(
      byType(r, "azure-native:authorization:RoleAssignment").find(
        (a) => a.inputs.principalId === principal,
      )!.inputs.scope,
    ).toMatch(/\/containers\/hello$/);
    for (const key of keysOf(r)) {
      expect(
        blobAllows(assignments, { action: BLOB_ACTIONS.read, path: key }),
        `${w.name} read ${key}`,
      ).toBe(mayRead(w, key));
      for (const action of [
        BLOB_ACTIONS.write,
        BLOB_ACTIONS.add,
        BLOB_ACTIONS.delete,
        BLOB_ACTIONS.move,
      ]) {
        expect(blobAllows(assignments, { action, path: key }), `${w.name} ${action} ${key}`).toBe(
          mayWrite(w, key),
        );
      }
      const listPrefix = key.slice(0, key.lastIndexOf("/") + 1);
      expect(
        blobAllows(assignments, {
          action: BLOB_ACTIONS.read,
          subOperation: "Blob.List",
          prefix: listPrefix,
        }),
      ).toBe(listPrefix.startsWith(w.prefix));
    }
    // The pods sign in as this identity, and the verification insists on it.
    const [job] = jobs(r, w, "-verify");
    expect(envOf(job, "EXPECTED_IDENTITY")).toBe(`client-${identity.name}`);
  },
};

// ---------------------------------------------------------------------------------------------
// Names: the longest stack name with long workload names and prefixes, on every pair.

describe("names at their longest, with three workloads", () => {
  const LONGEST_STACK = "Team.Platform_Prod--EU-West-1.Canary_v02";
  const long = (i: number, access: string) => ({
    // 45 + 45 characters: the longest pair a Workload Identity pool's subject takes with the
    // denial's `-unbound` (test/names-sweep.test.ts sweeps one workload's names in full).
    namespace: `n${i}${"a".repeat(44)}`.slice(0, 45),
    serviceAccount: `s${i}${"b.c-".repeat(12)}`.slice(0, 44) + "z",
    access,
    prefix: `p${i}/${"segment-".repeat(30)}/`,
  });
  const workloads = JSON.stringify([long(1, "read"), long(2, "read"), long(3, "write")]);

  test.each(PAIRS.map((p) => [p.id, p]))(
    "%s: every physical name passes its cloud's rule",
    async (_id, pair) => {
      const config = exampleStackConfig(pair.file, {
        ...pair.overrides,
        "workload-identity:workloads": workloads,
      });
      await evaluate(rec, LONGEST_STACK, config);
      const problems = physicalNames(rec.resources).flatMap((n) => {
        const problem = ruleProblem(n.rule, n.value);
        return problem ? [`${n.type} ${n.logical} ${n.field}: ${problem}`] : [];
      });
      expect(problems).toEqual([]);
      expect(rec.ofType("kubernetes:batch/v1:Job")).toHaveLength(9);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// A stack without `workloads` keeps what it had: names (a renamed resource is replaced), the read
// policy's document and description (a changed description replaces an IAM policy).

test("a stack without workloads keeps its resources' names, policy and description", async () => {
  const run = await evaluate(rec, "dev", exampleStackConfig("dev"));
  const names = rec.resources.map((r) => r.name);
  for (const name of [
    "wi-dev-binding",
    "wi-dev-binding-role",
    "wi-dev-binding-read",
    "wi-dev-binding-association",
    "wi-dev-storage-read",
    "wi-dev-storage-hello",
    "wi-dev-demo",
    "wi-dev-demo-ns",
    "wi-dev-demo-sa",
    "wi-dev-demo-verify",
    "wi-dev-demo-deny",
  ]) {
    expect(names).toContain(name);
  }
  expect(names.some((n) => n.includes("cross-deny"))).toBe(false);
  const policy = rec.one("aws:iam/policy:Policy");
  const bucket = await new Promise<string>((resolve) => run.outputs.bucketName.apply(resolve));
  expect(policy.inputs.description).toBe(
    `Read s3://${bucket} (ListBucket, GetObject) and nothing else`,
  );
  expect(JSON.parse(policy.inputs.policy)).toEqual({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListBucket",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: `arn:aws:s3:::${bucket}`,
      },
      {
        Sid: "GetObjects",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  });
  expect(rec.one("aws:s3/bucketObjectv2:BucketObjectv2").inputs.key).toBe("hello.txt");
});

test("eks-teams exports each workload's grant, object and Jobs; a stack without workloads does not", async () => {
  const run = await evaluate(rec, "eks-teams", exampleStackConfig("eks-teams"));
  const out = JSON.parse(
    await new Promise<string>((resolve) => (run.outputs.workloads as any).apply(resolve)),
  ) as Record<string, string>[];
  expect(out.map((w) => [w.namespace, w.serviceAccount, w.access, w.prefix])).toEqual(
    TEAMS.map((t) => [t.namespace, t.serviceAccount, t.access, t.prefix]),
  );
  for (const w of out) {
    expect(w.objectUrl).toMatch(new RegExp(`^s3://[^/]+/${w.prefix}hello\\.txt$`));
    expect(w.verifyJob).toBeTruthy();
    expect(w.crossDenialJob).toBeTruthy();
    expect(w.verifyCommand).toContain(`kubectl -n ${w.namespace} exec`);
  }
  const dev = await evaluate(rec, "dev", exampleStackConfig("dev"));
  expect(dev.outputs.workloads).toBeUndefined();
});

test("two workloads of one namespace: the namespace is created once, and both wait for it", async () => {
  const shared = [
    { namespace: "team-a", serviceAccount: "reader", access: "read", prefix: "team-a/" },
    { namespace: "team-a", serviceAccount: "writer", access: "write", prefix: "team-a/" },
  ];
  const run = await evaluate(
    rec,
    "dev",
    exampleStackConfig("dev", { "workload-identity:workloads": JSON.stringify(shared) }),
  );
  const [namespace] = rec.ofType("kubernetes:core/v1:Namespace");
  expect(rec.ofType("kubernetes:core/v1:Namespace")).toHaveLength(1);
  expect(namespace.inputs.metadata.name).toBe("team-a");
  const sas = rec
    .ofType("kubernetes:core/v1:ServiceAccount")
    .filter((s) => ["reader", "writer"].includes(s.inputs.metadata.name));
  expect(sas).toHaveLength(2);
  for (const sa of sas) {
    expect(sa.inputs.metadata.namespace).toBe("team-a");
    expect(rec.dependsOn(sa, namespace)).toBe(true);
  }
  // Same prefix, same namespace: each reads the shared object, so neither has a cross-deny Job.
  expect(run.config.workloads.map((_, i) => denialTarget(run.config.workloads, i))).toEqual([
    undefined,
    undefined,
  ]);
  expect(
    rec.ofType("kubernetes:batch/v1:Job").filter((j) => j.name.endsWith("-cross-deny")),
  ).toEqual([]);
});
