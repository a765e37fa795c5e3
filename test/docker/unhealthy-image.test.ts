/**
 * A release that never turns healthy, deployed to prod behind the edge under 50 requests/s.
 * What the engine and the provider do (facts/engine-steps.md, sections 2 and 4): each new
 * replica is created first (deleteBeforeReplace: false), its wait fails after the provider set
 * its ID, so it stays in state with an init error, the `up` fails, and the old replicas, only
 * marked for deletion, keep serving. The next `up` of the same release must not accept it:
 * without "#initerror" in replaceOnChanges its only step is an update that never waits, the
 * `up` succeeds, and the deletes that follow remove the healthy replicas.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  engine,
  FAST,
  firstUp,
  loadCounter,
  nextUp,
  requireImages,
  teardown,
  type Deployment,
  type DeployOptions,
} from "./harness";
import { describeDocker } from "./layer";
import { formatSummary, summarize } from "./load";

const BROKEN = "ghcr.io/acme/api:1.4.4-never-healthy";
/** A short start period, so a wait that can never succeed fails in about 30 s. */
const SHORT: DeployOptions = {
  ...FAST,
  api: { healthcheck: { interval: "2s", timeout: "1s", retries: 3, startPeriod: "10s" } },
  workers: {
    jobs: { healthcheck: { interval: "2s", timeout: "1s", retries: 3, startPeriod: "10s" } },
  },
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDocker("a release that never turns healthy (prod, behind the edge)", () => {
  let d: Deployment | undefined;
  const docker = engine();
  const replicas = () => d!.run.resources.filter((r) => /^api-server(-\d+)?$/.test(r.name));
  /**
   * Running API replicas of this image on this deployment's frontend network (workers run the
   * same image; other files may run prod side by side).
   */
  const running = async (image: string) => {
    const net = d!.applier.physicalName("app-edge");
    return (await docker.listContainers()).filter(
      (c) =>
        c.Image === image &&
        c.Labels["com.api-stack.role"] === "api" &&
        net in (c.NetworkSettings?.Networks ?? {}),
    ).length;
  };

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("prod", SHORT);
  }, 420_000);

  afterAll(() => teardown(d), 180_000);

  test("the up fails, the old replicas keep serving with no failed request, and the next up does not accept it", async () => {
    const load = loadCounter(d!);
    await sleep(3_000);
    load.mark("first");
    const bump: DeployOptions = { ...SHORT, api: { ...SHORT.api, image: BROKEN } };
    const first = await nextUp(d!, bump).then(
      () => "succeeded",
      (e: Error) => e.message,
    );
    load.mark("second");
    const afterFirst = {
      old: await running("ghcr.io/acme/api:1.4.2"),
      broken: await running(BROKEN),
      initErrors: replicas().map((r) => d!.applier.initErrorsOf(r.urn).length),
    };
    const second = await nextUp(d!, bump).then(
      () => "succeeded",
      (e: Error) => e.message,
    );
    load.mark("done");
    await sleep(3_000);
    const res = await load.stop();
    const during = summarize(res, res.marks.first, res.marks.done);
    const after = summarize(res, res.marks.done);
    const afterSecond = {
      old: await running("ghcr.io/acme/api:1.4.2"),
      broken: await running(BROKEN),
    };
    console.log(`[never healthy] first up: ${first.split("\n")[0]}`);
    console.log(`[never healthy] after it: ${JSON.stringify(afterFirst)}`);
    console.log(
      `[never healthy] second up: ${second.split("\n")[0]}; after it: ${JSON.stringify(afterSecond)}`,
    );
    console.log(`[never healthy] ${formatSummary("during both ups", during)}`);
    console.log(`[never healthy] ${formatSummary("after", after)}`);
    expect(first).toMatch(/container failed to be in healthy state/);
    expect(afterFirst).toEqual({ old: 2, broken: 2, initErrors: [1, 1] });
    // The second up replaces and waits again (and fails again); it never reports success.
    expect(second).toMatch(/container failed to be in healthy state/);
    expect(afterSecond.old).toBe(2);
    expect(during.sent).toBeGreaterThan(1_000);
    expect(during.non2xx + during.errors).toBe(0);
    expect(after.ok).toBe(after.sent);
  }, 420_000);

  test("a good release then replaces the failed replicas and removes the old ones", async () => {
    await nextUp(d!, { ...SHORT, api: { ...SHORT.api, image: "ghcr.io/acme/api:1.4.3" } });
    expect(await running("ghcr.io/acme/api:1.4.3")).toBe(2);
    expect(await running("ghcr.io/acme/api:1.4.2")).toBe(0);
    expect(await running(BROKEN)).toBe(0);
    for (const r of replicas()) expect(d!.applier.initErrorsOf(r.urn)).toEqual([]);
  }, 300_000);
});
