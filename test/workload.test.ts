/**
 * DemoWorkload on its own: what a foreign-cloud binding asks of the pods (projected tokens with an
 * audience, a credential configuration file) lands in both pod templates exactly, read-only.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { installMocks, settle, valueOf } from "../offline/mocks";
import type { PodAccess } from "../src/core";
import { DemoWorkload, jobDeadlineSeconds, jobTimeout, PROOF_DIGEST_ANNOTATION } from "../src/k8s";

const rec = installMocks();
/** The long-running pod and the verification Job (the denial Job runs as another identity). */
const PODS = [
  ["kubernetes:apps/v1:Deployment", "-shell"],
  ["kubernetes:batch/v1:Job", "-verify"],
] as const;

const access = (over: Partial<PodAccess> = {}): PodAccess => ({
  identity: { namespace: "ns1", serviceAccount: "sa1" },
  serviceAccountAnnotations: {},
  podLabels: {},
  env: [
    {
      name: "GOOGLE_APPLICATION_CREDENTIALS",
      value: "/etc/workload-identity/gcp/credentials.json",
    },
  ],
  projectedTokens: [
    {
      name: "gcp-token",
      audience: "//iam.googleapis.com/projects/1/x",
      mountPath: "/var/run/secrets/tokens/gcp",
      expirationSeconds: 3600,
    },
  ],
  files: [
    {
      name: "gcp-credentials",
      mountPath: "/etc/workload-identity/gcp",
      fileName: "credentials.json",
      content: '{"type":"external_account"}',
    },
  ],
  client: {
    image: "cli:1",
    cli: "cli",
    env: [],
    whoami: "who",
    expectedIdentity: "me",
    read: "read",
    refusal: "AccessDenied",
  },
  readyAfter: [],
  credentialVariables: ["GOOGLE_APPLICATION_CREDENTIALS"],
  proofInputs: ["trust-v1", pulumi.output("permission-v1"), "principal-1"],
  denial: {
    env: [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/etc/denial/credentials.json" }],
    projectedTokens: [
      {
        name: "deny-token",
        audience: "deny-aud",
        mountPath: "/var/run/deny",
        expirationSeconds: 600,
      },
    ],
    podLabels: { "deny-label": "x" },
    refusal: "TokenRefused",
  },
  ...over,
});

async function build(name: string, a: PodAccess) {
  rec.clear();
  const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: "{}" });
  const w = new DemoWorkload(name, {
    provider,
    identity: { namespace: "ns1", serviceAccount: "sa1" },
    access: a,
  });
  await settle();
  return { provider, w };
}

describe("DemoWorkload with projected tokens and files", () => {
  test("both pods mount the token (with its audience) and the file read-only", async () => {
    await build("fed", access());
    const cm = rec.one("kubernetes:core/v1:ConfigMap");
    expect(cm.inputs.metadata.namespace).toBe("ns1");
    expect(cm.inputs.data).toEqual({ "gcp-credentials": '{"type":"external_account"}' });
    for (const [type, suffix] of PODS) {
      const spec = rec.one(type, suffix).inputs.spec.template.spec;
      expect(spec.volumes).toEqual([
        { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
        {
          name: "gcp-token",
          projected: {
            sources: [
              {
                serviceAccountToken: {
                  audience: "//iam.googleapis.com/projects/1/x",
                  expirationSeconds: 3600,
                  path: "token",
                },
              },
            ],
          },
        },
        {
          name: "gcp-credentials",
          configMap: {
            name: "fed-files-a1b2c3d" /* the ConfigMap's generated name */,
            items: [{ key: "gcp-credentials", path: "credentials.json" }],
          },
        },
      ]);
      expect(spec.containers[0].volumeMounts).toEqual([
        { name: "tmp", mountPath: "/tmp" },
        { name: "gcp-token", mountPath: "/var/run/secrets/tokens/gcp", readOnly: true },
        { name: "gcp-credentials", mountPath: "/etc/workload-identity/gcp", readOnly: true },
      ]);
      expect(spec.containers[0].env).toContainEqual({
        name: "GOOGLE_APPLICATION_CREDENTIALS",
        value: "/etc/workload-identity/gcp/credentials.json",
      });
    }
  });

  test("no ConfigMap and no extra volumes when the binding needs none", async () => {
    await build("plain", access({ projectedTokens: [], files: [] }));
    expect(rec.ofType("kubernetes:core/v1:ConfigMap")).toEqual([]);
    expect(
      rec.one("kubernetes:batch/v1:Job", "-verify").inputs.spec.template.spec.volumes,
    ).toHaveLength(1);
  });

  test("a token shorter than Kubernetes' 600 s minimum is refused", async () => {
    const short = access({
      projectedTokens: [{ name: "t", audience: "a", mountPath: "/t", expirationSeconds: 599 }],
    });
    await expect(build("short", short)).rejects.toThrow(
      "projected token t: expirationSeconds must be a whole number ≥ 600 (Kubernetes' minimum), got 599",
    );
  });

  test("a volume name used twice is refused", async () => {
    const twice = access({
      projectedTokens: [{ name: "tmp", audience: "a", mountPath: "/t", expirationSeconds: 600 }],
    });
    await expect(build("twice", twice)).rejects.toThrow("volume name tmp is used twice in the pod");
  });

  test("every object uses the given provider, and the ServiceAccount is named exactly", async () => {
    const { provider } = await build("prov", access());
    const urn = await new Promise<string>((r) => provider.urn.apply(r));
    for (const o of rec.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
      expect(rec.providerUrn(o)).toBe(urn);
    }
    expect(rec.one("kubernetes:core/v1:ServiceAccount", "-sa").inputs.metadata).toMatchObject({
      name: "sa1",
      namespace: "ns1",
    });
  });
});

const sha256 = (values: string[]) =>
  createHash("sha256").update(JSON.stringify(values)).digest("hex");
const JOBS = ["-verify", "-deny"] as const;

describe("the proof Jobs", () => {
  test("a failed Job is replaced on the next up, not awaited again (replaceUnready), on both Jobs only", async () => {
    await build("ru", access());
    for (const suffix of JOBS) {
      expect(rec.one("kubernetes:batch/v1:Job", suffix).inputs.metadata.annotations).toEqual({
        "pulumi.com/replaceUnready": "true",
      });
    }
    expect(rec.one("kubernetes:apps/v1:Deployment").inputs.metadata.annotations).toBeUndefined();
  });

  test("every pod template carries the sha256 of the resolved proof inputs, in order", async () => {
    const { w } = await build("dig", access());
    const expected = sha256(["trust-v1", "permission-v1", "principal-1"]);
    expect(await valueOf(w.proofDigest)).toBe(expected);
    for (const [type, suffix] of [
      ["kubernetes:batch/v1:Job", "-verify"],
      ["kubernetes:batch/v1:Job", "-deny"],
      ["kubernetes:apps/v1:Deployment", "-shell"],
    ] as const) {
      expect(rec.one(type, suffix).inputs.spec.template.metadata.annotations, suffix).toEqual({
        [PROOF_DIGEST_ANNOTATION]: expected,
      });
    }
  });

  test("a changed trust, permission or identity changes the pod templates (so both Jobs re-run)", async () => {
    const digests: string[] = [];
    for (const inputs of [
      ["trust-v1", "permission-v1", "principal-1"],
      ["trust-v2", "permission-v1", "principal-1"],
      ["trust-v1", "permission-v2", "principal-1"],
      ["trust-v1", "permission-v1", "principal-2"],
    ]) {
      await build(`chg${digests.length}`, access({ proofInputs: inputs }));
      const template = rec.one("kubernetes:batch/v1:Job", "-verify").inputs.spec.template;
      digests.push(template.metadata.annotations[PROOF_DIGEST_ANNOTATION]);
    }
    expect(new Set(digests).size).toBe(4);
  });

  test("a binding without proof inputs is refused: its changes would never be proven", async () => {
    await expect(build("noin", access({ proofInputs: [] }))).rejects.toThrow(
      "proofInputs: empty; the binding must list its trust, permission and identity",
    );
  });

  test("three pods per Job within a deadline that covers them, and Pulumi waits out the deadline", async () => {
    await build("pods", access({ client: { ...access().client, attempts: 7 } }));
    const verify = rec.one("kubernetes:batch/v1:Job", "-verify").inputs.spec;
    const deny = rec.one("kubernetes:batch/v1:Job", "-deny").inputs.spec;
    expect(verify.backoffLimit).toBe(2);
    expect(deny.backoffLimit).toBe(2);
    // Three starts of 120 s, back-off of 10 s then 20 s, and every try (20 s) in the last pod.
    expect(verify.activeDeadlineSeconds).toBe(3 * 120 + 10 + 20 + 7 * 20);
    expect(deny.activeDeadlineSeconds).toBe(3 * 120 + 10 + 20 + 3 * 20);
    for (const attempts of [1, 30, 60]) {
      const deadline = jobDeadlineSeconds(attempts);
      expect(Number.parseInt(jobTimeout(deadline), 10) * 60).toBeGreaterThan(deadline);
    }
  });

  test("the verification exits at once when a credential variable is missing", async () => {
    await build("vars", access());
    const script: string = rec.one("kubernetes:batch/v1:Job", "-verify").inputs.spec.template.spec
      .containers[0].command[2];
    expect(script).toContain(
      '[ -n "${GOOGLE_APPLICATION_CREDENTIALS:-}" ] || { echo "FAILED: GOOGLE_APPLICATION_CREDENTIALS is not set: this pod was admitted before its binding took effect',
    );
  });

  test("the shell pod is created only after the verification Job succeeded", async () => {
    await build("shell", access());
    const shell = rec.one("kubernetes:apps/v1:Deployment");
    const verify = rec.one("kubernetes:batch/v1:Job", "-verify");
    expect(shell.dependencies).toContain(verify.urn);
  });
});

describe("the denial pod", () => {
  test("claims the bound identity with the binding's denial env, its own token and labels", async () => {
    await build("deny", access());
    const template = rec.one("kubernetes:batch/v1:Job", "-deny").inputs.spec.template;
    const spec = template.spec;
    expect(spec.serviceAccountName).toBe("sa1-unbound");
    expect(template.metadata.labels).toMatchObject({ "deny-label": "x" });
    expect(spec.containers[0].env).toEqual([
      { name: "HOME", value: "/tmp" },
      { name: "GOOGLE_APPLICATION_CREDENTIALS", value: "/etc/denial/credentials.json" },
    ]);
    expect(spec.volumes.map((v: any) => v.name)).toEqual(["tmp", "deny-token", "gcp-credentials"]);
    expect(spec.volumes[1].projected.sources[0].serviceAccountToken.audience).toBe("deny-aud");
    const script: string = spec.containers[0].command[2];
    expect(script).toContain("refusal='AccessDenied|TokenRefused'");
    const unbound = rec.one("kubernetes:core/v1:ServiceAccount", "-unbound");
    expect(unbound.inputs.metadata.annotations).toBeUndefined();
  });

  test("a denial env without a credential variable is refused: nothing injects it into an unbound pod", async () => {
    const a = access();
    await expect(build("lack", { ...a, denial: { ...a.denial, env: [] } })).rejects.toThrow(
      "denial.env: lacks GOOGLE_APPLICATION_CREDENTIALS",
    );
  });

  test("a client without an explicit refusal is refused: any failure would pass for a denial", async () => {
    await expect(
      build("norefuse", access({ client: { ...access().client, refusal: "" } })),
    ).rejects.toThrow("client.refusal: empty");
  });

  test("a credential variable that is not a variable name is refused", async () => {
    const a = access({ credentialVariables: ["A B"] });
    await expect(build("badvar", a)).rejects.toThrow(
      'credentialVariables: "A B" is not an environment variable name',
    );
  });
});
