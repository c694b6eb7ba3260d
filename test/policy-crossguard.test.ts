/**
 * The rules as CrossGuard sees them: one mandatory policy per rule, resource rules reporting each
 * message against the resource, the stack rule against the offending resource's URN. Uses
 * policy/crossguard.ts, never policy/index.ts (constructing the PolicyPack starts its gRPC server).
 *
 * What this cannot prove: that the Pulumi CLI loads the pack (docs/guardrails.md); that was
 * checked by hand by running the pack's analyzer server and calling it over gRPC.
 */
import type {
  PolicyResource as CrossGuardResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { describe, expect, test } from "vitest";
import {
  crossGuardPolicies,
  ENFORCEMENT,
  fromStackResource,
  PACK_NAME,
} from "../policy/crossguard";
import { AWS, RULES } from "../policy/rules";

const policies = crossGuardPolicies();
const byName = (name: string) => policies.find((p) => p.name === name)!;

describe("the pack", () => {
  test("is named workload-identity and holds every rule, once, as a mandatory policy", () => {
    expect(PACK_NAME).toBe("workload-identity");
    expect(ENFORCEMENT).toBe("mandatory");
    expect(policies.map((p) => p.name)).toEqual(RULES.map((r) => r.name));
    expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
    for (const p of policies) {
      expect(p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.enforcementLevel).toBe("mandatory");
    }
  });

  test("resource rules validate resources, the stack rule validates the stack", () => {
    for (const rule of RULES) {
      const p = byName(rule.name) as ResourceValidationPolicy & StackValidationPolicy;
      expect(typeof (rule.kind === "resource" ? p.validateResource : p.validateStack)).toBe(
        "function",
      );
    }
  });

  test("every rule says what it mirrors: verified IDs, or 'no direct equivalent' and the nearest", () => {
    for (const rule of RULES) {
      const { cis, checkov, note } = rule.mirrors;
      for (const id of checkov) expect(id).toMatch(/^CKV2?_(AWS|GCP|AZURE|K8S|SECRET)_\d+$/);
      if (cis.length + checkov.length === 0)
        expect(note, rule.name).toMatch(/no direct equivalent/i);
      if (note !== undefined) expect(note, rule.name).toMatch(/nearest/);
      // The Checkov IDs travel with the policy as its tags.
      expect(byName(rule.name).tags).toEqual([...checkov]);
    }
  });
});

describe("wiring", () => {
  test("a resource rule reports each of its messages against the resource", async () => {
    const reported: [string, string | undefined][] = [];
    const policy = byName("no-public-buckets") as ResourceValidationPolicy;
    const args = {
      type: AWS.publicAccessBlock,
      name: "pab",
      urn: "urn:pab",
      props: {
        bucket: "b",
        blockPublicAcls: false,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    } as unknown as ResourceValidationArgs;
    const validate = policy.validateResource as (a: ResourceValidationArgs, r: any) => unknown;
    await validate(args, (m: string, urn?: string) => reported.push([m, urn]));
    expect(reported).toEqual([
      [
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock pab: blockPublicAcls is false; set all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true",
        undefined,
      ],
      [
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock pab: ignorePublicAcls is unset; set all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true",
        undefined,
      ],
    ]);
  });

  /** A resource as CrossGuard's stack validation hands it over (outputs, linked dependencies). */
  function stackResource(
    type: string,
    name: string,
    props: Record<string, unknown>,
    propertyDependencies: Record<string, CrossGuardResource[]> = {},
    dependencies: CrossGuardResource[] = [],
  ): CrossGuardResource {
    return { type, name, urn: `urn:${name}`, props, dependencies, propertyDependencies } as any;
  }

  test("the stack rule sees dependencies and property dependencies, and names the bucket's URN", async () => {
    const covered = stackResource(AWS.bucket, "covered", { bucket: "covered-123" });
    const bare = stackResource(AWS.bucket, "bare", { bucket: "bare-456" });
    const other = stackResource("random:index/randomId:RandomId", "other", {});
    // The block's `bucket` came from `covered`; it also waits on `other`, which names nothing.
    const pab = stackResource(
      AWS.publicAccessBlock,
      "pab",
      { bucket: "covered-123" },
      { bucket: [covered] },
      [other],
    );
    expect(fromStackResource(pab)).toEqual({
      type: AWS.publicAccessBlock,
      name: "pab",
      urn: "urn:pab",
      props: { bucket: "covered-123" },
      dependencies: ["urn:other", "urn:covered"],
      propertyDependencies: { bucket: ["urn:covered"] },
    });
    const reported: [string, string | undefined][] = [];
    const policy = byName("s3-bucket-has-public-access-block") as StackValidationPolicy;
    const args = { resources: [covered, bare, other, pab] } as unknown as StackValidationArgs;
    await policy.validateStack(args, (m: string, urn?: string) => reported.push([m, urn]));
    expect(reported).toEqual([
      [
        "aws:s3/bucket:Bucket bare: no aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock names this bucket; add one with bucket: <this bucket>.id and all four flags true",
        "urn:bare",
      ],
    ]);

    // A block given the bucket's name as a literal covers it, even when it waits on other things.
    const literal = stackResource(AWS.publicAccessBlock, "literal", { bucket: "bare-456" }, {}, [
      other,
    ]);
    reported.length = 0;
    const withLiteral = { resources: [covered, bare, other, pab, literal] };
    await policy.validateStack(withLiteral as unknown as StackValidationArgs, (m: string) =>
      reported.push([m, undefined]),
    );
    expect(reported).toEqual([]);
  });

  test("public-only-for-oidc-issuer follows property dependencies, reading no value a preview lacks", async () => {
    // As CrossGuard hands props over in a preview: reading an unknown value throws, and makes
    // the whole stack policy advisory (node_modules/@pulumi/policy/server.js, UnknownValueError).
    // proxy.js exports these without declarations (marked @internal).
    const PROXY = "@pulumi/policy/proxy";
    const { unknownCheckingProxy, unknownStringValue } = (await import(PROXY)) as {
      unknownCheckingProxy: <T>(props: T) => T;
      unknownStringValue: string;
    };
    const unknownName = (props: Record<string, unknown>) =>
      unknownCheckingProxy({ bucket: unknownStringValue, ...props });
    const marker = { "workload-identity-purpose": "oidc-issuer" };
    const issuer = stackResource(AWS.bucket, "issuer", unknownName({ tags: marker }));
    const data = stackResource(AWS.bucket, "data", unknownName({ tags: {} }));
    const block = (name: string, bucket: CrossGuardResource) =>
      stackResource(
        AWS.publicAccessBlock,
        name,
        unknownName({
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: false,
          restrictPublicBuckets: false,
        }),
        { bucket: [bucket] },
        [issuer, data],
      );
    const policy = byName("public-only-for-oidc-issuer") as StackValidationPolicy;
    const run = async (resources: CrossGuardResource[]) => {
      const reported: [string, string | undefined][] = [];
      const args = { resources } as unknown as StackValidationArgs;
      await policy.validateStack(args, (m: string, urn?: string) => reported.push([m, urn]));
      return reported;
    };
    expect(await run([issuer, data, block("issuer-pab", issuer)])).toEqual([]);
    const reported = await run([issuer, data, block("data-pab", data)]);
    expect(reported.map(([, urn]) => urn)).toEqual(["urn:data-pab"]);
    expect(reported[0][0]).toMatch(
      /^aws:s3\/bucketPublicAccessBlock:BucketPublicAccessBlock data-pab: blockPublicPolicy is false/,
    );
  });

  test("without per-property dependencies, a plain dependency on the bucket links it", async () => {
    // The bucket auto-named: its outputs may lack the name the block holds.
    const bucket = stackResource(AWS.bucket, "auto", {});
    const pab = stackResource(AWS.publicAccessBlock, "pab", { bucket: "auto-a1b2" }, {}, [bucket]);
    const reported: string[] = [];
    const policy = byName("s3-bucket-has-public-access-block") as StackValidationPolicy;
    const args = { resources: [bucket, pab] } as unknown as StackValidationArgs;
    await policy.validateStack(args, (m: string) => reported.push(m));
    expect(reported).toEqual([]);
  });
});
