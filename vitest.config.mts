import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Says once which layers this machine skips (and fails under CI=true when one is missing).
    globalSetup: ["test/global-setup.ts"],
    // Each file gets its own process: Pulumi's runtime keeps global state (mocks, config).
    pool: "forks",
    // Vitest's default on 2 cores is one worker, which ran the layer-5 files one after another
    // (532 s of 595 s). They mostly wait on healthchecks and each owns its ports, loopback
    // address and resources, so two at a time is safe and nearly halves the wall time.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
