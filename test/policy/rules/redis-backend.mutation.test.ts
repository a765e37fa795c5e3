/**
 * redis-backend-defined, one setting at a time: which hosts a REDIS_* value names
 * (redisEnvHosts), which container names and aliases count, a host that is another container,
 * no Redis at all, and the preview paths (unknown names or envs, judged by where they came from).
 */
import { describe, expect, it } from "vitest";
import { redisEnvHosts } from "../../../policy/rules/redis-backend";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { analyzeCase, type Record_ } from "../corpus/analyze";
import { apiProps, redisProps, res, T } from "../corpus/base";

type P = Record<string, unknown>;
const POLICY = "redis-backend-defined";
const judge = async (stack: Record_[]) =>
  (await analyzeCase({ stack }, new Set([POLICY]))).map((f) => f.message.split("\n")[1] ?? "");
const app = (envs: unknown, extra: Partial<Record_> = {}) =>
  res(T.container, "api", { ...apiProps(), envs }, extra);
const redis = (patch: P = {}) => res(T.container, "redis", { ...redisProps(), ...patch });

describe("redisEnvHosts", () => {
  it.each([
    ["redis://:pw@cache:6379/0", ["cache"]],
    ["rediss://user:pw@master.x.cache.amazonaws.com:6379", ["master.x.cache.amazonaws.com"]],
    ["unix:///run/redis.sock", [""]],
    ["tcp://cache:6379", ["cache"]],
    ["cache:6379", ["cache"]],
    ["cache", ["cache"]],
    ["  cache  ", ["cache"]],
    ["::1", ["::1"]],
    ["[::1]:6379", ["[::1]:6379"]],
    ["10.0.0.5:6379", ["10.0.0.5"]],
    ["", [""]],
  ])("%j names %j", (value, hosts) => {
    expect(redisEnvHosts(value)).toEqual(hosts);
  });
});

describe("redis-backend-defined", () => {
  it("passes a URL naming the Redis container by name, by hostname or by alias", async () => {
    expect(
      await judge([redis({ name: "cache" }), app(["REDIS_URL=redis://:pw@cache:6379"])]),
    ).toEqual([]);
    expect(await judge([redis({ hostname: "cache" }), app(["REDIS_HOST=cache"])])).toEqual([]);
    expect(
      await judge([
        redis({ networksAdvanced: [{ name: "n", aliases: ["cache"] }] }),
        app(["REDIS_HOST=cache"]),
      ]),
    ).toEqual([]);
  });

  it("refuses a host nobody is named, saying Redis was never defined", async () => {
    const [m] = await judge([app(["REDIS_HOST=cache"])]);
    expect(m).toBe(
      'Container "api" sets REDIS_HOST to host "cache", but no container in this stack is named or aliased so: Redis was never defined. Fix: add the Redis component (or ElastiCache) and build the URL from its outputs.',
    );
  });

  it("refuses a host that is another, non-Redis container", async () => {
    const other = res(T.container, "worker", { ...apiProps(), name: "worker", envs: [] });
    const [m] = await judge([other, app(["CACHE_URL=redis://worker:6379"])]);
    expect(m).toBe(
      'Container "api" sets CACHE_URL to host "worker", which is container "worker", not Redis/Valkey. Fix: point it at the Redis container\'s name.',
    );
  });

  it("leaves FQDNs, IPs, localhost and other variables alone", async () => {
    for (const env of [
      "REDIS_HOST=redis.example.com",
      "REDIS_ADDR=10.0.0.5:6379",
      "REDIS_HOST=localhost",
      "REDIS_HOST=::1",
      "OTHER_HOST=cache",
    ])
      expect(await judge([app([env])]), env).toEqual([]);
  });

  it("at preview passes an unknown name only when the env came from a Redis backend", async () => {
    const r = redis({ name: UNKNOWN });
    const deps = { propertyDependencies: { envs: [r.urn] } };
    expect(await judge([r, app(["REDIS_HOST=cache"], deps)])).toEqual([]);
    expect(await judge([r, app(["REDIS_HOST=cache"])])).toHaveLength(1);
  });

  it("at preview asks for provenance when envs are unknown and nothing shows a backend", async () => {
    const [m] = await judge([app(UNKNOWN)]);
    expect(m).toContain(
      '`envs` of container "api" (which may carry REDIS_URL) and its provenance could not be established',
    );
    const r = redis();
    expect(await judge([r, app(UNKNOWN, { propertyDependencies: { envs: [r.urn] } })])).toEqual([]);
    const external = res("api-stack:components:ExternalRedis", "cache", {});
    expect(await judge([external, app(UNKNOWN)])).toEqual([]);
  });
});
