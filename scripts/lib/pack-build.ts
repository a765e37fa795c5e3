/**
 * A JavaScript copy of the policy pack for the offline gate.
 *
 * `pulumi preview --policy-pack policy` starts the TypeScript pack through
 * run-policy-pack, which type-checks every file with ts-node on each start (about 2.4 s
 * here). The gate runs on every pull request, and `npm run typecheck` already
 * type-checks the pack, so the gate starts the same run-policy-pack on a transpiled copy
 * instead (about 0.8 s). The copy is rebuilt only when a source file changes. The
 * protocol tests still start the TypeScript pack exactly as the CLI does.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(p));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(p);
  }
  return out.sort();
}

/** Transpiles `packDir` into `outDir` unless it is up to date; returns `outDir`. */
export function buildPackCopy(packDir: string, outDir: string): string {
  const files = sources(packDir);
  const extra = ["PulumiPolicy.yaml", "package.json"].map((f) => path.join(packDir, f));
  const hash = createHash("sha256");
  for (const f of [...files, ...extra]) hash.update(f).update(fs.readFileSync(f));
  const stamp = hash.digest("hex");
  const stampFile = path.join(outDir, ".source-hash");
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) return outDir;

  fs.rmSync(outDir, { recursive: true, force: true });
  buildSync({
    entryPoints: files,
    outdir: outDir,
    outbase: packDir,
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "inline",
    logLevel: "error",
  });
  const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  fs.writeFileSync(
    path.join(outDir, "package.json"),
    JSON.stringify({ ...pkg, main: "index.js" }, null, 2),
  );
  fs.copyFileSync(path.join(packDir, "PulumiPolicy.yaml"), path.join(outDir, "PulumiPolicy.yaml"));
  fs.writeFileSync(stampFile, stamp);
  return outDir;
}
