/**
 * The chaos run's client: an open-loop mix of `GET /counter`, `POST /counter` and `POST /jobs`
 * through the edge over HTTPS, every request on a connection of its own (load.ts says why).
 * Each job carries an `Idempotency-Key` and is retried after every 5xx or connection error, as
 * a careful client would (exponential backoff with jitter, at least the server's Retry-After),
 * until it is accepted or `retryForMs` has passed: the run then checks
 * that no retry created a second job. Counter increments are not retried (they are not
 * idempotent); their acknowledged values are kept for the lost-write check.
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:https";

export type RequestKind = "GET /counter" | "POST /counter" | "POST /jobs";
export const REQUEST_KINDS: readonly RequestKind[] = [
  "GET /counter",
  "POST /counter",
  "POST /jobs",
];

export interface Attempt {
  readonly kind: RequestKind;
  /** Epoch ms when it was sent, and how long it took. */
  readonly at: number;
  readonly ms: number;
  readonly status?: number;
  readonly error?: string;
  readonly retryAfter?: string;
}

export interface JobOutcome {
  readonly key: string;
  /** Every id a 202 named for this key (a tenth are sent again after their 202): one, if enqueue is idempotent. */
  readonly ids: string[];
  readonly attempts: number;
  readonly accepted: boolean;
}

export interface TrafficResult {
  readonly attempts: readonly Attempt[];
  /** The values `POST /counter` acknowledged (200 with `{value}`). */
  readonly counterAcks: readonly number[];
  readonly jobs: readonly JobOutcome[];
}

export interface TrafficOptions {
  readonly base: string;
  readonly ca?: string;
  /** New requests per second (retries come on top). */
  readonly rate: number;
  /** How long a job's client keeps retrying. */
  readonly retryForMs?: number;
  readonly timeoutMs?: number;
}

export interface Traffic {
  stop(): Promise<TrafficResult>;
}

const MIX: readonly RequestKind[] = [
  "GET /counter",
  "POST /counter",
  "POST /jobs",
  "GET /counter",
  "POST /jobs",
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startTraffic(o: TrafficOptions): Traffic {
  const agent = new Agent({ keepAlive: false, maxSockets: 512, ca: o.ca });
  const attempts: Attempt[] = [];
  const counterAcks: number[] = [];
  const jobs: JobOutcome[] = [];
  const pending = new Set<Promise<void>>();
  let n = 0;
  let stopping = false;

  const send = (
    kind: RequestKind,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Attempt & { text: string }> => {
    const [method, path] = kind.split(" ") as [string, string];
    const at = Date.now();
    const t = performance.now();
    return new Promise((resolve) => {
      const done = (a: Omit<Attempt, "kind" | "at" | "ms">, text = "") => {
        const attempt = { kind, at, ms: performance.now() - t, ...a };
        attempts.push(attempt);
        resolve({ ...attempt, text });
      };
      const req = request(
        new URL(path, o.base),
        {
          method,
          agent,
          timeout: o.timeoutMs ?? 10_000,
          headers:
            body === undefined ? headers : { ...headers, "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => {
            const ra = res.headers["retry-after"];
            done({ status: res.statusCode, retryAfter: ra }, text);
          });
          res.on("error", (e) => done({ error: e.message }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
      req.end(body);
    });
  };

  const job = async (i: number): Promise<void> => {
    const key = randomUUID();
    const body = JSON.stringify({ n: i, key });
    const ids: string[] = [];
    const deadline = Date.now() + (o.retryForMs ?? 60_000);
    let tries = 0;
    let accepted = false;
    for (;;) {
      tries++;
      const r = await send("POST /jobs", { "idempotency-key": key }, body);
      if (r.status === 202) {
        ids.push((JSON.parse(r.text) as { id: string }).id);
        accepted = true;
        break;
      }
      // A 4xx is the client's mistake and final; a 5xx or a dropped connection is retried.
      if (r.status !== undefined && r.status < 500) break;
      if (Date.now() >= deadline) break;
      // Exponential backoff with jitter, never sooner than the server's Retry-After: without
      // it, a minute of refused writes grew into a retry storm that starved the healthchecks.
      const after = Number(r.retryAfter);
      const floor = Number.isFinite(after) && after > 0 ? after * 1_000 : 0;
      const backoff = Math.min(200 * 2 ** (tries - 1), 5_000);
      await sleep(Math.max(floor, backoff) * (0.5 + Math.random()));
    }
    // Every tenth accepted job is sent once more, as a client that lost the 202 would: an
    // idempotent enqueue answers with the same id, so a second id is a duplicate job.
    if (accepted && jobs.length % 10 === 0) {
      tries++;
      const again = await send("POST /jobs", { "idempotency-key": key }, body);
      if (again.status === 202) ids.push((JSON.parse(again.text) as { id: string }).id);
    }
    jobs.push({ key, ids, attempts: tries, accepted });
  };

  const one = async (kind: RequestKind, i: number): Promise<void> => {
    if (kind === "POST /jobs") return job(i);
    const r = await send(kind);
    if (kind === "POST /counter" && r.status === 200)
      counterAcks.push((JSON.parse(r.text) as { value: number }).value);
  };

  const timer = setInterval(() => {
    if (stopping) return;
    const i = n++;
    const p = one(MIX[i % MIX.length]!, i);
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }, 1_000 / o.rate);

  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      while (pending.size > 0) await Promise.all([...pending]);
      agent.destroy();
      return {
        attempts: [...attempts].sort((a, b) => a.at - b.at),
        counterAcks,
        jobs,
      };
    },
  };
}

const ok = (a: Attempt) => a.status !== undefined && a.status >= 200 && a.status < 300;
export const failed = (a: Attempt) => !ok(a);

/** How the failures among `xs` failed, by status or error code. */
export function failureCodes(xs: readonly Attempt[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of xs.filter(failed)) {
    const k = a.status === undefined ? String(a.error) : String(a.status);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The longest stretch, in ms, over which every attempt sent failed. */
export function longestOutage(xs: readonly Attempt[]): number {
  let longest = 0;
  let start: number | undefined;
  let last = 0;
  for (const a of xs) {
    if (ok(a)) {
      if (start !== undefined) longest = Math.max(longest, a.at - start);
      start = undefined;
    } else start ??= a.at;
    last = a.at;
  }
  if (start !== undefined) longest = Math.max(longest, last - start);
  return longest;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}
