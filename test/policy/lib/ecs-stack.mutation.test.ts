/**
 * policy/lib/ecs-stack.ts directly, on the ECS corpus stack as AnalyzeStack args: which task
 * definition, target groups and security groups a service uses, by ARN/ID when known and by
 * dependency at preview, and the problems when none or several match. Each case changes one
 * field of the known-good stack (corpus/ecs-base.ts).
 */
import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import {
  familyOf,
  ingressRulesOf,
  isTargetGroup,
  loadBalancersOf,
  taskDefinitionOf,
  taskSecurityGroups,
} from "../../../policy/lib/ecs-stack";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { res, T } from "../corpus/base";
import { E, ecsStack, type EcsOpts, TD_ARN, TG_ARN } from "../corpus/ecs-base";
import { stackArgs } from "../rules/ecs-helpers";

const stack = (opts: EcsOpts = {}) => {
  const all = stackArgs(ecsStack(opts)).resources;
  const find = (type: string, name: string) =>
    all.find((r) => r.type === type && r.name === name) as PolicyResource;
  return { all, service: find(E.service, "api-service"), find };
};
const found = <T>(f: { found: T } | { problem: string }) => ("found" in f ? f.found : f.problem);

describe("familyOf", () => {
  it.each([
    [TD_ARN, "api-stack-prod-api"],
    ["api-stack-prod-api:7", "api-stack-prod-api"],
    ["api-stack-prod-api", "api-stack-prod-api"],
  ])("%s is %s", (ref, family) => expect(familyOf(ref)).toBe(family));
});

describe("taskDefinitionOf", () => {
  it("finds the task definition by ARN, or by family:revision", () => {
    const s = stack();
    expect(found(taskDefinitionOf(s.service, s.all))).toBe(s.find(E.taskDef, "api-task"));
    const byFamily = stack({ service: (p) => (p.taskDefinition = "api-stack-prod-api:7") });
    expect(found(taskDefinitionOf(byFamily.service, byFamily.all))).toBe(
      byFamily.find(E.taskDef, "api-task"),
    );
  });

  it("refuses an ARN of another stack", () => {
    const s = stack({
      service: (p) => (p.taskDefinition = "arn:aws:ecs:eu-west-1:1:task-definition/other:1"),
    });
    expect(found(taskDefinitionOf(s.service, s.all))).toBe(
      '`taskDefinition` of ECS service "api-service" is arn:aws:ecs:eu-west-1:1:task-definition/other:1, which is not a task definition of this stack, so the pack cannot see its containers and will not pass it blindly. Fix: declare the task definition in the program and pass its `arn`',
    );
  });

  it("at preview follows the dependency, and asks for one when there is none or several", () => {
    const s = stack({ preview: true });
    expect(found(taskDefinitionOf(s.service, s.all))).toBe(s.find(E.taskDef, "api-task"));
    const none = stackArgs(
      ecsStack({ preview: true }).map((r) =>
        r.type === E.service ? { ...r, propertyDependencies: {}, dependencies: [] } : r,
      ),
    ).resources;
    const svc = none.find((r) => r.type === E.service) as PolicyResource;
    expect(found(taskDefinitionOf(svc, none))).toContain(
      "pass the `arn` of a task definition declared in the same program",
    );
    const two = ecsStack({ preview: true });
    const td = two.find((r) => r.type === E.taskDef)!;
    const copy = { ...td, urn: td.urn.replace("api-task", "api-task-2"), name: "api-task-2" };
    const withTwo = two.map((r) =>
      r.type === E.service
        ? {
            ...r,
            propertyDependencies: { ...r.propertyDependencies, taskDefinition: [td.urn, copy.urn] },
          }
        : r,
    );
    const all = stackArgs([...withTwo, copy]).resources;
    expect(
      found(
        taskDefinitionOf(
          all.find((r) => r.type === E.service)!,
          all,
        ),
      ),
    ).toContain("give each service the `arn` of exactly one task definition");
  });
});

describe("loadBalancersOf", () => {
  it("links each entry to its target group with container name and port", () => {
    const s = stack();
    const links = loadBalancersOf(s.service, s.all);
    expect(links).toEqual([
      {
        index: 0,
        containerName: "api",
        containerPort: 3003,
        targetGroup: { found: s.find(E.targetGroup, "api-tg") },
      },
    ]);
  });

  it("reads a missing name as empty and a non-number port as unset; unknown or absent lists", () => {
    const s = stack({
      service: (p) => (p.loadBalancers = [{ targetGroupArn: TG_ARN, containerPort: "3003" }]),
    });
    const [l] = loadBalancersOf(s.service, s.all) as Exclude<
      ReturnType<typeof loadBalancersOf>,
      "unknown"
    >;
    expect([l?.containerName, l?.containerPort]).toEqual(["", undefined]);
    const u = stack({ service: (p) => (p.loadBalancers = UNKNOWN) });
    expect(loadBalancersOf(u.service, u.all)).toBe("unknown");
    const none = stack({ service: (p) => delete p.loadBalancers });
    expect(loadBalancersOf(none.service, none.all)).toEqual([]);
  });

  it("refuses a target group of another stack, naming the entry", () => {
    const s = stack({
      service: (p) =>
        (p.loadBalancers = [
          { targetGroupArn: "arn:x", containerName: "api", containerPort: 3003 },
        ]),
    });
    const [l] = loadBalancersOf(s.service, s.all) as Exclude<
      ReturnType<typeof loadBalancersOf>,
      "unknown"
    >;
    expect(found(l!.targetGroup)).toBe(
      '`loadBalancers[0].targetGroupArn` of ECS service "api-service" is arn:x, not a target group of this stack, so its health check cannot be compared with the container\'s. Fix: declare the target group in the program',
    );
  });

  it("at preview follows the dependency for one entry, and asks for ARNs with two", () => {
    const s = stack({ preview: true });
    const [l] = loadBalancersOf(s.service, s.all) as Exclude<
      ReturnType<typeof loadBalancersOf>,
      "unknown"
    >;
    expect(found(l!.targetGroup)).toBe(s.find(E.targetGroup, "api-tg"));
    const two = stack({
      preview: true,
      service: (p) =>
        (p.loadBalancers = [...(p.loadBalancers as unknown[]), ...(p.loadBalancers as unknown[])]),
    });
    const links = loadBalancersOf(two.service, two.all) as Exclude<
      ReturnType<typeof loadBalancersOf>,
      "unknown"
    >;
    expect(links.map((x) => found(x.targetGroup))).toEqual([
      expect.stringContaining("one per entry"),
      expect.stringContaining("`loadBalancers[1].targetGroupArn`"),
    ]);
  });

  it("counts alb/ and lb/ target groups alike", () => {
    const s = stack({ albTokens: true });
    expect(s.all.filter(isTargetGroup).map((r) => r.type)).toEqual([E.albTargetGroup]);
    const [l] = loadBalancersOf(s.service, s.all) as Exclude<
      ReturnType<typeof loadBalancersOf>,
      "unknown"
    >;
    expect(found(l!.targetGroup)).toBe(s.find(E.albTargetGroup, "api-tg"));
  });
});

describe("taskSecurityGroups", () => {
  it("finds the task group by ID, and refuses one of another stack", () => {
    const s = stack();
    expect(taskSecurityGroups(s.service, s.all)).toEqual({
      groups: [s.find(T.sg, "task-sg")],
      problems: [],
    });
    const other = stack({
      service: (p) =>
        ((p.networkConfiguration as Record<string, unknown>).securityGroups = ["sg-other"]),
    });
    expect(taskSecurityGroups(other.service, other.all).problems).toEqual([
      '`networkConfiguration.securityGroups` of ECS service "api-service" names sg-other, which is not a security group of this stack, so its ingress cannot be checked. Fix: declare the tasks\' security group in the program',
    ]);
  });

  it("refuses no groups: the VPC's default group", () => {
    const s = stack({
      service: (p) => ((p.networkConfiguration as Record<string, unknown>).securityGroups = []),
    });
    expect(taskSecurityGroups(s.service, s.all).problems[0]).toContain(
      "sets no `networkConfiguration.securityGroups`, so its tasks get the VPC's default security group",
    );
  });

  it("at preview follows the dependency; without one it asks for IDs; an unknown list asks for literals", () => {
    const s = stack({ preview: true });
    expect(taskSecurityGroups(s.service, s.all)).toEqual({
      groups: [s.find(T.sg, "task-sg")],
      problems: [],
    });
    const none = stackArgs(
      ecsStack({ preview: true }).map((r) =>
        r.type === E.service ? { ...r, propertyDependencies: {}, dependencies: [] } : r,
      ),
    ).resources;
    const svc = none.find((r) => r.type === E.service)!;
    expect(taskSecurityGroups(svc, none).problems[0]).toContain(
      "pass the `id` of groups declared in the program",
    );
    for (const net of [UNKNOWN, { securityGroups: UNKNOWN }]) {
      const u = stack({ service: (p) => (p.networkConfiguration = net) });
      expect(taskSecurityGroups(u.service, u.all)).toEqual({
        groups: [],
        problems: [expect.stringContaining("list the groups literally")],
      });
    }
  });
});

describe("ingressRulesOf", () => {
  it("finds standalone ingress rules by group ID or, at preview, by dependency; not egress", () => {
    const rules = (ids: { taskSg: string; taskSgId: string }) => [
      res(T.sgIngress, "by-id", {
        securityGroupId: ids.taskSgId,
        ipProtocol: "tcp",
        fromPort: 3003,
        toPort: 3003,
      }),
      res(
        T.sgIngress,
        "by-dep",
        { securityGroupId: UNKNOWN, ipProtocol: "tcp" },
        { propertyDependencies: { securityGroupId: [ids.taskSg] } },
      ),
      res(T.sgIngress, "other", { securityGroupId: "sg-other", ipProtocol: "tcp" }),
      res(T.sgRule, "legacy-in", { type: "ingress", securityGroupId: ids.taskSgId }),
      res(T.sgRule, "legacy-out", { type: "egress", securityGroupId: ids.taskSgId }),
    ];
    const s = stack({ extra: rules });
    expect(ingressRulesOf(s.find(T.sg, "task-sg"), s.all).map((r) => r.name)).toEqual([
      "by-id",
      "by-dep",
      "legacy-in",
    ]);
  });
});
