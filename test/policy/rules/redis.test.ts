import { describe, it } from "vitest";
import {
  elasticachePrivateSubnets,
  redisBackendDefined,
  redisCachePortNotWorldOpen,
  redisIngressNotWorldOpen,
  redisNotExposed,
} from "../../../policy/rules/redis";
import { secret, UNKNOWN } from "../../../scripts/lib/analyzer-encode";
import { apiProps, redisProps, replicationGroupProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertHasStackViolation,
  assertNoResourceViolations,
  assertNoStackViolations,
  createResourceValidationArgs as args,
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
});
