/**
 * The job queue, shared by the HTTP endpoints and the worker. A job is an id on a list; its
 * payload lives in a hash under the same id, so an ack can name the exact list element to
 * remove. Consumers move an id from the queue into their own processing list (LMOVE), so a
 * consumer that dies mid-job leaves the id there instead of losing it
 * (https://redis.io/docs/latest/commands/lmove/, "Pattern: Reliable queue").
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
  processed: (id: string) => `jobs:processed:${id}`,
  processedTotal: "jobs:processed:total",
  counter: "counter",
} as const;

export interface Job {
  readonly id: string;
  readonly payload: unknown;
}

/** Stores `payloadJson` (already validated JSON) and queues its id, atomically. */
export async function enqueue(redis: Redis, payloadJson: string): Promise<string> {
  const id = randomUUID();
  await call(redis.multi().hSet(KEYS.payloads, id, payloadJson).lPush(KEYS.queue, id).exec());
  return id;
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

/**
 * Puts everything in `processingKey` back on the consuming end of the queue, oldest first,
 * so the jobs a dead consumer held are the next ones taken. Safe only for a list no live
 * consumer is using, which is why each worker has its own.
 */
export async function requeue(redis: Redis, processingKey: string): Promise<number> {
  let moved = 0;
  while ((await call(redis.lMove(processingKey, KEYS.queue, "LEFT", "RIGHT"))) !== null) moved++;
  return moved;
}
