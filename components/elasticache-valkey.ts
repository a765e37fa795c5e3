import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
// Submodule imports: the root of @pulumi/aws costs seconds of type-checking and load time.
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as elasticache from "@pulumi/aws/elasticache";
import * as vpc from "@pulumi/aws/vpc";
import { AUTH_TOKEN_LENGTH, AUTH_TOKEN_SPECIALS } from "./lib/auth-token";
import { APP_DENIED } from "./lib/redis-conf";
import { redisConnection, type RedisConnectionOutputs } from "./redis-connection";
import { TYPES } from "./types";

export interface ElastiCacheValkeyArgs {
  /** `replication-group` (sized nodes) or `serverless` (pay per use). @default "replication-group" */
  readonly flavour?: "replication-group" | "serverless";
  /** Valkey "major.minor". @default "8.0" */
  readonly engineVersion?: string;
  /** Replication group only. @default "cache.t4g.small" */
  readonly nodeType?: string;
  /** Replication group only; 2 or more turns on automatic failover and Multi-AZ. @default 2 */
  readonly numCacheClusters?: number;
  /** @default 6379 */
  readonly port?: number;
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets, at least two, in different availability zones. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups allowed to connect (the API host's). @default [] */
  readonly allowedSecurityGroupIds?: pulumi.Input<string>[];
  /** CIDR blocks allowed to connect; never 0.0.0.0/0 or ::/0. @default [] */
  readonly allowedCidrs?: string[];
  /** Days of daily backups, 1–35. @default 7 */
  readonly snapshotRetentionLimit?: number;
  /** UTC "hh:mm-hh:mm". @default "03:00-04:00" */
  readonly snapshotWindow?: string;
  /** UTC "ddd:hh:mm-ddd:hh:mm". @default "sun:05:00-sun:06:00" */
  readonly maintenanceWindow?: string;
  /** Slow-log retention in CloudWatch, days. @default 30 */
  readonly logRetentionDays?: number;
  /** Serverless only. @default 10 */
  readonly maxDataStorageGb?: number;
  /** Serverless only. @default 5000 */
  readonly maxEcpuPerSecond?: number;
  /** `protect` the cache and its parameter and subnet groups. @default false */
  readonly protectData?: boolean;
  readonly stack: string;
}

type Resolved = Required<ElastiCacheValkeyArgs>;

/** The app's ACL user on serverless caches; ElastiCache also requires a `default` user. */
const APP_USER = "app";

/**
 * A managed Valkey on AWS ElastiCache: a replication group (TLS required, encrypted at
 * rest, AUTH token, automatic failover across AZs, daily backups, slow log to CloudWatch)
 * or a serverless cache (TLS always on, RBAC user group). It sits in its own security
 * group on private subnets, reachable only from the configured sources, and exposes the
 * same connection as the local Redis.
 *
 * @example
 * const cache = new ElastiCacheValkey("cache", { vpcId: "vpc-0abc", subnetIds: ["subnet-1", "subnet-2"],
 *   allowedSecurityGroupIds: ["sg-0api"], stack: "prod" });
 * // cache.connection.url is a secret "rediss://:…@master.….cache.amazonaws.com:6379"
 */
export class ElastiCacheValkey extends pulumi.ComponentResource {
  public readonly connection: RedisConnectionOutputs;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The cache resource the API should depend on. */
  public readonly cache: elasticache.ReplicationGroup | elasticache.ServerlessCache;

  constructor(name: string, args: ElastiCacheValkeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.ElastiCacheValkey, name, {}, opts);
    const a = resolveElastiCacheValkeyArgs(args);
    for (const cidr of a.allowedCidrs) {
      if (cidr === "0.0.0.0/0" || cidr === "::/0" || cidr.endsWith("/0")) {
        throw new pulumi.ResourceError(
          `\`allowedCidrs\` contains "${cidr}", which opens the cache to the internet: allow the API's security group or the VPC CIDR`,
          this,
          true,
        );
      }
    }
    if (a.allowedCidrs.length === 0 && a.allowedSecurityGroupIds.length === 0) {
      throw new pulumi.ResourceError(
        "`allowedSecurityGroupIds` and `allowedCidrs` are both empty: nothing could reach the cache",
        this,
        true,
      );
    }
    const keep = { parent: this, protect: a.protectData };
    this.securityGroup = this.createSecurityGroup(name, a);
    this.createIngressRules(name, a);
    if (a.flavour === "serverless") {
      const { cache, connection } = this.createServerless(name, a, keep);
      this.cache = cache;
      this.connection = connection;
    } else {
      const { cache, connection } = this.createReplicationGroup(name, a, keep);
      this.cache = cache;
      this.connection = connection;
    }
    this.registerOutputs({ connection: this.connection });
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

  private token(name: string, role: string): pulumi.Output<string> {
    return new random.RandomPassword(
      `${name}-${role}`,
      {
        length: AUTH_TOKEN_LENGTH,
        special: true,
        overrideSpecial: AUTH_TOKEN_SPECIALS,
        minSpecial: 2,
      },
      { parent: this },
    ).result;
  }

  private createReplicationGroup(name: string, a: Resolved, keep: pulumi.CustomResourceOptions) {
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
      { parent: this },
    );
    const authToken = pulumi.secret(this.token(name, "auth-token"));
    const replicated = a.numCacheClusters >= 2;
    const finalSnapshot = new random.RandomId(
      `${name}-final-snapshot`,
      { byteLength: 4 },
      { parent: this },
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
        securityGroupIds: [this.securityGroup.id],
        parameterGroupName: params.name,
        snapshotRetentionLimit: a.snapshotRetentionLimit,
        snapshotWindow: a.snapshotWindow,
        maintenanceWindow: a.maintenanceWindow,
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
      { ...keep, additionalSecretOutputs: ["authToken"] },
    );
    const host = cache.primaryEndpointAddress;
    return { cache, connection: connection(host, pulumi.output(a.port), "default", authToken) };
  }

  private createServerless(name: string, a: Resolved, keep: pulumi.CustomResourceOptions) {
    const suffix = new random.RandomId(`${name}-user-suffix`, { byteLength: 4 }, { parent: this })
      .hex;
    const userId = (role: string) => pulumi.interpolate`api-stack-${a.stack}-${role}-${suffix}`;
    // ElastiCache requires a user named "default" in every group; this one is switched off.
    const defaultUser = new elasticache.User(
      `${name}-default-user`,
      {
        userId: userId("default"),
        userName: "default",
        engine: "valkey",
        accessString: "off -@all",
        passwords: [pulumi.secret(this.token(name, "default-user-password"))],
      },
      { parent: this },
    );
    const password = pulumi.secret(this.token(name, "app-password"));
    const appUser = new elasticache.User(
      `${name}-app-user`,
      {
        userId: userId(APP_USER),
        userName: APP_USER,
        engine: "valkey",
        accessString: `on ~* &* +@all ${APP_DENIED.join(" ")}`,
        passwords: [password],
      },
      { parent: this, additionalSecretOutputs: ["passwords"] },
    );
    const users = new elasticache.UserGroup(
      `${name}-users`,
      {
        userGroupId: userId("users"),
        engine: "valkey",
        userIds: [defaultUser.userId, appUser.userId],
      },
      { parent: this },
    );
    const cache = new elasticache.ServerlessCache(
      `${name}-valkey`,
      {
        engine: "valkey",
        majorEngineVersion: a.engineVersion.split(".")[0],
        description: `api-stack ${a.stack}: serverless Valkey for the API`,
        subnetIds: a.subnetIds,
        securityGroupIds: [this.securityGroup.id],
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

export function resolveElastiCacheValkeyArgs(args: ElastiCacheValkeyArgs): Resolved {
  return {
    ...args,
    flavour: args.flavour ?? "replication-group",
    engineVersion: args.engineVersion ?? "8.0",
    nodeType: args.nodeType ?? "cache.t4g.small",
    numCacheClusters: args.numCacheClusters ?? 2,
    port: args.port ?? 6379,
    allowedSecurityGroupIds: args.allowedSecurityGroupIds ?? [],
    allowedCidrs: args.allowedCidrs ?? [],
    snapshotRetentionLimit: args.snapshotRetentionLimit ?? 7,
    snapshotWindow: args.snapshotWindow ?? "03:00-04:00",
    maintenanceWindow: args.maintenanceWindow ?? "sun:05:00-sun:06:00",
    logRetentionDays: args.logRetentionDays ?? 30,
    maxDataStorageGb: args.maxDataStorageGb ?? 10,
    maxEcpuPerSecond: args.maxEcpuPerSecond ?? 5000,
    protectData: args.protectData ?? false,
  };
}
