import { describe, it } from "vitest";
import {
  elasticachePrivateSubnets,
  redisCachePortNotWorldOpen,
  redisIngressNotWorldOpen,
  redisNotExposed,
} from "../../../policy/rules/redis";
import { redisBackendDefined } from "../../../policy/rules/redis-backend";
import { secret, UNKNOWN } from "../../../gate";
import { apiProps, redisProps, replicationGroupProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertHasStackViolation,
  assertNoResourceViolations,
  assertNoStackViolations,
  createResourceValidationArgs as args,
  createStackValidationArgs,
  createStackValidationArgs as stack,
} from "../util";

const C = T.container;
const dev = { config: { production: false } };

describe("redis-not-exposed", () => {
  it("passes a Redis with no ports, and a loopback port in dev", async () => {
    await assertNoResourceViolations(redisNotExposed, args(C, redisProps()));
    await assertNoResourceViolations(
      redisNotExposed,
      args(
        C,
        { ...redisProps(), ports: [{ internal: 6379, external: 6379, ip: "127.0.0.1" }] },
        dev,
      ),
    );
  });
  it("ignores the API's published port", () =>
    assertNoResourceViolations(redisNotExposed, args(C, apiProps())));
  it("refuses 0.0.0.0 even in dev, any port in production, and host networking", async () => {
    await assertHasResourceViolation(
      redisNotExposed,
      args(C, { ...redisProps(), ports: [{ internal: 6379 }] }, dev),
      /0\.0\.0\.0:\(random\)->6379/,
    );
    await assertHasResourceViolation(
      redisNotExposed,
      args(C, { ...redisProps(), ports: [{ internal: 6379, ip: "127.0.0.1" }] }),
      /in production/,
    );
    await assertHasResourceViolation(
      redisNotExposed,
      args(C, { ...redisProps(), networkMode: "host" }, dev),
      /"host"/,
    );
  });
  it("refuses unknown port mappings", () =>
    assertHasResourceViolation(
      redisNotExposed,
      args(C, { ...redisProps(), ports: [{ internal: 6379, ip: UNKNOWN }] }, dev),
      /unknown at preview/,
    ));
});

const tcp6379 = { protocol: "tcp", fromPort: 6379, toPort: 6379 };
const ipTcp6379 = { securityGroupId: "sg-cache", ipProtocol: "tcp", fromPort: 6379, toPort: 6379 };
const ruleTcp6379 = { ...tcp6379, type: "ingress", securityGroupId: "sg-cache" };

describe("redis-ingress-not-world-open", () => {
  const sg = (ingress: unknown[]): ReturnType<typeof args> => args(T.sg, { ingress });
  it("passes VPC-only and non-Redis world-open rules", async () => {
    await assertNoResourceViolations(
      redisIngressNotWorldOpen,
      sg([{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["10.0.0.0/16"] }]),
    );
    await assertNoResourceViolations(
      redisIngressNotWorldOpen,
      sg([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]),
    );
  });
  it("refuses world-open 6379 in all three shapes", async () => {
    await assertHasResourceViolation(
      redisIngressNotWorldOpen,
      sg([{ protocol: "tcp", fromPort: 6000, toPort: 7000, cidrBlocks: ["0.0.0.0/0"] }]),
    );
    await assertHasResourceViolation(
      redisIngressNotWorldOpen,
      args(T.sgIngress, { ipProtocol: "-1", cidrIpv6: "::/0" }),
    );
    await assertHasResourceViolation(
      redisIngressNotWorldOpen,
      args(T.sgRule, {
        type: "ingress",
        protocol: "tcp",
        fromPort: 6379,
        toPort: 6379,
        cidrBlocks: ["0.0.0.0/0"],
      }),
    );
  });
  it("ignores egress rules and defers unknown CIDRs", async () => {
    await assertNoResourceViolations(
      redisIngressNotWorldOpen,
      args(T.sgRule, {
        type: "egress",
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        cidrBlocks: ["0.0.0.0/0"],
      }),
    );
    await assertNoResourceViolations(
      redisIngressNotWorldOpen,
      sg([{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: [UNKNOWN] }]),
    );
  });
  it("refuses an unknown port range when the CIDR is the world", () =>
    assertHasResourceViolation(
      redisIngressNotWorldOpen,
      sg([{ protocol: "tcp", fromPort: UNKNOWN, toPort: UNKNOWN, cidrBlocks: ["0.0.0.0/0"] }]),
      /unknown at preview/,
    ));
  it.each([
    ["SecurityGroup ingress, IPv4", T.sg, { ingress: [{ ...tcp6379, cidrBlocks: ["0.0.0.0/0"] }] }],
    ["SecurityGroup ingress, IPv6", T.sg, { ingress: [{ ...tcp6379, ipv6CidrBlocks: ["::/0"] }] }],
    ["SecurityGroupIngressRule, IPv4", T.sgIngress, { ...ipTcp6379, cidrIpv4: "0.0.0.0/0" }],
    ["SecurityGroupIngressRule, IPv6", T.sgIngress, { ...ipTcp6379, cidrIpv6: "::/0" }],
    ["SecurityGroupRule, IPv4", T.sgRule, { ...ruleTcp6379, cidrBlocks: ["0.0.0.0/0"] }],
    ["SecurityGroupRule, IPv6", T.sgRule, { ...ruleTcp6379, ipv6CidrBlocks: ["::/0"] }],
  ])("refuses 6379 open to the world: %s", (_, type, props) =>
    assertHasResourceViolation(
      redisIngressNotWorldOpen,
      args(type, props),
      /opens Redis port 6379 to (0\.0\.0\.0\/0|::\/0)/,
    ),
  );
  it("refuses a wholly unknown ingress entry or list instead of passing it", async () => {
    await assertHasResourceViolation(
      redisIngressNotWorldOpen,
      sg([UNKNOWN]),
      /ingress\[0\].*unknown at preview/,
    );
    await assertHasResourceViolation(
      redisIngressNotWorldOpen,
      args(T.sg, { ingress: UNKNOWN }),
      /unknown at preview/,
    );
    await assertHasResourceViolation(
      redisIngressNotWorldOpen,
      args(T.sgRule, { ...ruleTcp6379, type: UNKNOWN, cidrBlocks: ["0.0.0.0/0"] }),
      /unknown at preview/,
    );
  });
  it("passes rules that reference a security group, and defers unknown CIDRs of every shape", async () => {
    for (const [type, props] of [
      [T.sgIngress, { ...ipTcp6379, referencedSecurityGroupId: UNKNOWN }],
      [T.sgIngress, { ...ipTcp6379, cidrIpv6: UNKNOWN }],
      [T.sgRule, { ...ruleTcp6379, sourceSecurityGroupId: "sg-app" }],
      [T.sgRule, { ...ruleTcp6379, ipv6CidrBlocks: [UNKNOWN] }],
      [T.sg, { ingress: [{ ...tcp6379, securityGroups: [UNKNOWN] }] }],
      [T.sg, { ingress: [{ ...tcp6379, ipv6CidrBlocks: UNKNOWN }] }],
    ] as const) {
      await assertNoResourceViolations(redisIngressNotWorldOpen, args(type, props));
    }
  });
});

describe("redis-cache-port-not-world-open", () => {
  it("checks the cache's own port", async () => {
    const open = {
      type: T.sg,
      name: "sg",
      props: {
        ingress: [{ protocol: "tcp", fromPort: 7000, toPort: 7000, cidrBlocks: ["0.0.0.0/0"] }],
      },
    };
    await assertHasStackViolation(
      redisCachePortNotWorldOpen,
      stack([{ type: T.replicationGroup, name: "rg", props: { port: 7000 } }, open]),
      /7000/,
    );
    await assertNoStackViolations(
      redisCachePortNotWorldOpen,
      stack([{ type: T.replicationGroup, name: "rg", props: { port: 6379 } }, open]),
    );
  });
  it("checks a serverless cache's reader port 6380 on every rule shape", async () => {
    const cache = { type: T.serverless, name: "sc", props: { engine: "valkey" } };
    await assertHasStackViolation(
      redisCachePortNotWorldOpen,
      stack([
        cache,
        {
          type: T.sgIngress,
          name: "r",
          props: { ...ipTcp6379, fromPort: 6380, toPort: 6380, cidrIpv6: "::/0" },
        },
      ]),
      /6380 to ::\/0/,
    );
  });
  it("skips a SecurityGroup whose computed ingress output is unknown at preview", () =>
    assertNoStackViolations(
      redisCachePortNotWorldOpen,
      stack([
        { type: T.replicationGroup, name: "rg", props: { port: 7000 } },
        { type: T.sg, name: "sg", props: { vpcId: "vpc-1", egress: [], ingress: UNKNOWN } },
      ]),
    ));
});

describe("elasticache-private-subnets", () => {
  it("passes an explicit subnet group and defers an unknown one", async () => {
    await assertNoResourceViolations(
      elasticachePrivateSubnets,
      args(T.replicationGroup, replicationGroupProps()),
    );
    await assertNoResourceViolations(
      elasticachePrivateSubnets,
      args(T.replicationGroup, { subnetGroupName: UNKNOWN }),
    );
    await assertNoResourceViolations(
      elasticachePrivateSubnets,
      args(T.serverless, { subnetIds: ["subnet-1"] }),
    );
  });
  it("refuses none, default and empty subnetIds", async () => {
    await assertHasResourceViolation(
      elasticachePrivateSubnets,
      args(T.replicationGroup, {}),
      /no subnetGroupName/,
    );
    await assertHasResourceViolation(
      elasticachePrivateSubnets,
      args(T.cluster, { subnetGroupName: "default" }),
      /"default"/,
    );
    await assertHasResourceViolation(
      elasticachePrivateSubnets,
      args(T.serverless, { subnetIds: [] }),
      /no subnetIds/,
    );
  });
});

describe("redis-backend-defined", () => {
  const redis = { type: C, name: "redis", props: redisProps() };
  const api = (envs: unknown, deps: string[] = []): Parameters<typeof stack>[0][number] => ({
    type: C,
    name: "api",
    props: { ...apiProps(), envs },
    propertyDependencies: { envs: deps },
  });
  it("passes when the host is a Redis container's alias, or an external FQDN", async () => {
    await assertNoStackViolations(
      redisBackendDefined,
      stack([redis, api(["REDIS_URL=redis://:x@redis:6379"])]),
    );
    await assertNoStackViolations(
      redisBackendDefined,
      stack([api(["REDIS_URL=rediss://:x@cache.abc.euw1.cache.amazonaws.com:6379"])]),
    );
    await assertNoStackViolations(
      redisBackendDefined,
      stack([redis, api(secret(UNKNOWN), ["redis"])]),
    );
  });
  it("refuses a host no container answers to, or that is not Redis", async () => {
    await assertHasStackViolation(
      redisBackendDefined,
      stack([api(["REDIS_HOST=redis"])]),
      /never defined/,
    );
    await assertHasStackViolation(
      redisBackendDefined,
      stack([
        { type: C, name: "other", props: { image: "nginx:1.27", name: "redis" } },
        api(["REDIS_URL=redis://redis:6379"]),
      ]),
      /not Redis/,
    );
  });
  it("refuses unknown envs that do not depend on any Redis", () =>
    assertHasStackViolation(
      redisBackendDefined,
      stack([api(UNKNOWN)]),
      /provenance could not be established/,
    ));

  const rgRes = { type: T.replicationGroup, name: "cache", props: replicationGroupProps() };
  const sc = { type: T.serverless, name: "sc", props: { engine: "valkey" } };
  const endpoint = "master.api-cache.abc123.use1.cache.amazonaws.com";
  it("passes an ElastiCache endpoint, and IPv6 literals, with no Redis container at all", async () => {
    for (const env of [
      `REDIS_URL=rediss://:tok@${endpoint}:6379`,
      `REDIS_HOST=${endpoint}`,
      "REDIS_URL=rediss://api-x1y2z3.serverless.use1.cache.amazonaws.com:6379",
      "REDIS_HOST=fd00::1",
      "REDIS_ADDR=[fd00::1]:6379",
      "REDIS_URL=unix:///var/run/redis.sock",
    ]) {
      await assertNoStackViolations(
        redisBackendDefined,
        stack([rgRes, api(secret([env, "REDIS_TLS=true"]))]),
      );
    }
  });
  it("passes REDIS_URL unknown at preview when it depends on a ReplicationGroup or ServerlessCache", async () => {
    await assertNoStackViolations(
      redisBackendDefined,
      stack([rgRes, api([secret(UNKNOWN), "REDIS_TLS=true"], ["cache"])]),
    );
    await assertNoStackViolations(
      redisBackendDefined,
      stack([sc, { ...api(secret(UNKNOWN)), propertyDependencies: {}, dependencies: ["sc"] }]),
    );
    await assertNoStackViolations(
      redisBackendDefined,
      stack([
        { type: "api-stack:components:ElastiCacheValkey", name: "ec", props: {} },
        { ...rgRes, parent: "ec" },
        api(secret(UNKNOWN), ["ec"]),
      ]),
    );
  });
  it("refuses unknown envs that depend only on ElastiCache users, groups or subnets", () =>
    assertHasStackViolation(
      redisBackendDefined,
      stack([
        { type: T.userGroup, name: "ug", props: {} },
        { type: T.subnetGroup, name: "sn", props: {} },
        api(secret(UNKNOWN), ["ug", "sn"]),
      ]),
      /no Redis container or ElastiCache cache/,
    ));
  it("passes an external rediss:// URL from config, known or hidden in unknown envs", async () => {
    const external = { type: "api-stack:components:ExternalRedis", name: "ext", props: {} };
    await assertNoStackViolations(
      redisBackendDefined,
      stack([api(secret(["REDIS_URL=rediss://default:pw@redis-123.example.com:6380"]))]),
    );
    await assertNoStackViolations(
      redisBackendDefined,
      stack([
        external,
        { type: T.randomId, name: "key", props: {} },
        api(secret(UNKNOWN), ["key"]),
      ]),
    );
    await assertHasStackViolation(
      redisBackendDefined,
      createStackValidationArgs([external, api(secret(UNKNOWN))], { externalBackendTypes: [] }),
      /provenance could not be established/,
    );
  });
  it("still refuses a single-label host that no container answers to, with ElastiCache present", () =>
    assertHasStackViolation(
      redisBackendDefined,
      stack([rgRes, api(["REDIS_HOST=redis"], ["cache"])]),
      /never defined/,
    ));
});
