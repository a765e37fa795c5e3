/**
 * The generated redis.conf's memory limits and ACL users, in force on the real server.
 */
import { createClient } from "redis";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  aclPasswordHash,
  renderRedisConf,
  REDIS_USERS,
  type EvictionPolicy,
} from "../../components/lib/redis-conf";
import { buildRedisUrl } from "../../components/lib/redis-url";
import {
  freePort,
  randomPassword,
  removeTempDirs,
  requireBinaries,
  startRedis,
  stopAllRedis,
  tempDir,
} from "./util";
import { describeReal } from "./layer";
import { newRedisClient, type RedisClient } from "./redis-client";

type Client = RedisClient;

interface Instance {
  readonly app: Client;
  readonly probe: Client;
  readonly admin: Client;
}

const clients: Client[] = [];

/**
 * `extra` is appended to the test's copy only. `enable-debug-command local` lifts
 * Redis's own DEBUG switch (off by default) so that the ACL alone decides who may run it.
 */
async function start(
  maxmemoryMb: number,
  evictionPolicy: EvictionPolicy,
  extra: string[] = [],
): Promise<Instance> {
  const dir = tempDir();
  const port = await freePort();
  const pw = { app: randomPassword(), probe: randomPassword(), admin: randomPassword() };
  const conf = renderRedisConf({
    port,
    dir,
    appendfsync: "everysec",
    maxmemoryMb,
    evictionPolicy,
    appPassword: pw.app,
    probePassword: pw.probe,
    adminPassword: pw.admin,
  });
  await startRedis({ conf, dir, port, extra });
  const connect = async (password: string, username?: string) => {
    const client = newRedisClient(
      buildRedisUrl({ host: "127.0.0.1", port, tls: false, password, username }),
    );
    client.on("error", () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  };
  return {
    app: await connect(pw.app),
    probe: await connect(pw.probe, REDIS_USERS.probe),
    admin: await connect(pw.admin, REDIS_USERS.admin),
  };
}

const VALUE_64K = "v".repeat(64 * 1024);

describeReal("generated redis.conf: memory and ACLs on the real server", () => {
  let strict: Instance;

  beforeAll(async () => {
    requireBinaries("redis-server");
    strict = await start(2, "noeviction", [
      "# test-only override: let the ACL alone decide about DEBUG",
      "enable-debug-command local",
    ]);
  }, 20_000);

  afterAll(async () => {
    for (const c of clients) if (c.isOpen) c.destroy();
    await stopAllRedis();
    removeTempDirs();
  });

  test("maxmemory and the eviction policy are in force (CONFIG GET as admin, INFO memory)", async () => {
    expect(await strict.admin.configGet("maxmemory")).toEqual({
      maxmemory: String(2 * 1024 * 1024),
    });
    expect(await strict.admin.configGet("maxmemory-policy")).toEqual({
      "maxmemory-policy": "noeviction",
    });
    const info = await strict.admin.info("memory");
    expect(info).toMatch(/^maxmemory:2097152\r?$/m);
    expect(info).toMatch(/^maxmemory_policy:noeviction\r?$/m);
  });

  test("noeviction refuses writes with OOM once maxmemory is reached, and keeps every key", async () => {
    let written = 0;
    let refusal: unknown;
    for (let i = 0; i < 200 && refusal === undefined; i++) {
      try {
        await strict.app.set(`big:${i}`, VALUE_64K);
        written++;
      } catch (err) {
        refusal = err;
      }
    }
    expect(String(refusal)).toMatch(/OOM command not allowed when used memory > 'maxmemory'/);
    expect(await strict.admin.dbSize()).toBe(written);
    expect(await strict.app.get("big:0")).toBe(VALUE_64K);
    await strict.admin.flushAll();
  });

  test("allkeys-lru evicts instead of refusing", async () => {
    const lru = await start(2, "allkeys-lru");
    expect(await lru.admin.configGet("maxmemory-policy")).toEqual({
      "maxmemory-policy": "allkeys-lru",
    });
    for (let i = 0; i < 100; i++) await lru.app.set(`big:${i}`, VALUE_64K);
    // Redis may evict again before any later command (performEvictions runs ahead of each
    // one while over maxmemory), so both numbers are read in one MULTI: the same instant.
    const [stats, size] = await lru.admin.multi().info("stats").dbSize().exec();
    const evicted = Number(/^evicted_keys:(\d+)/m.exec(String(stats))?.[1]);
    expect(evicted).toBeGreaterThan(0);
    expect(Number(size)).toBe(100 - evicted);
  }, 20_000);

  const DANGEROUS = [
    ["FLUSHALL"],
    ["FLUSHDB"],
    // Swaps db 0 with an empty db: to the app, as good as FLUSHDB.
    ["SWAPDB", "0", "1"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "maxmemory", "0"],
    ["DEBUG", "SLEEP", "0"],
    ["SHUTDOWN", "NOSAVE"],
    ["ACL", "SETUSER", "default", "+@all"],
  ];
  test.each(DANGEROUS.map((args) => [args.join(" "), args] as const))(
    "the app (default) user gets NOPERM for %s",
    async (_label, args) => {
      await strict.app.set("canary", "1");
      await expect(strict.app.sendCommand([...args])).rejects.toThrow(/^NOPERM/);
      expect(await strict.app.get("canary")).toBe("1");
    },
  );

  test("the app user can do its job: read, write, INFO", async () => {
    expect(await strict.app.set("job:1", "payload")).toBe("OK");
    expect(await strict.app.get("job:1")).toBe("payload");
    expect(await strict.app.info("persistence")).toMatch(/aof_enabled:1/);
    expect(await strict.app.del("job:1")).toBe(1);
  });

  test("the same DEBUG the app was refused is allowed to admin, so the ACL is what refused it", async () => {
    expect(await strict.admin.sendCommand(["DEBUG", "SLEEP", "0"])).toBe("OK");
  });

  test("with the shipped config (no override) DEBUG is refused to the app user too", async () => {
    const shipped = await start(16, "noeviction");
    await expect(shipped.app.sendCommand(["DEBUG", "SLEEP", "0"])).rejects.toThrow(
      /^(NOPERM|ERR DEBUG command not allowed)/,
    );
  }, 20_000);

  test("the probe user can only PING", async () => {
    expect(await strict.probe.ping()).toBe("PONG");
    for (const args of [
      ["GET", "canary"],
      ["SET", "k", "v"],
      ["DBSIZE"],
      ["INFO"],
      ["KEYS", "*"],
      ["CONFIG", "GET", "*"],
      ["INCR", "ping"],
    ]) {
      await expect(strict.probe.sendCommand(args), args.join(" ")).rejects.toThrow(/^NOPERM/);
    }
  });

  test("redis.conf holds no password, only SHA-256 hashes, and the server accepts them", async () => {
    const pw = { app: randomPassword(), probe: randomPassword(), admin: randomPassword() };
    const dir = tempDir();
    const port = await freePort();
    const conf = renderRedisConf({
      port,
      dir,
      appendfsync: "everysec",
      maxmemoryMb: 16,
      evictionPolicy: "noeviction",
      appPassword: pw.app,
      probePassword: pw.probe,
      adminPassword: pw.admin,
    });
    for (const p of Object.values(pw)) expect(conf).not.toContain(p);
    expect(conf).not.toMatch(/ >/);
    for (const [user, p] of [
      [REDIS_USERS.app, pw.app],
      [REDIS_USERS.probe, pw.probe],
      [REDIS_USERS.admin, pw.admin],
    ] as const) {
      expect(conf).toMatch(new RegExp(`^user ${user} on ${aclPasswordHash(p)} `, "m"));
    }
    await startRedis({ conf, dir, port });
    const url = (password: string, username: string) =>
      buildRedisUrl({ host: "127.0.0.1", port, tls: false, password, username });
    const app = newRedisClient(url(pw.app, REDIS_USERS.app));
    app.on("error", () => undefined);
    clients.push(app);
    await app.connect();
    expect(String(await app.sendCommand(["ACL", "WHOAMI"]))).toBe("default");
    const wrong = createClient({
      url: url(pw.probe, REDIS_USERS.app),
      socket: { reconnectStrategy: false },
    });
    wrong.on("error", () => undefined);
    await expect(wrong.connect()).rejects.toThrow(/WRONGPASS/);
  }, 20_000);
});
