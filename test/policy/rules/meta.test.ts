import { describe, expect, it } from "vitest";
import { containerPolicies } from "../../../policy/rules/containers";
import { elasticachePolicies } from "../../../policy/rules/elasticache";
import { healthcheckPolicies } from "../../../policy/rules/healthchecks";
import { provenancePolicies } from "../../../policy/rules/provenance";
import { redisPolicies } from "../../../policy/rules/redis";
import { secretsPolicies } from "../../../policy/rules/secrets";

const all = [
  ...secretsPolicies,
  ...redisPolicies,
  ...healthcheckPolicies,
  ...containerPolicies,
  ...elasticachePolicies,
  ...provenancePolicies,
];

describe("policy metadata", () => {
  it.each(all.map((p) => [p.name, p] as const))(
    "%s: kebab-case, one sentence, explicit level",
    (name, p) => {
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(p.description).toMatch(/^[A-Z].*\.$/);
      expect(p.description.split(/\.\s/).length).toBe(1);
      expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
    },
  );
  it("names are unique and schemas carry defaults", () => {
    expect(new Set(all.map((p) => p.name)).size).toBe(all.length);
    for (const p of all) {
      for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
        expect("default" in s, `${p.name}.${k} has a default`).toBe(true);
      }
    }
  });
});
