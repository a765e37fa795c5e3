/**
 * `npm run backup` and `npm run restore`, against the stack's Docker host. A restore verifies
 * the snapshot before it changes anything, stops the API and the workers (the edge proxy, with
 * no server left, answers 503), stops Redis, keeps the current data aside in the volume, loads
 * the snapshot the documented way for a server with AOF on, checks it and brings everything
 * back. Each step is printed with its time; the total is the measured RTO.
 */
import Docker from "dockerode";
import * as tar from "tar-stream";
import { BACKUP_PATHS, OFFSITE_PATHS } from "../components/lib/backup-script";
import { redisEngine } from "../components/lib/image-ref";
import { REDIS_USERS } from "../components/lib/redis-conf";
import { REDIS_PATHS } from "../components/local-redis-server";
import { execIn, ISOLATED, runOnce, sleep, volumeAt, waitHealthy } from "./docker";

/**
 * What the restore's two loading servers run with, after the deployed redis.conf.
 *
 * `replicaof` an address where nothing listens (port 1 on the loader's own loopback; it has no
 * network) makes the server a replica that never syncs, and a replica deletes no key whose TTL
 * has run out: it neither skips one while loading an RDB nor expires one actively. Both are
 * conditioned on the server being a master: redis 7.4.1 src/rdb.c rdbLoadRioWithLoadingCtx
 * (`iAmMaster() && !(rdbflags&RDBFLAGS_AOF_PREAMBLE) && expiretime < now`) and src/server.c
 * databasesCron / beforeSleep (`activeExpireCycle` only `if (iAmMaster())`); valkey 8.0.1 has
 * the same with `iAmPrimary()`. So the dataset the first server loads from the snapshot and the
 * one the second loads from the rewritten AOF are the same, key for key, however long the
 * restore takes. Turning expiry off with `DEBUG SET-ACTIVE-EXPIRE 0` once the server answered
 * raced the first `serverCron` (every 100 ms at hz 10): under load a few keys expired first and
 * the AOF check failed (clean-clone CI at 25fa611 and 54c07a8, "101572 keys …, not 101581").
 * DEBUG stays enabled, from loopback only, for `DEBUG DIGEST`.
 */
export function loaderArgs(appendonly: "yes" | "no"): string[] {
  return [
    "--appendonly",
    appendonly,
    "--enable-debug-command",
    "local",
    "--replicaof",
    "127.0.0.1",
    "1",
  ];
}

export class RestoreError extends Error {}

export interface Containers {
  readonly redis: string;
  readonly backup: string;
  readonly offsite?: string;
  /** Stopped for the restore and started again: the API's replicas and every worker. */
  readonly writers: readonly string[];
}

export interface Step {
  readonly step: string;
  readonly ms: number;
  readonly detail: string;
}

type Log = (line: string) => void;

/** Runs `fn` as a named step, logging it with its time. */
async function timed<T>(steps: Step[], log: Log, step: string, fn: () => Promise<[T, string]>) {
  const t0 = performance.now();
  const [value, detail] = await fn();
  const ms = Math.round(performance.now() - t0);
  steps.push({ step, ms, detail });
  log(`${step.padEnd(22)} ${String(ms).padStart(7)} ms  ${detail}`);
  return value;
}

const script = ["sh", BACKUP_PATHS.script];

/** One snapshot now, and its offsite copy when the stack has one. */
export async function backupNow(docker: Docker, c: Containers, log: Log): Promise<string> {
  const r = await execIn(docker, c.backup, [...script, "once"], { timeoutMs: 600_000 });
  if (r.code !== 0) throw new RestoreError(`the snapshot failed:\n${r.stderr.trim()}`);
  const name = r.stdout.trim().split("\n").at(-1) ?? "";
  log(`snapshot ${name} (${r.stderr.trim().split("\n").at(-2) ?? ""})`.replace(/ \(\)$/, ""));
  if (c.offsite) {
    const p = await execIn(docker, c.offsite, ["sh", OFFSITE_PATHS.script, "push"], {
      timeoutMs: 600_000,
    });
    if (p.code !== 0) throw new RestoreError(`the offsite copy failed:\n${p.stderr.trim()}`);
    log(`offsite copy done`);
  }
  return name;
}

/** Where the snapshot is, as a path inside the backup container. */
/** The good snapshots on the backups volume, newest first (the script's `list`). */
export async function listSnapshots(
  docker: Docker,
  backupContainer: string,
): Promise<(Snapshot & { readonly createdAt: string })[]> {
  const list = await execIn(docker, backupContainer, [...script, "list"]);
  return list.stdout
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"))
    .map(([name = "", createdAt = "", keys, bytes]) => ({
      name,
      createdAt,
      keys: Number(keys),
      bytes: Number(bytes),
    }));
}

async function locate(docker: Docker, c: Containers, from: string): Promise<string> {
  const dir = BACKUP_PATHS.dir;
  if (from === "latest") {
    const rows = await listSnapshots(docker, c.backup);
    const first = rows[0]?.name;
    if (!first) throw new RestoreError(`no good snapshot on the backups volume of ${c.backup}`);
    refuseDrop(rows, "");
    return `${dir}/${first}.rdb`;
  }
  const offsite = /^offsite:(.+)$/.exec(from);
  if (offsite) {
    if (!c.offsite)
      throw new RestoreError("this stack has no offsite container (`redis.backup.offsite`)");
    if (offsite[1] === "latest") {
      // The offsite copies go on after a loss too: the same check as for the local latest.
      const m = await execIn(docker, c.offsite, ["sh", OFFSITE_PATHS.script, "manifests", "10"], {
        timeoutMs: 600_000,
      });
      const rows = m.stdout
        .trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.split(" "))
        .map((r) => ({ name: r[0] as string, keys: Number(r[1]), bytes: Number(r[2]) }));
      refuseDrop(rows, "offsite:");
    }
    const r = await execIn(
      docker,
      c.offsite,
      ["sh", OFFSITE_PATHS.script, "fetch", offsite[1] as string],
      { timeoutMs: 600_000 },
    );
    if (r.code !== 0) throw new RestoreError(`fetching ${from} failed:\n${r.stderr.trim()}`);
    return `${dir}/${r.stdout.trim().split("\n").at(-1) ?? ""}`;
  }
  const name = from.replace(/\.(rdb|json)$/, "");
  if (!/^(offsite\/)?redis-\d{8}T\d{6}Z$/.test(name)) {
    throw new RestoreError(
      `--from ${JSON.stringify(from)} is not a snapshot name: use latest, offsite:latest, offsite:<name> or a name from \`npm run backup -- --list\` such as redis-20261206T071500Z`,
    );
  }
  return `${dir}/${name}.rdb`;
}

interface Snapshot {
  readonly name: string;
  readonly keys: number;
  readonly bytes: number;
}

/**
 * Newest first: the newest older snapshot holding over ten times the latest's keys, or (past
 * 4 KiB, where an RDB's header no longer dominates) over ten times its bytes: after a lost disk
 * or a FLUSHALL the schedule snapshots the emptied server, and `latest` would restore nothing.
 * A queue that stores its jobs in one hash has few keys however many jobs it holds; the bytes
 * see that drop. The backup script keeps such a snapshot past `keep` while newer ones stay
 * under a tenth of it (components/lib/backup-script.ts, prune).
 */
export function dropBefore(
  rows: readonly Snapshot[],
): { latest: Snapshot; before: Snapshot } | undefined {
  const [latest, ...older] = rows;
  if (latest === undefined) return undefined;
  const before = older.find(
    (r) => r.keys > 10 * latest.keys || (r.bytes > 4096 && r.bytes > 10 * latest.bytes),
  );
  return before && { latest, before };
}

function refuseDrop(rows: readonly Snapshot[], prefix: string): void {
  const drop = dropBefore(rows);
  if (!drop) return;
  const { latest, before } = drop;
  throw new RestoreError(
    `latest is ${prefix}${latest.name} (${latest.keys} keys, ${latest.bytes} bytes), under a tenth of ${prefix}${before.name} before it (${before.keys} keys, ${before.bytes} bytes): the data was likely lost or flushed in between, and nothing was changed. Restore --from ${prefix}${before.name} to get it back, or name ${prefix}${latest.name} to restore the newer one anyway`,
  );
}

/** The admin user's redis-cli inside `container`, its password on stdin (`--askpass`). */
export async function admin(
  docker: Docker,
  container: string,
  engine: string,
  password: string,
  args: string[],
) {
  const r = await execIn(
    docker,
    container,
    [
      `${engine}-cli`,
      "--no-auth-warning",
      "-h",
      "127.0.0.1",
      "--user",
      REDIS_USERS.admin,
      "--askpass",
      ...args,
    ],
    { stdin: `${password}\n`, timeoutMs: 60_000 },
  );
  // redis-cli exits 0 on an error reply (NOAUTH, WRONGPASS, NOPERM): read what it printed. A
  // wrong password prints "AUTH failed: WRONGPASS …" on stderr and then NOAUTH for the command.
  const errors = `${r.stderr}\n${r.stdout}`
    .split("\n")
    .filter((l) => /^(AUTH failed|NOAUTH|WRONGPASS|NOPERM|ERR)/.test(l));
  if (errors.length > 0) {
    const what = args.find((a) => /^[A-Z]/.test(a)) ?? "";
    throw new RestoreError(`redis-cli ${what} in ${container}: ${errors.join("; ")}`);
  }
  return r.stdout;
}

/** Keys over every database, from INFO keyspace. */
function keyspaceKeys(info: string): number {
  if (!/# Keyspace/.test(info))
    throw new RestoreError(`unexpected INFO keyspace reply: ${info.slice(0, 80)}`);
  return [...info.matchAll(/^db\d+:keys=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

const field = (json: string, key: string) =>
  (JSON.parse(json) as Record<string, unknown>)[key] as number | string | undefined;

export interface RestoreOptions {
  readonly from: string;
  /** The `admin` ACL user's password (from the stack's redisAdminUrl). */
  readonly adminPassword: string;
  readonly log: Log;
  /** The port Redis listens on inside its container (the redisPort output). @default 6379 */
  readonly port?: number;
  /** How long each service may take to turn healthy again. @default 300 s */
  readonly healthyTimeoutMs?: number;
}

export async function restore(docker: Docker, c: Containers, o: RestoreOptions): Promise<Step[]> {
  const steps: Step[] = [];
  const { log } = o;
  const t0 = performance.now();
  const redisInfo = await docker.getContainer(c.redis).inspect();
  const image = redisInfo.Config.Image;
  const engine = redisEngine(image);
  if (engine === undefined)
    throw new RestoreError(`${c.redis} runs ${image}, not a redis or valkey image`);
  const user = redisInfo.Config.User || "999";
  const dataVolume = await volumeAt(docker, c.redis, REDIS_PATHS.data);
  const backupVolume = await volumeAt(docker, c.backup, BACKUP_PATHS.dir);
  const healthy = o.healthyTimeoutMs ?? 300_000;
  const port = o.port ?? 6379;

  // 1. Nothing changes until the file is proven good.
  const path = await timed(steps, log, "locate", async () => {
    const p = await locate(docker, c, o.from);
    return [p, p.replace(`${BACKUP_PATHS.dir}/`, "")];
  });
  const manifest = await timed(steps, log, "verify", async () => {
    const v = await execIn(docker, c.backup, [...script, "verify", path], { timeoutMs: 600_000 });
    if (v.code !== 0) {
      throw new RestoreError(`${path} was refused, and nothing was changed:\n${v.stderr.trim()}`);
    }
    const m = await execIn(docker, c.backup, ["cat", path.replace(/\.rdb$/, ".json")]);
    // The loaders log in as admin; a password that does not work must stop us here, not after
    // the data has been moved aside.
    // A Redis that is down or still loading does not answer, and may be why you restore: only
    // a refused password stops the restore here.
    const pong = await admin(docker, c.redis, engine, o.adminPassword, [
      ...["-p", String(port), "PING"],
    ]).catch((e: Error) => e.message);
    if (/WRONGPASS|AUTH failed/.test(pong)) {
      throw new RestoreError(
        `the admin password from the stack outputs was refused by ${c.redis}, and nothing was changed: ${pong.trim()}`,
      );
    }
    return [m.stdout, v.stdout.trim().replace(/ sha256=.*/, "")];
  });
  const wantKeys = Number(field(manifest, "keys"));
  const wantExpires = Number(field(manifest, "expires") ?? 0);

  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const aside = `pre-restore-${stamp}`;
  const labels = { "com.api-stack.restore": stamp };
  /** `cmd` in a one-off container of the server's image, on the data (and, read-only, backup) volume. */
  const inVolumes = (
    cmd: string[],
    binds = [`${dataVolume}:/data`, `${backupVolume}:/backups:ro`],
  ) => runOnce(docker, { image, user, labels, binds, cmd });
  // The schedule must not snapshot the stopped server, nor prune the file being restored: the
  // script skips both while .hold exists (pausing the container would turn it unhealthy: moby
  // stops probes on pause, daemon/health.go). An interrupted restore leaves the file, and the
  // container's health then says so.
  const hold = await execIn(docker, c.backup, [
    "sh",
    "-c",
    `date -u +%Y-%m-%dT%H:%M:%SZ > ${BACKUP_PATHS.dir}/.hold`,
  ]);
  if (hold.code !== 0) throw new RestoreError(`could not hold the schedule: ${hold.stderr.trim()}`);
  const running: string[] = [];
  let moved = false;
  try {
    // The snapshot goes into the data volume, checked, while everything still runs: a copy that
    // fails (a full disk) stops nothing. Redis ignores a file it was not told to read.
    await timed(steps, log, "copy into the volume", async () => {
      const want = String(field(manifest, "sha256"));
      const r = await inVolumes([
        "sh",
        "-c",
        [
          `cp /backups/${path.slice(BACKUP_PATHS.dir.length + 1)} /data/.restore-${stamp}.rdb`,
          `[ "$(sha256sum /data/.restore-${stamp}.rdb | cut -d ' ' -f 1)" = "${want}" ]`,
          "sync",
        ].join(" && ") + ` || { rm -f /data/.restore-${stamp}.rdb; exit 1; }`,
      ]);
      if (r.code !== 0) {
        throw new RestoreError(
          `could not copy the snapshot into the data volume: ${r.stderr.trim()}`,
        );
      }
      return [undefined, `/data/.restore-${stamp}.rdb, sha256 checked`];
    });
    // 2. No write may land mid-restore: the API and the workers stop (the edge answers 503).
    await timed(steps, log, "stop API and workers", async () => {
      for (const w of c.writers) {
        const info = await docker.getContainer(w).inspect();
        if (info.State.Running) running.push(w);
      }
      await stopAll(docker, running);
      return [undefined, `${running.length} container(s)`];
    });
    await timed(steps, log, "stop Redis", async () => {
      await stopAll(docker, [c.redis]);
      return [undefined, c.redis];
    });

    // 3. The current data goes aside, in the same volume, and is never deleted.
    await timed(steps, log, "set current data aside", async () => {
      // From here the data may be partly moved: a failure leaves everything stopped.
      moved = true;
      const r = await inVolumes([
        "sh",
        "-ec",
        [
          `mkdir /data/${aside}`,
          `for f in /data/* /data/.[!.]*; do [ -e "$f" ] || continue; case "$f" in /data/pre-restore-*|/data/.restore-${stamp}.rdb) continue ;; esac; mv "$f" /data/${aside}/; done`,
          `mv /data/.restore-${stamp}.rdb /data/dump.rdb`,
          "sync",
        ].join("\n"),
      ]);
      if (r.code !== 0) {
        throw new RestoreError(
          `could not set the data aside (exit ${r.code}): ${r.stderr.trim()}; Redis and the services stay stopped: part of the data may be in /data/${aside} (volume ${dataVolume}); move it back before you start them`,
        );
      }
      return [undefined, `/data/${aside} in volume ${dataVolume}`];
    });

    // 4. https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/ ("How I can
    // switch to AOF, if I'm currently using dump.rdb snapshots?"): start from the RDB with AOF
    // off, CONFIG SET appendonly yes, wait for the rewrite. Started with AOF on, the server
    // would ignore dump.rdb and start empty (test/real/redis-backup.test.ts).
    const conf = await confArchive(
      await docker.getContainer(c.redis).getArchive({ path: REDIS_PATHS.conf }),
    );
    const cli = (id: string, args: string[]) =>
      admin(docker, id, engine, o.adminPassword, ["-p", String(port), ...args]);
    const loader = async (appendonly: "yes" | "no") => {
      const ct = await docker.createContainer({
        Image: image,
        User: user,
        Labels: labels,
        Cmd: [`${engine}-server`, REDIS_PATHS.conf, ...loaderArgs(appendonly)],
        HostConfig: { Binds: [`${dataVolume}:/data`], ...ISOLATED },
      });
      // At "/", with the file's full path in the archive, as the provider uploads it
      // (resourceDockerContainerCreate: CopyToContainer to "/"): the official images have no
      // /usr/local/etc/redis, and Docker creates the directories a tar entry names.
      await ct.putArchive(conf, { path: "/" });
      await ct.start();
      // Ready once the dataset is in: an unauthenticated PING answers NOAUTH while it is still
      // loading, so ask as admin until INFO persistence says loading:0. An error reply (a refused
      // password, NOPERM) ends the restore; an exec that fails, or a server not listening yet
      // (redis-cli prints nothing on stdout), is retried.
      for (let i = 0; ; i++) {
        const info = await cli(ct.id, ["INFO", "persistence"]).catch((e: Error) => {
          if (e instanceof RestoreError) throw e;
          return undefined;
        });
        if (info !== undefined && /^loading:0/m.test(info)) break;
        if (i > 36_000) throw new RestoreError("the loading server did not finish in an hour");
        const st = await ct.inspect();
        if (!st.State.Running) {
          const logs = String(await ct.logs({ stdout: true, stderr: true }));
          throw new RestoreError(`the loading server exited: ${logs.slice(-400)}`);
        }
        await sleep(100);
      }
      return ct;
    };
    const shutdown = async (ct: Docker.Container) => {
      await cli(ct.id, ["SHUTDOWN"]).catch(() => undefined);
      await ct.wait();
      await ct.remove({ force: true });
    };

    const loaded = await timed(steps, log, "load snapshot", async () => {
      const ct = await loader("no");
      const keys = keyspaceKeys(await cli(ct.id, ["INFO", "keyspace"]));
      const digest = (await cli(ct.id, ["DEBUG", "DIGEST"])).trim();
      if (keys > wantKeys || keys < wantKeys - wantExpires) {
        await shutdown(ct);
        throw new RestoreError(
          `the server loaded ${keys} keys, the manifest says ${wantKeys} (${wantExpires} with a TTL); the data is aside in /data/${aside}`,
        );
      }
      return [
        { ct, keys, digest },
        `${keys} keys (manifest ${wantKeys}), digest ${digest.slice(0, 12)}…`,
      ];
    });
    await timed(steps, log, "rewrite AOF", async () => {
      await cli(loaded.ct.id, ["CONFIG", "SET", "appendonly", "yes"]);
      for (let i = 0; ; i++) {
        const info = await cli(loaded.ct.id, ["INFO", "persistence"]);
        const v = (k: string) => new RegExp(`^${k}:(\\S+)`, "m").exec(info)?.[1];
        // The server retries a failed rewrite; do not wait an hour for it.
        if (v("aof_last_bgrewrite_status") === "err") {
          throw new RestoreError(`the AOF rewrite failed; the data is aside in /data/${aside}`);
        }
        if (
          v("aof_enabled") === "1" &&
          v("aof_rewrite_in_progress") === "0" &&
          v("aof_rewrite_scheduled") === "0"
        ) {
          break;
        }
        if (i > 36_000) throw new RestoreError("the AOF rewrite did not finish in an hour");
        await sleep(100);
      }
      await shutdown(loaded.ct);
      return [undefined, "appendonly yes, rewrite ok"];
    });
    await timed(steps, log, "check the AOF", async () => {
      const ct = await loader("yes");
      const keys = keyspaceKeys(await cli(ct.id, ["INFO", "keyspace"]));
      const digest = (await cli(ct.id, ["DEBUG", "DIGEST"])).trim();
      await shutdown(ct);
      // Neither loader deletes an expired key (loaderArgs), so the new AOF holds the very same data.
      if (keys !== loaded.keys || digest !== loaded.digest) {
        throw new RestoreError(
          `restarted from the new AOF the server has ${keys} keys (digest ${digest}), not ${loaded.keys} (${loaded.digest}); the data is aside in /data/${aside}`,
        );
      }
      return [undefined, `${keys} keys, same digest`];
    });

    // 5. Back as deployed: Redis, then what writes to it.
    await timed(steps, log, "start Redis", async () => {
      await docker.getContainer(c.redis).start();
      await waitHealthy(docker, c.redis, healthy);
      return [undefined, "healthy"];
    });
    await timed(steps, log, "check keys", async () => {
      const keys = keyspaceKeys(await cli(c.redis, ["INFO", "keyspace"]));
      // Expiry runs again now: keys with a TTL may go, nothing else.
      if (keys > loaded.keys || keys < loaded.keys - wantExpires) {
        throw new RestoreError(`Redis came back with ${keys} keys, not ${loaded.keys}`);
      }
      return [undefined, `${keys} keys`];
    });
    await timed(steps, log, "start API and workers", async () => {
      await startAll(docker, running);
      await Promise.all(running.map((w) => waitHealthy(docker, w, healthy)));
      return [undefined, `${running.length} healthy`];
    });
  } catch (e) {
    // Until the data is moved aside nothing has changed: bring everything back as it was.
    if (!moved) {
      const back = await startAll(docker, [c.redis])
        .then(() => waitHealthy(docker, c.redis, healthy))
        .then(() => startAll(docker, running))
        .then(() => "; nothing was moved, and Redis and the services were started again")
        .catch(
          (err: Error) =>
            `; nothing was moved, but starting Redis and the services failed: ${err.message}`,
        );
      (e as Error).message += back;
      await inVolumes(["rm", "-f", `/data/.restore-${stamp}.rdb`], [`${dataVolume}:/data`]).catch(
        () => undefined,
      );
    }
    throw e;
  } finally {
    await execIn(docker, c.backup, ["rm", "-f", `${BACKUP_PATHS.dir}/.hold`]).catch(
      () => undefined,
    );
  }
  const total = Math.round(performance.now() - t0);
  steps.push({
    step: "total (RTO)",
    ms: total,
    detail: `undo: the previous data is in /data/${aside}`,
  });
  log(
    `${"total (RTO)".padEnd(22)} ${String(total).padStart(7)} ms  the previous data is kept in /data/${aside}`,
  );
  return steps;
}

/** Stops each (304, already stopped, is fine) and waits for every stop to settle. */
async function stopAll(docker: Docker, names: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(
    names.map((n) =>
      docker
        .getContainer(n)
        .stop()
        .catch((e: { statusCode?: number }) => {
          if (e.statusCode !== 304) throw e;
        }),
    ),
  );
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Starts each (304, already running, is fine). */
async function startAll(docker: Docker, names: readonly string[]): Promise<void> {
  for (const n of names) {
    await docker
      .getContainer(n)
      .start()
      .catch((e: { statusCode?: number }) => {
        if (e.statusCode !== 304) throw e;
      });
  }
}

/** The conf from the server container, re-archived under its full path for a put at "/". */
async function confArchive(archive: NodeJS.ReadableStream): Promise<Buffer> {
  let content: Buffer | undefined;
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => chunks.push(c as Buffer));
    stream.on("end", () => {
      if (header.type === "file") content = Buffer.concat(chunks);
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on("finish", resolve);
    extract.on("error", reject);
    archive.pipe(extract);
  });
  if (content === undefined)
    throw new RestoreError(`no ${REDIS_PATHS.conf} in the server container`);
  const pack = tar.pack();
  pack.entry({ name: REDIS_PATHS.conf.slice(1), mode: 0o444 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
