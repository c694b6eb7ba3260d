// @ts-check
/**
 * Mutation testing (`npm run mutation`; docs/testing.md "Mutation testing"): StrykerJS plants
 * small bugs in the identity-critical modules, one at a time, and runs the tests that check them
 * (stryker.vitest.config.mjs); a mutant no test fails on survives. Not part of `npm test`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  // The command runner: one `vitest run` process per mutant (the mutant switched on through the
  // environment). Stryker's vitest runner runs vitest inside its own worker process, and there
  // the program's Kubernetes provider and objects are never registered (its dry run fails on
  // "expected one pulumi:providers:kubernetes, found 0", with vitest's CLI passing the same files).
  testRunner: "command",
  commandRunner: { command: "npx vitest run --config stryker.vitest.config.mjs" },
  mutate: [
    // Trust and permission documents, federation, bindings.
    "src/aws/policies.ts",
    "src/aws/role.ts",
    "src/aws/webIdentity.ts",
    "src/aws/binding.ts",
    "src/gcp/federation.ts",
    "src/gcp/binding.ts",
    "src/azure/federation.ts",
    "src/azure/binding.ts",
    // What pods carry.
    "src/core/identity.ts",
    "src/k8s/pod.ts",
    // Config validation.
    "src/config.ts",
  ],
  // The command runner measures no coverage: every mutant runs every selected test file.
  coverageAnalysis: "off",
  // Two cores, shared: one sandbox at a time.
  concurrency: 1,
  timeoutMS: 120000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  thresholds: { high: 95, low: 90, break: null },
};
