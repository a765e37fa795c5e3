/**
 * Issue 24's acceptance on the real engine: prod with its monitoring (Prometheus, Alertmanager,
 * redis_exporter, HAProxy's exporter, 2 API replicas and 2 workers), every target up soon after
 * the stack is healthy, a third replica scraped with no config change, RedisDown delivered to a
 * webhook receiver on the stack's alerts network and resolved, no API or worker alert sent while
 * Redis is down (inhibited), and the error-rate alert firing at 6 % of 5xx and not at 4 %.
 *
 * The test's config shortens the `for`s and the intervals (the product's are in
 * components/lib/alert-rules.ts); the thresholds, routes and inhibition are the product's.
 */
import type Docker from "dockerode";
import { afterAll, beforeAll, expect, test } from "vitest";
import { execIn } from "../../backup/docker";
import { demuxLogs } from "../../verify/diagnose";
import { admin } from "../../backup/restore";
import { describeDocker } from "./layer";
import {
  engine,
  FAST,
  firstUp,
  nextUp,
  outputsOf,
  request,
  requireImages,
  teardown,
  type Deployment,
  type DeployOptions,
} from "./harness";

const SCRAPE_S = 5;
const EVAL_S = 5;
/** The test's `for`s, seconds; the product's are longer. */
const FOR_S = {
  RedisDown: 5,
  TargetDown: 10,
  ApiRedisDisconnected: 10,
  ApiRedisConnectionFailures: 10,
  ApiHighErrorRate: 10,
  EdgeFewHealthyReplicas: 10,
  WorkerHeartbeatStale: 10,
} as const;
const RECEIVER_PORT = 9000;
const OPTIONS: DeployOptions = {
  ...FAST,
  monitoring: {
    receiver: "webhook",
    scrapeInterval: `${SCRAPE_S}s`,
    evaluationInterval: `${EVAL_S}s`,
    alerts: Object.fromEntries(Object.entries(FOR_S).map(([k, v]) => [k, { for: `${v}s` }])),
  },
  secrets: { "api-stack:alertWebhookUrl": `http://receiver:${RECEIVER_PORT}/alerts` },
};

/** What the webhook receiver logs: one line per POST, with the time it arrived. */
interface Notification {
  readonly t: number;
  readonly status: "firing" | "resolved";
  readonly alerts: { status: string; labels: Record<string, string> }[];
}

/** A Node one-liner that logs every POST body as a JSON line with its arrival time. */
const RECEIVER_SCRIPT = `require("http").createServer((q, s) => { let b = ""; q.on("data", (c) => (b += c)); q.on("end", () => { const n = JSON.parse(b); console.log(JSON.stringify({ t: Date.now(), status: n.status, alerts: n.alerts.map((a) => ({ status: a.status, labels: a.labels })) })); s.end("ok"); }); }).listen(${RECEIVER_PORT});`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDocker("monitoring on the real engine (prod)", () => {
  const docker: Docker = engine();
  let d: Deployment | undefined;
  let healthyAt = 0;
  let receiver: Docker.Container | undefined;
  let adminPassword = "";
  const figures: string[] = [];

  const name = (logical: string) => (d as Deployment).applier.physicalName(logical);
  const wget = async (container: string, url: string): Promise<unknown> => {
    const r = await execIn(docker, name(container), ["wget", "-qO-", url], { timeoutMs: 15_000 });
    if (r.code !== 0) throw new Error(`wget ${url} in ${container}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const targets = async () =>
    (
      (await wget("monitoring-prometheus", "http://127.0.0.1:9090/api/v1/targets")) as {
        data: { activeTargets: { labels: { job: string; instance: string }; health: string }[] };
      }
    ).data.activeTargets;
  const promAlerts = async () =>
    (
      (await wget("monitoring-prometheus", "http://127.0.0.1:9090/api/v1/alerts")) as {
        data: { alerts: { labels: Record<string, string>; state: string; activeAt: string }[] };
      }
    ).data.alerts;
  const amAlerts = async () =>
    (await wget("monitoring-alertmanager", "http://127.0.0.1:9093/api/v2/alerts")) as {
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }[];
  const notifications = async (): Promise<Notification[]> => {
    const raw = (await receiver!.logs({ stdout: true, stderr: false })) as Buffer;
    return demuxLogs(raw)
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Notification);
  };
  /** Polls until `check` returns a value, or fails after `ms`. */
  async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>) {
    const end = Date.now() + ms;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`${what} not within ${ms / 1_000} s`);
      await sleep(500);
    }
  }
  const firingAt = (n: Notification[], alert: string, status = "firing") =>
    n.find((x) => x.alerts.some((a) => a.labels.alertname === alert && a.status === status))?.t;

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("prod", OPTIONS);
    healthyAt = Date.now();
    adminPassword = new URL((await outputsOf(d.run)).redisAdminUrl as string).password;
    // The receiver: a test HTTP server on the stack's alerts network, as `receiver`.
    receiver = await docker.createContainer({
      Image: "node:24-bookworm-slim",
      Cmd: ["node", "-e", RECEIVER_SCRIPT],
      Labels: { "com.api-stack.stack": "monitoring-test" },
      HostConfig: { NetworkMode: name("app-alerts") },
      NetworkingConfig: { EndpointsConfig: { [name("app-alerts")]: { Aliases: ["receiver"] } } },
    });
    await receiver.start();
  }, 420_000);

  afterAll(async () => {
    console.log(`[monitoring] ${figures.join("; ")}`);
    await receiver?.remove({ force: true }).catch(() => undefined);
    await teardown(d);
  }, 180_000);

  test("every target is up within 30 s of the stack becoming healthy", async () => {
    const jobs = await until("every target up", 60_000, async () => {
      const t = await targets();
      return t.length === 8 && t.every((x) => x.health === "up") ? t : undefined;
    });
    const took = (Date.now() - healthyAt) / 1_000;
    figures.push(`all 8 targets up ${took.toFixed(1)} s after healthy`);
    const byJob = (job: string) => jobs.filter((x) => x.labels.job === job).length;
    expect([
      byJob("prometheus"),
      byJob("alertmanager"),
      byJob("api"),
      byJob("worker-jobs"),
      byJob("edge"),
      byJob("redis"),
    ]).toEqual([1, 1, 2, 2, 1, 1]);
    expect(took).toBeLessThanOrEqual(30);
  }, 90_000);

  test("a third API replica is scraped with no change to Prometheus", async () => {
    const before = await docker.getContainer(name("monitoring-prometheus")).inspect();
    const started = Date.now();
    await nextUp(d as Deployment, { ...OPTIONS, api: { ...FAST.api, replicas: 3 } });
    const after = await docker.getContainer(name("monitoring-prometheus")).inspect();
    expect(after.Id).toBe(before.Id);
    await until("three api targets up", 60_000, async () => {
      const api = (await targets()).filter((x) => x.labels.job === "api");
      return api.length === 3 && api.every((x) => x.health === "up") ? api : undefined;
    });
    figures.push(
      `third replica scraped ${((Date.now() - started) / 1_000).toFixed(1)} s after the up began`,
    );
  }, 240_000);

  test("5xx on 6 % of requests fires ApiHighErrorRate; 4 % does not", async () => {
    const cli = (args: string[]) =>
      admin(docker, name("cache-server"), "redis", adminPassword, args);
    // Everything healthy again first: the edge routes to the replicas.
    await until("the API answers through the edge", 120_000, async () =>
      (await request(d as Deployment, "/counter").catch(() => ({ status: 0 }))).status === 200
        ? true
        : undefined,
    );
    const maxmemory = (await cli(["CONFIG", "GET", "maxmemory"])).split("\n")[1] as string;
    // Redis refuses writes past maxmemory (noeviction): POST /counter answers 503, GET 200.
    await cli(["CONFIG", "SET", "maxmemory", "1"]);
    const counts = { ok: 0, err: 0 };
    const mix = async (errorsPer100: number, ms: number, stop?: () => Promise<boolean>) => {
      const end = Date.now() + ms;
      for (let i = 0; Date.now() < end; i++) {
        const post = i % 100 < errorsPer100;
        const r = await request(d as Deployment, "/counter", {
          method: post ? "POST" : "GET",
        }).catch(() => ({ status: 0 }));
        if (r.status >= 500) counts.err++;
        else counts.ok++;
        if (i % 50 === 0 && stop && (await stop())) return true;
        await sleep(30);
      }
      return false;
    };
    const errorRateAlert = async () =>
      (await promAlerts()).find((a) => a.labels.alertname === "ApiHighErrorRate");
    try {
      // 4 %: first a minute that fills the 1-minute window with the mix, unchecked: each hundred
      // starts with its four errors, so the first scrapes see a burst, not 4 % (a CI run once
      // saw the alert pending 7 s in). Then the `for` and a scrape and evaluation more, in which
      // the alert must be neither pending nor firing.
      await mix(4, 60_000);
      const fired4 = await mix(
        4,
        (FOR_S.ApiHighErrorRate + SCRAPE_S + EVAL_S) * 1_000 + 10_000,
        async () => (await errorRateAlert()) !== undefined,
      );
      figures.push(
        `4 %: ${counts.err} of ${counts.err + counts.ok} requests 5xx, ApiHighErrorRate ${fired4 ? "FIRED" : "not pending or firing"}`,
      );
      expect(fired4).toBe(false);
      counts.ok = 0;
      counts.err = 0;
      const t6 = Date.now();
      const fired6 = await mix(
        6,
        150_000,
        async () => (await errorRateAlert())?.state === "firing",
      );
      expect(fired6).toBe(true);
      const firedIn = (Date.now() - t6) / 1_000;
      figures.push(
        `6 %: ApiHighErrorRate firing in Prometheus ${firedIn.toFixed(0)} s after the mix changed (the 1 min window must cross 5 %, then for ${FOR_S.ApiHighErrorRate} s)`,
      );
      // A new group: sent once the default route's group_wait (30 s) has passed.
      const arrived = await until("ApiHighErrorRate at the receiver", 60_000, async () =>
        firingAt(await notifications(), "ApiHighErrorRate"),
      );
      figures.push(
        `ApiHighErrorRate at the receiver ${((arrived - t6) / 1_000).toFixed(0)} s after the mix changed (default route group_wait 30 s)`,
      );
    } finally {
      await cli(["CONFIG", "SET", "maxmemory", maxmemory]);
    }
  }, 420_000);
  test("RedisDown reaches the receiver within its for + one scrape + one evaluation, then resolves; no API or worker alert is sent meanwhile", async () => {
    // From a quiet state: the error-rate scenario's alerts (ApiHighErrorRate, and the workers'
    // stale heartbeats while Redis refused writes) resolved in Prometheus and in Alertmanager,
    // so whatever is sent from here on is about this outage.
    const apiOrWorker = (l: Record<string, string>) =>
      ["api", "worker"].includes(l.component ?? "");
    await until("the previous scenario's alerts resolved", 180_000, async () => {
      const prom = (await promAlerts()).filter((a) => apiOrWorker(a.labels));
      const am = (await amAlerts()).filter((a) => apiOrWorker(a.labels));
      return prom.length === 0 && am.length === 0 ? true : undefined;
    });
    const redis = docker.getContainer(name("cache-server"));
    // Traffic, so the API's connection-failure rate has requests to count.
    let traffic = true;
    const load = (async () => {
      while (traffic) {
        await request(d as Deployment, "/counter").catch(() => undefined);
        await sleep(100);
      }
    })();
    await redis.stop({ t: 10 });
    const stoppedAt = Date.now();
    const budget = FOR_S.RedisDown + SCRAPE_S + EVAL_S;
    const arrived = await until("RedisDown at the receiver", 60_000, async () =>
      firingAt(await notifications(), "RedisDown"),
    );
    const took = (arrived - stoppedAt) / 1_000;
    figures.push(
      `RedisDown at the receiver ${took.toFixed(1)} s after the stop (budget ${budget} s)`,
    );
    // The budget is the worst case of the three waits; the hop from Prometheus through
    // Alertmanager to the receiver adds milliseconds, allowed 2 s on a loaded CI machine.
    expect(took).toBeLessThanOrEqual(budget + 2);

    // The API and worker alerts it causes fire in Prometheus, reach Alertmanager, and stay
    // suppressed there for longer than the default route's group_wait (30 s).
    const caused = ["ApiRedisDisconnected", "ApiRedisConnectionFailures", "EdgeFewHealthyReplicas"];
    const firstFiring = new Map<string, number>();
    await until("the API's alerts firing in Prometheus", 90_000, async () => {
      for (const a of await promAlerts())
        if (a.state === "firing" && !firstFiring.has(a.labels.alertname as string))
          firstFiring.set(a.labels.alertname as string, Date.now());
      return caused.every((c) => firstFiring.has(c)) ? true : undefined;
    });
    figures.push(
      `firing in Prometheus after the stop: ${[...firstFiring]
        .map(
          ([n, t]) =>
            `${n} ${((t - stoppedAt) / 1_000).toFixed(0)} s (for ${(FOR_S as Record<string, number>)[n] ?? "?"} s)`,
        )
        .join(", ")}`,
    );
    const suppressedSince = Date.now();
    await sleep(40_000);
    const inAm = (await amAlerts()).filter((a) => apiOrWorker(a.labels));
    expect(inAm.length).toBeGreaterThan(0);
    for (const a of inAm) {
      expect(a.status.state, a.labels.alertname).toBe("suppressed");
      expect(a.status.inhibitedBy.length, a.labels.alertname).toBeGreaterThan(0);
    }
    // Firing notifications sent since the stop: RedisDown's only.
    const sent = (await notifications())
      .filter((n) => n.t >= stoppedAt)
      .flatMap((n) => n.alerts.filter((a) => a.status === "firing").map((a) => a.labels));
    expect(sent.filter(apiOrWorker)).toEqual([]);
    figures.push(
      `${inAm.length} API/worker alerts suppressed in Alertmanager for ${((Date.now() - suppressedSince) / 1_000).toFixed(0)} s, none sent`,
    );

    await redis.start();
    const startedAt = Date.now();
    // keep_firing_for (90 s), then the route's next flush (30 s).
    const resolved = await until("RedisDown resolved at the receiver", 180_000, async () =>
      firingAt(await notifications(), "RedisDown", "resolved"),
    );
    figures.push(
      `RedisDown resolved at the receiver ${((resolved - startedAt) / 1_000).toFixed(1)} s after Redis started (keep_firing_for 90 s, then the route's 30 s group_interval)`,
    );
    traffic = false;
    await load;
    // Nor after Redis is back: what fired during the outage resolves without being sent.
    await sleep(30_000);
    const afterwards = (await notifications())
      .filter((n) => n.t >= stoppedAt)
      .flatMap((n) => n.alerts.filter((a) => a.status === "firing").map((a) => a.labels));
    expect(afterwards.filter(apiOrWorker)).toEqual([]);
  }, 480_000);
});
