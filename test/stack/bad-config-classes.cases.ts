/**
 * Issue #10's corpus: realistic stack-file mistakes that used to get past validation, one
 * family per class. Each starts from the real Pulumi.<stack>.yaml and changes one thing.
 * `secretValues` lists values that must never appear in the message (whatever their type).
 */
import type { BadConfigCase } from "./bad-config.cases";

// Realistic-looking, made-up credentials: none of them is real.
const PG_PASSWORD = "Hq7rT2vLx9pW4mZk";
const OPENAI = "sk-proj-4fGh8JkL2mNp6QrS9tUv3WxY7zAb1CdE5fGh";
const GHP = "ghp_R2d4F6h8J0l2N4p6R8t0V2x4Z6b8D0f2H4j6";
const AKIA = "AKIAZ7QW3ERT5YUI9OPA";
const STRIPE = "sk_live_51HqLp2Kx9Vb3Nm7Qw4Er8Ty6Ui0Op";
const ENTROPY = "q8Zr3XvN1mT7bLw9KpD2sF6hJ4gY0cV5aE8uR1iO";
const BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwcm9iZSJ9.c2lnbmF0dXJlLWZvci10ZXN0";
const PI = 31415926535;

export const CLASS_CASES: BadConfigCase[] = [
  // 1. Plain-text secrets under names the "looks secret" check missed, and in values.
  {
    name: "DATABASE_URL with a password in plain env",
    stack: "prod",
    api: { env: { DATABASE_URL: `postgres://app:${PG_PASSWORD}@db/app` } },
    secretValues: [PG_PASSWORD],
    expect: ["`api-stack:api.env.DATABASE_URL`", "password", "secretEnv.DATABASE_URL"],
  },
  {
    name: "OPENAI_APIKEY in plain env",
    stack: "dev",
    api: { env: { OPENAI_APIKEY: OPENAI } },
    secretValues: [OPENAI],
    expect: ["`api-stack:api.env.OPENAI_APIKEY`", "secretEnv.OPENAI_APIKEY"],
  },
  {
    name: "DB_PASSWD in plain env",
    stack: "dev",
    api: { env: { DB_PASSWD: "Lk8vB2nM5qW9zXc3" } },
    secretValues: ["Lk8vB2nM5qW9zXc3"],
    expect: ["`api-stack:api.env.DB_PASSWD`", "secretEnv.DB_PASSWD"],
  },
  {
    name: "a GitHub token under an innocent name",
    stack: "dev",
    api: { env: { GITHUB_ACCESS: GHP } },
    secretValues: [GHP],
    expect: ["`api-stack:api.env.GITHUB_ACCESS`", "GitHub token"],
  },
  {
    name: "an AWS access key id under an innocent name",
    stack: "prod",
    api: { env: { AWS_ACCESS: AKIA } },
    secretValues: [AKIA],
    expect: ["`api-stack:api.env.AWS_ACCESS`", "AWS access key"],
  },
  {
    name: "a Stripe live key under an innocent name",
    stack: "prod",
    api: { env: { STRIPE: STRIPE } },
    secretValues: [STRIPE],
    expect: ["`api-stack:api.env.STRIPE`", "Stripe"],
  },
  {
    name: "a long random string under an innocent name",
    stack: "dev",
    api: { env: { SIGNING: ENTROPY } },
    secretValues: [ENTROPY],
    expect: ["`api-stack:api.env.SIGNING`", "random"],
  },
  {
    name: "Authorization: Bearer header in the healthcheck command",
    stack: "prod",
    api: {
      healthcheck: {
        command: [
          "CMD",
          "curl",
          "-fsS",
          "-H",
          `Authorization: Bearer ${BEARER}`,
          "http://127.0.0.1:3003/health",
        ],
      },
    },
    secretValues: [BEARER],
    expect: ["`api-stack:api.healthcheck.command`", "bearer token", "docker inspect"],
  },
  {
    name: "a password in the healthcheck URL",
    stack: "dev",
    api: {
      healthcheck: {
        command: ["CMD", "curl", "-fsS", `http://probe:${PG_PASSWORD}@127.0.0.1:3003/health`],
      },
    },
    secretValues: [PG_PASSWORD],
    expect: ["`api-stack:api.healthcheck.command`", "password"],
  },
  // 2. Weak secrets that are not an exact denylist entry.
  {
    name: "the .env.example placeholder as secretKey",
    stack: "prod",
    secrets: {
      "api-stack:secretKey": "your-super-secret-key-change-this-in-production-0123456789abcdef",
    },
    expect: ["`api-stack:secretKey`", "placeholder"],
  },
  {
    name: "the leaked default with a suffix",
    stack: "prod",
    secrets: { "api-stack:redisPassword": "novita_redis_password_2024_prod_ready" },
    expect: ["`api-stack:redisPassword`", "known default"],
  },
  {
    name: "only filler words",
    stack: "dev",
    secrets: {
      "api-stack:secretKey":
        "secret-example-secret-example-change-your-secret-now-secret-example-token",
    },
    expect: ["`api-stack:secretKey`", "filler words"],
  },
  {
    name: "a changeme inside a long password",
    stack: "prod",
    secrets: { "api-stack:redisPassword": "Xy7-changeme-Qw2-ChangeMe-Zz9-abcdef" },
    expect: ["`api-stack:redisPassword`", "known default"],
  },
  {
    name: "a placeholder in secretEnv",
    stack: "dev",
    secrets: { "api-stack:secretEnv": { OPENAI_API_KEY: "your-openai-api-key-goes-here-please" } },
    expect: ["`api-stack:secretEnv.OPENAI_API_KEY`", "placeholder"],
  },
  {
    name: "the leaked default with a suffix in the external URL",
    stack: "prod-external",
    secrets: {
      "api-stack:redisUrl": "rediss://default:novita_redis_password1@valkey.example.com:13345",
    },
    expect: ["`api-stack:redisUrl`", "known default"],
  },
  // 3. Healthchecks that cannot fail, or can never pass.
  {
    name: "curl without --fail",
    stack: "prod",
    api: { healthcheck: { command: ["CMD", "curl", "-s", "http://127.0.0.1:3003/health"] } },
    expect: ["`api-stack:api.healthcheck.command`", "--fail", "HTTP 500"],
  },
  {
    name: "curl without --fail in a shell probe",
    stack: "dev",
    api: {
      healthcheck: { command: ["CMD-SHELL", "curl -s http://127.0.0.1:3003/health || exit 1"] },
    },
    expect: ["`api-stack:api.healthcheck.command`", "--fail"],
  },
  {
    name: "an empty CMD-SHELL",
    stack: "dev",
    api: { healthcheck: { command: ["CMD-SHELL", ""] } },
    expect: ["`api-stack:api.healthcheck.command`", "empty"],
  },
  {
    name: "an empty CMD",
    stack: "prod",
    api: { healthcheck: { command: ["CMD", " "] } },
    expect: ["`api-stack:api.healthcheck.command`", "empty"],
  },
  {
    name: "probe still on :3003 after api.port 8080",
    stack: "prod",
    api: {
      port: 8080,
      healthcheck: { command: ["CMD", "curl", "-fsS", "http://127.0.0.1:3003/health"] },
    },
    expect: ["`api-stack:api.healthcheck.command`", "3003", "`api.port` (8080)"],
  },
  // 4. Timings that mean something else to Docker.
  {
    name: "timeout 0s",
    stack: "prod",
    api: { healthcheck: { timeout: "0s" } },
    expect: ["`api-stack:api.healthcheck.timeout`", "30s default"],
  },
  {
    name: "redis timeout 0s",
    stack: "dev",
    redis: { healthcheck: { timeout: "0s" } },
    expect: ["`api-stack:redis.healthcheck.timeout`", "30s default"],
  },
  {
    name: "interval 10ms (a typo for 10s)",
    stack: "dev",
    api: { healthcheck: { interval: "10ms", timeout: "5ms" } },
    expect: ["`api-stack:api.healthcheck.interval`", "at least 1s"],
  },
  {
    name: "redis interval 2h",
    stack: "prod",
    redis: { healthcheck: { interval: "2h" } },
    expect: ["`api-stack:redis.healthcheck.interval`", "at most 10m"],
  },
  {
    name: "api interval 2h",
    stack: "dev",
    api: { healthcheck: { interval: "2h" } },
    expect: ["`api-stack:api.healthcheck.interval`", "at most 10m"],
  },
  {
    name: "stopTimeout 0s",
    stack: "prod",
    api: { stopTimeout: "0s" },
    expect: ["`api-stack:api.stopTimeout` (0s)", "Docker's 10s default"],
  },
  {
    name: "stopTimeout 20m",
    stack: "prod",
    api: { stopTimeout: "20m" },
    expect: ["`api-stack:api.stopTimeout`", "at most 10m"],
  },
  {
    name: "cpus below the CFS minimum",
    stack: "prod",
    api: { cpus: 0.005 },
    expect: ["`api-stack:api.cpus`", "0.01"],
  },
  {
    name: "cpus below the minimum as the CLI writes it (a string)",
    stack: "prod",
    api: { cpus: "0.005" },
    expect: ["`api-stack:api.cpus` must be at least 0.01"],
  },
  {
    name: "redis timeout 500ms",
    stack: "prod",
    redis: { healthcheck: { timeout: "500ms" } },
    expect: ["`api-stack:redis.healthcheck.timeout` (500ms) must be at least 1s"],
  },
  // 5. Values AWS refuses half-way through an up.
  {
    name: "snapshot window across midnight into maintenance",
    stack: "prod-elasticache",
    redis: { snapshotWindow: "23:30-00:30", maintenanceWindow: "mon:00:00-mon:01:00" },
    expect: ['`api-stack:redis.snapshotWindow` "23:30-00:30" overlaps'],
  },
  {
    name: "snapshot window hour 25",
    stack: "prod-elasticache",
    redis: { snapshotWindow: "25:00-26:00" },
    expect: ["`api-stack:redis.snapshotWindow`", "00-23"],
  },
  {
    name: "snapshot window of 30 minutes",
    stack: "prod-elasticache",
    redis: { snapshotWindow: "03:00-03:30" },
    expect: ["`api-stack:redis.snapshotWindow`", "at least 60 minutes"],
  },
  {
    name: "snapshot window overlapping maintenance",
    stack: "prod-elasticache",
    redis: { snapshotWindow: "05:30-06:30" },
    expect: ["`api-stack:redis.snapshotWindow`", "overlaps", "maintenance window"],
  },
  {
    name: "maintenance window of 30 minutes",
    stack: "prod-elasticache",
    redis: { maintenanceWindow: "sun:05:00-sun:05:30" },
    expect: ["`api-stack:redis.maintenanceWindow`", "at least 60 minutes"],
  },
  {
    name: "maintenance window hour 24",
    stack: "prod-serverless",
    redis: { maintenanceWindow: "sun:24:00-mon:01:00" },
    expect: ["`api-stack:redis.maintenanceWindow`", "00-23"],
  },
  {
    name: "engine version without a parameter group family",
    stack: "prod-elasticache",
    redis: { engineVersion: "6.2" },
    expect: ["`api-stack:redis.engineVersion`", "valkey6"],
  },
  {
    name: "the same subnet twice",
    stack: "prod-elasticache",
    redis: { subnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0aa11bb22cc33dd44"] },
    expect: ["`api-stack:redis.subnetIds`", "twice"],
  },
  {
    name: "CIDR halves that cover the internet",
    stack: "prod-serverless",
    redis: { allowedCidrs: ["0.0.0.0/1", "128.0.0.0/1"] },
    expect: ["`api-stack:redis.allowedCidrs`", "whole internet"],
  },
  // 6. The schema and the pack disagree.
  {
    name: "one cache node in production",
    stack: "prod-elasticache",
    redis: { numCacheClusters: 1 },
    expect: ["`api-stack:redis.numCacheClusters`", "elasticache-high-availability"],
  },
  {
    name: "an API memory limit below the pack's minimum",
    stack: "prod",
    api: { memoryMb: 8 },
    expect: ["`api-stack:api.memoryMb`", "container-memory-limit"],
  },
  // 7. Refused too late and loudly.
  {
    name: "memcached as redis.image",
    stack: "prod",
    redis: { image: "memcached:1.6-alpine" },
    expect: ["`api-stack:redis.image`", "not a redis or valkey image"],
  },
  {
    name: "the API image pasted into redis.image",
    stack: "dev",
    redis: { image: "ghcr.io/acme/api:1.4.2" },
    expect: ["`api-stack:redis.image`", "not a redis or valkey image"],
  },
  // 8. Messages.
  {
    name: "an env name with a dash",
    stack: "dev",
    api: { env: { "log-level": "debug" } },
    expect: ["`api-stack:api.env.log-level`", "letters, digits and _"],
  },
  {
    name: "a number as a plain-text password",
    stack: "prod",
    overrides: { "api-stack:redisPassword": PI },
    secretValues: [String(PI)],
    expect: ["`api-stack:redisPassword`"],
  },
  {
    name: "a number as a secret key",
    stack: "prod",
    secrets: { "api-stack:secretKey": PI },
    secretValues: [String(PI)],
    expect: ["`api-stack:secretKey` must be a string"],
  },
  {
    name: "a number in secretEnv",
    stack: "dev",
    secrets: { "api-stack:secretEnv": { STRIPE_KEY: PI } },
    secretValues: [String(PI)],
    expect: ["`api-stack:secretEnv.STRIPE_KEY` must be a string"],
  },
  {
    name: "a number for a secret-looking env name",
    stack: "dev",
    api: { env: { DB_PASSWORD: PI } },
    secretValues: [String(PI)],
    expect: ["`api-stack:api.env.DB_PASSWORD`"],
  },
  {
    name: "config set without --path",
    stack: "dev",
    overrides: { "api-stack:api.image": "ghcr.io/acme/api:1.4.3" },
    expect: ["`api-stack:api.image` is not a known key", "--path"],
  },
  {
    name: "an unquoted engineVersion",
    stack: "prod-elasticache",
    redis: { engineVersion: 8.0 },
    expect: ["`api-stack:redis.engineVersion`", 'quote it: engineVersion: "8.0"'],
  },
  {
    name: "restart on-failure:3",
    stack: "dev",
    api: { restart: "on-failure:3" },
    expect: ["`api-stack:api.restart`", "maxRetryCount: 3"],
  },
];
