/**
 * Durations, written once for the program (config) and the pack: Go's `time.ParseDuration`
 * grammar, which is what Docker and the Docker provider parse healthcheck and stop durations
 * with, so a string is valid here exactly when it is valid there.
 *
 * {@link parseGoDuration} is a line-by-line port of golang/go src/time/format.go
 * `ParseDuration` (with `leadingInt` and `leadingFraction`), in BigInt nanoseconds so that its
 * overflow checks at 1<<63 behave as Go's uint64 arithmetic does. Go's own table
 * (`parseDurationTests`, src/time/time_test.go) runs against it in
 * test/policy/lib/duration.test.ts. No npm package implements this grammar exactly (units
 * `ns`…`h`, both micro signs, `"0"` without a unit, fractions, int64 overflow), so we keep ours.
 *
 * What each side does with a parsed value:
 * - the pack ({@link parseDuration}) judges what Docker will get: any non-negative duration, in
 *   (possibly fractional) milliseconds, e.g. `"300us"` = 0.3;
 * - config ({@link parseWholeMs}) holds milliseconds as integers and writes them back with
 *   {@link goDuration}, so it refuses a value that is not a whole number of milliseconds and
 *   says so: Docker itself refuses any healthcheck duration between 0 and 1ms (moby
 *   daemon/container.go `validateHealthCheck`: "Interval in Healthcheck cannot be less than
 *   1ms", `container.MinimumDuration`), and a rounded value would not be what was written.
 */

const NS = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek small letter mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
} as const satisfies Record<string, bigint>;

const TWO63 = 1n << 63n;
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

export type GoDuration =
  { readonly ok: true; readonly ns: bigint } | { readonly ok: false; readonly error: string };

/** Go's `time.ParseDuration`: nanoseconds (negative allowed, as in Go), or Go's error text. */
export function parseGoDuration(orig: string): GoDuration {
  const fail = (message: string): GoDuration => ({
    ok: false,
    error: `time: ${message} ${JSON.stringify(orig)}`,
  });
  let s = orig;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return { ok: true, ns: 0n }; // The one unitless value Go accepts.
  if (s === "") return fail("invalid duration");
  let d = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) return fail("invalid duration");
    // leadingInt: [0-9]*, an error past 1<<63.
    let i = 0;
    let v = 0n;
    for (; isDigit(s[i]); i++) {
      if (v > TWO63 / 10n) return fail("invalid duration");
      v = v * 10n + BigInt(Number(s[i]));
      if (v > TWO63) return fail("invalid duration");
    }
    const pre = i > 0;
    s = s.slice(i);
    // leadingFraction: (\.[0-9]*)?, which stops gaining precision instead of failing.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (TWO63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(Number(s[j]));
        if (y > TWO63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return fail("invalid duration"); // No digits, e.g. ".s".
    let u = 0;
    while (u < s.length && !(s[u] === "." || isDigit(s[u]))) u++;
    if (u === 0) return fail("missing unit in duration");
    const unitText = s.slice(0, u);
    s = s.slice(u);
    const unit = (NS as Record<string, bigint>)[unitText];
    if (unit === undefined) return fail(`unknown unit ${JSON.stringify(unitText)} in duration`);
    if (v > TWO63 / unit) return fail("invalid duration");
    v *= unit;
    if (f > 0n) {
      // Go: v += uint64(float64(f) * (float64(unit) / scale)), float64 as JS numbers are.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO63) return fail("invalid duration");
    }
    d += v;
    if (d > TWO63) return fail("invalid duration");
  }
  if (neg) return { ok: true, ns: -d };
  if (d > TWO63 - 1n) return fail("invalid duration");
  return { ok: true, ns: d };
}

/** Nanoseconds as milliseconds (exact for every whole number of milliseconds). */
function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}

/**
 * The pack's reading: milliseconds (fractional below 1ms) of a non-negative Go duration, or
 * undefined for anything Docker would refuse to parse. Surrounding spaces are ignored, as both
 * copies of this parser always did.
 */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const r = parseGoDuration(text.trim());
  return r.ok && r.ns >= 0n ? nsToMs(r.ns) : undefined;
}

export type WholeMs =
  { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly problem: string };

/** Units a message can suggest; all of Go's are accepted. */
const UNITS_HINT = "a number with a unit (ms, s, m, h), e.g. ";

/**
 * Config's reading: a non-negative whole number of milliseconds, or the one reason it is not,
 * written for the person editing the stack file (`example` is a valid value to suggest).
 */
export function parseWholeMs(text: string, example = "30s"): WholeMs {
  const t = text.trim();
  const r = parseGoDuration(t);
  if (!r.ok) {
    const unit = /unknown unit "([^"]*)"/.exec(r.error)?.[1];
    const why =
      unit !== undefined
        ? ` (unknown unit "${unit}")`
        : r.error.startsWith("time: missing unit")
          ? " (no unit)"
          : "";
    return {
      ok: false,
      problem: `"${text}" is not a duration${why}: write ${UNITS_HINT}"${example}"`,
    };
  }
  if (r.ns < 0n) {
    return {
      ok: false,
      problem: `"${text}" is negative: durations here are 0 or more, e.g. "${example}"`,
    };
  }
  if (r.ns % 1_000_000n !== 0n) {
    return {
      ok: false,
      problem:
        `"${text}" is ${nsToMs(r.ns)} ms, not a whole number of milliseconds: config keeps ` +
        `durations in whole ms, and Docker refuses healthcheck durations under 1ms; write e.g. "${example}"`,
    };
  }
  // Exact: Go's longest duration is about 9.2e12 ms, far below 2^53.
  return { ok: true, ms: nsToMs(r.ns) };
}

/** Short human form for messages: "4m30s", "500ms", "1h", "0.3ms", "0s". */
export function formatMs(ms: number): string {
  if (ms === 0) {
    return "0s";
  }
  if (ms < 1000 || ms % 1000 !== 0) {
    return `${ms}ms`;
  }
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
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
