/**
 * The managed back ends: the prod variants Pulumi.prod-elasticache.yaml,
 * Pulumi.prod-serverless.yaml and Pulumi.prod-external.yaml under mocks. The API side
 * must not change; no local Redis may appear; prod data must be protected.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { AUTH_TOKEN_SPECIALS, authTokenProblem } from "../../components/lib/auth-token";
import type { ProgramRun } from "../../gate";
import { byType, isSecretWire, one, promiseOf, reveal, runStack } from "../helpers/program";

type Props = Record<string, unknown>;
const CONTAINER = "docker:index/container:Container";
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
  runs.rg = await runStack("prod-elasticache");
  runs.serverless = await runStack("prod-serverless");
  runs.external = await runStack("prod-external", { passphrase: "api-stack-example" });
});

function apiEnv(run: ProgramRun): Record<string, string> {
  const envs = reveal(one(run, CONTAINER, "api-server").properties.envs) as string[];
  return Object.fromEntries(envs.map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

describe.each(["rg", "serverless", "external"])("%s: the API side is unchanged", (variant) => {
  const run = () => runs[variant] as ProgramRun;

  it("gets a rediss:// URL and REDIS_TLS=true, all in one secret env", () => {
    const api = one(run(), CONTAINER, "api-server");
    expect(isSecretWire(api.properties.envs)).toBe(true);
    const env = apiEnv(run());
    expect(env.REDIS_URL).toMatch(/^rediss:\/\//);
    expect(env.REDIS_TLS).toBe("true");
    expect(env.REDIS_URL).toContain(`@${env.REDIS_HOST}:${env.REDIS_PORT}`);
    expect(env.REDIS_URL).toContain(`:${encodeURIComponent(env.REDIS_PASSWORD as string)}@`);
  });

  it("keeps the prod API healthcheck start period at 120 s", () => {
    const hc = (reveal(one(run(), CONTAINER, "api-server").properties) as Props)
      .healthcheck as Props;
    expect(hc.startPeriod).toBe("2m0s");
  });

  it("creates no local Redis container, volume or backend network", () => {
    expect(byType(run(), CONTAINER).map((r) => r.name)).toEqual(["api-server"]);
    expect(byType(run(), "docker:index/volume:Volume")).toEqual([]);
    const networks = byType(run(), "docker:index/network:Network");
    expect(networks.map((n) => n.name)).toEqual(["app-edge"]);
    const api = reveal(one(run(), CONTAINER, "api-server").properties) as Props;
    expect(api.networksAdvanced).toEqual([{ name: networks[0]?.state.name }]);
  });

  it("exports the connection's secrets as secrets", async () => {
    const out = run().outputs as Record<string, pulumi.Output<unknown>>;
    for (const k of ["redisUrl", "redisPassword"])
      expect(await pulumi.isSecret(out[k] as pulumi.Output<unknown>), k).toBe(true);
    expect(await promiseOf(out.redisTls as pulumi.Output<boolean>)).toBe(true);
    expect(await promiseOf(out.redisMode as pulumi.Output<string>)).toBe(
      variant === "external" ? "external" : "elasticache",
    );
  });
});

describe("elasticache, replication group", () => {
  const run = () => runs.rg as ProgramRun;
  const rg = () => one(run(), RG, "cache-valkey");

  it("is Valkey 8 with TLS required, encryption at rest, failover across AZs and backups", () => {
    expect(reveal(rg().properties)).toMatchObject({
      engine: "valkey",
      engineVersion: "8.0",
      nodeType: "cache.t4g.small",
      port: 6379,
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      snapshotRetentionLimit: 7,
      snapshotWindow: "03:00-04:00",
      maintenanceWindow: "sun:05:00-sun:06:00",
      autoMinorVersionUpgrade: true,
    });
    expect((reveal(rg().properties) as Props).finalSnapshotIdentifier).toMatch(
      /^api-stack-prod-elasticache-final-[0-9a-f]{8}$/,
    );
  });

  it("authenticates with a secret token from @pulumi/random that obeys ElastiCache's rules", () => {
    expect(isSecretWire(rg().properties.authToken)).toBe(true);
    expect(rg().options.additionalSecretOutputs).toContain("authToken");
    const gen = one(run(), "random:index/randomPassword:RandomPassword", "auth-token")
      .properties as Props;
    expect(gen).toMatchObject({ length: 64, special: true, overrideSpecial: AUTH_TOKEN_SPECIALS });
    for (const ch of AUTH_TOKEN_SPECIALS)
      expect(authTokenProblem(`Aa1${ch}`.repeat(5)), ch).toBeUndefined();
    const token = reveal(rg().properties.authToken) as string;
    expect(authTokenProblem(token)).toBeUndefined();
    expect(rg().dependencies).toContain(
      one(run(), "random:index/randomPassword:RandomPassword", "auth-token").urn,
    );
  });

  it("uses its own subnet group, parameter group and security group, never the defaults", () => {
    const p = reveal(rg().properties) as Props;
    const subnets = one(run(), "aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets");
    expect((subnets.properties as Props).subnetIds).toEqual([
      "subnet-0aa11bb22cc33dd44",
      "subnet-0ee55ff66aa77bb88",
    ]);
    expect(p.subnetGroupName).toBe(subnets.state.name);
    const params = one(run(), "aws:elasticache/parameterGroup:ParameterGroup", "cache-params");
    expect(params.properties).toMatchObject({
      family: "valkey8",
      parameters: [{ name: "maxmemory-policy", value: "noeviction" }],
    });
    expect(p.parameterGroupName).toBe(params.state.name);
    expect(p.securityGroupIds).toEqual([
      one(run(), "aws:ec2/securityGroup:SecurityGroup", "cache-sg").state.id,
    ]);
  });

  it("sends the slow log to a CloudWatch log group with retention", () => {
    const group = one(run(), "aws:cloudwatch/logGroup:LogGroup", "slow-log");
    expect(group.properties.retentionInDays).toBe(30);
    expect((reveal(rg().properties) as Props).logDeliveryConfigurations).toEqual([
      {
        destination: group.state.name,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType: "slow-log",
      },
    ]);
  });

  it("admits only the configured sources on the Redis port", () => {
    const sg = one(run(), "aws:ec2/securityGroup:SecurityGroup", "cache-sg");
    expect(sg.properties).toMatchObject({ vpcId: "vpc-0a1b2c3d4e5f60718", egress: [] });
    expect(sg.properties.ingress).toBeUndefined();
    const rules = byType(run(), INGRESS).map((r) => reveal(r.properties) as Props);
    expect(rules).toEqual([
      expect.objectContaining({
        securityGroupId: sg.state.id,
        ipProtocol: "tcp",
        fromPort: 6379,
        toPort: 6379,
        referencedSecurityGroupId: "sg-0123456789abcdef0",
      }),
    ]);
    expect(JSON.stringify(rules)).not.toMatch(/0\.0\.0\.0\/0|::\/0/);
  });

  it("protects the cache and its subnet and parameter groups in prod", () => {
    for (const [type, name] of [
      [RG, "cache-valkey"],
      ["aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets"],
      ["aws:elasticache/parameterGroup:ParameterGroup", "cache-params"],
    ] as const) {
      expect(one(run(), type, name).options.protect, name).toBe(true);
    }
  });

  it("makes the API wait for the cache", () => {
    expect(one(run(), CONTAINER, "api-server").dependencies).toContain(rg().urn);
  });

  it("looks the subnets up in the VPC by tags when no ids are listed", async () => {
    const r = await runStack("prod-elasticache", {
      overrides: {
        "api-stack:redis": {
          mode: "elasticache",
          vpcId: "vpc-0a1b2c3d4e5f60718",
          subnetTags: { Tier: "private" },
          allowedCidrs: ["10.20.0.0/16", "fd00:1::/64"],
        },
      },
    });
    const subnets = one(r, "aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets");
    expect(reveal(subnets.properties.subnetIds)).toEqual([
      "subnet-0aa11bb22cc33dd44",
      "subnet-0ee55ff66aa77bb88",
    ]);
    const rules = byType(r, INGRESS).map((x) => reveal(x.properties) as Props);
    expect(rules.map((x) => x.cidrIpv4 ?? x.cidrIpv6)).toEqual(["10.20.0.0/16", "fd00:1::/64"]);
  });
});

describe("elasticache, serverless", () => {
  const run = () => runs.serverless as ProgramRun;
  const cache = () => one(run(), SERVERLESS, "cache-valkey");

  it("is serverless Valkey 8 with usage limits, backups and a user group", () => {
    const p = reveal(cache().properties) as Props;
    expect(p).toMatchObject({
      engine: "valkey",
      majorEngineVersion: "8",
      snapshotRetentionLimit: 7,
      dailySnapshotTime: "03:00",
      subnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
      cacheUsageLimits: {
        dataStorage: { maximum: 10, unit: "GB" },
        ecpuPerSeconds: [{ maximum: 5000 }],
      },
    });
    const group = one(run(), "aws:elasticache/userGroup:UserGroup", "cache-users");
    expect(p.userGroupId).toBe(reveal(group.properties.userGroupId));
    expect(cache().options.protect).toBe(true);
  });

  it("switches the required default user off and gives the API its own user with a generated password", () => {
    const def = reveal(one(run(), "aws:elasticache/user:User", "default-user").properties) as Props;
    expect(def).toMatchObject({ userName: "default", engine: "valkey", accessString: "off -@all" });
    const appRaw = one(run(), "aws:elasticache/user:User", "app-user").properties;
    expect(isSecretWire((appRaw.passwords as unknown[])[0]) || isSecretWire(appRaw.passwords)).toBe(
      true,
    );
    const app = reveal(appRaw) as Props;
    expect(app).toMatchObject({
      userName: "app",
      accessString: "on ~* &* +@all -@admin -flushall -flushdb -swapdb",
    });
    const env = apiEnv(run());
    expect(env.REDIS_USERNAME).toBe("app");
    expect(env.REDIS_PASSWORD).toBe((app.passwords as string[])[0]);
    expect(env.REDIS_URL).toMatch(/^rediss:\/\/app:/);
  });
});

describe("external", () => {
  it("splits the decrypted URL into the connection, keeping the URL and password secret", async () => {
    const out = (runs.external as ProgramRun).outputs as Record<string, pulumi.Output<unknown>>;
    expect(await promiseOf(out.redisHost as pulumi.Output<string>)).toBe(
      "valkey-example-acme.k.aivencloud.com",
    );
    expect(await promiseOf(out.redisPort as pulumi.Output<number>)).toBe(13345);
    expect(await pulumi.isSecret(out.redisHost as pulumi.Output<unknown>)).toBe(false);
    expect(apiEnv(runs.external as ProgramRun).REDIS_URL).toMatch(
      /^rediss:\/\/[^@]+@valkey-example-acme\.k\.aivencloud\.com:13345$/,
    );
    expect(
      (runs.external as ProgramRun).resources.filter((r) => r.type.startsWith("aws:")),
    ).toEqual([]);
  });
});
