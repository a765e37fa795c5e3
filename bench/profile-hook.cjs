// Preloaded into a policy pack's process (`node --require bench/profile-hook.cjs`) by
// `npm run bench:profile`: samples the CPU from start-up and writes the profile to
// $PROFILE_OUT when the pack is stopped with SIGTERM, as PolicyPackClient.stop() does
// (`--cpu-prof` writes only on a normal exit, which a stopped pack never makes).
"use strict";
const inspector = require("node:inspector");
const fs = require("node:fs");
const session = new inspector.Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval: 200 });
session.post("Profiler.start");
// SIGUSR2 drops what was sampled so far (start-up, compilation, warm-up) and starts again, so
// the profile holds the steady state the bench's per-resource figure measures.
process.on("SIGUSR2", () => {
  session.post("Profiler.stop", () => {
    session.post("Profiler.start", () => process.stderr.write("profile-hook: restarted\n"));
  });
});
process.on("SIGTERM", () => {
  session.post("Profiler.stop", (err, result) => {
    if (!err) fs.writeFileSync(process.env.PROFILE_OUT, JSON.stringify(result.profile));
    process.exit(0);
  });
});
