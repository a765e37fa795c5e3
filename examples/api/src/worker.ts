/**
 * Worker mode: BLMOVE a job from the queue into this worker's own processing list, do the
 * work, then record the result and remove the job in one MULTI/EXEC. Because the result and
 * the removal commit together, a worker killed at any point either did both or neither, and
 * the job is still in its list for the restart to re-queue: Redis-side effects happen exactly
 * once. (Work with effects outside Redis would be at-least-once and should be idempotent.)
 */
import { renameSync, writeFileSync } from "node:fs";
import type { Config } from "./config";
import { KEYS, payloadOf, requeue } from "./jobs";
import { errorText, type Logger } from "./log";
import { call, type Redis } from "./redis";
import type { Service } from "./service";

/** BLMOVE's timeout: how often an idle worker wakes to beat and to check for a stop. */
const BLOCK_SECONDS = 1;
const HEARTBEAT_EVERY_MS = 1_000;
const RETRY_MS = 1_000;

export function startWorker(config: Config, log: Logger, redis: Redis): Service {
  const mine = KEYS.workerProcessing(config.workerId);
  let stopping = false;
  let busy = false;
  let lastBeat = 0;
  let heartbeatBroken = false;

  const pause = async (ms: number): Promise<void> => {
    for (const end = Date.now() + ms; !stopping && Date.now() < end;) await sleep(50);
  };

  /**
   * Unix seconds, written to a temp file and renamed, so a healthcheck never reads a
   * half-written file. Written only after Redis answered, so a stale file means "stuck or
   * cut off from Redis", either of which a restart may fix.
   */
  const beat = (): void => {
    const now = Date.now();
    if (now - lastBeat < HEARTBEAT_EVERY_MS) return;
    lastBeat = now;
    try {
      writeFileSync(`${config.heartbeatFile}.tmp`, `${Math.floor(now / 1_000)}\n`);
      renameSync(`${config.heartbeatFile}.tmp`, config.heartbeatFile);
    } catch (e) {
      if (!heartbeatBroken) log.warn("cannot write heartbeat", { error: errorText(e) });
      heartbeatBroken = true;
    }
  };

  const work = async (id: string): Promise<void> => {
    // The "work": read the payload, as a real job would, and optionally take a while.
    const payload = await payloadOf(redis, id);
    if (config.jobWorkMs > 0) await sleep(config.jobWorkMs);
    await call(
      redis
        .multi()
        .incr(KEYS.processed(id))
        .incr(KEYS.processedTotal)
        .lRem(mine, 1, id)
        .hDel(KEYS.payloads, id)
        .exec(),
    );
    log.debug("job done", { id, worker: config.workerId, bytes: JSON.stringify(payload).length });
  };

  const loop = async (): Promise<void> => {
    while (!stopping && !redis.isReady) await sleep(50);
    // Anything in our list was taken by a previous run of this worker that died mid-job.
    let recover = true;
    let announced = false;
    while (!stopping) {
      try {
        if (recover) {
          const moved = await requeue(redis, mine);
          if (moved > 0)
            log.warn("re-queued jobs a previous run held", { count: moved, list: mine });
          recover = false;
        }
        if (!announced) {
          log.info("ready", { mode: "worker", worker: config.workerId });
          announced = true;
        }
        // Not wrapped in `call`: a timed-out BLMOVE may still move a job after we gave up
        // on it. A connection that hangs instead stops the heartbeat, and the restart that
        // follows re-queues the job.
        const id = await redis.blMove(KEYS.queue, mine, "RIGHT", "LEFT", BLOCK_SECONDS);
        beat();
        if (id === null) continue;
        busy = true;
        await work(id);
      } catch (e) {
        // The job may or may not have committed; if not, it is still in our list.
        recover = true;
        log.warn("worker error", { error: errorText(e) });
        await pause(RETRY_MS);
      } finally {
        busy = false;
      }
    }
  };
  const done = loop();

  return {
    inFlight: () => (busy ? 1 : 0),
    stop() {
      stopping = true;
      return done;
    },
    abort: () => undefined,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
