import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The files share their worker's process: the Pulumi SDKs are imported once per worker, not
    // once per file, and evaluations are cached across files (test/support/setup.ts). Each
    // evaluation installs its own mocks, stack and config (offline/evaluate.ts), so no file relies
    // on what another left in Pulumi's process-wide runtime state.
    pool: "forks",
    isolate: false,
    // One worker per core (vitest's default leaves one core to itself, which here sits idle).
    maxWorkers: availableParallelism(),
    setupFiles: ["test/support/setup.ts"],
    testTimeout: 20_000,
    reporters: ["default", "./test/support/summary-reporter.mts"],
  },
});
