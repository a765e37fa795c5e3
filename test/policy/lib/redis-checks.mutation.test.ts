/**
 * policy/lib/redis-checks.ts directly: the exact verdicts of redis-requires-auth and
 * redis-not-exposed for one Redis container, each bad case one setting from a good one.
 */
import { describe, expect, it } from "vitest";
import { checkRedisAuth, checkRedisExposure } from "../../../policy/lib/redis-checks";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { redisProps } from "../corpus/base";
import { asPolicySees } from "../util";

const L = 'container "redis"';
const FIX_AUTH =
  'upload a redis.conf with "user default on >PASSWORD ~* &* +@all" (or "requirepass PASSWORD") and start the server with it, or run redis-server --requirepass "$REDIS_PASSWORD"; take PASSWORD from a random.RandomPassword secret';
const FIX_EXPOSURE =
  'remove the port mapping and reach Redis over an internal Docker network (networksAdvanced); for local debugging in dev only, bind it to loopback with ip: "127.0.0.1"';

describe("checkRedisAuth", () => {
  it("passes the corpus's Redis, which requires a password", () => {
    // As the policy server hands it over: secrets unwrapped.
    expect(checkRedisAuth(L, asPolicySees(redisProps()))).toEqual([]);
  });

  it("refuses the image's defaults: no command, no config", () => {
    expect(checkRedisAuth(L, { image: "redis:7.4" })).toEqual([
      `Redis ${L} accepts connections without a password: ACL user(s) "default" need none. Fix: ${FIX_AUTH}.`,
    ]);
  });

  it("names the explicit opt-out", () => {
    expect(
      checkRedisAuth(L, { image: "bitnami/redis:7.4", envs: ["ALLOW_EMPTY_PASSWORD=yes"] }),
    ).toEqual([
      `Redis ${L} sets ALLOW_EMPTY_PASSWORD=yes, so anyone who reaches it can read and write every key. Fix: remove it and ${FIX_AUTH}.`,
    ]);
  });

  it("says what it cannot read, and defers what is unknown at preview", () => {
    const [m] = checkRedisAuth(L, { image: "redis:7.4", command: ["sh", "-c", "exec my-wrapper"] });
    expect(m).toMatch(
      /^Redis container "redis": authentication cannot be verified because redis-server reads .+\. Fix: pass the configuration through `uploads` and `command` so it can be checked, and /,
    );
    expect(checkRedisAuth(L, { image: "redis:7.4", command: UNKNOWN })).toEqual([]);
  });

  it("adds the notes that explain it: REDIS_PASSWORD ignored by the official image", () => {
    const [m] = checkRedisAuth(L, { image: "redis:7.4", envs: ["REDIS_PASSWORD=x"] });
    expect(m).toMatch(/need none \(.+\)\. Fix: /);
  });
});

describe("checkRedisExposure", () => {
  const base = { ...asPolicySees(redisProps()), ports: undefined };
  const at = (patch: Record<string, unknown>, prod = false) =>
    checkRedisExposure(L, { ...base, ...patch }, prod);

  it("passes no ports, and loopback in dev", () => {
    expect(at({})).toEqual([]);
    expect(at({ ports: [{ internal: 6379, external: 6380, ip: "127.0.0.1" }] })).toEqual([]);
  });

  it("refuses an unset or empty ip, naming 0.0.0.0 and the port", () => {
    for (const ip of [undefined, ""])
      expect(at({ ports: [{ internal: 6379, ip }] })).toEqual([
        `Redis ${L} publishes port 0.0.0.0:(random)->6379 on a non-loopback address (an unset \`ip\` means 0.0.0.0). Fix: ${FIX_EXPOSURE}.`,
      ]);
    expect(at({ ports: [{ internal: 6379, external: 6379, ip: "10.0.0.5" }] })).toEqual([
      `Redis ${L} publishes port 10.0.0.5:6379->6379 on a non-loopback address. Fix: ${FIX_EXPOSURE}.`,
    ]);
  });

  it("refuses even loopback in production", () => {
    expect(at({ ports: [{ internal: 6379, external: 6380, ip: "127.0.0.1" }] }, true)).toEqual([
      `Redis ${L} publishes port 127.0.0.1:6380->6379 in production, where Redis must not be published at all. Fix: remove \`ports\` and connect over the internal Docker network.`,
    ]);
  });

  it("refuses host networking and publishAllPorts", () => {
    expect(at({ networkMode: "host" })).toEqual([
      `Redis ${L} uses networkMode "host", so it listens on every host interface. Fix: ${FIX_EXPOSURE}.`,
    ]);
    expect(at({ publishAllPorts: true })).toEqual([
      `Redis ${L} sets publishAllPorts, which publishes 6379 on 0.0.0.0. Fix: ${FIX_EXPOSURE}.`,
    ]);
    expect(at({ publishAllPorts: false, networkMode: "bridge" })).toEqual([]);
  });

  it("asks for literals when networkMode, publishAllPorts, ports or one mapping is unknown", () => {
    expect(at({ networkMode: UNKNOWN })[0]).toContain("`networkMode` of Redis");
    expect(at({ publishAllPorts: UNKNOWN })[0]).toContain("`publishAllPorts` of Redis");
    expect(at({ ports: UNKNOWN })[0]).toContain("`ports` of Redis");
    const one = at({
      ports: [
        { internal: 6379, ip: UNKNOWN },
        { internal: 6379, ip: "127.0.0.1" },
      ],
    });
    expect(one).toHaveLength(1);
    expect(one[0]).toContain("A port mapping of Redis");
  });
});
