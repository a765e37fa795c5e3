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
  readonly adminUrl?: pulumi.Output<string>;
  readonly hostUrls?: { app: pulumi.Output<string>; admin: pulumi.Output<string> };
}

export function createRedisBackend(
  cfg: StackConfig,
  secrets: StackSecrets,
  networks: Networks,
  config: pulumi.Config,
): RedisBackend {
  const r = cfg.redis;
  switch (r.mode) {
    case "local": {
      const redis = new LocalRedis("cache", {
        ...r,
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
        adminUrl: redis.adminUrl,
        hostUrls: redis.hostUrls,
      };
    }
    case "elasticache": {
      const subnetIds =
        r.subnetIds ??
        ec2
          .getSubnetsOutput({
            filters: [{ name: "vpc-id", values: [r.vpcId] }],
            tags: r.subnetTags,
          })
          .apply((s) => {
            if (s.ids.length < 2) {
              throw new pulumi.RunError(
                `\`api-stack:redis.subnetTags\` matched ${s.ids.length} subnet(s) in ${r.vpcId}; ElastiCache needs at least two private subnets: fix the tags or list \`redis.subnetIds\` in Pulumi.${cfg.stack}.yaml`,
              );
            }
            return s.ids;
          });
      const cache = new ElastiCacheValkey("cache", {
        ...r,
        subnetIds,
        production: cfg.production,
        stack: cfg.stack,
      });
      return { connection: cache.connection, dependsOn: [cache.cache], networkNames: [] };
    }
    case "external": {
      const cache = new ExternalRedis("cache", { url: config.requireSecret("redisUrl") });
      return { connection: cache.connection, dependsOn: [], networkNames: [] };
    }
  }
}
