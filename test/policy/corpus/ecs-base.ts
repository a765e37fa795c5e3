/**
 * Known-good ECS-on-Fargate stacks as the plain @pulumi/aws resources a program registers
 * (issue 14): an ALB security group open on 80/443, a task security group that admits only the
 * ALB's group on 3003, a Fargate task definition (containerDefinitions a JSON string, as
 * ecs/taskDefinition.d.ts types it) with a hardened API container whose secrets come through
 * `secrets`, a target group probing the container's /health, an HTTPS listener and an HTTP one
 * that only redirects, and the service. `preview` gives what a first preview sends: every ARN and
 * ID unknown, the links carried by propertyDependencies.
 */
import { ResourceRecord, UNKNOWN } from "../../../gate";
import { res, T } from "./base";

type Props = Record<string, unknown>;
export type Mutate = (p: Props) => void;

export const E = {
  service: "aws:ecs/service:Service",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  listener: "aws:lb/listener:Listener",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  albListener: "aws:alb/listener:Listener",
  albTargetGroup: "aws:alb/targetGroup:TargetGroup",
} as const;

const ACCOUNT = "arn:aws:ecs:eu-west-1:123456789012";
export const TD_ARN = `${ACCOUNT}:task-definition/api-stack-prod-api:7`;
export const TG_ARN =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-stack-prod-api/6d0ecf831eec9f09";
const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-stack-prod";

/** The API container as the ECS component would render it. */
export function apiContainer(): Props {
  return {
    name: "api",
    image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2",
    essential: true,
    user: "1000",
    readonlyRootFilesystem: true,
    privileged: false,
    portMappings: [{ containerPort: 3003, protocol: "tcp" }],
    environment: [
      { name: "PORT", value: "3003" },
      { name: "NODE_ENV", value: "production" },
      { name: "REDIS_TLS", value: "true" },
    ],
    secrets: [
      { name: "REDIS_URL", valueFrom: `${SECRET}/redis-url-AbCdEf` },
      { name: "REDIS_PASSWORD", valueFrom: `${SECRET}/redis-password-AbCdEf` },
      { name: "SECRET_KEY", valueFrom: `${SECRET}/secret-key-AbCdEf` },
    ],
    healthCheck: {
      command: ["CMD-SHELL", "curl -fsS http://localhost:3003/health || exit 1"],
      interval: 10,
      timeout: 3,
      retries: 3,
      startPeriod: 90,
    },
    stopTimeout: 30,
    mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp" }],
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/ecs/api-stack-prod/api",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "api",
      },
    },
  };
}

/** The security groups' URNs, and their IDs as the rules referencing them see them. */
export interface SgIds {
  readonly taskSg: string;
  readonly albSg: string;
  readonly taskSgId: string;
  readonly albSgId: string;
}

export interface EcsOpts {
  /** What a first preview's AnalyzeStack sends: ARNs and IDs unknown. */
  readonly preview?: boolean;
  /** Register the listeners and the target group under the provider's aws:alb/* tokens. */
  readonly albTokens?: boolean;
  readonly container?: Mutate;
  /** Replaces the container list (after `container`). */
  readonly containers?: (api: Props) => Props[];
  readonly taskDef?: Mutate;
  readonly service?: Mutate;
  readonly targetGroup?: Mutate;
  readonly https?: Mutate;
  readonly http?: Mutate;
  readonly taskSg?: Mutate;
  /** The load balancer that uses the ALB's group (aws-ingress-not-world-open, aws-lb-hardening). */
  readonly lb?: Mutate;
  /** The API's alarms (ecs-production-alarms), by metric; `alarms` may also drop one. */
  readonly alarms?: (alarms: Record<AlarmRole, Props>) => void;
  readonly topic?: Mutate;
  /** Extra resources (standalone ingress rules, a second service …). */
  readonly extra?: (ids: SgIds) => ResourceRecord[];
}

const known = (preview: boolean | undefined, v: string): string => (preview ? UNKNOWN : v);

export type AlarmRole = "5xx" | "latency" | "unhealthy";
export const TG_SUFFIX = "targetgroup/api-stack-prod-api/6d0ecf831eec9f09";
export const LB_SUFFIX = "app/api/1";
export const TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:api-stack-prod-alarms-1a2b3c4";

/**
 * The API's alarms as components/ecs-alarms.ts registers them: the 5xx rate as metric math over
 * the target group's 5xx and request counts, P99 latency and unhealthy targets as plain metrics,
 * each with alarm and OK actions to the topic. At preview the dimensions and the topic's ARN are
 * unknown and carried by propertyDependencies, as the engine sends them.
 */
function alarmsOf(
  pv: boolean | undefined,
  opts: EcsOpts,
  urns: { tg: string; alb: string },
): ResourceRecord[] {
  const topicProps: Props = { name: "api-stack-prod-alarms-1a2b3c4", arn: known(pv, TOPIC_ARN) };
  opts.topic?.(topicProps);
  const topic = res("aws:sns/topic:Topic", "alarms-topic", topicProps);
  const dims = { LoadBalancer: known(pv, LB_SUFFIX), TargetGroup: known(pv, TG_SUFFIX) };
  const actions = { alarmActions: [known(pv, TOPIC_ARN)], okActions: [known(pv, TOPIC_ARN)] };
  const metric = (metricName: string, stat: string) => ({
    namespace: "AWS/ApplicationELB",
    metricName,
    stat,
    period: 60,
    dimensions: { ...dims },
  });
  const alarms: Record<AlarmRole, Props> = {
    "5xx": {
      ...actions,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 1,
      metricQueries: [
        { id: "errors", returnData: false, metric: metric("HTTPCode_Target_5XX_Count", "Sum") },
        { id: "requests", returnData: false, metric: metric("RequestCount", "Sum") },
        {
          id: "rate",
          returnData: true,
          expression: "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
        },
      ],
    },
    latency: {
      ...actions,
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      extendedStatistic: "p99",
      period: 60,
      threshold: 0.5,
      evaluationPeriods: 2,
      comparisonOperator: "GreaterThanThreshold",
      dimensions: { ...dims },
    },
    unhealthy: {
      ...actions,
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      statistic: "Maximum",
      period: 60,
      threshold: 0,
      evaluationPeriods: 3,
      comparisonOperator: "GreaterThanThreshold",
      dimensions: { ...dims },
    },
  };
  opts.alarms?.(alarms);
  const from = [urns.alb, urns.tg];
  return [
    topic,
    ...Object.entries(alarms).map(([role, p]) =>
      res("aws:cloudwatch/metricAlarm:MetricAlarm", `alarms-api-${role}`, p, {
        dependencies: [...from, topic.urn],
        propertyDependencies: {
          [p.metricQueries ? "metricQueries" : "dimensions"]: from,
          alarmActions: [topic.urn],
          okActions: [topic.urn],
        },
      }),
    ),
  ];
}

/** The whole ECS stack, one setting changed by `opts`. */
export function ecsStack(opts: EcsOpts = {}): ResourceRecord[] {
  const pv = opts.preview;
  const albSg = res(T.sg, "alb-sg", {
    id: known(pv, "sg-0a1b2c3d4e5f60001"),
    vpcId: "vpc-0123456789abcdef0",
    ingress: [
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
    ],
  });
  const taskSgProps: Props = {
    id: known(pv, "sg-0a1b2c3d4e5f60002"),
    vpcId: "vpc-0123456789abcdef0",
    ingress: [
      {
        protocol: "tcp",
        fromPort: 3003,
        toPort: 3003,
        securityGroups: [known(pv, "sg-0a1b2c3d4e5f60001")],
      },
    ],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
  };
  opts.taskSg?.(taskSgProps);
  const taskSg = res(T.sg, "task-sg", taskSgProps, {
    dependencies: [albSg.urn],
    propertyDependencies: { ingress: [albSg.urn] },
  });

  const api = apiContainer();
  opts.container?.(api);
  const tdProps: Props = {
    arn: known(pv, TD_ARN),
    family: "api-stack-prod-api",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "512",
    memory: "1024",
    executionRoleArn: "arn:aws:iam::123456789012:role/api-stack-prod-exec",
    volumes: [{ name: "tmp" }],
    containerDefinitions: JSON.stringify(opts.containers ? opts.containers(api) : [api]),
  };
  opts.taskDef?.(tdProps);
  const td = res(E.taskDef, "api-task", tdProps);

  const tgProps: Props = {
    arn: known(pv, TG_ARN),
    arnSuffix: known(pv, TG_SUFFIX),
    port: 3003,
    protocol: "HTTP",
    targetType: "ip",
    vpcId: "vpc-0123456789abcdef0",
    deregistrationDelay: 30,
    healthCheck: {
      enabled: true,
      path: "/health",
      interval: 15,
      timeout: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
      matcher: "200",
    },
  };
  opts.targetGroup?.(tgProps);
  const tg = res(opts.albTokens ? E.albTargetGroup : E.targetGroup, "api-tg", tgProps);

  const listener = opts.albTokens ? E.albListener : E.listener;
  const lbArn = known(
    pv,
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/1",
  );
  const httpsProps: Props = {
    loadBalancerArn: lbArn,
    port: 443,
    protocol: "HTTPS",
    certificateArn:
      "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-000000000001",
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    defaultActions: [{ type: "forward", targetGroupArn: known(pv, TG_ARN) }],
  };
  opts.https?.(httpsProps);
  const https = res(listener, "https", httpsProps, {
    dependencies: [tg.urn],
    propertyDependencies: { defaultActions: [tg.urn] },
  });
  const httpProps: Props = {
    loadBalancerArn: lbArn,
    port: 80,
    protocol: "HTTP",
    defaultActions: [
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ],
  };
  opts.http?.(httpProps);
  const http = res(listener, "http", httpProps);

  const serviceProps: Props = {
    name: "api-stack-prod-api",
    cluster: known(pv, `${ACCOUNT}:cluster/api-stack-prod`),
    taskDefinition: known(pv, TD_ARN),
    launchType: "FARGATE",
    desiredCount: 2,
    deploymentMinimumHealthyPercent: 100,
    deploymentMaximumPercent: 200,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    healthCheckGracePeriodSeconds: 120,
    enableExecuteCommand: false,
    networkConfiguration: {
      subnets: ["subnet-0private0000000a", "subnet-0private0000000b"],
      securityGroups: [known(pv, "sg-0a1b2c3d4e5f60002")],
      assignPublicIp: false,
    },
    loadBalancers: [
      { targetGroupArn: known(pv, TG_ARN), containerName: "api", containerPort: 3003 },
    ],
  };
  opts.service?.(serviceProps);
  const service = res(E.service, "api-service", serviceProps, {
    dependencies: [td.urn, tg.urn, taskSg.urn, https.urn],
    propertyDependencies: {
      taskDefinition: [td.urn],
      loadBalancers: [tg.urn],
      networkConfiguration: [taskSg.urn],
    },
  });
  const extra =
    opts.extra?.({
      taskSg: taskSg.urn,
      albSg: albSg.urn,
      taskSgId: String(taskSgProps.id),
      albSgId: String(albSg.properties.id),
    }) ?? [];
  // The ALB itself: the ALB group may open 80/443 to the world only because a load balancer uses it.
  const lbProps: Props = {
    arn: known(pv, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/1"),
    arnSuffix: known(pv, LB_SUFFIX),
    loadBalancerType: "application",
    internal: false,
    subnets: ["subnet-0public00000000a", "subnet-0public00000000b"],
    securityGroups: [known(pv, "sg-0a1b2c3d4e5f60001")],
    dropInvalidHeaderFields: true,
    enableDeletionProtection: true,
  };
  opts.lb?.(lbProps);
  const alb = res("aws:lb/loadBalancer:LoadBalancer", "alb", lbProps, {
    dependencies: [albSg.urn],
    propertyDependencies: { securityGroups: [albSg.urn] },
  });
  const alarms = alarmsOf(pv, opts, { tg: tg.urn, alb: alb.urn });
  return [albSg, taskSg, td, tg, https, http, service, alb, ...alarms, ...extra];
}
