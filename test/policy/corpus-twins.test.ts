/**
 * The hardening corpus's own contract (corpus/hardening.ts): every bad case differs from its
 * good twin by exactly one setting, and the twin passes clean through the real pack under
 * prod.json, so the one setting is what the pack refuses. Also the levels a stack file
 * chooses: a read-only /var/log is only advisory, a missing drops ["ALL"] is advisory in dev.
 */
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Diagnostic, PolicyPackClient, ResourceRecord } from "../../gate";
import { POLICY_DIR, startPackCopy } from "../helpers/pack";
import { hardeningCases } from "./corpus/hardening";
import { withApi } from "./corpus/types";

let pack: PolicyPackClient;

beforeAll(async () => {
  pack = await startPackCopy();
}, 60_000);

afterAll(async () => {
  await pack?.stop();
});

async function analyzeCase(
  stack: readonly ResourceRecord[],
  outputs?: readonly ResourceRecord[],
): Promise<Diagnostic[]> {
  const ds: Diagnostic[] = [];
  for (const r of stack) ds.push(...(await pack.analyze(r)));
  ds.push(...(await pack.analyzeStack(outputs ?? stack)));
  return ds;
}

/** Top-level properties (and whole resources) that differ between two stacks. */
function settingsChanged(a: readonly ResourceRecord[], b: readonly ResourceRecord[]) {
  const out: string[] = [];
  const byUrn = new Map(a.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  for (const r of b) {
    seen.add(r.urn);
    const twin = byUrn.get(r.urn);
    if (!twin) {
      out.push(`+${r.name}`);
      continue;
    }
    const keys = new Set([...Object.keys(twin.properties), ...Object.keys(r.properties)]);
    for (const k of keys) {
      if (JSON.stringify(twin.properties[k]) !== JSON.stringify(r.properties[k])) {
        out.push(`${r.name}.${k}`);
      }
    }
  }
  for (const r of a) if (!seen.has(r.urn)) out.push(`-${r.name}`);
  return out;
}

const summary = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${d.policyName} [${d.enforcementLevel}]`).join("\n");

describe(`hardening bad cases (${hardeningCases.length}) each change one setting of a clean twin`, () => {
  it("has at least 30 cases", () => expect(hardeningCases.length).toBeGreaterThanOrEqual(30));
  for (const c of hardeningCases) {
    it(c.name, async () => {
      expect(settingsChanged(c.twin, c.stack)).toHaveLength(1);
      if (c.outputs) expect(settingsChanged(c.twinOutputs ?? c.twin, c.outputs)).toHaveLength(1);
      await pack.configureFile(path.join(POLICY_DIR, "config/prod.json"));
      const twin = await analyzeCase(c.twin, c.twinOutputs);
      expect(summary(twin), "the good twin must pass clean").toBe("");
    });
  }
});

describe("levels per stack", () => {
  const shipper = withApi((p) => {
    p.volumes = [{ hostPath: "/var/log", containerPath: "/host/log", readOnly: true }];
  });
  it("a read-only /var/log for a log shipper is advisory only, in prod too", async () => {
    await pack.configureFile(path.join(POLICY_DIR, "config/prod.json"));
    const ds = await analyzeCase(shipper);
    expect(ds.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["container-read-only-host-mounts", "advisory"],
    ]);
    expect(ds[0]!.message).toMatch(/\/var\/log read-only.*log shipper/s);
  });
  it('a missing drops ["ALL"] is advisory in dev and mandatory in prod', async () => {
    const noDrops = withApi((p) => {
      delete p.capabilities;
    });
    await pack.configureFile(path.join(POLICY_DIR, "config/dev.json"));
    const dev = (await analyzeCase(noDrops)).filter(
      (d) => d.policyName === "container-drops-all-capabilities",
    );
    expect(dev.map((d) => d.enforcementLevel)).toEqual(["advisory"]);
    await pack.configureFile(path.join(POLICY_DIR, "config/prod.json"));
    const prod = (await analyzeCase(noDrops)).filter(
      (d) => d.policyName === "container-drops-all-capabilities",
    );
    expect(prod.map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
  });
});
