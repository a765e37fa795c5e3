/**
 * The bundled example API while its Redis is away (issue 26): every route, POST /jobs and
 * the worker's commit included, fails at once instead of waiting for the reconnect; a
 * refused request is never stored afterwards; each 503 says when to retry; and the API
 * serves again within 0.5 s of Redis answering.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { REDIS_USERS } from "../../components/lib/redis-conf";
import { describeReal } from "../real/layer";
import { freePort, sleep } from "../real/util";
import {
  apiEnv,
  buildServer,
  request,
  startServer,
  startTestRedis,
  tearDown,
  until,
  type ServerProcess,
  type TestRedis,
} from "./harness";
import { startProxy, type RedisProxy } from "./proxy";

/** Resolves with the moment redis-server first answers an authenticated PING. */
async function pongAt(port: number, password: string): Promise<number> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      let data = "";
      const done = (v: boolean) => {
        s.destroy();
        resolve(v);
      };
      s.on("connect", () => s.write(`AUTH ${REDIS_USERS.app} ${password}\r\nPING\r\n`));
      s.on("data", (b: Buffer) => {
        data += b.toString();
        if (data.includes("+PONG")) done(true);
        else if (data.includes("-")) done(false);
      });
      s.on("error", () => done(false));
      s.setTimeout(1_000, () => done(false));
    });
    if (ok) return performance.now();
    await sleep(5);
  }
}

/** Resolves with the moment the API first answers POST /counter with a 200. */
async function servedAt(port: number, seen503: { retryAfter: (string | undefined)[] }) {
  for (;;) {
    const r = await request(port, "POST", "/counter");
    if (r.status === 200) return performance.now();
    if (r.status === 503) seen503.retryAfter.push(r.headers["retry-after"]);
    await sleep(5);
  }
}

describeReal("example API while Redis is away", () => {
  let script: string;
  let redis: TestRedis;
  let proxy: RedisProxy;

  beforeAll(async () => {
    [script, redis] = await Promise.all([buildServer(), startTestRedis()]);
    proxy = await startProxy(redis.port);
  }, 30_000);

  afterAll(async () => {
    await proxy.close();
    await tearDown(redis);
  });

  beforeEach(async () => {
    proxy.release();
    await redis.admin.flushAll();
  });

  async function api(redisPort: number): Promise<{ port: number; s: ServerProcess }> {
    const port = await freePort();
    const s = startServer(
      script,
      apiEnv({ port: redisPort, password: redis.appPassword }, { PORT: String(port) }),
    );
    await s.waitForLog("ready");
    await until("/health 200", async () => (await request(port, "GET", "/health")).status === 200);
    return { port, s };
  }

  test("POST /jobs fails at once while the client reconnects, and a refused job is never stored", async () => {
    const { port, s } = await api(proxy.port);
    // The API's connection drops; its reconnect is accepted but the handshake gets no reply,
    // so the client is open and not ready for as long as the proxy holds.
    proxy.hold();
    await until(
      "the API to notice",
      async () => (await request(port, "POST", "/counter")).status === 503,
    );

    const timed = async (path: string) => {
      const started = performance.now();
      const r = await request(port, "POST", path, JSON.stringify({ n: 1 }));
      return { status: r.status, ms: Math.round(performance.now() - started) };
    };
    const counter = await timed("/counter");
    const job = await timed("/jobs");
    // Past the API's 2 s command timeout: a write it had queued instead of refusing would
    // have been answered with a 503 by now, and would still run once Redis answers.
    await sleep(2_500);
    proxy.release();
    await until("/health 200", async () => (await request(port, "GET", "/health")).status === 200);
    // PING answered on the same connection, after anything the client had queued before it.
    const stored = {
      queued: await redis.admin.lLen("jobs:queue"),
      payloads: await redis.admin.hLen("jobs:payload"),
    };
    expect({ counter, job, stored }).toEqual({
      counter: { status: 503, ms: expect.toSatisfy((ms: number) => ms < 500) },
      job: { status: 503, ms: expect.toSatisfy((ms: number) => ms < 500) },
      stored: { queued: 0, payloads: 0 },
    });
    s.kill();
    await s.exited;
  });

  test("the worker's commit fails at once while the client reconnects, and the job is done once later", async () => {
    const { port } = await api(redis.port);
    const w = startServer(
      script,
      apiEnv(
        { port: proxy.port, password: redis.appPassword },
        { WORKER_ID: "w-hold", JOB_WORK_MS: "800", LOG_LEVEL: "debug" },
      ),
      ["worker"],
    );
    await w.waitForLog("ready");
    const { id } = (await request(port, "POST", "/jobs", JSON.stringify({ n: 1 }))).json as {
      id: string;
    };
    await until(
      "w-hold to take the job",
      async () => (await redis.admin.lLen("jobs:processing:w-hold")) === 1,
    );
    // Into the 800 ms of work, past the payload read: the next command is the commit.
    await sleep(200);
    const held = performance.now();
    proxy.hold();
    const error = await w.waitForLog("worker error", 5_000);
    const errorAfterMs = Math.round(performance.now() - held);
    proxy.release();
    await until(
      "the job to be done",
      async () => (await redis.admin.get("jobs:processed:total")) === "1",
    );
    expect({ errorAfterMs, error: error.error }).toEqual({
      // At most 600 ms of work left, then a commit that must not wait for the reconnect (nor
      // for its own 2 s timeout).
      errorAfterMs: expect.toSatisfy((ms: number) => ms < 600 + 500),
      error: expect.stringMatching(/offline/i),
    });
    expect(await redis.admin.get(`jobs:processed:${id}`)).toBe("1");
    w.kill();
    expect((await w.exited).code).toBe(0);
    expect(await redis.admin.lLen("jobs:processing:w-hold")).toBe(0);
    expect(await redis.admin.lLen("jobs:queue")).toBe(0);
  });

  test("serves again within 0.5 s of Redis answering, and every 503 meanwhile says Retry-After: 1", async () => {
    const { port, s } = await api(redis.port);
    const seen503 = { retryAfter: [] as (string | undefined)[] };
    const gaps: number[] = [];
    // 1.6 s lands just after the old strategy's attempt at 0.1+0.2+0.4+0.8 = 1.5 s; its next
    // one came 1.6 s later.
    for (const outageMs of [1_000, 1_600]) {
      await redis.kill();
      await until(
        "the API to notice",
        async () => (await request(port, "POST", "/counter")).status === 503,
      );
      await sleep(outageMs);
      const [pong, served] = await Promise.all([
        pongAt(redis.port, redis.appPassword),
        servedAt(port, seen503),
        redis.restart(),
      ]);
      gaps.push(Math.round(served - pong));
    }
    expect(gaps.filter((ms) => ms > 500)).toEqual([]);
    expect(seen503.retryAfter.length).toBeGreaterThan(0);
    expect(new Set(seen503.retryAfter)).toEqual(new Set(["1"]));
    s.kill();
    await s.exited;
  });
});
