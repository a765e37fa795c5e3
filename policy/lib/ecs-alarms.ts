/**
 * Which CloudWatch alarms watch an ALB target group, for the ecs-production-alarms rule: an
 * `aws.cloudwatch.MetricAlarm` (a plain metric, or metric math whose queries name it) on
 * `AWS/ApplicationELB` with both the LoadBalancer and the TargetGroup dimension (lib/cloudwatch.ts:
 * the metric exists only with both), whose actions are enabled and notify someone.
 *
 * Values unknown at preview are judged by where they come from, never passed blindly: an unknown
 * TargetGroup dimension counts for a target group when the alarm's `dimensions` (or
 * `metricQueries`) were computed from that target group and no other (AnalyzeStack's
 * propertyDependencies, lib/provenance.ts `sourcesOf`); an unknown alarm action counts when it
 * was computed from an SNS topic or Lambda function of the stack.
 */
import { PolicyResource } from "@pulumi/policy";
import {
  ALB_DIMENSIONS,
  ALB_METRICS,
  ALB_NAMESPACE,
  isNotifyingActionArn,
  targetGroupArnSuffix,
} from "./cloudwatch";
import { isTargetGroup } from "./ecs-stack";
import { isObj, Obj } from "./obj";
import { sourcesOf } from "./provenance";
import { LAMBDA_FUNCTION, METRIC_ALARM, SNS_TOPIC } from "./types";
import { isUnknown, raw } from "./unknown";

/**
 * The signals a production API must page on, each a target-group metric of the ALB: the
 * targets' 5xx responses (seed 004's "Error rate > 5%"), their response time (its "P99 latency >
 * 500ms") and the targets failing the health check.
 */
export const REQUIRED_ALARM_METRICS = [
  ALB_METRICS.target5xx,
  ALB_METRICS.responseTime,
  ALB_METRICS.unhealthyHosts,
] as const;

/** A target group the rule requires alarms on. */
export interface AlarmTarget {
  /** `target group "api-tg"`, or its ARN when it is not a resource of the stack. */
  readonly label: string;
  readonly resource?: PolicyResource;
  /** Its `TargetGroup` dimension value, "targetgroup/<name>/<id>", when known. */
  readonly suffix?: string;
}

/** Where an alarm sends: the action types that notify (lib/cloudwatch.ts isNotifyingActionArn). */
const NOTIFIER_TYPES: readonly string[] = [SNS_TOPIC, LAMBDA_FUNCTION];

const known = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" && !isUnknown(v) ? v : undefined;

/** A target group of the stack as a target: its suffix from `arnSuffix`, or from a known `arn`. */
export function targetOf(tg: PolicyResource): AlarmTarget {
  const p = raw(tg.props);
  const arn = known(p.arn);
  return {
    label: `target group "${tg.name}"`,
    resource: tg,
    suffix: known(p.arnSuffix) ?? (arn && targetGroupArnSuffix(arn)),
  };
}

/**
 * Whether a target group is an Application Load Balancer's: ALB target groups speak HTTP or
 * HTTPS (lb/targetGroup.d.ts `protocol`); TCP, TLS, UDP, TCP_UDP are a Network Load Balancer's
 * and GENEVE a Gateway Load Balancer's, whose metrics live in other namespaces. An unknown or
 * unset protocol is judged as an ALB's rather than skipped.
 */
export function isAlbTargetGroup(tg: PolicyResource): boolean {
  const protocol = raw(tg.props).protocol;
  if (typeof protocol !== "string" || isUnknown(protocol)) return true;
  return ["HTTP", "HTTPS"].includes(protocol.toUpperCase());
}

interface AlarmMetric {
  readonly namespace: unknown;
  readonly metricName: unknown;
  readonly dimensions: unknown;
  /** The top-level field its values were computed in, for propertyDependencies. */
  readonly field: "dimensions" | "metricQueries";
}

/** The metrics an alarm reads, or "unknown" when its metric queries are. */
function metricsOf(p: Obj): AlarmMetric[] | "unknown" {
  const out: AlarmMetric[] = [];
  if (p.metricName !== undefined)
    out.push({
      namespace: p.namespace,
      metricName: p.metricName,
      dimensions: p.dimensions,
      field: "dimensions",
    });
  const queries = p.metricQueries;
  if (isUnknown(queries)) return "unknown";
  for (const q of Array.isArray(queries) ? queries : []) {
    if (isUnknown(q) || (isObj(q) && isUnknown(q.metric))) return "unknown";
    const m = isObj(q) && isObj(q.metric) ? q.metric : undefined;
    if (m)
      out.push({
        namespace: m.namespace,
        metricName: m.metricName,
        dimensions: m.dimensions,
        field: "metricQueries",
      });
  }
  return out;
}

/** Whether the alarm's actions notify someone, or why not. */
function notifies(alarm: PolicyResource, all: readonly PolicyResource[]): string | undefined {
  const p = raw(alarm.props);
  if (p.actionsEnabled === false) return "its `actionsEnabled` is false";
  if (isUnknown(p.actionsEnabled)) return "its `actionsEnabled` is unknown at preview";
  const actions = p.alarmActions;
  const traced = () =>
    sourcesOf(alarm, "alarmActions", all).some((r) => NOTIFIER_TYPES.includes(r.type));
  const untraced =
    "its `alarmActions` are unknown at preview and come from no SNS topic or Lambda function of the stack";
  if (isUnknown(actions)) return traced() ? undefined : untraced;
  const list = Array.isArray(actions) ? actions : [];
  if (list.some((a) => typeof a === "string" && !isUnknown(a) && isNotifyingActionArn(a)))
    return undefined;
  if (list.some(isUnknown)) return traced() ? undefined : untraced;
  return list.length === 0
    ? "it has no `alarmActions`"
    : "none of its `alarmActions` is an SNS topic, a Lambda function or an incident response plan";
}

/**
 * Whether `metric` of `alarm` is `metricName` on target `t`: "yes", "no", or why it cannot count
 * (a near miss the violation explains).
 */
function watches(
  alarm: PolicyResource,
  metric: AlarmMetric,
  metricName: string,
  t: AlarmTarget,
  all: readonly PolicyResource[],
): "yes" | "no" | { readonly why: string } {
  if (metric.namespace !== ALB_NAMESPACE || metric.metricName !== metricName) return "no";
  const dims = metric.dimensions;
  const tgDim = isUnknown(dims) ? dims : isObj(dims) ? dims[ALB_DIMENSIONS.targetGroup] : undefined;
  const lbDim = isUnknown(dims)
    ? dims
    : isObj(dims)
      ? dims[ALB_DIMENSIONS.loadBalancer]
      : undefined;
  let mine: boolean;
  if (known(tgDim) !== undefined) {
    if (t.suffix === undefined && t.resource !== undefined)
      return {
        why: `its TargetGroup dimension is the literal ${String(tgDim)}, but this target group's \`arnSuffix\` is unknown at preview (the group is new), so that cannot be it; use the group's \`arnSuffix\` output`,
      };
    mine = tgDim === t.suffix;
  } else if (isUnknown(tgDim)) {
    const groups = sourcesOf(alarm, metric.field, all).filter(isTargetGroup);
    mine = t.resource !== undefined && groups.length === 1 && groups[0]?.urn === t.resource.urn;
    if (!mine && groups.length !== 1 && t.resource !== undefined)
      return {
        why: `its TargetGroup dimension is unknown at preview and comes from ${groups.length === 0 ? "no target group" : `${groups.length} target groups`}, so the pack cannot tell which it watches`,
      };
  } else {
    return "no";
  }
  if (!mine) return "no";
  if (lbDim === undefined || lbDim === null || lbDim === "")
    return {
      why: "it names no LoadBalancer dimension, and ELB publishes target-group metrics only with both LoadBalancer and TargetGroup, so it watches a metric that has no data",
    };
  // A known LoadBalancer is an ALB's ARN suffix, `app/<name>/<id>` (the ELB user guide's
  // dimension table: "the final portion of the load balancer ARN"); anything else (the target
  // group's suffix, a whole ARN, a name) is a series ELB never publishes.
  if (known(lbDim) !== undefined && !/^app\/[^/]+\/[^/]+$/.test(String(lbDim)))
    return {
      why: `its LoadBalancer dimension "${String(lbDim)}" is not an ALB's ARN suffix (app/<name>/<id>), so it watches a metric that has no data; use the load balancer's \`arnSuffix\` output`,
    };
  return "yes";
}

export interface Coverage {
  /** An alarm watches the metric on this target and notifies someone. */
  readonly covered: boolean;
  /** Alarms that watch it but cannot count, with why. */
  readonly nearMisses: readonly string[];
}

/** Whether some alarm of the stack watches `metricName` on `t` and notifies someone. */
export function coverage(
  t: AlarmTarget,
  metricName: string,
  all: readonly PolicyResource[],
): Coverage {
  const nearMisses: string[] = [];
  for (const alarm of all.filter((r) => r.type === METRIC_ALARM)) {
    const metrics = metricsOf(raw(alarm.props));
    if (metrics === "unknown") {
      const mine = sourcesOf(alarm, "metricQueries", all).some((r) => r.urn === t.resource?.urn);
      if (mine)
        nearMisses.push(
          `alarm "${alarm.name}": its \`metricQueries\` are unknown at preview; build them from literal metric names`,
        );
      continue;
    }
    for (const m of metrics) {
      const w = watches(alarm, m, metricName, t, all);
      if (w === "no") continue;
      if (w !== "yes") {
        nearMisses.push(`alarm "${alarm.name}": ${w.why}`);
        continue;
      }
      const silent = notifies(alarm, all);
      if (silent === undefined) return { covered: true, nearMisses: [] };
      nearMisses.push(`alarm "${alarm.name}" watches it, but ${silent}`);
    }
  }
  return { covered: false, nearMisses };
}
