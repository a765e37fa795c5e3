/**
 * Worker mode: BLMOVE a job from the queue into this worker's own processing list, lease
 * it, do the work, then commit: one Lua script records the result and removes the job, and
 * does either only if the job is still in this worker's list. A worker killed at any point
 * either committed or not, and in the second case the job is still in its list, where its
 * restart or, once the lease runs out, any other worker puts it back on the queue. A worker
 * that was frozen past its lease finds its job gone and records nothing. So Redis-side
 * effects happen exactly once. (Work with effects outside Redis would be at-least-once and
 * should be idempotent.)
 *
 * The lease is renewed every third of JOB_LEASE_MS while the worker works, so the lease
 * bounds how long a worker may stop answering (frozen, cut off from Redis, its event loop
 * blocked), not how long a job may take. Every worker, idle or busy, reaps expired leases
 * about once a second.
 */
import { renameSync, writeFileSync } from "node:fs";
import type { Config } from "./config";
import { commit, KEYS, lease, payloadOf, reap, recover, retire } from "./jobs";
import { errorText, type Logger } from "./log";
import { createWorkerMetrics, serveMetrics } from "./metrics";
import { counted, type Redis } from "./redis";
import type { Service } from "./service";

/** BLMOVE's timeout: how often an idle worker wakes to beat, reap and check for a stop. */
const BLOCK_SECONDS = 1;
/**
 * A scrape's LLEN goes out on the worker's one connection, so on an idle worker it waits behind
 * the BLMOVE in progress: up to BLOCK_SECONDS, then a second more for the reply.
 */
const QUEUE_DEPTH_TIMEOUT_MS = (BLOCK_SECONDS + 1) * 1_000;
const HEARTBEAT_EVERY_MS = 1_000;
const RETRY_MS = 1_000;
/** About once a second; a little under, so an idle loop's 1 s BLMOVE never skips a turn. */
const REAP_EVERY_MS = 900;

export function startWorker(config: Config, log: Logger, redis: Redis): Service {
  const metrics = createWorkerMetrics(redis, QUEUE_DEPTH_TIMEOUT_MS);
  const metricsServer = serveMetrics(metrics.register, config.metricsPort, config.host, log);
  const mine = KEYS.workerProcessing(config.workerId);
  const renewEveryMs = Math.floor(config.jobLeaseMs / 3);
  let stopping = false;
  let busy = false;
  let lastBeat = 0;
  let lastReap = 0;
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
      // Only once the file is written, so the metric and the container's healthcheck agree.
      metrics.heartbeat(now);
    } catch (e) {
      if (!heartbeatBroken) log.warn("cannot write heartbeat", { error: errorText(e) });
      heartbeatBroken = true;
    }
  };

  /** Every worker reaps, idle or busy, so a job comes back even while all the others work. */
  const maybeReap = async (): Promise<void> => {
    if (Date.now() - lastReap < REAP_EVERY_MS) return;
    lastReap = Date.now();
    try {
      for (const { list, id } of await reap(redis, config.jobLeaseMs))
        log.warn("re-queued a job whose lease ran out", { id, list });
    } catch (e) {
      log.debug("reap failed", { error: errorText(e) });
    }
  };

  const work = async (id: string): Promise<void> => {
    // Until this lease is written a reaper leases the job from when it first sees it.
    if (!(await lease(redis, mine, id, config.jobLeaseMs))) {
      log.warn("job lease lost", { id, worker: config.workerId, leaseMs: config.jobLeaseMs });
      return;
    }
    let renewing = false;
    let renewed = Date.now();
    const renew = async (): Promise<void> => {
      if (renewing || Date.now() - renewed < renewEveryMs) return;
      renewing = true;
      renewed = Date.now();
      try {
        // A renewal that finds the job gone changes nothing: the commit will find it gone too.
        await lease(redis, mine, id, config.jobLeaseMs);
      } catch (e) {
        log.debug("lease renewal failed", { id, error: errorText(e) });
      } finally {
        renewing = false;
      }
    };
    // Ticks at least twice per renewal, so a renewal is never more than half a period late.
    const tickMs = Math.min(Math.floor(renewEveryMs / 2), REAP_EVERY_MS);
    const tick = setInterval(() => void renew().then(maybeReap), tickMs);
    try {
      // The "work": read the payload, as a real job would, and optionally take a while.
      const payload = await payloadOf(redis, id);
      if (config.jobWorkMs > 0) await sleep(config.jobWorkMs);
      if (await commit(redis, mine, id)) {
        metrics.jobProcessed();
        log.debug("job done", {
          id,
          worker: config.workerId,
          bytes: JSON.stringify(payload).length,
        });
      } else {
        log.warn("job lease lost", { id, worker: config.workerId, leaseMs: config.jobLeaseMs });
      }
    } finally {
      clearInterval(tick);
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopping && !redis.isReady) await sleep(50);
    // Anything in our list was taken by a previous run of this worker that died mid-job.
    let recovering = true;
    let announced = false;
    while (!stopping) {
      try {
        if (recovering) {
          const moved = await recover(redis, mine);
          if (moved > 0)
            log.warn("re-queued jobs a previous run held", { count: moved, list: mine });
          recovering = false;
        }
        if (!announced) {
          log.info("ready", { mode: "worker", worker: config.workerId });
          announced = true;
        }
        await maybeReap();
        // Not wrapped in `call`: a timed-out BLMOVE may still move a job after we gave up
        // on it. A connection that hangs instead stops the heartbeat and the lease renewals:
        // the job goes back to the queue when its lease runs out, or at the restart.
        const id = await counted(redis.blMove(KEYS.queue, mine, "RIGHT", "LEFT", BLOCK_SECONDS));
        beat();
        if (id === null) continue;
        busy = true;
        await work(id).catch((e: unknown) => {
          // A lost lease returns instead: the job is someone else's now, neither done nor failed.
          metrics.jobFailed();
          throw e;
        });
      } catch (e) {
        // The job may or may not have committed; if not, it is still in our list.
        recovering = true;
        log.warn("worker error", { error: errorText(e) });
        await pause(RETRY_MS);
      } finally {
        busy = false;
      }
    }
    await retire(redis, mine).catch(() => undefined);
  };
  const done = loop();

  return {
    inFlight: () => (busy ? 1 : 0),
    stop() {
      stopping = true;
      // Closed after the last job, so its count can still be scraped while it finishes.
      return done.then(() => metricsServer.close());
    },
    abort: () => undefined,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
