/**
 * The HTTP side: node:http, a route table, JSON in and out. Every Redis failure becomes a
 * 503 with a fixed message and `Retry-After: 1`; the details go to the (redacting) log at
 * debug level only. POST /jobs takes an optional Idempotency-Key
 * (draft-ietf-httpapi-idempotency-key-header), so a client can retry a request whose
 * outcome it never saw, a 503 included, without queueing the job twice.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Config } from "./config";
import { ack, dequeue, enqueue, KEYS, type Idempotency } from "./jobs";
import { errorText, type Logger } from "./log";
import { CLIENT_CLOSED_STATUS, createApiMetrics, serveMetrics, UNMATCHED_ROUTE } from "./metrics";
import { call, isRedisUnavailable, RedisFull, RedisUnavailable, type Redis } from "./redis";
import type { Service } from "./service";

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_SLOW_MS = 30_000;
const DRAIN_LIMIT_BYTES = 1024 * 1024;
/** Redis reconnects within a quarter of a second of coming back (redis.ts). */
const RETRY_AFTER_SECONDS = "1";
/** 1-255 visible ASCII characters: a UUID fits, and so does the draft's quoted form. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Close the connection after replying: the body was refused or cut off. */
    readonly close = false,
  ) {
    super(message);
  }
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
  url: URL,
) => Promise<void>;

interface Route {
  readonly method: string;
  /** `/jobs/:id/ack`: also the `route` label, so a metric has one series per route, not per id. */
  readonly pattern: string;
  readonly re: RegExp;
  readonly handler: Handler;
}

/** Each `:name` matches one path segment, passed to the handler; the rest is literal. */
function route(method: string, pattern: string, handler: Handler): Route {
  // The patterns hold only letters, `/` and `:name`, none of them special in a RegExp.
  const re = new RegExp(`^${pattern.replace(/:\w+/g, "([^/]+)")}$`);
  return { method, pattern, re, handler };
}

/** What a request asked for, worked out once for the handler and for its metrics. */
interface Target {
  /** Undefined when the request target does not parse (see urlOf). */
  readonly url: URL | undefined;
  /** The routes whose pattern matches the path, whatever their method. */
  readonly matches: readonly Route[];
  /** The one that also matches the method. */
  readonly route: Route | undefined;
  /** The `route` label: the path's pattern, or UNMATCHED_ROUTE. */
  readonly label: string;
}

export function startApi(config: Config, log: Logger, redis: Redis): Service {
  const metrics = createApiMetrics(redis);
  const healthyFrom = Date.now() + config.startupDelayMs;
  let stopping = false;
  /** Redis refused a write for lack of memory, and no write has succeeded since. */
  let full = false;
  let inFlight = 0;

  /** The header every reply during shutdown carries, so keep-alive clients move on. */
  const closing = (): Record<string, string> => (stopping ? { connection: "close" } : {});

  const send = (res: ServerResponse, status: number, body?: unknown, close = false): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = body === undefined ? "" : JSON.stringify(body);
    const headers: Record<string, string | number> = closing();
    // RFC 9110 §8.6: no Content-Length on a 204.
    if (status !== 204) headers["content-length"] = Buffer.byteLength(text);
    if (body !== undefined) headers["content-type"] = "application/json";
    // During shutdown every reply ends its connection (closing), so keep-alive clients
    // reconnect to whichever instance replaces this one instead of holding this one open.
    if (close) headers.connection = "close";
    res.writeHead(status, headers);
    res.end(text);
  };

  const health: Handler = async (_req, res) => {
    if (stopping) return send(res, 503, { status: "stopping" });
    if (Date.now() < healthyFrom) return send(res, 503, { status: "starting" });
    try {
      // PING over the client's own AUTHenticated connection: a wrong password fails here.
      const pong = await call(redis.ping());
      if (pong !== "PONG") throw new RedisUnavailable("PING did not return PONG");
      send(res, 200, { status: "ok" });
    } catch (e) {
      log.debug("health check failed", { error: errorText(e) });
      res.setHeader("retry-after", RETRY_AFTER_SECONDS);
      send(res, 503, { status: "unavailable", error: "redis unavailable" });
    }
  };

  const slow: Handler = async (_req, res, _params, url) => {
    const raw = url.searchParams.get("ms") ?? "0";
    if (!/^\d{1,9}$/.test(raw)) throw new HttpError(400, "ms must be a whole number");
    const ms = Math.min(Number(raw), MAX_SLOW_MS);
    await new Promise((resolve) => setTimeout(resolve, ms));
    send(res, 200, { sleptMs: ms });
  };

  const postJob: Handler = async (req, res) => {
    const body = await readBody(req);
    const idempotency = idempotencyOf(req, body);
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      throw new HttpError(400, "body must be JSON");
    }
    const job = await enqueue(redis, JSON.stringify(payload), idempotency);
    // The draft's answer to a key reused for another request.
    if (job.status === "mismatch")
      throw new HttpError(422, "Idempotency-Key was already used with a different body");
    if (job.status === "replay") res.setHeader("idempotent-replayed", "true");
    send(res, 202, { id: job.id });
  };

  const nextJob: Handler = async (_req, res) => {
    const job = await dequeue(redis, KEYS.httpProcessing);
    if (job === undefined) send(res, 204);
    else send(res, 200, job);
  };

  const ackJob: Handler = async (_req, res, [id]) => {
    const found = id !== undefined && /^[0-9a-f-]{36}$/.test(id);
    if (!found || !(await ack(redis, KEYS.httpProcessing, id))) {
      throw new HttpError(404, "no such job in processing");
    }
    send(res, 200, { id, acked: true });
  };

  const postCounter: Handler = async (_req, res) => {
    send(res, 200, { value: await call(redis.incr(KEYS.counter)) });
  };

  const getCounter: Handler = async (_req, res) => {
    send(res, 200, { value: Number((await call(redis.get(KEYS.counter))) ?? 0) });
  };

  const routes: readonly Route[] = [
    route("GET", "/health", health),
    route("GET", "/slow", slow),
    route("POST", "/jobs", postJob),
    route("POST", "/jobs/next", nextJob),
    route("POST", "/jobs/:id/ack", ackJob),
    route("POST", "/counter", postCounter),
    route("GET", "/counter", getCounter),
  ];

  const targetOf = (req: IncomingMessage): Target => {
    const url = urlOf(req);
    const matches = url === undefined ? [] : routes.filter((r) => r.re.test(url.pathname));
    const found = matches.find((r) => r.method === req.method);
    return { url, matches, route: found, label: (found ?? matches[0])?.pattern ?? UNMATCHED_ROUTE };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> => {
    if (t.url === undefined) throw new HttpError(400, "bad request target");
    if (t.matches.length === 0) throw new HttpError(404, "not found");
    if (t.route === undefined) {
      res.setHeader("allow", t.matches.map((r) => r.method).join(", "));
      throw new HttpError(405, "method not allowed");
    }
    const params = t.route.re.exec(t.url.pathname)?.slice(1) ?? [];
    await t.route.handler(req, res, params, t.url);
  };

  const server = createServer((req, res) => {
    inFlight++;
    const started = performance.now();
    const target = targetOf(req);
    res.once("close", () => {
      inFlight--;
      const seconds = (performance.now() - started) / 1_000;
      const status = res.headersSent ? res.statusCode : CLIENT_CLOSED_STATUS;
      // req.method needs no bound: Node's parser accepts only the methods in http.METHODS.
      metrics.request(target.label, req.method ?? "", status, seconds);
      if (req.method === "POST" && res.statusCode < 300) full = false;
      log.debug("request", {
        method: req.method,
        path: target.url?.pathname,
        status,
        ms: Math.round(seconds * 1_000),
      });
    });
    handle(req, res, target).catch((e: unknown) => {
      if (e instanceof HttpError) return send(res, e.status, { error: e.message }, e.close);
      if (e instanceof RedisFull) {
        // Once per episode: an operator must hear that Redis is full, a client only to retry.
        if (!full) log.warn("redis refused a write: out of memory", { error: errorText(e) });
        full = true;
        res.setHeader("retry-after", RETRY_AFTER_SECONDS);
        return send(res, 503, { error: "redis is out of memory" });
      }
      if (isRedisUnavailable(e)) {
        log.debug("redis call failed", { error: errorText(e) });
        res.setHeader("retry-after", RETRY_AFTER_SECONDS);
        return send(res, 503, { error: "redis unavailable" });
      }
      log.error("request failed", { error: errorText(e) });
      send(res, 500, { error: "internal error" });
    });
  });
  server.on("error", (e) => {
    log.error("listen failed", { port: config.port, error: errorText(e) });
    process.exit(1);
  });
  server.listen(config.port, config.host, () =>
    log.info("ready", { mode: "api", port: config.port, host: config.host ?? "*" }),
  );
  // /metrics on a port of its own, which the edge proxy never routes to: on the API's port a
  // path HAProxy does not normalise (`/./metrics`, `/%2e/metrics`) would reach it from the
  // Internet, since the route table matches the URL's normalised pathname. Scrapes are then no
  // requests either, so they cannot dilute the 5xx ratio the alerts read. It answers whatever
  // Redis and /health say: Prometheus must see an outage, not a failed scrape.
  const metricsServer = serveMetrics(metrics.register, config.metricsPort, config.host, log);

  return {
    inFlight: () => inFlight,
    stop() {
      stopping = true;
      return new Promise<void>((resolve) => {
        // close() stops accepting and resolves once every connection has ended; since Node 19
        // it also drops idle keep-alive connections, but only those idle right now. A
        // connection whose request finishes later gets `connection: close` (see send), and
        // this sweep catches any that went idle in between.
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
      }).then(() => metricsServer.close());
    },
    abort: () => server.closeAllConnections(),
  };
}

/**
 * The request target, or undefined when it does not parse: Node's parser passes an
 * absolute-form target such as `http://[` (RFC 9112 §3.2.2) on to us, and `new URL` throws on
 * it. Parsed once, here, because the throw used to come a second time from the "close"
 * handler, outside any catch, and one such request took the process down.
 */
function urlOf(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? "/", "http://localhost");
  } catch {
    return undefined;
  }
}

/**
 * Reads the whole body, keeping at most MAX_BODY_BYTES. An oversized body is still read
 * (up to DRAIN_LIMIT_BYTES) before the 413: closing a socket with unread data makes the
 * kernel send a reset, and the client may then lose the reply it was sent.
 */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) {
        req.destroy();
        throw new HttpError(413, "body too large", /* close */ true);
      }
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
  } catch (e) {
    // Any other error here is the client going away mid-body.
    throw e instanceof HttpError ? e : new HttpError(400, "request body aborted", true);
  }
  if (size > MAX_BODY_BYTES)
    throw new HttpError(413, `body must be at most ${MAX_BODY_BYTES} bytes`, /* close */ true);
  return Buffer.concat(chunks);
}

/**
 * The request's Idempotency-Key, if it sent one, with a SHA-256 of the body as sent. A
 * repeated header arrives joined by ", " and is refused with the rest.
 */
function idempotencyOf(req: IncomingMessage, body: Buffer): Idempotency | undefined {
  const key = req.headers["idempotency-key"];
  if (key === undefined) return undefined;
  if (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key))
    throw new HttpError(400, "Idempotency-Key must be 1-255 visible ASCII characters");
  return { key, fingerprint: createHash("sha256").update(body).digest("hex") };
}
