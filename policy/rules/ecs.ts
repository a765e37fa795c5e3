/**
 * ECS on Fargate (issue 14), per resource: the task definition's containers (hardening, health
 * checks within ECS's ranges, no secrets in `environment`) and the service's deployment settings
 * (circuit breaker with rollback; in production at least two tasks and no ECS Exec). The stack
 * rules that need a service's task definition or target group are in rules/ecs-alb.ts.
 * Input shapes: @pulumi/aws 7.48 ecs/service.d.ts, ecs/taskDefinition.d.ts.
 */
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, isProduction, onlyFor, productionProperty } from "../lib/config";
import {
  eachContainer,
  FARGATE_MAX_STOP_TIMEOUT,
  hardeningProblems,
  healthCheckOf,
  healthCheckProblems,
  isEssential,
  secretEnvironment,
  startPeriodBelowFloor,
  stopTimeoutOf,
} from "../lib/ecs";
import { parseDuration } from "../lib/duration";
import { START_PERIOD_RANGE } from "../lib/healthcheck";
import { ECS_SERVICE, ECS_TASK_DEFINITION } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";
import { isObj } from "../lib/obj";

export const ecsContainerHardening: ResourceValidationPolicy = {
  name: "ecs-container-hardening",
  description:
    "ECS containers run as a non-root user, unprivileged, with a read-only root filesystem and a log configuration.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(ECS_TASK_DEFINITION, (args, report) =>
    eachContainer(args, report, (c, label) => {
      for (const problem of hardeningProblems(c)) report(`The ${label}: ${problem}.`);
    }),
  ),
};

const healthDefaults = { minStartPeriod: START_PERIOD_RANGE.min as string };

export const ecsContainerHealthcheck: ResourceValidationPolicy = {
  name: "ecs-container-healthcheck",
  description:
    "Essential ECS containers have a health check within ECS's ranges with a start period at least the Docker floor, and a Fargate stopTimeout of at most 120 s.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minStartPeriod: {
        type: "string",
        description:
          "The least healthCheck.startPeriod, a Docker duration: keep it equal to healthcheck-timing's startPeriod.default.min.",
        default: START_PERIOD_RANGE.min,
      },
    },
  },
  validateResource: onlyFor(ECS_TASK_DEFINITION, (args, report) => {
    const { minStartPeriod } = configOf(args, healthDefaults);
    const floorMs = parseDuration(minStartPeriod) ?? parseDuration(START_PERIOD_RANGE.min)!;
    const floorS = Math.ceil(floorMs / 1000);
    eachContainer(args, report, (c, label, fargate) => {
      const h = healthCheckOf(c);
      if (h === undefined) {
        if (isEssential(c)) {
          report(
            `The ${label} has no \`healthCheck\`, so ECS replaces it only when it exits, not when ` +
              'it hangs. Fix: add `healthCheck: { command: ["CMD-SHELL", "…"], interval, timeout, retries, startPeriod }`.',
          );
        }
      } else {
        for (const problem of healthCheckProblems(h)) {
          report(`The ${label}: ${problem}. Fix: keep it within the ECS HealthCheck ranges.`);
        }
        const low = startPeriodBelowFloor(c, h, floorS);
        if (low !== undefined) {
          report(
            `The ${label}: ${low}, below the ${minStartPeriod} floor Docker containers are held ` +
              "to (healthcheck-timing), so failed probes during boot count at once and ECS " +
              `replaces a task that is still starting. Fix: set healthCheck.startPeriod to at least ${floorS} ` +
              "(seconds, at most 300) and keep the service's healthCheckGracePeriodSeconds at least as long.",
          );
        }
      }
      const stop = stopTimeoutOf(c);
      if (fargate && stop > FARGATE_MAX_STOP_TIMEOUT) {
        report(
          `The ${label} sets \`stopTimeout\` ${stop} s; Fargate allows at most ` +
            `${FARGATE_MAX_STOP_TIMEOUT} s. Fix: lower it (and the app's shutdown) to ${FARGATE_MAX_STOP_TIMEOUT} s or less.`,
        );
      }
    });
  }),
};

export const ecsNoSecretsInEnvironment: ResourceValidationPolicy = {
  name: "ecs-no-secrets-in-environment",
  description:
    "ECS containers take secrets through `secrets` (valueFrom), never as plaintext `environment` values.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(ECS_TASK_DEFINITION, (args, report) =>
    eachContainer(args, report, (c, label) => {
      for (const { name, why } of secretEnvironment(c)) {
        report(
          `The ${label} puts ${name} in \`environment\` (${why}): the value is stored in plain ` +
            "text in the task definition, readable by anyone with ecs:DescribeTaskDefinition. " +
            `Fix: move it to \`secrets: [{ name: "${name}", valueFrom: <Secrets Manager or SSM ARN> }]\`.`,
        );
      }
    }),
  ),
};

/** A service field that must be known at preview, reported when it is not. */
function known(args: ResourceValidationArgs, report: ReportViolation, field: string): boolean {
  const v = raw(args.props)[field];
  if (!isUnknown(v)) return true;
  report(
    unknownAtPreview(`\`${field}\` of ECS service "${args.name}"`, `set ${field} to a literal`),
  );
  return false;
}

export const ecsDeploymentCircuitBreaker: ResourceValidationPolicy = {
  name: "ecs-deployment-circuit-breaker",
  description: "ECS services deploy with the deployment circuit breaker on and rollback enabled.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(ECS_SERVICE, (args, report) => {
    const p = raw(args.props);
    if (!known(args, report, "deploymentCircuitBreaker")) return;
    // The circuit breaker applies to the rolling-update (ECS) deployment controller only (ECS API
    // reference, DeploymentCircuitBreaker); CodeDeploy and external controllers roll back themselves.
    const controller = isObj(p.deploymentController) ? p.deploymentController.type : undefined;
    if (controller !== undefined && controller !== "ECS") return;
    const cb = isObj(p.deploymentCircuitBreaker) ? p.deploymentCircuitBreaker : {};
    const fix =
      "Fix: set `deploymentCircuitBreaker: { enable: true, rollback: true }`, so a deploy whose " +
      "tasks never become healthy stops and returns to the last good one.";
    if (isUnknown(cb.enable) || isUnknown(cb.rollback)) {
      report(
        unknownAtPreview(
          `\`deploymentCircuitBreaker\` of ECS service "${args.name}"`,
          "use literals",
        ),
      );
    } else if (cb.enable !== true) {
      report(
        `ECS service "${args.name}" has the deployment circuit breaker off, so a broken image ` +
          `replaces tasks forever. ${fix}`,
      );
    } else if (cb.rollback !== true) {
      report(
        `ECS service "${args.name}" stops a failed deployment but does not roll back ` +
          `(\`deploymentCircuitBreaker.rollback\` is not true), leaving it half-deployed. ${fix}`,
      );
    }
  }),
};

export const ecsDesiredCount: ResourceValidationPolicy = {
  name: "ecs-desired-count",
  description: "In production an ECS service runs at least two tasks.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...productionProperty,
      minDesiredCount: { type: "integer", minimum: 1, default: 2 },
    },
  },
  validateResource: onlyFor(ECS_SERVICE, (args, report) => {
    const cfg = configOf(args, { production: true, minDesiredCount: 2 });
    const p = raw(args.props);
    if (!cfg.production || p.schedulingStrategy === "DAEMON") return;
    if (!known(args, report, "desiredCount")) return;
    // Unset, `desiredCount` is 0 (ecs/service.d.ts: "Defaults to 0").
    const n = typeof p.desiredCount === "number" ? p.desiredCount : 0;
    if (n < cfg.minDesiredCount) {
      report(
        `ECS service "${args.name}" has \`desiredCount\` ${n} < ${cfg.minDesiredCount}: one task ` +
          "crash, one AZ outage or one deploy takes the service down. Fix: set desiredCount " +
          `to at least ${cfg.minDesiredCount} (the service's \`replicas\` in Pulumi.<stack>.yaml).`,
      );
    }
  }),
};

export const ecsExecDisabled: ResourceValidationPolicy = {
  name: "ecs-exec-disabled",
  description: "In production ECS Exec (a shell into running tasks) is off.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...productionProperty } },
  validateResource: onlyFor(ECS_SERVICE, (args, report) => {
    if (!isProduction(args) || !known(args, report, "enableExecuteCommand")) return;
    if (raw(args.props).enableExecuteCommand === true) {
      report(
        `ECS service "${args.name}" sets \`enableExecuteCommand\` true: anyone with ` +
          "ecs:ExecuteCommand gets a shell in production tasks, with their secrets. Fix: " +
          "remove it in production (turn it on for a debugging session only).",
      );
    }
  }),
};
