/**
 * policy/rules/lifecycle.ts one setting at a time: the destroy grace against the stop timeout
 * (and Docker's 10 s default), the root-with-no-capabilities Redis, ports on internal-only
 * networks (matched by name and by dependency), and the stopTimeout/cpus values Docker reads as
 * something else. Each bad case is the corpus's good container with one field changed.
 */
import { describe, expect, it } from "vitest";
import {
  containerDestroyGrace,
  containerDockerLimits,
  publishedPortsReachable,
  redisEntrypointCanRestart,
} from "../../../policy/rules/lifecycle";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { analyzeCase } from "../corpus/analyze";
import { apiProps, edge, network, redisProps, res, T } from "../corpus/base";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { messagesOf } from "../util";

type P = Record<string, unknown>;
const run = (policy: ResourceValidationPolicy, p: P, name = "api") =>
  messagesOf(policy, T.container, p, { name });
const api = (patch: P) => ({ ...apiProps(), ...patch });
const redis = (patch: P) => ({ ...redisProps(), ...patch });

describe("container-destroy-grace", () => {
  it("passes a grace equal to the stop timeout", async () => {
    expect(
      await run(containerDestroyGrace, api({ stopTimeout: 30, destroyGraceSeconds: 30 })),
    ).toEqual([]);
  });

  it("refuses an unset grace as an immediate SIGKILL, naming the stop timeout", async () => {
    const [m] = await run(containerDestroyGrace, api({ destroyGraceSeconds: undefined }));
    expect(m).toContain(
      "has destroyGraceSeconds unset, so the Docker provider stops it on every replace and destroy with a 0 s timeout: an immediate SIGKILL, whatever stopTimeout (30 s) says",
    );
    expect(m).toMatch(/Fix: set destroyGraceSeconds: 30 \(the stop timeout\)\.$/);
  });

  it("refuses a grace below the stop timeout, saying after how long", async () => {
    const [m] = await run(containerDestroyGrace, api({ destroyGraceSeconds: 29 }));
    expect(m).toContain(
      "has destroyGraceSeconds 29, so the Docker provider stops it on every replace and destroy after 29 s",
    );
  });

  it("without a stop timeout wants Docker's 10 s, and says so", async () => {
    const unset = api({ stopTimeout: undefined, destroyGraceSeconds: 9 });
    const [m] = await run(containerDestroyGrace, unset);
    expect(m).toContain("whatever stopTimeout (unset, Docker's 10 s) says");
    expect(m).toContain("destroyGraceSeconds: 10 (the stop timeout)");
    expect(await run(containerDestroyGrace, { ...unset, destroyGraceSeconds: 10 })).toEqual([]);
    // 0 is unset for the provider (GetOk), so it counts as Docker's 10 s too.
    expect(
      await run(containerDestroyGrace, api({ stopTimeout: 0, destroyGraceSeconds: 9 })),
    ).toHaveLength(1);
  });

  it.each(["destroyGraceSeconds", "stopTimeout"])(
    "asks for literals when %s is unknown",
    async (f) => {
      const found = await run(containerDestroyGrace, api({ [f]: UNKNOWN }));
      expect(found).toHaveLength(1);
      expect(found[0]).toContain("set both as literal numbers");
    },
  );

  it("leaves a one-shot container (attach: true) alone, and judges the same one long-running", async () => {
    const noGrace = api({ destroyGraceSeconds: undefined });
    expect(await run(containerDestroyGrace, { ...noGrace, attach: true })).toEqual([]);
    expect(await run(containerDestroyGrace, { ...noGrace, attach: false })).toHaveLength(1);
  });
});

describe("redis-entrypoint-can-restart", () => {
  it("passes the redis uid with every capability dropped", async () => {
    expect(await run(redisEntrypointCanRestart, redis({}), "redis")).toEqual([]);
  });

  it.each([["root"], ["0"], [""], ["0:0"], [" root :x"]])(
    "refuses user %j with ALL dropped",
    async (user) => {
      const [m] = await run(redisEntrypointCanRestart, redis({ user }), "redis");
      expect(m).toContain("runs as root with every capability dropped");
      expect(m).toContain('Fix: set user: "999"');
    },
  );

  it("refuses an unset user (root) with CAP_ALL dropped in any case", async () => {
    expect(
      await run(
        redisEntrypointCanRestart,
        redis({ user: undefined, capabilities: { drops: ["cap_all"] } }),
        "redis",
      ),
    ).toHaveLength(1);
  });

  it.each([["DAC_OVERRIDE"], ["CAP_DAC_READ_SEARCH"], ["all"]])(
    "passes root with ALL dropped when %s is added back",
    async (cap) => {
      expect(
        await run(
          redisEntrypointCanRestart,
          redis({ user: "0", capabilities: { drops: ["ALL"], adds: [cap] } }),
          "redis",
        ),
      ).toEqual([]);
    },
  );

  it("passes root that keeps its capabilities, and an API container as root", async () => {
    expect(
      await run(
        redisEntrypointCanRestart,
        redis({ user: "0", capabilities: { drops: ["NET_RAW"] } }),
        "redis",
      ),
    ).toEqual([]);
    expect(
      await run(redisEntrypointCanRestart, redis({ user: "0", capabilities: undefined }), "redis"),
    ).toEqual([]);
    expect(await run(redisEntrypointCanRestart, api({ user: "0" }))).toEqual([]);
  });

  it.each(["user", "capabilities"])("asks for literals when %s is unknown", async (f) => {
    const [m] = await run(redisEntrypointCanRestart, redis({ [f]: UNKNOWN }), "redis");
    expect(m).toContain("set both as literals");
  });
});

describe("published-ports-reachable", () => {
  const only = new Set(["published-ports-reachable"]);
  const judge = async (p: P, deps?: Record<string, string[]>, nets = [network, edge]) =>
    (
      await analyzeCase(
        {
          stack: [...nets, res(T.container, "api", p, deps ? { propertyDependencies: deps } : {})],
        },
        only,
      )
    ).map((f) => f.message);
  const internalOnly = { networksAdvanced: [{ name: "api-stack-prod-internal" }] };

  it("refuses ports on internal networks only, found by name", async () => {
    const [m] = await judge(api(internalOnly));
    expect(m).toContain("publishes 1 port(s) but is only on internal network(s) (internal)");
    expect(publishedPortsReachable.name).toBe("published-ports-reachable");
  });

  it("refuses it when the network's name is unknown but it came from the network resource", async () => {
    const p = api({ networksAdvanced: [{ name: UNKNOWN }] });
    expect(await judge(p, { networksAdvanced: [network.urn] })).toHaveLength(1);
    expect(await judge(p)).toEqual([]);
  });

  it("passes when one network is not internal, with no ports, with a network mode, or on the default bridge", async () => {
    expect(await judge(api({}))).toEqual([]);
    expect(await judge(api({ ...internalOnly, ports: [] }))).toEqual([]);
    expect(await judge(api({ ...internalOnly, networkMode: "host" }))).toEqual([]);
    expect(await judge(api({ networksAdvanced: [] }))).toEqual([]);
  });

  it("does not judge a container on a network this stack does not declare", async () => {
    expect(
      await judge(
        api({ networksAdvanced: [{ name: "api-stack-prod-internal" }, { name: "shared" }] }),
      ),
    ).toEqual([]);
  });
});

describe("container-docker-limits", () => {
  it("refuses stopTimeout 0 and passes 1", async () => {
    expect((await run(containerDockerLimits, api({ stopTimeout: 0 })))[0]).toContain(
      "has stopTimeout 0, which the Docker provider reads as unset, so Docker's 10 s applies",
    );
    expect(await run(containerDockerLimits, api({ stopTimeout: 1 }))).toEqual([]);
  });

  it.each([
    ["0.009", 1],
    ["0", 1],
    ["abc", 1],
    ["0.01", 0],
    ["0.5", 0],
    ["", 0],
    [UNKNOWN, 0],
  ])("cpus %j gives %i violation(s)", async (cpus, n) => {
    const found = await run(containerDockerLimits, api({ cpus }));
    expect(found).toHaveLength(n);
    if (n) expect(found[0]).toContain(`has cpus "${cpus}": below 0.01`);
  });
});
