/**
 * The two kinds of cache `ElastiCacheValkey` builds, each with the resources it needs and the
 * connection it exposes. Split from elasticache-valkey.ts only to keep files short; the
 * component is the only caller, and every resource here is its child.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
// Submodule imports: the root of @pulumi/aws costs seconds of type-checking and load time.
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as elasticache from "@pulumi/aws/elasticache";
import { AUTH_TOKEN_LENGTH, AUTH_TOKEN_SPECIALS } from "./lib/auth-token";
import { APP_DENIED } from "./lib/redis-conf";
import type { ResolvedElastiCacheValkeyArgs as Resolved } from "./elasticache-valkey";
import { redisConnection, type RedisConnectionOutputs } from "./redis-connection";

/** The app's ACL user on serverless caches; ElastiCache also requires a `default` user. */
const APP_USER = "app";

export interface CreatedCache {
  readonly cache: elasticache.ReplicationGroup | elasticache.ServerlessCache;
  readonly connection: RedisConnectionOutputs;
}

function token(parent: pulumi.Resource, name: string, role: string): pulumi.Output<string> {
  return new random.RandomPassword(
    `${name}-${role}`,
    {
      length: AUTH_TOKEN_LENGTH,
      special: true,
      overrideSpecial: AUTH_TOKEN_SPECIALS,
      minSpecial: 2,
    },
    { parent },
  ).result;
}

/** A replication group: TLS required, AUTH token, failover across AZs, backups, slow log. */
export function createReplicationGroup(
  parent: pulumi.Resource,
  name: string,
  a: Resolved,
  securityGroupId: pulumi.Input<string>,
): CreatedCache {
  const keep = { parent, protect: a.protectData };
  const subnets = new elasticache.SubnetGroup(
    `${name}-subnets`,
    { subnetIds: a.subnetIds, description: `api-stack ${a.stack}: private subnets for Valkey` },
    keep,
  );
  const major = a.engineVersion.split(".")[0];
  const params = new elasticache.ParameterGroup(
    `${name}-params`,
    {
      family: `valkey${major}`,
      description: `api-stack ${a.stack}: refuse writes at maxmemory rather than drop jobs`,
      parameters: [{ name: "maxmemory-policy", value: "noeviction" }],
    },
    keep,
  );
  const slowLog = new cloudwatch.LogGroup(
    `${name}-slow-log`,
    { retentionInDays: a.logRetentionDays },
    { parent },
  );
  const authToken = pulumi.secret(token(parent, name, "auth-token"));
  const replicated = a.numCacheClusters >= 2;
  const restore = restoreOf(a);
  // The final snapshot's name must change with each restore: the group a restore replaces leaves
  // its final snapshot under the old name, and ElastiCache refuses a second snapshot of that name
  // when the new group is deleted in turn. New `keepers` values replace the RandomId
  // (terraform-provider-random internal/planmodifiers/map/mapplanmodifiers.go,
  // RequiresReplaceIfValuesNotNull), so a new source draws a new suffix; without `restoreFrom`
  // the keepers are ignored, so removing the block after a restore changes nothing.
  const finalSnapshot = new random.RandomId(
    `${name}-final-snapshot`,
    {
      byteLength: 4,
      ...(restore.key === undefined ? {} : { keepers: { restoreFrom: restore.key } }),
    },
    { parent, ...restore.ignore(["keepers"]) },
  );
  const cache = new elasticache.ReplicationGroup(
    `${name}-valkey`,
    {
      description: `api-stack ${a.stack}: Valkey for the API`,
      engine: "valkey",
      engineVersion: a.engineVersion,
      nodeType: a.nodeType,
      port: a.port,
      numCacheClusters: a.numCacheClusters,
      automaticFailoverEnabled: replicated,
      multiAzEnabled: replicated,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      authToken,
      authTokenUpdateStrategy: "ROTATE",
      subnetGroupName: subnets.name,
      securityGroupIds: [securityGroupId],
      parameterGroupName: params.name,
      snapshotRetentionLimit: a.snapshotRetentionLimit,
      snapshotWindow: a.snapshotWindow,
      maintenanceWindow: a.maintenanceWindow,
      snapshotName: a.restoreFrom?.snapshotName,
      snapshotArns: a.restoreFrom?.snapshotArns,
      finalSnapshotIdentifier: pulumi.interpolate`api-stack-${a.stack}-final-${finalSnapshot.hex}`,
      autoMinorVersionUpgrade: true,
      applyImmediately: false,
      logDeliveryConfigurations: [
        {
          destination: slowLog.name,
          destinationType: "cloudwatch-logs",
          logFormat: "json",
          logType: "slow-log",
        },
      ],
    },
    { ...keep, additionalSecretOutputs: ["authToken"], ...restore.ignore(RESTORE_FIELDS) },
  );
  const host = cache.primaryEndpointAddress;
  return { cache, connection: connection(host, pulumi.output(a.port), "default", authToken) };
}

/**
 * The group's create-time-only inputs. Both are ForceNew in terraform-provider-aws
 * (hashicorp/terraform-provider-aws internal/service/elasticache/replication_group.go at
 * 001b6364c1a3b3045e152f655440a6d47eb44a70, resourceReplicationGroup's schema: "snapshot_arns"
 * line 387, ForceNew line 390; "snapshot_name" line 411, ForceNew line 414; neither is Computed),
 * and @pulumi/aws 7.48.0 documents "Changing the `snapshotName` forces a new resource". So
 * setting or changing one replaces the group, and so would removing one, which is why they are
 * ignored while `restoreFrom` is unset: the engine then keeps the old inputs (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go, processIgnoreChanges: "sets the value for each
 * ignoreChanges property in inputs to the value from oldInputs").
 *
 * The replacement is create-before-delete: the bridge asks for delete-before-replace only for a
 * resource marked so or an auto-name set by hand (pulumi/pulumi-aws provider/resource_overrides.go
 * at 015d343812852f40a045a28e7f6e04bca69548f3 marks aws_elasticache_replication_group neither and
 * auto-names replication_group_id, 40 characters; pulumi-terraform-bridge pkg/tfbridge/schema.go,
 * nameRequiresDeleteBeforeReplace), and this component sets no `deleteBeforeReplace` and no
 * physical group id, so the new group gets its own id and both exist until the old one is deleted.
 * A `protect`ed group is not replaced at all: the engine refuses while both the old and the new
 * state are protected (pkg/resource/deploy/step_generator.go at 00285a9b6248a4a7606fd8eb3d3485f7c2e5de12,
 * continueStepsFromDiff: `if new.Protect && old.Protect`, "we do allow unprotecting and replacing
 * to happen in a single update cycle").
 */
export const RESTORE_FIELDS = ["snapshotName", "snapshotArns"];

/** The restore source as one string (`keepers`), and `ignoreChanges` for when there is none. */
function restoreOf(a: Resolved): {
  key: string | undefined;
  ignore: (fields: string[]) => { ignoreChanges?: string[] };
} {
  const r = a.restoreFrom;
  const key =
    r?.snapshotName !== undefined
      ? `snapshotName:${r.snapshotName}`
      : r?.snapshotArns !== undefined
        ? // A set in the provider (TypeSet), so order does not matter; ARNs hold no commas.
          `snapshotArns:${[...r.snapshotArns].sort().join(",")}`
        : undefined;
  return { key, ignore: (fields) => (key === undefined ? { ignoreChanges: fields } : {}) };
}

/** A serverless cache: TLS always on, an RBAC user group with the app's user. */
export function createServerlessCache(
  parent: pulumi.Resource,
  name: string,
  a: Resolved,
  securityGroupId: pulumi.Input<string>,
): CreatedCache {
  const keep = { parent, protect: a.protectData };
  const suffix = new random.RandomId(`${name}-user-suffix`, { byteLength: 4 }, { parent }).hex;
  const userId = (role: string) => pulumi.interpolate`api-stack-${a.stack}-${role}-${suffix}`;
  // ElastiCache requires a user named "default" in every group; this one is switched off.
  const defaultUser = new elasticache.User(
    `${name}-default-user`,
    {
      userId: userId("default"),
      userName: "default",
      engine: "valkey",
      accessString: "off -@all",
      passwords: [pulumi.secret(token(parent, name, "default-user-password"))],
    },
    { parent },
  );
  const password = pulumi.secret(token(parent, name, "app-password"));
  const appUser = new elasticache.User(
    `${name}-app-user`,
    {
      userId: userId(APP_USER),
      userName: APP_USER,
      engine: "valkey",
      accessString: `on ~* &* +@all ${APP_DENIED.join(" ")}`,
      passwords: [password],
    },
    { parent, additionalSecretOutputs: ["passwords"] },
  );
  const users = new elasticache.UserGroup(
    `${name}-users`,
    {
      userGroupId: userId("users"),
      engine: "valkey",
      userIds: [defaultUser.userId, appUser.userId],
    },
    { parent },
  );
  const cache = new elasticache.ServerlessCache(
    `${name}-valkey`,
    {
      engine: "valkey",
      majorEngineVersion: a.engineVersion.split(".")[0],
      description: `api-stack ${a.stack}: serverless Valkey for the API`,
      subnetIds: a.subnetIds,
      securityGroupIds: [securityGroupId],
      userGroupId: users.userGroupId,
      snapshotRetentionLimit: a.snapshotRetentionLimit,
      dailySnapshotTime: a.snapshotWindow.split("-")[0],
      cacheUsageLimits: {
        dataStorage: { maximum: a.maxDataStorageGb, unit: "GB" },
        ecpuPerSeconds: [{ maximum: a.maxEcpuPerSecond }],
      },
    },
    keep,
  );
  const endpoint = cache.endpoints.apply((e) => {
    const first = e[0];
    if (!first) throw new Error("ElastiCache returned no endpoint for the serverless cache");
    return first;
  });
  return {
    cache,
    connection: connection(
      endpoint.apply((e) => e.address),
      endpoint.apply((e) => e.port),
      APP_USER,
      password,
    ),
  };
}

/** TLS is always on for managed Valkey, so the URL is `rediss://`. */
function connection(
  host: pulumi.Output<string>,
  port: pulumi.Output<number>,
  username: string,
  password: pulumi.Output<string>,
): RedisConnectionOutputs {
  return redisConnection({ host, port, tls: true, username, password });
}
