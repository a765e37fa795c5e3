/**
 * Job leases (JOB_LEASE_MS) in worker mode against a real redis-server: a job whose worker
 * stops answering, frozen or dead and never restarted, goes back to the queue once its lease
 * runs out and another worker does it; a frozen worker that wakes afterwards records
 * nothing, so each job's Redis-side effects still happen exactly once.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { describeReal } from "../real/layer";
import { freePort, sleep, tempDir } from "../real/util";
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

const LEASE = { JOB_LEASE_MS: "1500" };

describeReal("example API worker leases", () => {
  let script: string;
  let redis: TestRedis;
  let apiPort: number;
  let dir: string;
  const workers: ServerProcess[] = [];

  beforeAll(async () => {
    [script, redis] = await Promise.all([buildServer(), startTestRedis()]);
    dir = tempDir("example-api-lease-");
    apiPort = await freePort();
    const api = startServer(
      script,
      apiEnv({ port: redis.port, password: redis.appPassword }, { PORT: String(apiPort) }),
    );
    await api.waitForLog("ready");
  }, 30_000);

  afterAll(() => tearDown(redis));

  beforeEach(async () => {
    await redis.admin.flushAll();
  });

  // A failed test must not leave its workers taking the next test's jobs.
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      w.kill("SIGCONT");
      w.kill("SIGKILL");
      await w.exited;
    }
  });

  async function worker(id: string, extra: Record<string, string>): Promise<ServerProcess> {
    const w = startServer(
      script,
      apiEnv(
        { port: redis.port, password: redis.appPassword },
        { WORKER_ID: id, HEARTBEAT_FILE: join(dir, id), LOG_LEVEL: "debug", ...extra },
      ),
      ["worker"],
    );
    workers.push(w);
    await w.waitForLog("ready");
    return w;
  }

  async function enqueue(n: number): Promise<string> {
    const r = await request(apiPort, "POST", "/jobs", JSON.stringify({ n }));
    expect(r.status).toBe(202);
    return r.json.id as string;
  }

  const processed = async (id: string) => redis.admin.get(`jobs:processed:${id}`);
  const held = async (w: string) => redis.admin.lRange(`jobs:processing:${w}`, 0, -1);
  const doneBy = (w: ServerProcess) =>
    w
      .logs()
      .filter((l) => l.msg === "job done")
      .map((l) => l.id);

  /** Nothing queued, held, leased or left in the payload hash. */
  async function expectNothingLeft(workers: string[]) {
    expect(await redis.admin.lLen("jobs:queue")).toBe(0);
    for (const w of workers) expect(await held(w)).toEqual([]);
    expect(await redis.admin.hLen("jobs:payload")).toBe(0);
    expect(await redis.admin.zCard("jobs:leases")).toBe(0);
  }

  test("a worker frozen mid-job past its lease loses the job; the other does it; the late commit records nothing", async () => {
    const slow = { ...LEASE, JOB_WORK_MS: "2500" };
    const ws = { "w-a": await worker("w-a", slow), "w-b": await worker("w-b", slow) };
    const id = await enqueue(1);
    let holder: "w-a" | "w-b" | undefined;
    await until("a worker to take the job", async () => {
      for (const w of ["w-a", "w-b"] as const) if ((await held(w)).includes(id)) holder = w;
      return holder !== undefined;
    });
    const frozen = ws[holder as "w-a" | "w-b"];
    const other = ws[holder === "w-a" ? "w-b" : "w-a"];
    // Freeze it inside the 2.5 s of work, not while its lease or payload read is in flight: a
    // process stopped with a reply unread fires the call's overdue 2 s timeout before reading
    // the reply when it resumes (measured with node 24: a client stopped for 3 s with a reply
    // due in 50 ms saw its 2 s timer first, 6 times of 6), and the job then fails with "no
    // reply" instead of losing its lease. Seen under the load of a full test/example-api run.
    await until(
      "its lease",
      async () =>
        (await redis.admin.zScore("jobs:leases", `jobs:processing:${holder}\0${id}`)) !== null,
    );
    await sleep(200);
    frozen.child.kill("SIGSTOP");
    try {
      // 1.5 s of lease, up to 1 s until a reap, 2.5 s of work.
      await until(
        "the other worker to do the job",
        async () => (await processed(id)) === "1",
        10_000,
      );
    } finally {
      frozen.child.kill("SIGCONT");
    }
    // The frozen worker's 2.5 s of work is long over: it commits as soon as it runs again.
    const lost = await frozen.waitForLog("job lease lost", 5_000);
    expect(lost).toMatchObject({ id, level: "warn" });
    expect(await processed(id)).toBe("1");
    expect(await redis.admin.get("jobs:processed:total")).toBe("1");
    expect(doneBy(other)).toEqual([id]);
    expect(doneBy(frozen)).toEqual([]);
    await expectNothingLeft(["w-a", "w-b"]);
    frozen.kill();
    other.kill();
    expect([(await frozen.exited).code, (await other.exited).code]).toEqual([0, 0]);
  });

  test("a worker killed mid-job and never restarted: its jobs go to another worker after the lease, leased or not", async () => {
    const gone = await worker("w-gone", { ...LEASE, JOB_WORK_MS: "60000" });
    const leased = await enqueue(2);
    await until("w-gone to take the job", async () => (await held("w-gone")).includes(leased));
    gone.kill("SIGKILL");
    await gone.exited;
    // A job it had moved but not yet leased when it died (the window between BLMOVE and the
    // lease): it is leased from the moment a reaper first sees it.
    const unleased = "00000000-0000-4000-8000-000000000001";
    await redis.admin.hSet("jobs:payload", unleased, '{"n":3}');
    await redis.admin.lPush("jobs:processing:w-gone", unleased);

    const live = await worker("w-live", LEASE);
    await until(
      "both jobs done",
      async () => (await processed(leased)) === "1" && (await processed(unleased)) === "1",
      6_000,
    );
    expect(await redis.admin.get("jobs:processed:total")).toBe("2");
    await expectNothingLeft(["w-gone", "w-live"]);
    expect(doneBy(live).sort()).toEqual([leased, unleased].sort());
    live.kill();
    expect((await live.exited).code).toBe(0);
    // A clean stop leaves the reapers' registry; a dead worker's empty list stays in it.
    expect((await redis.admin.sMembers("jobs:consumers")).sort()).toEqual([
      "jobs:processing:w-gone",
    ]);
  });
});
