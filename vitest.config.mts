import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each file gets its own module graph, so its own Pulumi runtime state and mocks.
    isolate: true,
    testTimeout: 20_000,
  },
});
