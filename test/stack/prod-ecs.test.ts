/**
 * The real program with the real Pulumi.prod-ecs.yaml under mocks (issue 14): what the stack
 * file's keys become, end to end. The components' own behaviour is in ecs-components*.test.ts;
 * here it is the wiring: which subnets, which security groups, which counts, which outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { CapturedResource, ProgramRun } from "../../gate";
import { byType, one, promiseOf, reveal, runStack } from "../helpers/program";
import { stackObject } from "../helpers/stack-blocks";

type Props = Record<string, unknown>;
const T = {
  lb: "aws:lb/loadBalancer:LoadBalancer",
  service: "aws:ecs/service:Service",
  task: "aws:ecs/taskDefinition:TaskDefinition",
  target: "aws:appautoscaling/target:Target",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  rg: "aws:elasticache/replicationGroup:ReplicationGroup",
  container: "docker:index/container:Container",
} as const;

const ecsBlock = stackObject("prod-ecs", "ecs") as Props;
const props = (r: CapturedResource): Props => reveal(r.properties) as Props;
let run: ProgramRun;
beforeAll(async () => {
  run = await runStack("prod-ecs");
});

describe("Pulumi.prod-ecs.yaml under mocks", () => {
  it("puts the ALB in the public subnets and every task in the private ones, without public IPs", () => {
    expect(props(one(run, T.lb, "ecs-alb")).subnets).toEqual(ecsBlock.publicSubnetIds);
    const services = byType(run, T.service);
    expect(services.map((s) => s.name).sort()).toEqual(["api-service", "jobs-service"]);
    for (const s of services) {
      const net = props(s).networkConfiguration as Props;
      expect(net.subnets).toEqual(ecsBlock.privateSubnetIds);
      expect(net.assignPublicIp).toBe(false);
    }
  });

  it("runs no Docker container and no local Redis", () => {
    expect(run.resources.filter((r) => r.type.startsWith("docker:"))).toEqual([]);
  });

  it("lets the cache admit exactly the two services' task security groups", () => {
    const cacheSg = one(run, T.sg, "cache-sg");
    const fromSgs = byType(run, T.ingress)
      .map(props)
      .filter((p) => p.securityGroupId === cacheSg.state.id)
      .map((p) => p.referencedSecurityGroupId);
    const taskSgs = ["api-tasks-sg", "jobs-tasks-sg"].map((n) => one(run, T.sg, n).state.id);
    expect(fromSgs.sort()).toEqual(taskSgs.sort());
  });

  it("turns replicas into desiredCount and scaling into the autoscaling range", () => {
    const api = stackObject("prod-ecs", "api") as Props;
    const jobs = (stackObject("prod-ecs", "workers") as Record<string, Props>).jobs as Props;
    const range = (name: string) => {
      const t = props(one(run, T.target, `${name}-scaling`));
      return [t.minCapacity, t.maxCapacity];
    };
    const desired = (name: string) => props(one(run, T.service, `${name}-service`)).desiredCount;
    expect(desired("api")).toBe(api.replicas);
    expect(desired("jobs")).toBe(jobs.replicas);
    const scaling = (s: Props) => s.scaling as Props;
    expect(range("api")).toEqual([scaling(api).min, scaling(api).max]);
    expect(range("jobs")).toEqual([scaling(jobs).min, scaling(jobs).max]);
  });

  it("sizes each task from the service's cpus and memoryMb", () => {
    const size = (name: string) => {
      const t = props(one(run, T.task, `${name}-task`));
      return [t.cpu, t.memory];
    };
    // api asks for 0.5 vCPU and 512 MB, which Fargate does not offer: the smallest size with
    // 0.5 vCPU has 1024 MB. jobs asks for 0.25 vCPU and 512 MB, an exact size.
    expect(size("api")).toEqual(["512", "1024"]);
    expect(size("jobs")).toEqual(["256", "512"]);
  });

  it("keeps the cache's AUTH token and SECRET_KEY out of every task definition", () => {
    const token = props(one(run, T.rg, "cache-valkey")).authToken as string;
    expect(token.length).toBeGreaterThanOrEqual(16);
    for (const t of byType(run, T.task)) {
      const defs = props(t).containerDefinitions as string;
      expect(defs).not.toContain(token);
      expect(defs).not.toContain("rediss://");
    }
  });

  it("exports the ALB URL, its DNS name, the cluster and the services", async () => {
    const out = run.outputs as Record<string, pulumi.Output<unknown>>;
    const dns = await promiseOf(out.albDnsName as pulumi.Output<string>);
    expect(dns).toMatch(/\.elb\.amazonaws\.com$/);
    expect(await promiseOf(out.apiUrl as pulumi.Output<string>)).toBe(`https://${dns}`);
    expect(await promiseOf(out.platform as pulumi.Output<string>)).toBe("ecs");
    expect(await promiseOf(out.clusterName as pulumi.Output<string>)).toBe(
      one(run, "aws:ecs/cluster:Cluster", "ecs-cluster").state.name,
    );
    expect(await promiseOf(out.serviceNames as pulumi.Output<Record<string, string>>)).toEqual({
      api: one(run, T.service, "api-service").state.name,
      "workers.jobs": one(run, T.service, "jobs-service").state.name,
    });
    expect(await promiseOf(out.apiHealthPath as pulumi.Output<string>)).toBe("/health");
    for (const k of ["redisUrl", "redisPassword", "secretKey"])
      expect(await pulumi.isSecret(out[k] as pulumi.Output<unknown>), k).toBe(true);
  });
});

describe("Pulumi.prod-ecs.yaml in a preview", () => {
  it("builds task definitions whose containers are known, with secrets by partial ARN", async () => {
    const preview = await runStack("prod-ecs", { preview: true });
    for (const t of byType(preview, T.task)) {
      const defs = JSON.parse(props(t).containerDefinitions as string) as Props[];
      const secrets = defs[0]?.secrets as { name: string; valueFrom: string }[];
      expect(secrets.map((s) => s.name)).toContain("REDIS_URL");
      for (const s of secrets)
        expect(s.valueFrom).toMatch(
          /^arn:aws:secretsmanager:eu-central-1:123456789012:secret:[a-z0-9-]+-[0-9a-f]{7}$/,
        );
    }
    expect(byType(preview, T.task)).toHaveLength(2);
  });

  it("names the deploying account in the secret ARNs, not the certificate's", async () => {
    const cert =
      "arn:aws:acm:eu-central-1:210987654321:certificate/0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f";
    const other = await runStack("prod-ecs", {
      overrides: { "api-stack:ecs": { ...ecsBlock, certificateArn: cert } },
    });
    const defs = JSON.parse(
      props(one(other, T.task, "api-task")).containerDefinitions as string,
    ) as Props[];
    const secrets = defs[0]?.secrets as { valueFrom: string }[];
    for (const s of secrets)
      expect(s.valueFrom).toMatch(/^arn:aws:secretsmanager:eu-central-1:123456789012:secret:/);
  });
});

describe("a worker's heartbeat settings reach its ECS probe, as on Docker", () => {
  it("healthcheck.heartbeatFile and maxAge from the stack file are what ECS probes", async () => {
    const { heartbeatProbe } = await import("../../components/lib/healthcheck");
    const { merge } = await import("../helpers/stack-blocks");
    const jobs = (stackObject("prod-ecs", "workers").jobs ?? {}) as Record<string, unknown>;
    const run = await runStack("prod-ecs", {
      overrides: {
        "api-stack:workers": {
          jobs: merge(jobs, { healthcheck: { heartbeatFile: "/tmp/jobs-alive", maxAge: "45s" } }),
        },
      },
    });
    const task = one(run, "aws:ecs/taskDefinition:TaskDefinition", "jobs-task");
    const defs = JSON.parse(
      (reveal(task.properties) as { containerDefinitions: string }).containerDefinitions,
    ) as { healthCheck: { command: string[] } }[];
    expect(defs[0]?.healthCheck.command).toEqual(heartbeatProbe("/tmp/jobs-alive", 45_000));
  });
});
