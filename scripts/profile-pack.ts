/**
 * `npm run bench:profile [-- --containers N --top K --encode-in-loop]`: a CPU profile of the
 * policy pack and of the bench's client under the bench's load, summarised (bench/profile.ts).
 * A profile, not a benchmark: the profiler slows both, so read shares, not the ms/resource it
 * prints. `--encode-in-loop` marshals each request inside the timed loop, as the bench did
 * before issue 23.
 */
import { parseArgs } from "util";
import { profilePack } from "../bench/profile";

const { values } = parseArgs({
  options: {
    containers: { type: "string", default: "1000" },
    top: { type: "string", default: "25" },
    "encode-in-loop": { type: "boolean", default: false },
  },
});
profilePack("policy", Number(values.containers), Number(values.top), {
  encodeInLoop: values["encode-in-loop"],
}).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
