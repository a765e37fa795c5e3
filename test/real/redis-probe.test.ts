/**
 * The generated Redis healthcheck, run the way Docker runs it (`/bin/sh -c` with a
 * bare exec environment) against a real redis-server started on the generated redis.conf.
 *
 * `BROKEN_PROBE=1 npx vitest run test/real/redis-probe.test.ts` swaps the probe under
 * test for our probe without its `| grep -qx PONG` (`BROKEN_PROBE=plain`: the
 * postmortems' bare `redis-cli ping`), to show these tests fail against it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "redis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { redisProbe } from "../../components/lib/healthcheck";
import { renderRedisConf, REDIS_USERS } from "../../components/lib/redis-conf";
import { buildRedisUrl } from "../../components/lib/redis-url";
import { assertProbeRejectsNoAuth, brokenProbe, type ProbeTarget } from "./probe-assertions";
import {
  freePort,
  randomPassword,
  redisCli,
  removeTempDirs,
  requireBinaries,
  runHealthcheck,
  startRedis,
  stopAllRedis,
  tempDir,
  type RedisProcess,
} from "./util";
import { describeReal } from "./layer";

const BROKEN = process.env.BROKEN_PROBE;
const BROKEN_KIND = BROKEN === "plain" ? "plain" : "exit-code-only";
const USE_BROKEN = BROKEN !== undefined && BROKEN !== "" && BROKEN !== "0";

interface Instance extends ProbeTarget {
  readonly server: RedisProcess;
  readonly probe: string[];
  readonly shipped: string[];
  readonly passwords: { app: string; probe: string; admin: string };
}

/** A redis-server on the generated conf, plus the generated probe pointed at it. */
async function startInstance(): Promise<Instance> {
  const dir = tempDir();
  const port = await freePort();
  const passwords = { app: randomPassword(), probe: randomPassword(), admin: randomPassword() };
  const conf = renderRedisConf({
    port,
    dir,
    appendfsync: "everysec",
    maxmemoryMb: 64,
    evictionPolicy: "noeviction",
    appPassword: passwords.app,
    probePassword: passwords.probe,
    adminPassword: passwords.admin,
  });
  const server = await startRedis({ conf, dir, port });
  const secretFile = join(dir, "probe.secret");
  writeFileSync(secretFile, passwords.probe, { mode: 0o600 });
  const shipped = redisProbe({ cli: "redis-cli", port, user: REDIS_USERS.probe, secretFile });
  const probe = USE_BROKEN ? brokenProbe(shipped, BROKEN_KIND, port) : shipped;
  return { server, port, secretFile, probe, shipped, passwords };
}

describeReal(
  `redis healthcheck probe${USE_BROKEN ? ` (BROKEN_PROBE=${BROKEN}: expect failures)` : ""}`,
  () => {
    let main: Instance;

    beforeAll(async () => {
      requireBinaries("redis-server", "redis-cli");
      main = await startInstance();
      if (USE_BROKEN)
        console.warn(`BROKEN_PROBE: probe under test is ${JSON.stringify(main.probe)}`);
    }, 20_000);

    afterAll(async () => {
      await stopAllRedis();
      removeTempDirs();
    });

    test("unauthenticated commands get NOAUTH, and redis-cli still exits 0 (the trap)", async () => {
      for (const args of [["ping"], ["get", "k"], ["set", "k", "v"], ["dbsize"], ["info"]]) {
        const r = await redisCli(main.port, args);
        expect(r.stdout.trim(), args.join(" ")).toBe("NOAUTH Authentication required.");
        expect(r.code, "redis-cli's exit code does not report NOAUTH").toBe(0);
      }
    });

    test("exits 0 when Redis is up and the probe password is right", async () => {
      const r = await runHealthcheck(main.probe);
      expect(r.code, r.stderr).toBe(0);
    });

    test("exits non-zero when the secret file holds a wrong password", async () => {
      writeFileSync(main.secretFile, "not-the-probe-password-0123456789");
      try {
        const r = await runHealthcheck(main.probe);
        expect(r.code, `stdout=${r.stdout} stderr=${r.stderr}`).not.toBe(0);
      } finally {
        writeFileSync(main.secretFile, main.passwords.probe);
      }
    });

    test("exits non-zero once the server has stopped", async () => {
      const other = await startInstance();
      expect((await runHealthcheck(other.probe)).code).toBe(0);
      await other.server.stop("SIGTERM");
      const r = await runHealthcheck(other.probe);
      expect(r.code, `stdout=${r.stdout} stderr=${r.stderr}`).not.toBe(0);
    }, 15_000);

    test("leaves the keyspace unchanged and runs nothing but AUTH and PING", async () => {
      const url = buildRedisUrl({
        host: "127.0.0.1",
        port: main.port,
        tls: false,
        password: main.passwords.admin,
        username: REDIS_USERS.admin,
      });
      const admin = createClient({ url });
      admin.on("error", () => undefined);
      await admin.connect();
      try {
        await admin.set("seed:a", "1");
        await admin.set("seed:b", "2");
        const before = { size: await admin.dbSize(), keyspace: await admin.info("keyspace") };
        // Only the probes run between the two commandstats snapshots.
        const statsBefore = commandCounts(await admin.info("commandstats"));
        for (let i = 0; i < 5; i++) expect((await runHealthcheck(main.probe)).code).toBe(0);
        const statsAfter = commandCounts(await admin.info("commandstats"));
        const after = { size: await admin.dbSize(), keyspace: await admin.info("keyspace") };
        expect(after.size).toBe(before.size);
        expect(after.keyspace).toBe(before.keyspace);
        expect(await admin.exists("ping")).toBe(0);
        const ran = Object.keys(statsAfter).filter(
          (c) => c !== "info" && statsAfter[c] !== statsBefore[c],
        );
        expect(ran.sort()).toEqual(["auth", "ping"]);
        expect((statsAfter.ping ?? 0) - (statsBefore.ping ?? 0)).toBe(5);
      } finally {
        await admin.del(["seed:a", "seed:b"]);
        admin.destroy();
      }
    });

    test("assertProbeRejectsNoAuth passes for the probe under test", async () => {
      await assertProbeRejectsNoAuth(main.probe, main);
    });

    test("assertProbeRejectsNoAuth catches probes that only check the exit code", async () => {
      for (const kind of ["exit-code-only", "plain"] as const) {
        await expect(
          assertProbeRejectsNoAuth(brokenProbe(main.shipped, kind, main.port), main),
          kind,
        ).rejects.toThrow(/only checks the exit code/);
      }
    });
  },
);

/** `cmdstat_ping:calls=3,...` lines as `{ ping: 3 }`. */
function commandCounts(info: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    counts[m[1] as string] = Number(m[2]);
  return counts;
}
