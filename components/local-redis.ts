import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { HealthTiming } from "./lib/healthcheck";
import { redisEngine } from "./lib/image-ref";
import { REDIS_USERS, type Appendfsync, type EvictionPolicy } from "./lib/redis-conf";
import { createServer, REDIS_ALIAS, type RedisEngine } from "./local-redis-server";
import { RedisBackup, type OffsiteArgs } from "./redis-backup";
import { redisConnection, secretRedisUrl, type RedisConnectionOutputs } from "./redis-connection";
import { argError, FORMER_TYPES, stackLabels, TYPES, withFormerType } from "./types";

export { REDIS_ALIAS, REDIS_PATHS, type RedisEngine } from "./local-redis-server";

/** The defaults every stack gets; the config schema (stacks/config/) reads them from here. */
export const LOCAL_REDIS_DEFAULTS = {
  image: "redis:7.4-alpine",
  port: 6379,
  appendfsync: "everysec",
  memoryMb: 256,
  evictionPolicy: "noeviction",
  restart: "unless-stopped",
  user: "999",
  stopTimeoutSeconds: 30,
  healthcheck: { intervalMs: 10_000, timeoutMs: 3_000, retries: 5, startPeriodMs: 10_000 },
} as const satisfies Partial<LocalRedisArgs>;

/** Redis gets three quarters of its container's memory; the rest is for forks and buffers. */
export function defaultMaxmemoryMb(memoryMb: number): number {
  return Math.floor(memoryMb * 0.75);
}

export interface LocalRedisArgs {
  /** A pinned redis or valkey image. @default "redis:7.4-alpine" */
  readonly image?: string;
  /** The port Redis listens on inside the network, 1–65535. @default 6379 */
  readonly port?: number;
  /** The backend (internal) network to join; the only network Redis is on. */
  readonly networkName: pulumi.Input<string>;
  /** The app's ACL password (user `default`); alphanumeric, written hashed into redis.conf. */
  readonly password: pulumi.Input<string>;
  /** The healthcheck's ACL password (user `probe`, PING only), uploaded as a file. */
  readonly probePassword: pulumi.Input<string>;
  /** The operators' ACL password (user `admin`), for `npm run verify` and backups. */
  readonly adminPassword: pulumi.Input<string>;
  /** AOF fsync policy: "always", "everysec" or "no". @default "everysec" */
  readonly appendfsync?: Appendfsync;
  /** Container memory limit, MB, at least 16. @default 256 */
  readonly memoryMb?: number;
  /** Redis `maxmemory`, MB; must be below `memoryMb`. @default 75% of memoryMb, rounded down */
  readonly maxmemoryMb?: number;
  /** What Redis does at `maxmemory`. @default "noeviction": a job queue must refuse writes rather than drop jobs. */
  readonly evictionPolicy?: EvictionPolicy;
  /** Docker restart policy. @default "unless-stopped" */
  readonly restart?: "no" | "on-failure" | "always" | "unless-stopped";
  /** Restarts before Docker gives up, 1 or more; only with `restart: "on-failure"`. @default unlimited */
  readonly maxRetryCount?: number;
  /** Publish Redis on 127.0.0.1:<debugPort>, 1–65535, for local debugging (dev only). @default unpublished */
  readonly debugPort?: number;
  /**
   * A non-internal network to join with `debugPort`, since Docker will not publish the
   * port of a container that is only on internal networks. Required with `debugPort`.
   * @default none
   */
  readonly debugNetworkName?: pulumi.Input<string>;
  /**
   * The uid (or uid:gid) the server runs as, set on the container itself. The official
   * images create `redis`/`valkey` as uid 999 and own `/data` by it (docker-library/redis
   * Dockerfile.template; valkey-io/valkey-container Dockerfile.template), so a new named
   * volume starts owned by 999 too. @default "999"
   */
  readonly user?: string;
  /** Seconds between SIGTERM and SIGKILL, on `docker stop` and on replace or destroy. @default 30 */
  readonly stopTimeoutSeconds?: number;
  /** A production stack: its data volume is protected unless `protectData` says otherwise. */
  readonly production: boolean;
  /** Keep the data volume on `pulumi destroy` and refuse to replace it. @default `production` */
  readonly protectData?: boolean;
  /** Probe timing, ms. @default interval 10s, timeout 3s, retries 5, start period 10s */
  readonly healthcheck?: HealthTiming;
  /**
   * Scheduled snapshots (components/redis-backup.ts), taken as the ACL user `backup` with
   * `backupPassword`. @default none (config requires them in production)
   */
  readonly backup?: LocalRedisBackupArgs;
  /** The `backup` ACL user's password; required with `backup`. Secret. @default none */
  readonly backupPassword?: pulumi.Input<string>;
  /**
   * The `exporter` ACL user's password (INFO, CONFIG GET, SLOWLOG, LATENCY: what redis_exporter
   * reads); without it redis.conf has no such user. Secret. @default none
   */
  readonly exporterPassword?: pulumi.Input<string>;
  /** The stack name, for labels. */
  readonly stack: string;
}

/**
 * A local Redis (or Valkey) container, `redis.mode: local`: authenticated, persistent,
 * unpublished, and healthy only when an authenticated PING gets PONG.
 *
 * @example
 * const redis = new LocalRedis("cache", { networkName: nets.backendName, password, probePassword, adminPassword, production: false, stack: "dev" });
 * // redis.connection.url is a secret "redis://default:…@redis:6379"
 */
/** `LocalRedisArgs.backup`: the schedule and the offsite copies. */
export interface LocalRedisBackupArgs {
  /** Between snapshots, ms. @default 240000 (4 min) */
  readonly everyMs?: number;
  /** Good snapshots kept. @default 48 */
  readonly keep?: number;
  /** The snapshot container's memory limit, MB. @default 128 */
  readonly memoryMb?: number;
  /** Copies in an S3-compatible bucket. @default none */
  readonly offsite?: OffsiteArgs;
}

export class LocalRedis extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly volume: docker.Volume;
  /** With `backup`: the snapshot (and offsite) containers and their volume. */
  public readonly backup?: RedisBackup;
  public readonly connection: RedisConnectionOutputs;
  /** An operator's URL (ACL user `admin`) for `npm run verify` and backups. Secret. */
  public readonly adminUrl: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  /**
   * With `debugPort`: the app and admin URLs as seen from the Docker host
   * (127.0.0.1:debugPort), for `npm run verify` and `redis-cli`. Secret; else undefined.
   */
  public readonly hostUrls?: { app: pulumi.Output<string>; admin: pulumi.Output<string> };

  constructor(name: string, args: LocalRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    // Was `Redis` (api-stack:components:Redis). The engine derives each child's old URN from
    // its parent's aliases (pulumi/pulumi pkg/resource/deploy/step_generator.go, generateAliases
    // → inheritedChildAlias), so no child is replaced: "retyping a component with aliases set on
    // the component preserves its children without requiring per-child aliases"
    // (https://www.pulumi.com/docs/iac/concepts/resources/options/aliases/). Tested in
    // test/stack/local-redis-alias.test.ts.
    super(TYPES.LocalRedis, name, {}, withFormerType(opts, FORMER_TYPES.LocalRedis));
    const a = resolveLocalRedisArgs(args);
    const engine = this.checkArgs(a);
    this.volume = this.createVolume(name, a);
    this.container = createServer(this, name, a, engine, this.volume);
    this.containerName = this.container.name;
    this.backup = this.createBackup(name, a, engine);
    const inside = { host: REDIS_ALIAS, port: a.port, tls: false };
    this.connection = redisConnection({
      ...inside,
      username: REDIS_USERS.app,
      password: a.password,
    });
    this.adminUrl = secretRedisUrl({
      ...inside,
      username: REDIS_USERS.admin,
      password: a.adminPassword,
    });
    this.hostUrls = this.hostUrlsOf(a);
    this.registerOutputs({
      connection: this.connection,
      adminUrl: this.adminUrl,
      containerName: this.containerName,
      hostUrls: this.hostUrls,
      backupContainerName: this.backup?.containerName,
      offsiteContainerName: this.backup?.offsiteContainerName,
    });
  }

  private createBackup(
    name: string,
    a: ResolvedLocalRedisArgs,
    engine: RedisEngine,
  ): RedisBackup | undefined {
    if (a.backup === undefined || a.backupPassword === undefined) return undefined;
    return new RedisBackup(
      `${name}-backup`,
      {
        ...a.backup,
        image: a.image,
        engine,
        networkName: a.networkName,
        host: REDIS_ALIAS,
        port: a.port,
        password: a.backupPassword,
        user: a.user,
        restart: a.restart,
        maxRetryCount: a.maxRetryCount,
        protectData: a.protectData,
        dependsOn: [this.container],
        stack: a.stack,
      },
      { parent: this },
    );
  }

  /** The second line behind the config schema; returns the image's engine. */
  private checkArgs(a: ResolvedLocalRedisArgs): RedisEngine {
    if (a.maxmemoryMb >= a.memoryMb) {
      throw argError(
        this,
        `\`maxmemoryMb\` (${a.maxmemoryMb}) must be below \`memoryMb\` (${a.memoryMb}): lower it to about 75% of the limit`,
      );
    }
    const engine = redisEngine(a.image);
    if (engine === undefined) {
      throw argError(
        this,
        `\`image\` "${a.image}" is not a redis or valkey image: use e.g. "redis:7.4-alpine" or "valkey/valkey:8.1-alpine"`,
      );
    }
    if (a.backup !== undefined && a.backupPassword === undefined) {
      throw argError(this, "`backup` needs `backupPassword`: pass StackSecrets' backupPassword");
    }
    if (a.debugPort !== undefined && a.debugNetworkName === undefined) {
      throw argError(
        this,
        "`debugPort` needs `debugNetworkName`: Docker does not publish ports of a container that is only on internal networks (moby/moby#36174); pass a non-internal network",
      );
    }
    return engine;
  }

  /** With `debugPort`, the URLs that reach Redis from the Docker host. */
  private hostUrlsOf(a: ResolvedLocalRedisArgs): LocalRedis["hostUrls"] {
    if (a.debugPort === undefined) return undefined;
    const host = { host: "127.0.0.1", port: a.debugPort, tls: false };
    return {
      app: secretRedisUrl({ ...host, password: a.password }),
      admin: secretRedisUrl({ ...host, username: REDIS_USERS.admin, password: a.adminPassword }),
    };
  }

  private createVolume(name: string, a: ResolvedLocalRedisArgs): docker.Volume {
    // In prod the AOF lives on: `protect` stops `pulumi destroy`, and `retainOnDelete`
    // keeps the Docker volume if the resource is ever removed from the program.
    return new docker.Volume(
      `${name}-data`,
      { labels: stackLabels(a.stack, "redis-data") },
      { parent: this, protect: a.protectData, retainOnDelete: a.protectData },
    );
  }
}

type OptionalArgs =
  | "debugPort"
  | "maxRetryCount"
  | "debugNetworkName"
  | "backup"
  | "backupPassword"
  | "exporterPassword";
export type ResolvedLocalRedisArgs = Required<Omit<LocalRedisArgs, OptionalArgs>> &
  Pick<LocalRedisArgs, OptionalArgs>;

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveLocalRedisArgs(args: LocalRedisArgs): ResolvedLocalRedisArgs {
  const d = LOCAL_REDIS_DEFAULTS;
  const memoryMb = args.memoryMb ?? d.memoryMb;
  return {
    ...args,
    image: args.image ?? d.image,
    port: args.port ?? d.port,
    appendfsync: args.appendfsync ?? d.appendfsync,
    memoryMb,
    maxmemoryMb: args.maxmemoryMb ?? defaultMaxmemoryMb(memoryMb),
    evictionPolicy: args.evictionPolicy ?? d.evictionPolicy,
    restart: args.restart ?? d.restart,
    user: args.user ?? d.user,
    stopTimeoutSeconds: args.stopTimeoutSeconds ?? d.stopTimeoutSeconds,
    protectData: args.protectData ?? args.production,
    healthcheck: args.healthcheck ?? d.healthcheck,
  };
}
