/**
 * Bad configs, one per line, each with the message a user must see. Every case starts
 * from the real Pulumi.<stack>.yaml and changes one thing.
 */
import { CLASS_CASES } from "./bad-config-classes.cases";
import { ECS_CASES } from "./bad-config-ecs.cases";
import { SERVICE_CASES } from "./bad-config-services.cases";
import { ACME_CASES } from "./bad-config-acme.cases";
import { MONITORING_CASES } from "./bad-config-monitoring.cases";
import { VALUE_CASES } from "./bad-config-values.cases";

type Obj = Record<string, unknown>;

export interface BadConfigCase {
  readonly name: string;
  readonly stack:
    "dev" | "prod" | "prod-elasticache" | "prod-serverless" | "prod-external" | "prod-ecs";
  /** `api` / `redis` objects are merged into the stack file's; other keys replace. */
  readonly api?: Obj;
  readonly redis?: Obj;
  readonly overrides?: Obj;
  readonly secrets?: Obj;
  /** Values that must never appear in the message, e.g. a plain-text credential in `env`. */
  readonly secretValues?: readonly string[];
  /** Every one of these must appear in the error. */
  readonly expect: (string | RegExp)[];
}

export const BAD_CONFIGS: BadConfigCase[] = [
  {
    name: "unknown top-level key",
    stack: "dev",
    overrides: { "api-stack:redisPasword": "x" },
    expect: ["`api-stack:redisPasword` is not a known key", "fix the spelling"],
  },
  {
    name: "unknown nested key",
    stack: "dev",
    api: { healthCheck: {} },
    expect: ["`api-stack:api.healthCheck` is not a known key"],
  },
  {
    name: "unknown key in redis",
    stack: "prod",
    redis: { persistence: true },
    expect: ["`api-stack:redis.persistence` is not a known key"],
  },
  {
    name: "missing environment",
    stack: "dev",
    overrides: { "api-stack:environment": undefined },
    expect: ["`api-stack:environment` is required"],
  },
  {
    name: "environment typo",
    stack: "dev",
    overrides: { "api-stack:environment": "prod" },
    expect: ['`api-stack:environment` is "prod"', '"development", "production"'],
  },
  {
    name: "missing api image",
    stack: "dev",
    api: { image: undefined },
    expect: ["`api-stack:api.image` is required"],
  },
  {
    name: "port is a string",
    stack: "dev",
    api: { port: "3003x" },
    expect: ['`api-stack:api.port` must be a number, got "3003x"'],
  },
  {
    name: "port out of range",
    stack: "dev",
    api: { port: 70000 },
    expect: ["`api-stack:api.port`", "65535"],
  },
  {
    name: "memory is not a number",
    stack: "prod",
    redis: { memoryMb: "lots" },
    expect: ["`api-stack:redis.memoryMb` must be a number"],
  },
  {
    name: "duration without unit",
    stack: "dev",
    api: { healthcheck: { interval: "sixty" } },
    expect: ['`api-stack:api.healthcheck.interval` "sixty" is not a duration', 'e.g. "30s"'],
  },
  {
    name: "duration as a number",
    stack: "dev",
    redis: { healthcheck: { timeout: 3 } },
    expect: ["`api-stack:redis.healthcheck.timeout` must be a duration string"],
  },
  {
    name: "timeout equals interval",
    stack: "prod",
    api: { healthcheck: { timeout: "30s", interval: "30s" } },
    expect: [
      "`api-stack:api.healthcheck.timeout` (30s) must be shorter than `interval` (30s)",
      "lower the timeout or raise the interval",
    ],
  },
  {
    name: "timeout longer than interval",
    stack: "dev",
    redis: { healthcheck: { timeout: "15s" } },
    expect: ["`api-stack:redis.healthcheck.timeout` (15s) must be shorter"],
  },
  {
    name: "start period 0s",
    stack: "prod",
    api: { healthcheck: { startPeriod: "0s" } },
    expect: ["`api-stack:api.healthcheck.startPeriod` (0s) must be between 10s and 600s"],
  },
  {
    name: "start period 5s",
    stack: "dev",
    redis: { healthcheck: { startPeriod: "5s" } },
    expect: ["`api-stack:redis.healthcheck.startPeriod` (5s) must be between 10s and 600s"],
  },
  {
    name: "start period 11m",
    stack: "prod",
    api: { healthcheck: { startPeriod: "11m" } },
    expect: ["(660s) must be between 10s and 600s"],
  },
  {
    name: "retries 1",
    stack: "prod",
    api: { healthcheck: { retries: 1 } },
    expect: ["`api-stack:api.healthcheck.retries` must be at least 3"],
  },
  {
    name: "restart no in production (api)",
    stack: "prod",
    api: { restart: "no" },
    expect: ['`api-stack:api.restart` must not be "no" in a production stack', 'use "always"'],
  },
  {
    name: "restart no in production (redis)",
    stack: "prod",
    redis: { restart: "no" },
    expect: ['`api-stack:redis.restart` must not be "no"'],
  },
  {
    name: "restart typo",
    stack: "dev",
    api: { restart: "allways" },
    expect: ['`api-stack:api.restart` is "allways"', '"unless-stopped"'],
  },
  {
    name: "on-failure without retry limit",
    stack: "dev",
    api: { restart: "on-failure" },
    expect: ['`api-stack:api.maxRetryCount` is required when `api.restart` is "on-failure"'],
  },
  {
    name: "image tagged latest",
    stack: "prod",
    api: { image: "ghcr.io/acme/api:latest" },
    expect: ['`api-stack:api.image` "ghcr.io/acme/api:latest" uses "latest"', "pin a version"],
  },
  {
    name: "image without tag",
    stack: "dev",
    redis: { image: "redis" },
    expect: ['`api-stack:redis.image` "redis" has no tag'],
  },
  {
    name: "registry port is not a tag",
    stack: "dev",
    api: { image: "localhost:5000/api" },
    expect: ['"localhost:5000/api" has no tag'],
  },
  {
    name: "plain-text redis password",
    stack: "prod",
    overrides: { "api-stack:redisPassword": "Zx9kQ2mW7vB4nR8tY3pL6sD1fG5hJ0aCeE" },
    expect: [
      "`api-stack:redisPassword` is stored in plain text",
      "pulumi config set --secret redisPassword",
    ],
  },
  {
    name: "plain-text secretEnv",
    stack: "dev",
    overrides: { "api-stack:secretEnv": { NOVITA_API_KEY: "sk-1" } },
    expect: ["`api-stack:secretEnv` is stored in plain text", "--path 'secretEnv.NAME'"],
  },
  {
    name: "secret in plain env",
    stack: "dev",
    api: { env: { NOVITA_API_KEY: "sk-live-123" } },
    expect: [
      "`api-stack:api.env.NOVITA_API_KEY` looks like a secret but is in plain text",
      "secretEnv.NOVITA_API_KEY",
    ],
  },
  {
    name: "default redis password, even as a secret",
    stack: "prod",
    secrets: { "api-stack:redisPassword": "novita_redis_password" },
    expect: ["`api-stack:redisPassword` is a known default or placeholder"],
  },
  {
    name: "short secret key",
    stack: "prod",
    secrets: { "api-stack:secretKey": "abc123def456" },
    expect: ["`api-stack:secretKey` is shorter than 64 characters"],
  },
  {
    name: "placeholder secret key",
    stack: "dev",
    secrets: {
      "api-stack:secretKey": "your-secret-key-here-0123456789abcdef0123456789abcdef0123456789",
    },
    expect: ["`api-stack:secretKey` is a known default or placeholder"],
  },
  {
    name: "env overrides REDIS_URL",
    stack: "dev",
    api: { env: { REDIS_URL: "redis://redis:6379" } },
    expect: ["`api-stack:api.env.REDIS_URL` is set by the stack"],
  },
  {
    name: "maxmemory above the container limit",
    stack: "prod",
    redis: { maxmemoryMb: 600 },
    expect: ["`api-stack:redis.maxmemoryMb` (600) must be below `redis.memoryMb` (512)"],
  },
  {
    name: "redis debug port in production",
    stack: "prod",
    redis: { debugPort: 6379 },
    expect: ["`api-stack:redis.debugPort` is for development only"],
  },
  {
    name: "no memory limit in production",
    stack: "prod",
    api: { memoryMb: undefined },
    expect: ["`api-stack:api.memoryMb` is required in production"],
  },
  {
    name: "host ip is not an address",
    stack: "dev",
    api: { hostIp: "localhost" },
    expect: ["`api-stack:api.hostIp` must be an IP address"],
  },
  {
    name: "unsupported redis mode",
    stack: "dev",
    redis: { mode: "cluster" },
    expect: ["`api-stack:redis.mode`", '"local"'],
  },
  {
    name: "eviction policy typo",
    stack: "dev",
    redis: { evictionPolicy: "lru" },
    expect: ['`api-stack:redis.evictionPolicy` is "lru"'],
  },
  {
    name: "health command not exec form",
    stack: "dev",
    api: { healthcheck: { command: ["curl", "-f", "http://127.0.0.1:3003/health"] } },
    expect: ['`api-stack:api.healthcheck.command` must start with "CMD" or "CMD-SHELL"'],
  },
  // Managed and external back ends.
  {
    name: "world-open CIDR for ElastiCache",
    stack: "prod-elasticache",
    redis: { allowedCidrs: ["0.0.0.0/0"] },
    expect: ['`api-stack:redis.allowedCidrs.0` "0.0.0.0/0" opens Redis to the whole internet'],
  },
  {
    name: "IPv6 world-open CIDR",
    stack: "prod-serverless",
    redis: { allowedCidrs: ["::/0"] },
    expect: ['"::/0" opens Redis to the whole internet'],
  },
  {
    name: "ElastiCache without a subnet list",
    stack: "prod-elasticache",
    redis: { subnetIds: undefined },
    expect: ["`api-stack:redis.subnetIds` is required", "the default subnet group is never used"],
  },
  {
    name: "ElastiCache with one subnet",
    stack: "prod-elasticache",
    redis: { subnetIds: ["subnet-0aa11bb22cc33dd44"] },
    expect: ["`api-stack:redis.subnetIds` needs at least two private subnets"],
  },
  {
    name: "ElastiCache without VPC",
    stack: "prod-serverless",
    redis: { vpcId: undefined },
    expect: ["`api-stack:redis.vpcId` is required"],
  },
  {
    name: "ElastiCache without any allowed source",
    stack: "prod-elasticache",
    redis: { allowedSecurityGroupIds: [] },
    expect: ["`api-stack:redis.allowedSecurityGroupIds` is empty and so is `redis.allowedCidrs`"],
  },
  {
    name: "ElastiCache with zero backups",
    stack: "prod-elasticache",
    redis: { snapshotRetentionLimit: 0 },
    expect: ["`api-stack:redis.snapshotRetentionLimit` must be at least 1"],
  },
  {
    name: "flavour typo",
    stack: "prod-elasticache",
    redis: { flavour: "cluster" },
    expect: ['`api-stack:redis.flavour` is "cluster"'],
  },
  {
    name: "external without a URL",
    stack: "prod-external",
    expect: [
      "`api-stack:redisUrl` is required with `redis.mode: external`",
      "pulumi config set --secret redisUrl",
    ],
  },
  {
    name: "external URL with a default password",
    stack: "prod-external",
    secrets: {
      "api-stack:redisUrl": "rediss://default:novita_redis_password@valkey.example.com:13345",
    },
    expect: ["`api-stack:redisUrl` has a password that is a known default or placeholder"],
  },
  {
    name: "external URL with the wrong scheme",
    stack: "prod-external",
    secrets: {
      "api-stack:redisUrl": "https://default:Zx9kQ2mW7vB4nR8tY3pL@valkey.example.com:13345",
    },
    expect: ['`api-stack:redisUrl` has the scheme "https": expected rediss://'],
  },
  {
    name: "external redis:// in production",
    stack: "prod-external",
    secrets: {
      "api-stack:redisUrl": "redis://default:Zx9kQ2mW7vB4nR8tY3pL@valkey.example.com:13345",
    },
    expect: ["`api-stack:redisUrl` uses redis:// (no TLS) in a production stack"],
  },
  {
    name: "external URL without a password",
    stack: "prod-external",
    secrets: { "api-stack:redisUrl": "rediss://valkey.example.com:13345" },
    expect: ["`api-stack:redisUrl` has no password"],
  },
  {
    name: "external URL in plain text",
    stack: "prod-external",
    overrides: {
      "api-stack:redisUrl": "rediss://default:Zx9kQ2mW7vB4nR8tY3pL@valkey.example.com:13345",
    },
    expect: ["`api-stack:redisUrl` is stored in plain text"],
  },
  {
    name: "redisUrl with a local Redis",
    stack: "prod",
    secrets: {
      "api-stack:redisUrl": "rediss://default:Zx9kQ2mW7vB4nR8tY3pL@valkey.example.com:13345",
    },
    expect: ["`api-stack:redisUrl` only applies to `redis.mode: external`"],
  },
  // Issue #10's classes of mistakes that used to get through.
  ...CLASS_CASES,
  // Issue #13's workers, edge proxy and API replicas.
  ...SERVICE_CASES,
  // Issue #25's `edge.tls: acme`.
  ...ACME_CASES,
  ...ECS_CASES,
  ...MONITORING_CASES,
  // Issue #21's values Docker or AWS refuses part-way through a deploy.
  ...VALUE_CASES,
];
