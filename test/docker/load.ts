/**
 * A steady load loop for the deploy-under-load scenarios: one request every 1/rate seconds,
 * whether or not earlier ones have answered (an open-loop generator, so a stall shows up as
 * latency and failures instead of silently slowing the sender), bounded in count and time.
 * Every request is recorded with when it was sent, how long it took and how it ended.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface LoadOptions {
  readonly url: string;
  /** Requests per second. */
  readonly rate: number;
  /** Hard bounds: whichever comes first ends the loop. */
  readonly maxRequests: number;
  readonly maxMs: number;
  /** A CA bundle for HTTPS (the stack's self-signed dev certificate). */
  readonly ca?: string | Buffer;
  /** The TLS server name (SNI and the name checked) when it is not the URL's host. @default the URL's host */
  readonly servername?: string;
  /** Per-request timeout; a request still open after it counts as an error. */
  readonly timeoutMs?: number;
}

export interface Sample {
  /** ms since the loop started, when the request was sent. */
  readonly at: number;
  readonly ms: number;
  readonly status?: number;
  readonly error?: string;
}

export interface LoadRun {
  /** Marks a moment (e.g. "roll started") on the loop's clock. */
  mark(name: string): void;
  /** Stops sending and resolves once every request has ended. */
  stop(): Promise<LoadResult>;
}

export interface LoadResult {
  readonly samples: readonly Sample[];
  readonly marks: Readonly<Record<string, number>>;
}

export interface Summary {
  readonly sent: number;
  readonly ok: number;
  /** Answers other than 2xx. */
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** The longest stretch, in ms, during which every request sent failed. */
  readonly longestOutageMs: number;
  /** How the failed ones failed: status code or error code, with counts. */
  readonly failures: Readonly<Record<string, number>>;
}

export function startLoad(o: LoadOptions): LoadRun {
  const https = o.url.startsWith("https:");
  // Every request on a connection of its own. With keep-alive, a request can go out on a pooled
  // socket that is being closed at that moment (by the server's idle timeout, or by the agent's
  // own idle timer firing late on a busy machine: Node reports "socket hang up", ECONNRESET,
  // and does not retry). That is the client's race, not the deploy's, yet it would be counted
  // against the deploy: it was seen once in a CI run, with no trace in HAProxy's log.
  const sockets = { keepAlive: false, maxSockets: 256 };
  const agent = https ? new HttpsAgent({ ...sockets, ca: o.ca }) : new HttpAgent(sockets);
  const send = https ? httpsRequest : httpRequest;
  const t0 = performance.now();
  const samples: Sample[] = [];
  const marks: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  let sent = 0;

  const one = (): Promise<void> => {
    const at = performance.now() - t0;
    return new Promise<void>((resolve) => {
      const done = (s: Omit<Sample, "at" | "ms">) => {
        samples.push({ at, ms: performance.now() - t0 - at, ...s });
        resolve();
      };
      const req = send(
        o.url,
        { agent, timeout: o.timeoutMs ?? 10_000, servername: o.servername },
        (res) => {
          res.resume();
          res.on("end", () => done({ status: res.statusCode }));
          res.on("error", (e) => done({ error: e.message }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
      req.end();
    });
  };

  const timer = setInterval(() => {
    if (sent >= o.maxRequests || performance.now() - t0 >= o.maxMs) {
      clearInterval(timer);
      return;
    }
    sent++;
    const p = one();
    pending.add(p);
    void p.then(() => pending.delete(p));
  }, 1_000 / o.rate);

  return {
    mark: (name) => (marks[name] = performance.now() - t0),
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...pending]);
      agent.destroy();
      return { samples: [...samples].sort((a, b) => a.at - b.at), marks };
    },
  };
}

const percentile = (sorted: number[], q: number): number =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);

/** Figures for the samples sent in [from, to) on the loop's clock (all of them by default). */
export function summarize(r: LoadResult, from = 0, to = Infinity): Summary {
  const s = r.samples.filter((x) => x.at >= from && x.at < to);
  const good = (x: Sample) => x.status !== undefined && x.status >= 200 && x.status < 300;
  const ms = s.map((x) => x.ms).sort((a, b) => a - b);
  let longest = 0;
  let start: number | undefined;
  for (const x of s) {
    if (good(x)) {
      if (start !== undefined) longest = Math.max(longest, x.at - start);
      start = undefined;
    } else start ??= x.at;
  }
  if (start !== undefined && s.length > 0) longest = Math.max(longest, s[s.length - 1]!.at - start);
  return {
    sent: s.length,
    ok: s.filter(good).length,
    non2xx: s.filter((x) => x.status !== undefined && !good(x)).length,
    errors: s.filter((x) => x.status === undefined).length,
    p50: percentile(ms, 0.5),
    p99: percentile(ms, 0.99),
    max: ms[ms.length - 1] ?? 0,
    longestOutageMs: longest,
    failures: s
      .filter((x) => !good(x))
      .reduce<Record<string, number>>((acc, x) => {
        const k = x.status === undefined ? String(x.error) : String(x.status);
        acc[k] = (acc[k] ?? 0) + 1;
        return acc;
      }, {}),
  };
}

export function formatSummary(label: string, x: Summary): string {
  const f = (n: number) => n.toFixed(1);
  return (
    `${label}: sent ${x.sent}, ok ${x.ok}, non-2xx ${x.non2xx}, connection errors ${x.errors}, ` +
    `latency p50 ${f(x.p50)} ms, p99 ${f(x.p99)} ms, max ${f(x.max)} ms` +
    (x.longestOutageMs > 0 ? `, longest outage ${f(x.longestOutageMs)} ms` : "") +
    (Object.keys(x.failures).length > 0 ? ` (${JSON.stringify(x.failures)})` : "")
  );
}
