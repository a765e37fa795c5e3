import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../gate";
import {
  ecsAlbTls,
  ecsGraceCoversStartPeriod,
  ecsTargetGroupHealth,
  ecsTaskNetwork,
} from "../../../policy/rules/ecs-alb";
import { res, T } from "../corpus/base";
import { E, ecsStack } from "../corpus/ecs-base";
import { runStackPolicy } from "../util";
import { Props, resourceMessages, stackArgs, stackMessages } from "./ecs-helpers";

describe("ecs-alb-tls", () => {
  it("judges both listener tokens, with a configurable policy list", async () => {
    const old = { https: (p: Props) => (p.sslPolicy = "ELBSecurityPolicy-TLS-1-2-2017-01") };
    for (const albTokens of [false, true]) {
      expect((await resourceMessages(ecsAlbTls, { ...old, albTokens })).join()).toMatch(
        /ALB listener "https": `sslPolicy` is ELBSecurityPolicy-TLS-1-2-2017-01, below the floor/,
      );
    }
    expect(
      await resourceMessages(ecsAlbTls, old, {
        acceptedSslPolicies: ["ELBSecurityPolicy-TLS-1-2-2017-01"],
      }),
    ).toEqual([]);
    expect(
      (await resourceMessages(ecsAlbTls, { https: (p) => (p.sslPolicy = UNKNOWN) })).join(),
    ).toMatch(/`sslPolicy` of ALB listener "https" is unknown at preview/);
  });
});

describe("ecs-grace-covers-start-period", () => {
  it("matches the task definition by family when only a family:revision is known", async () => {
    const byFamily = (p: Props) => (p.taskDefinition = "api-stack-prod-api:7");
    const noArn = (t: Props) => delete t.arn;
    expect(
      await stackMessages(ecsGraceCoversStartPeriod, { service: byFamily, taskDef: noArn }),
    ).toEqual([]);
    expect(
      (
        await stackMessages(ecsGraceCoversStartPeriod, {
          service: (p) =>
            Object.assign(p, {
              taskDefinition: "api-stack-prod-api:7",
              healthCheckGracePeriodSeconds: 30,
            }),
          taskDef: noArn,
        })
      ).join(),
    ).toMatch(
      /healthCheckGracePeriodSeconds` 30 but container "api" needs `healthCheck.startPeriod` 90/,
    );
  });
  it("accepts a grace equal to the start period and refuses one second less", async () => {
    const grace = (g: number) => (p: Props) => (p.healthCheckGracePeriodSeconds = g);
    expect(await stackMessages(ecsGraceCoversStartPeriod, { service: grace(90) })).toEqual([]);
    expect(await stackMessages(ecsGraceCoversStartPeriod, { service: grace(89) })).toHaveLength(1);
  });
  it("skips services without a load balancer, and reports an unknown grace", async () => {
    expect(
      await stackMessages(ecsGraceCoversStartPeriod, {
        service: (p) => Object.assign(p, { loadBalancers: [], healthCheckGracePeriodSeconds: 0 }),
      }),
    ).toEqual([]);
    expect(
      (
        await stackMessages(ecsGraceCoversStartPeriod, {
          service: (p) => (p.healthCheckGracePeriodSeconds = UNKNOWN),
        })
      ).join(),
    ).toMatch(/healthCheckGracePeriodSeconds` of ECS service "api-service" is unknown/);
  });
  it("reports an unknown task definition it cannot trace", async () => {
    const records = ecsStack({ preview: true }).map((r) =>
      r.type === E.service ? { ...r, dependencies: [], propertyDependencies: {} } : r,
    );
    const ms = (await runStackPolicy(ecsGraceCoversStartPeriod, stackArgs(records))).map(
      (v) => v.message,
    );
    expect(ms.join()).toMatch(
      /`taskDefinition` of ECS service "api-service" is unknown at preview/,
    );
  });
});

describe("ecs-target-group-health", () => {
  it("reports unknown links and a container the task definition lacks", async () => {
    expect(
      (
        await stackMessages(ecsTargetGroupHealth, { service: (p) => (p.loadBalancers = UNKNOWN) })
      ).join(),
    ).toMatch(/`loadBalancers` of ECS service "api-service" is unknown/);
    const other = (p: Props) =>
      (p.loadBalancers = [{ targetGroupArn: UNKNOWN, containerName: "web", containerPort: 3003 }]);
    expect(
      (await stackMessages(ecsTargetGroupHealth, { preview: true, service: other })).join(),
    ).toMatch(/to container "web", which its task definition does not have/);
    const foreign = (p: Props) =>
      (p.loadBalancers = [
        { targetGroupArn: "arn:aws:elasticloadbalancing:x:targetgroup/y/1", containerName: "api" },
      ]);
    expect((await stackMessages(ecsTargetGroupHealth, { service: foreign })).join()).toMatch(
      /not a target group of this stack/,
    );
  });
  it("compares paths only with an HTTP probe, and reports unknown target-group fields", async () => {
    const nodeProbe = (c: Props) =>
      ((c.healthCheck as Props).command = ["CMD", "node", "health.js"]);
    expect(
      await stackMessages(ecsTargetGroupHealth, {
        container: nodeProbe,
        targetGroup: (p) => ((p.healthCheck as Props).path = "/healthz"),
      }),
    ).toEqual([]);
    expect(
      (
        await stackMessages(ecsTargetGroupHealth, {
          targetGroup: (p) => ((p.healthCheck as Props).path = UNKNOWN),
        })
      ).join(),
    ).toMatch(/`healthCheck.path` of Target group "api-tg" is unknown at preview/);
  });
});

describe("ecs-task-network", () => {
  it("reports an unknown public-IP setting and a group outside the stack", async () => {
    expect(
      (
        await stackMessages(ecsTaskNetwork, {
          service: (p) => ((p.networkConfiguration as Props).assignPublicIp = UNKNOWN),
        })
      ).join(),
    ).toMatch(/assignPublicIp` of ECS service "api-service" is unknown/);
    expect(
      (
        await stackMessages(ecsTaskNetwork, {
          service: (p) =>
            ((p.networkConfiguration as Props).securityGroups = ["sg-0ffffffffffffffff"]),
        })
      ).join(),
    ).toMatch(/names sg-0ffffffffffffffff, which is not a security group of this stack/);
  });
  it("accepts an ec2.SecurityGroupRule from the ALB's group and refuses a prefix list", async () => {
    const rule = (extra: Props) => (ids: { taskSg: string; taskSgId: string }) => [
      res(
        T.sgRule,
        "task-in",
        {
          type: "ingress",
          securityGroupId: ids.taskSgId,
          protocol: "tcp",
          fromPort: 3003,
          toPort: 3003,
          ...extra,
        },
        { propertyDependencies: { securityGroupId: [ids.taskSg] } },
      ),
    ];
    expect(
      await stackMessages(ecsTaskNetwork, {
        extra: rule({ sourceSecurityGroupId: "sg-0a1b2c3d4e5f60001" }),
      }),
    ).toEqual([]);
    expect(
      (
        await stackMessages(ecsTaskNetwork, {
          preview: true,
          extra: rule({ prefixListIds: ["pl-0123"] }),
        })
      ).join(),
    ).toMatch(/Ingress rule "task-in" on task security group "task-sg".*prefixListIds` pl-0123/);
  });
  it("reports an inline ingress the program computed, not one the provider computes", async () => {
    const unknownIngress = { preview: true, taskSg: (p: Props) => (p.ingress = UNKNOWN) };
    expect((await stackMessages(ecsTaskNetwork, unknownIngress)).join()).toMatch(
      /inline `ingress` of task security group "task-sg".*unknown at preview/,
    );
    const records = ecsStack(unknownIngress).map((r) =>
      r.name === "task-sg" ? { ...r, propertyDependencies: {} } : r,
    );
    expect(
      (await runStackPolicy(ecsTaskNetwork, stackArgs(records))).map((v) => v.message),
    ).toEqual([]);
  });
  it("judges a group shared by two services once", async () => {
    const shared = (p: Props) =>
      (p.ingress = [{ protocol: "tcp", fromPort: 3003, toPort: 3003, cidrBlocks: ["0.0.0.0/0"] }]);
    const worker = () => [
      res(
        E.service,
        "second",
        { ...(ecsStack()[6]!.properties as Props) },
        {
          propertyDependencies: { networkConfiguration: [ecsStack()[1]!.urn] },
        },
      ),
    ];
    const ms = await stackMessages(ecsTaskNetwork, { taskSg: shared, extra: worker });
    expect(ms.filter((m) => /0\.0\.0\.0\/0/.test(m))).toHaveLength(1);
  });
});
