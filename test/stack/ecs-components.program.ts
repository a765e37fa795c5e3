/**
 * The tiny program the ECS component tests run under mocks: one `EcsPlatform`, a web service
 * (`api`) and a worker (`jobs`) with sample args, on an `ElastiCacheValkey` that admits only the
 * services' task security groups; and helpers over what it registers.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "vitest";
import { TYPES } from "../../components/types";
import type { CapturedResource, ProgramRun } from "../../gate";
import { byType, reveal } from "../helpers/program";

export const SECRET_KEY = "secret-key-0123456789abcdef0123456789";
/** The container start periods, seconds, that the services are given. */
export const START_PERIOD_S: Record<string, number> = { api: 120, jobs: 30 };
/** The web service's stop grace, seconds (the worker keeps the 30 s default). */
export const STOP_S: Record<string, number> = { api: 45, jobs: 30 };
export const PRIVATE_SUBNETS = ["subnet-priv-a", "subnet-priv-b"];

/** Builds the components; returns the outputs a stack would export. */
export async function ecsProgram(): Promise<Record<string, unknown>> {
  const { EcsPlatform } = await import("../../components/ecs-platform");
  const { EcsService } = await import("../../components/ecs-service");
  const { ElastiCacheValkey } = await import("../../components/elasticache-valkey");
  const stack = "prod-ecs";
  const platform = new EcsPlatform("ecs", {
    vpcId: "vpc-0abc",
    publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
    certificateArn: "arn:aws:acm:eu-central-1:123456789012:certificate/abc",
    ingressCidrs: ["203.0.113.0/24"],
    production: true,
    stack,
  });
  // The cache admits only the tasks' security groups, which exist only once the services do,
  // and the services need the cache's connection: deferred outputs close that cycle
  // (@pulumi/pulumi output.ts, deferredOutput).
  const [apiSg, setApiSg] = pulumi.deferredOutput<string>();
  const [jobsSg, setJobsSg] = pulumi.deferredOutput<string>();
  const cache = new ElastiCacheValkey("cache", {
    vpcId: "vpc-0abc",
    subnetIds: PRIVATE_SUBNETS,
    allowedSecurityGroupIds: [apiSg, jobsSg],
    production: true,
    stack,
  });
  const redis = cache.connection;
  const common = {
    platform,
    image: "ghcr.io/acme/api:1.4.2",
    subnetIds: PRIVATE_SUBNETS,
    region: "eu-central-1",
    redis,
    secretKey: pulumi.secret(SECRET_KEY),
    env: { LOG_LEVEL: "info" },
    stack,
  };
  const api = new EcsService("api", {
    ...common,
    kind: "web",
    secretEnv: { STRIPE_KEY: pulumi.secret("sk_live_0123456789") },
    healthcheck: { intervalMs: 30_000, timeoutMs: 10_000, retries: 5, startPeriodMs: 120_000 },
    cpus: 0.5,
    memoryMb: 1500,
    stopTimeoutMs: 45_000,
    maxCount: 6,
  });
  const jobs = new EcsService("jobs", {
    ...common,
    kind: "worker",
    command: ["node", "/app/server.js", "worker"],
  });
  setApiSg(api.taskSecurityGroupId);
  setJobsSg(jobs.taskSecurityGroupId);
  return {
    url: platform.url,
    albDnsName: platform.albDnsName,
    clusterName: platform.clusterName,
    apiService: api.serviceName,
    jobsService: jobs.serviceName,
    apiTaskSg: api.taskSecurityGroupId,
  };
}

export type Props = Record<string, unknown>;

export const T = {
  cluster: "aws:ecs/cluster:Cluster",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  rule: "aws:lb/listenerRule:ListenerRule",
  tg: "aws:lb/targetGroup:TargetGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  secret: "aws:secretsmanager/secret:Secret",
  version: "aws:secretsmanager/secretVersion:SecretVersion",
  logs: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  policy: "aws:iam/rolePolicy:RolePolicy",
  attach: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  task: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
  target: "aws:appautoscaling/target:Target",
  scaling: "aws:appautoscaling/policy:Policy",
} as const;

/** Inputs with secret markers stripped. */
export const props = (r: CapturedResource): Props => reveal(r.properties) as Props;

/** Lookups over one run. */
export function inspect(run: () => ProgramRun) {
  const named = (type: string, name: string): CapturedResource => {
    const found = byType(run(), type).filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} ${name}, found ${found.length}`);
    return found[0] as CapturedResource;
  };
  const containerOf = (service: string): Props => {
    const json = props(named(T.task, `${service}-task`)).containerDefinitions as string;
    const defs = JSON.parse(json) as Props[];
    expect(defs).toHaveLength(1);
    return defs[0] as Props;
  };
  /** The service's secrets, by logical-name prefix. */
  const secretsOf = (service: string) =>
    byType(run(), T.secret).filter((r) => r.name.startsWith(`${service}-secret-`));
  /** The cache's generated AUTH token. */
  const cachePassword = () =>
    props(named("aws:elasticache/replicationGroup:ReplicationGroup", "cache-valkey"))
      .authToken as string;
  /** Resources whose parent is an ECS component (the cache's own are not counted). */
  const ecsChildren = () => {
    const ecs = new Set<string>([TYPES.EcsPlatform, TYPES.EcsService]);
    const parents = new Set(
      run()
        .resources.filter((r) => ecs.has(r.type))
        .map((r) => r.urn),
    );
    return run().resources.filter((r) => parents.has(r.parent));
  };
  return { named, containerOf, secretsOf, cachePassword, ecsChildren };
}
