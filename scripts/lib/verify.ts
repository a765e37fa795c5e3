/**
 * The checks behind `npm run verify`: is the deployed stack actually working, judged
 * from outside, over the same URLs the stack exports. The postmortems' `make verify`
 * trusted `docker ps` saying "healthy"; this talks to the API and to Redis itself.
 */
import { createClient } from "redis";
import type { StackOutputs } from "./outputs";
import { urlPassword } from "./outputs";
import { maskSecrets } from "./verify-mask";

export { maskSecrets } from "./verify-mask";

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  /** Never contains a secret. */
  readonly detail: string;
  /** Round trip of the request or command that decided the check, ms; null if none was made. */
  readonly ms: number | null;
}

export interface VerifyTarget {
  readonly apiUrl?: string;
  /** @default "/health" */
  readonly healthPath: string;
  /** Secret. */
  readonly redisUrl?: string;
  /** Secret; preferred for INFO persistence. */
  readonly redisAdminUrl?: string;
  readonly redisMode?: StackOutputs["redisMode"];
  /** What the stack declared; a URL that disagrees fails the PING check. */
  readonly redisTls?: boolean;
  /** PEM CA bundle for `rediss://`; the system roots when absent. */
  readonly ca?: Buffer;
  /** How long the API check waits for a healthy answer, ms. */
  readonly apiTimeoutMs: number;
}

export interface VerifyOptions {
  readonly target: VerifyTarget;
  /** More values to mask, e.g. everything secret in the outputs. */
  readonly secrets?: readonly string[];
  /** Progress lines while the API check waits (the CLI writes them to stderr). */
  readonly onProgress?: (line: string) => void;
  /** @default 2000 */
  readonly retryIntervalMs?: number;
  /** Per HTTP attempt. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Connect plus command, per Redis check. @default 5000 */
  readonly redisTimeoutMs?: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly target: {
    readonly healthUrl?: string;
    readonly redisUrl?: string;
    readonly redisMode?: string;
  };
  readonly checks: CheckResult[];
}

export interface TargetOverrides {
  readonly apiUrl?: string;
  readonly redisUrl?: string;
  readonly ca?: Buffer;
  readonly timeoutSeconds?: number;
}

const DEFAULT_WAIT_SECONDS = 60;
const MIN_WAIT_SECONDS = 10;

/**
 * Outputs plus command-line overrides. An overridden Redis URL replaces the admin URL
 * too: the stack's admin URL names the host the stack sees, not the one you pointed at.
 */
export function resolveTarget(outputs: StackOutputs, o: TargetOverrides = {}): VerifyTarget {
  const waitSeconds =
    o.timeoutSeconds ??
    Math.max(MIN_WAIT_SECONDS, outputs.apiStartPeriodSeconds ?? DEFAULT_WAIT_SECONDS);
  const redisOverridden = o.redisUrl !== undefined;
  return {
    apiUrl: o.apiUrl ?? outputs.apiUrl,
    healthPath: outputs.apiHealthPath ?? "/health",
    // verify runs on the Docker host (or a CI runner), where a local stack's Redis is only
    // reachable through its loopback debug port; the in-network URL is the fallback.
    redisUrl: o.redisUrl ?? outputs.redisHostUrl ?? outputs.redisUrl,
    redisAdminUrl: redisOverridden
      ? undefined
      : (outputs.redisAdminHostUrl ?? outputs.redisAdminUrl),
    redisMode: outputs.redisMode,
    redisTls: redisOverridden ? undefined : outputs.redisTls,
    ca: o.ca,
    apiTimeoutMs: Math.round(waitSeconds * 1_000),
  };
}

/** `http://host:3003` + `/health`, keeping any path prefix of the base URL. */
export function healthUrl(apiUrl: string, path: string): string {
  return `${apiUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

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

/**
 * One connection, one command, then gone. No reconnects and no offline queue, so a dead
 * server fails the check at once instead of retrying forever; the whole exchange is
 * bounded by `timeoutMs`.
 */
async function withRedis<T>(
  url: string,
  ca: Buffer | undefined,
  timeoutMs: number,
  command: (client: ReturnType<typeof createClient>) => Promise<T>,
): Promise<{ value: T; connectMs: number; ms: number }> {
  const base = { connectTimeout: timeoutMs, reconnectStrategy: false as const };
  const client = createClient({
    url,
    socket: isTls(url) ? { ...base, tls: true as const, ca } : { ...base, tls: false as const },
    disableOfflineQueue: true,
  });
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

const STATUS_LABEL: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };

/** A fixed-width table, one check per line, then a one-line summary. */
export function formatTable(checks: readonly CheckResult[]): string {
  const rows = [
    ["CHECK", "RESULT", "DETAIL", "TIME MS"],
    ...checks.map((c) => [
      c.check,
      STATUS_LABEL[c.status],
      c.detail,
      c.ms === null ? "-" : String(c.ms),
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] as number) : cell.padStart(7)))
      .join("  ")
      .trimEnd(),
  );
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  lines.push("", `${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped`);
  return lines.join("\n");
}
