/**
 * The vitest configuration StrykerJS runs (stryker.config.mjs): the project's, with only the test
 * files that check the identity-critical modules (every stack test imports the mutated files, so
 * "related" tests would be the whole suite), or the files `STRYKER_TESTS` lists (comma-separated;
 * docs/testing.md gives the list for each module), and no summary reporter. The evaluation cache
 * keys on the active mutant too (offline/evaluate.ts `cacheKey`), so no test could be served
 * another mutant's evaluation.
 */
import { defineConfig } from "vitest/config";
import base from "./vitest.config.mts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    reporters: ["default"],
    // Replaces the base's `include` (mergeConfig would append to it).
    include: process.env.STRYKER_TESTS
      ? process.env.STRYKER_TESTS.split(",")
      : [
          // Written for the mutants: the pure rules, documents and components on their own.
          "test/core-mutants.test.ts",
          "test/aws-mutants.test.ts",
          "test/gcp-mutants.test.ts",
          "test/gcp-federation-mutants.test.ts",
          "test/azure-mutants.test.ts",
          // What the official SDKs make of each pod.
          "test/conformance-*.test.ts",
          // Each cloud's components and stacks.
          "test/aws.test.ts",
          "test/aws-adopt.test.ts",
          "test/aws-binding.test.ts",
          "test/aws-components.test.ts",
          "test/aws-irsa.test.ts",
          "test/aws-session-name.test.ts",
          "test/gcp.test.ts",
          "test/gcp-binding.test.ts",
          "test/gcp-federation.test.ts",
          "test/gcp-units.test.ts",
          "test/gcp-pool-output.test.ts",
          "test/azure.test.ts",
          "test/azure-binding.test.ts",
          "test/azure-components.test.ts",
          // Config validation.
          "test/config-mutants.test.ts",
          "test/config.test.ts",
        ],
  },
});
