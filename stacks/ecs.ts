/**
 * `platform: ecs`: the same services on ECS Fargate behind an ALB (issue 14). The ALB sits in
 * the public subnets, the tasks in the private ones; the cache (ElastiCache, or an external
 * URL) admits only the tasks' security groups.
 */
import * as pulumi from "@pulumi/pulumi";
import { EcsAlarms, type EcsAlarmsSubscription } from "../components/ecs-alarms";
import { EcsPlatform } from "../components/ecs-platform";
import { EcsService } from "../components/ecs-service";
import type { StackSecrets } from "../components/stack-secrets";
import { ecsServiceSettings, servicesOf, type StackConfig } from "./config";
import { ALERT_SECRET_KEY } from "./config/monitoring";
import { createRedisBackend, subnetsOf, type RedisBackend } from "./redis-backend";

export interface EcsStack {
  readonly platform: EcsPlatform;
  readonly redis: RedisBackend;
  /** By service key: "api", "workers.jobs". */
  readonly services: (readonly [string, EcsService])[];
  /** With `monitoring`: the CloudWatch alarms, their topic and the dashboard. */
  readonly alarms?: EcsAlarms;
}

export function createEcsStack(
  cfg: StackConfig,
  secrets: StackSecrets,
  secretEnv: pulumi.Output<Record<string, string>> | undefined,
  config: pulumi.Config,
): EcsStack {
  // stacks/config/platform.ts has refused `platform: ecs` without `ecs` or `aws:region`.
  const e = cfg.ecs as NonNullable<StackConfig["ecs"]>;
  const region = cfg.awsRegion as string;
  const at = (key: string) => ({ key: `ecs.${key}`, stack: cfg.stack });
  const platform = new EcsPlatform("ecs", {
    vpcId: e.vpcId,
    publicSubnetIds: subnetsOf(
      e.vpcId,
      e.publicSubnetIds,
      e.publicSubnetTags,
      at("publicSubnetTags"),
      "the ALB needs at least two public subnets, in different AZs",
    ),
    certificateArn: e.certificateArn,
    sslPolicy: e.sslPolicy,
    ingressCidrs: e.ingressCidrs,
    idleTimeoutSeconds: e.idleTimeoutSeconds,
    deletionProtection: e.deletionProtection,
    production: cfg.production,
    stack: cfg.stack,
  });
  const privateSubnetIds = subnetsOf(
    e.vpcId,
    e.privateSubnetIds,
    e.privateSubnetTags,
    at("privateSubnetTags"),
    "the tasks need at least two private subnets, in different AZs",
  );

  // The cache admits the tasks' security groups, which exist only once the services do, and the
  // services need the cache's connection: deferred outputs close that cycle (@pulumi/pulumi
  // output.ts, `deferredOutput`).
  const entries = servicesOf(cfg);
  const groups = entries.map(() => pulumi.deferredOutput<string>());
  const redis = createRedisBackend(
    cfg,
    secrets,
    undefined,
    config,
    groups.map(([sg]) => sg),
  );

  // One Secrets Manager secret per name: the names are known from the stack file, the values
  // stay inside the secret Output.
  const secretValues = Object.fromEntries(
    cfg.secrets.secretEnvNames.map((n) => [n, secretEnv?.apply((o) => o[n] as string)]),
  ) as Record<string, pulumi.Output<string>>;
  const services = entries.map(({ key, service }, i) => {
    const name = key.replace(/^workers\./, "");
    const svc = new EcsService(name, {
      ...ecsServiceSettings(service, e),
      platform,
      subnetIds: privateSubnetIds,
      region,
      redis: redis.connection,
      secretKey: secrets.secretKey as pulumi.Output<string>,
      secretEnv: secretValues,
      stack: cfg.stack,
    });
    groups[i]?.[1](svc.taskSecurityGroupId);
    return [key, svc] as const;
  });
  const alarms = cfg.monitoring && createAlarms(cfg, config, platform, redis, services, region);
  return { platform, redis, services, alarms };
}

/** The receiver from `monitoring`: email, a webhook (its URL the secret), or none. */
function subscriptionOf(
  cfg: StackConfig,
  config: pulumi.Config,
): EcsAlarmsSubscription | undefined {
  const m = cfg.monitoring;
  // stacks/config/monitoring.ts has refused `email` without an address, `webhook` without the
  // secret, and `slack` on ECS.
  if (m?.receiver === "email") return { protocol: "email", endpoint: m.email as string };
  if (m?.receiver === "webhook")
    return { protocol: "https", endpoint: config.requireSecret(ALERT_SECRET_KEY) };
  return undefined;
}

function createAlarms(
  cfg: StackConfig,
  config: pulumi.Config,
  platform: EcsPlatform,
  redis: RedisBackend,
  services: readonly (readonly [string, EcsService])[],
  region: string,
): EcsAlarms {
  // The API is the stack's one web service (servicesOf puts it first), so it has the target group.
  const api = services.find(([key]) => key === "api")?.[1] as EcsService;
  const targetGroup = api.targetGroup as NonNullable<EcsService["targetGroup"]>;
  return new EcsAlarms("alarms", {
    loadBalancerArnSuffix: platform.albArnSuffix,
    targetGroupArnSuffix: targetGroup.arnSuffix,
    clusterName: platform.clusterName,
    services: services.map(([key, s]) => ({
      key,
      serviceName: s.serviceName,
      desiredCount: s.desiredCount,
    })),
    cache: redis.cacheMembers,
    subscription: subscriptionOf(cfg, config),
    region,
    stack: cfg.stack,
  });
}
