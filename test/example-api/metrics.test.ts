/**
 * The bundled example API's Prometheus metrics (issue 24), scraped from /metrics against a
 * real redis-server and parsed from the text Prometheus would read: the names and labels the
 * alert rules use, the latency boundary at 0.5 s, which Redis failures count as connection
 * failures, and a worker's own /metrics port, which answers while Redis is down or frozen and
 * closes on SIGTERM.
 */
import { createServer as createTcpServer, connect, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import {
  API_METRICS,
  DB_METRICS,
  LATENCY_BUCKETS,
  WORKER_METRICS,
} from "../../components/lib/app-metrics";
import { describeReal } from "../real/layer";
import { freePort, sleep, tempDir } from "../real/util";
import {
  apiEnv,
  buildServer,
  request,
  startHealthyApi,
  startServer,
  startTestRedis,
  tearDown,
  until,
  type TestRedis,
} from "./harness";
import { growth, parseMetrics, valueOf, type Sample } from "./prom-text";

async function scrape(port: number): Promise<Sample[]> {
  const r = await request(port, "GET", "/metrics");
  expect(r.status).toBe(200);
  // prom-client's Registry.PROMETHEUS_CONTENT_TYPE: the text format, version 0.0.4.
  expect(r.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parseMetrics(r.text);
}

const DEFAULT_METRICS = ["process_cpu_seconds_total", "nodejs_eventloop_lag_seconds"];

describeReal("example API metrics", () => {
  let script: string;
  let redis: TestRedis;
  let port: number;
  let metricsPort: number;
  let dir: string;

  beforeAll(async () => {
    [script, redis] = await Promise.all([buildServer(), startTestRedis()]);
    dir = tempDir("example-api-metrics-");
    ({ port, metricsPort } = await startHealthyApi(script, {
      port: redis.port,
      password: redis.appPassword,
    }));
  }, 30_000);

  afterAll(() => tearDown(redis));

  beforeEach(async () => {
    await redis.admin.flushAll();
  });

  const env = (extra: Record<string, string>) =>
    apiEnv({ port: redis.port, password: redis.appPassword }, extra);

  test("API: Node's defaults, and requests by route pattern, method and status; scrapes are not counted", async () => {
    const before = await scrape(metricsPort);
    for (const name of DEFAULT_METRICS) expect(valueOf(before, name)).toBeDefined();
    const id = "00000000-0000-4000-8000-0000000000aa";
    expect((await request(port, "GET", "/counter")).status).toBe(200);
    expect((await request(port, "GET", "/nope/123")).status).toBe(404);
    expect((await request(port, "POST", `/jobs/${id}/ack`)).status).toBe(404);
    expect((await request(port, "DELETE", "/counter")).status).toBe(405);
    const after = await scrape(metricsPort);
    const grew = growth(before, after);
    const requests = (route: string, method: string, status: string) =>
      grew(API_METRICS.requests, { route, method, status });
    expect({
      ok: requests("/counter", "GET", "200"),
      unmatched: requests("unmatched", "GET", "404"),
      ack: requests("/jobs/:id/ack", "POST", "404"),
      method: requests("/counter", "DELETE", "405"),
      // GET /counter's GET and the ack's LREM; a 404 or 405 from the route table asks nothing.
      db: grew(DB_METRICS.requests),
      dbFailures: grew(DB_METRICS.connectionFailures),
    }).toEqual({ ok: 1, unmatched: 1, ack: 1, method: 1, db: 2, dbFailures: 0 });
    const routes = new Set(
      after.filter((s) => s.name === API_METRICS.requests).map((s) => s.labels.route),
    );
    // Two scrapes so far in this test, and neither is a series; no raw path is either.
    expect(routes.has("/metrics")).toBe(false);
    expect([...routes].filter((r) => r?.includes(id) || r?.includes("nope"))).toEqual([]);
  });

  test("API: /metrics is not on the API's own port, under any spelling of its path", async () => {
    // The edge proxy forwards the path as the client wrote it, and the API's router matches the
    // normalised pathname: on this port, /./metrics would have reached the metrics (issue 24).
    for (const path of ["/metrics", "/./metrics", "/a/../metrics", "/%2e/metrics"])
      expect((await request(port, "GET", path)).status, path).toBe(404);
    expect((await request(metricsPort, "GET", "/metrics")).status).toBe(200);
  });

  test("API: the latency histogram has a 0.5 s boundary, and /slow?ms=600 lands above it", async () => {
    const slow = { route: "/slow", method: "GET" };
    const bucket = (le: string) => [`${API_METRICS.latency}_bucket`, { ...slow, le }] as const;
    const s0 = await scrape(metricsPort);
    expect((await request(port, "GET", "/slow?ms=0")).status).toBe(200);
    const s1 = await scrape(metricsPort);
    expect((await request(port, "GET", "/slow?ms=600")).status).toBe(200);
    const s2 = await scrape(metricsPort);
    const les = s2
      .filter((s) => s.name === `${API_METRICS.latency}_bucket` && s.labels.route === "/slow")
      .map((s) => s.labels.le);
    expect(les).toEqual([...LATENCY_BUCKETS.map(String), "+Inf"]);
    expect(les).toContain("0.5");
    const fast = growth(s0, s1);
    const late = growth(s1, s2);
    expect({
      fast: [fast(...bucket("0.5")), fast(`${API_METRICS.latency}_count`, slow)],
      late: [
        late(...bucket("0.5")),
        late(...bucket("1")),
        late(`${API_METRICS.latency}_count`, slow),
      ],
    }).toEqual({ fast: [1, 1], late: [0, 1, 1] });
    // Not ≥ 0.6: Node's timers run on the loop's cached millisecond clock, and 599.8 ms was seen.
    expect(late(`${API_METRICS.latency}_sum`, slow)).toBeGreaterThan(0.5);
  });

  test("API: a request whose client gives up before the reply is status 499, not the default 200", async () => {
    const slow = { route: "/slow", method: "GET" };
    const before = await scrape(metricsPort);
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write("GET /slow?ms=1000 HTTP/1.1\r\nHost: x\r\n\r\n");
    await sleep(200);
    socket.destroy();
    await until(
      "the abandoned request counted",
      async () =>
        growth(before, await scrape(metricsPort))(API_METRICS.requests, {
          ...slow,
          status: "499",
        }) === 1,
    );
    // Its handler still runs to the end and "replies" into the closed socket.
    await sleep(1_000);
    const grew = growth(before, await scrape(metricsPort));
    expect({
      gaveUp: grew(API_METRICS.requests, { ...slow, status: "499" }),
      ok: grew(API_METRICS.requests, { ...slow, status: "200" }),
    }).toEqual({ gaveUp: 1, ok: 0 });
  });

  // The other side of the outage test below: Redis answered, so neither is a connection failure.
  test("API: a script error (WRONGTYPE) and a full Redis (OOM) are Redis requests, not connection failures", async () => {
    await redis.admin.set("jobs:payload", "not a hash");
    const before = await scrape(metricsPort);
    expect((await request(port, "POST", "/jobs", "{}")).status).toBe(500);
    // After the script error: a full Redis refuses the script's HSET before it checks the type.
    await redis.admin.configSet("maxmemory", "1");
    try {
      expect((await request(port, "POST", "/counter")).status).toBe(503);
    } finally {
      await redis.admin.configSet("maxmemory", "0");
    }
    const grew = growth(before, await scrape(metricsPort));
    expect({
      script: grew(API_METRICS.requests, { route: "/jobs", method: "POST", status: "500" }),
      full: grew(API_METRICS.requests, { route: "/counter", method: "POST", status: "503" }),
      db: grew(DB_METRICS.requests),
      dbFailures: grew(DB_METRICS.connectionFailures),
    }).toEqual({ script: 1, full: 1, db: 2, dbFailures: 0 });
  });

  test("API: with Redis down /metrics still answers, app_redis_up goes 1 → 0, and a 503 is a connection failure", async () => {
    const {
      api: own,
      port: p,
      metricsPort: mp,
    } = await startHealthyApi(script, {
      port: redis.port,
      password: redis.appPassword,
    });
    const up = async () => valueOf(await scrape(mp), API_METRICS.redisUp);
    try {
      expect(await up()).toBe(1);
      const s0 = await scrape(mp);
      expect((await request(p, "POST", "/counter")).status).toBe(200);
      const s1 = await scrape(mp);
      await redis.kill();
      await until("app_redis_up 0", async () => (await up()) === 0);
      const s2 = await scrape(mp);
      expect((await request(p, "POST", "/counter")).status).toBe(503);
      const s3 = await scrape(mp);
      const counts = (a: Sample[], b: Sample[]) => {
        const grew = growth(a, b);
        return [
          grew(API_METRICS.requests, { route: "/counter", method: "POST", status: "200" }),
          grew(API_METRICS.requests, { route: "/counter", method: "POST", status: "503" }),
          grew(DB_METRICS.requests),
          grew(DB_METRICS.connectionFailures),
        ];
      };
      expect({ up: counts(s0, s1), down: counts(s2, s3) }).toEqual({
        up: [1, 0, 1, 0],
        down: [0, 1, 1, 1],
      });
    } finally {
      await redis.restart();
    }
    await until("app_redis_up 1", async () => (await up()) === 1);
    own.kill();
    expect((await own.exited).code).toBe(0);
  });

  test("API: /metrics answers while /health says starting", async () => {
    const [p, mp] = [await freePort(), await freePort()];
    const s = startServer(
      script,
      env({ PORT: String(p), METRICS_PORT: String(mp), STARTUP_DELAY_MS: "60000" }),
    );
    await s.waitForLog("ready");
    expect((await request(p, "GET", "/health")).json).toEqual({ status: "starting" });
    expect(valueOf(await scrape(mp), "process_cpu_seconds_total")).toBeGreaterThan(0);
    s.kill();
    expect((await s.exited).code).toBe(0);
  });

  async function worker(id: string, extra: Record<string, string> = {}) {
    const metricsPort = await freePort();
    const w = startServer(
      script,
      env({
        WORKER_ID: id,
        HEARTBEAT_FILE: join(dir, id),
        METRICS_PORT: String(metricsPort),
        ...extra,
      }),
      ["worker"],
    );
    await Promise.all([w.waitForLog("ready"), w.waitForLog("metrics ready")]);
    return { w, metricsPort };
  }

  const enqueue = async () => expect((await request(port, "POST", "/jobs", "{}")).status).toBe(202);

  test("worker: jobs processed and failed, queue depth as LLEN at scrape time, a fresh heartbeat; only GET /metrics", async () => {
    const { w, metricsPort: mp } = await worker("w-metrics", { JOB_WORK_MS: "1000" });
    const read = async (name: string) => valueOf(await scrape(mp), name);
    const s0 = await scrape(mp);
    for (const name of DEFAULT_METRICS) expect(valueOf(s0, name)).toBeDefined();
    expect([WORKER_METRICS.processed, WORKER_METRICS.failed].map((n) => valueOf(s0, n))).toEqual([
      0, 0,
    ]);
    expect((await request(mp, "GET", "/health")).status).toBe(404);
    expect((await request(mp, "POST", "/metrics")).status).toBe(404);
    await until("a heartbeat", async () => ((await read(WORKER_METRICS.heartbeat)) ?? 0) > 0);
    const beat = (await read(WORKER_METRICS.heartbeat)) as number;
    expect(Math.abs(Date.now() / 1_000 - beat)).toBeLessThan(3);

    // One job in hand for 1 s, two waiting behind it.
    await enqueue();
    await until("the job in hand", async () => (await redis.admin.lLen("jobs:queue")) === 0);
    await enqueue();
    await enqueue();
    const depth = await read(WORKER_METRICS.queueDepth);
    expect([depth, await redis.admin.lLen("jobs:queue")]).toEqual([2, 2]);
    await until("3 jobs processed", async () => (await read(WORKER_METRICS.processed)) === 3);
    expect(await read(WORKER_METRICS.queueDepth)).toBe(0);
    expect(await redis.admin.get("jobs:processed:total")).toBe("3");

    // A job whose payload read fails with WRONGTYPE throws: failed, not processed, and Redis
    // answered, so no connection failure.
    const before = await scrape(mp);
    await redis.admin.set("jobs:payload", "not a hash");
    await redis.admin.lPush("jobs:queue", "00000000-0000-4000-8000-0000000000bb");
    await until("a failed job", async () => ((await read(WORKER_METRICS.failed)) ?? 0) >= 1);
    const grew = growth(before, await scrape(mp));
    expect(grew(WORKER_METRICS.processed)).toBe(0);
    expect(grew(DB_METRICS.connectionFailures)).toBe(0);
    expect(grew(DB_METRICS.requests)).toBeGreaterThan(0);
    await redis.admin.del("jobs:payload");
    await until("the job done", async () => (await read(WORKER_METRICS.processed)) === 4);
    w.kill();
    expect((await w.exited).code).toBe(0);
  });

  test("worker: with Redis frozen a scrape waits about 2 s and leaves queue depth out; with Redis down too, and failures are counted", async () => {
    const { w, metricsPort: mp } = await worker("w-outage");
    const timedScrape = async () => {
      const started = performance.now();
      const samples = await scrape(mp);
      return { samples, ms: performance.now() - started };
    };
    const s0 = await timedScrape();
    expect(valueOf(s0.samples, WORKER_METRICS.queueDepth)).toBe(0);
    // Behind the idle worker's BLMOVE, which blocks for up to 1 s.
    expect(s0.ms).toBeLessThan(1_500);
    redis.server.child.kill("SIGSTOP");
    let frozen: Awaited<ReturnType<typeof timedScrape>>;
    try {
      frozen = await timedScrape();
    } finally {
      redis.server.child.kill("SIGCONT");
    }
    // The worker's QUEUE_DEPTH_TIMEOUT_MS, 2 s.
    expect(frozen.ms).toBeGreaterThanOrEqual(1_900);
    expect(frozen.ms).toBeLessThan(3_000);
    expect(valueOf(frozen.samples, WORKER_METRICS.queueDepth)).toBeUndefined();
    await until(
      "the depth back",
      async () => valueOf(await scrape(mp), WORKER_METRICS.queueDepth) === 0,
    );

    try {
      await redis.kill();
      const before = await scrape(mp);
      expect(valueOf(before, WORKER_METRICS.queueDepth)).toBeUndefined();
      // The worker retries its recovery about once a second, each a failed operation.
      await until(
        "connection failures",
        async () => growth(before, await scrape(mp))(DB_METRICS.connectionFailures) >= 2,
      );
      const grew = growth(before, await scrape(mp));
      expect(grew(DB_METRICS.requests)).toBeGreaterThanOrEqual(grew(DB_METRICS.connectionFailures));
    } finally {
      await redis.restart();
    }
    w.kill();
    expect((await w.exited).code).toBe(0);
  });

  test("worker: SIGTERM closes /metrics with a scrape half-sent, and exits 0 well within the grace", async () => {
    const { w, metricsPort: mp } = await worker("w-stop", { SHUTDOWN_GRACE_MS: "10000" });
    // A request still arriving is no idle connection: close() alone would wait for it.
    const socket = connect(mp, "127.0.0.1");
    socket.on("error", () => undefined);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n");
    const closed = new Promise((resolve) => socket.once("close", resolve));
    const started = Date.now();
    w.kill("SIGTERM");
    const { code, at } = await w.exited;
    await closed;
    expect({ code, fast: at - started < 3_000 }).toEqual({ code: 0, fast: true });
    expect(w.logs().map((l) => l.msg)).toContain("stopped");
    expect(w.logs().map((l) => l.msg)).not.toContain("shutdown grace expired");
  });

  test("worker: a METRICS_PORT it cannot listen on is logged, and the worker still works the queue", async () => {
    const taken: Server = createTcpServer();
    const metricsPort = await freePort();
    await new Promise<void>((resolve) => taken.listen(metricsPort, "127.0.0.1", resolve));
    try {
      const w = startServer(
        script,
        env({
          WORKER_ID: "w-clash",
          HEARTBEAT_FILE: join(dir, "w-clash"),
          METRICS_PORT: String(metricsPort),
        }),
        ["worker"],
      );
      expect(await w.waitForLog("metrics server failed")).toMatchObject({ level: "error" });
      await enqueue();
      await until(
        "the job done",
        async () => (await redis.admin.get("jobs:processed:total")) === "1",
      );
      w.kill();
      expect((await w.exited).code).toBe(0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
