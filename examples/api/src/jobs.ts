/**
 * The job queue, shared by the HTTP endpoints and the worker. A job is an id on a list; its
 * payload lives in a hash under the same id, so an ack can name the exact list element to
 * remove. Consumers move an id from the queue into their own processing list (LMOVE), so a
 * consumer that dies mid-job leaves the id there instead of losing it
 * (https://redis.io/docs/latest/commands/lmove/, "Pattern: Reliable queue"). A worker also
 * holds a lease on its job; a job whose lease runs out goes back to the queue. Each atomic
 * step is a Lua script (scripts.ts).
 */
import { randomUUID } from "node:crypto";
import { call, type Redis } from "./redis";

export const KEYS = {
  /** LPUSH on the left, consumers take from the right: first in, first out. */
  queue: "jobs:queue",
  payloads: "jobs:payload",
  /** Jobs handed out by POST /jobs/next and not yet acked. */
  httpProcessing: "jobs:http:processing",
  /** One list per worker, so a restarted worker re-queues only what it held itself. */
  workerProcessing: (workerId: string) => `jobs:processing:${workerId}`,
  /** ZSET of "<processing list>\0<id>" scored by the lease's deadline (ms, Redis's clock). */
  leases: "jobs:leases",
  /** SET of the workers' processing lists, for the reapers. */
  consumers: "jobs:consumers",
  /** "<request fingerprint> <job id>", for IDEMPOTENCY_TTL_MS. */
  idempotency: (key: string) => `jobs:idempotency:${key}`,
  processed: (id: string) => `jobs:processed:${id}`,
  processedTotal: "jobs:processed:total",
  counter: "counter",
} as const;

/** How long an Idempotency-Key is remembered: a client retries within this or not at all. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1_000;
/** The most expired leases one reap hands back, so one script never runs long. */
const REAP_BATCH = 100;

export interface Job {
  readonly id: string;
  readonly payload: unknown;
}

export interface Idempotency {
  readonly key: string;
  /** A hash of the request body: the same key with another body is an error, not a replay. */
  readonly fingerprint: string;
}

export type Enqueued = { readonly status: "new" | "replay" | "mismatch"; readonly id: string };

/**
 * Stores `payloadJson` (already validated JSON) and queues its id, atomically. With an
 * idempotency key, a key seen before queues nothing: "replay" with the first job's id if
 * the fingerprint matches, else "mismatch".
 */
export async function enqueue(
  redis: Redis,
  payloadJson: string,
  idempotency?: Idempotency,
): Promise<Enqueued> {
  const id = randomUUID();
  const keys: string[] = [KEYS.payloads, KEYS.queue];
  const args = [id, payloadJson];
  if (idempotency !== undefined) {
    keys.push(KEYS.idempotency(idempotency.key));
    args.push(idempotency.fingerprint, String(IDEMPOTENCY_TTL_MS));
  }
  const reply = await call(redis.jobEnqueue(keys, args));
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error("unexpected enqueue reply");
  const [status, got] = reply as unknown[];
  if ((status !== "new" && status !== "replay" && status !== "mismatch") || typeof got !== "string")
    throw new Error("unexpected enqueue reply");
  return { status, id: got };
}

/** Moves the oldest job into `processingKey`; undefined when the queue is empty. */
export async function dequeue(redis: Redis, processingKey: string): Promise<Job | undefined> {
  const id = await call(redis.lMove(KEYS.queue, processingKey, "RIGHT", "LEFT"));
  if (id === null) return undefined;
  return { id, payload: await payloadOf(redis, id) };
}

export async function payloadOf(redis: Redis, id: string): Promise<unknown> {
  const raw = await call(redis.hGet(KEYS.payloads, id));
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // Written by something other than POST /jobs. Hand it over as text rather than fail the
    // job forever, which in the worker would re-queue and retry it once a second.
    return raw;
  }
}

/** Removes a handed-out job; false when `processingKey` does not hold it. */
export async function ack(redis: Redis, processingKey: string, id: string): Promise<boolean> {
  const removed = await call(redis.lRem(processingKey, 1, id));
  if (removed === 0) return false;
  await call(redis.hDel(KEYS.payloads, id));
  return true;
}

/** Sets or renews the lease on a job the worker holds; false if it no longer holds it. */
export async function lease(
  redis: Redis,
  processingKey: string,
  id: string,
  leaseMs: number,
): Promise<boolean> {
  return (await call(redis.jobLease([processingKey, KEYS.leases], [id, String(leaseMs)]))) === 1;
}

/**
 * Records the job as done (jobs:processed:<id> and :total) and removes it, only if
 * `processingKey` still holds it. False means its lease ran out and the job went back to the
 * queue: whoever holds it now records it.
 */
export async function commit(redis: Redis, processingKey: string, id: string): Promise<boolean> {
  const keys = [processingKey, KEYS.leases, KEYS.processed(id), KEYS.processedTotal, KEYS.payloads];
  return (await call(redis.jobCommit(keys, [id]))) === 1;
}

/** Puts every job whose lease ran out back on the queue; returns where each one was. */
export async function reap(redis: Redis, leaseMs: number): Promise<{ list: string; id: string }[]> {
  const reply = await call(
    redis.jobReap([KEYS.leases, KEYS.queue, KEYS.consumers], [String(leaseMs), String(REAP_BATCH)]),
  );
  if (!Array.isArray(reply)) throw new Error("unexpected reap reply");
  return reply.map((member) => {
    const [list = "", id = ""] = String(member).split("\0");
    return { list, id };
  });
}

/**
 * Registers `processingKey` with the reapers and puts everything in it back on the consuming
 * end of the queue, so the jobs a dead consumer held are the next ones taken. Safe only for
 * a list no live consumer is using, which is why each worker has its own.
 */
export async function recover(redis: Redis, processingKey: string): Promise<number> {
  const keys = [processingKey, KEYS.queue, KEYS.leases, KEYS.consumers];
  return Number(await call(redis.jobRecover(keys, [])));
}

/** A worker that stops cleanly, holding nothing, leaves the reapers' registry. */
export async function retire(redis: Redis, processingKey: string): Promise<void> {
  await call(redis.jobRetire([processingKey, KEYS.consumers], []));
}
