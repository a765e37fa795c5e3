/**
 * Builds whichever Redis back end `redis.mode` names. Each returns the same connection,
 * so the API side of the program is identical for all three.
 */
import * as pulumi from "@pulumi/pulumi";
// A submodule, not the root of @pulumi/aws: the root costs seconds to load and type-check.
import * as ec2 from "@pulumi/aws/ec2";
import { ElastiCacheValkey } from "../components/elasticache-valkey";
import { ExternalRedis } from "../components/external-redis";
import type { Networks } from "../components/networks";
import { LocalRedis } from "../components/local-redis";
import type { RedisConnectionOutputs } from "../components/redis-connection";
import type { StackSecrets } from "../components/stack-secrets";
import type { StackConfig } from "./config";

export interface RedisBackend {
  readonly connection: RedisConnectionOutputs;
  /** What the API waits for: the healthy local container, or the cache resource. */
  readonly dependsOn: pulumi.Resource[];
  /** Networks the API joins to reach it (besides the edge network). */
  readonly networkNames: pulumi.Output<string>[];
  readonly containerName?: pulumi.Output<string>;
  /** A local Redis with `backup`: the snapshot container, and the offsite one if any. */
  readonly backupContainerName?: pulumi.Output<string>;
  readonly offsiteContainerName?: pulumi.Output<string>;
  readonly adminUrl?: pulumi.Output<string>;
  readonly hostUrls?: { app: pulumi.Output<string>; admin: pulumi.Output<string> };
  /** An ElastiCache replication group's members, for the ECS alarms. */
  readonly cacheMembers?: ElastiCacheValkey["members"];
}

/**
 * Subnet ids from the stack file, or looked up by tags in the VPC (at least two, or the run
 * stops with the key and the file to fix).
 */
export function subnetsOf(
  vpcId: string,
  ids: string[] | undefined,
  tags: Record<string, string> | undefined,
  at: { key: string; stack: string },
  need: string,
): pulumi.Input<string[]> {
  if (ids !== undefined) return ids;
  return ec2
    .getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpcId] }], tags })
    .apply((s) => {
      if (s.ids.length < 2) {
        throw new pulumi.RunError(
          `\`api-stack:${at.key}\` matched ${s.ids.length} subnet(s) in ${vpcId}; ${need}: fix the tags or list the subnet ids in Pulumi.${at.stack}.yaml`,
        );
      }
      return s.ids;
    });
}

/**
 * `networks` is the Docker platform's (a local Redis joins its backend network); on ECS there is
 * none, and `allowedSecurityGroupIds` adds the tasks' groups to those the cache admits.
 */
export function createRedisBackend(
  cfg: StackConfig,
  secrets: StackSecrets,
  networks: Networks | undefined,
  config: pulumi.Config,
  allowedSecurityGroupIds: pulumi.Input<string>[] = [],
): RedisBackend {
  const r = cfg.redis;
  switch (r.mode) {
    case "local": {
      // stacks/config/platform.ts refuses a local Redis without the Docker platform.
      if (networks === undefined)
        throw new pulumi.RunError("a local Redis needs the Docker platform");
      const offsite = r.backup?.offsite;
      const redis = new LocalRedis("cache", {
        ...r,
        backup: r.backup && {
          ...r.backup,
          offsite: offsite && {
            ...offsite,
            accessKeyId: config.requireSecret("backupAccessKeyId"),
            secretAccessKey: config.requireSecret("backupSecretAccessKey"),
            // Outbound to the store; the backend network is internal.
            networkName: networks.edgeName,
          },
        },
        backupPassword: secrets.backupPassword as pulumi.Output<string> | undefined,
        exporterPassword: secrets.exporterPassword,
        production: cfg.production,
        networkName: networks.backendName as pulumi.Output<string>,
        password: secrets.redisPassword as pulumi.Output<string>,
        probePassword: secrets.probePassword as pulumi.Output<string>,
        adminPassword: secrets.adminPassword as pulumi.Output<string>,
        debugNetworkName: networks.debugName,
        stack: cfg.stack,
      });
      return {
        connection: redis.connection,
        dependsOn: [redis.container],
        networkNames: [networks.backendName as pulumi.Output<string>],
        containerName: redis.containerName,
        backupContainerName: redis.backup?.containerName,
        offsiteContainerName: redis.backup?.offsiteContainerName,
        adminUrl: redis.adminUrl,
        hostUrls: redis.hostUrls,
      };
    }
    case "elasticache": {
      const subnetIds = subnetsOf(
        r.vpcId,
        r.subnetIds,
        r.subnetTags,
        { key: "redis.subnetTags", stack: cfg.stack },
        "ElastiCache needs at least two private subnets",
      );
      const cache = new ElastiCacheValkey("cache", {
        ...r,
        subnetIds,
        allowedSecurityGroupIds: [...r.allowedSecurityGroupIds, ...allowedSecurityGroupIds],
        production: cfg.production,
        stack: cfg.stack,
      });
      return {
        connection: cache.connection,
        dependsOn: [cache.cache],
        networkNames: [],
        cacheMembers: cache.members,
      };
    }
    case "external": {
      const cache = new ExternalRedis("cache", { url: config.requireSecret("redisUrl") });
      return { connection: cache.connection, dependsOn: [], networkNames: [] };
    }
  }
}
