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

/** Renders milliseconds as a Docker duration: `"90s"`, `"500ms"`, `"1500ms"`. */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`invalid duration: ${ms} ms`);
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}
