/**
 * A second run under mocks with the first run's outputs as prior state, as layer 5's second
 * `up` uses it: unchanged resources keep their outputs (the engine's SameStep carries the
 * old state, pulumi/pulumi pkg/resource/deploy/step.go), changed ones get new ones.
 */
import { describe, expect, it } from "vitest";
import { priorOf } from "../../gate";
import { one, reveal, runStack } from "../helpers/program";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const CONTAINER = "docker:index/container:Container";
const result = (run: Awaited<ReturnType<typeof runStack>>, name: string) =>
  reveal(one(run, PASSWORD, name).state.result);

describe("prior state between two runs", () => {
  it("keeps generated passwords and auto-names when nothing changed", async () => {
    const first = await runStack("dev");
    const second = await runStack("dev", { prior: priorOf(first) });
    for (const name of ["redis-password", "probe-password", "admin-password"])
      expect(result(second, name)).toBe(result(first, name));
    expect(one(second, CONTAINER, "cache-server").state.name).toBe(
      one(first, CONTAINER, "cache-server").state.name,
    );
    expect(reveal(one(second, CONTAINER, "cache-server").properties)).toEqual(
      reveal(one(first, CONTAINER, "cache-server").properties),
    );
  });

  it("gives a changed resource new outputs but keeps a Docker auto-name", async () => {
    const first = await runStack("dev");
    const second = await runStack("dev", {
      prior: priorOf(first),
      secrets: { "api-stack:redisPassword": "Kq7Zp2Wm9Xr4Tn8Lb3Vc6Hy1Jd5Fs0GaQe" },
    });
    expect(result(second, "probe-password")).toBe(result(first, "probe-password"));
    const conf = (run: typeof first) =>
      (reveal(one(run, CONTAINER, "cache-server").properties) as { uploads: { content: string }[] })
        .uploads[0]?.content;
    expect(conf(second)).not.toBe(conf(first));
    expect(one(second, CONTAINER, "cache-server").state.name).toBe(
      one(first, CONTAINER, "cache-server").state.name,
    );
  });
});
