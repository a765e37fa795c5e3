// Bundles src/server.ts and every dependency into one CommonJS file, so the image needs
// no node_modules: `node examples/api/build.mjs [outfile]` (default examples/api/dist/server.js).
import { build } from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = process.argv[2] ? resolve(process.argv[2]) : join(here, "dist", "server.js");

await build({
  entryPoints: [join(here, "src", "server.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  legalComments: "none",
  logLevel: "warning",
});
