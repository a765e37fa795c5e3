/**
 * The one Redis client a process uses, and the two rules every call follows: fail at once
 * while disconnected, and give up on a reply after a short timeout. Either way the caller
 * gets a `RedisUnavailable` whose message is safe to log (the logger still redacts it).
 */
import { createClient } from "redis";
import type { Config } from "./config";
import { errorText, type Logger } from "./log";

export type Redis = ReturnType<typeof createClient>;

/** How long a request waits for a non-blocking command, PING included. */
export const COMMAND_TIMEOUT_MS = 2_000;

export class RedisUnavailable extends Error {
  override readonly name = "RedisUnavailable";
}

/** Starts connecting and returns at once; the client keeps retrying until it is closed. */
export function connectRedis(config: Config, log: Logger): Redis {
  const client = createClient({
    url: config.redisUrl,
    // Without this a command issued while reconnecting waits in a queue; a request would
    // hang until the timeout instead of getting its 503 now.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5_000,
      // node-redis also calls this after a failed AUTH (WRONGPASS), so a password rotated
      // on the server is picked up without a restart once the env matches again.
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000),
    },
  });
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
  return client;
}

export async function call<T>(p: Promise<T>, ms = COMMAND_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailable(`no reply within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (e) {
    throw e instanceof RedisUnavailable ? e : new RedisUnavailable(errorText(e));
  } finally {
    clearTimeout(timer);
  }
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
