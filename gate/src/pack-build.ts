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

/**
 * Transpiles `packDir` into `outDir/<source hash>` unless that exists; returns that folder. Each
 * version of the sources gets its own folder, built aside and renamed into place, so gates and
 * test files running at once never delete or half-write a copy another one is starting.
 */
export function buildPackCopy(packDir: string, outDir: string): string {
  const files = sources(packDir);
  const extra = ["PulumiPolicy.yaml", "package.json"].map((f) => path.join(packDir, f));
  const hash = createHash("sha256");
  for (const f of [...files, ...extra]) hash.update(f).update(fs.readFileSync(f));
  const stamp = hash.digest("hex").slice(0, 16);
  const target = path.join(outDir, stamp);
  if (fs.existsSync(path.join(target, "package.json"))) return target;

  // Loaded here, not at the top: only a gate that must build a copy pays for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildSync } = require("esbuild") as typeof import("esbuild");
  const building = `${target}.${process.pid}.tmp`;
  fs.rmSync(building, { recursive: true, force: true });
  buildSync({
    entryPoints: files,
    outdir: building,
    outbase: packDir,
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "inline",
    logLevel: "error",
  });
  fs.copyFileSync(
    path.join(packDir, "PulumiPolicy.yaml"),
    path.join(building, "PulumiPolicy.yaml"),
  );
  const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  // package.json last: its presence marks a finished copy.
  fs.writeFileSync(
    path.join(building, "package.json"),
    JSON.stringify({ ...pkg, main: "index.js" }, null, 2),
  );
  try {
    fs.renameSync(building, target);
  } catch {
    fs.rmSync(building, { recursive: true, force: true }); // Another process finished first.
  }
  removeStale(outDir, stamp);
  return target;
}

/** Copies of older sources, left by earlier runs; an hour old, nothing is still starting them. */
function removeStale(outDir: string, keep: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const entry of fs.readdirSync(outDir)) {
    const p = path.join(outDir, entry);
    if (entry === keep || fs.statSync(p).mtimeMs > hourAgo) continue;
    fs.rmSync(p, { recursive: true, force: true });
  }
}
