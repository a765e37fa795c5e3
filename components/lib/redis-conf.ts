/**
 * Renders the redis.conf that the local Redis/Valkey container is started with. The
 * file is uploaded into the container (never passed on the command line). It holds no
 * password at all: each ACL user gets the SHA-256 of its password (`#<hex>`), which is all
 * the server needs to check an AUTH (redis/redis src/acl.c, ACLSetUser: "#<hash>" adds a
 * hashed password; doc: https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/).
 * So `docker cp` or `docker exec cat` of the file reveals nothing that logs in.
 */
import { createHash } from "node:crypto";

export type Appendfsync = "always" | "everysec" | "no";
export const EVICTION_POLICIES = [
  "noeviction",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

/** The ACL users every generated config defines. */
export const REDIS_USERS = {
  /** The application's user; also `default`, so clients that only send a password work. */
  app: "default",
  /** May only run PING; its password is the one the healthcheck reads. */
  probe: "probe",
  /** Full rights, for operators: CONFIG GET, BGSAVE, ACL. Never given to the API. */
  admin: "admin",
  /** May only take a snapshot over the replication protocol (`redis-cli --rdb`). */
  backup: "backup",
  /** May only read what redis_exporter reports: INFO, CONFIG GET, the slow and latency logs. */
  exporter: "exporter",
} as const;

/**
 * What `redis-cli --rdb` needs and nothing more. After AUTH (which every user may send) the
 * client sends `REPLCONF rdb-only 1` and then `SYNC` (redis/redis src/redis-cli.c, getRDB →
 * sendReplconf, sendSync); it touches no key, so no key or channel pattern is granted.
 * test/real/redis-backup.test.ts takes a snapshot with exactly this and shows that
 * dropping either command makes `--rdb` fail.
 */
export const BACKUP_COMMANDS = ["sync", "replconf"] as const;

/**
 * Commands the application user may not run. `@admin` covers CONFIG, DEBUG, SHUTDOWN,
 * MONITOR, REPLICAOF, MODULE, SAVE/BGSAVE and ACL's write subcommands; FLUSHALL and
 * FLUSHDB are not in `@admin` but would wipe the job queue in one call, and SWAPDB (in
 * `@keyspace @write @fast @dangerous`, not `@admin`) empties what db 0 shows just as well.
 */
/**
 * What redis_exporter 1.69.0 sends on a scrape with its default flags, and nothing more: INFO
 * (every `redis_*` gauge, `redis_up` included), CONFIG GET (maxmemory and the other config
 * gauges), CLIENT SETNAME (it names its connection), SLOWLOG GET/LEN and LATENCY LATEST/HISTOGRAM
 * (oliver006/redis_exporter exporter/redis.go, scrapeRedisHost; exporter/slowlog.go,
 * exporter/latency.go). No key or channel is granted: with no `--check-keys` it reads none.
 * test/real/redis-exporter-acl.test.ts scrapes a real redis-server as this user with an empty
 * ACL LOG, and shows that dropping any one of these makes the server log a denial.
 */
export const EXPORTER_COMMANDS = [
  "info",
  "config|get",
  "client|setname",
  "slowlog|get",
  "slowlog|len",
  "latency|latest",
  "latency|histogram",
] as const;

export const APP_DENIED = ["-@admin", "-flushall", "-flushdb", "-swapdb"] as const;

export interface RedisConfSpec {
  readonly port: number;
  readonly appendfsync: Appendfsync;
  readonly maxmemoryMb: number;
  readonly evictionPolicy: EvictionPolicy;
  readonly appPassword: string;
  readonly probePassword: string;
  readonly adminPassword: string;
  /** The backup user's password; without it the file has no `backup` user. */
  readonly backupPassword?: string;
  /** The exporter user's password; without it the file has no `exporter` user. */
  readonly exporterPassword?: string;
  /** The data directory; the container mounts its named volume here. @default "/data" */
  readonly dir?: string;
}

/**
 * `auto-aof-rewrite-percentage`: Redis's own default, written out so the file states the whole
 * rewrite policy. Redis rewrites once the AOF has grown by this much over its size after the last
 * rewrite (redis/redis 7.4.1 src/server.c, serverCron, "Trigger an AOF rewrite if needed"), so at
 * 100 what a rewrite writes stays in proportion to what was appended since the last. Lower would
 * rewrite a large dataset more often, each time a fork plus a write of the whole dataset
 * (redis/redis-doc docs/management/persistence.md, "RDB disadvantages": "AOF also needs to fork()
 * but less frequently and you can tune how often you want to rewrite your logs"); higher would let
 * a full dataset's AOF grow past twice its size on disk.
 */
export const AOF_REWRITE_PERCENTAGE = 100;

/**
 * `auto-aof-rewrite-min-size` in MB for a given `maxmemory`: maxmemory / 16, at least 1, at most
 * Redis's default of 64.
 *
 * The percentage rule alone would rewrite a tiny AOF over and over, so Redis also waits until the
 * file is bigger than this (redis/redis 7.4.1 redis.conf, "Automatic rewrite of the append only
 * file"). It is this number, not the percentage, that decides while the dataset's RDB is under half
 * of it: below 64 MB, churn (large writes then deletes, a queue filled and drained) was never
 * compacted and every restart replayed all of it, so load time grew 0.01 → 3.33 s over three kills
 * (issue 26). Scaling it with maxmemory keeps that replay under a sixteenth of the most data a
 * restart must be able to load anyway. The rewrites it adds copy an RDB of at most half this size
 * plus a fork: on redis-server 7.0.15 (the trigger and restart code are as in 7.4.1), 200 MB of
 * churn on an almost empty 384 MB instance took 8 rewrites instead of 3, each a 1-3 ms fork, and
 * the AOF peaked at 26 MB instead of 67 MB. test/real/redis-aof-rewrite.test.ts shows the bound on
 * the real server, and that Redis's default does not keep it.
 */
export function aofRewriteMinSizeMb(maxmemoryMb: number): number {
  if (!Number.isInteger(maxmemoryMb) || maxmemoryMb < 1) {
    throw new Error(`maxmemoryMb must be a positive whole number, got ${maxmemoryMb}`);
  }
  return Math.min(64, Math.max(1, Math.round(maxmemoryMb / 16)));
}

/**
 * The passwords themselves never reach the file, but they do reach URLs and the probe's
 * secret file; our generated ones are alphanumeric, so anything else is a bug upstream.
 */
const SAFE_PASSWORD = /^[A-Za-z0-9_\-.~+=]{16,}$/;

/** The ACL rule for a password given as its SHA-256: `#` and 64 lowercase hex digits. */
export function aclPasswordHash(password: string): string {
  return `#${createHash("sha256").update(password, "utf8").digest("hex")}`;
}

export function renderRedisConf(spec: RedisConfSpec): string {
  for (const [role, pw] of [
    ["app", spec.appPassword],
    ["probe", spec.probePassword],
    ["admin", spec.adminPassword],
    ...(spec.backupPassword === undefined ? [] : [["backup", spec.backupPassword] as const]),
    ...(spec.exporterPassword === undefined ? [] : [["exporter", spec.exporterPassword] as const]),
  ] as const) {
    if (!SAFE_PASSWORD.test(pw)) {
      throw new Error(
        `the ${role} password must be at least 16 characters from [A-Za-z0-9_-.~+=] to be written into redis.conf`,
      );
    }
  }
  if (!Number.isInteger(spec.maxmemoryMb) || spec.maxmemoryMb < 1) {
    throw new Error(`maxmemoryMb must be a positive whole number, got ${spec.maxmemoryMb}`);
  }
  return [
    "# Generated by api-stack (components/lib/redis-conf.ts). Do not edit by hand.",
    // The container is reachable only on the internal backend network, so it listens on
    // all of the container's interfaces; exposure is decided by Docker, not by bind.
    "bind * -::*",
    "protected-mode yes",
    `port ${spec.port}`,
    `dir ${spec.dir ?? "/data"}`,
    "",
    "# Persistence: AOF for durability, RDB snapshots for cheap backups.",
    "appendonly yes",
    `appendfsync ${spec.appendfsync}`,
    "aof-use-rdb-preamble yes",
    // Compact the AOF before churn piles up (redis/redis 7.4.1 redis.conf, "Automatic rewrite of
    // the append only file"; the numbers: AOF_REWRITE_PERCENTAGE, aofRewriteMinSizeMb). After a
    // restart Redis measures growth from the base file alone (src/aof.c, loadAppendOnlyFiles:
    // aof_rewrite_base_size = base_size), so an AOF left past min-size and at least twice its
    // base file is rewritten at once.
    `auto-aof-rewrite-percentage ${AOF_REWRITE_PERCENTAGE}`,
    `auto-aof-rewrite-min-size ${aofRewriteMinSizeMb(spec.maxmemoryMb)}mb`,
    "save 3600 1 300 100 60 10000",
    // Backups read the dataset over the replication protocol (`redis-cli --rdb`). Diskless, the
    // fork streams it to the socket instead of writing an RDB into the data volume first, and
    // with no delay it starts at once instead of waiting 5 s for more replicas (redis.conf,
    // "repl-diskless-sync" and "repl-diskless-sync-delay"; diskless is the default since 7.0).
    "repl-diskless-sync yes",
    "repl-diskless-sync-delay 0",
    "",
    "# Memory: stay below the container's limit so the kernel never OOM-kills Redis.",
    `maxmemory ${spec.maxmemoryMb}mb`,
    `maxmemory-policy ${spec.evictionPolicy}`,
    "",
    "# Access control: every connection must authenticate.",
    `user ${REDIS_USERS.app} on ${aclPasswordHash(spec.appPassword)} ~* &* +@all ${APP_DENIED.join(" ")}`,
    `user ${REDIS_USERS.probe} on ${aclPasswordHash(spec.probePassword)} -@all +ping`,
    `user ${REDIS_USERS.admin} on ${aclPasswordHash(spec.adminPassword)} ~* &* +@all`,
    ...(spec.backupPassword === undefined
      ? []
      : [
          `user ${REDIS_USERS.backup} on ${aclPasswordHash(spec.backupPassword)} -@all ${BACKUP_COMMANDS.map((c) => `+${c}`).join(" ")}`,
        ]),
    ...(spec.exporterPassword === undefined
      ? []
      : [
          `user ${REDIS_USERS.exporter} on ${aclPasswordHash(spec.exporterPassword)} -@all ${EXPORTER_COMMANDS.map((c) => `+${c}`).join(" ")}`,
        ]),
    "",
  ].join("\n");
}
