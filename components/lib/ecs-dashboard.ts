/**
 * The CloudWatch dashboard of `platform: ecs` as plain data: one graph per alarm of
 * lib/ecs-alarm-specs.ts, with the same metrics, statistics, dimensions and threshold, so what
 * pages someone is what the dashboard shows. Generic over the dimension values (`T` is a string
 * in tests, a pulumi Output in components/ecs-alarms.ts, which serialises the tree with
 * `pulumi.jsonStringify`).
 *
 * The body's shape: CloudWatch API Reference, "Dashboard Body Structure and Syntax" (a `widgets`
 * list; a metric widget's `properties` with `metrics`, `region`, `title`, `period`, `stat`,
 * `annotations.horizontal`) and "Format for Each Metric in the Array of Metrics" (`[namespace,
 * metricName, dimensionName, dimensionValue, …, { id, stat, label, visible }]`, or
 * `[{ expression, id, label }]` for metric math).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
import {
  API_ALARMS,
  CACHE_ALARMS,
  SCOPE_DIMENSIONS,
  SERVICE_ALARMS,
  type AlarmScope,
  type AlarmSpec,
  type MetricStat,
} from "./ecs-alarm-specs";

export interface DashboardService<T> {
  /** "api", "workers.jobs". */
  readonly key: string;
  readonly serviceName: T;
  /** Tasks at deploy time, drawn beside the running and desired counts. */
  readonly desiredCount: number;
}

export interface DashboardTargets<T> {
  readonly region: T;
  readonly loadBalancer: T;
  readonly targetGroup: T;
  readonly cluster: T;
  readonly services: readonly DashboardService<T>[];
  /** Each replication-group member cluster (one node each); empty without ElastiCache. */
  readonly cacheClusters: readonly T[];
  /** The node id within a member cluster. */
  readonly cacheNodeId: string;
}

/** One entry of a widget's `metrics`: a metric with its dimensions and options, or an expression. */
export type MetricEntry<T> = (string | T | Record<string, unknown>)[];

export interface MetricWidget<T> {
  readonly type: "metric";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: T;
    readonly view: "timeSeries";
    readonly period: number;
    readonly metrics: MetricEntry<T>[];
    readonly annotations: { readonly horizontal: { label: string; value: number }[] };
  };
}

export interface DashboardBody<T> {
  readonly widgets: MetricWidget<T>[];
}

const WIDTH = 12;
const HEIGHT = 6;

/** The dashboard for these targets: the API's three graphs, one per service, three per cache. */
export function dashboardBody<T>(t: DashboardTargets<T>): DashboardBody<T> {
  const graphs: Omit<MetricWidget<T>, "x" | "y" | "width" | "height">[] = [];
  const tg = [t.loadBalancer, t.targetGroup];
  for (const spec of Object.values(API_ALARMS)) graphs.push(graph(t, spec, [tg], "API"));
  for (const s of t.services) {
    const g = graph(t, SERVICE_ALARMS.tasksBelowDesired, [[t.cluster, s.serviceName]], s.key);
    g.properties.annotations.horizontal.push({
      label: `tasks at deploy (${s.key})`,
      value: s.desiredCount,
    });
    graphs.push(g);
  }
  if (t.cacheClusters.length > 0) {
    const nodes = t.cacheClusters.map((c): (T | string)[] => [c, t.cacheNodeId]);
    for (const spec of Object.values(CACHE_ALARMS)) graphs.push(graph(t, spec, nodes, "Valkey"));
  }
  return {
    widgets: graphs.map((g, i) => ({
      ...g,
      x: (i % 2) * WIDTH,
      y: Math.floor(i / 2) * HEIGHT,
      width: WIDTH,
      height: HEIGHT,
    })),
  };
}

/** A metric widget for `spec`, one line per dimension set in `targets`. */
function graph<T>(
  t: DashboardTargets<T>,
  spec: AlarmSpec,
  targets: readonly (readonly (T | string)[])[],
  who: string,
): Omit<MetricWidget<T>, "x" | "y" | "width" | "height"> {
  // A math alarm watches one target; its ids must stay unique within the widget.
  if (spec.kind === "math" && targets.length !== 1)
    throw new Error(`a metric-math graph draws one target, got ${targets.length}`);
  const metrics: MetricEntry<T>[] = targets.flatMap((values): MetricEntry<T>[] =>
    spec.kind === "metric"
      ? [entry(spec.scope, spec.metric, values, { stat: spec.metric.stat })]
      : [
          ...Object.entries(spec.metrics).map(([id, m]) =>
            entry(spec.scope, m, values, { id, stat: m.stat }),
          ),
          [{ expression: spec.expression, id: spec.id, label: who }],
        ],
  );
  return {
    type: "metric",
    properties: {
      title: `${who}: ${spec.title}`,
      region: t.region,
      view: "timeSeries",
      period: spec.period,
      metrics,
      annotations: {
        horizontal: [
          { label: `alarm above ${spec.threshold} ${spec.unit}`, value: spec.threshold },
        ],
      },
    },
  };
}

function entry<T>(
  scope: AlarmScope,
  m: MetricStat,
  values: readonly (T | string)[],
  options: Record<string, unknown>,
): MetricEntry<T> {
  const dims = SCOPE_DIMENSIONS[scope].flatMap((name, i) => [name, values[i] as T | string]);
  return [m.namespace, m.metricName, ...dims, options];
}
