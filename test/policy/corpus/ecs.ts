/**
 * ECS-on-Fargate deployments (issue 14), from real ECS failure modes: the service, its network
 * and the ALB's listeners here, the containers and target groups in ecs-containers.ts. Each bad
 * case changes one setting of a good ECS stack (ecs-good.ts), named in `twin`;
 * test/policy/rules/ecs.test.ts checks that, and that every twin is in `ecsGoodCases`. Sources for
 * each belief are in policy/rules/ecs*.ts and policy/lib/ecs*.ts.
 */
import { res, T } from "./base";
import { TG_SUFFIX } from "./ecs-base";
import { ecsContainerCases } from "./ecs-containers";
import { ecs, EcsCase, env, fromAlb, hc, ingressRule, net, P, svc, tgHc } from "./ecs-good";

export { ecsGoodCases } from "./ecs-good";

type Props = Record<string, unknown>;
export type { EcsCase } from "./ecs-good";

const serviceCases: EcsCase[] = [
  ecs(
    "grace 0 with a 90 s start period",
    "the ALB failed new tasks before the app listened; ECS killed them in a loop",
    "base",
    { service: svc("healthCheckGracePeriodSeconds", 0) },
    [{ policy: P.grace, message: /healthCheckGracePeriodSeconds` 0.*startPeriod` 90/ }],
  ),
  ecs(
    "grace unset",
    "the default grace is 0",
    "base",
    { service: (p) => delete p.healthCheckGracePeriodSeconds },
    [{ policy: P.grace, message: /healthCheckGracePeriodSeconds` 0/ }],
  ),
  ecs(
    "start period 180 s beyond a 120 s grace",
    "a slower JVM start outgrew the grace period nobody raised",
    "base",
    { container: hc("startPeriod", 180) },
    [{ policy: P.grace, message: /120 but container "api" needs.*180/ }],
  ),
  ecs(
    "REDIS_PASSWORD in environment",
    "the password sat in plain text in every task definition revision",
    "base",
    { container: env("REDIS_PASSWORD", "Vq7mK2pX9rT4wL8zN3cF6hJ1sD5gB0aY") },
    [
      {
        policy: P.secrets,
        message: /REDIS_PASSWORD in `environment`.*`secrets: \[\{ name: "REDIS_PASSWORD"/,
      },
    ],
  ),
  ecs(
    "SECRET_KEY in environment",
    "the signing key was readable with ecs:DescribeTaskDefinition",
    "base",
    {
      container: env(
        "SECRET_KEY",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      ),
    },
    [{ policy: P.secrets, message: /SECRET_KEY/ }],
  ),
  ecs(
    "a Redis URL with its password in environment",
    "REDIS_URL carried the password inside the URL",
    "base",
    {
      container: env("CACHE_URL", "rediss://:Vq7mK2pX9rT4wL8zN3cF6hJ1sD5gB0aY@cache.internal:6379"),
    },
    [{ policy: P.secrets, message: /CACHE_URL.*Redis URL with a password \(rediss:\/\/:\*\*\*@/ }],
  ),
  ecs(
    "an AWS access key in environment",
    "long-lived keys in env instead of the task role",
    "base",
    { container: env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE") },
    [{ policy: P.secrets, message: /AWS_ACCESS_KEY_ID.*AWS access key id/ }],
  ),
  ecs(
    "a public IP on tasks",
    "tasks in public subnets answered the internet directly, around the ALB",
    "base",
    { service: net("assignPublicIp", true) },
    [{ policy: P.net, message: /assignPublicIp` true/ }],
  ),
  ecs(
    "a world-open task SG",
    "0.0.0.0/0 on the container port for a quick test, never removed",
    "base",
    {
      taskSg: (p) =>
        (p.ingress as Props[]).push({
          protocol: "tcp",
          fromPort: 3003,
          toPort: 3003,
          cidrBlocks: ["0.0.0.0/0"],
        }),
    },
    [
      {
        policy: P.net,
        message:
          /ingress\[1\]` of task security group "task-sg".*0\.0\.0\.0\/0 \(the whole internet\)/,
      },
    ],
  ),
  ecs(
    "::/0 through a standalone ingress rule",
    "IPv6 left wide open beside a careful IPv4 rule",
    "rule",
    {
      extra: (ids) => [
        ...fromAlb(ids),
        ...ingressRule("task-v6", (i) => ({
          securityGroupId: i.taskSgId,
          cidrIpv6: "::/0",
          ipProtocol: "tcp",
          fromPort: 3003,
          toPort: 3003,
        }))(ids),
      ],
    },
    [{ policy: P.net, message: /Ingress rule "task-v6".*::\/0 \(the whole internet\)/ }],
  ),
  ecs(
    "the VPC CIDR on the task SG at preview",
    "any host in the VPC could reach the tasks without the ALB",
    "rule-preview",
    {
      extra: (ids) => [
        ...fromAlb(ids),
        res(
          T.sgRule,
          "task-vpc",
          {
            type: "ingress",
            securityGroupId: ids.taskSgId,
            protocol: "tcp",
            fromPort: 3003,
            toPort: 3003,
            cidrBlocks: ["10.0.0.0/16"],
          },
          { propertyDependencies: { securityGroupId: [ids.taskSg] } },
        ),
      ],
    },
    [{ policy: P.net, message: /Ingress rule "task-vpc".*cidrBlocks` 10\.0\.0\.0\/16/ }],
  ),
  ecs(
    "no security group on the tasks",
    "tasks fell back to the VPC's default group",
    "base",
    { service: net("securityGroups", []) },
    [
      {
        policy: P.net,
        message: /no `networkConfiguration.securityGroups`.*default security group/,
      },
    ],
  ),
  ecs(
    "circuit breaker off",
    "a crashing image replaced tasks for hours",
    "base",
    { service: svc("deploymentCircuitBreaker", { enable: false, rollback: false }) },
    [{ policy: P.cb, message: /circuit breaker off/ }],
  ),
  ecs(
    "rollback off",
    "the failed deploy stopped half-way and stayed there",
    "base",
    { service: svc("deploymentCircuitBreaker", { enable: true, rollback: false }) },
    [{ policy: P.cb, message: /does not roll back/ }],
  ),
  ecs(
    "circuit breaker unset",
    "the ECS default is off",
    "base",
    { service: (p) => delete p.deploymentCircuitBreaker },
    [{ policy: P.cb, message: /circuit breaker off/ }],
  ),
  ecs(
    "a health-check path the container does not serve",
    "the target group probed /healthz; the app serves /health; every task drained",
    "base",
    { targetGroup: tgHc("path", "/healthz") },
    [
      {
        policy: P.tg,
        message: /probes `healthCheck.path` \/healthz but container "api" answers.*\/health/,
      },
    ],
  ),
  ecs(
    "the HTTP listener forwards instead of redirecting",
    "the API answered on plain HTTP too",
    "base",
    {
      http: svc("defaultActions", [
        {
          type: "forward",
          targetGroupArn:
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-stack-prod-api/6d0ecf831eec9f09",
        },
      ]),
    },
    [{ policy: P.tls, message: /listener "http".*plain HTTP.*type forward/ }],
  ),
  ecs(
    "ELBSecurityPolicy-2016-08",
    "the CLI default kept TLS 1.0 and 1.1 on",
    "base",
    { https: svc("sslPolicy", "ELBSecurityPolicy-2016-08") },
    [{ policy: P.tls, message: /ELBSecurityPolicy-2016-08, below the floor/ }],
  ),
  ecs(
    "sslPolicy unset",
    "unset means ELBSecurityPolicy-2016-08",
    "base",
    { https: (p) => delete p.sslPolicy },
    [{ policy: P.tls, message: /`sslPolicy` is unset.*2016-08/ }],
  ),
  ecs(
    "HTTPS without a certificate",
    "the listener could not be created mid-deploy",
    "base",
    { https: (p) => delete p.certificateArn },
    [{ policy: P.tls, message: /certificateArn` is unset/ }],
  ),
  ecs(
    "plain HTTP on 443",
    "protocol left at its HTTP default on the 443 listener",
    "alb",
    { https: svc("protocol", "HTTP") },
    [{ policy: P.tls, message: /listener "https".*plain HTTP/ }],
  ),
];

/** Issue 24: production services behind an ALB have alarms that page someone (rules/ecs-alarms.ts). */
type Alarms = Record<"5xx" | "latency" | "unhealthy", Props>;
const alarm = (change: (a: Alarms) => void): { alarms: (a: Alarms) => void } => ({
  alarms: change,
});
const firstQuery = (a: Alarms) => ((a["5xx"].metricQueries as Props[])[0] as Props).metric as Props;

const alarmCases: EcsCase[] = [
  ecs(
    "no alarm on the target group's 5xx",
    "the API answered 500 for an hour and the first to know was a customer",
    "base",
    alarm((a) => delete (a as Partial<Alarms>)["5xx"]),
    [{ policy: P.alarms, message: /"api-service" .* watches its HTTPCode_Target_5XX_Count:/ }],
  ),
  ecs(
    "no latency alarm, at preview",
    "P99 crept past two seconds for a week; every dashboard showed it, nobody looked",
    "preview",
    alarm((a) => delete (a as Partial<Alarms>).latency),
    [{ policy: P.alarms, message: /watches its TargetResponseTime:/ }],
  ),
  ecs(
    "no unhealthy-targets alarm under the aws:alb tokens",
    "half the tasks failed their health check for a day, hidden by the other half",
    "alb",
    alarm((a) => delete (a as Partial<Alarms>).unhealthy),
    [{ policy: P.alarms, message: /target group "api-tg".*watches its UnHealthyHostCount/ }],
  ),
  ecs(
    "the latency alarm with no actions",
    "the alarm fired into nothing: alarmActions was left empty after a refactor",
    "base",
    alarm((a) => (a.latency.alarmActions = [])),
    [
      {
        policy: P.alarms,
        message: /TargetResponseTime: alarm "alarms-api-latency" .*no `alarmActions`/,
      },
    ],
  ),
  ecs(
    "the unhealthy-targets alarm with actions disabled",
    "actions were disabled for a maintenance window and never enabled again",
    "base",
    alarm((a) => (a.unhealthy.actionsEnabled = false)),
    [{ policy: P.alarms, message: /`actionsEnabled` is false/ }],
  ),
  ecs(
    "the 5xx alarm's only action scales, it pages nobody",
    "an alarm wired to a scaling policy was counted as paging",
    "base",
    alarm(
      (a) =>
        (a["5xx"].alarmActions = [
          "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:0f1e2d3c:autoScalingGroupName/api:policyName/out",
        ]),
    ),
    [{ policy: P.alarms, message: /none of its `alarmActions` is an SNS topic/ }],
  ),
  ecs(
    "a latency alarm on TargetGroup without LoadBalancer",
    "the alarm sat in INSUFFICIENT_DATA for months: ELB publishes no metric with TargetGroup alone",
    "base",
    alarm((a) => (a.latency.dimensions = { TargetGroup: TG_SUFFIX })),
    [{ policy: P.alarms, message: /no LoadBalancer dimension/ }],
  ),
  ecs(
    "the 5xx alarm watches the load balancer's own 5xx",
    "HTTPCode_ELB_5XX_Count counts what the ALB generates, not what the targets answer",
    "base",
    alarm((a) => (firstQuery(a).metricName = "HTTPCode_ELB_5XX_Count")),
    [{ policy: P.alarms, message: /watches its HTTPCode_Target_5XX_Count:/ }],
  ),
  ecs(
    "the 5xx alarm copied from another stack's target group",
    "the alarm was copied from staging with its TargetGroup dimension",
    "base",
    alarm(
      (a) =>
        (firstQuery(a).dimensions = {
          LoadBalancer: "app/api/1",
          TargetGroup: "targetgroup/api-stack-staging-api/0123456789abcdef",
        }),
    ),
    [{ policy: P.alarms, message: /watches its HTTPCode_Target_5XX_Count:/ }],
  ),
];

export const ecsCases: EcsCase[] = [...serviceCases, ...alarmCases, ...ecsContainerCases];
