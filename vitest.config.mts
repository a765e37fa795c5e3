import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Says once which layers this machine skips (and fails under CI=true when one is missing).
    globalSetup: ["test/global-setup.ts"],
    // Each file gets its own process: Pulumi's runtime keeps global state (mocks, config).
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
