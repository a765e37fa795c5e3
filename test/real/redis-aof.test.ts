/**
 * Durability of the generated redis.conf on the real server: acknowledged writes
 * survive a graceful stop (what Docker's `stopSignal: SIGTERM` sends) and a SIGKILL
 * (the kernel OOM killer, `docker kill`), within what `appendfsync` promises.
 */
import { createClient } from "redis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { renderRedisConf, REDIS_USERS, type Appendfsync } from "../../components/lib/redis-conf";
import { buildRedisUrl } from "../../components/lib/redis-url";
import {
  freePort,
  randomPassword,
  removeTempDirs,
  requireBinaries,
  startRedis,
  stopAllRedis,
  tempDir,
  type RedisProcess,
} from "./util";
import { describeReal } from "./layer";

const KEYS = 5_000;
const VALUE = "x".repeat(100);

interface Node {
  readonly server: RedisProcess;
  readonly conf: string;
  readonly dir: string;
  readonly adminUrl: string;
  readonly appUrl: string;
}

async function startNode(appendfsync: Appendfsync, reuse?: Node): Promise<Node> {
  if (reuse) {
    const server = await startRedis({ conf: reuse.conf, dir: reuse.dir, port: reuse.server.port });
    return { ...reuse, server };
  }
  const dir = tempDir();
  const port = await freePort();
  const pw = { app: randomPassword(), probe: randomPassword(), admin: randomPassword() };
  const conf = renderRedisConf({
    port,
    dir,
    appendfsync,
    maxmemoryMb: 64,
    evictionPolicy: "noeviction",
    appPassword: pw.app,
    probePassword: pw.probe,
    adminPassword: pw.admin,
  });
  const server = await startRedis({ conf, dir, port });
  return {
    server,
    conf,
    dir,
    appUrl: buildRedisUrl({ host: "127.0.0.1", port, tls: false, password: pw.app }),
    adminUrl: buildRedisUrl({
      host: "127.0.0.1",
      port,
      tls: false,
      password: pw.admin,
      username: REDIS_USERS.admin,
    }),
  };
}

/** Writes KEYS keys as the app user, pipelined, and resolves once every write is acknowledged. */
async function writeAcknowledged(node: Node): Promise<void> {
  const client = createClient({ url: node.appUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const replies = await Promise.all(
      Array.from({ length: KEYS }, (_, i) => client.set(`job:${i}`, VALUE)),
    );
    expect(replies.every((r) => r === "OK")).toBe(true);
  } finally {
    client.destroy();
  }
}

/** How many keys survived, and whether they are exactly job:0 … job:n-1 (an ordered log has no holes). */
async function survivors(
  node: Node,
): Promise<{ count: number; prefix: boolean; aofEnabled: boolean }> {
  const client = createClient({ url: node.adminUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const count = await client.dbSize();
    const present =
      count === 0 ? [] : await client.exists(Array.from({ length: count }, (_, i) => `job:${i}`));
    const aofEnabled = /^aof_enabled:1\r?$/m.test(await client.info("persistence"));
    return { count, prefix: present === count, aofEnabled };
  } finally {
    client.destroy();
  }
}

describeReal("AOF persistence of the generated redis.conf", () => {
  const figures: Record<string, number> = {};

  beforeAll(() => requireBinaries("redis-server"));

  afterAll(async () => {
    await stopAllRedis();
    removeTempDirs();
    console.log(
      `AOF figures: written=${KEYS} afterSIGTERM=${figures.sigterm ?? "n/a"} ` +
        `afterSIGKILL(everysec)=${figures.everysec ?? "n/a"} afterSIGKILL(always)=${figures.always ?? "n/a"}`,
    );
  });

  test("a graceful SIGTERM restart keeps every acknowledged key", async () => {
    const node = await startNode("everysec");
    await writeAcknowledged(node);
    const exit = await node.server.stop("SIGTERM");
    expect(exit.code).toBe(0);
    const restarted = await startNode("everysec", node);
    expect(restarted.server.log()).toMatch(/DB loaded from append only file/);
    const s = await survivors(restarted);
    figures.sigterm = s.count;
    expect(s.aofEnabled).toBe(true);
    expect(s.count).toBe(KEYS);
  }, 20_000);

  test("SIGKILL with appendfsync everysec loses at most the unsynced tail, never a key in the middle", async () => {
    const node = await startNode("everysec");
    await writeAcknowledged(node);
    await node.server.stop("SIGKILL");
    const s = await survivors(await startNode("everysec", node));
    figures.everysec = s.count;
    // A killed process loses only what was still in Redis's own buffer: everything that was
    // write()n is in the page cache. Losing up to a second of writes needs a host crash.
    expect(s.count).toBeLessThanOrEqual(KEYS);
    expect(s.prefix).toBe(true);
  }, 20_000);

  test("SIGKILL with appendfsync always loses nothing that was acknowledged", async () => {
    const node = await startNode("always");
    await writeAcknowledged(node);
    await node.server.stop("SIGKILL");
    const s = await survivors(await startNode("always", node));
    figures.always = s.count;
    expect(s.count).toBe(KEYS);
  }, 20_000);
});
