/**
 * Scenario 5, the postmortems' failure: a healthcheck that reports a still-starting API as
 * unhealthy. Docker's rule (moby/moby daemon/health.go, handleProbeResult): during the start
 * period a failed probe does not count; after it, `retries` failures in a row make the
 * container unhealthy. So an API is reported unhealthy exactly when it is not ready by about
 * start period + interval × retries, and the provider's `wait` then keeps waiting (it only
 * returns on "healthy") until waitTimeout.
 *
 * Time runs at one tenth: the seed's start period of 40 s is 4 s here, prod's 120 s is 12 s,
 * the 30 s interval is 3 s; the arithmetic is the same. The healthcheck is set on the
 * captured container directly, because the stack's config refuses start periods under 10 s.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { goDuration } from "../../components/lib/duration";
import { waitTimeoutSeconds, type HealthTiming } from "../../components/lib/healthcheck";
import {
  engine,
  SINGLE_API,
  prepare,
  requireImages,
  stackBlock,
  teardown,
  type Deployment,
} from "./harness";
import { describeDocker } from "./layer";

const SEED: HealthTiming = {
  startPeriodMs: 4_000,
  intervalMs: 3_000,
  timeoutMs: 1_000,
  retries: 3,
};
const PROD: HealthTiming = {
  startPeriodMs: 12_000,
  intervalMs: 3_000,
  timeoutMs: 1_000,
  retries: 5,
};

interface Case {
  readonly label: string;
  readonly timing: HealthTiming;
  /** How long the API takes to answer /health with 200. */
  readonly readyMs: number;
  readonly unhealthy: boolean;
}

const CASES: Case[] = [
  {
    label: "45 s start, prod's 120 s start period",
    timing: PROD,
    readyMs: 4_500,
    unhealthy: false,
  },
  {
    label: "45 s start, the seed's 40 s start period",
    timing: SEED,
    readyMs: 4_500,
    unhealthy: false,
  },
  {
    label: "160 s start, the seed's 40 s start period",
    timing: SEED,
    readyMs: 16_000,
    unhealthy: true,
  },
  {
    label: "160 s start, prod's 120 s start period",
    timing: PROD,
    readyMs: 16_000,
    unhealthy: false,
  },
];

describeDocker("start periods on a real engine (time ÷ 10)", () => {
  const docker = engine();
  const deployments: (Deployment | undefined)[] = [];
  const seen: string[][] = CASES.map(() => []);
  const upMs: number[] = [];

  beforeAll(async () => {
    await requireImages(docker);
    for (const c of CASES) {
      deployments.push(
        await prepare("prod", {
          ...SINGLE_API,
          api: {
            ...SINGLE_API.api,
            env: {
              ...(stackBlock("prod", "api").env as object),
              STARTUP_DELAY_MS: String(c.readyMs),
            },
          },
          mutate: (r) => {
            if (r.name !== "api-server") return;
            const t = c.timing;
            r.properties.healthcheck = {
              ...(r.properties.healthcheck as object),
              interval: goDuration(t.intervalMs),
              timeout: goDuration(t.timeoutMs),
              startPeriod: goDuration(t.startPeriodMs),
              retries: t.retries,
            };
            r.properties.waitTimeout = waitTimeoutSeconds(t);
          },
        }),
      );
    }
    await Promise.all(
      deployments.map(async (d, i) => {
        const name = String(d!.run.resources.find((r) => r.name === "api-server")?.state.name);
        let stop = false;
        const watch = (async () => {
          while (!stop) {
            const s = await docker
              .getContainer(name)
              .inspect()
              .then((x) => x.State.Health?.Status)
              .catch(() => undefined);
            if (s && seen[i]!.at(-1) !== s) seen[i]!.push(s);
            await new Promise((r) => setTimeout(r, 200));
          }
        })();
        const started = Date.now();
        await d!.applier.up(d!.run);
        upMs[i] = Date.now() - started;
        stop = true;
        await watch;
        // One last look: on a busy machine the watcher's last sample can predate the flip to
        // healthy that `up` itself waited for (a CI run once saw "starting → unhealthy").
        const last = await docker
          .getContainer(name)
          .inspect()
          .then((x) => x.State.Health?.Status);
        if (last && seen[i]!.at(-1) !== last) seen[i]!.push(last);
      }),
    );
  }, 300_000);

  afterAll(() => Promise.all(deployments.map(teardown)), 120_000);

  test.each(CASES.map((c, i) => [c.label, i] as const))("%s", (_label, i) => {
    const c = CASES[i]!;
    const limit = c.timing.startPeriodMs + c.timing.intervalMs * c.timing.retries;
    console.log(
      `[start period] ${c.label}: statuses ${seen[i]!.join(" → ")}; unhealthy after ~${limit / 1000} s (×10: ${limit / 100} s); up took ${((upMs[i] ?? 0) / 1000).toFixed(1)} s of waitTimeout ${waitTimeoutSeconds(c.timing)} s`,
    );
    expect(seen[i]!.includes("unhealthy")).toBe(c.unhealthy);
    expect(seen[i]!.at(-1)).toBe("healthy");
    expect(c.readyMs > limit).toBe(c.unhealthy);
  });
});
