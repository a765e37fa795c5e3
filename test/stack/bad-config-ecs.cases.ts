/**
 * Issue 14's config corpus: `platform: ecs` mistakes. Each starts from the real
 * Pulumi.prod-ecs.yaml and changes one setting; the message names the key and the fix.
 */
import { merge, stackObject } from "../helpers/stack-blocks";
import type { BadConfigCase } from "./bad-config.cases";

type Obj = Record<string, unknown>;

const ecs = (patch: Obj): Obj => ({
  "api-stack:ecs": merge(stackObject("prod-ecs", "ecs"), patch),
});
const jobs = (patch: Obj): Obj => ({
  "api-stack:workers": {
    jobs: merge((stackObject("prod-ecs", "workers").jobs ?? {}) as Obj, patch),
  },
});
const stack = "prod-ecs" as const;
const monitoring = (patch: Obj): Obj => ({
  "api-stack:monitoring": merge(stackObject("prod-ecs", "monitoring"), patch),
});

export const ECS_CASES: BadConfigCase[] = [
  {
    name: "a local Redis on ECS",
    stack,
    overrides: { "api-stack:redis": stackObject("prod", "redis") },
    expect: ["`api-stack:redis.mode`", 'is "local"', "use `redis.mode: elasticache`"],
  },
  {
    name: "platform ecs without the ecs block",
    stack,
    overrides: { "api-stack:ecs": undefined },
    expect: ["`api-stack:ecs` is required with `platform: ecs`"],
  },
  {
    name: "the ecs block on a docker stack",
    stack: "prod",
    overrides: { "api-stack:ecs": stackObject("prod-ecs", "ecs") },
    expect: ["`api-stack:ecs` only applies to `platform: ecs`"],
  },
  {
    name: "an unknown platform",
    stack,
    overrides: { "api-stack:platform": "fargate" },
    expect: ["`api-stack:platform`", '"docker", "ecs"'],
  },
  {
    name: "no aws:region",
    stack,
    overrides: { "aws:region": undefined },
    expect: ["`aws:region` is required with `platform: ecs`", "pulumi config set aws:region"],
  },
  {
    name: "the certificate in another region than aws:region",
    stack,
    overrides: ecs({
      certificateArn:
        "arn:aws:acm:us-east-1:123456789012:certificate/0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
    }),
    expect: ["`api-stack:ecs.certificateArn`", "us-east-1", "eu-central-1"],
  },
  {
    name: "a certificate ARN that is not ACM's",
    stack,
    overrides: ecs({ certificateArn: "arn:aws:iam::123456789012:server-certificate/api" }),
    expect: ["`api-stack:ecs.certificateArn`", "must be an ACM certificate ARN"],
  },
  {
    name: "one public subnet",
    stack,
    overrides: ecs({ publicSubnetIds: ["subnet-0123456789abcdef0"] }),
    expect: ["`api-stack:ecs.publicSubnetIds`", "at least two public subnets"],
  },
  {
    name: "no private subnets",
    stack,
    overrides: ecs({ privateSubnetIds: undefined }),
    expect: ["`api-stack:ecs.privateSubnetIds` is required", "privateSubnetTags"],
  },
  {
    name: "a public subnet also listed as private",
    stack,
    overrides: ecs({ privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0ee55ff66aa77bb88"] }),
    expect: [
      "`api-stack:ecs.privateSubnetIds`",
      "subnet-0123456789abcdef0",
      "tasks belong in private subnets",
    ],
  },
  {
    name: "a TLS 1.0 listener policy",
    stack,
    overrides: ecs({ sslPolicy: "ELBSecurityPolicy-2016-08" }),
    expect: ["`api-stack:ecs.sslPolicy`", "must be one of", "ELBSecurityPolicy-TLS13-1-2-2021-06"],
  },
  {
    name: "ECS Exec on in production",
    stack,
    overrides: ecs({ enableExecuteCommand: true }),
    expect: ["`api-stack:ecs.enableExecuteCommand` must be false in production"],
  },
  {
    name: "ALB deletion protection off in production",
    stack,
    overrides: ecs({ deletionProtection: false }),
    expect: [
      "`api-stack:ecs.deletionProtection` must not be false in production",
      "aws-lb-hardening",
    ],
  },
  {
    name: "ECS Exec on outside production, where the read-only root filesystem defeats it",
    stack,
    overrides: { ...ecs({ enableExecuteCommand: true }), "api-stack:environment": "development" },
    expect: [
      "`api-stack:ecs.enableExecuteCommand` cannot work here",
      "read-only root filesystem, which ECS Exec does not support",
    ],
  },
  {
    name: "a log retention CloudWatch does not offer",
    stack,
    overrides: ecs({ logRetentionDays: 10 }),
    expect: ["`api-stack:ecs.logRetentionDays`", "CloudWatch's retention periods"],
  },
  {
    name: "the cache in another VPC than the tasks",
    stack,
    redis: { vpcId: "vpc-0fffffffffffffff0" },
    expect: ["`api-stack:redis.vpcId`", "differs from `ecs.vpcId`", "one VPC"],
  },
  {
    name: "an edge proxy on ECS",
    stack,
    overrides: { "api-stack:edge": stackObject("prod", "edge") },
    expect: ["`api-stack:edge` does not apply to `platform: ecs`", "ALB"],
  },
  {
    name: "api.hostPort on ECS",
    stack,
    api: { hostPort: 8080 },
    expect: ["`api-stack:api.hostPort` does not apply to `platform: ecs`"],
  },
  {
    name: "maxRetryCount on ECS",
    stack,
    api: { restart: "on-failure", maxRetryCount: 5 },
    expect: ["`api-stack:api.maxRetryCount` does not apply to `platform: ecs`", "circuit breaker"],
  },
  {
    name: "one API task in production",
    stack,
    api: { replicas: 1, scaling: { min: 1 } },
    expect: ["`api-stack:api.replicas` (1) must be at least 2 on ECS in production"],
  },
  {
    name: "one worker task in production",
    stack,
    overrides: jobs({ replicas: 1, scaling: { min: 1 } }),
    expect: ["`api-stack:workers.jobs.replicas` (1) must be at least 2"],
  },
  {
    name: "replicas above scaling.max",
    stack,
    api: { replicas: 8 },
    expect: ["`api-stack:api.replicas` (8) must lie within `api.scaling` min–max (2–6)"],
  },
  {
    name: "a start period longer than ECS allows",
    stack,
    api: { healthcheck: { startPeriod: "400s" } },
    expect: [
      "`api-stack:api.healthcheck.startPeriod` (on ECS Fargate) `startPeriod` (400 s) is outside ECS's range 0–300 s",
    ],
  },
  {
    name: "a stop grace longer than Fargate allows",
    stack,
    api: { stopTimeout: "150s" },
    expect: ["`api-stack:api.stopTimeout` (150s) is above Fargate's longest stopTimeout, 120s"],
  },
  {
    name: "a task size Fargate does not have",
    stack,
    api: { cpus: 32 },
    expect: ["`api-stack:api.cpus` (on ECS Fargate) no Fargate task size", "valid sizes are"],
  },
  {
    name: "scaling on a docker stack",
    stack: "prod",
    api: { scaling: { min: 2, max: 4 } },
    expect: ["`api-stack:api.scaling` only applies to `platform: ecs`", "replicas"],
  },
  // Issue 24: the alarms page someone only if `monitoring` says whom, on ECS by email or webhook.
  {
    name: "production ECS without monitoring",
    stack,
    overrides: { "api-stack:monitoring": undefined },
    expect: [
      "`api-stack:monitoring` is required in production with `platform: ecs`",
      "receiver: email",
    ],
  },
  {
    name: "a Slack receiver on ECS",
    stack,
    overrides: monitoring({ receiver: "slack", email: undefined, slackChannel: "#alerts" }),
    secrets: { "api-stack:alertWebhookUrl": "https://hooks.slack.com/services/T0/B0/abcdef" },
    expect: ['("slack") does not apply to `platform: ecs`', '"webhook"'],
  },
  {
    name: "a webhook receiver without its URL",
    stack,
    overrides: monitoring({ receiver: "webhook", email: undefined }),
    expect: ["`api-stack:alertWebhookUrl` is required with `monitoring.receiver: webhook`"],
  },
  {
    name: "an email receiver without an address",
    stack,
    overrides: monitoring({ email: undefined }),
    expect: ["`api-stack:monitoring.email` is required with `receiver: email`"],
  },
  {
    name: "a Prometheus setting on ECS",
    stack,
    overrides: monitoring({ retention: "360h" }),
    expect: ["`api-stack:monitoring.retention` applies to `platform: docker` only"],
  },
];
