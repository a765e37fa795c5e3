/**
 * Prometheus metrics under the names the alert rules read (components/lib/app-metrics.ts).
 * Each process fills a Registry of its own, not prom-client's global one, so only what is
 * created here is scraped. The API serves it on its own port at /metrics (api.ts); a worker,
 * which has no HTTP server, on METRICS_PORT (serveMetrics).
 *
 * @example
 * const metrics = createApiMetrics(redis);
 * metrics.request("/counter", "POST", 200, 0.004);
 * const text = await metrics.register.metrics();
 */
import { createServer, type ServerResponse } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import {
  API_METRICS,
  DB_METRICS,
  LATENCY_BUCKETS,
  WORKER_METRICS,
} from "../../../components/lib/app-metrics";
import { KEYS } from "./jobs";
import { errorText, type Logger } from "./log";
import { isRedisUnavailable, observeRedisCalls, type Redis } from "./redis";

export const METRICS_PATH = "/metrics";
/**
 * The `route` of every request no route matched: one value for any path, so a scan of random
 * URLs adds one series, not one per URL.
 */
export const UNMATCHED_ROUTE = "unmatched";
/**
 * The `status` of a request whose connection closed before a reply was sent (the client gave
 * up): there is no status, and the default 200 would be a lie. nginx's code for the same case
 * (NGX_HTTP_CLIENT_CLOSED_REQUEST, src/http/ngx_http_request.h).
 */
export const CLIENT_CLOSED_STATUS = 499;

export interface ApiMetrics {
  readonly register: Registry;
  /** One request done: its route's pattern (or UNMATCHED_ROUTE), method, status, seconds. */
  request(route: string, method: string, status: number, seconds: number): void;
}

export interface WorkerMetrics {
  readonly register: Registry;
  jobProcessed(): void;
  jobFailed(): void;
  /** The heartbeat file was written at `ms` (Unix milliseconds). */
  heartbeat(ms: number): void;
}

/**
 * Node's default metrics (process_cpu_seconds_total, nodejs_eventloop_lag_seconds, …) and the
 * Redis counters both modes share, fed by every operation `call` and `counted` report.
 */
function baseRegistry(): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const registers = [register];
  const requests = new Counter({
    name: DB_METRICS.requests,
    help: "Redis operations a request or a job attempted.",
    registers,
  });
  const failures = new Counter({
    name: DB_METRICS.connectionFailures,
    help: "Redis operations that failed because Redis could not serve: no reply (refused, closed, timed out, not connected) or a not-now reply such as LOADING.",
    registers,
  });
  observeRedisCalls((error) => {
    requests.inc();
    if (isRedisUnavailable(error)) failures.inc();
  });
  return register;
}

export function createApiMetrics(redis: Redis): ApiMetrics {
  const register = baseRegistry();
  const registers = [register];
  const requests = new Counter({
    name: API_METRICS.requests,
    help: "HTTP requests by route pattern, method and status; /metrics itself is not counted.",
    labelNames: ["route", "method", "status"] as const,
    registers,
  });
  const latency = new Histogram({
    name: API_METRICS.latency,
    help: "Whole-request time in seconds, from the request's arrival to its connection's close.",
    labelNames: ["route", "method"] as const,
    buckets: [...LATENCY_BUCKETS],
    registers,
  });
  new Gauge({
    name: API_METRICS.redisUp,
    help: "1 while the Redis client is connected and ready, else 0.",
    registers,
    collect() {
      this.set(redis.isReady ? 1 : 0);
    },
  });
  return {
    register,
    request(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
    },
  };
}

/**
 * `queueDepthTimeoutMs` bounds the scrape's LLEN, so a Redis that accepts and never answers
 * still leaves a scrape that Prometheus (default scrape_timeout 10 s) receives.
 */
export function createWorkerMetrics(redis: Redis, queueDepthTimeoutMs: number): WorkerMetrics {
  const register = baseRegistry();
  const registers = [register];
  const processed = new Counter({
    name: WORKER_METRICS.processed,
    help: "Jobs this worker finished and committed.",
    registers,
  });
  const failed = new Counter({
    name: WORKER_METRICS.failed,
    help: "Jobs that threw; each goes back to the queue and is counted again if it fails again.",
    registers,
  });
  new Gauge({
    name: WORKER_METRICS.queueDepth,
    help: "Length of the shared job queue (LLEN), read at scrape time; absent when Redis did not answer.",
    registers,
    async collect() {
      const depth = await queueDepth(redis, queueDepthTimeoutMs);
      // A value that could not be read is left out rather than repeated: a stale depth would
      // keep an alert on a growing queue quiet, or firing, on data from before the outage.
      // remove() with no labels drops an unlabelled gauge's one sample (prom-client 15.1.3,
      // lib/gauge.js, remove); the next set() brings it back.
      if (depth === undefined) this.remove();
      else this.set(depth);
    },
  });
  // 0 until the first beat, so a worker that never beat reads as infinitely stale.
  const heartbeat = new Gauge({
    name: WORKER_METRICS.heartbeat,
    help: "Unix time in seconds of the last heartbeat, written after a Redis round trip.",
    registers,
  });
  return {
    register,
    jobProcessed: () => processed.inc(),
    jobFailed: () => failed.inc(),
    heartbeat: (ms) => heartbeat.set(ms / 1_000),
  };
}

/**
 * LLEN of the queue, or undefined if Redis fails or takes longer than `ms`.
 * Not through `call`: a scrape is not an operation a request or a job attempted, so it stays
 * out of db_requests_total, whose rate would otherwise follow the scrape interval.
 */
async function queueDepth(redis: Redis, ms: number): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      redis.lLen(KEYS.queue),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** The registry's text, with its content type. */
export async function writeMetrics(register: Registry, res: ServerResponse): Promise<void> {
  const text = await register.metrics();
  res.writeHead(200, {
    "content-type": register.contentType,
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export interface MetricsServer {
  /** Stops listening and drops every connection, Prometheus's idle keep-alive ones included. */
  close(): Promise<void>;
}

/**
 * `GET /metrics` on a port of its own (METRICS_PORT, in both modes); anything else is a 404. A
 * port it cannot listen on is logged at error and the process keeps serving or working the
 * queue: metrics watch the work, and must not stop it. Prometheus then shows the target down.
 */
export function serveMetrics(
  register: Registry,
  port: number,
  host: string | undefined,
  log: Logger,
): MetricsServer {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== METRICS_PATH) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    writeMetrics(register, res).catch((e: unknown) => {
      log.error("metrics failed", { error: errorText(e) });
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end();
    });
  });
  server.on("error", (e) => log.error("metrics server failed", { port, error: errorText(e) }));
  server.listen(port, host, () => log.info("metrics ready", { port, host: host ?? "*" }));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        // A scrape cut here costs one sample; waiting for Prometheus to drop its keep-alive
        // connection could cost the whole grace.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
