import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Each file gets its own process: Pulumi's runtime keeps global state (mocks, config).
    pool: "forks",
    // Vitest's default on 2 cores is one worker, which ran the layer-5 files one after another
    // (532 s of 595 s). They mostly wait on healthchecks and each owns its ports, loopback
    // address and resources, so two at a time is safe and nearly halves the wall time.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // The pack's and the config's pure tests keep no module state (the one that patches
          // @pulumi/policy's deserialize export restores it), so they share a module cache per
          // worker: re-importing the pack and zod per file was 37 of their 41 s (vitest's
          // "import" time; 18.6 s wall without it, issue 23).
          include: ["test/policy/**/*.test.ts", "test/pure/**/*.test.ts"],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "isolated",
          // Says once which layers this machine skips (and fails under CI=true when one is
          // missing); the layers' tests are all in this project.
          globalSetup: ["test/global-setup.ts"],
          include: ["test/**/*.test.ts"],
          exclude: ["test/policy/**", "test/pure/**"],
        },
      },
    ],
  },
});
