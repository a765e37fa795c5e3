/**
 * The example API's reconnect strategy: short waits with a little jitter, and no error that
 * ends the retrying. Docker's embedded DNS answers ENOTFOUND or EAI_AGAIN for `redis` while
 * that container restarts; the real node-redis client, built with the API's own options,
 * must keep trying through those and connect once the name resolves again.
 */
import type { LookupOptions } from "node:dns";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient } from "redis";
import { parseConfig } from "../../examples/api/src/config";
import {
  clientOptions,
  reconnectDelay,
  RECONNECT_CAP_MS,
  RECONNECT_JITTER_MS,
} from "../../examples/api/src/redis";
import { ConnectionTimeoutError } from "redis";
import { describeReal } from "../real/layer";
import { randomPassword } from "../real/util";
import { startTestRedis, tearDown, type TestRedis } from "./harness";

describe("reconnectDelay", () => {
  test("backs off 50, 100, 200 ms, then stays at 200 ms, each plus under 50 ms of jitter", () => {
    for (let retries = 0; retries < 40; retries++) {
      const base = Math.min(50 * 2 ** retries, RECONNECT_CAP_MS);
      for (let i = 0; i < 20; i++) {
        const ms = reconnectDelay(retries);
        expect(ms).toBeGreaterThanOrEqual(base);
        expect(ms).toBeLessThan(base + RECONNECT_JITTER_MS);
      }
    }
    expect(new Set(Array.from({ length: 50 }, () => reconnectDelay(9))).size).toBeGreaterThan(1);
  });

  test("retries at once after a connect that timed out, which has already waited its timeout", () => {
    expect(reconnectDelay(9, new ConnectionTimeoutError())).toBe(0);
    expect(reconnectDelay(9, new Error("connect ECONNREFUSED"))).toBeGreaterThanOrEqual(
      RECONNECT_CAP_MS,
    );
  });
});

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

describeReal("the API's Redis client while DNS fails", () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  }, 30_000);

  afterAll(() => tearDown(redis));

  test("retries through ENOTFOUND and EAI_AGAIN and connects once the name resolves", async () => {
    const parsed = parseConfig({
      REDIS_URL: `redis://default:${redis.appPassword}@redis:${redis.port}`,
      SECRET_KEY: randomPassword() + randomPassword(),
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const failures = ["ENOTFOUND", "ENOTFOUND", "EAI_AGAIN", "ENOTFOUND", "EAI_AGAIN"];
    const asked: string[] = [];
    // What net.connect calls to resolve the host: the first answers fail, as Docker's DNS
    // does while the container is away, then `redis` is 127.0.0.1 again.
    const lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => {
      asked.push(hostname);
      const code = failures.shift();
      if (code !== undefined) {
        const err: NodeJS.ErrnoException = new Error(`getaddrinfo ${code} ${hostname}`);
        Object.assign(err, { code, syscall: "getaddrinfo", hostname });
        return process.nextTick(() => callback(err, ""));
      }
      process.nextTick(() =>
        options.all
          ? callback(null, [{ address: "127.0.0.1", family: 4 }])
          : callback(null, "127.0.0.1", 4),
      );
    };
    const options = clientOptions(parsed.config);
    const client = createClient({ ...options, socket: { ...options.socket, lookup } });
    const errors: string[] = [];
    client.on("error", (e: Error & { code?: string }) => errors.push(e.code ?? e.message));
    const started = performance.now();
    try {
      await client.connect();
      expect(await client.ping()).toBe("PONG");
    } finally {
      client.destroy();
    }
    expect(asked).toEqual(Array.from({ length: 6 }, () => "redis"));
    expect(errors).toEqual(["ENOTFOUND", "ENOTFOUND", "EAI_AGAIN", "ENOTFOUND", "EAI_AGAIN"]);
    // Five waits of at most 250 ms each.
    expect(performance.now() - started).toBeLessThan(5 * 250 + 500);
  });
});
