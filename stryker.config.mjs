// @ts-check
/**
 * `npm run mutation`: Stryker over the policy pack (rules and pure lib) and the config rules
 * (stacks/config/, less read.ts, which needs the Pulumi runtime), judged by the fast in-process
 * tests only (vitest.stryker.config.mts). Not part of CI; see docs/testing.md ("Mutation score")
 * for the scores and the survivors judged equivalent.
 *
 * Incremental: results are kept in reports/stryker-incremental.json (not committed, since it is
 * several MB and changes with every test edit), so a re-run on the same machine tests only the
 * mutants whose code or covering tests changed. `npm run mutation -- --force` ignores it.
 * While iterating on one file: `npm run mutation -- --mutate policy/lib/docker.ts`; the pack
 * alone: `npm run mutation -- --mutate policy/lib/*.ts,policy/rules/*.ts,policy/policies.ts`.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.mts" },
  plugins: ["@stryker-mutator/vitest-runner"],
  mutate: [
    "policy/**/*.ts",
    "!policy/index.ts",
    "stacks/config/**/*.ts",
    "!stacks/config/read.ts",
    "!stacks/config/index.ts",
  ],
  // Per-test coverage: each mutant runs only the tests that reach it.
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants: policy descriptions, lists built at import) each
  // need every test file re-imported; on 2 cores they were 13% of the mutants and an estimated
  // 74% of the run (hours). They are reported as "ignored", not counted in the score; see
  // docs/testing.md. `npm run mutation -- --ignoreStatic false` includes them.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  // 2 cores: one vitest worker per core measured fastest here (docs/testing.md).
  concurrency: 2,
  // The sandbox copies the repo; keep it to what the policy tests import.
  ignorePatterns: [
    ".tools",
    ".gate",
    ".git",
    "bin",
    "coverage",
    "reports",
    "docs",
    "examples",
    "test/docker",
    "test/real",
    "test/example-api",
    "*.md",
  ],
  cleanTempDir: "always",
};

export default config;
