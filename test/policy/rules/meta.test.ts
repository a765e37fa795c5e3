import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allPolicies } from "../../../policy/policies";

const RULES_DIR = join(__dirname, "../../../policy/rules");
const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith(".ts"))
  .sort();

const LIB_DIR = join(__dirname, "../../../policy/lib");
const libFiles = readdirSync(LIB_DIR)
  .filter((f) => f.endsWith(".ts"))
  .sort();

/** The module specifiers a source file imports, statically or with import(). */
function importsOf(path: string): string[] {
  const source = readFileSync(path, "utf8");
  return [...source.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g)].map(
    (m) => m[1] ?? m[2] ?? "",
  );
}

/** A policy constant as the pack sees it: a name, a level and a validate function. */
function isPolicy(v: unknown): v is { name: string } {
  if (v === null || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.name === "string" &&
    typeof o.description === "string" &&
    (typeof o.validateResource !== "undefined" || typeof o.validateStack !== "undefined")
  );
}

describe("policy metadata", () => {
  it.each(allPolicies.map((p) => [p.name, p] as const))(
    "%s: kebab-case, one sentence, explicit level",
    (name, p) => {
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(p.description).toMatch(/^[A-Z].*\.$/);
      expect(p.description.split(/\.\s/).length).toBe(1);
      expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
    },
  );
  it("names are unique and schemas carry defaults", () => {
    expect(new Set(allPolicies.map((p) => p.name)).size).toBe(allPolicies.length);
    for (const p of allPolicies) {
      for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
        expect("default" in s, `${p.name}.${k} has a default`).toBe(true);
      }
    }
  });
});

describe("the flat policy list", () => {
  it("finds the rule files", () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
  });

  it.each(ruleFiles)("rules/%s imports no other rule file", (file) => {
    const specifiers = importsOf(join(RULES_DIR, file));
    // A sibling ("./x") or a path back into rules/ ("../rules/x"): shared code belongs in lib/.
    const ruleImports = specifiers.filter((s) => s.startsWith("./") || /(^|\/)rules\//.test(s));
    expect(ruleImports, `${file} should import shared code from policy/lib`).toEqual([]);
  });

  // The program imports policy/lib (CONVENTIONS.md), so lib must not pull rules in with it.
  it.each(libFiles)("lib/%s imports nothing of the pack outside lib/ (no rule file)", (file) => {
    const outside = importsOf(join(LIB_DIR, file)).filter((s) => s.startsWith("../"));
    expect(outside).toEqual([]);
  });

  it.each(ruleFiles)(
    "every policy rules/%s exports is in allPolicies exactly once",
    async (file) => {
      const mod = (await import(join(RULES_DIR, file))) as Record<string, unknown>;
      const exported = Object.entries(mod).filter(([, v]) => isPolicy(v));
      for (const [name, policy] of exported) {
        const count = allPolicies.filter((p) => p === policy).length;
        expect(count, `${file} exports ${name}; allPolicies lists it ${count} times`).toBe(1);
      }
    },
  );

  it("every policy in allPolicies comes from a rule file, and none is an aggregate array", async () => {
    const exported = new Set<unknown>();
    for (const file of ruleFiles) {
      const mod = (await import(join(RULES_DIR, file))) as Record<string, unknown>;
      for (const v of Object.values(mod)) {
        expect(Array.isArray(v) && v.some(isPolicy), `${file} exports a policy array`).toBe(false);
        if (isPolicy(v)) exported.add(v);
      }
    }
    for (const p of allPolicies) {
      expect(exported.has(p), `${p.name} is exported by a file in policy/rules`).toBe(true);
    }
    expect(exported.size).toBe(allPolicies.length);
  });
});
