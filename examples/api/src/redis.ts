/**
 * The one Redis client a process uses, and the two rules every call follows: fail at once
 * while disconnected, and give up on a reply after a short timeout. Either way the caller
 * gets a `RedisUnavailable` whose message is safe to log (the logger still redacts it).
 *
 * Fail at once means through sendCommand. In node-redis 5.12.1 (redis/node-redis, tag
 * redis@5.12.1, packages/client/lib/client/index.ts) `sendCommand` rejects with
 * ClientOfflineError when the socket is not ready and `disableOfflineQueue` is set (lines
 * 1177-1182), but `_executeMulti`, behind `.multi().exec()`, checks only `isOpen` (lines
 * 1465-1467) and queues MULTI/EXEC until the reconnect succeeds or fails. So this example
 * runs no MULTI: every atomic step is a Lua script (scripts.ts), which `_executeScript`
 * sends as EVALSHA, then EVAL on NOSCRIPT, both through `sendCommand` (lines 1145-1167).
 */
import { ConnectionTimeoutError, createClient, ErrorReply } from "redis";
import type { Config } from "./config";
import { errorText, type Logger } from "./log";
import { SCRIPTS } from "./scripts";

/** How long a request waits for a non-blocking command, PING included. */
export const COMMAND_TIMEOUT_MS = 2_000;
/** The longest wait between two reconnect attempts, before jitter. */
export const RECONNECT_CAP_MS = 200;
export const RECONNECT_JITTER_MS = 50;

export class RedisUnavailable extends Error {
  override readonly name: string = "RedisUnavailable";
}

/**
 * Redis is up but refused a write: used memory is past `maxmemory` and the policy is
 * `noeviction`, so every command that may add memory gets an `OOM command not allowed …`
 * error reply (redis.io, "Key eviction": "noeviction: … an error is returned"). A script is
 * refused at its first command that may add memory (the reply then ends in ` script: <sha>,
 * on @user_script:<line>.`), so one that only removes, like the worker's commit, still runs.
 * Reads and deletes still work.
 */
export class RedisFull extends RedisUnavailable {
  override readonly name = "RedisFull";
}

/**
 * Milliseconds until the next connect attempt after a failed one: 50, 100, 200, 200, … plus up
 * to 50 ms of jitter (the first attempt after a live connection drops is made at once: node-redis
 * asks this only whether to reconnect, and ignores the delay; socket.ts lines 344-347), so replicas that lost Redis together do not reconnect in lockstep. A refused
 * connect or a failed DNS lookup costs next to nothing, and a short cap means the API
 * serves again within about a quarter of a second of Redis answering.
 *
 * It never gives up, whatever the cause. node-redis passes every connect error to this
 * function, a DNS failure included (Docker's embedded DNS answers ENOTFOUND or EAI_AGAIN for
 * `redis` while that container restarts), and ends its retry loop only if it returns false
 * or an Error (packages/client/lib/client/socket.ts at redis@5.12.1: `#connect`, lines
 * 262-272, and `#shouldReconnect`, lines 205-217). Its default strategy, which we replace,
 * also stops on a socket timeout (`defaultReconnectStrategy`, lines 418-421). node-redis also
 * calls this after a failed AUTH (WRONGPASS), so a password rotated on the server is picked
 * up without a restart once the env matches again.
 */
export function reconnectDelay(retries: number, cause?: unknown): number {
  // A connect that timed out has already waited REDIS_CONNECT_TIMEOUT_MS: try again at once.
  if (cause instanceof ConnectionTimeoutError) return 0;
  return (
    Math.min(50 * 2 ** retries, RECONNECT_CAP_MS) + Math.floor(Math.random() * RECONNECT_JITTER_MS)
  );
}

export function clientOptions(config: Config) {
  return {
    url: config.redisUrl,
    // Without this a command issued while reconnecting waits in a queue; a request would
    // hang until the timeout instead of getting its 503 now.
    disableOfflineQueue: true,
    scripts: SCRIPTS,
    // Short, so a lost SYN costs this much and not the kernel's 1 s retransmission: when
    // Redis's container restarts, Docker's DNS names it again a moment before its new endpoint
    // answers, and the first SYN sent in that moment is dropped (measured in layer 5: the
    // replicas came back about 0.85 s after Redis was ready; test/docker/chaos.test.ts). It is
    // an idle timer (node-redis socket.ts, #createSocket: socket.setTimeout(connectTimeout)), so
    // it bounds the DNS lookup, the TCP connect and each TLS handshake reply separately, not the
    // whole connect; Redis's own AUTH/HELLO exchange after it has no timeout of its own.
    socket: { connectTimeout: config.redisConnectTimeoutMs, reconnectStrategy: reconnectDelay },
  };
}

function newClient(config: Config) {
  return createClient(clientOptions(config));
}

export type Redis = ReturnType<typeof newClient>;

/** Starts connecting and returns at once; the client keeps retrying until it is closed. */
export function connectRedis(config: Config, log: Logger): Redis {
  const client = newClient(config);
  let lastError = "";
  client.on("error", (e: unknown) => {
    const text = errorText(e);
    // The same error repeats on every retry; one line per change is enough.
    if (text === lastError) return;
    lastError = text;
    log.warn("redis error", { error: text });
  });
  client.on("ready", () => {
    lastError = "";
    log.info("redis ready", { host: config.redis.host, port: config.redis.port });
  });
  // A failed first connect is reported by the "error" event and retried by the strategy.
  client.connect().catch(() => undefined);
  onReadOnly = () => {
    if (reconnecting || !client.isOpen) return;
    reconnecting = true;
    log.warn("redis answered READONLY: reconnecting");
    // destroy() fails what is in flight (503s) and closes the socket; connect() then resolves
    // the endpoint again and retries with the strategy until it reaches the new primary.
    client.destroy();
    client
      .connect()
      .catch(() => undefined)
      .finally(() => (reconnecting = false));
  };
  return client;
}

/**
 * After a failover (ElastiCache's, or a Sentinel's), the old primary is a replica and answers
 * writes with READONLY, while its DNS name already points at the new one. node-redis reconnects
 * when a connection drops, not on a reply (a replica does not close its clients when it is
 * demoted: test/example-api/failover.test.ts), so the process drops the connection itself, once
 * per episode. There is one client per process, so this is module state.
 */
let onReadOnly: (() => void) | undefined;
let reconnecting = false;

/**
 * Error replies that mean "not now" rather than "not this": still loading the dataset, busy
 * in a script, a replica after a failover, unable to write its files, or a cluster in
 * transition (redis.io, "Redis error replies"; the prefixes are the first word of the reply).
 */
const UNAVAILABLE_REPLY =
  /^(LOADING|BUSY|MASTERDOWN|READONLY|MISCONF|TRYAGAIN|CLUSTERDOWN|NOAUTH|NOREPLICAS) /;

/**
 * Told of every Redis operation a request or a job attempts: undefined when it succeeded,
 * else the error its caller gets (metrics.ts counts them). Module state for the reason
 * `onReadOnly` is: one client per process.
 */
let observer: ((error: unknown) => void) | undefined;

export function observeRedisCalls(fn: ((error: unknown) => void) | undefined): void {
  observer = fn;
}

/**
 * Whether a failed call means Redis cannot serve right now, so retrying later will help: no
 * reply at all (offline, refused, closed, timed out) or a "not now" reply (LOADING, READONLY,
 * …). The API answers these `503 redis unavailable`, and metrics.ts counts them as
 * `db_connection_failures_total`, so the alert and the clients see the same thing. A full Redis
 * (OOM) is not one of them: it answers, and reads still work. Nor is an error in the request.
 */
export function isRedisUnavailable(e: unknown): e is RedisUnavailable {
  return e instanceof RedisUnavailable && !(e instanceof RedisFull);
}

/**
 * Reports `p` to the observer as one Redis operation. `call` does this for every command; the
 * worker's BLMOVE, which must not time out, comes here directly. Its error is classified for
 * the observer only: the caller gets it as it came.
 */
export async function counted<T>(p: Promise<T>): Promise<T> {
  try {
    const reply = await p;
    observer?.(undefined);
    return reply;
  } catch (e) {
    observer?.(classify(e));
    throw e;
  }
}

export async function call<T>(p: Promise<T>, ms = COMMAND_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailable(`no reply within ${ms} ms`)), ms);
  });
  try {
    return await counted(
      Promise.race([p, timeout]).catch((e: unknown) => {
        if (e instanceof ErrorReply && e.message.startsWith("READONLY ")) onReadOnly?.();
        throw classify(e);
      }),
    );
  } finally {
    clearTimeout(timer);
  }
}

/** What a failed command means: RedisFull, RedisUnavailable, or the error as it came. */
function classify(e: unknown): unknown {
  if (e instanceof RedisUnavailable) return e;
  if (e instanceof ErrorReply) {
    if (e.message.startsWith("OOM ")) return new RedisFull(errorText(e));
    if (UNAVAILABLE_REPLY.test(e.message)) return new RedisUnavailable(errorText(e));
    // WRONGTYPE, a script error, NOPERM: the request is wrong, not Redis. Retrying will not
    // help, so it is the caller's logged 500, not a 503 that tells clients to come back.
    return e;
  }
  // Offline, closed, a socket that dropped: no reply at all.
  return new RedisUnavailable(errorText(e));
}

/** Closes the client, waiting at most `ms` for replies still owed. */
export async function closeRedis(client: Redis, ms = 1_000): Promise<void> {
  if (!client.isOpen) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.close().catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
  if (client.isOpen) client.destroy();
}
