/**
 * Issue 14's component layer under mocks: a tiny program builds an `EcsPlatform`, one web and
 * one worker `EcsService`, and these tests assert what it registers, bullet by bullet (ALB and
 * listeners, cluster, secrets, roles, task definitions, security groups, target group, service,
 * autoscaling). The gate's mocks give the ARNs, names and DNS names AWS would.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { isFargateSize } from "../../components/lib/fargate";
import { runProgram, type CapturedResource, type ProgramRun } from "../../gate";
import { byType, isSecretWire, promiseOf } from "../helpers/program";
import {
  ecsProgram,
  inspect,
  props,
  SECRET_KEY,
  START_PERIOD_S,
  STOP_S,
  T,
  type Props,
} from "./ecs-components.program";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram({ stack: "prod-ecs", values: {}, secretKeys: [], load: ecsProgram });
});
const { named, containerOf, secretsOf, cachePassword, ecsChildren } = inspect(() => run);

describe("what the program registers", () => {
  it("has the expected count of each resource type under the ECS components", () => {
    const children = ecsChildren();
    const counts = Object.fromEntries(
      Object.entries(T).map(([k, type]) => [k, children.filter((r) => r.type === type).length]),
    );
    expect(counts).toEqual({
      cluster: 1,
      lb: 1,
      listener: 2,
      rule: 1, // the web service only
      tg: 1,
      sg: 3, // ALB, api tasks, worker tasks
      ingress: 3, // ALB 443 + 80 from one CIDR; api tasks from the ALB SG
      egress: 3, // api tasks out, ALB → api tasks, worker tasks out
      secret: 7, // api: REDIS_URL, REDIS_PASSWORD, SECRET_KEY, STRIPE_KEY; worker: the first 3
      version: 7,
      logs: 2,
      role: 4, // an execution and a task role each
      policy: 2, // the execution roles' secret reads; the task roles have none
      attach: 2,
      task: 2,
      service: 2,
      target: 2,
      scaling: 3, // CPU for both, requests per target for the web service
    });
  });

  it("exports the ALB URL, DNS name, cluster and service names (awaited)", async () => {
    const out = run.outputs as Record<string, pulumi.Output<string>>;
    const alb = byType(run, T.lb)[0] as CapturedResource;
    const dns = alb.state.dnsName as string;
    expect(dns).toMatch(/\.elb\.amazonaws\.com$/);
    expect(await promiseOf(out.albDnsName)).toBe(dns);
    expect(await promiseOf(out.url)).toBe(`https://${dns}`);
    expect(await promiseOf(out.clusterName)).toBe(named(T.cluster, "ecs-cluster").state.name);
    expect(await promiseOf(out.apiService)).toBe(named(T.service, "api-service").state.name);
    expect(await promiseOf(out.jobsService)).toBe(named(T.service, "jobs-service").state.name);
    expect(await promiseOf(out.apiTaskSg)).toBe(named(T.sg, "api-tasks-sg").state.id);
  });
});

describe("EcsPlatform", () => {
  it("turns Container Insights on", () => {
    expect(props(named(T.cluster, "ecs-cluster")).settings).toEqual([
      { name: "containerInsights", value: "enabled" },
    ]);
  });

  it("puts an internet-facing ALB in the public subnets behind its own SG", () => {
    const p = props(named(T.lb, "ecs-alb"));
    expect(p).toMatchObject({ loadBalancerType: "application", internal: false });
    expect(p.subnets).toEqual(["subnet-pub-a", "subnet-pub-b"]);
    expect(p.securityGroups).toEqual([named(T.sg, "ecs-alb-sg").state.id]);
    expect(p.enableDeletionProtection).toBe(true);
  });

  it("lets 443 and 80 in from the configured CIDRs only", () => {
    const albSg = named(T.sg, "ecs-alb-sg").state.id;
    const rules = byType(run, T.ingress).filter((r) => props(r).securityGroupId === albSg);
    expect(rules.map((r) => [props(r).fromPort, props(r).toPort, props(r).cidrIpv4])).toEqual([
      [443, 443, "203.0.113.0/24"],
      [80, 80, "203.0.113.0/24"],
    ]);
  });

  it("terminates TLS with the certificate and the TLS 1.3 policy", () => {
    const p = props(named(T.listener, "ecs-https"));
    expect(p).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: "arn:aws:acm:eu-central-1:123456789012:certificate/abc",
      loadBalancerArn: named(T.lb, "ecs-alb").state.arn,
    });
  });

  it("answers HTTP only with a 301 to HTTPS", () => {
    const p = props(named(T.listener, "ecs-http"));
    expect(p).toMatchObject({ port: 80, protocol: "HTTP" });
    expect(p.defaultActions).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ]);
  });
});

describe.each(["api", "jobs"])("EcsService %s: secrets and roles", (service) => {
  it("stores every credential in Secrets Manager, as a secret input", () => {
    const versions = byType(run, T.version).filter((r) => r.name.startsWith(`${service}-`));
    expect(versions.length).toBe(service === "api" ? 4 : 3);
    for (const v of versions) expect(isSecretWire(v.properties.secretString)).toBe(true);
    const values = versions.map((v) => props(v).secretString as string);
    expect(values).toContain(cachePassword());
    expect(values).toContain(SECRET_KEY);
  });

  it("passes secrets only through `secrets`, never `environment`", () => {
    const c = containerOf(service);
    const env = c.environment as { name: string; value: string }[];
    const secrets = c.secrets as { name: string; valueFrom: string }[];
    // Partial ARNs: the certificate's account and region, and the secret's auto-name, which
    // the full ARN extends with "-" and AWS's six random characters (createSecrets).
    const prefix = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:";
    const partial = secretsOf(service).map((s) => `${prefix}${String(s.state.name)}`);
    expect(secrets.map((s) => s.valueFrom).sort()).toEqual(partial.sort());
    for (const s of secretsOf(service))
      expect(String(s.state.arn)).toMatch(
        new RegExp(`^${prefix}${String(s.state.name)}-[0-9a-f]{6}$`),
      );
    expect(secrets.map((s) => s.name)).toEqual(
      service === "api"
        ? ["REDIS_PASSWORD", "REDIS_URL", "SECRET_KEY", "STRIPE_KEY"]
        : ["REDIS_PASSWORD", "REDIS_URL", "SECRET_KEY"],
    );
    const plain = JSON.stringify(env);
    for (const bad of [cachePassword(), SECRET_KEY, "sk_live_", "rediss://"])
      expect(plain).not.toContain(bad);
    // The connection is REDIS_URL only: the cache endpoint is unknown at preview.
    expect(env.map((e) => e.name)).toEqual(["LOG_LEVEL"]);
    const names = new Set(env.map((e) => e.name));
    expect(secrets.filter((s) => names.has(s.name))).toEqual([]);
  });

  it("lets the execution role read exactly its own secrets", () => {
    const exec = named(T.role, `${service}-exec`);
    const policy = props(named(T.policy, `${service}-exec-secrets`));
    expect(policy.role).toBe(exec.state.id);
    const doc = JSON.parse(policy.policy as string) as {
      Statement: { Effect: string; Action: string[]; Resource: string[] }[];
    };
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0]?.Action).toEqual(["secretsmanager:GetSecretValue"]);
    // Partial ARN + "-??????" (the suffix Secrets Manager adds), known at preview unlike the ARN.
    const prefix = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:";
    const own = secretsOf(service).map((s) => `${prefix}${String(s.state.name)}-??????`);
    expect([...(doc.Statement[0]?.Resource ?? [])].sort()).toEqual(own.sort());
    const attach = props(named(T.attach, `${service}-exec-managed`));
    expect(attach).toEqual({
      role: exec.state.name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    });
    expect(props(named(T.task, `${service}-task`)).executionRoleArn).toBe(exec.state.arn);
  });

  it("gives the task role no policies", () => {
    const task = named(T.role, `${service}-task`);
    const onTask = [...byType(run, T.policy), ...byType(run, T.attach)].filter(
      (r) => props(r).role === task.state.id || props(r).role === task.state.name,
    );
    expect(onTask).toEqual([]);
    expect(props(named(T.task, `${service}-task`)).taskRoleArn).toBe(task.state.arn);
  });
});

describe.each(["api", "jobs"])("EcsService %s: task definition and logs", (service) => {
  it("runs a hardened Fargate container that logs to a retained log group", () => {
    const td = props(named(T.task, `${service}-task`));
    expect(td).toMatchObject({
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      volumes: [{ name: "tmp" }],
    });
    expect(isFargateSize(Number(td.cpu), Number(td.memory))).toBe(true);
    // Built from ARNs and plain values only: no secret flowed into the definition.
    expect(isSecretWire(named(T.task, `${service}-task`).properties.containerDefinitions)).toBe(
      false,
    );
    const logs = named(T.logs, `${service}-logs`);
    expect(props(logs).retentionInDays).toBe(30);
    const c = containerOf(service);
    expect(c).toMatchObject({
      user: "10001:10001",
      privileged: false,
      readonlyRootFilesystem: true,
      stopTimeout: STOP_S[service],
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": logs.state.name, "awslogs-region": "eu-central-1" },
      },
    });
    expect((c.healthCheck as Props).startPeriod).toBe(START_PERIOD_S[service]);
  });
});

describe("sizes and commands", () => {
  it("maps the web service's limits to the smallest Fargate pair; the worker has its command", () => {
    expect(props(named(T.task, "api-task"))).toMatchObject({ cpu: "512", memory: "2048" });
    expect(props(named(T.task, "jobs-task"))).toMatchObject({ cpu: "256", memory: "512" });
    expect(containerOf("jobs").command).toEqual(["node", "/app/server.js", "worker"]);
    expect(containerOf("jobs").portMappings).toEqual([]);
  });
});
