// @ts-check
/**
 * Mutation testing (`npm run mutation`; docs/testing.md "Mutation testing"): StrykerJS plants
 * small bugs in the identity-critical modules, one at a time, and runs the tests that check them
 * (stryker.vitest.config.mjs); a mutant no test fails on survives. Not part of `npm test`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  // Stryker's vitest runner: vitest runs inside Stryker's workers and switches mutants between
  // tests. Its default pool is "threads", in which the program's Kubernetes provider and objects
  // are never registered (the dry run fails on "expected one pulumi:providers:kubernetes, found
  // 0"); the project's own config (vitest.config.mts) runs forks, and so does this.
  testRunner: "vitest",
  vitest: { configFile: "stryker.vitest.config.mjs", related: false, pool: "forks" },
  mutate: [
    // What decides trust and permission: the documents, federation, bindings.
    "src/aws/policies.ts",
    "src/aws/webIdentity.ts",
    "src/aws/role.ts",
    "src/aws/binding.ts",
    "src/gcp/federation.ts",
    "src/gcp/binding.ts",
    "src/azure/federation.ts",
    "src/azure/binding.ts",
    // Who the workload is, and what it may read and write.
    "src/core/identity.ts",
    "src/core/workloads.ts",
    // What pods carry.
    "src/k8s/pod.ts",
    // What the stack may ask for: config validation, each cloud's settings, and the limits the
    // clouds would enforce later, checked at preview.
    "src/config.ts",
    "src/aws/settings.ts",
    "src/gcp/settings.ts",
    "src/azure/settings.ts",
    "src/aws/limits.ts",
    "src/gcp/limits.ts",
    "src/azure/limits.ts",
  ],
  // Stryker learns which tests cover each mutant; the evaluations happen in `beforeAll`, so a
  // covered mutant runs every test of the selected files (stryker.vitest.config.mjs).
  coverageAnalysis: "perTest",
  // Two cores.
  concurrency: 2,
  timeoutMS: 120000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: null },
};
