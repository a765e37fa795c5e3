/**
 * The test set `npm run mutation` (Stryker) runs: only the fast in-process tests of the pack and
 * of the config rules. The
 * protocol tests (corpus.test.ts, protocol.test.ts, corpus-twins.test.ts) start the pack in a
 * child process, which Stryker's per-test coverage cannot see, so the corpus counts through its
 * in-process twin (test/policy/corpus-inprocess.mutation.test.ts) instead. test/docker and
 * test/real never run here.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/policy/lib.test.ts",
      "test/policy/rules/**/*.test.ts",
      "test/policy/lib/**/*.test.ts",
      "test/policy/**/*.mutation.test.ts",
      // The config rules: parseStackConfig on stack-file values, no program run.
      "test/pure/config-*.test.ts",
      "test/pure/managed.test.ts",
      "test/pure/services.test.ts",
    ],
    testTimeout: 30_000,
    // One module cache for all test files: Stryker switches mutants at run time, so the pack's
    // modules need not be re-imported per file (the policy tests keep no module state).
    isolate: false,
    reporters: ["default"],
  },
});
