/**
 * Scenario 3: graceful stops. An API replacement under load, and a Redis replacement during
 * writes, with each stop's duration against the grace the provider gives it
 * (destroyGraceSeconds, see applier.ts).
 *
 * A request is judged by when it started against when the old container was told to stop:
 * one already in flight must finish (200); one that starts in the gap before the new
 * container listens fails at the door (refused, or accepted by docker-proxy and reset before
 * any response), which is the outage issue "Services, replicas and an edge proxy" removes.
 */
import { request } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { StopFigure } from "./applier";
import {
  engine,
  SINGLE_API,
  firstUp,
  nextUp,
  requireImages,
  teardown,
  type Deployment,
} from "./harness";
import { describeDocker } from "./layer";

interface Result {
  readonly started: number;
  readonly ended: number;
  /** "200", "HTTP 503", or how the connection failed. */
  readonly what: string;
  readonly body?: string;
}

/** One request on a fresh connection, recording whether any response had arrived. */
function hit(port: number, method: string, path: string): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (what: string, body?: string) => {
      if (settled) return;
      settled = true;
      resolve({ started, ended: Date.now(), what, body });
    };
    let phase = "before connect";
    const req = request(
      { host: "127.0.0.1", port, method, path, agent: false, timeout: 40_000 },
      (res) => {
        phase = `after HTTP ${res.statusCode}`;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => done(res.statusCode === 200 ? "200" : `HTTP ${res.statusCode}`, body));
        res.on("error", (e: NodeJS.ErrnoException) => done(`${e.code} ${phase}`));
      },
    );
    req.on("socket", (s) => s.on("connect", () => (phase = "before any response")));
    req.on("error", (e: NodeJS.ErrnoException) => done(`${e.code} ${phase}`));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function load(
  n: number,
  until: () => boolean,
  worker: () => Promise<Result>,
): Promise<Result[]> {
  const all: Result[] = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (!until()) {
        const r = await worker();
        all.push(r);
        if (r.what !== "200") await new Promise((x) => setTimeout(x, 50));
      }
    }),
  );
  return all;
}

const tally = (rs: readonly Result[]) =>
  Object.fromEntries(
    [...new Set(rs.map((r) => r.what))].map((w) => [w, rs.filter((r) => r.what === w).length]),
  );

function report(label: string, rs: readonly Result[], stop: StopFigure): void {
  const before = rs.filter((r) => r.started < stop.at);
  const after = rs.filter((r) => r.started >= stop.at);
  console.log(
    `[graceful] ${label}: started before the stop ${JSON.stringify(tally(before))}; ` +
      `started after ${JSON.stringify(tally(after))}; stop took ${(stop.ms / 1000).toFixed(1)} s ` +
      `of ${stop.graceS} s grace, exit ${stop.exitCode}`,
  );
}

/** A failure at the door: nothing was sent back, so the client may safely retry. */
const atTheDoor = (r: Result) =>
  /^(ECONNREFUSED|ECONNRESET before (connect|any response))/.test(r.what);

describeDocker("graceful stops on a real engine (prod)", () => {
  let d: Deployment | undefined;
  const docker = engine();

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("prod", SINGLE_API);
  }, 300_000);

  afterAll(() => teardown(d), 120_000);

  test("an API replacement under load: every request in flight at the stop finishes", async () => {
    let deploying = true;
    const results = load(
      6,
      () => !deploying,
      () => hit(d!.apiPort, "GET", "/slow?ms=1500"),
    );
    await new Promise((r) => setTimeout(r, 800)); // requests are in flight when the stop comes
    await nextUp(d!, {
      ...SINGLE_API,
      api: { ...SINGLE_API.api, image: "ghcr.io/acme/api:1.4.3" },
    });
    deploying = false;
    const rs = await results;
    const stop = d!.applier.stops.at(-1)!;
    report("API replace under load", rs, stop);
    const inFlight = rs.filter((r) => r.started < stop.at && r.ended > stop.at);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.filter((r) => r.what !== "200")).toEqual([]);
    expect(rs.filter((r) => r.what !== "200" && !atTheDoor(r))).toEqual([]);
    expect(stop.graceS).toBe(30);
    expect(stop.ms).toBeLessThan(stop.graceS * 1000);
    expect(stop.exitCode).toBe(0);
  }, 240_000);

  test("a Redis replacement during writes loses no acknowledged write; the API stays up", async () => {
    const apiBefore = await docker.getContainer(d!.applier.physicalName("api-server")).inspect();
    let deploying = true;
    const results = load(
      4,
      () => !deploying,
      () => hit(d!.apiPort, "POST", "/counter"),
    );
    await new Promise((r) => setTimeout(r, 500));
    // Only Redis changes: the API keeps the image the previous test deployed.
    await nextUp(d!, {
      api: { ...SINGLE_API.api, image: "ghcr.io/acme/api:1.4.3" },
      redis: { ...SINGLE_API.redis, image: "redis:7.4.2-alpine" },
    });
    // Redis and, on its image, the backup container are replaced; the API is not touched.
    const apiStep = [...d!.applier.steps].reverse().find((st) => st.name === "api-server");
    expect(apiStep).toMatchObject({ name: "api-server", op: "same" });
    deploying = false;
    const rs = await results;
    const stop = [...d!.applier.stops].reverse().find((st) => st.name.startsWith("cache-server-"))!;
    report("Redis replace during writes", rs, stop);
    const acked = rs
      .filter((r) => r.what === "200")
      .map((r) => (JSON.parse(String(r.body)) as { value: number }).value);
    const after = (await (await fetch(`http://127.0.0.1:${d!.apiPort}/counter`)).json()) as {
      value: number;
    };
    const apiAfter = await docker.getContainer(d!.applier.physicalName("api-server")).inspect();
    console.log(
      `[graceful] ${acked.length} writes acknowledged, highest ${Math.max(...acked)}, counter after ${after.value}; API restarts ${apiBefore.RestartCount} -> ${apiAfter.RestartCount}`,
    );
    expect(acked.length).toBeGreaterThan(0);
    expect(after.value).toBeGreaterThanOrEqual(Math.max(...acked));
    expect(new Set(acked).size).toBe(acked.length);
    // While Redis is away the API answers 503 itself; it neither crashes nor cuts requests.
    expect(rs.filter((r) => r.what !== "200" && r.what !== "HTTP 503")).toEqual([]);
    expect(apiAfter.RestartCount).toBe(apiBefore.RestartCount);
    expect(stop.ms).toBeLessThan(stop.graceS * 1000);
    expect(stop.exitCode).toBe(0);
  }, 240_000);
});
