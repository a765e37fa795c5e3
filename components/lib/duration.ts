/**
 * Durations in config are human strings such as `"60s"`, `"2m"` or `"1m30s"`, the same
 * format Docker and the Docker provider accept (Go's `time.ParseDuration`, without
 * negative values). They are parsed once, into milliseconds, and rendered back to the
 * shortest Docker form when a resource needs them.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/** Parses `"90s"`, `"1m30s"`, `"500ms"` or `"2h"` into milliseconds; returns `undefined` for anything else. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(trimmed); m !== null; m = PART.exec(trimmed)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    consumed = PART.lastIndex;
  }
  if (consumed !== trimmed.length) return undefined;
  return Math.round(total);
}

/**
 * Renders milliseconds exactly as Go's `time.Duration.String()` does (golang/go
 * src/time/time.go, `Duration.String`: `"0s"`, `"500ms"`, `"1.5s"`, `"1m0s"`, `"2h0m0s"`).
 *
 * The Docker provider reads a container's healthcheck back with that function
 * (kreuzwerker/terraform-provider-docker resource_docker_container_funcs.go,
 * resourceDockerContainerRead: `Healthcheck.Interval.String()`), so an input written as
 * `"60s"` comes back as `"1m0s"` and every refresh shows a diff. Writing the Go form in the
 * first place makes inputs and state identical.
 */
export function goDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`invalid duration: ${ms} ms`);
  if (ms === 0) return "0s";
  if (ms < 1_000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const rest = ms % 60_000;
  const whole = Math.floor(rest / 1_000);
  const frac = rest % 1_000;
  // Go prints the fraction of a second without trailing zeros: 1.5s, 4m5.001s.
  const s =
    frac === 0 ? `${whole}s` : `${whole}.${String(frac).padStart(3, "0").replace(/0+$/, "")}s`;
  if (h > 0) return `${h}h${m}m${s}`;
  if (m > 0) return `${m}m${s}`;
  return s;
}
