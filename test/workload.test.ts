/**
 * DemoWorkload on its own: what a foreign-cloud binding asks of the pods (projected tokens with an
 * audience, a credential configuration file) lands in both pod templates exactly, read-only.
 */
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, test } from "vitest";
import { installMocks, settle } from "../offline/mocks";
import type { PodAccess } from "../src/contracts";
import { DemoWorkload } from "../src/k8s/workload";

const rec = installMocks();
/** The long-running pod and the verification Job (the denial Job runs as another identity). */
const PODS = [
  ["kubernetes:apps/v1:Deployment", "-shell"],
  ["kubernetes:batch/v1:Job", "-verify"],
] as const;

const access = (over: Partial<PodAccess> = {}): PodAccess => ({
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
  credentialVariables: [],
  proofInputs: [],
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
