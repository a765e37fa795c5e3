/**
 * policy/rules/containers.ts one setting at a time, on the corpus's good API and Redis
 * containers: restart values and retry caps, host namespaces (Redis's network mode is left to
 * redis-not-exposed), escape capabilities in the singular and plural, the memory floor, and log
 * rotation by driver.
 */
import { describe, expect, it } from "vitest";
import {
  containerLogRotation,
  containerMemoryLimit,
  containerNotPrivileged,
  containerRestartPolicy,
} from "../../../policy/rules/containers";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { apiProps, redisProps, T } from "../corpus/base";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { messagesOf } from "../util";

type P = Record<string, unknown>;
const run = (policy: ResourceValidationPolicy, p: P, config: P = { production: true }) =>
  messagesOf(policy, T.container, p, { name: "api", config });
const api = (patch: P) => ({ ...apiProps(), ...patch });

describe("container-restart-policy", () => {
  it.each([
    [undefined, "unset"],
    [null, "unset"],
    ["", "unset"],
    ["no", '"no"'],
  ])("refuses restart %j in production (%s)", async (restart, shown) => {
    const [m] = await run(containerRestartPolicy, api({ restart }));
    expect(m).toContain(
      `has restart ${shown === "unset" ? 'unset (Docker\'s default is "no")' : '"no"'}, so a crash`,
    );
  });

  it("passes restart no outside production, and unless-stopped in production", async () => {
    expect(
      await run(containerRestartPolicy, api({ restart: "no" }), { production: false }),
    ).toEqual([]);
    expect(await run(containerRestartPolicy, api({ restart: "unless-stopped" }))).toEqual([]);
  });

  it("on-failure needs a retry cap above 0; an unknown cap asks for a literal", async () => {
    const onFailure = (maxRetryCount: unknown) => api({ restart: "on-failure", maxRetryCount });
    expect(await run(containerRestartPolicy, onFailure(5))).toEqual([]);
    for (const bad of [0, undefined, "5"])
      expect((await run(containerRestartPolicy, onFailure(bad)))[0]).toContain(
        'uses restart "on-failure" without maxRetryCount > 0',
      );
    expect((await run(containerRestartPolicy, onFailure(UNKNOWN)))[0]).toContain(
      "set a literal retry count",
    );
  });
});

describe("container-not-privileged", () => {
  it.each(["pidMode", "ipcMode", "networkMode", "usernsMode"])(
    "refuses %s host on the API",
    async (field) => {
      const [m] = await run(containerNotPrivileged, api({ [field]: "host" }));
      expect(m).toContain(`sets ${field} "host"`);
      expect(m).toContain(
        field === "networkMode"
          ? "and join user-defined networks (networksAdvanced)"
          : "(Docker's default is a private namespace).",
      );
    },
  );

  it("leaves a Redis container's network mode to redis-not-exposed, but not its pid mode", async () => {
    expect(await run(containerNotPrivileged, { ...redisProps(), networkMode: "host" })).toEqual([]);
    expect(await run(containerNotPrivileged, { ...redisProps(), networkMode: UNKNOWN })).toEqual(
      [],
    );
    expect(await run(containerNotPrivileged, { ...redisProps(), pidMode: "host" })).toHaveLength(1);
    expect((await run(containerNotPrivileged, api({ networkMode: UNKNOWN })))[0]).toContain(
      "`networkMode` of",
    );
  });

  it("says 'it' for one escape capability and 'them' for two", async () => {
    const one = await run(
      containerNotPrivileged,
      api({ capabilities: { drops: ["ALL"], adds: ["SYS_ADMIN"] } }),
    );
    expect(one[0]).toContain("Fix: remove it from capabilities.adds");
    const two = await run(
      containerNotPrivileged,
      api({ capabilities: { drops: ["ALL"], adds: ["SYS_ADMIN", "SYS_PTRACE"] } }),
    );
    expect(two[0]).toContain("Fix: remove them from capabilities.adds");
    expect(
      await run(
        containerNotPrivileged,
        api({ capabilities: { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] } }),
      ),
    ).toEqual([]);
  });

  it("asks for literal capabilities when they are unknown, and judges no adds then", async () => {
    const found = await run(containerNotPrivileged, api({ capabilities: UNKNOWN }));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("`capabilities` of");
  });
});

describe("container-memory-limit", () => {
  it("takes the configured floor itself, not one below it", async () => {
    const cfg = { production: true, minMemoryMb: 64 };
    expect(await run(containerMemoryLimit, api({ memory: 64 }), cfg)).toEqual([]);
    expect((await run(containerMemoryLimit, api({ memory: 63 }), cfg))[0]).toContain("at least 64");
  });

  it("asks for a literal when memory is unknown, and skips non-production", async () => {
    expect((await run(containerMemoryLimit, api({ memory: UNKNOWN })))[0]).toContain(
      "set memory (MB) to a literal",
    );
    expect(
      await run(containerMemoryLimit, api({ memory: undefined }), { production: false }),
    ).toEqual([]);
  });
});

describe("container-log-rotation", () => {
  it("refuses json-file (named or by default) without max-size or max-file, naming what is missing", async () => {
    expect((await run(containerLogRotation, api({ logOpts: { "max-size": "10m" } })))[0]).toContain(
      "without max-file,",
    );
    expect(
      (
        await run(
          containerLogRotation,
          api({ logDriver: "json-file", logOpts: { "max-size": "", "max-file": "3" } }),
        )
      )[0],
    ).toContain("without max-size,");
    expect((await run(containerLogRotation, api({ logDriver: "", logOpts: {} })))[0]).toContain(
      "without max-size and max-file",
    );
  });

  it("passes other drivers, and containers removed on exit", async () => {
    expect(await run(containerLogRotation, api({ logDriver: "local", logOpts: {} }))).toEqual([]);
    expect(await run(containerLogRotation, api({ rm: true, logOpts: {} }))).toEqual([]);
    expect(await run(containerLogRotation, api({ rm: false, logOpts: {} }))).toHaveLength(1);
  });

  it.each([
    ["logDriver", UNKNOWN],
    ["logOpts", { "max-size": UNKNOWN, "max-file": "3" }],
  ])("asks for literals when %s is unknown", async (field, value) => {
    const found = await run(containerLogRotation, api({ [field]: value }));
    expect(found).toEqual([expect.stringContaining("set logDriver/logOpts as literals")]);
  });
});
