/**
 * ecs-production-alarms (issue 24) on the ECS corpus stack (corpus/ecs-base.ts), one setting
 * changed per test. The bad cases the corpus runs through the real pack are in corpus/ecs.ts;
 * here are the edges: unknowns at preview and where they come from, target groups outside the
 * stack or of another load balancer type, which actions notify, and development.
 */
import { describe, expect, it } from "vitest";
import { ResourceRecord, UNKNOWN } from "../../../gate";
import { isNotifyingActionArn, targetGroupArnSuffix } from "../../../policy/lib/cloudwatch";
import { ecsProductionAlarms } from "../../../policy/rules/ecs-alarms";
import { res } from "../corpus/base";
import { E, ecsStack, EcsOpts, TG_ARN, TG_SUFFIX } from "../corpus/ecs-base";
import { runStackPolicy } from "../util";
import { devCfg, Props, stackArgs, stackMessages } from "./ecs-helpers";

const policy = ecsProductionAlarms;
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
type Alarms = Record<"5xx" | "latency" | "unhealthy", Props>;
const alarms = (change: (a: Alarms) => void): EcsOpts => ({ alarms: change });
const messages = (opts: EcsOpts, config: Props = {}) => stackMessages(policy, opts, config);

/** The stack with `edit` applied to the records (for dependencies, which EcsOpts cannot change). */
const edited = async (opts: EcsOpts, edit: (r: ResourceRecord) => ResourceRecord) =>
  (await runStackPolicy(policy, stackArgs(ecsStack(opts).map(edit)))).map((v) => v.message);

describe("ecs-production-alarms", () => {
  it("passes the good stacks, known and at preview", async () => {
    expect(await messages({})).toEqual([]);
    expect(await messages({ preview: true })).toEqual([]);
    expect(await messages({ albTokens: true })).toEqual([]);
  });

  it("is silent in development, and names every missing metric in production", async () => {
    const none = alarms((a) => {
      for (const k of Object.keys(a)) delete (a as Record<string, unknown>)[k];
    });
    expect(await messages(none, devCfg)).toEqual([]);
    const [m, ...rest] = await messages(none);
    expect(rest).toEqual([]);
    expect(m).toMatch(
      /^ECS service "api-service" serves through target group "api-tg", but no CloudWatch alarm that notifies someone watches its HTTPCode_Target_5XX_Count, TargetResponseTime, UnHealthyHostCount: .* Fix: .*AWS\/ApplicationELB.*LoadBalancer.*TargetGroup.*SNS topic/,
    );
  });

  it("reports at the service", async () => {
    const records = ecsStack(alarms((a) => delete (a as Partial<Alarms>).latency));
    const vs = await runStackPolicy(policy, stackArgs(records));
    expect(vs.map((v) => v.urn)).toEqual([records.find((r) => r.type === E.service)?.urn]);
  });

  describe("at preview, judges an unknown dimension by where it comes from", () => {
    const untraced = (r: ResourceRecord) =>
      r.name === "alarms-api-latency" ? { ...r, dependencies: [], propertyDependencies: {} } : r;
    it("refuses an alarm whose unknown TargetGroup comes from no target group", async () => {
      expect((await edited({ preview: true }, untraced)).join()).toMatch(
        /TargetResponseTime: alarm "alarms-api-latency": its TargetGroup dimension is unknown at preview and comes from no target group/,
      );
      // Known values need no tracing.
      expect(await edited({}, untraced)).toEqual([]);
    });

    it("refuses one that comes from two target groups", async () => {
      const other = res(E.targetGroup, "other-tg", { arn: UNKNOWN, protocol: "HTTP" });
      const second: EcsOpts = { preview: true, extra: () => [other] };
      const twoGroups = (r: ResourceRecord) =>
        r.name === "alarms-api-latency"
          ? {
              ...r,
              propertyDependencies: {
                ...r.propertyDependencies,
                dimensions: [...(r.propertyDependencies?.dimensions ?? []), other.urn],
              },
            }
          : r;
      expect((await edited(second, twoGroups)).join()).toMatch(/comes from 2 target groups/);
    });

    it("refuses metric queries unknown as a whole, naming the alarm", async () => {
      const ms = await messages({
        preview: true,
        ...alarms((a) => (a["5xx"].metricQueries = UNKNOWN)),
      });
      expect(ms.join()).toMatch(
        /HTTPCode_Target_5XX_Count: alarm "alarms-api-5xx": its `metricQueries` are unknown at preview/,
      );
    });

    it("counts an unknown action only when it comes from an SNS topic of the stack", async () => {
      const noTopic = (r: ResourceRecord) =>
        r.type === ALARM ? { ...r, dependencies: [], propertyDependencies: {} } : r;
      // Known dimensions, so only the actions are judged by where they come from.
      const unknownActions = alarms((a) => {
        for (const x of Object.values(a)) x.alarmActions = [UNKNOWN];
      });
      expect((await edited(unknownActions, noTopic)).join()).toMatch(
        /UnHealthyHostCount: alarm "alarms-api-unhealthy" watches it, but its `alarmActions` are unknown at preview and come from no SNS topic/,
      );
      expect(await messages(unknownActions)).toEqual([]);
      expect(
        await messages({ preview: true, ...alarms((a) => (a.unhealthy.alarmActions = UNKNOWN)) }),
      ).toEqual([]);
    });

    it("explains why a literal TargetGroup cannot be a new group's", async () => {
      const literal = alarms((a) => {
        a.latency.dimensions = { LoadBalancer: "app/api/1", TargetGroup: TG_SUFFIX };
      });
      expect((await messages({ preview: true, ...literal })).join()).toMatch(
        /TargetResponseTime: alarm "alarms-api-latency": its TargetGroup dimension is the literal targetgroup\/api-stack-prod-api\/6d0ecf831eec9f09, but this target group's `arnSuffix` is unknown at preview/,
      );
      expect(await messages(literal)).toEqual([]);
    });

    it("refuses a LoadBalancer dimension that is not an ALB's ARN suffix", async () => {
      // One setting apart: the same alarm with the target group's suffix as its LoadBalancer.
      const good = alarms((a) => {
        a.latency.dimensions = { LoadBalancer: "app/api/1", TargetGroup: TG_SUFFIX };
      });
      const bad = alarms((a) => {
        a.latency.dimensions = { LoadBalancer: TG_SUFFIX, TargetGroup: TG_SUFFIX };
      });
      expect(await messages(good)).toEqual([]);
      expect((await messages(bad)).join()).toMatch(
        /TargetResponseTime: alarm "alarms-api-latency": its LoadBalancer dimension "targetgroup\/[^"]+" is not an ALB's ARN suffix/,
      );
    });

    it("refuses an unknown actionsEnabled and unknown load balancers", async () => {
      expect((await messages(alarms((a) => (a.latency.actionsEnabled = UNKNOWN)))).join()).toMatch(
        /`actionsEnabled` is unknown at preview/,
      );
      expect(
        (await messages({ preview: true, service: (p) => (p.loadBalancers = UNKNOWN) })).join(),
      ).toMatch(/`loadBalancers` of ECS service "api-service" is unknown at preview/);
    });
  });

  describe("which target groups", () => {
    const withoutTg = (r: ResourceRecord) => r.type !== E.targetGroup;
    it("judges a target group outside the stack by its ARN's suffix", async () => {
      const outside = async (opts: EcsOpts) =>
        (await runStackPolicy(policy, stackArgs(ecsStack(opts).filter(withoutTg)))).map(
          (v) => v.message,
        );
      expect(await outside({})).toEqual([]);
      expect(
        (await outside(alarms((a) => delete (a as Partial<Alarms>).unhealthy))).join(),
      ).toMatch(new RegExp(`serves through target group ${TG_ARN}, .*UnHealthyHostCount`));
    });

    it("skips a Network Load Balancer's target group", async () => {
      expect(
        await messages({
          targetGroup: (p) => (p.protocol = "TCP"),
          ...alarms((a) => delete (a as Partial<Alarms>)["5xx"]),
        }),
      ).toEqual([]);
    });
  });

  it("counts SNS, Lambda and incident-response actions, not scaling or EC2 ones", async () => {
    const via = (arn: string) => messages(alarms((a) => (a.latency.alarmActions = [arn])));
    for (const arn of [
      "arn:aws:sns:eu-west-1:123456789012:oncall",
      "arn:aws:lambda:eu-west-1:123456789012:function:page-oncall",
      "arn:aws:ssm-incidents::123456789012:response-plan/api",
    ])
      expect(await via(arn), arn).toEqual([]);
    for (const arn of [
      "arn:aws:automate:eu-west-1:ec2:reboot",
      "arn:aws:swf:eu-west-1:123456789012:action/actions/AWS_EC2.InstanceId.Reboot/1.0",
    ])
      expect((await via(arn)).join(), arn).toMatch(/none of its `alarmActions`/);
  });
});

describe("policy/lib/cloudwatch.ts", () => {
  it("takes the TargetGroup dimension from a target group's ARN, and nothing else", () => {
    expect(targetGroupArnSuffix(TG_ARN)).toBe(TG_SUFFIX);
    expect(
      targetGroupArnSuffix(
        "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/a/1",
      ),
    ).toBe("targetgroup/a/1");
    expect(
      targetGroupArnSuffix(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/1",
      ),
    ).toBeUndefined();
    expect(isNotifyingActionArn("arn:aws:sns:eu-west-1:123456789012:t")).toBe(true);
    expect(isNotifyingActionArn("arn:aws:autoscaling:eu-west-1:1:scalingPolicy:x")).toBe(false);
  });
});
