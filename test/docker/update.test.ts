/**
 * What a second `up` does with a change the provider updates in place (memory) and with one
 * it does not (the healthcheck), on the real engine: finding 5 of "Survive the first real
 * `pulumi preview`…", shown rather than read.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { CapturedResource } from "../../gate";
import { engine, FAST, firstUp, nextUp, requireImages, teardown, type Deployment } from "./harness";
import { describeDocker } from "./layer";

const nsOf = (s: number) => s * 1e9;

describeDocker("updates in place and replacements (dev)", () => {
  let d: Deployment | undefined;
  const docker = engine();
  const inspect = (logical: string) =>
    docker.getContainer(d!.applier.physicalName(logical)).inspect();

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("dev", FAST);
  }, 300_000);

  afterAll(() => teardown(d), 120_000);

  test("adding a memory limit without a swap limit is refused by Docker on update", async () => {
    const dropSwap = (r: CapturedResource) => {
      if (r.name === "api-server") delete r.properties.memorySwap;
    };
    const err = await nextUp(d!, {
      ...FAST,
      api: { ...FAST.api, memoryMb: 384 },
      mutate: dropSwap,
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/Memory limit should be smaller than already set memoryswap limit/);
  }, 120_000);

  test("with the swap limit sent along (our components), memory is updated in place", async () => {
    const before = await inspect("api-server");
    await nextUp(d!, { ...FAST, api: { ...FAST.api, memoryMb: 384 } });
    const after = await inspect("api-server");
    expect(d!.applier.steps.at(-1)).toMatchObject({ name: "api-server", op: "update" });
    expect(after.Id).toBe(before.Id);
    expect(after.HostConfig.Memory).toBe(384 * 1024 * 1024);
    expect(after.HostConfig.MemorySwap).toBe(384 * 1024 * 1024);
  }, 120_000);

  test("without replaceOnChanges a healthcheck change is an update that never reaches the container", async () => {
    const before = await inspect("api-server");
    const dropReplaceOnChanges = (r: CapturedResource) => {
      if (r.name === "api-server") r.options.replaceOnChanges.splice(0);
    };
    await nextUp(d!, {
      ...FAST,
      api: { ...FAST.api, memoryMb: 384, healthcheck: { interval: "3s", timeout: "1s" } },
      mutate: dropReplaceOnChanges,
    });
    const after = await inspect("api-server");
    expect(d!.applier.steps.at(-1)).toMatchObject({ name: "api-server", op: "update" });
    expect(after.Id).toBe(before.Id);
    // State says 1s; the running container still probes with 2s.
    expect(after.Config.Healthcheck?.Timeout).toBe(nsOf(2));
  }, 120_000);

  test("with it (our components) the same change replaces the container and takes effect", async () => {
    const before = await inspect("api-server");
    await nextUp(d!, {
      ...FAST,
      api: { ...FAST.api, memoryMb: 384, healthcheck: { interval: "3s", timeout: "1500ms" } },
    });
    const after = await inspect("api-server");
    expect(d!.applier.steps.at(-1)).toMatchObject({ name: "api-server", op: "replace" });
    expect(after.Id).not.toBe(before.Id);
    expect(after.Config.Healthcheck?.Timeout).toBe(1.5e9);
    expect(after.State.Health?.Status).toBe("healthy");
  }, 120_000);
});
