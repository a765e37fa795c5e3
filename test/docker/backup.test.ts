/**
 * Issue 20's acceptance on the real engine: prod with backups every 5 s under write load from
 * the example API, Redis's volume deleted (a lost disk), `restore --from latest`, and every job
 * the API acknowledged before that snapshot back; the measured RPO and RTO; bad snapshots
 * refused before anything changes; a backup container killed mid-snapshot.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { DOCKER_SOCKET } from "../layers";
import { tempDir } from "../real/util";
import { BACKUP_PATHS } from "../../components/lib/backup-script";
import {
  admin as adminCli,
  backupNow,
  listSnapshots,
  restore,
  type Containers,
  type Step,
} from "../../backup";
import { execIn, runOnce, volumeAt, waitHealthy } from "../../backup/docker";
import {
  engine,
  FAST,
  firstUp,
  nextUp,
  outputsOf,
  request,
  requireImages,
  teardown,
  type Deployment,
} from "./harness";
import { describeDocker } from "./layer";

const EVERY_S = 5;
const OPTIONS = {
  ...FAST,
  workers: null,
  redis: { ...FAST.redis, backup: { every: `${EVERY_S}s`, keep: 100 } },
};

interface Ack {
  readonly id: string;
  readonly at: number;
}

describeDocker("backups and restore (prod, layer 5)", () => {
  let d: Deployment | undefined;
  let c: Containers;
  let adminPassword: string;
  const docker = engine();
  const log: string[] = [];

  const names = () => ({
    redis: d!.applier.physicalName("cache-server"),
    backup: d!.applier.physicalName("cache-backup-snapshotter"),
    writers: [d!.applier.physicalName("api-server"), d!.applier.physicalName("api-server-2")],
  });
  const admin = async (args: string[]) =>
    (await adminCli(docker, c.redis, "redis", adminPassword, args)).trim();
  const files = async () =>
    (await execIn(docker, c.backup, ["ls", "-a", BACKUP_PATHS.dir])).stdout.trim().split("\n");
  const list = () => listSnapshots(docker, c.backup);

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("prod", OPTIONS);
    c = names();
    const out = await outputsOf(d.run);
    adminPassword = new URL(out.redisAdminUrl as string).password;
  }, 300_000);

  afterAll(() => teardown(d), 180_000);

  test("the backup container is healthy after up, and its first snapshot verifies", async () => {
    await waitHealthy(docker, c.backup, 30_000);
    const [first] = await list();
    expect(first?.name).toMatch(/^redis-\d{8}T\d{6}Z$/);
    const v = await execIn(docker, c.backup, [
      "sh",
      BACKUP_PATHS.script,
      "verify",
      `${BACKUP_PATHS.dir}/${first?.name}.rdb`,
    ]);
    expect(v.code, v.stderr).toBe(0);
  });

  test("a lost disk under write load: latest (now empty) is refused, and the last snapshot before the loss brings back every job acknowledged before it", async () => {
    // Writes through the edge proxy, as clients send them: each 202 names the job it stored.
    const acks: Ack[] = [];
    let writing = true;
    let failed = 0;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const r = await request(d!, "/jobs", { method: "POST", body: JSON.stringify({ i }) }).catch(
          () => undefined,
        );
        if (r?.status === 202)
          acks.push({ id: (JSON.parse(r.text) as { id: string }).id, at: Date.now() });
        else failed++;
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, EVERY_S * 2_500));

    // The disk is lost: the server dies with it, and its volume is gone.
    const lostAt = Date.now();
    const dataVolume = await volumeAt(docker, c.redis, "/data");
    await docker.getContainer(c.redis).remove({ force: true });
    await docker.getVolume(dataVolume).remove();
    writing = false;
    await writer;
    const acked = acks.filter((a) => a.at < lostAt);
    expect(acked.length).toBeGreaterThan(100);

    // The operator's `pulumi up --refresh`: a new empty volume and server.
    const dropped = await d!.applier.refresh();
    expect(dropped.some((u) => u.endsWith("::cache-data"))).toBe(true);
    await nextUp(d!, OPTIONS);
    c = names();
    expect(await admin(["DBSIZE"])).toBe("0");

    // The schedule goes on: it snapshots the new, empty server. `latest` is now that empty
    // snapshot, so the restore refuses it and names the last one from before the loss.
    const deadline = Date.now() + EVERY_S * 4_000;
    while ((await list())[0]?.keys !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await list())[0]?.keys).toBe(0);
    const refused = restore(docker, c, { from: "latest", adminPassword, log: () => undefined });
    await expect(refused).rejects.toThrow(/under a tenth of redis-\S+ before it \(\d+ keys/);
    const before = /Restore --from (redis-\d{8}T\d{6}Z)/.exec(
      String(await refused.catch((e: Error) => e.message)),
    )?.[1] as string;
    const createdAt = Date.parse(
      (await list()).find((r) => r.name === before)?.createdAt as string,
    );
    const steps: Step[] = await restore(docker, c, {
      from: before,
      adminPassword,
      log: (l) => log.push(l),
    });
    console.log(`[restore] ${log.join("\n[restore] ")}`);

    // Every job acknowledged before the snapshot was taken is back; what came after is the loss.
    const ids = acks.map((a) => a.id);
    const present = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      const r = await admin(["HMGET", "jobs:payload", ...batch]);
      r.split("\n").forEach((v, j) => v !== "" && present.add(batch[j] as string));
    }
    const ackedBefore = acks.filter((a) => a.at < createdAt);
    const missingBefore = ackedBefore.filter((a) => !present.has(a.id));
    expect(missingBefore).toEqual([]);
    const lost = acked.filter((a) => !present.has(a.id));
    const rpoMs = lost.length === 0 ? 0 : lostAt - Math.min(...lost.map((a) => a.at));
    const rto = steps.find((s) => s.step === "total (RTO)")?.ms ?? 0;
    console.log(
      `[backup] acknowledged before the loss ${acked.length} (failed writes ${failed}), back ${acked.length - lost.length}, lost ${lost.length}; measured RPO ${(rpoMs / 1000).toFixed(1)} s (schedule ${EVERY_S} s; seed 004 target 300 s); RTO ${(rto / 1000).toFixed(1)} s`,
    );
    // Bounded by the schedule: a snapshot every EVERY_S plus the time one takes.
    expect(rpoMs).toBeLessThanOrEqual(EVERY_S * 1_000 + 2_000);
    for (const w of c.writers) await waitHealthy(docker, w, 30_000);
    expect((await request(d!, "/health")).status).toBe(200);
  }, 300_000);

  test("a bad snapshot is refused before anything changes", async () => {
    const [good] = await list();
    const name = good?.name as string;
    const before = {
      keys: await admin(["DBSIZE"]),
      started: (await docker.getContainer(c.redis).inspect()).State.StartedAt,
      api: (await docker.getContainer(c.writers[0] as string).inspect()).State.StartedAt,
    };
    const backups = await volumeAt(docker, c.backup, BACKUP_PATHS.dir);
    const image = (await docker.getContainer(c.backup).inspect()).Config.Image;
    // Each case: a copy of the good snapshot under a new name, with one thing wrong.
    const spoil: [string, string, RegExp][] = [
      [
        "truncated",
        `head -c $(($(wc -c < /b/${name}.rdb) / 2)) /b/${name}.rdb > /b/$N.rdb; cp /b/${name}.json /b/$N.json; s=$(sha256sum /b/$N.rdb | cut -d' ' -f1); sed -i "s/\\"sha256\\": \\"[0-9a-f]*\\"/\\"sha256\\": \\"$s\\"/" /b/$N.json`,
        /refused/,
      ],
      [
        "flipped byte",
        `cp /b/${name}.rdb /b/$N.rdb; cp /b/${name}.json /b/$N.json; printf '\\377' | dd of=/b/$N.rdb bs=1 seek=100 conv=notrunc 2>/dev/null`,
        /checksum mismatch/,
      ],
      [
        "checksum mismatch",
        `cp /b/${name}.rdb /b/$N.rdb; sed 's/"sha256": "[0-9a-f]*"/"sha256": "${"0".repeat(64)}"/' /b/${name}.json > /b/$N.json`,
        /checksum mismatch/,
      ],
      ["missing file", `cp /b/${name}.json /b/$N.json`, /no such snapshot/],
    ];
    for (const [i, [label, sh, why]] of spoil.entries()) {
      const bad = `redis-2000010${i}T000000Z`;
      const r = await runOnce(docker, {
        image,
        user: "999",
        labels: { "com.api-stack.test": "backup" },
        binds: [`${backups}:/b`],
        cmd: ["sh", "-ec", `N=${bad}; ${sh}`],
      });
      expect(r.code, `${label}: ${r.stderr}`).toBe(0);
      const attempt = restore(docker, c, { from: bad, adminPassword, log: () => undefined });
      await expect(attempt, label).rejects.toThrow(why);
      await expect(attempt).rejects.toThrow(/nothing was changed/);
    }
    // A wrong admin password, the one input the file checks do not cover.
    const wrong = restore(docker, c, {
      from: name,
      adminPassword: "wrong-password-wrong-password-00",
      log: () => undefined,
    });
    await expect(wrong).rejects.toThrow(/admin password .* was refused by .*nothing was changed/);
    expect(await admin(["DBSIZE"])).toBe(before.keys);
    expect((await docker.getContainer(c.redis).inspect()).State.StartedAt).toBe(before.started);
    expect((await docker.getContainer(c.writers[0] as string).inspect()).State.StartedAt).toBe(
      before.api,
    );
  }, 120_000);

  test("restore of 100 k keys: the measured RTO", async () => {
    const lua = "for i=1,100000 do redis.call('SET','bulk:'..i,string.rep('v',100)) end return 1";
    expect(await admin(["EVAL", lua, "0"])).toBe("1");
    const keys = Number(await admin(["DBSIZE"]));
    expect(keys).toBeGreaterThanOrEqual(100_000);
    const took: string[] = [];
    await backupNow(docker, c, (l) => took.push(l));
    const [latest] = await list();
    const manifest = (
      await execIn(docker, c.backup, ["cat", `${BACKUP_PATHS.dir}/${latest?.name}.json`])
    ).stdout;
    console.log(`[backup] snapshot of ${keys} keys: ${manifest.replace(/\s+/g, " ")}`);
    // The edge's answers while the restore runs: 503 once no API replica is left.
    const statuses = new Set<number>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const r = await request(d!, "/health").catch(() => undefined);
        if (r) statuses.add(r.status);
        await new Promise((res) => setTimeout(res, 100));
      }
    })();
    const out: string[] = [];
    const steps = await restore(docker, c, {
      from: "latest",
      adminPassword,
      log: (l) => out.push(l),
    });
    polling = false;
    await poller;
    console.log(`[backup] the edge answered ${[...statuses].sort().join(", ")} during the restore`);
    // 503 while no replica is left; a request caught as a replica stops can get HAProxy's 502
    // (seen once under CI load: the example API's shutdown race, left for issue 26).
    expect(statuses.has(503)).toBe(true);
    expect([...statuses].filter((x) => ![200, 502, 503].includes(x))).toEqual([]);
    console.log(`[restore 100k] ${out.join("\n[restore 100k] ")}`);
    expect(Number(await admin(["DBSIZE"]))).toBe(keys);
    const rto = steps.find((x) => x.step === "total (RTO)")?.ms ?? Infinity;
    console.log(
      `[backup] RTO for ${keys} keys: ${(rto / 1000).toFixed(1)} s (seed 004 target 900 s)`,
    );
    expect(rto).toBeLessThan(900_000);
  }, 300_000);

  test("keys with TTLs running out during the restore do not fail it", async () => {
    // 2,000 keys whose TTLs end over the next 12 s: some expire between the two loads.
    const lua =
      "for i=1,2000 do redis.call('SET','ttl:'..i,'v','PX',500+i*6) end return redis.call('DBSIZE')";
    const total = Number(await admin(["EVAL", lua, "0"]));
    await backupNow(docker, c, () => undefined);
    const out: string[] = [];
    await restore(docker, c, { from: "latest", adminPassword, log: (l) => out.push(l) });
    console.log(`[restore ttl] ${out.filter((l) => /load|AOF|keys/.test(l)).join(" | ")}`);
    const after = Number(await admin(["DBSIZE"]));
    expect(after).toBeLessThanOrEqual(total);
    expect(after).toBeGreaterThanOrEqual(total - 2_000);
  }, 120_000);

  test("SIGKILL mid-snapshot: nothing partial is listed, and the container resumes on start", async () => {
    // Slow the fork's save (µs per key, over 100 k keys) so the kill lands mid-transfer.
    await admin(["CONFIG", "SET", "rdb-key-save-delay", "30"]);
    const good = (await list()).map((l) => l.name);
    const snap = backupNow(docker, c, () => undefined).catch((e: Error) => e);
    for (let i = 0; i < 200 && !(await files()).some((f) => f.startsWith(".partial-")); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await files()).some((f) => f.startsWith(".partial-"))).toBe(true);
    await docker.getContainer(c.backup).kill({ signal: "SIGKILL" });
    await snap;
    await admin(["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    await docker.getContainer(c.backup).start();
    const after = async () => (await list()).map((l) => l.name);
    expect((await after()).filter((n) => !good.includes(n))).toEqual([]);
    await waitHealthy(docker, c.backup, 30_000);
    expect((await files()).filter((f) => f.startsWith(".partial-"))).toEqual([]);
    // Resumed: a new good snapshot within a schedule.
    const deadline = Date.now() + EVERY_S * 3_000;
    while ((await after()).length <= good.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
    expect((await after()).length).toBeGreaterThan(good.length);
  }, 120_000);

  test("the undo in docs/backups.md brings back the data from before a restore", async () => {
    await admin(["SET", "marker", "in-the-snapshot"]);
    await backupNow(docker, c, () => undefined);
    await admin(["SET", "marker", "written-after-it"]);
    const steps = await restore(docker, c, { from: "latest", adminPassword, log: () => undefined });
    expect(await admin(["GET", "marker"])).toBe("in-the-snapshot");
    const aside = /\/data\/(pre-restore-\d{8}T\d{6}Z)/.exec(steps.at(-1)?.detail ?? "")?.[1];
    expect(aside).toBeDefined();
    // The runbook's commands, with its placeholders filled in.
    await docker.getContainer(c.redis).stop();
    const undo = await runOnce(docker, {
      image: "redis:7.4-alpine",
      user: "999",
      labels: { "com.api-stack.test": "backup" },
      binds: [`${await volumeAt(docker, c.redis, "/data")}:/data`],
      cmd: [
        "sh",
        "-ec",
        `cd /data; mkdir undone; for f in appendonlydir dump.rdb; do [ -e "$f" ] && mv "$f" undone/; done; mv ${aside}/* .`,
      ],
    });
    expect(undo.code, undo.stderr).toBe(0);
    await docker.getContainer(c.redis).start();
    await waitHealthy(docker, c.redis, 60_000);
    expect(await admin(["GET", "marker"])).toBe("written-after-it");
  }, 180_000);

  test("npm run backup and npm run restore, as a user runs them, print no secret", async () => {
    const outputs = join(tempDir("api-stack-outputs-"), "prod.json");
    writeFileSync(
      outputs,
      JSON.stringify({
        redisMode: "local",
        redisContainerName: c.redis,
        redisBackupContainerName: c.backup,
        apiContainerNames: c.writers,
        workerContainerNames: {},
        redisAdminUrl: `redis://admin:${adminPassword}@redis:6379`,
      }),
    );
    const cli = (script: string, args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(
          "npx",
          ["tsx", `scripts/${script}.ts`, "--outputs", outputs, ...args],
          { env: { ...process.env, DOCKER_HOST: `unix://${DOCKER_SOCKET}` }, timeout: 300_000 },
          (err, stdout, stderr) =>
            resolve({ code: err ? Number(err.code ?? 1) : 0, out: `${stdout}${stderr}` }),
        );
      });
    const backup = await cli("backup", []);
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toMatch(/^snapshot redis-\d{8}T\d{6}Z\.rdb/m);
    const listed = await cli("backup", ["--list"]);
    expect(listed.out).toMatch(/^redis-\d{8}T\d{6}Z\t/m);
    const bad = await cli("restore", ["--from", "yesterday"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/--from "yesterday" is not a snapshot name/);
    const none = await cli("restore", []);
    expect(none.code).toBe(2);
    const done = await cli("restore", ["--from", "latest"]);
    expect(done.code, done.out).toBe(0);
    expect(done.out).toMatch(/total \(RTO\)\s+\d+ ms/);
    for (const r of [backup, listed, bad, none, done]) expect(r.out).not.toContain(adminPassword);
  }, 300_000);
});
