/**
 * The checks behind `npm run verify`: is the deployed stack actually working, judged
 * from outside, over the same URLs the stack exports. The postmortems' `make verify`
 * trusted `docker ps` saying "healthy"; this talks to the API and to Redis itself.
 */
import { createClient } from "redis";
import { urlPassword } from "./outputs";
import { maskSecrets } from "./mask";
import {
  healthUrl,
  type CheckResult,
  type VerifyOptions,
  type VerifyReport,
  type VerifyTarget,
} from "./target";

/** Runs every check against the target: API health, Redis PING with auth and TLS, persistence. */
export async function runChecks(opts: VerifyOptions): Promise<VerifyReport> {
  const t = opts.target;
  const secrets = [
    ...(opts.secrets ?? []),
    ...[t.redisUrl, t.redisAdminUrl, t.apiUrl].map((u) =>
      u === undefined ? undefined : urlPassword(u),
    ),
  ].filter((s): s is string => s !== undefined);
  const mask = (s: string) => maskSecrets(s, secrets);
  const progress = (line: string) => opts.onProgress?.(mask(line));

  // The API may take its whole start period; Redis is checked meanwhile.
  const [api, redis] = await Promise.all([
    checkApi(t, opts, progress),
    (async () => [await checkRedisPing(t, opts), await checkPersistence(t, opts)])(),
  ]);
  const checks = [api, ...redis].map((c) => ({ ...c, detail: mask(c.detail) }));
  return {
    ok: checks.every((c) => c.status !== "fail"),
    target: {
      healthUrl: t.apiUrl === undefined ? undefined : mask(healthUrl(t.apiUrl, t.healthPath)),
      redisUrl: t.redisUrl === undefined ? undefined : mask(t.redisUrl),
      redisMode: t.redisMode,
    },
    checks,
  };
}

async function checkApi(
  t: VerifyTarget,
  o: VerifyOptions,
  progress: (line: string) => void,
): Promise<CheckResult> {
  const check = "api health";
  if (t.apiUrl === undefined)
    return { check, status: "fail", detail: "no apiUrl in the outputs: pass --api-url", ms: null };
  const url = healthUrl(t.apiUrl, t.healthPath);
  const interval = o.retryIntervalMs ?? 2_000;
  const perAttempt = o.requestTimeoutMs ?? 5_000;
  const started = performance.now();
  const secs = (ms: number) => Math.round(ms / 1_000);
  for (let attempt = 1; ; attempt++) {
    const remaining = t.apiTimeoutMs - (performance.now() - started);
    const sent = performance.now();
    let outcome: string;
    let ms: number | null = null;
    try {
      const res = await fetch(url, {
        signal: AbortSignal.timeout(Math.round(Math.max(250, Math.min(perAttempt, remaining)))),
      });
      const body = (await res.text().catch(() => "")).replace(/\s+/g, " ").trim();
      ms = Math.round(performance.now() - sent);
      if (res.ok) {
        const waited =
          attempt > 1
            ? `, healthy after ${attempt} attempts (${secs(performance.now() - started)}s)`
            : "";
        return { check, status: "pass", detail: `HTTP ${res.status} from ${url}${waited}`, ms };
      }
      outcome = `HTTP ${res.status}${body === "" ? "" : ` ${body.slice(0, 60)}`}`;
    } catch (err) {
      outcome = describeFetchError(err, Math.min(perAttempt, remaining));
    }
    const elapsed = performance.now() - started;
    if (elapsed >= t.apiTimeoutMs) {
      return {
        check,
        status: "fail",
        detail: `${outcome} from ${url}; gave up after ${attempt} attempts (${secs(elapsed)}s/${secs(t.apiTimeoutMs)}s)`,
        ms,
      };
    }
    progress(
      `waiting for ${url} (attempt ${attempt}, ${secs(elapsed)}s/${secs(t.apiTimeoutMs)}s): ${outcome}…`,
    );
    // The last attempt lands on the deadline rather than short of it.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(interval, t.apiTimeoutMs - elapsed)),
    );
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return `no answer within ${Math.round(timeoutMs)} ms`;
  const code = e.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  return code ?? e.cause?.message ?? e.message ?? String(err);
}

async function checkRedisPing(t: VerifyTarget, o: VerifyOptions): Promise<CheckResult> {
  const check = "redis ping";
  if (t.redisUnreachable !== undefined)
    return { check, status: "skip", detail: t.redisUnreachable, ms: null };
  if (t.redisUrl === undefined)
    return {
      check,
      status: "fail",
      detail: "no redisUrl in the outputs: pass --redis-url",
      ms: null,
    };
  const tls = isTls(t.redisUrl);
  if (t.redisTls !== undefined && t.redisTls !== tls) {
    return {
      check,
      status: "fail",
      detail: `the stack says redisTls=${t.redisTls} but redisUrl is ${tls ? "rediss://" : "redis://"}: the API would connect ${tls ? "with" : "without"} TLS`,
      ms: null,
    };
  }
  try {
    const r = await withRedis(t.redisUrl, t.ca, o.redisTimeoutMs ?? 5_000, (c) => c.ping());
    if (r.value !== "PONG")
      return {
        check,
        status: "fail",
        detail: `PING answered ${JSON.stringify(r.value)}`,
        ms: r.ms,
      };
    const how = tls
      ? `TLS, certificate verified against ${t.ca ? "--ca" : "the system CAs"}`
      : "plain TCP";
    return {
      check,
      status: "pass",
      detail: `PONG (${how}; connect+auth ${r.connectMs} ms)`,
      ms: r.ms,
    };
  } catch (err) {
    return { check, status: "fail", detail: describeRedisError(err), ms: null };
  }
}

async function checkPersistence(t: VerifyTarget, o: VerifyOptions): Promise<CheckResult> {
  const check = "redis persistence";
  if (t.redisMode !== "local") {
    const why =
      t.redisMode === undefined
        ? "redisMode not in the outputs"
        : `redisMode=${t.redisMode}: the provider's concern`;
    return { check, status: "skip", detail: `${why}; checked in local mode only`, ms: null };
  }
  const url = t.redisAdminUrl ?? t.redisUrl;
  if (url === undefined)
    return {
      check,
      status: "fail",
      detail: "no redisUrl in the outputs: pass --redis-url",
      ms: null,
    };
  try {
    const r = await withRedis(url, t.ca, o.redisTimeoutMs ?? 5_000, (c) => c.info("persistence"));
    const f = parseInfo(r.value);
    const wanted: Record<string, string> = {
      aof_enabled: "1",
      aof_last_write_status: "ok",
      rdb_last_bgsave_status: "ok",
    };
    const fields = Object.keys(wanted)
      .map((k) => `${k}=${f[k] ?? "?"}`)
      .join(" ");
    const bad = Object.keys(wanted).filter((k) => f[k] !== wanted[k]);
    const as = t.redisAdminUrl !== undefined ? " (as admin)" : "";
    return {
      check,
      status: bad.length === 0 ? "pass" : "fail",
      detail: `${fields}${as}`,
      ms: r.ms,
    };
  } catch (err) {
    return { check, status: "fail", detail: describeRedisError(err), ms: null };
  }
}

function isTls(url: string): boolean {
  return /^rediss:/i.test(url);
}

/** `key:value` lines of an INFO section. */
export function parseInfo(info: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

function newClient(url: string, ca: Buffer | undefined, timeoutMs: number) {
  const base = { connectTimeout: timeoutMs, reconnectStrategy: false as const };
  return createClient({
    url,
    socket: isTls(url) ? { ...base, tls: true as const, ca } : { ...base, tls: false as const },
    disableOfflineQueue: true,
  });
}

/**
 * The client type, from the non-generic newClient: tsc's check of `ReturnType<typeof
 * createClient>` (createClient is generic) measures the variance of every RedisClientType
 * command map, a hot spot of the type check (docs/testing.md, "Where tsc's time goes"). NoInfer
 * in withRedis for the same reason: inferring T from `(c) => c.ping()` related Client to itself
 * structurally unless Client's position is kept out of inference.
 */
type Client = ReturnType<typeof newClient>;

/**
 * One connection, one command, then gone. No reconnects and no offline queue, so a dead
 * server fails the check at once instead of retrying forever; the whole exchange is
 * bounded by `timeoutMs`.
 */
async function withRedis<T>(
  url: string,
  ca: Buffer | undefined,
  timeoutMs: number,
  command: (client: NoInfer<Client>) => Promise<T>,
): Promise<{ value: T; connectMs: number; ms: number }> {
  const client = newClient(url, ca, timeoutMs);
  client.on("error", () => undefined); // the awaited calls below report it
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        const t0 = performance.now();
        await client.connect();
        const t1 = performance.now();
        const value = await command(client);
        return { value, connectMs: Math.round(t1 - t0), ms: Math.round(performance.now() - t1) };
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    if (client.isOpen) client.destroy();
  }
}

function describeRedisError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = (e.message ?? String(err)).trim();
  if (/^WRONGPASS/.test(msg)) return `authentication failed: ${msg}`;
  if (/^NOAUTH/.test(msg)) return `no password sent: ${msg}`;
  if (e.code === "ECONNREFUSED") return `connection refused (${msg})`;
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") {
    // A local stack's redisUrl names the container on the Docker backend network.
    return `${msg}: the host does not resolve from here; for a local stack set redis.debugPort (dev) or tunnel to the host (ssh -L) and pass --redis-url`;
  }
  if (e.code !== undefined && !msg.includes(e.code)) return `${e.code}: ${msg}`;
  return msg;
}
