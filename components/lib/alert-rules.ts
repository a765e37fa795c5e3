/**
 * The Prometheus alerting rules the Docker platform's monitoring loads. Thresholds and `for`
 * durations are the production guide's (seed 004, "Alert Thresholds (Recommended)") where it
 * gives one, and the reason is written beside each where it does not. Every alert carries
 * `severity` and `component` labels (Alertmanager routes and inhibits on them) and `summary`,
 * `description` and `runbook_url` annotations; the runbooks are docs/monitoring.md's sections,
 * one per alert, anchored by the alert's name in lower case.
 *
 * test/real/alert-rules.test.ts runs `promtool test rules` on every alert: it fires at its
 * threshold once its `for` has passed, and neither just below the threshold nor before then.
 */
import { stringify } from "yaml";
import { API_METRICS, DB_METRICS, WORKER_METRICS } from "./app-metrics";

export const ALERT_NAMES = [
  "TargetDown",
  "TargetMissing",
  "RedisDown",
  "RedisMemoryNearLimit",
  "RedisPersistenceFailing",
  "ApiHighErrorRate",
  "ApiHighLatencyP99",
  "ApiRedisConnectionFailures",
  "ApiRedisDisconnected",
  "EdgeFewHealthyReplicas",
  "WorkerQueueGrowing",
  "WorkerHeartbeatStale",
  "BackupStale",
  "EdgeCertificateExpiring",
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

export type Severity = "critical" | "warning";
/** What an alert is about; Alertmanager groups by it and RedisDown inhibits "api" and "worker". */
export type Component = "api" | "worker" | "redis" | "edge" | "backup" | "monitoring";

/** The scrape jobs' names, shared by prometheus.yml and these rules. */
export const JOBS = {
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  api: "api",
  edge: "edge",
  redis: "redis",
  /** A worker's job is `worker-<name>`, its network alias on the monitoring network too. */
  worker: (name: string) => `worker-${name}`,
} as const;

/**
 * Requests the error rate and latency leave out: health probes (Docker's and HAProxy's), not
 * users. Scrapes need no exclusion: /metrics is served on METRICS_PORT, not on the API's port.
 */
export const EXCLUDED_ROUTES = ["/health"] as const;

/** The `for` of each alert, ms; `monitoring.alerts.<Name>.for` overrides one. */
export const ALERT_FOR_MS: Readonly<Record<AlertName, number>> = {
  TargetDown: 60_000,
  TargetMissing: 60_000,
  // Longer than one scrape, so a single failed scrape does not page; shorter than the API's
  // error-rate `for`, so RedisDown reaches Alertmanager first and inhibits what it causes.
  RedisDown: 30_000,
  RedisMemoryNearLimit: 300_000,
  RedisPersistenceFailing: 60_000,
  // Seed 004: "Error rate > 5% for > 1 minute".
  ApiHighErrorRate: 60_000,
  // Seed 004: "P99 latency > 500ms for > 2 minutes".
  ApiHighLatencyP99: 120_000,
  // Seed 004: "Connection failure rate > 10% for > 30 seconds".
  ApiRedisConnectionFailures: 30_000,
  // Seed 004's "Circuit breaker OPEN for > 1 minute": our API has no breaker; its Redis client
  // being down for a minute is the same state (every request that needs Redis fails fast).
  ApiRedisDisconnected: 60_000,
  EdgeFewHealthyReplicas: 60_000,
  // The "worker queue growing for N minutes", N = 10.
  WorkerQueueGrowing: 600_000,
  WorkerHeartbeatStale: 60_000,
  BackupStale: 0,
  EdgeCertificateExpiring: 600_000,
};

/** What the rules need to know about the stack. */
export interface AlertRulesSpec {
  /** Worker names (`workers.<name>` in the stack file). */
  readonly workers: readonly string[];
  /** The edge proxy's backend and how many healthy replicas it should have. */
  readonly edge?: { readonly backend: string; readonly minHealthy: number };
  /** A local Redis scraped through redis_exporter. */
  readonly redis: boolean;
  /** Scheduled snapshots: between them, ms; the alert fires past twice that. */
  readonly backupEveryMs?: number;
  /** The edge certificate's notAfter, Unix seconds. */
  readonly certificateNotAfter?: number;
  /** Overrides of ALERT_FOR_MS. */
  readonly forMs?: Partial<Record<AlertName, number>>;
  /** docs/monitoring.md as users can open it; each alert links `<url>#<name in lower case>`. */
  readonly runbookUrl: string;
}

export interface AlertRule {
  readonly alert: AlertName;
  readonly expr: string;
  readonly forMs: number;
  /** How long it stays firing after its expression clears (Prometheus `keep_firing_for`). */
  readonly keepFiringForMs?: number;
  readonly severity: Severity;
  readonly component: Component;
  readonly summary: string;
  readonly description: string;
}

/**
 * RedisDown stays firing this long after Redis answers again, so it still inhibits the API and
 * worker alerts while their 1-minute rate windows clear: Alertmanager stops muting the moment
 * the source resolves (alertmanager inhibit/inhibit.go, hasEqual skips resolved sources), and
 * a flush in that minute would page for an outage that is over. The cost: RedisDown's own
 * "resolved" comes this much later.
 */
export const REDIS_DOWN_KEEP_FIRING_MS = 90_000;

/** A worker's heartbeat older than this is stale: the worker writes one every 10 s. */
export const HEARTBEAT_STALE_SECONDS = 60;
/** Redis memory above this share of `maxmemory`. */
export const REDIS_MEMORY_RATIO = 0.9;
/** The edge certificate's warning window, days (the issue: "expiring within 14 days"). */
export const CERTIFICATE_WARNING_DAYS = 14;

const notRoutes = `route!~"${EXCLUDED_ROUTES.join("|")}"`;

/** The rules that apply to this stack, in ALERT_NAMES order. */
export function alertRules(spec: AlertRulesSpec): AlertRule[] {
  const forMs = (name: AlertName) => spec.forMs?.[name] ?? ALERT_FOR_MS[name];
  const rules: Omit<AlertRule, "forMs">[] = [];
  const add = (r: Omit<AlertRule, "forMs">) => rules.push(r);
  const discovered = [
    JOBS.api,
    ...(spec.edge ? [JOBS.edge] : []),
    ...spec.workers.map(JOBS.worker),
  ];

  add({
    alert: "TargetDown",
    expr: "up == 0",
    severity: "critical",
    component: "monitoring",
    summary: "{{ $labels.job }} target {{ $labels.instance }} is down",
    description:
      "Prometheus has not scraped {{ $labels.instance }} (job {{ $labels.job }}) successfully for a minute.",
  });
  add({
    alert: "TargetMissing",
    // DNS discovery finds no replica at all: `up` then has no series, so TargetDown is silent.
    expr: discovered.map((job) => `absent(up{job="${job}"})`).join(" or "),
    severity: "critical",
    component: "monitoring",
    summary: "no {{ $labels.job }} target is being scraped",
    description:
      "DNS discovery of {{ $labels.job }} on the monitoring network returns no container.",
  });
  const r = API_METRICS.requests;
  add({
    alert: "ApiHighErrorRate",
    expr: `sum(rate(${r}{status=~"5..",${notRoutes}}[1m])) / sum(rate(${r}{${notRoutes}}[1m])) > 0.05`,
    severity: "critical",
    component: "api",
    summary: "API error rate above 5 %",
    description:
      "{{ $value | humanizePercentage }} of API requests answered 5xx over the last minute.",
  });
  add({
    alert: "ApiHighLatencyP99",
    expr: `histogram_quantile(0.99, sum by (le) (rate(${API_METRICS.latency}_bucket{${notRoutes}}[1m]))) > 0.5`,
    severity: "warning",
    component: "api",
    summary: "API P99 latency above 500 ms",
    description: "The 99th percentile of request time is {{ $value | humanizeDuration }}.",
  });
  add({
    alert: "ApiRedisConnectionFailures",
    expr: `sum by (job) (rate(${DB_METRICS.connectionFailures}[1m])) / sum by (job) (rate(${DB_METRICS.requests}[1m])) > 0.1`,
    severity: "critical",
    component: "api",
    summary: "{{ $labels.job }}: more than 10 % of Redis operations cannot connect",
    description:
      "{{ $value | humanizePercentage }} of {{ $labels.job }}'s Redis operations failed to connect over the last minute.",
  });
  add({
    alert: "ApiRedisDisconnected",
    expr: `${API_METRICS.redisUp} == 0`,
    severity: "critical",
    component: "api",
    summary: "{{ $labels.instance }} has no Redis connection",
    description:
      "The API replica {{ $labels.instance }} has had no ready Redis connection for a minute; every request that needs Redis answers 503.",
  });
  if (spec.redis) {
    add({
      alert: "RedisDown",
      expr: "redis_up == 0",
      keepFiringForMs: REDIS_DOWN_KEEP_FIRING_MS,
      severity: "critical",
      component: "redis",
      summary: "Redis does not answer the exporter",
      description: "redis_exporter cannot connect to Redis or authenticate.",
    });
    add({
      alert: "RedisMemoryNearLimit",
      // The ratio first, so {{ $value }} is the ratio; `and` drops it when maxmemory is 0.
      expr: `redis_memory_used_bytes / redis_memory_max_bytes > ${REDIS_MEMORY_RATIO} and redis_memory_max_bytes > 0`,
      severity: "warning",
      component: "redis",
      summary: "Redis uses more than 90 % of maxmemory",
      description:
        "Redis is at {{ $value | humanizePercentage }} of maxmemory; with noeviction, writes fail at 100 %.",
    });
    add({
      alert: "RedisPersistenceFailing",
      expr: "redis_aof_last_write_status == 0 or redis_aof_last_bgrewrite_status == 0 or redis_rdb_last_bgsave_status == 0",
      severity: "critical",
      component: "redis",
      // Alert labels never keep __name__, so the summary cannot say which of the three failed.
      summary: "Redis cannot persist: the last AOF write, AOF rewrite or RDB save failed",
      description:
        "The last AOF write, AOF rewrite or RDB save failed; Redis may refuse writes and a restart would lose data.",
    });
  }
  if (spec.edge) {
    const min = spec.edge.minHealthy;
    add({
      alert: "EdgeFewHealthyReplicas",
      expr: `haproxy_backend_active_servers{proxy="${spec.edge.backend}"} < ${min}`,
      severity: "critical",
      // About the API's replicas, seen from the edge: while Redis is down their /health fails
      // and this fires too, so RedisDown inhibits it with the other API alerts.
      component: "api",
      summary: `fewer than ${min} healthy API replicas behind the edge`,
      description: "HAProxy has {{ $value }} API replicas passing their health check.",
    });
  }
  if (spec.workers.length > 0) {
    const workerJobs = `job=~"${spec.workers.map(JOBS.worker).join("|")}"`;
    add({
      alert: "WorkerQueueGrowing",
      // Every worker reports the one shared queue, so the largest is the queue's length.
      expr: `max by (job) (delta(${WORKER_METRICS.queueDepth}{${workerJobs}}[10m])) > 0`,
      severity: "warning",
      component: "worker",
      summary: "{{ $labels.job }}: the job queue has been growing for 10 minutes",
      description:
        "The queue grew by {{ $value }} jobs over the last 10 minutes, every 10 minutes for 10 minutes: the workers do not keep up.",
    });
    add({
      alert: "WorkerHeartbeatStale",
      expr: `time() - ${WORKER_METRICS.heartbeat}{${workerJobs}} > ${HEARTBEAT_STALE_SECONDS}`,
      severity: "warning",
      component: "worker",
      summary: "{{ $labels.instance }}'s heartbeat is {{ $value | humanizeDuration }} old",
      description:
        "The worker writes a heartbeat every 10 s after Redis answers; an old one means it is stuck or cut off.",
    });
  }
  if (spec.backupEveryMs !== undefined) {
    const limit = (2 * spec.backupEveryMs) / 1_000;
    add({
      alert: "BackupStale",
      // Every snapshot is a full sync over the replication protocol (`redis-cli --rdb`), which
      // Redis counts in INFO stats `sync_full` (redis/redis src/replication.c, syncCommand:
      // server.stat_sync_full++) and redis_exporter reports as redis_replica_resyncs_full. A
      // restart resets it to 0, which is a change too. The stack runs no replica, so only
      // snapshots move it. Prometheus must have watched for the whole window before silence
      // means anything, hence its own uptime. A snapshot taken but refused by verification
      // still counts here; the snapshotter's healthcheck fails on that (backup-script.ts).
      expr: `changes(redis_replica_resyncs_full[${limit}s]) == 0 and on () (time() - process_start_time_seconds{job="${JOBS.prometheus}"}) > ${limit}`,
      severity: "critical",
      component: "backup",
      summary: `no Redis snapshot for ${limit} s (twice the schedule)`,
      description:
        "The snapshot container has taken no snapshot (no full sync) for twice its schedule.",
    });
  }
  if (spec.certificateNotAfter !== undefined) {
    add({
      alert: "EdgeCertificateExpiring",
      expr: `api_stack:edge_certificate_not_after_seconds - time() < ${CERTIFICATE_WARNING_DAYS * 86_400}`,
      severity: "warning",
      component: "edge",
      summary: `the edge certificate expires within ${CERTIFICATE_WARNING_DAYS} days`,
      description:
        "The certificate the edge proxy serves expires in {{ $value | humanizeDuration }}; renew it and run `pulumi up`.",
    });
  }
  const order = (n: AlertName) => ALERT_NAMES.indexOf(n);
  return rules
    .sort((a, b) => order(a.alert) - order(b.alert))
    .map((rule) => ({ ...rule, forMs: forMs(rule.alert) }));
}

/** A duration as Prometheus writes it: whole seconds, or minutes when exact. */
export function promDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms % 1_000 !== 0) {
    throw new Error(`a rule duration must be whole seconds, got ${ms} ms`);
  }
  const s = ms / 1_000;
  if (s === 0) return "0s";
  if (s % 3_600 === 0) return `${s / 3_600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** The rules file, `groups:` YAML, as `promtool check rules` takes it. */
export function renderAlertRules(spec: AlertRulesSpec): string {
  const rules: unknown[] = [];
  if (spec.certificateNotAfter !== undefined) {
    // The certificate's end as a series, rendered at deploy time from the certificate itself;
    // a renewal is a `pulumi up`, which renders the new date.
    rules.push({
      record: "api_stack:edge_certificate_not_after_seconds",
      expr: `vector(${Math.floor(spec.certificateNotAfter)})`,
    });
  }
  for (const r of alertRules(spec)) {
    rules.push({
      alert: r.alert,
      expr: r.expr,
      for: promDuration(r.forMs),
      ...(r.keepFiringForMs === undefined
        ? {}
        : { keep_firing_for: promDuration(r.keepFiringForMs) }),
      labels: { severity: r.severity, component: r.component },
      annotations: {
        summary: r.summary,
        description: r.description,
        runbook_url: `${spec.runbookUrl}#${r.alert.toLowerCase()}`,
      },
    });
  }
  return (
    "# Generated by api-stack (components/lib/alert-rules.ts). Do not edit by hand.\n" +
    stringify({ groups: [{ name: "api-stack", rules }] }, { lineWidth: 0 })
  );
}
