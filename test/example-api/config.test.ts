/**
 * The example API's start-up checks, as pure functions: the environment the stack generates
 * passes, each way it can be wrong is named, and no message or log line carries a secret.
 */
import { describe, expect, test } from "vitest";
import { METRICS_PORT } from "../../components/lib/app-metrics";
import { parseConfig, type ParseResult } from "../../examples/api/src/config";
import { createLogger } from "../../examples/api/src/log";
import { clientOptions } from "../../examples/api/src/redis";
import { apiEnv } from "./harness";

const PASSWORD = "0123456789abcdefPASSWORD";
const SECRET_KEY = "k3y-0123456789abcdefghijklmnopqrstuv";
const stackEnv = (extra: Record<string, string> = {}) =>
  apiEnv({ port: 6390, password: PASSWORD }, extra, SECRET_KEY);

function problems(r: ParseResult): readonly string[] {
  if (r.ok) throw new Error("expected the config to be rejected");
  for (const p of r.problems) {
    expect(p).not.toContain(PASSWORD);
    expect(p).not.toContain(SECRET_KEY);
  }
  return r.problems;
}

describe("parseConfig", () => {
  test("accepts the environment buildApiEnv generates, with the documented defaults", () => {
    // The harness gives each process a METRICS_PORT of its own; unset, it is the default.
    const r = parseConfig({ ...stackEnv({ HOST: "" }), METRICS_PORT: undefined });
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.config).toMatchObject({
      mode: "api",
      redis: { host: "127.0.0.1", port: 6390, tls: false, username: "default" },
      port: 3003,
      host: undefined,
      startupDelayMs: 0,
      shutdownGraceMs: 25_000,
      logLevel: "info",
      heartbeatFile: "/tmp/worker-heartbeat",
      jobLeaseMs: 60_000,
      metricsPort: METRICS_PORT,
    });
    expect(r.config.secrets).toEqual(expect.arrayContaining([PASSWORD, SECRET_KEY]));
  });

  test("worker mode from the argument or from MODE", () => {
    const byArg = parseConfig(stackEnv(), ["worker"]);
    const byEnv = parseConfig(stackEnv({ MODE: "worker", WORKER_ID: "w-1" }));
    expect(byArg.ok && byArg.config.mode).toBe("worker");
    expect(byEnv.ok && byEnv.config.mode).toBe("worker");
    expect(byEnv.ok && byEnv.config.workerId).toBe("w-1");
    expect(problems(parseConfig(stackEnv(), ["wroker"]))).toEqual([
      'the only argument accepted is "worker" (or "api")',
    ]);
    expect(problems(parseConfig(stackEnv({ MODE: "cron" })))).toEqual([
      'MODE must be "api" or "worker"',
    ]);
  });

  test.each([
    [{ REDIS_URL: "" }, "REDIS_URL is required"],
    [{ REDIS_URL: `http://default:${PASSWORD}@127.0.0.1:6390` }, 'scheme "http"'],
    [{ REDIS_URL: `redis://default:${PASSWORD}@127.0.0.1` }, "must name a host and a port"],
    [{ REDIS_URL: `not a url ${PASSWORD}` }, "not a valid URL"],
    [{ REDIS_URL: "redis://127.0.0.1:6390" }, "REDIS_URL has no password"],
    [{ REDIS_PORT: "6391" }, "REDIS_PORT does not match REDIS_URL"],
    [{ REDIS_HOST: "redis" }, "REDIS_HOST does not match REDIS_URL"],
    [{ REDIS_TLS: "true" }, "REDIS_TLS does not match REDIS_URL"],
    [{ REDIS_TLS: "yes" }, 'REDIS_TLS must be "true" or "false"'],
    [{ REDIS_USERNAME: "app" }, "REDIS_USERNAME does not match REDIS_URL"],
    [{ REDIS_PASSWORD: `${PASSWORD}x` }, "REDIS_PASSWORD does not match REDIS_URL"],
    [{ SECRET_KEY: "" }, "SECRET_KEY is required"],
    [{ SECRET_KEY: "short-but-secret" }, "SECRET_KEY is shorter than 32 characters"],
    [{ SECRET_KEY: "changeme" }, "SECRET_KEY is a known default or placeholder"],
    [{ PORT: "70000" }, "PORT must be a whole number from 1 to 65535"],
    [{ PORT: "3003abc" }, "PORT must be a whole number"],
    [{ STARTUP_DELAY_MS: "-1" }, "STARTUP_DELAY_MS must be a whole number"],
    [{ SHUTDOWN_GRACE_MS: "25s" }, "SHUTDOWN_GRACE_MS must be a whole number"],
    [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL must be one of debug, info, warn, error"],
    [{ WORKER_ID: "a b" }, "WORKER_ID"],
    [{ JOB_LEASE_MS: "60s" }, "JOB_LEASE_MS must be a whole number from 1000 to 3600000"],
    [{ JOB_LEASE_MS: "999" }, "JOB_LEASE_MS must be a whole number from 1000 to 3600000"],
    [{ JOB_LEASE_MS: "3600001" }, "JOB_LEASE_MS must be a whole number from 1000 to 3600000"],
    [
      { REDIS_CONNECT_TIMEOUT_MS: "49" },
      "REDIS_CONNECT_TIMEOUT_MS must be a whole number from 50 to 60000",
    ],
    [
      { REDIS_CONNECT_TIMEOUT_MS: "1s" },
      "REDIS_CONNECT_TIMEOUT_MS must be a whole number from 50 to 60000",
    ],
    [{ METRICS_PORT: "0" }, "METRICS_PORT must be a whole number from 1 to 65535"],
    [{ METRICS_PORT: "9464x" }, "METRICS_PORT must be a whole number from 1 to 65535"],
  ])("rejects %o", (override, message) => {
    const env = { ...stackEnv(), ...override };
    expect(problems(parseConfig(env)).join("; ")).toContain(message);
  });

  // Pulumi.prod.yaml sets LOG_LEVEL: warning; the first prod up on the real engine
  // crash-looped on "LOG_LEVEL must be one of …" until this was accepted.
  test.each([
    ["warning", "warn"],
    ["WARN", "warn"],
  ])("accepts LOG_LEVEL %s as %s", (given, level) => {
    const r = parseConfig({ ...stackEnv(), LOG_LEVEL: given });
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.config.logLevel).toBe(level);
  });

  test("a connect attempt waits 300 ms per handshake reply by default, REDIS_CONNECT_TIMEOUT_MS otherwise", () => {
    for (const [env, ms] of [
      [{}, 300],
      [{ REDIS_CONNECT_TIMEOUT_MS: "2000" }, 2000],
    ] as const) {
      const r = parseConfig({ ...stackEnv(), ...env });
      if (!r.ok) throw new Error(r.problems.join("; "));
      expect(clientOptions(r.config).socket.connectTimeout).toBe(ms);
    }
  });

  test("METRICS_PORT sets the worker's metrics port", () => {
    const r = parseConfig({ ...stackEnv(), METRICS_PORT: "9100" }, ["worker"]);
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.config.metricsPort).toBe(9100);
  });

  test("lists every problem at once", () => {
    const env = { ...stackEnv(), REDIS_URL: undefined, SECRET_KEY: "x", PORT: "0" };
    expect(problems(parseConfig(env))).toHaveLength(3);
  });

  test("the variables besides REDIS_URL are optional; set ones are normalised before comparing", () => {
    const url = `rediss://app:${PASSWORD}@[::1]:6390`;
    const r = parseConfig({ REDIS_URL: url, SECRET_KEY, REDIS_HOST: "[::1]", REDIS_TLS: "TRUE" });
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.config.redis).toEqual({ host: "::1", port: 6390, tls: true, username: "app" });
  });
});

describe("the logger", () => {
  test("redacts every secret, as written and as JSON escapes it, the URL before its password", () => {
    const lines: string[] = [];
    const pw = 'pa"ss\\word-1234567890';
    const url = `redis://default:${encodeURIComponent(pw)}@h:1`;
    const log = createLogger("debug", [url, pw, encodeURIComponent(pw), SECRET_KEY], (l) =>
      lines.push(l),
    );
    log.warn("redis error", { error: `failed for ${url} with ${pw}`, key: SECRET_KEY });
    const [line] = lines;
    expect(line).toBeDefined();
    for (const s of [pw, JSON.stringify(pw).slice(1, -1), url, SECRET_KEY]) {
      expect(line).not.toContain(s);
    }
    expect(JSON.parse(line as string)).toMatchObject({
      level: "warn",
      msg: "redis error",
      error: "failed for [redacted] with [redacted]",
      key: "[redacted]",
    });
  });

  test("drops lines below its level", () => {
    const lines: string[] = [];
    const log = createLogger("warn", [], (l) => lines.push(l));
    log.debug("a");
    log.info("b");
    log.error("c");
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(["c"]);
  });
});
