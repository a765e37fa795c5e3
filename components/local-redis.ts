import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import {
  redisProbe,
  toDockerHealthcheck,
  waitTimeoutSeconds,
  type HealthTiming,
} from "./lib/healthcheck";
import { redisFlavour } from "./lib/image-ref";
import {
  renderRedisConf,
  REDIS_USERS,
  type Appendfsync,
  type EvictionPolicy,
} from "./lib/redis-conf";
import { buildRedisUrl } from "./lib/redis-url";
import { redisConnection, type RedisConnectionOutputs } from "./redis-connection";
import { LOG_ROTATION, stackLabels, TYPES } from "./types";

/** Where the generated files live inside the container. */
export const REDIS_PATHS = {
  conf: "/usr/local/etc/redis/redis.conf",
  probeSecret: "/usr/local/etc/redis/probe.secret",
  data: "/data",
} as const;

/** The DNS name the API uses on the backend network. */
export const REDIS_ALIAS = "redis";

export interface RedisArgs {
  /** A pinned redis or valkey image. @default "redis:7.4-alpine" */
  readonly image?: string;
  /** The port Redis listens on inside the network. @default 6379 */
  readonly port?: number;
  /** The backend (internal) network to join; the only network Redis is on. */
  readonly networkName: pulumi.Input<string>;
  readonly password: pulumi.Input<string>;
  readonly probePassword: pulumi.Input<string>;
  readonly adminPassword: pulumi.Input<string>;
  /** AOF fsync policy. @default "everysec" */
  readonly appendfsync?: Appendfsync;
  /** Container memory limit, MB. @default 256 */
  readonly memoryMb?: number;
  /** Redis `maxmemory`, MB; must be below `memoryMb`. @default 75% of memoryMb */
  readonly maxmemoryMb?: number;
  /** @default "noeviction": a job queue must refuse writes rather than drop jobs. */
  readonly evictionPolicy?: EvictionPolicy;
  /** Docker restart policy. @default "unless-stopped" */
  readonly restart?: "no" | "on-failure" | "always" | "unless-stopped";
  readonly maxRetryCount?: number;
  /** Publish Redis on 127.0.0.1:<debugPort> for local debugging (dev only). @default unpublished */
  readonly debugPort?: number;
  /**
   * A non-internal network to join with `debugPort`, since Docker will not publish the
   * port of a container that is only on internal networks. Required with `debugPort`.
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
  /** Keep the data volume on `pulumi destroy` and refuse to replace it. @default false */
  readonly protectData?: boolean;
  /** @default interval 10s, timeout 3s, retries 5, start period 10s */
  readonly healthcheck?: HealthTiming;
  /** The stack name, for labels. */
  readonly stack: string;
}

const DEFAULT_HEALTH: HealthTiming = {
  intervalMs: 10_000,
  timeoutMs: 3_000,
  retries: 5,
  startPeriodMs: 10_000,
};

/**
 * A local Redis (or Valkey) container: authenticated, persistent, unpublished, and
 * healthy only when an authenticated PING gets PONG.
 *
 * @example
 * const redis = new Redis("cache", { networkName: nets.backendName, password, probePassword, adminPassword, stack: "dev" });
 * // redis.connection.url is a secret "redis://default:…@redis:6379"
 */
export class Redis extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly volume: docker.Volume;
  public readonly connection: RedisConnectionOutputs;
  /** An operator's URL (ACL user `admin`) for `npm run verify` and backups. Secret. */
  public readonly adminUrl: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  /**
   * With `debugPort`: the app and admin URLs as seen from the Docker host
   * (127.0.0.1:debugPort), for `npm run verify` and `redis-cli`. Secret; else undefined.
   */
  public readonly hostUrls?: { app: pulumi.Output<string>; admin: pulumi.Output<string> };

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.Redis, name, {}, opts);
    const a = resolveRedisArgs(args);
    if (a.maxmemoryMb >= a.memoryMb) {
      throw new pulumi.ResourceError(
        `\`maxmemoryMb\` (${a.maxmemoryMb}) must be below \`memoryMb\` (${a.memoryMb}): lower it to about 75% of the limit`,
        this,
        true,
      );
    }
    const flavour = redisFlavour(a.image);
    if (flavour === undefined) {
      throw new pulumi.ResourceError(
        `\`image\` "${a.image}" is not a redis or valkey image: use e.g. "redis:7.4-alpine" or "valkey/valkey:8.1-alpine"`,
        this,
        true,
      );
    }
    if (a.debugPort !== undefined && a.debugNetworkName === undefined) {
      throw new pulumi.ResourceError(
        "`debugPort` needs `debugNetworkName`: Docker does not publish ports of a container that is only on internal networks (moby/moby#36174); pass a non-internal network",
        this,
        true,
      );
    }
    this.volume = this.createVolume(name, a);
    this.container = this.createContainer(name, a, flavour);
    this.containerName = this.container.name;

    this.connection = redisConnection({
      host: REDIS_ALIAS,
      port: a.port,
      tls: false,
      username: REDIS_USERS.app,
      password: args.password,
    });
    this.adminUrl = pulumi.secret(
      pulumi.output(args.adminPassword).apply((pw) =>
        buildRedisUrl({
          host: REDIS_ALIAS,
          port: a.port,
          tls: false,
          password: pw,
          username: REDIS_USERS.admin,
        }),
      ),
    );
    if (a.debugPort !== undefined) {
      const port = a.debugPort;
      const onHost = (pw: pulumi.Input<string>, username?: string) =>
        pulumi.secret(
          pulumi
            .output(pw)
            .apply((password) =>
              buildRedisUrl({ host: "127.0.0.1", port, tls: false, password, username }),
            ),
        );
      this.hostUrls = {
        app: onHost(args.password),
        admin: onHost(args.adminPassword, REDIS_USERS.admin),
      };
    }
    this.registerOutputs({
      connection: this.connection,
      adminUrl: this.adminUrl,
      containerName: this.containerName,
      hostUrls: this.hostUrls,
    });
  }

  private createVolume(name: string, a: ResolvedRedisArgs): docker.Volume {
    // In prod the AOF lives on: `protect` stops `pulumi destroy`, and `retainOnDelete`
    // keeps the Docker volume if the resource is ever removed from the program.
    return new docker.Volume(
      `${name}-data`,
      { labels: stackLabels(a.stack, "redis-data") },
      { parent: this, protect: a.protectData, retainOnDelete: a.protectData },
    );
  }

  private createContainer(
    name: string,
    a: ResolvedRedisArgs,
    flavour: "redis" | "valkey",
  ): docker.Container {
    const conf = pulumi
      .all([a.password, a.probePassword, a.adminPassword])
      .apply(([appPassword, probePassword, adminPassword]) =>
        renderRedisConf({
          port: a.port,
          appendfsync: a.appendfsync,
          maxmemoryMb: a.maxmemoryMb,
          evictionPolicy: a.evictionPolicy,
          appPassword,
          probePassword,
          adminPassword,
          dir: REDIS_PATHS.data,
        }),
      );
    const probe = redisProbe({
      cli: `${flavour}-cli`,
      port: a.port,
      user: REDIS_USERS.probe,
      secretFile: REDIS_PATHS.probeSecret,
    });
    return new docker.Container(
      `${name}-server`,
      {
        image: a.image,
        // Only the path of the config is on the command line; the passwords are in the file.
        command: [`${flavour}-server`, REDIS_PATHS.conf],
        // The provider writes each upload as a tar entry with no owner, so it lands as
        // root:root with the given mode (kreuzwerker/terraform-provider-docker v4.5.0,
        // resource_docker_container_funcs.go, resourceDockerContainerCreate: tar.Header
        // {Name, Mode, Size} then CopyToContainer at "/"). The server and the healthcheck run
        // as `user`, so both files are world-readable; neither is a useful secret: the conf
        // holds only SHA-256 hashes, and the probe user may run nothing but PING.
        uploads: [
          { file: REDIS_PATHS.conf, content: pulumi.secret(conf), permissions: "0444" },
          {
            file: REDIS_PATHS.probeSecret,
            content: pulumi.secret(pulumi.output(a.probePassword)),
            permissions: "0444",
          },
        ],
        // Not root: the official entrypoint run as root first does `find . ! -user redis
        // -exec chown redis {} +` on /data, and after the first start /data/appendonlydir is
        // 0700 redis (umask 0077), which root without DAC_READ_SEARCH cannot enter, so
        // `set -e` kills every restart (docker-library/redis docker-entrypoint.sh). Started
        // as the redis uid, the entrypoint execs the server directly and needs no capability.
        user: a.user,
        networksAdvanced: [
          { name: a.networkName, aliases: [REDIS_ALIAS] },
          // Docker publishes no port of a container whose networks are all internal
          // (moby/moby#36174), so the debug port needs a network that is not.
          ...(a.debugNetworkName === undefined ? [] : [{ name: a.debugNetworkName }]),
        ],
        ports:
          a.debugPort === undefined
            ? []
            : [{ internal: a.port, external: a.debugPort, ip: "127.0.0.1" }],
        volumes: [{ volumeName: this.volume.name, containerPath: REDIS_PATHS.data }],
        healthcheck: toDockerHealthcheck(probe, a.healthcheck),
        wait: true,
        waitTimeout: waitTimeoutSeconds(a.healthcheck),
        restart: a.restart,
        maxRetryCount: a.maxRetryCount,
        memory: a.memoryMb,
        // Swap limit = memory limit (no swap), and always sent with it: Docker refuses a
        // memory update above the container's current swap limit ("Memory limit should be
        // smaller than already set memoryswap limit"), and the provider's update sends
        // memory_swap only when it is set (kreuzwerker resource_docker_container_funcs.go,
        // resourceDockerContainerUpdate). Seen on the real engine in test/docker/update.test.ts.
        memorySwap: a.memoryMb,
        // Running as its own uid, the server needs no capability at all, so none is added
        // back: with the image's uid owning /data, the entrypoint execs the server without
        // chown (see `user` above). no-new-privileges keeps a setuid binary from raising a
        // process back to root. The pack checks both (container-drops-all-capabilities,
        // container-no-new-privileges; CIS Docker Benchmark v1.6.0 §5.3, §5.25).
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        // SIGTERM makes Redis flush the AOF; give it the time to. `stopTimeout` covers
        // `docker stop` and daemon shutdown; the provider's delete (every replace and
        // destroy) passes `destroyGraceSeconds` as the stop timeout instead, 0 when unset,
        // which is an immediate SIGKILL (kreuzwerker/terraform-provider-docker v4.5.0,
        // resource_docker_container_funcs.go, resourceDockerContainerDelete).
        stopSignal: "SIGTERM",
        stopTimeout: a.stopTimeoutSeconds,
        destroyGraceSeconds: a.stopTimeoutSeconds,
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, "redis"),
      },
      {
        parent: this,
        dependsOn: [this.volume],
        // Two servers must never share one AOF directory, so the old container is stopped
        // (and its AOF flushed) before a replacement starts on the same volume.
        deleteBeforeReplace: true,
        // The provider updates only restart and resource settings in place and has no
        // ForceNew on `healthcheck` (resource_docker_container.go schema;
        // resourceDockerContainerUpdate), so a changed probe would show `~ update` and never
        // reach the container. Replacing is the only way it takes effect.
        replaceOnChanges: ["healthcheck"],
      },
    );
  }
}

type ResolvedRedisArgs = Required<
  Omit<RedisArgs, "debugPort" | "maxRetryCount" | "debugNetworkName">
> &
  Pick<RedisArgs, "debugPort" | "maxRetryCount" | "debugNetworkName">;

export function resolveRedisArgs(args: RedisArgs): ResolvedRedisArgs {
  const memoryMb = args.memoryMb ?? 256;
  return {
    ...args,
    image: args.image ?? "redis:7.4-alpine",
    port: args.port ?? 6379,
    appendfsync: args.appendfsync ?? "everysec",
    memoryMb,
    maxmemoryMb: args.maxmemoryMb ?? Math.floor(memoryMb * 0.75),
    evictionPolicy: args.evictionPolicy ?? "noeviction",
    restart: args.restart ?? "unless-stopped",
    user: args.user ?? "999",
    stopTimeoutSeconds: args.stopTimeoutSeconds ?? 30,
    protectData: args.protectData ?? false,
    healthcheck: args.healthcheck ?? DEFAULT_HEALTH,
  };
}
