/**
 * POST /jobs with an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) against a
 * real redis-server: a retry replays the first reply instead of queueing a second job, also
 * when the first attempt got a 503 and Redis stored the job after all; a reused key with
 * another body is refused.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { describeReal } from "../real/layer";
import { sleep } from "../real/util";
import {
  buildServer,
  request,
  startHealthyApi,
  startTestRedis,
  tearDown,
  until,
  type Reply,
  type TestRedis,
} from "./harness";

const DAY_MS = 24 * 60 * 60 * 1_000;

describeReal("example API: idempotent POST /jobs", () => {
  let script: string;
  let redis: TestRedis;
  let port: number;

  beforeAll(async () => {
    [script, redis] = await Promise.all([buildServer(), startTestRedis()]);
    ({ port } = await startHealthyApi(script, { port: redis.port, password: redis.appPassword }));
  }, 30_000);

  afterAll(() => tearDown(redis));

  beforeEach(async () => {
    await redis.admin.flushAll();
  });

  const post = (body: string, key?: string): Promise<Reply> =>
    request(
      port,
      "POST",
      "/jobs",
      body,
      false,
      key === undefined ? {} : { "idempotency-key": key },
    );
  const jobs = async () => ({
    queued: await redis.admin.lLen("jobs:queue"),
    payloads: await redis.admin.hLen("jobs:payload"),
  });

  test("retrying with the same key and body creates one job and replays its id", async () => {
    const key = randomUUID();
    const body = JSON.stringify({ n: 1 });
    const first = await post(body, key);
    expect(first.status).toBe(202);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();

    const retries = [];
    for (let i = 0; i < 3; i++) retries.push(await post(body, key));
    retries.push(...(await Promise.all(Array.from({ length: 5 }, () => post(body, key)))));
    expect(retries.map((r) => [r.status, r.json, r.headers["idempotent-replayed"]])).toEqual(
      retries.map(() => [202, { id: first.json.id }, "true"]),
    );
    expect(await jobs()).toEqual({ queued: 1, payloads: 1 });
    const ttl = await redis.admin.pTTL(`jobs:idempotency:${key}`);
    expect(ttl).toBeGreaterThan(DAY_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(DAY_MS);
  });

  test("concurrent first attempts with one key create one job; exactly one is not a replay", async () => {
    const key = randomUUID();
    const rs = await Promise.all(Array.from({ length: 8 }, () => post('{"n":2}', key)));
    expect(new Set(rs.map((r) => r.status))).toEqual(new Set([202]));
    expect(new Set(rs.map((r) => r.json.id)).size).toBe(1);
    expect(rs.filter((r) => r.headers["idempotent-replayed"] === undefined)).toHaveLength(1);
    expect(await jobs()).toEqual({ queued: 1, payloads: 1 });
  });

  test("the same key with a different body is 422 and queues nothing", async () => {
    const key = randomUUID();
    expect((await post('{"n":1}', key)).status).toBe(202);
    for (const other of ['{"n":2}', '{"n": 1}']) {
      const r = await post(other, key);
      expect(r.status).toBe(422);
      expect(r.json.error).toContain("Idempotency-Key");
    }
    expect(await jobs()).toEqual({ queued: 1, payloads: 1 });
  });

  test("an Idempotency-Key that is empty, too long or not visible ASCII is 400 naming the header", async () => {
    for (const bad of ["", "a b", "a\tb", "x".repeat(256), "caf\u00e9"]) {
      const r = await post("{}", bad);
      expect([JSON.stringify(bad).slice(0, 20), r.status]).toEqual([
        JSON.stringify(bad).slice(0, 20),
        400,
      ]);
      expect(r.json.error).toContain("Idempotency-Key");
    }
    expect(await jobs()).toEqual({ queued: 0, payloads: 0 });
    for (const good of ["x".repeat(255), "!", '"quoted"', "~^_`|{}"]) {
      expect((await post("{}", good)).status).toBe(202);
    }
    expect(await jobs()).toEqual({ queued: 4, payloads: 4 });
  });

  test("without the header every POST is a new job", async () => {
    const [a, b] = [await post("{}"), await post("{}")];
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.json.id).not.toBe(b.json.id);
    expect(await jobs()).toEqual({ queued: 2, payloads: 2 });
  });

  describe("a retry after a 503", () => {
    test("refused while Redis was down: the retry once it is back creates exactly one job", async () => {
      const key = randomUUID();
      await redis.kill();
      let refused: Reply;
      try {
        refused = await post('{"n":3}', key);
      } finally {
        await redis.restart();
      }
      await until(
        "/health 200",
        async () => (await request(port, "GET", "/health")).status === 200,
      );
      const first = await post('{"n":3}', key);
      const again = await post('{"n":3}', key);
      const seen = (r: Reply) => [r.status, r.json?.id, r.headers["idempotent-replayed"]];
      expect({
        refused: [refused.status, refused.headers["retry-after"]],
        first: seen(first),
        again: seen(again),
        jobs: await jobs(),
      }).toEqual({
        refused: [503, "1"],
        first: [202, expect.any(String), undefined],
        again: [202, first.json.id, "true"],
        jobs: { queued: 1, payloads: 1 },
      });
    });

    test("timed out while Redis was frozen and stored after all: the retry replays that job", async () => {
      const key = randomUUID();
      redis.server.child.kill("SIGSTOP");
      let timedOut: Reply;
      try {
        timedOut = await post('{"n":4}', key);
      } finally {
        redis.server.child.kill("SIGCONT");
      }
      // The command was sent before the API gave up on it, so Redis runs it on waking.
      await until("the late job", async () => (await redis.admin.lLen("jobs:queue")) === 1);
      const [stored] = await redis.admin.lRange("jobs:queue", 0, -1);
      const retry = await post('{"n":4}', key);
      await sleep(100);
      expect({
        timedOut: [timedOut.status, timedOut.headers["retry-after"]],
        retry: [retry.status, retry.json.id, retry.headers["idempotent-replayed"]],
        jobs: await jobs(),
      }).toEqual({
        timedOut: [503, "1"],
        retry: [202, stored, "true"],
        jobs: { queued: 1, payloads: 1 },
      });
    });
  });
});
