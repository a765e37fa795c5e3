/**
 * ECS behind an Application Load Balancer (issue 14): TLS on the listeners, and the stack rules
 * that judge a service together with its task definition, target groups and security groups
 * (matched as lib/ecs-stack.ts explains): the grace period covers the container's start period,
 * the target group's health check agrees with the container's, and tasks are reachable only
 * from security groups, with no public IP.
 */
import {
  PolicyResource,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { configOf, onlyFor } from "../lib/config";
import { healthCheckOf, httpProbePath, parseContainerDefinitions, stopTimeoutOf } from "../lib/ecs";
import {
  DEFAULT_ACCEPTED_SSL_POLICIES,
  listenerProblems,
  targetGroupHealth,
  targetGroupProblems,
} from "../lib/ecs-lb";
import {
  ingressRulesOf,
  isTargetGroup,
  loadBalancersOf,
  taskDefinitionOf,
  taskSecurityGroups,
} from "../lib/ecs-stack";
import { cidrSources } from "../lib/ecs-network";
import { ALB_LISTENER, ECS_SERVICE, LB_LISTENER } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";
import { isObj } from "../lib/obj";

const tlsValidate: ResourceValidation = (args, report) => {
  const cfg = configOf(args, { acceptedSslPolicies: [...DEFAULT_ACCEPTED_SSL_POLICIES] });
  const label = `ALB listener "${args.name}"`;
  for (const problem of listenerProblems(raw(args.props), cfg.acceptedSslPolicies)) {
    if (problem.startsWith("unknown:")) {
      const field = problem.slice("unknown:".length);
      report(unknownAtPreview(`\`${field}\` of ${label}`, `set ${field} to a literal`));
    } else {
      report(`${label}: ${problem}.`);
    }
  }
};

export const ecsAlbTls: ResourceValidationPolicy = {
  name: "ecs-alb-tls",
  description:
    "ALB listeners serve HTTPS with a certificate and an accepted TLS policy; HTTP listeners only redirect to HTTPS.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      acceptedSslPolicies: {
        type: "array",
        items: { type: "string" },
        default: [...DEFAULT_ACCEPTED_SSL_POLICIES],
      },
    },
  },
  validateResource: [onlyFor(LB_LISTENER, tlsValidate), onlyFor(ALB_LISTENER, tlsValidate)],
};

const services = (all: readonly PolicyResource[]) => all.filter((r) => r.type === ECS_SERVICE);

/** The containers of a service's task definition, or why they cannot be read. */
function containersOf(service: PolicyResource, all: readonly PolicyResource[]) {
  const td = taskDefinitionOf(service, all);
  if ("problem" in td) return { problem: td.problem };
  const parsed = parseContainerDefinitions(raw(td.found.props).containerDefinitions);
  if (parsed.state === "unknown") {
    return {
      problem: unknownAtPreview(
        `\`containerDefinitions\` of ECS task definition "${td.found.name}" (run by ECS service "${service.name}")`,
        "build them from literal values",
      ),
    };
  }
  if (parsed.state === "invalid") return { containers: [] }; // ecs-container-* say why.
  return { containers: parsed.containers };
}

export const ecsGraceCoversStartPeriod: StackValidationPolicy = {
  name: "ecs-grace-covers-start-period",
  description:
    "An ECS service behind a load balancer has a healthCheckGracePeriodSeconds at least its container's health-check startPeriod.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const s of services(args.resources)) {
      const p = raw(s.props);
      const lbs = p.loadBalancers;
      // "Only valid for services configured to use load balancers" (ecs/service.d.ts).
      if (!isUnknown(lbs) && (!Array.isArray(lbs) || lbs.length === 0)) continue;
      const got = containersOf(s, args.resources);
      if ("problem" in got) {
        report(got.problem as string, s.urn);
        continue;
      }
      const grace = p.healthCheckGracePeriodSeconds;
      if (isUnknown(grace)) {
        report(
          unknownAtPreview(
            `\`healthCheckGracePeriodSeconds\` of ECS service "${s.name}"`,
            "set a literal",
          ),
          s.urn,
        );
        continue;
      }
      // Unset, the grace period is 0 (ECS API reference, CreateService).
      const g = typeof grace === "number" ? grace : 0;
      const names = Array.isArray(lbs)
        ? lbs.map((x) => (isObj(x) ? x.containerName : undefined))
        : [];
      for (const c of got.containers ?? []) {
        if (names.length > 0 && !names.includes(c.name)) continue;
        const start = healthCheckOf(c)?.startPeriod ?? 0;
        if (g < start) {
          report(
            `ECS service "${s.name}" has \`healthCheckGracePeriodSeconds\` ${g} but container ` +
              `"${c.name}" needs \`healthCheck.startPeriod\` ${start} s to start: the load ` +
              "balancer's failed checks during startup make ECS kill tasks that are still " +
              `starting, in a loop. Fix: set healthCheckGracePeriodSeconds to at least ${start}.`,
            s.urn,
          );
        }
      }
    }
  },
};

export const ecsTargetGroupHealth: StackValidationPolicy = {
  name: "ecs-target-group-health",
  description:
    "Target-group health checks are sane and agree with the container's: timeout below interval, thresholds in range, the path the container serves, a deregistration delay covering stopTimeout.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const tg of args.resources.filter(isTargetGroup)) {
      const t = targetGroupHealth(raw(tg.props));
      const label = `Target group "${tg.name}"`;
      for (const f of t.unknown) {
        report(unknownAtPreview(`\`${f}\` of ${label}`, `set ${f} to a literal`), tg.urn);
      }
      for (const problem of targetGroupProblems(t)) report(`${label}: ${problem}.`, tg.urn);
    }
    for (const s of services(args.resources)) {
      const links = loadBalancersOf(s, args.resources);
      if (links === "unknown") {
        report(
          unknownAtPreview(`\`loadBalancers\` of ECS service "${s.name}"`, "list them literally"),
          s.urn,
        );
        continue;
      }
      if (links.length === 0) continue;
      const got = containersOf(s, args.resources);
      if ("problem" in got) {
        report(got.problem as string, s.urn);
        continue;
      }
      for (const link of links) {
        if ("problem" in link.targetGroup) {
          report(link.targetGroup.problem, s.urn);
          continue;
        }
        const tg = link.targetGroup.found;
        const c = (got.containers ?? []).find((x) => x.name === link.containerName);
        if (c === undefined) {
          report(
            `ECS service "${s.name}" sends target group "${tg.name}" to container ` +
              `"${link.containerName}", which its task definition does not have. Fix: name a container of the task definition.`,
            s.urn,
          );
          continue;
        }
        const t = targetGroupHealth(raw(tg.props));
        const h = healthCheckOf(c);
        const served = h && httpProbePath(h);
        if (
          served !== undefined &&
          t.enabled &&
          !t.unknown.includes("healthCheck.path") &&
          t.path !== served
        ) {
          report(
            `Target group "${tg.name}" probes \`healthCheck.path\` ${t.path} but container ` +
              `"${c.name}" answers its own health check on ${served}: healthy tasks fail the ` +
              `load balancer's check and are drained. Fix: set healthCheck.path to ${served}.`,
            tg.urn,
          );
        }
        const stop = stopTimeoutOf(c);
        if (!t.unknown.includes("deregistrationDelay") && t.deregistrationDelay < stop) {
          report(
            `Target group "${tg.name}" has \`deregistrationDelay\` ${t.deregistrationDelay} s, ` +
              `shorter than container "${c.name}"'s \`stopTimeout\` ${stop} s: the ALB cuts ` +
              "in-flight requests before the task finishes them. Fix: set deregistrationDelay " +
              `to at least ${stop}.`,
            tg.urn,
          );
        }
      }
    }
  },
};

export const ecsTaskNetwork: StackValidationPolicy = {
  name: "ecs-task-network",
  description:
    "ECS tasks get no public IP, and their security groups admit traffic only from other security groups, never from a CIDR.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const judged = new Set<string>();
    for (const s of services(args.resources)) {
      const net = raw(s.props).networkConfiguration;
      const pip = isObj(net) ? net.assignPublicIp : isUnknown(net) ? net : undefined;
      if (isUnknown(pip)) {
        report(
          unknownAtPreview(
            `\`networkConfiguration.assignPublicIp\` of ECS service "${s.name}"`,
            "set it to false",
          ),
          s.urn,
        );
      } else if (pip === true) {
        report(
          `ECS service "${s.name}" sets \`networkConfiguration.assignPublicIp\` true: every task ` +
            "is reachable from the internet, around the load balancer. Fix: set it false and run " +
            "tasks in private subnets (with a NAT gateway or VPC endpoints for image pulls).",
          s.urn,
        );
      }
      const { groups, problems } = taskSecurityGroups(s, args.resources);
      problems.forEach((m) => report(m, s.urn));
      for (const sg of groups) {
        if (judged.has(sg.urn)) continue;
        judged.add(sg.urn);
        for (const x of [sg, ...ingressRulesOf(sg, args.resources)]) {
          for (const m of cidrSources(
            x,
            `task security group "${sg.name}" (ECS service "${s.name}")`,
          )) {
            report(m, x.urn);
          }
        }
      }
    }
  },
};
