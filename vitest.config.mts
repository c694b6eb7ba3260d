import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each file runs in its own process: Pulumi's runtime state and mocks are per file.
    pool: "forks",
    isolate: true,
    testTimeout: 20_000,
    reporters: ["default", "./test/support/summary-reporter.mts"],
  },
});
