import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import {
  checkAll,
  K8S,
  noPublicBuckets,
  resourceMessages,
  RULES,
  ruleType,
} from "../../policy/rules";
import { resourcesOf, synthetic, useStacks, VARIANTS } from "../support/policy";

describe("the pack", () => {
  useStacks();

  test.for(VARIANTS.map((v) => v.label))("reports nothing at all on stack %s", (label) => {
    expect(checkAll(resourcesOf(label))).toEqual([]);
  });

  test("every rule has its own suite here, and nothing else does", () => {
    const suites = fs
      .readdirSync(__dirname)
      .map((f) => f.replace(/\.ts$/, ""))
      .filter((f) => f !== "pack");
    expect(suites.sort()).toEqual(RULES.map((r) => r.name).sort());
    const entry = fs.readFileSync(path.join(__dirname, "..", "policy.test.ts"), "utf8");
    for (const s of [...suites, "pack"]) expect(entry).toContain(`import "./policy/${s}";`);
  });

  test("a rule reports each message after the resource's type and name, and ignores other types", () => {
    const block = synthetic("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "b", {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    expect(resourceMessages(noPublicBuckets, block)).toEqual([
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock b: ignorePublicAcls is unset; set all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true",
    ]);
    expect(resourceMessages(noPublicBuckets, synthetic("aws:s3/other:Other", "o", {}))).toEqual([]);
  });

  test("azure-native's API-versioned modules map to the default one; other tokens stay as they are", () => {
    expect(ruleType("azure-native:storage/v20230501:BlobContainer")).toBe(
      "azure-native:storage:BlobContainer",
    );
    expect(ruleType("azure-native:storage:BlobContainer")).toBe(
      "azure-native:storage:BlobContainer",
    );
    expect(ruleType(K8S.deployment)).toBe(K8S.deployment);
    expect(ruleType("aws:s3/bucket:Bucket")).toBe("aws:s3/bucket:Bucket");
  });
});
