import * as pulumi from "@pulumi/pulumi";
// Submodule imports: the root of @pulumi/aws costs seconds of type-checking and load time.
import * as ec2 from "@pulumi/aws/ec2";
import * as elasticache from "@pulumi/aws/elasticache";
import * as vpc from "@pulumi/aws/vpc";
import { createReplicationGroup, createServerlessCache } from "./elasticache-caches";
import type { RedisConnectionOutputs } from "./redis-connection";
import { argError, TYPES } from "./types";

/** The defaults every stack gets; the config schema (stacks/config/) reads them from here. */
export const ELASTICACHE_VALKEY_DEFAULTS = {
  flavour: "replication-group",
  engineVersion: "8.0",
  nodeType: "cache.t4g.small",
  port: 6379,
  snapshotWindow: "03:00-04:00",
  maintenanceWindow: "sun:05:00-sun:06:00",
  logRetentionDays: 30,
  maxDataStorageGb: 10,
  maxEcpuPerSecond: 5000,
} as const satisfies Partial<ElastiCacheValkeyArgs>;

/**
 * The defaults that depend on the environment: production gets a replica in another AZ (the
 * pack's elasticache-high-availability), a week of backups and protection; development one
 * node and a day of backups.
 */
export function elastiCacheEnvironmentDefaults(production: boolean) {
  return {
    numCacheClusters: production ? 2 : 1,
    snapshotRetentionLimit: production ? 7 : 1,
    protectData: production,
  } as const satisfies Partial<ElastiCacheValkeyArgs>;
}

/** How the cache is provisioned; the stack file's `redis.flavour`. */
export type ElastiCacheFlavour = "replication-group" | "serverless";

/**
 * Where a replication group's data comes from when ElastiCache creates it: exactly one of an
 * ElastiCache snapshot or RDB files in S3. ElastiCache restores only into a new cache, so on an
 * existing group this is a replacement (see `createReplicationGroup`).
 */
export interface ElastiCacheRestoreArgs {
  /** An ElastiCache snapshot in this account and region, by name, 1–255 characters. @default none */
  readonly snapshotName?: string;
  /** RDB files in S3, "arn:aws:s3:::bucket/key.rdb" (any partition). @default none */
  readonly snapshotArns?: string[];
  /**
   * The stack's own name, confirming that the current cache is replaced; required in production.
   * Another stack's name never confirms, so a block copied between stack files does not.
   * @default none
   */
  readonly confirmReplace?: string;
}

export interface ElastiCacheValkeyArgs {
  /** `replication-group` (sized nodes) or `serverless` (pay per use). @default "replication-group" */
  readonly flavour?: ElastiCacheFlavour;
  /** Valkey "major.minor", 7.2 or later. @default "8.0" */
  readonly engineVersion?: string;
  /** Replication group only; a node type such as "cache.t4g.small". @default "cache.t4g.small" */
  readonly nodeType?: string;
  /** Replication group only, 1–6; 2 or more turns on automatic failover and Multi-AZ. @default 2 in production, else 1 */
  readonly numCacheClusters?: number;
  /** The port the cache listens on, 1–65535. @default 6379 */
  readonly port?: number;
  /** The VPC the API runs in, "vpc-…". */
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets, at least two, in different availability zones. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups allowed to connect (the API host's). @default [] */
  readonly allowedSecurityGroupIds?: pulumi.Input<string>[];
  /** CIDR blocks allowed to connect; never 0.0.0.0/0 or ::/0. @default [] */
  readonly allowedCidrs?: string[];
  /** Days of daily backups, 1–35. @default 7 in production, else 1 */
  readonly snapshotRetentionLimit?: number;
  /** UTC "hh:mm-hh:mm". @default "03:00-04:00" */
  readonly snapshotWindow?: string;
  /** UTC "ddd:hh:mm-ddd:hh:mm". @default "sun:05:00-sun:06:00" */
  readonly maintenanceWindow?: string;
  /** Slow-log retention in CloudWatch, days, one of CloudWatch's periods. @default 30 */
  readonly logRetentionDays?: number;
  /** Serverless only, GB, 1–5000. @default 10 */
  readonly maxDataStorageGb?: number;
  /** Serverless only, ECPU per second, 1000–15,000,000. @default 5000 */
  readonly maxEcpuPerSecond?: number;
  /** A production stack: picks the defaults of {@link elastiCacheEnvironmentDefaults}. */
  readonly production: boolean;
  /** `protect` the cache and its parameter and subnet groups. @default `production` */
  readonly protectData?: boolean;
  /** The stack name, for descriptions and snapshot names. */
  readonly stack: string;
  /**
   * Replication group only: create the group from a snapshot. On an existing group this replaces
   * it; production needs `confirmReplace`. @default none: an empty cache
   */
  readonly restoreFrom?: ElastiCacheRestoreArgs;
}

export type ResolvedElastiCacheValkeyArgs = Required<Omit<ElastiCacheValkeyArgs, "restoreFrom">> &
  Pick<ElastiCacheValkeyArgs, "restoreFrom">;
type Resolved = ResolvedElastiCacheValkeyArgs;

/**
 * A managed Valkey on AWS ElastiCache: a replication group (TLS required, encrypted at
 * rest, AUTH token, automatic failover across AZs, daily backups, slow log to CloudWatch)
 * or a serverless cache (TLS always on, RBAC user group). It sits in its own security
 * group on private subnets, reachable only from the configured sources, and exposes the
 * same connection as the local Redis.
 *
 * @example
 * const cache = new ElastiCacheValkey("cache", { vpcId: "vpc-0abc", subnetIds: ["subnet-1", "subnet-2"],
 *   allowedSecurityGroupIds: ["sg-0api"], production: true, stack: "prod" });
 * // cache.connection.url is a secret "rediss://:…@master.….cache.amazonaws.com:6379"
 */
export class ElastiCacheValkey extends pulumi.ComponentResource {
  public readonly connection: RedisConnectionOutputs;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The cache resource the API should depend on. */
  public readonly cache: elasticache.ReplicationGroup | elasticache.ServerlessCache;
  /**
   * Replication group only: its member clusters (one node each) and how many there are, known
   * before the group exists, for per-node alarms (EcsAlarms `cache`).
   */
  public readonly members?: {
    readonly memberClusterIds: pulumi.Output<string[]>;
    readonly nodeCount: number;
  };

  constructor(name: string, args: ElastiCacheValkeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.ElastiCacheValkey, name, {}, opts);
    const a = resolveElastiCacheValkeyArgs(args);
    this.checkArgs(a);
    this.securityGroup = this.createSecurityGroup(name, a);
    this.createIngressRules(name, a);
    const create = a.flavour === "serverless" ? createServerlessCache : createReplicationGroup;
    const { cache, connection } = create(this, name, a, this.securityGroup.id);
    this.cache = cache;
    this.connection = connection;
    if (a.flavour === "replication-group") {
      const group = cache as elasticache.ReplicationGroup;
      this.members = { memberClusterIds: group.memberClusters, nodeCount: a.numCacheClusters };
    }
    this.registerOutputs({ connection: this.connection });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: Resolved): void {
    const open = a.allowedCidrs.find((c) => c === "0.0.0.0/0" || c === "::/0" || c.endsWith("/0"));
    if (open !== undefined) {
      throw argError(
        this,
        `\`allowedCidrs\` contains "${open}", which opens the cache to the internet: allow the API's security group or the VPC CIDR`,
      );
    }
    if (a.allowedCidrs.length === 0 && a.allowedSecurityGroupIds.length === 0) {
      throw argError(
        this,
        "`allowedSecurityGroupIds` and `allowedCidrs` are both empty: nothing could reach the cache",
      );
    }
    const restore = a.restoreFrom;
    if (restore === undefined) return;
    const problem =
      a.flavour === "serverless"
        ? { key: "restoreFrom", message: "applies to replication groups only: remove it" }
        : restoreProblem(restore, a.production, a.stack);
    if (problem) throw argError(this, `\`${problem.key}\` ${problem.message}`);
  }

  private createSecurityGroup(name: string, a: Resolved): ec2.SecurityGroup {
    // No inline rules: ingress is one rule per source below, and a cache needs no egress.
    return new ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: a.vpcId,
        description: `Valkey for api-stack ${a.stack}: Redis port from the API only`,
        egress: [],
      },
      { parent: this },
    );
  }

  private createIngressRules(name: string, a: Resolved): void {
    // A serverless cache also serves reads on the next port (6380).
    const toPort = a.flavour === "serverless" ? a.port + 1 : a.port;
    const base = {
      securityGroupId: this.securityGroup.id,
      ipProtocol: "tcp",
      fromPort: a.port,
      toPort,
    };
    a.allowedSecurityGroupIds.forEach(
      (sg, i) =>
        new vpc.SecurityGroupIngressRule(
          `${name}-from-sg-${i}`,
          {
            ...base,
            referencedSecurityGroupId: sg,
            description: "Redis port from an allowed security group",
          },
          { parent: this },
        ),
    );
    a.allowedCidrs.forEach(
      (cidr, i) =>
        new vpc.SecurityGroupIngressRule(
          `${name}-from-cidr-${i}`,
          {
            ...base,
            ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
            description: "Redis port from an allowed CIDR",
          },
          { parent: this },
        ),
    );
  }
}

/**
 * Why `restoreFrom` may not run, or `undefined`; `key` is the argument to blame, under
 * `restoreFrom`. The config (stacks/config/parse.ts) reports the same problem, worded for the
 * stack file, before any resource exists; the component repeats it for other callers.
 */
export function restoreProblem(
  r: ElastiCacheRestoreArgs,
  production: boolean,
  stack: string,
): { key: string; message: string } | undefined {
  const sources = [r.snapshotName, r.snapshotArns].filter((s) => s !== undefined).length;
  if (sources !== 1)
    return {
      key: "restoreFrom",
      message: `needs exactly one of \`snapshotName\` and \`snapshotArns\` (got ${sources === 0 ? "neither" : "both"})`,
    };
  const confirm = "restoreFrom.confirmReplace";
  if (r.confirmReplace !== undefined && r.confirmReplace !== stack)
    return {
      key: confirm,
      message: `is "${r.confirmReplace}", but this stack is "${stack}": a confirmation written for another stack confirms nothing here; set it to "${stack}" if you mean to replace this stack's cache`,
    };
  if (production && r.confirmReplace === undefined)
    return { key: confirm, message: replaceWarning(stack) };
  return undefined;
}

/**
 * What a restore does to a production cache and what to do first. A restore replaces the group:
 * terraform-provider-aws marks both snapshot fields ForceNew (see createReplicationGroup).
 */
function replaceWarning(stack: string): string {
  return [
    `is required in production, because \`restoreFrom\` replaces the cache: ElastiCache restores only into a new cache, so the update creates a new replication group from the snapshot, moves the API to it and deletes the current group. The cache then holds the snapshot's data; everything written since that snapshot is gone from it (kept only in the deleted group's final snapshot).`,
    "First take a manual snapshot of the current group: `aws elasticache create-snapshot --replication-group-id <id> --snapshot-name <name>` (the id from `aws elasticache describe-replication-groups`), and wait until `aws elasticache describe-snapshots --snapshot-name <name>` shows it `available`.",
    `Then confirm with \`pulumi config set --path redis.restoreFrom.confirmReplace ${stack}\`; a protected cache (\`redis.protectData\`, on in production) also needs \`redis.protectData: false\` for that one update.`,
    "After that update remove `restoreFrom` and `protectData: false` again (docs/redis-backends.md, Restoring ElastiCache from a snapshot)",
  ].join(" ");
}

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveElastiCacheValkeyArgs(args: ElastiCacheValkeyArgs): Resolved {
  const d = ELASTICACHE_VALKEY_DEFAULTS;
  const env = elastiCacheEnvironmentDefaults(args.production);
  return {
    ...args,
    flavour: args.flavour ?? d.flavour,
    engineVersion: args.engineVersion ?? d.engineVersion,
    nodeType: args.nodeType ?? d.nodeType,
    numCacheClusters: args.numCacheClusters ?? env.numCacheClusters,
    port: args.port ?? d.port,
    allowedSecurityGroupIds: args.allowedSecurityGroupIds ?? [],
    allowedCidrs: args.allowedCidrs ?? [],
    snapshotRetentionLimit: args.snapshotRetentionLimit ?? env.snapshotRetentionLimit,
    snapshotWindow: args.snapshotWindow ?? d.snapshotWindow,
    maintenanceWindow: args.maintenanceWindow ?? d.maintenanceWindow,
    logRetentionDays: args.logRetentionDays ?? d.logRetentionDays,
    maxDataStorageGb: args.maxDataStorageGb ?? d.maxDataStorageGb,
    maxEcpuPerSecond: args.maxEcpuPerSecond ?? d.maxEcpuPerSecond,
    protectData: args.protectData ?? env.protectData,
  };
}
