/**
 * Issue 24: a production ECS service behind an Application Load Balancer has CloudWatch alarms
 * that tell someone when it fails. The rule judges plain resources (an `aws:ecs/service:Service`,
 * the target group its `loadBalancers` name, any `aws:cloudwatch/metricAlarm:MetricAlarm`), so it
 * protects programs that build their alarms without components/ecs-alarms.ts; how an alarm is
 * matched to a target group, unknowns included, is lib/ecs-alarms.ts's.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { targetGroupArnSuffix } from "../lib/cloudwatch";
import { isProduction, productionProperty } from "../lib/config";
import {
  coverage,
  isAlbTargetGroup,
  REQUIRED_ALARM_METRICS,
  targetOf,
  type AlarmTarget,
} from "../lib/ecs-alarms";
import { loadBalancersOf } from "../lib/ecs-stack";
import { isObj } from "../lib/obj";
import { ECS_SERVICE } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";

export const ecsProductionAlarms: StackValidationPolicy = {
  name: "ecs-production-alarms",
  description:
    "In production an ECS service behind an ALB target group has CloudWatch alarms with a notifying action on the group's 5xx responses, response time and unhealthy targets.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...productionProperty } },
  validateStack: (args, report) => {
    if (!isProduction(args)) return;
    for (const s of args.resources.filter((r) => r.type === ECS_SERVICE)) {
      const links = loadBalancersOf(s, args.resources);
      if (links === "unknown") {
        report(
          unknownAtPreview(`\`loadBalancers\` of ECS service "${s.name}"`, "list them literally"),
          s.urn,
        );
        continue;
      }
      for (const link of links) {
        let target: AlarmTarget;
        if ("found" in link.targetGroup) {
          if (!isAlbTargetGroup(link.targetGroup.found)) continue;
          target = targetOf(link.targetGroup.found);
        } else {
          // A target group managed elsewhere: its known ARN still gives the dimension value.
          const lbs = raw(s.props).loadBalancers as unknown[];
          const e = lbs[link.index];
          const arn = isObj(e) ? e.targetGroupArn : undefined;
          const suffix =
            typeof arn === "string" && !isUnknown(arn) ? targetGroupArnSuffix(arn) : undefined;
          if (suffix === undefined) {
            report(link.targetGroup.problem, s.urn);
            continue;
          }
          target = { label: `target group ${String(arn)}`, suffix };
        }
        const missing = REQUIRED_ALARM_METRICS.map((m) => ({
          metric: m,
          ...coverage(target, m, args.resources),
        })).filter((c) => !c.covered);
        if (missing.length === 0) continue;
        const names = missing.map((c) => c.metric).join(", ");
        const misses = missing.flatMap((c) => c.nearMisses.map((n) => `${c.metric}: ${n}`));
        report(
          `ECS service "${s.name}" serves through ${target.label}, but no CloudWatch alarm that ` +
            `notifies someone watches its ${names}: in production nobody hears when the service ` +
            "fails, slows down or loses its targets." +
            (misses.length > 0 ? ` Near misses: ${misses.join("; ")}.` : "") +
            " Fix: for each metric add an aws.cloudwatch.MetricAlarm in namespace " +
            "AWS/ApplicationELB with dimensions LoadBalancer (the ALB's `arnSuffix`) and " +
            "TargetGroup (this target group's `arnSuffix`), and `alarmActions` naming an SNS " +
            "topic (components/ecs-alarms.ts does this; set `monitoring` in the stack file).",
          s.urn,
        );
      }
    }
  },
};
