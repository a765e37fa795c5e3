/**
 * The schema and the pack must not disagree: for every mandatory production rule with a
 * config-level equivalent, the stack's config refuses the same mistake first, at the pack's
 * threshold read from policy/config/prod.json. Every other mandatory rule says why it has no
 * config key, so a new rule (or a changed threshold) cannot drift unnoticed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackConfig, PROJECT_DIR } from "../../gate";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { merge, stackObject } from "../stack/bad-config.helpers";

type Obj = Record<string, unknown>;
const prod = JSON.parse(
  fs.readFileSync(path.join(PROJECT_DIR, "policy/config/prod.json"), "utf8"),
) as Record<string, string | Obj>;
const setting = <T>(policy: string, key: string): T => (prod[policy] as Obj)[key] as T;
const mandatory = Object.entries(prod)
  .filter(([, v]) => (typeof v === "string" ? v : v.enforcementLevel) === "mandatory")
  .map(([k]) => k);

interface Change {
  readonly stack: string;
  readonly api?: Obj;
  readonly redis?: Obj;
  readonly ecs?: Obj;
  /** Whole top-level keys (`project:key`), `undefined` to remove one. */
  readonly overrides?: Obj;
  readonly secrets?: Obj;
}

/** The problems config reports for the real stack file with `c` applied ([] when accepted). */
function problems(c: Change): string[] {
  const overrides: Obj = {};
  if (c.api) overrides["api-stack:api"] = merge(stackObject(c.stack, "api"), c.api);
  if (c.redis) overrides["api-stack:redis"] = merge(stackObject(c.stack, "redis"), c.redis);
  if (c.ecs) overrides["api-stack:ecs"] = merge(stackObject(c.stack, "ecs"), c.ecs);
  Object.assign(overrides, c.overrides);
  const raw = loadStackConfig(c.stack, { overrides, secrets: c.secrets, undecrypted: "x" });
  try {
    parseStackConfig(raw);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
}

const seconds = (d: string) => Number(d.replace(/s$/, ""));
const strong = (n: number) =>
  "Zx9kQ2mW7vB4nR8tY3pL6sD1fG5hJ0aCeE9rT2uI8oP4aS7dF1gH5jK3".slice(0, n);

/** Each pair: the config key, a change the pack refuses, and one at its threshold it accepts. */
const PAIRS: Record<string, { key: string; refused: Change; accepted?: Change }[]> = {
  // Issue 24: components/ecs-alarms.ts creates the alarms the rule asks for whenever the stack
  // file has `monitoring`, which config requires of a production ECS stack.
  // Prometheus's UI port is the only metrics port config can publish: development only.
  "metrics-ports-not-published": [
    {
      key: "monitoring.uiPort",
      refused: {
        stack: "prod",
        overrides: { "api-stack:monitoring": { receiver: "none", uiPort: 9090 } },
      },
      accepted: { stack: "prod", overrides: { "api-stack:monitoring": { receiver: "none" } } },
    },
  ],
  "ecs-production-alarms": [
    {
      key: "monitoring",
      refused: { stack: "prod-ecs", overrides: { "api-stack:monitoring": undefined } },
      accepted: { stack: "prod-ecs" },
    },
  ],
  "aws-lb-hardening": [
    {
      key: "ecs.deletionProtection",
      refused: { stack: "prod-ecs", ecs: { deletionProtection: false } },
      accepted: { stack: "prod-ecs", ecs: { deletionProtection: true } },
    },
  ],
  "elasticache-high-availability": [
    {
      key: "redis.numCacheClusters",
      // minReplicas replicas plus the primary; one fewer node is what the pack refuses.
      refused: {
        stack: "prod-elasticache",
        redis: {
          numCacheClusters: setting<number>("elasticache-high-availability", "minReplicas"),
        },
      },
      accepted: {
        stack: "prod-elasticache",
        redis: {
          numCacheClusters: setting<number>("elasticache-high-availability", "minReplicas") + 1,
        },
      },
    },
  ],
  "elasticache-backups": [
    {
      key: "redis.snapshotRetentionLimit",
      refused: {
        stack: "prod-elasticache",
        redis: {
          snapshotRetentionLimit:
            setting<number>("elasticache-backups", "minSnapshotRetentionDays") - 1,
        },
      },
      accepted: {
        stack: "prod-elasticache",
        redis: {
          snapshotRetentionLimit: setting<number>(
            "elasticache-backups",
            "minSnapshotRetentionDays",
          ),
        },
      },
    },
  ],
  "container-memory-limit": [
    {
      key: "api.memoryMb",
      refused: {
        stack: "prod",
        api: { memoryMb: setting<number>("container-memory-limit", "minMemoryMb") - 1 },
      },
      accepted: {
        stack: "prod",
        api: { memoryMb: setting<number>("container-memory-limit", "minMemoryMb") },
      },
    },
    {
      key: "redis.memoryMb",
      refused: {
        stack: "prod",
        redis: {
          maxmemoryMb: undefined,
          memoryMb: setting<number>("container-memory-limit", "minMemoryMb") - 1,
        },
      },
      accepted: {
        stack: "prod",
        redis: {
          maxmemoryMb: undefined,
          memoryMb: setting<number>("container-memory-limit", "minMemoryMb"),
        },
      },
    },
    { key: "api.memoryMb", refused: { stack: "prod", api: { memoryMb: undefined } } },
  ],
  "healthcheck-timing": [
    ...(["api", "redis"] as const).flatMap((role) => {
      const range = setting<Record<string, { min: string; max: string }>>(
        "healthcheck-timing",
        "startPeriod",
      );
      const r = (role === "redis" ? range.redis : range.default) as { min: string; max: string };
      const hc = (v: Obj): Change => ({ stack: "prod", [role]: { healthcheck: v } });
      return [
        {
          key: `${role}.healthcheck.retries`,
          refused: hc({ retries: setting<number>("healthcheck-timing", "minRetries") - 1 }),
          accepted: hc({ retries: setting<number>("healthcheck-timing", "minRetries") }),
        },
        {
          key: `${role}.healthcheck.startPeriod`,
          refused: hc({ startPeriod: `${seconds(r.min) - 1}s` }),
          accepted: hc({ startPeriod: r.min }),
        },
        {
          key: `${role}.healthcheck.startPeriod`,
          refused: hc({ startPeriod: `${seconds(r.max) + 1}s` }),
          accepted: hc({ startPeriod: r.max }),
        },
      ];
    }),
  ],
  "no-weak-secrets": [
    {
      key: "redisPassword",
      refused: {
        stack: "prod",
        secrets: {
          "api-stack:redisPassword": strong(
            setting<number>("no-weak-secrets", "minPasswordLength") - 1,
          ),
        },
      },
    },
    {
      key: "secretKey",
      refused: {
        stack: "prod",
        secrets: {
          "api-stack:secretKey": strong(
            setting<number>("no-weak-secrets", "minSecretKeyLength") - 1,
          ),
        },
      },
    },
    {
      key: "secretEnv.STRIPE_KEY",
      refused: {
        stack: "prod",
        secrets: {
          "api-stack:secretEnv": {
            STRIPE_KEY: strong(setting<number>("no-weak-secrets", "minSecretKeyLength") - 1),
          },
        },
      },
      accepted: {
        stack: "prod",
        secrets: {
          "api-stack:secretEnv": {
            STRIPE_KEY: strong(setting<number>("no-weak-secrets", "minSecretKeyLength")),
          },
        },
      },
    },
  ],
  "container-restart-policy": [
    { key: "api.restart", refused: { stack: "prod", api: { restart: "no" } } },
    { key: "redis.restart", refused: { stack: "prod", redis: { restart: "no" } } },
  ],
  "container-image-pinned": setting<string[]>("container-image-pinned", "floatingTags").map(
    (tag) => ({
      key: "api.image",
      refused: { stack: "prod", api: { image: `ghcr.io/acme/api:${tag}` } },
    }),
  ),
  "redis-not-exposed": [
    { key: "redis.debugPort", refused: { stack: "prod", redis: { debugPort: 16379 } } },
  ],
  "redis-ingress-not-world-open": [
    {
      key: "redis.allowedCidrs",
      refused: { stack: "prod-elasticache", redis: { allowedCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } },
    },
  ],
  "redis-cache-port-not-world-open": [
    {
      key: "redis.allowedCidrs.0",
      refused: { stack: "prod-serverless", redis: { allowedCidrs: ["0.0.0.0/0"] } },
    },
  ],
  "elasticache-private-subnets": [
    {
      key: "redis.subnetIds",
      refused: {
        stack: "prod-elasticache",
        redis: { subnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0aa11bb22cc33dd44"] },
      },
    },
  ],
  "container-healthcheck-required": [
    {
      key: "api.healthcheck.command",
      refused: {
        stack: "prod",
        api: { healthcheck: { command: ["CMD", "curl", "-s", "http://127.0.0.1:3003/health"] } },
      },
    },
    {
      key: "api.healthcheck.command",
      refused: { stack: "prod", api: { healthcheck: { command: ["CMD-SHELL", ""] } } },
    },
  ],
  "no-secrets-in-command": [
    {
      key: "api.healthcheck.command",
      refused: {
        stack: "prod",
        api: {
          healthcheck: {
            command: [
              "CMD",
              "curl",
              "-fsS",
              "-H",
              "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0",
              "http://127.0.0.1:3003/health",
            ],
          },
        },
      },
    },
  ],
  "elasticache-security-groups": [
    {
      key: "redis.allowedSecurityGroupIds",
      refused: { stack: "prod-elasticache", redis: { allowedSecurityGroupIds: [] } },
    },
  ],
  "container-docker-limits": [
    {
      key: "api.cpus",
      refused: { stack: "prod", api: { cpus: 0.005 } },
      // The smallest value at or above the floor (0.01) that the provider reads back as itself:
      // 0.01 prints as "0.0" (components/lib/container.ts, providerCpus).
      accepted: { stack: "prod", api: { cpus: 0.011 } },
    },
    {
      key: "api.stopTimeout",
      refused: { stack: "prod", api: { stopTimeout: "0s" } },
      accepted: { stack: "prod", api: { stopTimeout: "1s" } },
    },
  ],
  "elasticache-aws-limits": [
    {
      key: "redis.snapshotWindow",
      refused: { stack: "prod-elasticache", redis: { snapshotWindow: "05:30-06:30" } },
      accepted: { stack: "prod-elasticache", redis: { snapshotWindow: "03:00-04:00" } },
    },
    {
      key: "redis.engineVersion",
      refused: { stack: "prod-elasticache", redis: { engineVersion: "6.2" } },
      accepted: { stack: "prod-elasticache", redis: { engineVersion: "8.0" } },
    },
  ],
};

/** Mandatory rules with no stack-file key: the program always does the right thing. */
const NO_CONFIG_KEY: Record<string, string> = {
  "redis-requires-auth": "components/local-redis.ts always writes ACL users with passwords",
  "redis-backend-defined": "stacks/redis-backend.ts always builds one back end for redis.mode",
  "redis-healthcheck-read-only":
    "the Redis probe is built by components/lib/healthcheck.ts (PING), not configured",
  "redis-healthcheck-checks-reply": "the Redis probe greps for PONG, not configured",
  "container-not-privileged": "no config key sets privileged",
  "container-no-sensitive-mounts": "no config key adds mounts",
  "container-log-rotation": "log options are fixed by the components",
  "elasticache-encryption":
    "components/elasticache-valkey.ts always encrypts at rest and in transit",
  "elasticache-auth-required": "the auth token is always generated",
  "elasticache-auth-token-format": "the auth token is always generated in the provider's charset",
  "elasticache-engine": "the engine is always valkey",
  "elasticache-no-standalone-cluster":
    "the component only creates replication groups or serverless caches",
  "unknown-value-provenance":
    "secrets come from random.RandomPassword or --secret config, never from other outputs",
  "container-destroy-grace":
    "destroyGraceSeconds follows api.stopTimeout, which config bounds to 1s-10m",
  "redis-entrypoint-can-restart":
    "the Redis command and user are built by components/local-redis-server.ts",
  "published-ports-reachable":
    "hostIp and ports are checked in config (IP address, 1-65535, no clash)",
  "container-no-new-privileges": "security options are fixed by the components",
  "container-no-unconfined-profiles": "security options are fixed by the components",
  "container-drops-all-capabilities": "capabilities are fixed by the components",
  "container-no-sensitive-volume-binds": "no config key adds volumes",
  // Issue 22: the AWS rules judge what components/ecs-*.ts and elasticache-*.ts write; no key
  // of the stack file reaches the fields they judge.
  "ecs-container-healthcheck":
    "the ECS health check is api.healthcheck, whose startPeriod the healthcheck-timing pair bounds",
  "ecs-task-network-mode": "components/ecs-service.ts always sets networkMode awsvpc",
  "ecs-service-no-iam-role": "components/ecs-service.ts never sets a service iamRole",
  "ecs-container-insights": "components/ecs-platform.ts always enables containerInsights",
  "log-group-retention":
    "retentionInDays comes from logRetentionDays, which config holds to CloudWatch's values",
  "aws-ingress-not-world-open":
    "the components open only 80/443 on the ALB's group; tasks and caches admit groups, not CIDRs",
  "iam-no-wildcard-permissions": "the components write every IAM document; no key grants actions",
  "iam-no-passrole-wildcard": "the components grant no iam:PassRole",
  "iam-trust-policy-restricted": "the components' roles trust only ecs-tasks.amazonaws.com",
  "secretsmanager-policy-restricted": "the components attach no resource policy to a secret",
  "ecs-task-roles-least-privilege":
    "the execution role reads only its own secrets and logs, and the task role gets no policy",
};

describe("config refuses first what a mandatory prod rule refuses", () => {
  it("every mandatory rule in prod.json is paired or says why it has no config key", () => {
    const unaccounted = mandatory.filter((p) => !(p in PAIRS) && !(p in NO_CONFIG_KEY));
    expect(unaccounted).toEqual([]);
    const stale = [...Object.keys(PAIRS), ...Object.keys(NO_CONFIG_KEY)].filter(
      (p) => !mandatory.includes(p),
    );
    expect(stale).toEqual([]);
  });

  const rows = Object.entries(PAIRS).flatMap(([policy, list]) =>
    list.map((p, i) => ({ policy, i, ...p })),
  );
  it.each(rows)("$policy #$i: `$key`", ({ key, refused, accepted }) => {
    const found = problems(refused);
    expect(found.join("\n")).toContain(`\`api-stack:${key}\``);
    if (accepted) {
      const still = problems(accepted).filter((m) => m.includes(`\`api-stack:${key}\``));
      expect(still).toEqual([]);
    }
  });
});
