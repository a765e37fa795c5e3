/**
 * Worker mode of the bundled example API against a real redis-server: jobs enqueued over
 * HTTP are each processed exactly once by two workers, and a worker SIGKILLed mid-job loses
 * nothing: on restart it re-queues its own processing list, and only its own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { describeReal } from "../real/layer";
import { freePort, run, sleep, tempDir } from "../real/util";
import {
  apiEnv,
  buildServer,
  tearDown,
  request,
  startServer,
  startTestRedis,
  until,
  type ServerProcess,
  type TestRedis,
} from "./harness";

describeReal("example API worker mode", () => {
  let script: string;
  let redis: TestRedis;
  let apiPort: number;
  let dir: string;

  beforeAll(async () => {
    [script, redis] = await Promise.all([buildServer(), startTestRedis()]);
    dir = tempDir("example-api-worker-");
    apiPort = await freePort();
    const api = startServer(script, env({ PORT: String(apiPort) }));
    await api.waitForLog("ready");
  }, 30_000);

  afterAll(() => tearDown(redis));

  beforeEach(async () => {
    await redis.admin.flushAll();
  });

  function env(extra: Record<string, string>): NodeJS.ProcessEnv {
    return apiEnv({ port: redis.port, password: redis.appPassword }, extra);
  }

  async function worker(id: string, extra: Record<string, string> = {}, viaArg = true) {
    const w = startServer(
      script,
      env({
        WORKER_ID: id,
        HEARTBEAT_FILE: join(dir, `${id}.heartbeat`),
        LOG_LEVEL: "debug",
        ...(viaArg ? {} : { MODE: "worker" }),
        ...extra,
      }),
      viaArg ? ["worker"] : [],
    );
    await w.waitForLog("ready");
    return w;
  }

  async function enqueue(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 20) {
      const batch = Array.from({ length: Math.min(20, n - i) }, (_, k) =>
        request(apiPort, "POST", "/jobs", JSON.stringify({ n: i + k })),
      );
      for (const r of await Promise.all(batch)) {
        expect(r.status).toBe(202);
        ids.push(r.json.id as string);
      }
    }
    return ids;
  }

  const total = async () => Number((await redis.admin.get("jobs:processed:total")) ?? 0);
  const done = (w: ServerProcess) => w.logs().filter((l) => l.msg === "job done");

  /** Every job counted exactly once, and nothing left in any list or in the payload hash. */
  async function expectEachProcessedOnce(ids: string[], workerIds: string[]) {
    expect(await total()).toBe(ids.length);
    const counts = await redis.admin.mGet(ids.map((id) => `jobs:processed:${id}`));
    expect(counts.filter((c) => c !== "1")).toEqual([]);
    expect(await redis.admin.lLen("jobs:queue")).toBe(0);
    for (const w of workerIds) expect(await redis.admin.lLen(`jobs:processing:${w}`)).toBe(0);
    expect(await redis.admin.hLen("jobs:payload")).toBe(0);
  }

  test("two workers process 200 jobs, each exactly once, and beat every second", async () => {
    const [a, b] = await Promise.all([worker("w-a"), worker("w-b", {}, false)]);
    const ids = await enqueue(200);
    await until("200 jobs processed", async () => (await total()) >= 200, 15_000);
    await expectEachProcessedOnce(ids, ["w-a", "w-b"]);

    for (const w of ["w-a", "w-b"]) {
      const beat = Number(readFileSync(join(dir, `${w}.heartbeat`), "utf8"));
      expect(Math.abs(Date.now() / 1_000 - beat)).toBeLessThan(3);
    }
    // The command healthcheck examples/api/README.md suggests, on this worker's file.
    const probe = (file: string) =>
      run("/bin/sh", ["-c", `test $(( $(date +%s) - $(cat ${file}) )) -lt 10`]);
    expect((await probe(join(dir, "w-a.heartbeat"))).code).toBe(0);
    expect((await probe(join(dir, "missing.heartbeat"))).code).not.toBe(0);
    // Idle workers still beat: BLMOVE times out every second and the loop writes again.
    const before = readFileSync(join(dir, "w-a.heartbeat"), "utf8");
    await until(
      "a new heartbeat",
      () => readFileSync(join(dir, "w-a.heartbeat"), "utf8") !== before,
      3_000,
    );

    a.kill("SIGTERM");
    b.kill("SIGTERM");
    expect([(await a.exited).code, (await b.exited).code]).toEqual([0, 0]);
    // Read once both have exited, so every "job done" line has arrived.
    const byA = done(a).map((l) => l.id);
    const byB = done(b).map((l) => l.id);
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    expect(byA.length + byB.length).toBe(200);
    expect(new Set([...byA, ...byB]).size).toBe(200);
  });

  test("a worker SIGKILLed mid-job loses nothing: its restart re-queues its own list, not another's", async () => {
    const slow = { JOB_WORK_MS: "500" };
    const [a, b] = await Promise.all([worker("w-kill", slow), worker("w-other", slow)]);
    const ids = await enqueue(10);

    // Just after a commit the worker has taken its next job and is inside the 500 ms of work.
    await until("a first job done by w-kill", () => done(a).length > 0);
    await sleep(100);
    a.kill("SIGKILL");
    await a.exited;
    const held = await redis.admin.lRange("jobs:processing:w-kill", 0, -1);
    expect(held).toHaveLength(1);
    expect(await redis.admin.get(`jobs:processed:${held[0]}`)).toBeNull();

    const again = await worker("w-kill");
    expect(again.logs().find((l) => l.msg === "re-queued jobs a previous run held")).toMatchObject({
      count: 1,
      list: "jobs:processing:w-kill",
    });
    await until("10 jobs processed", async () => (await total()) >= 10, 10_000);
    // w-other's job in hand commits within its 500 ms; then nothing is left anywhere.
    await until(
      "w-other idle",
      async () => (await redis.admin.lLen("jobs:processing:w-other")) === 0,
    );
    await expectEachProcessedOnce(ids, ["w-kill", "w-other"]);
    expect(done(again).map((l) => l.id)).toContain(held[0]);

    // SIGTERM mid-job: the job in hand is finished and committed before the exit.
    again.kill("SIGTERM");
    await again.exited;
    const [last] = await enqueue(1);
    await until(
      "w-other to take the job",
      async () => (await redis.admin.lLen("jobs:processing:w-other")) === 1,
    );
    b.kill("SIGTERM");
    expect((await b.exited).code).toBe(0);
    expect(await redis.admin.get(`jobs:processed:${last}`)).toBe("1");
    expect(await redis.admin.lLen("jobs:processing:w-other")).toBe(0);
  });
});
