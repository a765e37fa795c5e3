/**
 * Docker (Go `time.ParseDuration`) durations: "90s", "1m30s", "500ms", "1.5h", "0".
 * Returns milliseconds, or undefined for anything Docker would reject.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== "string") {
    return undefined;
  }
  let s = text.trim();
  if (s === "0") {
    return 0;
  }
  if (s.startsWith("+")) {
    s = s.slice(1);
  }
  if (s === "" || s.startsWith("-")) {
    return undefined;
  }
  let total = 0;
  while (s.length > 0) {
    const m = PART.exec(s);
    if (!m) {
      return undefined;
    }
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    s = s.slice(m[0].length);
  }
  return total;
}

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
