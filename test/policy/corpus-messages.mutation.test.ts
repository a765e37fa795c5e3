/**
 * What the person reading `pulumi preview` sees for each bad corpus case: the full text of every
 * violation the case is about (the policy's description and its message: the resource, why, and
 * the fix), pinned. The corpus tests check that the right policy fires at the right level; this
 * file checks the words, so a message that loses its resource name, its number or its fix shows
 * up as a snapshot diff in review. `npx vitest run -u test/policy/corpus-messages.mutation.test.ts`
 * rewrites the snapshots after a deliberate change of wording.
 */
import { describe, expect, it } from "vitest";
import { analyzeCase } from "./corpus/analyze";
import { BAD_FAMILIES } from "./corpus/families";

describe("the words of every bad case's violations", () => {
  for (const [family, cases] of Object.entries(BAD_FAMILIES)) {
    describe(family, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const policies = new Set(c.expect.map((e) => e.policy));
          const found = await analyzeCase(c, policies);
          const text = found.map((f) => `${f.policy} [${f.level}]\n${f.message}`);
          expect(text.length).toBeGreaterThan(0);
          expect(text).toMatchSnapshot();
        });
      }
    });
  }
});
