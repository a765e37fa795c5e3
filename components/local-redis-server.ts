/**
 * The container `LocalRedis` runs: its redis.conf, its probe, and every setting the
 * postmortems taught. Split from local-redis.ts only to keep files short; the component is the
 * only caller, and the container is its child.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { memoryLimit, stopGrace, unprivileged, WAITED_CONTAINER_OPTIONS } from "./lib/container";
import { redisProbe, toDockerHealthcheck, waitTimeoutSeconds } from "./lib/healthcheck";
import { renderRedisConf, REDIS_USERS } from "./lib/redis-conf";
import type { ResolvedLocalRedisArgs } from "./local-redis";
import { LOG_ROTATION, stackLabels } from "./types";

/** Where the generated files live inside the container. */
export const REDIS_PATHS = {
  conf: "/usr/local/etc/redis/redis.conf",
  probeSecret: "/usr/local/etc/redis/probe.secret",
  data: "/data",
} as const;

/** The DNS name the API uses on the backend network. */
export const REDIS_ALIAS = "redis";

/** The Redis-compatible server an image runs: it names the `-server` and `-cli` binaries. */
export type RedisEngine = "redis" | "valkey";

/** The Redis server container, on the data volume, healthy only when an authenticated PING gets PONG. */
export function createServer(
  parent: pulumi.Resource,
  name: string,
  a: ResolvedLocalRedisArgs,
  engine: RedisEngine,
  volume: docker.Volume,
): docker.Container {
  const conf = pulumi
    .all([a.password, a.probePassword, a.adminPassword, a.backupPassword, a.exporterPassword])
    .apply(([appPassword, probePassword, adminPassword, backupPassword, exporterPassword]) =>
      renderRedisConf({
        port: a.port,
        appendfsync: a.appendfsync,
        maxmemoryMb: a.maxmemoryMb,
        evictionPolicy: a.evictionPolicy,
        appPassword,
        probePassword,
        adminPassword,
        backupPassword: a.backup === undefined ? undefined : backupPassword,
        exporterPassword,
        dir: REDIS_PATHS.data,
      }),
    );
  const probe = redisProbe({
    cli: `${engine}-cli`,
    port: a.port,
    user: REDIS_USERS.probe,
    secretFile: REDIS_PATHS.probeSecret,
  });
  return new docker.Container(
    `${name}-server`,
    {
      image: a.image,
      // Only the path of the config is on the command line; the passwords are in the file.
      command: [`${engine}-server`, REDIS_PATHS.conf],
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
      volumes: [{ volumeName: volume.name, containerPath: REDIS_PATHS.data }],
      healthcheck: toDockerHealthcheck(probe, a.healthcheck),
      wait: true,
      waitTimeout: waitTimeoutSeconds(a.healthcheck),
      restart: a.restart,
      maxRetryCount: a.maxRetryCount,
      ...memoryLimit(a.memoryMb),
      // Running as its own uid, the server needs no capability at all: with the image's uid
      // owning /data, the entrypoint execs the server without chown (see `user` above).
      ...unprivileged(),
      // SIGTERM makes Redis flush the AOF; give it the time to.
      stopSignal: "SIGTERM",
      ...stopGrace(a.stopTimeoutSeconds),
      ...LOG_ROTATION,
      labels: stackLabels(a.stack, "redis"),
    },
    {
      parent,
      dependsOn: [volume],
      // Two servers must never share one AOF directory, so the old container is stopped
      // (and its AOF flushed) before a replacement starts on the same volume.
      deleteBeforeReplace: true,
      // A changed probe, or a failed wait, replaces the container (and waits again) instead of an
      // update that never reaches Docker; daemon-merged log options change nothing
      // (lib/container.ts).
      ...WAITED_CONTAINER_OPTIONS,
    },
  );
}
