/**
 * JSON lines on stdout. Every line passes through `redact`, a second line of defence: no
 * call site is meant to pass a secret, but an error message from a library might.
 */
import type { LogLevel } from "./config";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  enabled(level: LogLevel): boolean;
}

export function createLogger(
  level: LogLevel,
  secrets: readonly string[],
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  // Each secret as written and as JSON escapes it; longest first, so a URL is replaced
  // whole before the password inside it.
  const hidden = [
    ...new Set(secrets.filter((s) => s !== "").flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])),
  ].sort((a, b) => b.length - a.length);
  const redact = (text: string): string =>
    hidden.reduce((t, s) => t.split(s).join("[redacted]"), text);
  const emit =
    (lvl: LogLevel) =>
    (msg: string, fields: Fields = {}): void => {
      if (RANK[lvl] < RANK[level]) return;
      const line = JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields });
      write(`${redact(line)}\n`);
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    enabled: (lvl) => RANK[lvl] >= RANK[level],
  };
}

/** An error's message, cut short: enough to diagnose, never a stack or a dump of options. */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
