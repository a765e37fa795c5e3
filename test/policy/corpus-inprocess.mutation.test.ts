/**
 * The postmortem corpus in process: the same cases corpus.test.ts sends over gRPC, judged by
 * calling every policy in `allPolicies` directly. corpus.test.ts runs the pack in a child process,
 * which Stryker's per-test coverage cannot see; this twin is what makes the corpus count in
 * `npm run mutation` (vitest.stryker.config.mts), and it runs in the normal suite too.
 * How the policies are called, as the policy server and the CLI would: corpus/analyze.ts.
 */
import { describe, expect, it } from "vitest";
import { analyzeCase, summary } from "./corpus/analyze";
import { BAD_FAMILIES } from "./corpus/families";
import { hardeningCases } from "./corpus/hardening";
import { goodCases } from "./corpus/good";

const families = BAD_FAMILIES;

const badCount = Object.values(families).reduce((n, f) => n + f.length, 0);

describe(`in process: bad deployments (${badCount}) are refused under prod.json`, () => {
  it("has at least 30 cases", () => expect(badCount).toBeGreaterThanOrEqual(30));
  for (const [family, cases] of Object.entries(families)) {
    describe(`${family} (${cases.length})`, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const found = await analyzeCase(c, new Set(c.expect.map((e) => e.policy)));
          for (const e of c.expect) {
            const hits = found.filter((f) => f.policy === e.policy && f.level === "mandatory");
            expect(
              hits.length,
              `no mandatory ${e.policy}; got:\n${summary(found)}`,
            ).toBeGreaterThan(0);
            if (e.message) expect(hits.map((h) => h.message).join("\n")).toMatch(e.message);
          }
        });
      }
    });
  }
});

describe(`in process: good deployments (${goodCases.length}) pass clean under prod.json`, () => {
  it("has at least 10 cases", () => expect(goodCases.length).toBeGreaterThanOrEqual(10));
  for (const c of goodCases) {
    it(c.name, async () => {
      expect(summary(await analyzeCase(c)), "expected no violations at all").toBe("");
    });
  }
});

// Most hardening cases share one twin (the good Docker stack); each distinct twin runs once.
const twins = [
  ...new Map(
    hardeningCases.map((c) => [JSON.stringify([c.twin, c.twinOutputs]), c] as const),
  ).values(),
];

describe(`in process: the hardening cases' distinct good twins (${twins.length}) pass clean`, () => {
  for (const c of twins) {
    it(`the twin of ${c.name}`, async () => {
      const found = await analyzeCase({ stack: c.twin, outputs: c.twinOutputs });
      expect(summary(found), "the good twin must pass clean").toBe("");
    });
  }
});
