import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import {
  BACKUP_PATHS,
  OFFSITE_PATHS,
  renderBackupScript,
  renderOffsiteScript,
  type ServerSideEncryption,
} from "./lib/backup-script";
import { memoryLimit, stopGrace, unprivileged, WAITED_CONTAINER_OPTIONS } from "./lib/container";
import { toDockerHealthcheck, waitTimeoutSeconds, type HealthTiming } from "./lib/healthcheck";
import { REDIS_USERS } from "./lib/redis-conf";
import type { RedisEngine } from "./local-redis-server";
import { argError, LOG_ROTATION, stackLabels, TYPES } from "./types";

/** The defaults every stack gets; the config schema (stacks/config/) reads them from here. */
export const REDIS_BACKUP_DEFAULTS = {
  /**
   * A snapshot every 4 minutes: the worst case loses what was written since the last one plus
   * the time a snapshot takes, which stays under the production guide's RPO of 5 minutes
   * (docs/backups.md has the measured figures).
   */
  everyMs: 240_000,
  /** 48 snapshots: 3.2 hours of history at the default schedule. */
  keep: 48,
  memoryMb: 128,
  stopTimeoutSeconds: 30,
  healthcheck: { intervalMs: 30_000, timeoutMs: 10_000, retries: 3, startPeriodMs: 60_000 },
  offsite: {
    /** The official AWS CLI v2 image, pinned (test/docker/images/manifests.json). */
    image: "amazon/aws-cli:2.36.7",
    prefix: "",
    serverSideEncryption: "AES256",
    memoryMb: 256,
  },
} as const;

export interface OffsiteArgs {
  /** The bucket's name. */
  readonly bucket: string;
  /** Key prefix, "" or ending in "/". @default "" */
  readonly prefix?: string;
  /** The bucket's region, e.g. "eu-west-1". */
  readonly region: string;
  /** An S3-compatible endpoint URL (MinIO, R2, …); AWS S3 when absent. @default AWS */
  readonly endpoint?: string;
  /** Server-side encryption the store applies at rest. @default "AES256" */
  readonly serverSideEncryption?: ServerSideEncryption;
  /** With `aws:kms`: the KMS key id or ARN. @default S3's AWS managed key, `aws/s3` */
  readonly kmsKeyId?: string;
  /** A pinned AWS CLI v2 image. @default "amazon/aws-cli:2.36.7" */
  readonly image?: string;
  /** The credentials: PutObject, GetObject and ListBucket on the prefix. Secrets. */
  readonly accessKeyId: pulumi.Input<string>;
  readonly secretAccessKey: pulumi.Input<string>;
  /** A network with outbound access to the store (never the internal backend network). */
  readonly networkName: pulumi.Input<string>;
}

export interface RedisBackupArgs {
  /** The Redis server's own image, so `redis-cli --rdb` and `redis-check-rdb` match it. */
  readonly image: string;
  readonly engine: RedisEngine;
  /** The backend network, where the server answers as `host`. */
  readonly networkName: pulumi.Input<string>;
  readonly host: string;
  readonly port: number;
  /** The `backup` ACL user's password (`sync` and `replconf` only). Secret. */
  readonly password: pulumi.Input<string>;
  /** Between snapshots, ms; 5 s or more. @default 240000 (4 min) */
  readonly everyMs?: number;
  /** Good snapshots kept on the backups volume. @default 48 */
  readonly keep?: number;
  /** The container's memory limit, MB. @default 128 */
  readonly memoryMb?: number;
  /** The uid (or uid:gid) both containers run as: the image's redis user. */
  readonly user: string;
  readonly restart: "no" | "on-failure" | "always" | "unless-stopped";
  /** Restarts before Docker gives up, with `restart: "on-failure"`. @default unlimited */
  readonly maxRetryCount?: number;
  /** Keep the backups volume on `pulumi destroy` and refuse to replace it. */
  readonly protectData: boolean;
  /** Copies of every snapshot in an S3-compatible bucket. @default none */
  readonly offsite?: OffsiteArgs;
  /** Containers to start after (the healthy Redis server). @default none */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  readonly stack: string;
}

/**
 * Scheduled, verified snapshots of a local Redis, and optionally their offsite copies. The
 * snapshot container runs the server's own image as its uid, on the backend network only, and
 * reads the dataset over the replication protocol (`redis-cli --rdb`), so it never touches the
 * server's volume; every file is checked with `redis-check-rdb`, hashed, described in a
 * manifest and renamed into place only then. Its healthcheck fails when the last good snapshot
 * is older than twice the schedule. `npm run backup` and `npm run restore` drive both.
 *
 * @example
 * const backup = new RedisBackup("cache-backup", { image: "redis:7.4-alpine", engine: "redis",
 *   networkName: nets.backendName, host: "redis", port: 6379, password: secrets.backupPassword,
 *   user: "999", restart: "always", protectData: true, stack: "prod" });
 */
export class RedisBackup extends pulumi.ComponentResource {
  public readonly volume: docker.Volume;
  public readonly container: docker.Container;
  public readonly offsite?: docker.Container;
  public readonly containerName: pulumi.Output<string>;
  public readonly offsiteContainerName?: pulumi.Output<string>;

  constructor(name: string, args: RedisBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.RedisBackup, name, {}, opts);
    const a = resolveRedisBackupArgs(args);
    this.checkArgs(a);
    this.volume = this.createVolume(name, a);
    this.container = this.createSnapshotter(name, a);
    this.offsite = a.offsite ? this.createOffsite(name, a, a.offsite) : undefined;
    this.containerName = this.container.name;
    this.offsiteContainerName = this.offsite?.name;
    this.registerOutputs({
      containerName: this.containerName,
      offsiteContainerName: this.offsiteContainerName,
    });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: ResolvedRedisBackupArgs): void {
    if (!Number.isInteger(a.everyMs) || a.everyMs < 5_000 || a.everyMs % 1_000 !== 0) {
      throw argError(this, `\`everyMs\` (${a.everyMs}) must be whole seconds, 5 s or more`);
    }
    if (!Number.isInteger(a.keep) || a.keep < 1) {
      throw argError(this, `\`keep\` (${a.keep}) must be a whole number of at least 1`);
    }
  }

  private createVolume(name: string, a: ResolvedRedisBackupArgs): docker.Volume {
    return new docker.Volume(
      `${name}-snapshots`,
      { labels: stackLabels(a.stack, "redis-backups") },
      { parent: this, protect: a.protectData, retainOnDelete: a.protectData },
    );
  }

  private createSnapshotter(name: string, a: ResolvedRedisBackupArgs): docker.Container {
    const script = renderBackupScript({
      engine: a.engine,
      host: a.host,
      port: a.port,
      user: REDIS_USERS.backup,
      everySeconds: a.everyMs / 1_000,
      keep: a.keep,
    });
    const timing = healthTiming(a.everyMs);
    return new docker.Container(
      `${name}-snapshotter`,
      {
        image: a.image,
        // The image's entrypoint runs any command that is not the server as given.
        command: ["sh", BACKUP_PATHS.script, "loop"],
        // Uploads land as root:root with the given mode (kreuzwerker/terraform-provider-docker
        // resource_docker_container_funcs.go, resourceDockerContainerCreate), and the script
        // runs as `user`, so the password file is world-readable inside this container only;
        // its user may run SYNC and REPLCONF and nothing else.
        uploads: [
          { file: BACKUP_PATHS.script, content: script, permissions: "0555" },
          {
            file: BACKUP_PATHS.secret,
            content: pulumi.secret(pulumi.output(a.password)),
            permissions: "0444",
          },
        ],
        user: a.user,
        networksAdvanced: [{ name: a.networkName }],
        ports: [],
        volumes: [{ volumeName: this.volume.name, containerPath: BACKUP_PATHS.dir }],
        healthcheck: toDockerHealthcheck(["CMD", "sh", BACKUP_PATHS.script, "health"], timing),
        wait: true,
        waitTimeout: waitTimeoutSeconds(timing),
        restart: a.restart,
        maxRetryCount: a.maxRetryCount,
        ...memoryLimit(a.memoryMb),
        ...unprivileged(),
        stopSignal: "SIGTERM",
        ...stopGrace(REDIS_BACKUP_DEFAULTS.stopTimeoutSeconds),
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, "redis-backup"),
      },
      {
        parent: this,
        dependsOn: [this.volume, ...(a.dependsOn ?? [])],
        // One writer on the backups volume at a time: the new container cleans up what an
        // interrupted run left, which would include the old one's snapshot in flight.
        deleteBeforeReplace: true,
        ...WAITED_CONTAINER_OPTIONS,
      },
    );
  }

  private createOffsite(
    name: string,
    a: ResolvedRedisBackupArgs,
    o: ResolvedOffsite,
  ): docker.Container {
    const script = renderOffsiteScript({
      bucket: o.bucket,
      prefix: o.prefix,
      region: o.region,
      endpoint: o.endpoint,
      serverSideEncryption: o.serverSideEncryption,
      kmsKeyId: o.kmsKeyId,
      everySeconds: a.everyMs / 1_000,
    });
    const credentials = pulumi
      .all([o.accessKeyId, o.secretAccessKey])
      .apply(
        ([id, key]) => `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${key}\n`,
      );
    const timing = healthTiming(a.everyMs);
    return new docker.Container(
      `${name}-offsite`,
      {
        image: o.image,
        // The image's entrypoint is `aws` itself (aws/aws-cli docker/Dockerfile).
        entrypoints: ["sh"],
        command: [OFFSITE_PATHS.script, "loop"],
        // The credentials as the CLI's shared credentials file, never in env or the command.
        uploads: [
          { file: OFFSITE_PATHS.script, content: script, permissions: "0555" },
          {
            file: OFFSITE_PATHS.credentials,
            content: pulumi.secret(credentials),
            permissions: "0444",
          },
        ],
        user: a.user,
        // Outbound only: no alias, no port, and not on the backend network, so it cannot
        // reach Redis; it reads the backups volume.
        networksAdvanced: [{ name: o.networkName }],
        ports: [],
        volumes: [{ volumeName: this.volume.name, containerPath: OFFSITE_PATHS.dir }],
        healthcheck: toDockerHealthcheck(["CMD", "sh", OFFSITE_PATHS.script, "health"], timing),
        wait: true,
        waitTimeout: waitTimeoutSeconds(timing),
        restart: a.restart,
        maxRetryCount: a.maxRetryCount,
        ...memoryLimit(o.memoryMb),
        ...unprivileged(),
        stopSignal: "SIGTERM",
        ...stopGrace(REDIS_BACKUP_DEFAULTS.stopTimeoutSeconds),
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, "redis-offsite"),
      },
      {
        parent: this,
        dependsOn: [this.volume],
        deleteBeforeReplace: true,
        ...WAITED_CONTAINER_OPTIONS,
      },
    );
  }
}

/**
 * Probe every 30 s (or every snapshot, if sooner); the script itself judges the snapshot's age
 * against the schedule. The start period covers the first snapshot, taken at start: twice the
 * schedule, from 10 s to 60 s.
 */
function healthTiming(everyMs: number): HealthTiming {
  const d = REDIS_BACKUP_DEFAULTS.healthcheck;
  return {
    ...d,
    intervalMs: Math.min(d.intervalMs, everyMs),
    startPeriodMs: Math.min(d.startPeriodMs, Math.max(10_000, 2 * everyMs)),
  };
}

type ResolvedOffsite = OffsiteArgs &
  Required<Pick<OffsiteArgs, "prefix" | "serverSideEncryption" | "image">> & {
    readonly memoryMb: number;
  };

export type ResolvedRedisBackupArgs = Omit<RedisBackupArgs, "offsite"> &
  Required<Pick<RedisBackupArgs, "everyMs" | "keep" | "memoryMb">> & {
    readonly offsite?: ResolvedOffsite;
  };

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveRedisBackupArgs(args: RedisBackupArgs): ResolvedRedisBackupArgs {
  const d = REDIS_BACKUP_DEFAULTS;
  const o = args.offsite;
  return {
    ...args,
    everyMs: args.everyMs ?? d.everyMs,
    keep: args.keep ?? d.keep,
    memoryMb: args.memoryMb ?? d.memoryMb,
    offsite: o && {
      ...o,
      prefix: o.prefix ?? d.offsite.prefix,
      serverSideEncryption: o.serverSideEncryption ?? d.offsite.serverSideEncryption,
      image: o.image ?? d.offsite.image,
      memoryMb: d.offsite.memoryMb,
    },
  };
}
