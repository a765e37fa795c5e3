/**
 * Issue 24, ECS half: the real program with the real Pulumi.prod-ecs.yaml under mocks, and what
 * its `monitoring` block becomes: every alarm's metric, namespace, dimensions, statistic, period,
 * threshold, evaluation periods, datapoints and comparison, the topic, its subscription and the
 * dashboard. The numbers are written here as literals (seed 004: "Error rate > 5% for > 1
 * minute", "P99 latency > 500ms for > 2 minutes"), not read from components/lib/ecs-alarm-specs.ts,
 * so a table that drifts from the seed fails here.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { CapturedResource, ProgramRun } from "../../gate";
import { byType, isSecretWire, one, promiseOf, reveal, runStack } from "../helpers/program";
import { stackObject } from "../helpers/stack-blocks";

type Props = Record<string, unknown>;
const T = {
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  key: "aws:kms/key:Key",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  tg: "aws:lb/targetGroup:TargetGroup",
  cluster: "aws:ecs/cluster:Cluster",
  service: "aws:ecs/service:Service",
  rg: "aws:elasticache/replicationGroup:ReplicationGroup",
} as const;

const props = (r: CapturedResource): Props => reveal(r.properties) as Props;
const WEBHOOK = "https://hooks.example.com/services/T0001/B0001/xq7Kp2Lm9Zr4Vt8Wn3Ys6Hd1";
const monitoring = (m: Props) => ({ overrides: { "api-stack:monitoring": m } });

let run: ProgramRun;
beforeAll(async () => {
  run = await runStack("prod-ecs");
});

const alarm = (name: string): Props => props(one(run, T.alarm, `alarms-${name}`));
const topicArn = () => one(run, T.topic, "alarms-topic").state.arn as string;
const lbSuffix = () => one(run, T.lb, "ecs-alb").state.arnSuffix as string;
const tgSuffix = () => one(run, T.tg, "api-tg").state.arnSuffix as string;
const serviceName = (n: string) => one(run, T.service, `${n}-service`).state.name as string;
const clusterName = () => one(run, T.cluster, "ecs-cluster").state.name as string;
const query = (p: Props, id: string) =>
  (p.metricQueries as Props[]).find((q) => q.id === id) as Props;

describe("the API's alarms (seed 004's numbers)", () => {
  it("5xx rate: HTTPCode_Target_5XX_Count / RequestCount > 5 % for 1 of 1 minute", () => {
    const p = alarm("api-5xx-rate");
    const dims = { LoadBalancer: lbSuffix(), TargetGroup: tgSuffix() };
    expect(p).toMatchObject({
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
    });
    expect(query(p, "errors")).toEqual({
      id: "errors",
      returnData: false,
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        stat: "Sum",
        period: 60,
        dimensions: dims,
      },
    });
    expect(query(p, "requests")).toEqual({
      id: "requests",
      returnData: false,
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName: "RequestCount",
        stat: "Sum",
        period: 60,
        dimensions: dims,
      },
    });
    // Percent, and 0 (not an alarm) for a minute without requests.
    expect(query(p, "rate")).toMatchObject({
      expression: "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
      returnData: true,
    });
    expect(p.metricQueries).toHaveLength(3);
    expect(p.metricName).toBeUndefined();
  });

  it("P99 latency: TargetResponseTime p99 > 0.5 s for 2 of 2 minutes", () => {
    const p = alarm("api-latency-p99");
    expect(p).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      extendedStatistic: "p99",
      evaluateLowSampleCountPercentiles: "evaluate",
      period: 60,
      threshold: 0.5,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      dimensions: { LoadBalancer: lbSuffix(), TargetGroup: tgSuffix() },
    });
    expect(p.statistic).toBeUndefined();
  });

  it("unhealthy targets: UnHealthyHostCount Maximum > 0 for 3 of 3 minutes", () => {
    expect(alarm("api-unhealthy-targets")).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      statistic: "Maximum",
      period: 60,
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      dimensions: { LoadBalancer: lbSuffix(), TargetGroup: tgSuffix() },
    });
  });
});

describe("each service's tasks", () => {
  it.each([
    ["api", "api"],
    ["workers-jobs", "jobs"],
  ])("%s: DesiredTaskCount - RunningTaskCount > 0 for 5 of 5 minutes", (role, service) => {
    const p = alarm(`${role}-tasks`);
    const dims = { ClusterName: clusterName(), ServiceName: serviceName(service) };
    const metric = (metricName: string) => ({
      namespace: "ECS/ContainerInsights",
      metricName,
      stat: "Average",
      period: 60,
      dimensions: dims,
    });
    expect(query(p, "desired")).toMatchObject({ metric: metric("DesiredTaskCount") });
    expect(query(p, "running")).toMatchObject({ metric: metric("RunningTaskCount") });
    expect(query(p, "shortfall")).toMatchObject({
      expression: "desired - running",
      returnData: true,
    });
    expect(p).toMatchObject({
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: "breaching",
    });
  });
});

describe("each Valkey node (numCacheClusters: 2)", () => {
  const members = () => one(run, T.rg, "cache-valkey").state.memberClusters as string[];
  it("watches both members, node 0001 of each", () => {
    expect(stackObject("prod-ecs", "redis").numCacheClusters).toBe(2);
    const ids = [...members()].sort();
    expect(ids).toHaveLength(2);
    for (const [i, id] of ids.entries())
      for (const role of ["memory", "evictions", "replication-lag"])
        expect(alarm(`cache-${role}-${i}`).dimensions).toEqual({
          CacheClusterId: id,
          CacheNodeId: "0001",
        });
  });
  it("memory: DatabaseMemoryUsagePercentage Maximum > 90 for 5 of 5 minutes", () => {
    expect(alarm("cache-memory-0")).toMatchObject({
      namespace: "AWS/ElastiCache",
      metricName: "DatabaseMemoryUsagePercentage",
      statistic: "Maximum",
      period: 60,
      threshold: 90,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "missing",
    });
  });
  it("evictions: Evictions Sum > 0 in any minute", () => {
    expect(alarm("cache-evictions-1")).toMatchObject({
      namespace: "AWS/ElastiCache",
      metricName: "Evictions",
      statistic: "Sum",
      period: 60,
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  });
  it("replication lag: ReplicationLag Maximum > 10 s for 5 of 5 minutes, silent on the primary", () => {
    expect(alarm("cache-replication-lag-0")).toMatchObject({
      namespace: "AWS/ElastiCache",
      metricName: "ReplicationLag",
      statistic: "Maximum",
      period: 60,
      threshold: 10,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  });
});

describe("every alarm", () => {
  it("is auto-named, a child of EcsAlarms, and notifies the topic on ALARM and on OK", () => {
    const alarms = byType(run, T.alarm);
    // 3 API + 2 services + 3 per node × 2 nodes.
    expect(alarms).toHaveLength(11);
    const parent = one(run, "api-stack:components:EcsAlarms", "alarms").urn;
    for (const a of alarms) {
      const p = props(a);
      expect(a.parent).toBe(parent);
      expect(p.name).toBeUndefined();
      expect(p.alarmActions).toEqual([topicArn()]);
      expect(p.okActions).toEqual([topicArn()]);
      expect(p.actionsEnabled).toBeUndefined(); // the provider's default, true
      expect(p.alarmDescription).toMatch(/^api-stack prod-ecs: .*docs\/monitoring-ecs\.md$/);
    }
  });
});

describe("the topic and its subscription", () => {
  it("encrypts the topic with its own key, which CloudWatch may use (not alias/aws/sns)", () => {
    const key = one(run, T.key, "alarms-topic-key");
    expect(props(one(run, T.topic, "alarms-topic")).kmsMasterKeyId).toBe(key.state.arn);
    const policy = JSON.parse(props(key).policy as string) as { Statement: Props[] };
    expect(policy.Statement).toContainEqual({
      Sid: "CloudWatchAlarmsPublishToTheTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    });
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Principal: { AWS: "arn:aws:iam::123456789012:root" } }),
    );
    expect(props(key).enableKeyRotation).toBe(true);
  });

  it("subscribes the stack file's email address", () => {
    const sub = props(one(run, T.subscription, "alarms-subscription"));
    expect(sub).toEqual({
      topic: topicArn(),
      protocol: "email",
      endpoint: stackObject("prod-ecs", "monitoring").email,
    });
  });

  it("keeps a webhook URL secret, in the inputs and the state's outputs", async () => {
    const webhook = await runStack("prod-ecs", {
      ...monitoring({ receiver: "webhook" }),
      secrets: { "api-stack:alertWebhookUrl": WEBHOOK },
    });
    const sub = one(webhook, T.subscription, "alarms-subscription");
    expect(sub.properties.protocol).toBe("https");
    expect(isSecretWire(sub.properties.endpoint)).toBe(true);
    expect(reveal(sub.properties.endpoint)).toBe(WEBHOOK);
    expect(sub.options.additionalSecretOutputs).toEqual(["endpoint"]);
    // Nowhere else in plain text.
    for (const r of webhook.resources.filter((x) => x !== sub))
      expect(JSON.stringify(r.properties)).not.toContain(WEBHOOK);
  });

  it("subscribes nobody with `receiver: none`, and still alarms to the topic", async () => {
    const none = await runStack("prod-ecs", monitoring({ receiver: "none" }));
    expect(byType(none, T.subscription)).toEqual([]);
    expect(byType(none, T.alarm)).toHaveLength(11);
  });
});

describe("the dashboard", () => {
  const body = () =>
    JSON.parse(props(one(run, T.dashboard, "alarms-dashboard")).dashboardBody as string) as {
      widgets: { properties: { region: string; metrics: unknown[][] } }[];
    };

  /** "namespace metricName dim=value …" of every metric an alarm or a widget names. */
  const alarmMetrics = (p: Props): string[] => {
    const key = (m: Props) =>
      [m.namespace, m.metricName, ...Object.entries(m.dimensions as Props).map((e) => e.join("="))]
        .sort()
        .join(" ");
    if (p.metricQueries)
      return (p.metricQueries as Props[])
        .filter((q) => q.metric)
        .map((q) => key(q.metric as Props));
    return [key(p)];
  };
  const widgetMetrics = (): string[] =>
    body().widgets.flatMap((w) =>
      w.properties.metrics
        .filter((m) => typeof m[0] === "string")
        .map((m) => {
          const [ns, name, ...rest] = m.filter((x) => typeof x === "string") as string[];
          const dims = [];
          for (let i = 0; i < rest.length; i += 2) dims.push(`${rest[i]}=${rest[i + 1]}`);
          return [ns, name, ...dims].sort().join(" ");
        }),
    );

  it("graphs every alarm's metrics with the same dimensions", () => {
    const graphed = new Set(widgetMetrics());
    for (const a of byType(run, T.alarm))
      for (const m of alarmMetrics(props(a))) expect(graphed, `${a.name}: ${m}`).toContain(m);
    expect(body().widgets.every((w) => w.properties.region === "eu-central-1")).toBe(true);
  });

  it("has a generated name, exported with the topic", async () => {
    const d = one(run, T.dashboard, "alarms-dashboard");
    expect(props(d).dashboardName).toMatch(/^api-stack-prod-ecs-[0-9a-f]{8}$/);
    const out = run.outputs as Record<string, pulumi.Output<string>>;
    expect(await promiseOf(out.alarmDashboardName)).toBe(props(d).dashboardName);
    expect(await promiseOf(out.alarmTopicArn)).toBe(topicArn());
  });
});

describe("in a preview", () => {
  it("traces each unknown target-group dimension to the target group it comes from", async () => {
    const preview = await runStack("prod-ecs", { preview: true });
    const tg = one(preview, T.tg, "api-tg").urn;
    const lb = one(preview, T.lb, "ecs-alb").urn;
    for (const name of ["api-latency-p99", "api-unhealthy-targets"]) {
      const a = one(preview, T.alarm, `alarms-${name}`);
      expect(a.propertyDependencies.dimensions?.sort()).toEqual([lb, tg].sort());
    }
    const rate = one(preview, T.alarm, "alarms-api-5xx-rate");
    expect(rate.propertyDependencies.metricQueries).toEqual(expect.arrayContaining([lb, tg]));
    const topic = one(preview, T.topic, "alarms-topic").urn;
    expect(rate.propertyDependencies.alarmActions).toEqual([topic]);
  });
});

describe("other stacks", () => {
  it("create no alarms without `monitoring` (development ECS) or on Docker", async () => {
    const dev = await runStack("prod-ecs", {
      overrides: { "api-stack:environment": "development", "api-stack:monitoring": undefined },
    });
    expect(byType(dev, T.alarm)).toEqual([]);
    expect(byType(dev, T.topic)).toEqual([]);
    const docker = await runStack("prod");
    expect(byType(docker, T.alarm)).toEqual([]);
  });
});
