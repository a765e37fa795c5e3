import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
// Submodule imports: the root of @pulumi/aws costs seconds of type-checking and load time.
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as kms from "@pulumi/aws/kms";
import * as sns from "@pulumi/aws/sns";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import {
  API_ALARMS,
  CACHE_ALARMS,
  dimensionsOf,
  isPercentile,
  REPLICATION_GROUP_NODE_ID,
  SERVICE_ALARMS,
  type AlarmSpec,
} from "./lib/ecs-alarm-specs";
import { dashboardBody } from "./lib/ecs-dashboard";
import { argError, TYPES } from "./types";

/** One ECS service to watch. */
export interface EcsAlarmsService {
  /** The stack file's key, "api" or "workers.jobs": names the alarm and the graph. */
  readonly key: string;
  readonly serviceName: pulumi.Input<string>;
  /** Tasks at deploy time (`replicas`), whole, at least 1; drawn on the dashboard. */
  readonly desiredCount: number;
}

/** A replication group's member clusters, for the per-node alarms. */
export interface EcsAlarmsCache {
  /** The member cluster ids ("<group>-001" …), each one node. */
  readonly memberClusterIds: pulumi.Input<string[]>;
  /** How many members (`numCacheClusters`), 1–6: the ids are unknown until the group exists. */
  readonly nodeCount: number;
}

/** Where the topic sends alarms; none leaves the topic for a subscription made elsewhere. */
export type EcsAlarmsSubscription =
  | { readonly protocol: "email"; readonly endpoint: string }
  /** A webhook (e.g. AWS Chatbot or a relay); the URL is a secret. */
  | { readonly protocol: "https"; readonly endpoint: pulumi.Input<string> };

export interface EcsAlarmsArgs {
  /** The ALB's ARN suffix, "app/<name>/<id>" (`LoadBalancer` dimension). */
  readonly loadBalancerArnSuffix: pulumi.Input<string>;
  /** The API target group's ARN suffix, "targetgroup/<name>/<id>" (`TargetGroup` dimension). */
  readonly targetGroupArnSuffix: pulumi.Input<string>;
  /** The ECS cluster's name (`ClusterName` dimension). */
  readonly clusterName: pulumi.Input<string>;
  /** Every ECS service of the stack, at least one. */
  readonly services: readonly EcsAlarmsService[];
  /** `redis.mode: elasticache` with a replication group. @default none: no cache alarms */
  readonly cache?: EcsAlarmsCache;
  /** @default none: alarms reach the topic only */
  readonly subscription?: EcsAlarmsSubscription;
  /** The AWS region, for the dashboard's graphs, e.g. "eu-central-1". */
  readonly region: pulumi.Input<string>;
  /** The stack name, for descriptions and the dashboard's name. */
  readonly stack: string;
}

/**
 * CloudWatch alarms for `platform: ecs`, to one SNS topic with alarm and OK actions: the API's
 * 5xx rate, P99 latency and unhealthy targets, each service's running tasks against its desired
 * count, and with a replication group each node's memory, evictions and replication lag (the
 * numbers are lib/ecs-alarm-specs.ts's). Plus a dashboard of the same metrics.
 *
 * The topic is encrypted with its own KMS key, not the AWS managed `alias/aws/sns`: CloudWatch
 * alarms publish to an encrypted topic only with kms:Decrypt and kms:GenerateDataKey on its key.
 * The AWS managed key's policy does not grant them to CloudWatch and cannot be edited, so with it
 * every alarm action fails (AWS re:Post Knowledge Center, "cloudwatch-configure-alarm-sns": a
 * customer managed key is required, the default alias/aws/sns leaves alarms unable to start their
 * actions; read in its Japanese edition,
 * https://repost.aws/ja/knowledge-center/cloudwatch-configure-alarm-sns). The SNS Developer Guide
 * lists CloudWatch among the AWS event sources that need such a key
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, compatibility with AWS
 * services). The key costs a dollar a month; an unencrypted topic would work too, but the alarm
 * messages name the stack's resources, and what rests in SNS should be encrypted.
 *
 * @example
 * const alarms = new EcsAlarms("alarms", { loadBalancerArnSuffix: platform.albArnSuffix,
 *   targetGroupArnSuffix: api.targetGroup!.arnSuffix, clusterName: platform.clusterName,
 *   services: [{ key: "api", serviceName: api.serviceName, desiredCount: 2 }],
 *   subscription: { protocol: "email", endpoint: "oncall@example.com" },
 *   region: "eu-central-1", stack: "prod-ecs" });
 * // alarms.topicArn, alarms.dashboardName
 */
export class EcsAlarms extends pulumi.ComponentResource {
  public readonly topic: sns.Topic;
  public readonly topicArn: pulumi.Output<string>;
  public readonly dashboardName: pulumi.Output<string>;
  /** By logical name: "api-5xx-rate", "api-tasks", "cache-memory-0" … */
  public readonly alarms: Readonly<Record<string, cloudwatch.MetricAlarm>>;

  constructor(name: string, args: EcsAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.EcsAlarms, name, {}, opts);
    this.checkArgs(args);
    const key = this.createKey(name, args);
    this.topic = this.createTopic(name, key);
    this.createSubscription(name, args.subscription);
    this.alarms = this.createAlarms(name, args);
    const dashboard = this.createDashboard(name, args);
    this.topicArn = this.topic.arn;
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ topicArn: this.topicArn, dashboardName: this.dashboardName });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: EcsAlarmsArgs): void {
    if (a.services.length === 0)
      throw argError(this, "`services` is empty: list the ECS services to watch");
    const keys = a.services.map((s) => s.key);
    const twice = keys.find((k, i) => keys.indexOf(k) !== i);
    if (twice !== undefined)
      throw argError(this, `\`services\` lists "${twice}" twice: give each service once`);
    const bad = a.services.find((s) => !Number.isInteger(s.desiredCount) || s.desiredCount < 1);
    if (bad)
      throw argError(
        this,
        `\`services\` "${bad.key}" has \`desiredCount\` ${bad.desiredCount}: use a whole number, at least 1`,
      );
    const n = a.cache?.nodeCount;
    // ElastiCache: 1–6 clusters in a cluster-mode-disabled replication group (ElastiCacheValkey).
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 6))
      throw argError(this, `\`cache.nodeCount\` (${n}) must be a whole number from 1 to 6`);
    const s = a.subscription;
    if (s?.protocol === "email" && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.endpoint))
      throw argError(
        this,
        `\`subscription.endpoint\` ("${s.endpoint}") is not an email address: use one such as "oncall@example.com"`,
      );
  }

  /**
   * A customer managed key CloudWatch may use (see the class comment). The first statement is
   * KMS's default key policy, which keeps the key manageable through IAM (KMS Developer Guide,
   * "Default key policy", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
   * without it CreateKey refuses a policy that would lock the caller out (KMS API Reference,
   * CreateKey, BypassPolicyLockoutSafetyCheck). The second is the Knowledge Center's grant to
   * cloudwatch.amazonaws.com. No condition narrows it to this account's alarms: the
   * topic's default access policy already admits publishers of this account only.
   */
  private createKey(name: string, a: EcsAlarmsArgs): kms.Key {
    const opts = { parent: this };
    const account = getCallerIdentityOutput({}, opts).accountId;
    const partition = getPartitionOutput({}, opts).partition;
    const policy = pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministersTheKey",
          Effect: "Allow",
          Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "CloudWatchAlarmsPublishToTheTopic",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: "*",
        },
      ],
    });
    return new kms.Key(
      `${name}-topic-key`,
      {
        description: `api-stack ${a.stack}: encrypts the alarm topic; CloudWatch may use it`,
        enableKeyRotation: true,
        policy,
      },
      opts,
    );
  }

  private createTopic(name: string, key: kms.Key): sns.Topic {
    return new sns.Topic(`${name}-topic`, { kmsMasterKeyId: key.arn }, { parent: this });
  }

  /**
   * Email and unconfirmed https subscriptions are created pending confirmation: the provider
   * does not wait for either (hashicorp/terraform-provider-aws internal/service/sns/
   * topic_subscription.go at 04a2e6e5bc625ec85ea8c678219b483fc674877e,
   * resourceTopicSubscriptionCreate: `waitForConfirmation = false` for "email" and for "http"
   * without endpoint_auto_confirms). The recipient confirms with the link SNS sends.
   */
  private createSubscription(name: string, s: EcsAlarmsSubscription | undefined): void {
    if (s === undefined) return;
    new sns.TopicSubscription(
      `${name}-subscription`,
      {
        topic: this.topic.arn,
        protocol: s.protocol,
        endpoint: s.protocol === "https" ? pulumi.secret(s.endpoint) : s.endpoint,
      },
      // The webhook URL stays secret in the state's outputs as in the inputs.
      { parent: this, additionalSecretOutputs: ["endpoint"] },
    );
  }

  private createAlarms(name: string, a: EcsAlarmsArgs): Record<string, cloudwatch.MetricAlarm> {
    const out: Record<string, cloudwatch.MetricAlarm> = {};
    const add = (role: string, spec: AlarmSpec, dims: pulumi.Input<string>[], who: string) =>
      (out[role] = this.alarm(`${name}-${role}`, spec, dims, `${who}: ${spec.title}`, a.stack));
    const tg = [a.loadBalancerArnSuffix, a.targetGroupArnSuffix];
    add("api-5xx-rate", API_ALARMS.errorRate, tg, "API");
    add("api-latency-p99", API_ALARMS.latencyP99, tg, "API");
    add("api-unhealthy-targets", API_ALARMS.unhealthyHosts, tg, "API");
    for (const s of a.services) {
      const dims = [a.clusterName, s.serviceName];
      add(`${kebab(s.key)}-tasks`, SERVICE_ALARMS.tasksBelowDesired, dims, `ECS service ${s.key}`);
    }
    const cache = a.cache;
    for (let i = 0; cache && i < cache.nodeCount; i++) {
      const dims = [memberClusterId(cache, i), REPLICATION_GROUP_NODE_ID];
      add(`cache-memory-${i}`, CACHE_ALARMS.memory, dims, `Valkey node ${i + 1}`);
      add(`cache-evictions-${i}`, CACHE_ALARMS.evictions, dims, `Valkey node ${i + 1}`);
      add(`cache-replication-lag-${i}`, CACHE_ALARMS.replicationLag, dims, `Valkey node ${i + 1}`);
    }
    return out;
  }

  /** One alarm from its spec: alarm and OK actions to the topic, missing data as the spec says. */
  private alarm(
    name: string,
    spec: AlarmSpec,
    dims: pulumi.Input<string>[],
    title: string,
    stack: string,
  ): cloudwatch.MetricAlarm {
    const dimensions = dimensionsOf(spec.scope, dims);
    const common = {
      alarmDescription: `api-stack ${stack}: ${title}. Missing data: ${spec.treatMissingData}, because ${spec.missingDataWhy}. Runbook: docs/monitoring-ecs.md`,
      comparisonOperator: spec.comparison,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    };
    if (spec.kind === "math") {
      const queries = Object.entries(spec.metrics).map(([id, m]) => ({
        id,
        returnData: false,
        metric: {
          namespace: m.namespace,
          metricName: m.metricName,
          stat: m.stat,
          period: spec.period,
          dimensions,
        },
      }));
      const expression = {
        id: spec.id,
        expression: spec.expression,
        label: title,
        returnData: true,
      };
      return new cloudwatch.MetricAlarm(
        name,
        { ...common, metricQueries: [...queries, expression] },
        { parent: this },
      );
    }
    const m = spec.metric;
    // "p99" is an extended statistic; CloudWatch says what to do with few samples
    // (`evaluateLowSampleCountPercentiles`): "evaluate" judges p99 of a quiet minute too,
    // where it is close to the slowest request, rather than leaving the alarm unchanged.
    const stat = isPercentile(m.stat)
      ? { extendedStatistic: m.stat, evaluateLowSampleCountPercentiles: "evaluate" }
      : { statistic: m.stat };
    return new cloudwatch.MetricAlarm(
      name,
      {
        ...common,
        ...stat,
        namespace: m.namespace,
        metricName: m.metricName,
        period: spec.period,
        dimensions,
      },
      { parent: this },
    );
  }

  private createDashboard(name: string, a: EcsAlarmsArgs): cloudwatch.Dashboard {
    // Dashboards are not auto-named by the provider (`dashboardName` is required in
    // cloudwatch/dashboard.d.ts) and their names are per account and region, so the stack name
    // and a random suffix keep two stacks (or projects) apart. Names take A–Z a–z 0–9 - _.
    const suffix = new random.RandomId(
      `${name}-dashboard-suffix`,
      { byteLength: 4 },
      { parent: this },
    );
    const stack = a.stack.replace(/[^A-Za-z0-9_-]/g, "-");
    const body = dashboardBody<pulumi.Input<string>>({
      region: a.region,
      loadBalancer: a.loadBalancerArnSuffix,
      targetGroup: a.targetGroupArnSuffix,
      cluster: a.clusterName,
      services: a.services.map((s) => ({
        key: s.key,
        serviceName: s.serviceName,
        desiredCount: s.desiredCount,
      })),
      cacheClusters: a.cache
        ? Array.from({ length: a.cache.nodeCount }, (_, i) => memberClusterId(a.cache!, i))
        : [],
      cacheNodeId: REPLICATION_GROUP_NODE_ID,
    });
    return new cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: pulumi.interpolate`api-stack-${stack}-${suffix.hex}`,
        dashboardBody: pulumi.jsonStringify(pulumi.output(body)),
      },
      { parent: this },
    );
  }
}

/**
 * The i-th member cluster's id, the ids sorted ("<group>-001" first) so that node i keeps its
 * alarms whatever order the provider lists them in.
 */
function memberClusterId(c: EcsAlarmsCache, i: number): pulumi.Output<string> {
  return pulumi.output(c.memberClusterIds).apply((ids) => [...ids].sort()[i] ?? "");
}

/** "workers.jobs" → "workers-jobs", for logical names. */
const kebab = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");
