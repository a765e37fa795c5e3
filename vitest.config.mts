import { defineConfig } from "vitest/config";
import { dockerEngineLayer } from "./test/layers";

const DOCKER_READY = dockerEngineLayer().ready;

export default defineConfig({
  test: {
    // Forks, not threads: the tests spawn servers and change the working directory.
    pool: "forks",
    // Vitest's default on 2 cores is one worker. Layers 4 and 5 mostly wait (healthchecks,
    // snapshots, leases) and each file owns its ports, loopback address and temp dirs; four
    // workers let those waits overlap the CPU-bound files (layer 5 keeps two, below).
    maxWorkers: 4,
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
          name: "program",
          // The program's and the gate's tests share a module cache per worker too. Pulumi's
          // runtime keeps global state, but every run sets it afresh (runProgram installs its
          // monitor, options and config; runStack and the gate reset the modules first), which is
          // what bad-config.test.ts already does 242 times in one process. Importing the SDK, the
          // AWS provider and the program once per file was 12.9 s of vitest's import time, and
          // these files took 74 s of CPU, 47 s without it (issue 23). docs.test.ts mocks
          // @pulumi/policy, so it stays in a process of its own.
          include: ["test/stack/**/*.test.ts", "test/gate/**/*.test.ts"],
          exclude: ["test/stack/docs.test.ts"],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "binaries",
          // Layer 4 and the example API on real servers: they mostly wait (snapshots named by
          // the second, leases, outages, rewrite rates), each on its own ports and temp dirs.
          // Sorted first, so their waits overlap the CPU-bound projects instead of queueing
          // behind them (issue 23): vitest 4.1.12's BaseSequencer.sort orders files by project
          // name, then failed first, then slowest first (node_modules/vitest/dist/chunks/
          // coverage.*.js).
          globalSetup: ["test/global-setup.ts"],
          include: ["test/real/**/*.test.ts", "test/example-api/**/*.test.ts"],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "docker",
          globalSetup: ["test/global-setup.ts"],
          include: ["test/docker/**/*.test.ts"],
          // Each layer-5 file in its own process. Without the engine the files are only
          // imported to report their tests as skipped, and one process imports them all:
          // 12.5 s -> 3.2 s of CPU here (issue 23).
          isolate: DOCKER_READY,
          // Two at a time, as before, in a group of their own after the rest (a project with
          // other maxWorkers needs its own groupOrder).
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: "isolated",
          // docs.test.ts mocks @pulumi/policy.
          include: ["test/stack/docs.test.ts"],
        },
      },
    ],
  },
});
