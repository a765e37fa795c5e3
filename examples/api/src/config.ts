/**
 * The process's whole configuration, read from the environment once at start-up. Every
 * problem is collected so one line can name them all; no message quotes a value, because
 * REDIS_URL, REDIS_PASSWORD and SECRET_KEY are secrets and the others sit next to them.
 */
import { hostname } from "node:os";
import { METRICS_PORT } from "../../../components/lib/app-metrics";
import { parseRedisUrl } from "../../../components/lib/redis-url";
import { weakSecretReason } from "../../../components/lib/weak-secrets";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type Mode = "api" | "worker";

export interface Config {
  readonly mode: Mode;
  /** The connection the client uses, user and password included. Never logged. */
  readonly redisUrl: string;
  /** What may be logged about the connection. */
  readonly redis: {
    readonly host: string;
    readonly port: number;
    readonly tls: boolean;
    readonly username: string;
  };
  /** Every value that must never reach a log line or a response. */
  readonly secrets: readonly string[];
  readonly port: number;
  /** Interface to listen on. @default all interfaces, IPv4 and IPv6 */
  readonly host: string | undefined;
  readonly startupDelayMs: number;
  readonly shutdownGraceMs: number;
  readonly logLevel: LogLevel;
  /** Names this worker's processing list; a restarted container keeps its hostname. */
  readonly workerId: string;
  readonly heartbeatFile: string;
  /** Simulated work per job, so tests and demos can kill a worker mid-job. */
  readonly jobWorkMs: number;
  /**
   * How long a worker may stop renewing the lease on its job (frozen, cut off from Redis)
   * before any worker puts the job back on the queue. @default 60000
   */
  readonly jobLeaseMs: number;
  /**
   * How long a connect attempt to Redis may wait on its DNS lookup, its TCP connect and each
   * TLS handshake reply (an idle timer, not a deadline) before it is dropped and tried again. Raise it for a Redis further away than
   * a few hundred milliseconds of round trip. @default 300
   */
  readonly redisConnectTimeoutMs: number;
  /**
   * The port `GET /metrics` is served on, in both modes: never the API's own `port`, which the
   * edge proxy publishes. @default 9464 (METRICS_PORT)
   */
  readonly metricsPort: number;
}

/** SECRET_KEY's floor, the stack's own minimum for generated secrets. */
export const SECRET_KEY_MIN_LENGTH = 32;

export type ParseResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: readonly string[] };

type Env = Readonly<Record<string, string | undefined>>;

export function parseConfig(env: Env, argv: readonly string[] = []): ParseResult {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(raw);
  };

  const mode = parseMode(env.MODE, argv, problems);
  const redis = parseRedis(env, problems);

  const secretKey = env.SECRET_KEY;
  if (secretKey === undefined || secretKey === "") problems.push("SECRET_KEY is required");
  else {
    const weak = weakSecretReason(secretKey, SECRET_KEY_MIN_LENGTH);
    if (weak !== undefined) problems.push(`SECRET_KEY ${weak}`);
  }

  const port = int("PORT", 3003, 1, 65_535);
  const startupDelayMs = int("STARTUP_DELAY_MS", 0, 0, 600_000);
  const shutdownGraceMs = int("SHUTDOWN_GRACE_MS", 25_000, 0, 600_000);
  const jobWorkMs = int("JOB_WORK_MS", 0, 0, 60_000);
  // At least a second: the lease is renewed every third of it, each renewal a round trip.
  const jobLeaseMs = int("JOB_LEASE_MS", 60_000, 1_000, 3_600_000);
  const redisConnectTimeoutMs = int("REDIS_CONNECT_TIMEOUT_MS", 300, 50, 60_000);
  const metricsPort = int("METRICS_PORT", METRICS_PORT, 1, 65_535);

  // "warning" is how Python's logging and many stack files spell it (Pulumi.prod.yaml does).
  const logLevel = (env.LOG_LEVEL || "info").toLowerCase().replace(/^warning$/, "warn");
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);

  const workerId = env.WORKER_ID || hostname();
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(workerId))
    problems.push("WORKER_ID (default: the hostname) must be 1-128 characters of [A-Za-z0-9_.:-]");

  if (problems.length > 0 || redis === undefined || secretKey === undefined)
    return { ok: false, problems };
  return {
    ok: true,
    config: {
      mode,
      redisUrl: redis.url,
      redis: { host: redis.host, port: redis.port, tls: redis.tls, username: redis.username },
      secrets: [redis.url, redis.password, encodeURIComponent(redis.password), secretKey],
      port,
      host: env.HOST || undefined,
      startupDelayMs,
      shutdownGraceMs,
      logLevel: logLevel as LogLevel,
      workerId,
      heartbeatFile: env.HEARTBEAT_FILE || "/tmp/worker-heartbeat",
      jobWorkMs,
      jobLeaseMs,
      redisConnectTimeoutMs,
      metricsPort,
    },
  };
}

function parseMode(modeEnv: string | undefined, argv: readonly string[], problems: string[]): Mode {
  const [arg, ...rest] = argv;
  if (rest.length > 0 || (arg !== undefined && arg !== "worker" && arg !== "api")) {
    problems.push('the only argument accepted is "worker" (or "api")');
    return "api";
  }
  const mode = arg ?? (modeEnv || "api");
  if (mode !== "api" && mode !== "worker") {
    problems.push('MODE must be "api" or "worker"');
    return "api";
  }
  return mode;
}

interface RedisSettings {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly username: string;
  readonly password: string;
}

/**
 * REDIS_URL is the connection. The stack also sets REDIS_HOST, _PORT, _TLS, _USERNAME and
 * _PASSWORD (components/lib/env.ts, buildApiEnv); each one that is set must agree with the
 * URL, so a hand-edited variable cannot silently point half the app somewhere else.
 */
function parseRedis(env: Env, problems: string[]): RedisSettings | undefined {
  const url = env.REDIS_URL;
  if (url === undefined || url === "") {
    problems.push("REDIS_URL is required (redis://user:password@host:port or rediss://…)");
    return undefined;
  }
  let c: ReturnType<typeof parseRedisUrl>;
  try {
    // Its messages never quote the URL (components/lib/redis-url.ts).
    c = parseRedisUrl(url);
  } catch (e) {
    problems.push(`REDIS_URL is invalid: ${(e as Error).message}`);
    return undefined;
  }
  if (c.password === "") {
    problems.push("REDIS_URL has no password: the stack's Redis requires AUTH");
    return undefined;
  }
  const expect: Record<string, string> = {
    REDIS_HOST: c.host.toLowerCase(),
    REDIS_PORT: String(c.port),
    REDIS_TLS: String(c.tls),
    REDIS_USERNAME: c.username,
    REDIS_PASSWORD: c.password,
  };
  for (const [name, want] of Object.entries(expect)) {
    const got = env[name];
    if (got === undefined || got === "") continue;
    const norm = name === "REDIS_HOST" || name === "REDIS_TLS" ? got.toLowerCase() : got;
    if (name === "REDIS_TLS" && norm !== "true" && norm !== "false")
      problems.push('REDIS_TLS must be "true" or "false"');
    else if (norm.replace(/^\[(.*)\]$/, "$1") !== want)
      problems.push(`${name} does not match REDIS_URL`);
  }
  return { url, ...c };
}
