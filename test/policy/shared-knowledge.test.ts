/**
 * One copy of each fact the program and the pack share (issue 12, item 6): the pack's pure lib
 * holds it, the policy package exports it (policy/package.json `exports`), the program's
 * modules are thin names over it, and the pack never imports the program.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import * as programDuration from "../../components/lib/duration";
import * as programImage from "../../components/lib/image-ref";
import * as programSecrets from "../../components/lib/weak-secrets";
import * as packDuration from "../../policy/lib/duration";
import * as packImage from "../../policy/lib/image";
import * as packSecrets from "../../policy/lib/secrets";
import { UNKNOWN_SENTINELS } from "../../policy/lib/unknown";

const ROOT = join(__dirname, "../..");
const SKIP = new Set(["node_modules", "bin", "dist", "coverage", "reports"]);

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (/\.(ts|mts|cts)$/.test(name)) out.push(p);
  }
  return out;
}

// Not test/: fixtures may spell a sentinel out on purpose.
const SOURCE_DIRS = ["components", "stacks", "policy", "gate", "scripts", "examples"];
const sources = SOURCE_DIRS.flatMap((d) => tsFiles(join(ROOT, d))).map((p) => relative(ROOT, p));

describe("one copy of each fact", () => {
  it("finds the source folders it scans", () => {
    expect(sources).toContain("policy/lib/unknown.ts");
    expect(sources).toContain("components/lib/duration.ts");
  });

  it("the engine's unknown sentinels are written only in policy/lib/unknown.ts", () => {
    const copies = sources.filter((file) => {
      const text = readFileSync(join(ROOT, file), "utf8");
      return Object.values(UNKNOWN_SENTINELS).some((s) => text.includes(s));
    });
    expect(copies).toEqual(["policy/lib/unknown.ts"]);
  });

  it("the program's duration and image names are the pack's functions", () => {
    expect(programDuration.goDuration).toBe(packDuration.goDuration);
    expect(programImage.checkImageReference).toBe(packImage.checkImageReference);
    expect(programImage.splitImageReference).toBe(packImage.splitImageReference);
    expect(programSecrets.weakSecretReason).toBe(packSecrets.quietWeakSecretReason);
  });

  it("program and pack agree on the strings the two copies used to disagree on", () => {
    expect([programDuration.parseDuration("0"), packDuration.parseDuration("0")]).toEqual([0, 0]);
    // Valid Go (0.3 ms): the pack reads it; config refuses it, saying why.
    expect(packDuration.parseDuration("300us")).toBe(0.3);
    expect(programDuration.parseDuration("300us")).toBeUndefined();
    expect(programDuration.durationProblem("300us")).toMatch(/not a whole number of milliseconds/);
  });
});

describe("the policy package exports its pure lib", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "policy/package.json"), "utf8")) as {
    main: string;
    exports: Record<string, string>;
  };

  it("maps the package root to the pack and lib/* to the lib's TypeScript files", () => {
    expect(pkg.exports["."]).toBe(`./${pkg.main}`);
    expect(pkg.exports["./lib/*"]).toBe("./lib/*.ts");
  });

  it("resolves api-stack-policy/lib/<name> to the one copy in policy/lib", () => {
    for (const name of ["duration", "image", "image-reference", "unknown", "secrets", "network"]) {
      expect(require.resolve(`api-stack-policy/lib/${name}`)).toBe(
        join(ROOT, "policy/lib", `${name}.ts`),
      );
    }
    expect(require.resolve("api-stack-policy")).toBe(join(ROOT, "policy/index.ts"));
  });

  it("serves the same module by package name as by path", async () => {
    const byName = (await import("api-stack-policy/lib/duration")) as typeof packDuration;
    expect(byName.parseGoDuration("1h2m")).toEqual({ ok: true, ns: 3_720_000_000_000n });
    expect(byName.parseWholeMs).toBe(packDuration.parseWholeMs);
  });

  it("the pack imports nothing of the program", () => {
    const program = ["components", "stacks", "gate", "scripts", "examples"];
    const offending = sources
      .filter((f) => f.startsWith("policy/"))
      .flatMap((file) => {
        const text = readFileSync(join(ROOT, file), "utf8");
        const specs = [
          ...text.matchAll(
            /\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']|\brequire\(\s*["']([^"']+)["']/g,
          ),
        ]
          .map((m) => m[1] ?? m[2] ?? m[3] ?? "")
          .filter((s) => s.startsWith("."));
        return specs
          .map((s) => relative(ROOT, join(ROOT, dirname(file), s)))
          .filter((target) => program.some((d) => target === d || target.startsWith(`${d}/`)))
          .map((target) => `${file} → ${target}`);
      });
    expect(offending).toEqual([]);
  });
});
