/**
 * The backup user's ACL, the snapshot script and the restore route, on the real redis-server,
 * redis-cli and redis-check-rdb (Debian's; layer 5 runs the same against the stand-in image).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderBackupScript } from "../../components/lib/backup-script";
import { BACKUP_COMMANDS, renderRedisConf, REDIS_USERS } from "../../components/lib/redis-conf";
import { loaderArgs } from "../../backup/restore";
import { describeReal } from "./layer";
import {
  freePort,
  randomPassword,
  redisCli,
  removeTempDirs,
  requireBinaries,
  run,
  sleep,
  startRedis,
  stopAllRedis,
  tempDir,
  type RedisProcess,
} from "./util";

interface Setup {
  server: RedisProcess;
  conf: string;
  data: string;
  backups: string;
  script: string;
  admin: { user: string; password: string };
}

async function setUp(every = 10, keep = 3): Promise<Setup> {
  const root = tempDir();
  const data = join(root, "data");
  const backups = join(root, "backups");
  await run("mkdir", ["-p", data, backups]);
  const port = await freePort();
  const pw = {
    app: randomPassword(),
    probe: randomPassword(),
    admin: randomPassword(),
    backup: randomPassword(),
  };
  const conf = renderRedisConf({
    port,
    dir: data,
    appendfsync: "everysec",
    maxmemoryMb: 64,
    evictionPolicy: "noeviction",
    appPassword: pw.app,
    probePassword: pw.probe,
    adminPassword: pw.admin,
    backupPassword: pw.backup,
  });
  const secretFile = join(root, "backup.secret");
  writeFileSync(secretFile, pw.backup, { mode: 0o400 });
  const script = join(root, "backup.sh");
  writeFileSync(
    script,
    renderBackupScript({
      engine: "redis",
      host: "127.0.0.1",
      port,
      user: REDIS_USERS.backup,
      everySeconds: every,
      keep,
      dir: backups,
      secretFile,
    }),
  );
  const server = await startRedis({ conf, dir: data, port });
  return {
    server,
    conf,
    data,
    backups,
    script,
    admin: { user: REDIS_USERS.admin, password: pw.admin },
  };
}

const sh = (s: Setup, ...args: string[]) => run("sh", [s.script, ...args], { timeoutMs: 60_000 });
/** `list`'s output: one row per snapshot, newest first, its tab-separated fields. */
const rowsOf = (listed: { stdout: string }) =>
  listed.stdout
    .trim()
    .split("\n")
    .map((l) => l.split("\t"));

async function fill(s: Setup, from: number, to: number): Promise<void> {
  const lines = [];
  for (let i = from; i < to; i++) lines.push(`SET key:${i} value-${i}`);
  const file = join(s.backups, "..", `fill-${from}.txt`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  const r = await run("sh", [
    "-c",
    `REDISCLI_AUTH='${s.admin.password}' redis-cli --no-auth-warning -h 127.0.0.1 -p ${s.server.port} --user admin < '${file}' > /dev/null`,
  ]);
  expect(r.code, r.stderr).toBe(0);
}

const dbsize = async (s: Setup, port = s.server.port) =>
  Number((await redisCli(port, ["DBSIZE"], s.admin)).stdout.trim());

const files = (dir: string) => readdirSync(dir).sort();

describeReal("backups on the real server", () => {
  let s: Setup;

  beforeAll(async () => {
    requireBinaries("redis-server", "redis-cli", "redis-check-rdb");
    s = await setUp();
    await fill(s, 0, 1_000);
  });

  afterAll(async () => {
    await stopAllRedis();
    removeTempDirs();
  });

  describe("the backup user", () => {
    // Per variant: the user's rules, whether --rdb gets the dataset, and whether the server
    // wrote an RDB into its own data directory to serve it.
    const variants: [string, string[], boolean, boolean][] = [
      ["exactly BACKUP_COMMANDS", BACKUP_COMMANDS.map((c) => `+${c}`), true, false],
      // REPLCONF's failure is not fatal to redis-cli, but without `capa eof` the server falls
      // back to a disk-based sync: it forks a BGSAVE into its own data directory.
      ["without replconf", ["+sync"], true, true],
      ["without sync", ["+replconf"], false, false],
      // The rule the replication docs give a replica's user does not cover redis-cli's SYNC.
      ["psync instead of sync", ["+psync", "+replconf", "+ping"], false, false],
    ];

    test.each(variants)("%s", async (_label, rules, works, writesDump) => {
      const user = `t${Math.random().toString(36).slice(2, 8)}`;
      const pw = randomPassword();
      const set = await redisCli(
        s.server.port,
        ["ACL", "SETUSER", user, "reset", "on", `>${pw}`, "-@all", ...rules],
        s.admin,
      );
      expect(set.stdout.trim()).toBe("OK");
      const dump = join(s.data, "dump.rdb");
      const before = existsSync(dump) ? statSync(dump).mtimeMs : 0;
      const out = join(s.backups, "..", `${user}.rdb`);
      const r = await redisCli(s.server.port, ["--rdb", out], { user, password: pw });
      expect(r.code === 0 && existsSync(out), `${r.stdout}\n${r.stderr}`).toBe(works);
      if (works) {
        const check = await run("redis-check-rdb", [out]);
        expect(check.stdout).toMatch(/\[info\] 1000 keys read/);
      }
      const after = existsSync(dump) ? statSync(dump).mtimeMs : 0;
      expect(after !== before, "the server wrote dump.rdb to serve the snapshot").toBe(writesDump);
    });

    test("the generated redis.conf grants exactly BACKUP_COMMANDS", () => {
      expect(s.conf).toMatch(
        new RegExp(
          `^user backup on #[0-9a-f]{64} -@all ${BACKUP_COMMANDS.map((c) => `\\+${c}`).join(" ")}$`,
          "m",
        ),
      );
    });
  });

  describe("the snapshot script", () => {
    test("once: a verified snapshot, its manifest, and nothing partial", async () => {
      const r = await sh(s, "once");
      expect(r.code, r.stderr).toBe(0);
      const name = r.stdout.trim();
      expect(name).toMatch(/^redis-\d{8}T\d{6}Z\.rdb$/);
      const manifest = JSON.parse(
        readFileSync(join(s.backups, name.replace(/\.rdb$/, ".json")), "utf8"),
      ) as Record<string, unknown>;
      expect(manifest).toMatchObject({ file: name, keys: 1_000, expires: 0 });
      expect(manifest.serverVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(manifest.bytes).toBe(statSync(join(s.backups, name)).size);
      const sha = (await run("sha256sum", [join(s.backups, name)])).stdout.split(" ")[0];
      expect(manifest.sha256).toBe(sha);
      expect(files(s.backups).filter((f) => f.startsWith(".partial"))).toEqual([]);
      const v = await sh(s, "verify", join(s.backups, name));
      expect(v.code, v.stderr).toBe(0);
      expect(v.stdout).toMatch(/^ok .* keys=1000 /);
    });

    test("keeps the newest `keep` snapshots and lists them newest first", async () => {
      let last = "";
      for (let i = 0; i < 4; i++) {
        const r = await sh(s, "once");
        expect(r.code).toBe(0);
        last = r.stdout.trim();
      }
      const listed = (await sh(s, "list")).stdout.trim().split("\n");
      // The newest snapshot is the one just taken: a name reused within a second of a pruned
      // one would sort as the oldest and be pruned at once.
      expect(`${listed[0]?.split("\t")[0]}.rdb`).toBe(last);
      expect(listed).toHaveLength(3);
      const names = listed.map((l) => l.split("\t")[0] as string);
      expect([...names].sort().reverse()).toEqual(names);
      expect(files(s.backups).filter((f) => f.endsWith(".rdb"))).toHaveLength(3);
    });

    describe("verify refuses a bad file and changes nothing", () => {
      // Each case is a copy of a good snapshot and its manifest, with one thing wrong.
      const cases: [string, (rdb: string, json: string) => unknown, RegExp][] = [
        [
          "a flipped byte",
          (rdb) => {
            const b = readFileSync(rdb);
            const at = Math.floor(b.length / 2);
            b[at] = (b[at] as number) ^ 0xff;
            writeFileSync(rdb, b);
          },
          /checksum mismatch/,
        ],
        [
          "a truncated file whose manifest matches it",
          (rdb, json) => {
            const b = readFileSync(rdb).subarray(0, 300);
            writeFileSync(rdb, b);
            const m = JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>;
            m.sha256 = createHash("sha256").update(b).digest("hex");
            writeFileSync(json, `${JSON.stringify(m, null, 2)}\n`);
          },
          /redis-check-rdb refused/,
        ],
        [
          "a manifest whose checksum is another file's",
          (_rdb, json) => {
            const m = JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>;
            m.sha256 = "0".repeat(64);
            writeFileSync(json, `${JSON.stringify(m, null, 2)}\n`);
          },
          /checksum mismatch/,
        ],
        ["a missing file", (rdb) => run("rm", ["-f", rdb]), /no such snapshot/],
      ];

      test.each(cases)("%s", async (_label, spoil, message) => {
        const good = (await sh(s, "list")).stdout.split("\t")[0] as string;
        const dir = tempDir("api-stack-bad-");
        const rdb = join(dir, `${good}.rdb`);
        const json = join(dir, `${good}.json`);
        writeFileSync(rdb, readFileSync(join(s.backups, `${good}.rdb`)));
        writeFileSync(json, readFileSync(join(s.backups, `${good}.json`)));
        expect((await sh(s, "verify", rdb)).code, "the unspoilt copy verifies").toBe(0);
        await spoil(rdb, json);
        const before = files(s.backups);
        const r = await sh(s, "verify", rdb);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(message);
        expect(files(s.backups)).toEqual(before);
      });
    });

    test("a killed run leaves nothing that counts, and `loop` clears it and carries on", async () => {
      const before = (await sh(s, "list")).stdout.trim().split("\n");
      // What a SIGKILL mid-snapshot leaves: a partial file, the lock, an RDB without manifest.
      writeFileSync(join(s.backups, ".partial-redis-20990101T000000Z.rdb"), "REDIS0011");
      writeFileSync(join(s.backups, "redis-20990101T000001Z.rdb"), "REDIS0011");
      await run("mkdir", [join(s.backups, ".lock")]);
      expect((await sh(s, "list")).stdout.trim().split("\n")).toEqual(before);
      // The loop's first round is what counts: wait for its snapshot (listed, and the lock
      // released) instead of letting it run a fixed 3 s, then kill it as the 3 s timeout did.
      const loop = spawn("sh", [s.script, "loop"], { stdio: "ignore" });
      const exited = new Promise((r) => loop.once("exit", r));
      try {
        const deadline = Date.now() + 15_000;
        while (
          (await sh(s, "list")).stdout.trim().split("\n")[0] === before[0] ||
          existsSync(join(s.backups, ".lock"))
        ) {
          expect(Date.now(), "the loop's first snapshot").toBeLessThan(deadline);
          await sleep(100);
        }
      } finally {
        loop.kill("SIGKILL");
        await exited;
      }
      const after = files(s.backups);
      expect(after.filter((f) => f.includes("2099"))).toEqual([]);
      expect(after).not.toContain(".lock");
      const listed = (await sh(s, "list")).stdout.trim().split("\n");
      expect(listed[0]).not.toEqual(before[0]);
    });

    test("health: fails without a snapshot and when the last is older than twice the schedule", async () => {
      expect((await sh(s, "health")).code).toBe(0);
      const last = join(s.backups, ".last-good");
      const saved = readFileSync(last, "utf8");
      writeFileSync(last, `${Math.floor(Date.now() / 1000) - 21}\n`); // every = 10 s
      const stale = await sh(s, "health");
      expect(stale.code).toBe(1);
      expect(stale.stdout).toMatch(/last good snapshot is 2\d s old \(limit 20 s\)/);
      writeFileSync(last, `${Math.floor(Date.now() / 1000) - 19}\n`);
      expect((await sh(s, "health")).code).toBe(0);
      await run("rm", [last]);
      expect((await sh(s, "health")).stdout).toMatch(/no good snapshot yet/);
      writeFileSync(last, saved);
    });
  });

  describe("loading a snapshot into a server with AOF on", () => {
    async function restoreInto(route: "copy dump.rdb" | "appendonly no, then CONFIG SET") {
      const snap = (await sh(s, "list")).stdout.split("\t")[0] as string;
      const dir = tempDir("api-stack-restore-");
      writeFileSync(join(dir, "dump.rdb"), readFileSync(join(s.backups, `${snap}.rdb`)));
      const port = await freePort();
      const conf = s.conf.replace(/^port \d+$/m, `port ${port}`).replace(/^dir .*$/m, `dir ${dir}`);
      if (route === "copy dump.rdb") {
        // Seed 004's restore: copy the RDB in and start the server as configured.
        const server = await startRedis({ conf, dir, port });
        const keys = await dbsize(s, port);
        await server.stop();
        return { keys, dir, conf, port };
      }
      // https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/: start
      // from the RDB with AOF off, then CONFIG SET appendonly yes and wait for the rewrite.
      const server = await startRedis({ conf, dir, port, extra: ["appendonly no"] });
      expect(await dbsize(s, port)).toBe(1_000);
      expect(
        (await redisCli(port, ["CONFIG", "SET", "appendonly", "yes"], s.admin)).stdout,
      ).toMatch(/OK/);
      for (let i = 0; i < 100; i++) {
        const info = (await redisCli(port, ["INFO", "persistence"], s.admin)).stdout;
        if (
          /aof_rewrite_in_progress:0/.test(info) &&
          /aof_rewrite_scheduled:0/.test(info) &&
          /aof_last_bgrewrite_status:ok/.test(info) &&
          /aof_enabled:1/.test(info)
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await server.stop();
      // Started again exactly as configured (appendonly yes): it loads the new AOF.
      const again = await startRedis({ conf, dir, port });
      const keys = await dbsize(s, port);
      await again.stop();
      return { keys, dir, conf, port };
    }

    test("copying dump.rdb into place (seed 004's procedure) starts EMPTY when AOF is on", async () => {
      const r = await restoreInto("copy dump.rdb");
      expect(r.keys).toBe(0);
      // And the stop (SIGTERM, with `save` points set) wrote the empty dataset over the copy.
      const check = await run("redis-check-rdb", [join(r.dir, "dump.rdb")]);
      expect(check.stdout).toMatch(/\[info\] 0 keys read/);
    });

    test("the documented route loads every key, and the restart from the AOF keeps them", async () => {
      const r = await restoreInto("appendonly no, then CONFIG SET");
      expect(r.keys).toBe(1_000);
      expect(files(join(r.dir, "appendonlydir")).some((f) => f.endsWith(".base.rdb"))).toBe(true);
    });
  });

  // backup/restore.ts loads the snapshot, rewrites it as an AOF and loads that again; keys whose
  // TTL ends in between must not go, or the check of the AOF fails. The loaders' own arguments
  // must guarantee it: nothing is sent to the server before its first cron runs.
  test("the restore's loaders keep keys whose TTL runs out between the two loads", async () => {
    const t = await setUp();
    await fill(t, 0, 100);
    const lua = "for i=1,300 do redis.call('SET','ttl:'..i,'v','PX',800) end return 1";
    expect((await redisCli(t.server.port, ["EVAL", lua, "0"], t.admin)).stdout.trim()).toBe("1");
    expect((await sh(t, "once")).code).toBe(0);
    const snap = (await sh(t, "list")).stdout.split("\t")[0] as string;
    const dir = tempDir("api-stack-loader-");
    writeFileSync(join(dir, "dump.rdb"), readFileSync(join(t.backups, `${snap}.rdb`)));
    const port = await freePort();
    const conf = t.conf.replace(/^port \d+$/m, `port ${port}`).replace(/^dir .*$/m, `dir ${dir}`);
    // `--name a b` on the command line is the line `name a b` in a config file.
    const lines = (appendonly: "yes" | "no") =>
      loaderArgs(appendonly)
        .join(" ")
        .split(/ ?--/)
        .filter((l) => l !== "");
    const state = async () => ({
      keys: await dbsize(t, port),
      digest: (await redisCli(port, ["DEBUG", "DIGEST"], t.admin)).stdout.trim(),
    });
    const first = await startRedis({ conf, dir, port, extra: lines("no") });
    const loaded = await state();
    expect(loaded.keys).toBe(400);
    // Every TTL has run out, and serverCron (hz 10) has run a dozen times.
    await sleep(1_200);
    expect(await state()).toEqual(loaded);
    await redisCli(port, ["CONFIG", "SET", "appendonly", "yes"], t.admin);
    for (let i = 0; i < 100; i++) {
      const info = (await redisCli(port, ["INFO", "persistence"], t.admin)).stdout;
      if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) break;
      await sleep(100);
    }
    await first.stop();
    const second = await startRedis({ conf, dir, port, extra: lines("yes") });
    await sleep(300);
    expect(await state()).toEqual(loaded);
    await second.stop();
  });

  // The last three tests each start a server and a backups folder of their own, and mostly
  // wait for the clock (a snapshot's name is its second), so they run at once (issue 23).
  test.concurrent(
    "pruning keeps the last snapshot before a drop: an emptied server's snapshots do not rotate the data out",
    async () => {
      const t = await setUp(10, 2);
      await fill(t, 0, 50);
      for (let i = 0; i < 2; i++) expect((await sh(t, "once")).code).toBe(0);
      const beforeDrop = (await sh(t, "list")).stdout.split("\t")[0] as string;
      expect((await redisCli(t.server.port, ["FLUSHALL"], t.admin)).stdout.trim()).toBe("OK");
      for (let i = 0; i < 4; i++) expect((await sh(t, "once")).code).toBe(0);
      const rows = rowsOf(await sh(t, "list"));
      // keep = 2 empty ones, and the one from before the FLUSHALL; nothing older.
      expect(rows.map((r) => r[2])).toEqual(["0", "0", "50"]);
      expect(rows[2]?.[0]).toBe(beforeDrop);
    },
    60_000,
  );

  test.concurrent(
    "pruning also keeps the last snapshot before a drop in bytes: a queue in one hash, emptied",
    async () => {
      const t = await setUp(10, 2);
      const lua = "for i=1,20000 do redis.call('HSET','jobs',i,string.rep('x',50)) end return 1";
      expect((await redisCli(t.server.port, ["EVAL", lua, "0"], t.admin)).stdout.trim()).toBe("1");
      for (let i = 0; i < 2; i++) expect((await sh(t, "once")).code).toBe(0);
      const beforeDrop = (await sh(t, "list")).stdout.split("\t")[0] as string;
      // Every job but one is done: still one key, a fraction of the bytes.
      const hdel =
        "for i=2,20000 do redis.call('HDEL','jobs',i) end return redis.call('HLEN','jobs')";
      expect((await redisCli(t.server.port, ["EVAL", hdel, "0"], t.admin)).stdout.trim()).toBe("1");
      for (let i = 0; i < 3; i++) expect((await sh(t, "once")).code).toBe(0);
      const rows = rowsOf(await sh(t, "list"));
      expect(rows.map((r) => r[2])).toEqual(["1", "1", "1"]);
      expect(rows[2]?.[0]).toBe(beforeDrop);
      expect(Number(rows[2]?.[3])).toBeGreaterThan(10 * Number(rows[0]?.[3]));
    },
    60_000,
  );

  // redis:7.4-alpine runs the script under busybox ash with busybox's applets (the stand-in
  // image is Debian's dash and coreutils). Debian's busybox (1.35; Alpine 3.21 ships 1.37) with
  // nothing else on PATH but redis-cli and redis-check-rdb: the same script must behave the same.
  test.concurrent(
    "under busybox alone, as on the alpine images: once, list, verify, prune, health",
    async () => {
      requireBinaries("busybox");
      const t = await setUp(10, 2);
      await fill(t, 0, 300);
      const bin = tempDir("api-stack-busybox-");
      const applets = (await run("busybox", ["--list"])).stdout.trim().split("\n");
      await run("sh", [
        "-c",
        [
          ...applets.map((a) => `ln -s "$(command -v busybox)" '${bin}/${a}'`),
          `ln -s "$(command -v redis-cli)" '${bin}/redis-cli'`,
          `ln -s "$(command -v redis-check-rdb)" '${bin}/redis-check-rdb'`,
        ].join("; "),
      ]);
      const bb = (...args: string[]) =>
        run(`${bin}/sh`, [t.script, ...args], { env: { PATH: bin }, timeoutMs: 60_000 });
      for (let i = 0; i < 3; i++) {
        const r = await bb("once");
        expect(r.code, r.stderr).toBe(0);
      }
      const rows = rowsOf(await bb("list"));
      expect(rows.map((r) => r[2])).toEqual(["300", "300"]);
      const newest = join(t.backups, `${rows[0]?.[0]}.rdb`);
      expect((await bb("verify", newest)).stdout).toMatch(/^ok .* keys=300 /);
      const m = JSON.parse(readFileSync(newest.replace(/\.rdb$/, ".json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(m.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(m.sha256).toBe((await run("sha256sum", [newest])).stdout.split(" ")[0]);
      expect((await bb("health")).code).toBe(0);
      const b = readFileSync(newest);
      b[Math.floor(b.length / 2)] = (b[Math.floor(b.length / 2)] as number) ^ 0xff;
      writeFileSync(newest, b);
      const bad = await bb("verify", newest);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/checksum mismatch/);
    },
    60_000,
  );
});
