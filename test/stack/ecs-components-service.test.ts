/**
 * Issue 14's component layer under mocks, second half: the tasks' security groups, the target
 * group and listener rule, the ECS services and their autoscaling, and the components' own
 * argument errors (ResourceError with a hidden stack).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ProgramError, runProgram, type ProgramRun } from "../../gate";
import { byType } from "../helpers/program";
import {
  ecsProgram,
  inspect,
  PRIVATE_SUBNETS,
  props,
  START_PERIOD_S,
  STOP_S,
  T,
  type Props,
} from "./ecs-components.program";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram({ stack: "prod-ecs", values: {}, secretKeys: [], load: ecsProgram });
});
const { named, containerOf } = inspect(() => run);
const albSg = () => named(T.sg, "ecs-alb-sg").state.id as string;
const rulesOn = (type: string, sgId: unknown) =>
  byType(run, type).filter((r) => props(r).securityGroupId === sgId);

describe("task security groups", () => {
  it("lets the web tasks be reached on the service port from the ALB's SG only", () => {
    const sg = named(T.sg, "api-tasks-sg");
    const ingress = rulesOn(T.ingress, sg.state.id).map(props);
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({
      ipProtocol: "tcp",
      fromPort: 3003,
      toPort: 3003,
      referencedSecurityGroupId: albSg(),
    });
    expect(ingress[0]).not.toHaveProperty("cidrIpv4");
    expect(ingress[0]).not.toHaveProperty("cidrIpv6");
    // and the ALB may send to exactly that port of exactly that group
    expect(rulesOn(T.egress, albSg()).map(props)).toEqual([
      expect.objectContaining({
        fromPort: 3003,
        toPort: 3003,
        referencedSecurityGroupId: sg.state.id,
      }),
    ]);
  });

  it("lets nothing reach the worker's tasks", () => {
    expect(rulesOn(T.ingress, named(T.sg, "jobs-tasks-sg").state.id)).toEqual([]);
  });

  it.each(["api", "jobs"])("%s tasks may send anywhere (pulls, secrets, the cache)", (s) => {
    const out = rulesOn(T.egress, named(T.sg, `${s}-tasks-sg`).state.id).map(props);
    expect(out).toEqual([expect.objectContaining({ ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" })]);
  });

  it("no task SG rule admits a CIDR", () => {
    const taskSgs = ["api-tasks-sg", "jobs-tasks-sg"].map((n) => named(T.sg, n).state.id);
    const open = byType(run, T.ingress)
      .map(props)
      .filter((p) => taskSgs.includes(p.securityGroupId) && (p.cidrIpv4 || p.cidrIpv6));
    expect(open).toEqual([]);
  });
});

describe("target group and listener rule", () => {
  it("derives the health check from the service's own and drains for the stop grace", () => {
    const tg = props(named(T.tg, "api-tg"));
    expect(tg).toMatchObject({ targetType: "ip", port: 3003, protocol: "HTTP", vpcId: "vpc-0abc" });
    expect(tg.healthCheck).toMatchObject({
      path: "/health",
      interval: 30,
      timeout: 10,
      unhealthyThreshold: 5,
      healthyThreshold: 2,
    });
    expect(tg.deregistrationDelay as number).toBeGreaterThanOrEqual(STOP_S.api as number);
    expect(tg.deregistrationDelay).toBe(containerOf("api").stopTimeout);
  });

  it("forwards the HTTPS listener's paths to the target group", () => {
    const rule = props(named(T.rule, "api-rule"));
    expect(rule).toMatchObject({
      listenerArn: named(T.listener, "ecs-https").state.arn,
      priority: 100,
      actions: [{ type: "forward", targetGroupArn: named(T.tg, "api-tg").state.arn }],
      conditions: [{ pathPattern: { values: ["/*"] } }],
    });
  });
});

describe.each(["api", "jobs"])("ECS service %s", (s) => {
  const svc = () => named(T.service, `${s}-service`);
  const p = () => props(svc());

  it("runs 2 Fargate tasks in the private subnets without public IPs", () => {
    expect(p()).toMatchObject({
      launchType: "FARGATE",
      desiredCount: 2,
      cluster: named(T.cluster, "ecs-cluster").state.arn,
      taskDefinition: named(T.task, `${s}-task`).state.arn,
      networkConfiguration: {
        subnets: PRIVATE_SUBNETS,
        securityGroups: [named(T.sg, `${s}-tasks-sg`).state.id],
        assignPublicIp: false,
      },
    });
  });

  it("rolls back a failed deploy and keeps full capacity during one", () => {
    expect(p()).toMatchObject({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableExecuteCommand: false,
      waitForSteadyState: true,
    });
    expect(svc().options.ignoreChanges).toEqual(["desiredCount"]);
  });

  it("scales between min and max on CPU (and, behind the ALB, requests per target)", () => {
    const target = props(named(T.target, `${s}-scaling`));
    const cluster = named(T.cluster, "ecs-cluster").state.name as string;
    expect(target).toMatchObject({
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${cluster}/${svc().state.name as string}`,
      minCapacity: 2,
      maxCapacity: s === "api" ? 6 : 4,
    });
    const policies = byType(run, T.scaling).filter((r) => r.name.startsWith(`${s}-`));
    const metrics = policies.map((r) => {
      const c = props(r).targetTrackingScalingPolicyConfiguration as Props;
      expect(props(r)).toMatchObject({ policyType: "TargetTrackingScaling" });
      expect(props(r).resourceId).toBe(target.resourceId);
      return c.predefinedMetricSpecification as Props;
    });
    const types = metrics.map((m) => m.predefinedMetricType);
    expect(types).toEqual(
      s === "api"
        ? ["ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"]
        : ["ECSServiceAverageCPUUtilization"],
    );
  });
});

describe("the web service behind the ALB", () => {
  it("waits at least the container's start period before the ALB's verdict counts", () => {
    const grace = props(named(T.service, "api-service")).healthCheckGracePeriodSeconds as number;
    const start = (containerOf("api").healthCheck as Props).startPeriod as number;
    expect(start).toBe(START_PERIOD_S.api);
    expect(grace).toBeGreaterThanOrEqual(start);
    expect(grace).toBe(120 + 5 * 30);
  });

  it("registers its tasks in the target group, after the listener rule exists", () => {
    const svc = named(T.service, "api-service");
    expect(props(svc).loadBalancers).toEqual([
      {
        targetGroupArn: named(T.tg, "api-tg").state.arn,
        containerName: "api",
        containerPort: 3003,
      },
    ]);
    expect(svc.dependencies).toContain(named(T.rule, "api-rule").urn);
    expect(svc.dependencies).toContain(named(T.policy, "api-exec-secrets").urn);
  });

  it("labels the request-count policy '<ALB ARN suffix>/<target group ARN suffix>'", () => {
    const policy = props(named(T.scaling, "api-requests"));
    const spec = (policy.targetTrackingScalingPolicyConfiguration as Props)
      .predefinedMetricSpecification as Props;
    const alb = named(T.lb, "ecs-alb").state.arnSuffix as string;
    const tg = named(T.tg, "api-tg").state.arnSuffix as string;
    expect(alb).toMatch(/^app\//);
    expect(tg).toMatch(/^targetgroup\//);
    expect(spec.resourceLabel).toBe(`${alb}/${tg}`);
  });

  it("the worker has no load balancer and no grace period", () => {
    const p = props(named(T.service, "jobs-service"));
    expect(p.loadBalancers ?? []).toEqual([]);
    expect(p.healthCheckGracePeriodSeconds).toBeUndefined();
  });
});

describe("preview", () => {
  it("registers the same resources when ARNs, ids and DNS names are still unknown", async () => {
    const preview = await runProgram({
      stack: "prod-ecs",
      values: {},
      secretKeys: [],
      preview: true,
      load: ecsProgram,
    });
    const kinds = (r: ProgramRun) => r.resources.map((x) => `${x.type}::${x.name}`).sort();
    expect(kinds(preview)).toEqual(kinds(run));
    expect(kinds(preview).length).toBeGreaterThan(40);
  });
});

/** Runs a one-component program; returns the error the component threw. */
async function failure(build: () => Promise<unknown>): Promise<Error & { hideStack?: boolean }> {
  const err = await runProgram({
    stack: "bad",
    values: {},
    secretKeys: [],
    load: async () => ({ r: await build() }),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProgramError);
  return (err as ProgramError).cause as Error & { hideStack?: boolean };
}

describe("argument errors name the key and the fix, without a stack", () => {
  const platformArgs = {
    vpcId: "vpc-0abc",
    publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
    certificateArn: "arn:aws:acm:eu-central-1:123456789012:certificate/abc",
    production: true,
    stack: "bad",
  };

  it("refuses a TLS policy that allows TLS 1.0", async () => {
    const e = await failure(async () => {
      const { EcsPlatform } = await import("../../components/ecs-platform");
      return new EcsPlatform("p", { ...platformArgs, sslPolicy: "ELBSecurityPolicy-2016-08" });
    });
    expect(pulumi.ResourceError.isInstance(e) && e.hideStack).toBe(true);
    expect(e.message).toMatch(/`sslPolicy` \("ELBSecurityPolicy-2016-08"\).*TLS13/);
  });

  it.each([
    [{ user: "0:0" }, /`user` \("0:0"\) runs as root/],
    [{ healthcheck: { startPeriodMs: 301_000 } }, /`startPeriod` \(301 s\) is outside ECS's range/],
    [{ cpus: 17 }, /no Fargate task size has 17 vCPU/],
    [
      { desiredCount: 3, maxCount: 2 },
      /`desiredCount` \(3\).*minCount ≤ maxCount|within minCount–maxCount/,
    ],
    [{ env: { SECRET_KEY: "x" } }, /env var `SECRET_KEY` is set by the stack/],
    [{ pathPatterns: [] }, /`pathPatterns` has 0 entries/],
  ])("refuses EcsService args %j", async (bad, message) => {
    const e = await failure(async () => {
      const { EcsPlatform } = await import("../../components/ecs-platform");
      const { EcsService } = await import("../../components/ecs-service");
      const { redisConnection } = await import("../../components/redis-connection");
      const platform = new EcsPlatform("p", platformArgs);
      const redis = redisConnection({
        host: "h",
        port: 6379,
        tls: true,
        username: "default",
        password: "pw",
      });
      return new EcsService("s", {
        kind: "web",
        platform,
        image: "ghcr.io/acme/api:1.4.2",
        subnetIds: PRIVATE_SUBNETS,
        region: "eu-central-1",
        redis,
        secretKey: "k",
        stack: "bad",
        ...(bad as object),
      });
    });
    expect(pulumi.ResourceError.isInstance(e) && e.hideStack).toBe(true);
    expect(e.message).toMatch(message);
  });
});

describe("the cache admits the tasks' security groups only", () => {
  it("has one Redis-port rule per task SG, none from a CIDR", () => {
    const cacheSg = named(T.sg, "cache-sg").state.id;
    const rules = rulesOn(T.ingress, cacheSg).map(props);
    const taskSgs = ["api-tasks-sg", "jobs-tasks-sg"].map((n) => named(T.sg, n).state.id);
    expect(rules.map((r) => r.referencedSecurityGroupId)).toEqual(taskSgs);
    for (const r of rules) expect(r).toMatchObject({ fromPort: 6379, toPort: 6379 });
    expect(rules.filter((r) => r.cidrIpv4 || r.cidrIpv6)).toEqual([]);
  });
});
