#!/usr/bin/env node
// Runs scripts/<name>.ts with plain node, from a bundle esbuild rebuilds only when a
// source file changed. tsx's loader hooks roughly double the start-up of anything that
// loads Pulumi's SDK, which matters for the gate that runs on every pull request.
//   node scripts/run.cjs gate --stack prod
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

const root = path.resolve(__dirname, "..");
const name = process.argv[2];
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error("usage: node scripts/run.cjs <script> [args...]   (runs scripts/<script>.ts)");
  process.exit(2);
}
const entry = path.join(root, "scripts", `${name}.ts`);
const outDir = path.join(root, ".gate", "build");
const outFile = path.join(outDir, `${name}.js`);
const metaFile = path.join(outDir, `${name}.inputs.json`);

function digest(files) {
  const h = crypto.createHash("sha256");
  for (const f of files) h.update(f).update(fs.existsSync(f) ? fs.readFileSync(f) : "missing");
  return h.digest("hex");
}

function upToDate() {
  if (!fs.existsSync(outFile) || !fs.existsSync(metaFile)) return false;
  const { inputs, hash } = JSON.parse(fs.readFileSync(metaFile, "utf8"));
  return digest(inputs.map((f) => path.join(root, f))) === hash;
}

if (!upToDate()) {
  const result = require("esbuild").buildSync({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    metafile: true,
    logLevel: "error",
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  fs.writeFileSync(
    metaFile,
    JSON.stringify({ inputs, hash: digest(inputs.map((f) => path.join(root, f))) }),
  );
}

process.argv = [process.argv[0], outFile, ...process.argv.slice(3)];
require(outFile);
