/**
 * `EcsAlarms` on its own, under mocks (issue 24): what the arguments decide that the stack file
 * cannot (no cache, one node, a serverless cache), the argument errors, and the pure builders'
 * edge cases. The stack's own alarms and their numbers are in ecs-alarms.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { EcsAlarmsArgs } from "../../components/ecs-alarms";
import { dimensionsOf, isPercentile, SERVICE_ALARMS } from "../../components/lib/ecs-alarm-specs";
import { dashboardBody } from "../../components/lib/ecs-dashboard";
import { ProgramError, runProgram, type ProgramRun } from "../../gate";
import { byType, reveal } from "../helpers/program";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const base: EcsAlarmsArgs = {
  loadBalancerArnSuffix: "app/api-alb/0123456789abcdef",
  targetGroupArnSuffix: "targetgroup/api-tg/fedcba9876543210",
  clusterName: "api-cluster",
  services: [{ key: "api", serviceName: "api-service", desiredCount: 2 }],
  region: "eu-central-1",
  stack: "test",
};

async function build(args: EcsAlarmsArgs): Promise<ProgramRun> {
  return runProgram({
    stack: "test",
    values: {},
    secretKeys: [],
    load: async () => {
      const { EcsAlarms } = await import("../../components/ecs-alarms");
      return { topic: new EcsAlarms("alarms", args).topicArn };
    },
  });
}

async function failure(args: EcsAlarmsArgs): Promise<Error & { hideStack?: boolean }> {
  const err = await build(args).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProgramError);
  return (err as ProgramError).cause as Error & { hideStack?: boolean };
}

const alarmNames = (r: ProgramRun) =>
  byType(r, ALARM)
    .map((a) => a.name)
    .sort();

describe("what the arguments decide", () => {
  it("without a cache: the API's three alarms and one per service", async () => {
    const r = await build(base);
    expect(alarmNames(r)).toEqual([
      "alarms-api-5xx-rate",
      "alarms-api-latency-p99",
      "alarms-api-tasks",
      "alarms-api-unhealthy-targets",
    ]);
    expect(byType(r, "aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
  });

  it("one cache node: one alarm per cache metric, on that node", async () => {
    const r = await build({ ...base, cache: { memberClusterIds: ["grp-001"], nodeCount: 1 } });
    const cache = byType(r, ALARM).filter((a) => a.name.startsWith("alarms-cache-"));
    expect(cache.map((a) => a.name).sort()).toEqual([
      "alarms-cache-evictions-0",
      "alarms-cache-memory-0",
      "alarms-cache-replication-lag-0",
    ]);
    for (const a of cache)
      expect((reveal(a.properties) as { dimensions: unknown }).dimensions).toEqual({
        CacheClusterId: "grp-001",
        CacheNodeId: "0001",
      });
  });

  it("gives node i the i-th id in sorted order, whatever order the provider lists", async () => {
    const r = await build({
      ...base,
      cache: { memberClusterIds: pulumi.output(["grp-002", "grp-001"]), nodeCount: 2 },
    });
    const dims = (name: string) =>
      (
        reveal(byType(r, ALARM).find((a) => a.name === name)?.properties) as Record<
          string,
          Record<string, string>
        >
      ).dimensions?.CacheClusterId;
    expect(dims("alarms-cache-memory-0")).toBe("grp-001");
    expect(dims("alarms-cache-memory-1")).toBe("grp-002");
  });

  it("names a worker's alarm after its key", async () => {
    const r = await build({
      ...base,
      services: [...base.services, { key: "workers.jobs", serviceName: "jobs", desiredCount: 1 }],
    });
    expect(alarmNames(r)).toContain("alarms-workers-jobs-tasks");
  });
});

describe("argument errors name the argument and the fix, without a stack", () => {
  it.each([
    [{ services: [] }, "`services` is empty"],
    [
      { services: [...base.services, { key: "api", serviceName: "x", desiredCount: 1 }] },
      '`services` lists "api" twice',
    ],
    [
      { services: [{ key: "api", serviceName: "x", desiredCount: 0 }] },
      '`services` "api" has `desiredCount` 0: use a whole number, at least 1',
    ],
    [
      { cache: { memberClusterIds: [], nodeCount: 7 } },
      "`cache.nodeCount` (7) must be a whole number from 1 to 6",
    ],
    [
      { subscription: { protocol: "email" as const, endpoint: "oncall" } },
      '`subscription.endpoint` ("oncall") is not an email address',
    ],
  ] as [Partial<EcsAlarmsArgs>, string][])("%j", async (patch, message) => {
    const e = await failure({ ...base, ...patch });
    expect(e.message).toContain(message);
    expect(e.hideStack).toBe(true);
  });
});

describe("the pure builders", () => {
  it("tells percentiles (extended statistics) from statistics", () => {
    for (const p of ["p99", "p99.9", "p50", "p0", "p100", "p99.95"])
      expect(isPercentile(p)).toBe(true);
    for (const s of ["Sum", "Maximum", "Average", "p", "p101.5", "tm99", "p99.999"])
      expect(isPercentile(s)).toBe(false);
  });

  it("refuses the wrong number of dimension values", () => {
    expect(dimensionsOf("service", ["c", "s"])).toEqual({ ClusterName: "c", ServiceName: "s" });
    expect(() => dimensionsOf("targetGroup", ["only-one"])).toThrow(/take 2 dimensions, got 1/);
  });

  it("keeps metric ids unique per graph and the graphs on the 24-column grid", () => {
    const body = dashboardBody<string>({
      region: "eu-central-1",
      loadBalancer: "app/a/1",
      targetGroup: "targetgroup/t/2",
      cluster: "c",
      services: [{ key: "api", serviceName: "s", desiredCount: 2 }],
      cacheClusters: ["g-001", "g-002"],
      cacheNodeId: "0001",
    });
    for (const w of body.widgets) {
      const ids = w.properties.metrics
        .map((m) => m[m.length - 1] as Record<string, unknown>)
        .map((o) => o.id)
        .filter((id) => id !== undefined);
      expect(new Set(ids).size, w.properties.title).toBe(ids.length);
      expect(w.x + w.width).toBeLessThanOrEqual(24);
    }
    const tasks = body.widgets.find((w) => w.properties.title.startsWith("api:"));
    const expression = tasks?.properties.metrics.find((m) => typeof m[0] === "object");
    expect((expression?.[0] as { expression: string }).expression).toBe(
      SERVICE_ALARMS.tasksBelowDesired.expression,
    );
    expect(tasks?.properties.annotations.horizontal).toContainEqual({
      label: "tasks at deploy (api)",
      value: 2,
    });
  });
});
