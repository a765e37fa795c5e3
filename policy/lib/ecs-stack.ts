/**
 * How the ECS stack rules find a service's task definition, target groups and security groups.
 * The service names them by ARN or ID, which are unknown at preview for resources of the same
 * stack; the engine's AnalyzeStack then carries propertyDependencies (lib/unknown.ts, point 1),
 * so the resource a field was computed from is found as lib/provenance.ts `sourcesOf` does. A
 * known ARN/ID is matched against the resources' `arn`/`id` outputs. What cannot be matched is
 * reported, never passed: `problem` says why.
 */
import { PolicyResource } from "@pulumi/policy";
import { sourcesOf } from "./provenance";
import {
  ALB_TARGET_GROUP,
  ECS_TASK_DEFINITION,
  LB_TARGET_GROUP,
  SECURITY_GROUP,
  SG_INGRESS_RULE,
  SG_RULE,
} from "./types";
import { isUnknown, raw, unknownAtPreview } from "./unknown";
import { isObj } from "./obj";

export const isTargetGroup = (r: PolicyResource): boolean =>
  r.type === LB_TARGET_GROUP || r.type === ALB_TARGET_GROUP;

export type Found<T> = { readonly found: T } | { readonly problem: string };

/** The resources of `types` whose `arn` or `id` output is `ref`. */
function byRef(ref: string, types: readonly string[], all: readonly PolicyResource[]) {
  return all.filter((r) => {
    if (!types.includes(r.type)) return false;
    const p = raw(r.props);
    return p.arn === ref || p.id === ref;
  });
}

/** A task-definition ARN's family (`…:task-definition/<family>:<revision>`), or `family[:rev]`. */
export function familyOf(ref: string): string {
  const tail = ref.includes("task-definition/") ? ref.split("task-definition/")[1]! : ref;
  return tail.split(":")[0] ?? tail;
}

/** The task definition a service runs. */
export function taskDefinitionOf(
  service: PolicyResource,
  all: readonly PolicyResource[],
): Found<PolicyResource> {
  const ref = raw(service.props).taskDefinition;
  const label = `\`taskDefinition\` of ECS service "${service.name}"`;
  if (typeof ref === "string" && !isUnknown(ref)) {
    const hit = byRef(ref, [ECS_TASK_DEFINITION], all);
    const byFamily = all.filter(
      (r) => r.type === ECS_TASK_DEFINITION && raw(r.props).family === familyOf(ref),
    );
    const one = hit.length === 1 ? hit : byFamily;
    if (one.length === 1) return { found: one[0]! };
    return {
      problem:
        `${label} is ${ref}, which is not a task definition of this stack, so the pack cannot ` +
        "see its containers and will not pass it blindly. Fix: declare the task definition in " +
        "the program and pass its `arn`",
    };
  }
  const sources = sourcesOf(service, "taskDefinition", all).filter(
    (r) => r.type === ECS_TASK_DEFINITION,
  );
  if (sources.length === 1) return { found: sources[0]! };
  return {
    problem: unknownAtPreview(
      label,
      sources.length === 0
        ? "pass the `arn` of a task definition declared in the same program, so its dependency shows which one it is"
        : "give each service the `arn` of exactly one task definition",
    ),
  };
}

export interface LoadBalancerLink {
  readonly index: number;
  readonly containerName: string;
  readonly containerPort: number | undefined;
  readonly targetGroup: Found<PolicyResource>;
}

/** Each `loadBalancers[]` entry of a service with the target group it registers tasks in. */
export function loadBalancersOf(
  service: PolicyResource,
  all: readonly PolicyResource[],
): LoadBalancerLink[] | "unknown" {
  const lbs = raw(service.props).loadBalancers;
  if (isUnknown(lbs)) return "unknown";
  if (!Array.isArray(lbs)) return [];
  const sources = sourcesOf(service, "loadBalancers", all).filter(isTargetGroup);
  return lbs.map((lb, index) => {
    const e = isObj(lb) ? lb : {};
    const ref = e.targetGroupArn;
    const field = `\`loadBalancers[${index}].targetGroupArn\` of ECS service "${service.name}"`;
    let targetGroup: Found<PolicyResource>;
    if (typeof ref === "string" && !isUnknown(ref)) {
      const hit = byRef(ref, [LB_TARGET_GROUP, ALB_TARGET_GROUP], all);
      targetGroup =
        hit.length === 1
          ? { found: hit[0]! }
          : {
              problem: `${field} is ${ref}, not a target group of this stack, so its health check cannot be compared with the container's. Fix: declare the target group in the program`,
            };
    } else if (sources.length === 1 && lbs.length === 1) {
      targetGroup = { found: sources[0]! };
    } else {
      targetGroup = {
        problem: unknownAtPreview(
          field,
          "pass the `arn` of a target group declared in the same program (one per entry)",
        ),
      };
    }
    return {
      index,
      containerName: String(e.containerName ?? ""),
      containerPort: typeof e.containerPort === "number" ? e.containerPort : undefined,
      targetGroup,
    };
  });
}

/** The security groups a service's tasks run in, and the references that could not be matched. */
export function taskSecurityGroups(
  service: PolicyResource,
  all: readonly PolicyResource[],
): { groups: PolicyResource[]; problems: string[] } {
  const net = raw(service.props).networkConfiguration;
  const label = `\`networkConfiguration.securityGroups\` of ECS service "${service.name}"`;
  if (isUnknown(net) || (isObj(net) && isUnknown(net.securityGroups))) {
    return { groups: [], problems: [unknownAtPreview(label, "list the groups literally")] };
  }
  const refs = isObj(net) && Array.isArray(net.securityGroups) ? net.securityGroups : [];
  if (refs.length === 0) {
    return {
      groups: [],
      problems: [
        `ECS service "${service.name}" sets no \`networkConfiguration.securityGroups\`, so its ` +
          "tasks get the VPC's default security group. Fix: give the tasks their own group that " +
          "admits only the load balancer's group",
      ],
    };
  }
  const sources = sourcesOf(service, "networkConfiguration", all).filter(
    (r) => r.type === SECURITY_GROUP,
  );
  const groups = new Map<string, PolicyResource>();
  const problems: string[] = [];
  const unknownRefs = refs.filter((x) => isUnknown(x)).length;
  for (const ref of refs) {
    if (isUnknown(ref)) continue;
    const hit = byRef(String(ref), [SECURITY_GROUP], all);
    if (hit.length === 1) groups.set(hit[0]!.urn, hit[0]!);
    else
      problems.push(
        `${label} names ${String(ref)}, which is not a security group of this stack, so its ` +
          "ingress cannot be checked. Fix: declare the tasks' security group in the program",
      );
  }
  if (unknownRefs > 0) {
    if (sources.length >= unknownRefs) sources.forEach((s) => groups.set(s.urn, s));
    else problems.push(unknownAtPreview(label, "pass the `id` of groups declared in the program"));
  }
  return { groups: [...groups.values()], problems };
}

/** The standalone ingress rules (vpc.SecurityGroupIngressRule, ec2.SecurityGroupRule) of `sg`. */
export function ingressRulesOf(
  sg: PolicyResource,
  all: readonly PolicyResource[],
): PolicyResource[] {
  const id = raw(sg.props).id;
  return all.filter((r) => {
    if (r.type !== SG_INGRESS_RULE && r.type !== SG_RULE) return false;
    const p = raw(r.props);
    if (r.type === SG_RULE && p.type !== "ingress") return false;
    if (typeof p.securityGroupId === "string" && !isUnknown(p.securityGroupId)) {
      return p.securityGroupId === id;
    }
    return (r.propertyDependencies.securityGroupId ?? []).some((d) => d.urn === sg.urn);
  });
}
