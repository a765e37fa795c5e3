/**
 * Every alert rule under the real `promtool test rules` (2.53.3, the pinned image's version):
 * it fires at its threshold once its `for` has passed, and neither just below the threshold nor
 * one evaluation before its `for` ends. The bad series differs from the firing one by the one
 * value that crosses the threshold.
 */
import { writeFileSync } from "node:fs";
import { parse } from "yaml";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { stringify } from "yaml";
import {
  ALERT_NAMES,
  alertRules,
  promDuration,
  renderAlertRules,
  type AlertName,
  type AlertRulesSpec,
} from "../../components/lib/alert-rules";
import { promTool } from "../layers";
import { describeReal } from "./layer";
import { removeTempDirs, run, tempDir } from "./util";

const INTERVAL_MS = 15_000;
// The certificate expires 14 days and 10 minutes after the epoch, so it enters the warning
// window 10 minutes in, and promtool need not evaluate weeks of steps.
const NOT_AFTER = 14 * 86_400 + 600;

const SPEC: AlertRulesSpec = {
  workers: ["jobs"],
  edge: { backend: "api", minHealthy: 2 },
  redis: true,
  backupEveryMs: 240_000,
  certificateNotAfter: NOT_AFTER,
  runbookUrl: "https://example.com/monitoring.md",
};

type Series = Record<string, string>;
interface Fixture {
  /** Series that cross the threshold. */
  readonly firing: Series;
  /** The same series with the one value that crosses it moved just short of it. */
  readonly below: Series;
  /** The first evaluation at which the condition holds, ms (a rate needs two samples). */
  readonly activeFromMs: number;
  /** The alert's labels besides severity and component. */
  readonly labels: Record<string, string>;
}

const api = { job: "api", instance: "10.0.0.2:3003" };
const worker = { job: "worker-jobs", instance: "10.0.0.5:9464" };
const exporter = { job: "redis", instance: "redis-exporter:9121" };
const sel = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;
const req = (status: string, route = "/jobs") =>
  sel("app_requests_total", { ...api, route, method: "POST", status });
const bucket = (le: string) =>
  sel("app_request_latency_seconds_bucket", { ...api, route: "/jobs", method: "POST", le });

const FIXTURES: Record<AlertName, Fixture> = {
  TargetDown: {
    firing: { [sel("up", api)]: "0x80" },
    below: { [sel("up", api)]: "1x80" },
    activeFromMs: 0,
    labels: api,
  },
  TargetMissing: {
    firing: {
      [sel("up", { job: "edge", instance: "e" })]: "1x80",
      [sel("up", { job: "worker-jobs", instance: "w" })]: "1x80",
    },
    below: {
      [sel("up", { job: "edge", instance: "e" })]: "1x80",
      [sel("up", { job: "worker-jobs", instance: "w" })]: "1x80",
      [sel("up", api)]: "0x80",
    },
    activeFromMs: 0,
    labels: { job: "api" },
  },
  RedisDown: {
    firing: { [sel("redis_up", exporter)]: "0x80" },
    below: { [sel("redis_up", exporter)]: "1x80" },
    activeFromMs: 0,
    labels: exporter,
  },
  RedisMemoryNearLimit: {
    firing: {
      [sel("redis_memory_max_bytes", exporter)]: "1000x80",
      [sel("redis_memory_used_bytes", exporter)]: "901x80",
    },
    below: {
      [sel("redis_memory_max_bytes", exporter)]: "1000x80",
      [sel("redis_memory_used_bytes", exporter)]: "900x80",
    },
    activeFromMs: 0,
    labels: exporter,
  },
  RedisPersistenceFailing: {
    firing: {
      [sel("redis_aof_last_write_status", exporter)]: "1x80",
      [sel("redis_aof_last_bgrewrite_status", exporter)]: "1x80",
      [sel("redis_rdb_last_bgsave_status", exporter)]: "0x80",
    },
    below: {
      [sel("redis_aof_last_write_status", exporter)]: "1x80",
      [sel("redis_aof_last_bgrewrite_status", exporter)]: "1x80",
      [sel("redis_rdb_last_bgsave_status", exporter)]: "1x80",
    },
    activeFromMs: 0,
    labels: exporter,
  },
  ApiHighErrorRate: {
    // 51 of 1000 requests a step are 5xx (5.1 %), then 49 (4.9 %); probes that answer 503
    // are not requests a user made, so a flood of them changes nothing.
    firing: {
      [req("500")]: "0+51x80",
      [req("200")]: "0+949x80",
      [req("503", "/health")]: "0+1000x80",
    },
    below: {
      [req("500")]: "0+49x80",
      [req("200")]: "0+951x80",
      [req("503", "/health")]: "0+1000x80",
    },
    activeFromMs: INTERVAL_MS,
    labels: {},
  },
  ApiHighLatencyP99: {
    // 6 of 200 requests above 0.5 s puts the 99th percentile above it; 1 of 200 does not (2 of
    // 200 would put it at 0.5 exactly, which floating point rounds either way).
    firing: {
      [bucket("0.25")]: "0+180x80",
      [bucket("0.5")]: "0+194x80",
      [bucket("1")]: "0+200x80",
      [bucket("+Inf")]: "0+200x80",
    },
    below: {
      [bucket("0.25")]: "0+180x80",
      [bucket("0.5")]: "0+199x80",
      [bucket("1")]: "0+200x80",
      [bucket("+Inf")]: "0+200x80",
    },
    activeFromMs: INTERVAL_MS,
    labels: {},
  },
  ApiRedisConnectionFailures: {
    firing: {
      [sel("db_connection_failures_total", api)]: "0+101x80",
      [sel("db_requests_total", api)]: "0+1000x80",
    },
    below: {
      [sel("db_connection_failures_total", api)]: "0+99x80",
      [sel("db_requests_total", api)]: "0+1000x80",
    },
    activeFromMs: INTERVAL_MS,
    labels: { job: "api" },
  },
  ApiRedisDisconnected: {
    firing: { [sel("app_redis_up", api)]: "0x80" },
    below: { [sel("app_redis_up", api)]: "1x80" },
    activeFromMs: 0,
    labels: api,
  },
  EdgeFewHealthyReplicas: {
    firing: {
      [sel("haproxy_backend_active_servers", { job: "edge", instance: "e:8405", proxy: "api" })]:
        "1x80",
    },
    below: {
      [sel("haproxy_backend_active_servers", { job: "edge", instance: "e:8405", proxy: "api" })]:
        "2x80",
    },
    activeFromMs: 0,
    labels: { job: "edge", instance: "e:8405", proxy: "api" },
  },
  WorkerQueueGrowing: {
    firing: { [sel("worker_queue_depth", worker)]: "0+1x80" },
    below: { [sel("worker_queue_depth", worker)]: "0x80" },
    activeFromMs: INTERVAL_MS,
    labels: { job: "worker-jobs" },
  },
  WorkerHeartbeatStale: {
    // The value is the heartbeat's Unix time; time() is the evaluation's, so age = t - value.
    firing: { [sel("worker_heartbeat_timestamp_seconds", worker)]: "-61+15x80" },
    below: { [sel("worker_heartbeat_timestamp_seconds", worker)]: "-60+15x80" },
    activeFromMs: 0,
    labels: worker,
  },
  BackupStale: {
    // A schedule of 240 s: no full sync for 480 s fires once Prometheus has been up that long;
    // one every 480 s never does.
    firing: {
      [sel("redis_replica_resyncs_full", exporter)]: "3x80",
      [sel("process_start_time_seconds", { job: "prometheus", instance: "localhost:9090" })]:
        "0x80",
    },
    below: {
      [sel("redis_replica_resyncs_full", exporter)]: "3x31 4x31 5x20",
      [sel("process_start_time_seconds", { job: "prometheus", instance: "localhost:9090" })]:
        "0x80",
    },
    activeFromMs: 495_000,
    labels: exporter,
  },
  EdgeCertificateExpiring: {
    // vector(NOT_AFTER): 14 days to go at 600 s, which is not "within"; 615 s is. The "below"
    // run ends at 600 s.
    firing: {},
    below: {},
    activeFromMs: 600_000 + INTERVAL_MS,
    labels: {},
  },
};

afterAll(() => removeTempDirs());

/**
 * The rules without their annotations: promtool compares annotations whole, and the threshold
 * tests are about when an alert fires. One test below checks the rendered annotations.
 */
function rulesWithoutAnnotations(spec: AlertRulesSpec): string {
  const doc = parse(renderAlertRules(spec)) as { groups: { rules: Record<string, unknown>[] }[] };
  for (const g of doc.groups) for (const r of g.rules) delete r.annotations;
  return stringify(doc);
}

/** Writes the rules and a unit-test file into a fresh directory and runs `promtool test rules`. */
async function promtoolTest(rules: string, tests: unknown[]) {
  const dir = tempDir("alert-rules-");
  writeFileSync(join(dir, "rules.yml"), rules);
  const file = { rule_files: ["rules.yml"], evaluation_interval: promDuration(INTERVAL_MS), tests };
  writeFileSync(join(dir, "test.yml"), stringify(file));
  return run(promTool("promtool"), ["test", "rules", "test.yml"], { cwd: dir, timeoutMs: 60_000 });
}

describeReal("alert rules under promtool test rules", () => {
  test("every alert has a fixture, and the stack's spec renders every alert", () => {
    expect(Object.keys(FIXTURES).sort()).toEqual([...ALERT_NAMES].sort());
    expect(alertRules(SPEC).map((r) => r.alert)).toEqual([...ALERT_NAMES]);
  });

  test.each([...ALERT_NAMES])(
    "%s fires at its threshold after its `for`, not below it nor before",
    async (name) => {
      const rule = alertRules(SPEC).find((r) => r.alert === name);
      if (rule === undefined) throw new Error(`${name} is not rendered`);
      const f = FIXTURES[name];
      const firingAt = f.activeFromMs + rule.forMs;
      const expected = [
        {
          exp_labels: { ...f.labels, severity: rule.severity, component: rule.component },
        },
      ];
      const at = (ms: number) => promDuration(Math.floor(ms / 1_000) * 1_000);
      const series = (s: Series) =>
        Object.entries(s).map(([name, values]) => ({ series: name, values }));
      const tests = [
        {
          // Fires once the `for` has passed …
          interval: promDuration(INTERVAL_MS),
          input_series: series(f.firing),
          alert_rule_test: [{ eval_time: at(firingAt), alertname: name, exp_alerts: expected }],
        },
        {
          // … and not in the last evaluation before (with `for: 0` there is none).
          interval: promDuration(INTERVAL_MS),
          input_series: series(f.firing),
          alert_rule_test:
            rule.forMs === 0
              ? []
              : [{ eval_time: at(firingAt - INTERVAL_MS), alertname: name, exp_alerts: [] }],
        },
        {
          // Just short of the threshold it never fires.
          interval: promDuration(INTERVAL_MS),
          input_series: series(f.below),
          alert_rule_test: [
            {
              eval_time: at(
                name === "EdgeCertificateExpiring" ? f.activeFromMs - INTERVAL_MS : firingAt * 2,
              ),
              alertname: name,
              exp_alerts: [],
            },
          ],
        },
      ];
      const r = await promtoolTest(rulesWithoutAnnotations(SPEC), tests);
      expect(r.stdout + r.stderr, "promtool test rules").toMatch(/SUCCESS/);
      expect(r.code).toBe(0);
    },
  );

  // RedisDown with its series down (`0x40`) or up (`1x40`), and what promtool must find at 1 m.
  const redisDown = (values: string, annotations?: Record<string, string>) => [
    {
      interval: "15s",
      input_series: [{ series: sel("redis_up", exporter), values }],
      alert_rule_test: [
        {
          eval_time: "1m",
          alertname: "RedisDown",
          exp_alerts: [
            {
              exp_labels: { ...exporter, severity: "critical", component: "redis" },
              ...(annotations ? { exp_annotations: annotations } : {}),
            },
          ],
        },
      ],
    },
  ];

  test("RedisDown keeps firing 90 s after Redis answers again, so its inhibition outlasts the API's 1-minute windows", async () => {
    // Down from 0 to 105 s, up from 120 s.
    const series = [{ series: sel("redis_up", exporter), values: "0x7 1x40" }];
    const firing = [{ exp_labels: { ...exporter, severity: "critical", component: "redis" } }];
    const at = (eval_time: string, exp_alerts: unknown[]) => ({
      eval_time,
      alertname: "RedisDown",
      exp_alerts,
    });
    const r = await promtoolTest(rulesWithoutAnnotations(SPEC), [
      {
        interval: "15s",
        input_series: series,
        // The expression clears at 120 s; firing until 90 s after that, resolved at 210 s.
        alert_rule_test: [at("1m", firing), at("3m15s", firing), at("3m30s", [])],
      },
    ]);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
  });

  test("RedisDown's annotations render: summary, description and the runbook's anchor", async () => {
    const r = await promtoolTest(
      renderAlertRules(SPEC),
      redisDown("0x40", {
        summary: "Redis does not answer the exporter",
        description: "redis_exporter cannot connect to Redis or authenticate.",
        runbook_url: "https://example.com/monitoring.md#redisdown",
      }),
    );
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
  });

  test("a wrong expectation fails promtool: the check can fail", async () => {
    // The same test with Redis up: the expected alert is not there, so promtool fails.
    const r = await promtoolTest(rulesWithoutAnnotations(SPEC), redisDown("1x40"));
    expect(r.stdout + r.stderr).toMatch(/FAILED/);
    expect(r.code).not.toBe(0);
  });
});
