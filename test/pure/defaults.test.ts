/**
 * Each default is written once, beside its component, and the config schema reads it from
 * there. These tests fail if the two ever disagree again: a stack file that leaves a key out
 * must give the component exactly what the component would choose itself, in both
 * environments, and the docs must state the environment-dependent defaults the code uses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { API_SERVICE_DEFAULTS, resolveApiServiceArgs } from "../../components/api-service";
import {
  ELASTICACHE_VALKEY_DEFAULTS,
  elastiCacheEnvironmentDefaults,
  resolveElastiCacheValkeyArgs,
} from "../../components/elasticache-valkey";
import { LOCAL_REDIS_DEFAULTS, resolveLocalRedisArgs } from "../../components/local-redis";
import { REDIS_BACKUP_DEFAULTS, resolveRedisBackupArgs } from "../../components/redis-backup";
import type { RedisConnectionOutputs } from "../../components/redis-connection";
import { parseStackConfig, PROD_MIN_CACHE_NODES, type StackConfig } from "../../stacks/config";
import { MINIMAL_API, MINIMAL_ELASTICACHE } from "../helpers/minimal-config";

const API = MINIMAL_API;
const CACHE = MINIMAL_ELASTICACHE;

/** A stack file with only the keys that have no default. */
function parse(production: boolean, redis: object): StackConfig {
  const offsite = "backup" in redis && JSON.stringify(redis).includes('"offsite"');
  const keys = offsite ? ["api-stack:backupAccessKeyId", "api-stack:backupSecretAccessKey"] : [];
  return parseStackConfig({
    stack: production ? "prod" : "dev",
    values: {
      "api-stack:environment": production ? "production" : "development",
      "api-stack:api": JSON.stringify(API),
      // Production with a local Redis needs a backup block; `{}` has nothing but defaults.
      "api-stack:redis": JSON.stringify(
        production && !("mode" in redis) && !("backup" in redis) ? { ...redis, backup: {} } : redis,
      ),
      ...Object.fromEntries(keys.map((k) => [k, "unknown-to-this-test"])),
    },
    secretKeys: keys,
  });
}

/** The resolved args' keys that have defaults, without the Outputs. */
function pick(resolved: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (resolved as Record<string, unknown>)[k]]));
}

describe.each([false, true])("production: %s", (production) => {
  it("the local Redis gets the component's own defaults", () => {
    const cfg = parse(production, {});
    if (cfg.redis.mode !== "local") throw new Error("expected redis.mode local");
    const runtime = {
      networkName: "n",
      password: "p",
      probePassword: "q",
      adminPassword: "r",
      production,
      stack: "s",
    };
    const keys = [...Object.keys(LOCAL_REDIS_DEFAULTS), "maxmemoryMb", "protectData"];
    const fromConfig = pick(
      resolveLocalRedisArgs({ ...cfg.redis, backup: undefined, ...runtime }),
      keys,
    );
    expect(fromConfig).toEqual(pick(resolveLocalRedisArgs(runtime), keys));
    expect(fromConfig.protectData).toBe(production);
  });

  it("backups get the component's own defaults", () => {
    const cfg = parse(production, { backup: { offsite: { bucket: "b-1", region: "eu-west-1" } } });
    if (cfg.redis.mode !== "local" || !cfg.redis.backup) throw new Error("expected a backup");
    const runtime = {
      image: "redis:7.4-alpine",
      engine: "redis" as const,
      networkName: "n",
      host: "redis",
      port: 6379,
      password: "p",
      user: "999",
      restart: "always" as const,
      protectData: production,
      stack: "s",
    };
    const offsite = {
      bucket: "b-1",
      region: "eu-west-1",
      accessKeyId: "a",
      secretAccessKey: "s",
      networkName: "e",
    };
    const fromConfig = resolveRedisBackupArgs({
      ...runtime,
      ...cfg.redis.backup,
      offsite: { ...cfg.redis.backup.offsite, ...offsite },
    });
    expect(fromConfig).toEqual(resolveRedisBackupArgs({ ...runtime, offsite }));
    expect(fromConfig.everyMs).toBe(REDIS_BACKUP_DEFAULTS.everyMs);
  });

  it("ElastiCache gets the component's own defaults, numCacheClusters included", () => {
    const cfg = parse(production, CACHE);
    if (cfg.redis.mode !== "elasticache") throw new Error("expected redis.mode elasticache");
    const runtime = { ...CACHE, production, stack: "s" };
    const env = elastiCacheEnvironmentDefaults(production);
    const keys = [...Object.keys(ELASTICACHE_VALKEY_DEFAULTS), ...Object.keys(env)];
    const fromConfig = pick(resolveElastiCacheValkeyArgs({ ...cfg.redis, ...runtime }), keys);
    expect(fromConfig).toEqual(pick(resolveElastiCacheValkeyArgs(runtime), keys));
    expect(fromConfig.numCacheClusters).toBe(production ? 2 : 1);
    expect(fromConfig.snapshotRetentionLimit).toBe(production ? 7 : 1);
  });

  it("the API gets the component's own defaults", () => {
    const cfg = parse(production, {});
    const runtime = {
      image: API.image,
      networkNames: ["n"],
      redis: {} as RedisConnectionOutputs,
      secretKey: "k",
      stack: "s",
    };
    const keys = [...Object.keys(API_SERVICE_DEFAULTS), "hostPort", "env"];
    const fromConfig = pick(resolveApiServiceArgs({ ...cfg.api, ...runtime }), keys);
    expect(fromConfig).toEqual(pick(resolveApiServiceArgs(runtime), keys));
  });
});

describe("the environment-dependent ElastiCache defaults", () => {
  it("give production the replica the pack's elasticache-high-availability requires", () => {
    expect(elastiCacheEnvironmentDefaults(true).numCacheClusters).toBeGreaterThanOrEqual(
      PROD_MIN_CACHE_NODES,
    );
  });

  it.each(["numCacheClusters", "snapshotRetentionLimit"] as const)(
    "docs/configuration.md states redis.%s as the code has it",
    (key) => {
      const doc = fs.readFileSync(path.join(__dirname, "../../docs/configuration.md"), "utf8");
      const row = doc.split("\n").find((l) => l.startsWith(`| \`redis.${key}\``));
      const cells = row?.split("|").map((c) => c.trim());
      const [prod, dev] = [true, false].map((p) => elastiCacheEnvironmentDefaults(p)[key]);
      expect(cells?.[3]).toBe(`${prod} in production, else ${dev}`);
    },
  );
});
