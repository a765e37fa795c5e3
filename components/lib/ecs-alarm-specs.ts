/**
 * The CloudWatch alarms `platform: ecs` creates (components/ecs-alarms.ts), as plain data: the
 * metric, namespace, statistic, period, threshold, evaluation periods, comparison and how missing
 * data counts. The component, the dashboard (lib/ecs-dashboard.ts), docs/monitoring-ecs.md and
 * the tests read this one table; the stack tests repeat the seed's numbers as literals, so a
 * change here that drifts from the seed fails them.
 *
 * Seed 004 (the production deployment guide), "Alert Thresholds (Recommended)":
 *   "Error rate > 5% for > 1 minute"
 *   "P99 latency > 500ms for > 2 minutes"
 * The other alarms have no number in the seed; each says why it has the one it has.
 *
 * How CloudWatch treats missing data (CloudWatch User Guide, "Configuring how CloudWatch alarms
 * treat missing data", awsdocs/amazon-cloudwatch-user-guide doc_source/AlarmThatSendsEmail.md at
 * cc40332fd9cd65366e991a6fd68654b2875588cc): `notBreaching` counts a missing datapoint as good,
 * `breaching` as bad, `ignore` keeps the state, `missing` (the default) goes to INSUFFICIENT_DATA
 * when every datapoint is missing. "For a metric that generates data points only when an error
 * occurs … treat missing data as notBreaching"; for one "that continually reports data … you
 * might want to treat missing data points as breaching, because they might indicate that
 * something is wrong". We notify on ALARM and OK only, so INSUFFICIENT_DATA pages nobody.
 */
import { ALB_METRICS, ALB_NAMESPACE } from "../../policy/lib/cloudwatch";
import { REDIS_MEMORY_RATIO } from "./alert-rules";

export type Comparison =
  | "GreaterThanThreshold"
  | "GreaterThanOrEqualToThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";
export type MissingData = "missing" | "ignore" | "breaching" | "notBreaching";

/** What an alarm watches, which decides its dimensions (see {@link SCOPE_DIMENSIONS}). */
export type AlarmScope = "targetGroup" | "service" | "cacheNode";

/**
 * The dimensions of each scope, in the order the metrics are published with them:
 * - targetGroup: policy/lib/cloudwatch.ts (both LoadBalancer and TargetGroup, or no data);
 * - service: Container Insights' task counts, "ServiceName, ClusterName" (CloudWatch User Guide,
 *   "Amazon ECS Container Insights metrics", doc_source/Container-Insights-metrics-ECS.md at
 *   cc40332f: RunningTaskCount and DesiredTaskCount);
 * - cacheNode: ElastiCache publishes per node, CacheClusterId and CacheNodeId (ElastiCache User
 *   Guide, "Monitoring CloudWatch Cluster and Node Metrics", awsdocs/amazon-elasticache-docs
 *   doc_source/redis/CloudWatchMetrics.md at 7ed0a8ac051dff26b488e7ffaeef5bc5942aa7c4; "These
 *   metrics are measured and published for each Cache node in 60-second intervals",
 *   CacheMetrics.md).
 */
export const SCOPE_DIMENSIONS = {
  targetGroup: ["LoadBalancer", "TargetGroup"],
  service: ["ClusterName", "ServiceName"],
  cacheNode: ["CacheClusterId", "CacheNodeId"],
} as const satisfies Record<AlarmScope, readonly string[]>;

/**
 * The node id of every member cluster of a cluster-mode-disabled replication group: each member
 * is a cache cluster of one node, "0001" (ElastiCache User Guide, "Minimizing downtime … with
 * Multi-AZ", doc_source/redis/AutoFailover.md at 7ed0a8ac, lines 95–110: members "redis12-001"
 * and "redis12-002", both `"CacheNodeId": "0001"`).
 */
export const REPLICATION_GROUP_NODE_ID = "0001";

export interface MetricStat {
  readonly namespace: string;
  readonly metricName: string;
  /** "Sum", "Average", "Maximum", or a percentile such as "p99" (an extended statistic). */
  readonly stat: string;
}

interface AlarmSpecBase {
  readonly scope: AlarmScope;
  /** A sentence for the alarm's description and the dashboard. */
  readonly title: string;
  /** Seconds. */
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: MissingData;
  /** Why `treatMissingData` is what it is. */
  readonly missingDataWhy: string;
  /** The threshold's unit, for the dashboard's annotation: "%", "s", "tasks" … */
  readonly unit: string;
}

export interface SingleMetricAlarmSpec extends AlarmSpecBase {
  readonly kind: "metric";
  readonly metric: MetricStat;
}

/** Metric math: `expression` over `metrics`, whose keys are the metric query ids. */
export interface MathAlarmSpec extends AlarmSpecBase {
  readonly kind: "math";
  readonly metrics: Readonly<Record<string, MetricStat>>;
  /** The id of the expression's query (the one that returns data). */
  readonly id: string;
  readonly expression: string;
}

export type AlarmSpec = SingleMetricAlarmSpec | MathAlarmSpec;

const alb = (metricName: string, stat: string): MetricStat => ({
  namespace: ALB_NAMESPACE,
  metricName,
  stat,
});
const insights = (metricName: string): MetricStat => ({
  namespace: "ECS/ContainerInsights",
  metricName,
  stat: "Average",
});
const cache = (metricName: string, stat: string): MetricStat => ({
  namespace: "AWS/ElastiCache",
  metricName,
  stat,
});

/** The API's alarms, on its target group. */
export const API_ALARMS = {
  errorRate: {
    kind: "math",
    scope: "targetGroup",
    title: "API 5xx rate above 5 % for a minute",
    metrics: {
      errors: alb(ALB_METRICS.target5xx, "Sum"),
      requests: alb(ALB_METRICS.requests, "Sum"),
    },
    id: "rate",
    // A minute without requests is no error rate: `IF(TS > S, TS, S)` gives 0 where the request
    // count is 0 (CloudWatch User Guide, "Using IF expressions", doc_source/using-metric-math.md
    // at cc40332f), and FILL turns the 5xx count ELB leaves out when it is zero into 0. The
    // request count itself is not FILLed: FILL also fills the newest minute ELB has not
    // published yet, which would pin the alarm to 0 ("can result in the alarm being stuck",
    // same page, FILL).
    expression: "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
    // Seed 004: "Error rate > 5% for > 1 minute".
    period: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 5,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    missingDataWhy:
      "ELB publishes nothing for a minute without requests, and the expression drops a minute without a request count: no traffic is no error rate",
    unit: "%",
  },
  latencyP99: {
    kind: "metric",
    scope: "targetGroup",
    title: "API P99 latency above 500 ms for 2 minutes",
    metric: alb(ALB_METRICS.responseTime, "p99"),
    // Seed 004: "P99 latency > 500ms for > 2 minutes" (TargetResponseTime is in seconds).
    period: 60,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    threshold: 0.5,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    missingDataWhy:
      "TargetResponseTime is reported only when requests flow; no requests, no slow requests",
    unit: "s",
  },
  unhealthyHosts: {
    kind: "metric",
    scope: "targetGroup",
    title: "API targets failing the load balancer's health check for 3 minutes",
    metric: alb(ALB_METRICS.unhealthyHosts, "Maximum"),
    // Any unhealthy task, held 3 minutes: ECS stops a task its target group reports unhealthy and
    // starts another, so a single bad task is unhealthy for about one health-check cycle; 3
    // minutes unhealthy means replacements fail too (a crash loop, or the cache down).
    period: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    threshold: 0,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    missingDataWhy:
      "a gap holds no unhealthy target; a service with no tasks at all is the task-count alarm's",
    unit: "targets",
  },
} as const satisfies Record<string, AlarmSpec>;

/** Each ECS service's alarm. */
export const SERVICE_ALARMS = {
  tasksBelowDesired: {
    kind: "math",
    scope: "service",
    title: "fewer tasks running than desired for 5 minutes",
    // Against DesiredTaskCount, not a fixed number: autoscaling moves the desired count (the
    // service ignores its own desiredCount after creation), so a fixed threshold would be stale.
    metrics: {
      desired: insights("DesiredTaskCount"),
      running: insights("RunningTaskCount"),
    },
    id: "shortfall",
    expression: "desired - running",
    // 5 minutes: a scale-out or a replaced task is below desired until the new task runs (a
    // Fargate start, image pull included, takes a minute or two); five minutes below desired is
    // tasks failing to start or crashing in a loop.
    period: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    threshold: 0,
    comparison: "GreaterThanThreshold",
    treatMissingData: "breaching",
    missingDataWhy:
      "Container Insights publishes both counts every minute for every service (the cluster turns it on, and ecs-container-insights requires it in production); five minutes without them means the service or its metrics are gone, and either hides a dead service",
    unit: "tasks",
  },
} as const satisfies Record<string, AlarmSpec>;

/**
 * Each replication-group node's alarms (`redis.mode: elasticache`, replication group). The metrics,
 * ElastiCache User Guide, "Metrics for Redis" (awsdocs/amazon-elasticache-docs
 * doc_source/redis/CacheMetrics.Redis.md at 24d7385b6611d3c76c979e6dde88ce53e4267765; now
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html):
 * DatabaseMemoryUsagePercentage "is calculated using used_memory/maxmemory" (line 23); Evictions,
 * "keys that have been evicted due to the maxmemory limit" (line 26); ReplicationLag "is only
 * applicable for a node running as a read replica. It represents how far behind, in seconds, the
 * replica is in applying changes from the primary node" (line 36).
 */
export const CACHE_ALARMS = {
  memory: {
    kind: "metric",
    scope: "cacheNode",
    title: "Valkey above 90 % of maxmemory for 5 minutes",
    metric: cache("DatabaseMemoryUsagePercentage", "Maximum"),
    // The Docker platform's RedisMemoryNearLimit: 90 % of maxmemory for 5 minutes
    // (components/lib/alert-rules.ts). With `noeviction` writes fail at 100 %.
    period: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    threshold: REDIS_MEMORY_RATIO * 100,
    comparison: "GreaterThanThreshold",
    treatMissingData: "missing",
    missingDataWhy:
      "every node publishes every minute; a gap is a node being replaced, which says nothing about memory, so the alarm waits (INSUFFICIENT_DATA) rather than guess",
    unit: "%",
  },
  evictions: {
    kind: "metric",
    scope: "cacheNode",
    title: "Valkey evicted keys",
    metric: cache("Evictions", "Sum"),
    // Any eviction at all: the parameter group sets `maxmemory-policy noeviction`, so an eviction
    // means someone changed the policy and jobs are being dropped silently.
    period: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 0,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    missingDataWhy: "a missing datapoint cannot be an eviction",
    unit: "keys",
  },
  replicationLag: {
    kind: "metric",
    scope: "cacheNode",
    title: "Valkey replica more than 10 s behind the primary for 5 minutes",
    metric: cache("ReplicationLag", "Maximum"),
    // 10 s for 5 minutes: the API reads and writes the primary only, so lag costs nothing until a
    // failover, which loses the writes the promoted replica had not applied. A replica in the same
    // region normally lags well below a second; 10 s held for 5 minutes is a replica that cannot
    // keep up (or is stuck in a full resync), found while that loss is still seconds, far inside
    // the seed's "Recovery Point Objective (RPO): < 5 minutes".
    period: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    threshold: 10,
    comparison: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    missingDataWhy:
      "only a node running as a replica publishes ReplicationLag; the primary, whichever node it is after a failover, never does",
    unit: "s",
  },
} as const satisfies Record<string, AlarmSpec>;

export type ApiAlarmKey = keyof typeof API_ALARMS;
export type ServiceAlarmKey = keyof typeof SERVICE_ALARMS;
export type CacheAlarmKey = keyof typeof CACHE_ALARMS;

/** True for "p99", "p99.9" …: CloudWatch's `ExtendedStatistic` rather than `Statistic`. */
export function isPercentile(stat: string): boolean {
  return /^p\d{1,2}(\.\d{1,2})?$|^p100$/.test(stat);
}

/** `{ name: value }` for a scope's dimension names and values, in order. */
export function dimensionsOf<T>(scope: AlarmScope, values: readonly T[]): Record<string, T> {
  const names = SCOPE_DIMENSIONS[scope];
  if (values.length !== names.length)
    throw new Error(`${scope} alarms take ${names.length} dimensions, got ${values.length}`);
  return Object.fromEntries(names.map((n, i) => [n, values[i] as T]));
}
