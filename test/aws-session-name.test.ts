/**
 * AWS_ROLE_SESSION_NAME, which a pod outside AWS hands to STS AssumeRoleWithWebIdentity: STS takes
 * 2–64 characters of `[\w+=,.@-]` (STS API model `roleSessionNameType`), while a namespace may have
 * 63 characters and a ServiceAccount (here) 245. What this cannot prove: STS's own validation, which
 * only a real call runs; the pattern below is the API model's.
 */
import { describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";
import { roleSessionName, ROLE_SESSION_NAME_MAX } from "../src/aws";

const rec = installMocks();
const STS_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const NS_63 = "n".repeat(63);
const SA_245 = "s".repeat(245);

describe("roleSessionName", () => {
  test("short pairs stay readable: <namespace>.<serviceAccount>", () => {
    expect(roleSessionName("demo", "demo")).toBe("demo.demo");
    expect(roleSessionName("a", "b")).toBe("a.b");
  });

  test("exactly 64 characters is kept; 65 is shortened to 64", () => {
    const sa62 = "s".repeat(62);
    expect(roleSessionName("n", sa62)).toBe(`n.${sa62}`);
    expect(roleSessionName("n", sa62)).toHaveLength(64);
    const long = roleSessionName("n", `${sa62}x`);
    expect(long).toHaveLength(ROLE_SESSION_NAME_MAX);
    expect(long).toMatch(/^n\.s{51}-[0-9a-f]{10}$/);
  });

  test("the longest pair (63 + 245) fits STS, deterministically", () => {
    const name = roleSessionName(NS_63, SA_245);
    expect(name).toHaveLength(64);
    expect(name).toMatch(STS_SESSION_NAME);
    // Both halves stay recognisable in CloudTrail.
    expect(name).toMatch(/^n{26}\.s{26}-[0-9a-f]{10}$/);
    expect(roleSessionName(NS_63, SA_245)).toBe(name);
  });

  test("a long namespace with a short ServiceAccount keeps the ServiceAccount whole", () => {
    expect(roleSessionName(NS_63, "reader")).toMatch(/^n{46}\.reader-[0-9a-f]{10}$/);
  });

  test("two long pairs that cut to the same text get different names", () => {
    const a = roleSessionName(NS_63, `${"s".repeat(200)}-reader`);
    const b = roleSessionName(NS_63, `${"s".repeat(200)}-writer`);
    expect(a.slice(0, 53)).toBe(b.slice(0, 53));
    expect(a).not.toBe(b);
    for (const n of [a, b]) expect(n).toMatch(STS_SESSION_NAME);
  });
});

describe("in the pod", () => {
  test("GKE → S3 with the longest names: the projected pod's AWS_ROLE_SESSION_NAME fits STS", async () => {
    await evaluate(rec, "gke-s3", {
      ...exampleStackConfig("gke-s3"),
      "workload-identity:namespace": NS_63,
      "workload-identity:serviceAccount": SA_245,
    });
    for (const [type, suffix] of [
      ["kubernetes:apps/v1:Deployment", "-shell"],
      ["kubernetes:batch/v1:Job", "-verify"],
    ]) {
      const env: { name: string; value?: string }[] = rec.one(type, suffix).inputs.spec.template
        .spec.containers[0].env;
      const session = env.find((e) => e.name === "AWS_ROLE_SESSION_NAME");
      expect(session?.value, type).toBe(roleSessionName(NS_63, SA_245));
      expect(session?.value, type).toMatch(STS_SESSION_NAME);
    }
  });
});
