/**
 * redis_exporter 1.69.0 (Debian trixie's, the pinned oliver006/redis_exporter:v1.69.0-alpine's
 * version) scraping a real redis-server on the generated redis.conf as ACL user `exporter`:
 * every gauge the alert rules read is there, the server logs no denial, and each command the
 * user is granted is needed (dropping one makes the server log a denial on the next scrape).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, expect, test } from "vitest";
import { EXPORTER_COMMANDS, REDIS_USERS, renderRedisConf } from "../../components/lib/redis-conf";
import { promTool } from "../layers";
import { describeReal } from "./layer";
import {
  freePort,
  randomPassword,
  redisCli,
  removeTempDirs,
  sleep,
  startRedis,
  stopAllRedis,
  tempDir,
} from "./util";

const exporters: ChildProcess[] = [];
afterEach(() => {
  for (const e of exporters.splice(0)) e.kill("SIGKILL");
});
afterAll(async () => {
  await stopAllRedis();
  removeTempDirs();
});

interface Setup {
  readonly port: number;
  readonly admin: string;
  readonly metrics: () => Promise<string>;
}

async function setup(): Promise<Setup> {
  const dir = tempDir();
  const port = await freePort();
  const pw = {
    app: randomPassword(),
    probe: randomPassword(),
    admin: randomPassword(),
    exporter: randomPassword(),
  };
  const conf = renderRedisConf({
    port,
    dir,
    appendfsync: "everysec",
    maxmemoryMb: 64,
    evictionPolicy: "noeviction",
    appPassword: pw.app,
    probePassword: pw.probe,
    adminPassword: pw.admin,
    exporterPassword: pw.exporter,
  });
  await startRedis({ conf, dir, port });
  const web = await freePort();
  // As the component runs it: the address, user and password in the environment.
  const child = spawn(promTool("redis_exporter"), [`--web.listen-address=127.0.0.1:${web}`], {
    env: {
      REDIS_ADDR: `redis://127.0.0.1:${port}`,
      REDIS_USER: REDIS_USERS.exporter,
      REDIS_PASSWORD: pw.exporter,
    },
    stdio: "ignore",
  });
  exporters.push(child);
  const metrics = async () => {
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${web}/metrics`);
        return await res.text();
      } catch (e) {
        if (i > 50) throw e;
        await sleep(100);
      }
    }
  };
  return { port, admin: pw.admin, metrics };
}

const gauge = (text: string, name: string) =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1]);

const admin = (s: Setup) => ({ user: REDIS_USERS.admin, password: s.admin });

async function denials(s: Setup): Promise<string[]> {
  const r = await redisCli(s.port, ["ACL", "LOG"], admin(s));
  return r.stdout
    .split("\n")
    .map((l, i, all) => (l === "object" ? all[i + 1] : undefined))
    .filter((o): o is string => o !== undefined);
}

describeReal("redis_exporter as the least-privilege `exporter` user", () => {
  test("reports every gauge the rules read, with no denial logged", async () => {
    const s = await setup();
    const text = await s.metrics();
    await s.metrics();
    expect(gauge(text, "redis_up")).toBe(1);
    expect(gauge(text, "redis_memory_max_bytes")).toBe(64 * 1024 * 1024);
    expect(gauge(text, "redis_memory_used_bytes")).toBeGreaterThan(0);
    for (const g of [
      "redis_aof_last_write_status",
      "redis_aof_last_bgrewrite_status",
      "redis_rdb_last_bgsave_status",
    ])
      expect(gauge(text, g), g).toBe(1);
    expect(text).toMatch(/^redis_exporter_last_scrape_error\{err=""\} 0$/m);
    expect(await denials(s)).toEqual([]);
  });

  test("a snapshot over the replication protocol moves redis_replica_resyncs_full (BackupStale)", async () => {
    const s = await setup();
    const before = gauge(await s.metrics(), "redis_replica_resyncs_full");
    const out = join(tempDir(), "snap.rdb");
    const r = await redisCli(s.port, ["--rdb", out], admin(s));
    expect(r.code, r.stderr).toBe(0);
    expect(gauge(await s.metrics(), "redis_replica_resyncs_full")).toBe(before + 1);
  });

  test.each([...EXPORTER_COMMANDS])("without +%s the server logs a denial", async (command) => {
    const s = await setup();
    await redisCli(s.port, ["ACL", "SETUSER", REDIS_USERS.exporter, `-${command}`], admin(s));
    await s.metrics();
    await s.metrics();
    expect(await denials(s)).toContain(command);
  });
});
