/**
 * Durations in config are human strings such as `"60s"`, `"2m"` or `"1m30s"`, the same
 * format Docker and the Docker provider accept (Go's `time.ParseDuration`, without negative
 * values). They are parsed once, into whole milliseconds, and rendered back in Go's own form
 * when a resource needs them.
 *
 * The grammar lives once, in the policy pack's pure lib (CONVENTIONS.md "The shape of the
 * code": the program may import it), so config and pack agree on `"0"` (valid, as in Go) and
 * on `"300us"` (valid Go, 0.3 ms: config refuses it with {@link durationProblem}'s reason,
 * because it keeps whole milliseconds and Docker refuses healthcheck durations under 1ms).
 */
// A relative path, not the package name `api-stack-policy/lib/duration` (policy/package.json
// `exports`): tsc then compiles the pack's lib into bin/ with the program, which the compiled
// deploy (`npm run build`, main: bin/stacks/index.js) needs; both paths name one module.
import { goDuration, parseWholeMs } from "../../policy/lib/duration";

export { goDuration };

/** Whole milliseconds of `"90s"`, `"1m30s"`, `"500ms"`, `"0"` or `"2h"`; undefined otherwise. */
export function parseDuration(text: string): number | undefined {
  const r = parseWholeMs(text);
  return r.ok ? r.ms : undefined;
}

/**
 * Why `text` is not a config duration (no unit, unknown unit, negative, not a whole number of
 * milliseconds), naming a valid `example`; undefined when {@link parseDuration} accepts it.
 */
export function durationProblem(text: string, example = "30s"): string | undefined {
  const r = parseWholeMs(text, example);
  return r.ok ? undefined : r.problem;
}
