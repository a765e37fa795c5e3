/**
 * The good ECS stacks (issue 14) every ECS bad case is one setting away from, and the helpers the
 * bad cases (ecs.ts, ecs-containers.ts) are written with.
 */
import { ResourceRecord } from "../../../gate";
import { res, T } from "./base";
import { apiContainer, ecsStack, EcsOpts, SgIds } from "./ecs-base";
import { BadCase, GoodCase } from "./types";

type Props = Record<string, unknown>;

export interface EcsCase extends BadCase {
  readonly twin: readonly ResourceRecord[];
}

export const ingressRule = (name: string, props: (ids: SgIds) => Props) => (ids: SgIds) => [
  res(T.sgIngress, name, props(ids), {
    dependencies: [ids.taskSg, ids.albSg],
    propertyDependencies: { securityGroupId: [ids.taskSg], referencedSecurityGroupId: [ids.albSg] },
  }),
];

export const fromAlb = ingressRule("task-from-alb", (ids) => ({
  securityGroupId: ids.taskSgId,
  referencedSecurityGroupId: ids.albSgId,
  ipProtocol: "tcp",
  fromPort: 3003,
  toPort: 3003,
}));

/** A worker service without a load balancer, beside the API (its own task definition). */
const worker = (): ResourceRecord[] => {
  const c = {
    ...apiContainer(),
    name: "worker",
    command: ["node", "dist/worker.js"],
    portMappings: [],
    healthCheck: {
      command: ["CMD", "node", "dist/worker-health.js"],
      interval: 15,
      timeout: 5,
      retries: 3,
      startPeriod: 30,
    },
  };
  const td = res("aws:ecs/taskDefinition:TaskDefinition", "worker-task", {
    arn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api-stack-prod-worker:3",
    family: "api-stack-prod-worker",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    containerDefinitions: JSON.stringify([c]),
  });
  const svc = res("aws:ecs/service:Service", "worker-service", {
    taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api-stack-prod-worker:3",
    desiredCount: 2,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    networkConfiguration: {
      subnets: ["subnet-0private0000000a", "subnet-0private0000000b"],
      securityGroups: ["sg-0a1b2c3d4e5f60002"],
      assignPublicIp: false,
    },
  });
  return [td, svc];
};

export const GOOD: Record<string, EcsOpts> = {
  base: {},
  preview: { preview: true },
  alb: { albTokens: true },
  rule: { taskSg: (p) => (p.ingress = []), extra: fromAlb },
  "rule-preview": { preview: true, taskSg: (p) => (p.ingress = []), extra: fromAlb },
  tls13: {
    https: (p) => (p.sslPolicy = "ELBSecurityPolicy-TLS13-1-3-2021-06"),
    container: (c) =>
      ((c.healthCheck as Props).command = ["CMD", "wget", "-qO-", "http://127.0.0.1:3003/health"]),
  },
  worker: { extra: worker },
  "named-user": {
    container: (c) => (c.user = "node:node"),
    service: (p) => (p.desiredCount = 4),
  },
  // A program's own alarm: the 5xx count rather than components/ecs-alarms.ts's rate, to a
  // topic outside the stack by its known ARN.
  "plain-alarms": {
    alarms: (a) => {
      const rate = a["5xx"] as Props;
      const errors = (rate.metricQueries as Props[])[0]?.metric as Props;
      delete rate.metricQueries;
      Object.assign(rate, {
        namespace: errors.namespace,
        metricName: errors.metricName,
        statistic: "Sum",
        period: 60,
        dimensions: errors.dimensions,
        threshold: 10,
        alarmActions: ["arn:aws:sns:eu-west-1:123456789012:oncall"],
      });
    },
  },
};

export const ecsGoodCases: GoodCase[] = Object.entries({
  base: "ECS: Fargate API behind an HTTPS ALB, all links known",
  preview: "ECS: the same stack at first preview, every ARN and ID unknown",
  alb: "ECS: listeners and target group under the aws:alb/* tokens",
  rule: "ECS: task ingress as a standalone SecurityGroupIngressRule from the ALB's group",
  "rule-preview": "ECS: the standalone ingress rule at first preview",
  tls13: "ECS: a TLS 1.3-only policy and a wget probe",
  worker: "ECS: a worker service without a load balancer beside the API",
  "named-user": "ECS: a named non-root user and four tasks",
  "plain-alarms": "ECS: a plain 5xx-count alarm to a topic outside the stack",
}).map(([k, name]) => ({ name, stack: ecsStack(GOOD[k]) }));

/** A builder of bad cases, each `change` applied to one of `goods`, that good stack its twin. */
export const caseBuilder =
  (goods: Record<string, EcsOpts>) =>
  (
    name: string,
    lesson: string,
    good: keyof typeof goods,
    change: EcsOpts,
    expect: BadCase["expect"],
  ): EcsCase => {
    const g = goods[good]!;
    return { name, lesson, stack: ecsStack({ ...g, ...change }), twin: ecsStack(g), expect };
  };

export const ecs = caseBuilder(GOOD);

export const P = {
  grace: "ecs-grace-covers-start-period",
  secrets: "ecs-no-secrets-in-environment",
  net: "ecs-task-network",
  cb: "ecs-deployment-circuit-breaker",
  tls: "ecs-alb-tls",
  hard: "ecs-container-hardening",
  hc: "ecs-container-healthcheck",
  count: "ecs-desired-count",
  exec: "ecs-exec-disabled",
  tg: "ecs-target-group-health",
  alarms: "ecs-production-alarms",
};

export const env = (name: string, value: string) => (c: Props) =>
  (c.environment as Props[]).push({ name, value });
export const hc = (k: string, v: unknown) => (c: Props) => ((c.healthCheck as Props)[k] = v);
export const svc = (k: string, v: unknown) => (p: Props) => (p[k] = v);
export const tgHc = (k: string, v: unknown) => (p: Props) => ((p.healthCheck as Props)[k] = v);
export const net = (k: string, v: unknown) => (p: Props) =>
  ((p.networkConfiguration as Props)[k] = v);
