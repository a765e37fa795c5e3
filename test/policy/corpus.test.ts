/**
 * Postmortem corpus through the real protocol: one policy pack process started by run-policy-pack
 * as the CLI starts it (on the gate's transpiled copy; protocol.test.ts starts the TypeScript pack),
 * configured with policy/config/prod.json, every resource sent with Analyze and the stack with
 * AnalyzeStack. Bad deployments must be refused at MANDATORY level; good ones must be clean.
 */
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Diagnostic, PolicyPackClient, ResourceRecord } from "../../gate";
import { POLICY_DIR, startPackCopy } from "../helpers/pack";
import { BAD_FAMILIES } from "./corpus/families";
import { goodCases } from "./corpus/good";

const families = BAD_FAMILIES;
const badCount = Object.values(families).reduce((n, f) => n + f.length, 0);
const tally = { blocked: 0, clean: 0 };

let pack: PolicyPackClient;

beforeAll(async () => {
  pack = await startPackCopy();
  await pack.configureFile(path.join(POLICY_DIR, "config/prod.json"));
}, 60_000);

afterAll(async () => {
  await pack?.stop();
  console.log(
    `policy corpus: ${tally.blocked}/${badCount} bad deployments blocked at mandatory level, ` +
      `${tally.clean}/${goodCases.length} good deployments clean (prod.json)`,
  );
});

/** Analyze on every resource's inputs, then AnalyzeStack on the outputs, like a preview. */
async function analyzeCase(c: {
  stack: readonly ResourceRecord[];
  outputs?: readonly ResourceRecord[];
}): Promise<Diagnostic[]> {
  const ds: Diagnostic[] = [];
  for (const r of c.stack) {
    ds.push(...(await pack.analyze(r)));
  }
  ds.push(...(await pack.analyzeStack(c.outputs ?? c.stack)));
  return ds;
}

function summary(ds: readonly Diagnostic[]): string {
  return ds
    .map((d) => `${d.policyName} [${d.enforcementLevel}] ${d.message.split("\n")[1] ?? ""}`)
    .join("\n");
}

function noSilentDowngrade(ds: readonly Diagnostic[]): void {
  // The SDK turns a rule that hit an unknown through its proxy into an advisory "can't run".
  expect(ds.filter((d) => /can't run policy/.test(d.message)).map((d) => d.policyName)).toEqual([]);
}

describe(`bad deployments (${badCount}) are refused under prod.json`, () => {
  it("has at least 30 cases", () => {
    expect(badCount).toBeGreaterThanOrEqual(30);
  });
  for (const [family, cases] of Object.entries(families)) {
    describe(`${family} (${cases.length})`, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const ds = await analyzeCase(c);
          noSilentDowngrade(ds);
          for (const e of c.expect) {
            const hits = ds.filter(
              (d) => d.policyName === e.policy && d.enforcementLevel === "mandatory",
            );
            expect(
              hits.length,
              `no mandatory ${e.policy} violation; got:\n${summary(ds)}`,
            ).toBeGreaterThan(0);
            if (e.message) {
              expect(hits.map((h) => h.message).join("\n")).toMatch(e.message);
            }
          }
          tally.blocked++;
        });
      }
    });
  }
});

describe(`good deployments (${goodCases.length}) pass clean under prod.json`, () => {
  it("has at least 10 cases", () => {
    expect(goodCases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of goodCases) {
    it(c.name, async () => {
      const ds = await analyzeCase(c);
      expect(summary(ds), "expected no diagnostics at all").toBe("");
      tally.clean++;
    });
  }
});
