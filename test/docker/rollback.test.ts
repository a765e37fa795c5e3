/**
 * A rollback on the real engine (issue 25 item 4): prod behind the edge runs 1.4.2, then 1.4.3,
 * then `npm run rollback`'s decision (rollback/history.ts, on the history the two ups would
 * leave) goes back to 1.4.2, applied by the applier as `pulumi up` would apply it after the
 * config change, under 50 requests/s through the edge over HTTPS. The old release's image is
 * still on the engine (nothing in the stack removes an image: test/stack/images-kept.test.ts),
 * so the provider's findImage uses it without a pull (provider.ts, findImage).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { chooseRollback, type HistoryEntry } from "../../rollback/history";
import {
  configFor,
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

const OLD = "ghcr.io/acme/api:1.4.2";
const NEW = "ghcr.io/acme/api:1.4.3";
const release = (image: string): DeployOptions => ({
  ...FAST,
  api: { ...FAST.api, image },
  workers: { jobs: { image } },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDocker("a rollback of prod behind the edge on the real engine", () => {
  let d: Deployment | undefined;
  const docker = engine();
  /** What `pulumi stack history --json` would hold for each up: its config, as the CLI prints it. */
  const history: HistoryEntry[] = [];
  const record = async (o: DeployOptions) => {
    const config = Object.fromEntries(
      Object.entries(await configFor(d!.stack, d!, o))
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, { value: JSON.stringify(v), objectValue: v, secret: false }]),
    );
    const startTime = new Date().toISOString();
    history.unshift({ version: 0, kind: "update", startTime, config, result: "succeeded" });
  };
  const imagesOf = async (pattern: RegExp) =>
    Promise.all(
      d!.applier
        .physicalNames(pattern)
        .map(async (n) => (await docker.getContainer(n).inspect()).Config.Image),
    );

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("prod", release(OLD));
    await record(release(OLD));
    await nextUp(d, release(NEW));
    await record(release(NEW));
  }, 600_000);

  afterAll(() => teardown(d), 180_000);

  test("1.4.3 → 1.4.2 under 50 requests/s through HTTPS: no failed request, no pull, 1.4.2 running", async () => {
    expect(await imagesOf(/^api-server(-\d+)?$/)).toEqual([NEW, NEW]);
    // The release before is no longer running, and its image is still on the engine.
    await docker.getImage(OLD).inspect();
    // The live config is the last up's (`pulumi config get --path api.image` would print NEW).
    const decision = chooseRollback(history, true, { image: NEW, workers: { jobs: NEW } });
    if (!("plan" in decision)) throw new Error("no rollback plan");
    const { target, workers } = decision.plan;
    expect([target.image, workers]).toEqual([OLD, { jobs: OLD }]);

    const load = loadCounter(d!);
    await sleep(3_000);
    load.mark("rollback");
    const pulls = d!.applier.provider.pulls.length;
    const before = d!.applier.steps.length;
    const t0 = performance.now();
    await nextUp(d!, {
      ...release(target.image),
      workers: { jobs: { image: workers.jobs ?? target.image } },
    });
    const seconds = (performance.now() - t0) / 1_000;
    load.mark("done");
    await sleep(3_000);
    const res = await load.stop();
    const during = summarize(res, res.marks.rollback, res.marks.done);
    const after = summarize(res, res.marks.done);
    const steps = d!.applier.steps.slice(before).filter((s) => s.op !== "same");
    console.log(
      `[rollback] ${NEW} → ${OLD} (prod, 2 API replicas and 2 workers) through the applier: ${seconds.toFixed(1)} s; ${formatSummary("through the edge during it", during)}`,
    );
    console.log(`[rollback] ${formatSummary("after", after)}`);
    console.log(`[rollback] steps: ${steps.map((s) => `${s.op} ${s.name}`).join(", ")}`);
    if (during.non2xx + during.errors > 0) {
      // The edge's JSON access log says how each failed request ended ("termination", the
      // server, the retries): what a failure here needs to be diagnosed.
      const logs = String(
        await docker
          .getContainer(d!.applier.physicalName("edge-proxy"))
          .logs({ stdout: true, stderr: true, tail: 5_000 }),
      );
      const failed = logs.split("\n").filter((l) => /"status":(5\d\d|-1)/.test(l));
      console.log(`[rollback] the edge's log of the failed requests:\n${failed.join("\n")}`);
    }
    expect(d!.applier.provider.pulls.slice(pulls)).toEqual([]);
    expect(during.sent).toBeGreaterThan(100);
    expect(during.non2xx + during.errors).toBe(0);
    expect(after.ok).toBe(after.sent);
    expect(await imagesOf(/^api-server(-\d+)?$/)).toEqual([OLD, OLD]);
    expect(await imagesOf(/^jobs-worker(-\d+)?$/)).toEqual([OLD, OLD]);
    // The newer image stays too, for a roll forward.
    await docker.getImage(NEW).inspect();
  }, 420_000);
});
