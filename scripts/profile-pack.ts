/**
 * `npm run bench:profile [-- --containers N --top K]`: a CPU profile of the policy pack under
 * the bench's load, summarised (bench/profile.ts). A profile, not a benchmark: the profiler
 * slows the pack, so read shares, not the ms/resource it prints.
 */
import { parseArgs } from "util";
import { profilePack } from "../bench/profile";

const { values } = parseArgs({
  options: {
    containers: { type: "string", default: "1000" },
    top: { type: "string", default: "25" },
  },
});
profilePack("policy", Number(values.containers), Number(values.top)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
