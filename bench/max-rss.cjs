// Preloaded into `tsc` by `npm run bench` (bench/run.ts, tscOnce): prints the process's peak
// resident set size as it exits, from getrusage(2) through process.resourceUsage().maxRSS (KiB).
"use strict";
process.on("exit", () => {
  process.stderr.write(`max-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
