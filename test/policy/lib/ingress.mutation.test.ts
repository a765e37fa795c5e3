/**
 * policy/lib/ingress.ts directly: the three AWS ingress shapes, world-open CIDRs on Redis ports
 * with the exact finding, the preview cases (unknown lists, entries, ports), and the ports each
 * kind of cache listens on.
 */
import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { cachePorts, ingressEntries, worldOpenIngress } from "../../../policy/lib/ingress";
import {
  CACHE_CLUSTER,
  REPLICATION_GROUP,
  SECURITY_GROUP,
  SERVERLESS_CACHE,
  SG_INGRESS_RULE,
  SG_RULE,
} from "../../../policy/lib/types";
import { UNKNOWN } from "../../../policy/lib/unknown";

const redisPort = { protocol: "tcp", fromPort: 6379, toPort: 6379 };

describe("ingressEntries", () => {
  it("reads inline ingress with v4 and v6 CIDRs, one value or a list", () => {
    expect(
      ingressEntries(SECURITY_GROUP, {
        ingress: [{ ...redisPort, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: "::/0" }, null],
      }),
    ).toEqual([
      { entryUnknown: false, ...redisPort, cidrs: ["0.0.0.0/0", "::/0"], where: "ingress[0]" },
      {
        entryUnknown: false,
        protocol: undefined,
        fromPort: undefined,
        toPort: undefined,
        cidrs: [],
        where: "ingress[1]",
      },
    ]);
    expect(ingressEntries(SECURITY_GROUP, {})).toEqual([]);
    expect(ingressEntries(SECURITY_GROUP, { ingress: UNKNOWN })).toBe("unknown");
    expect(ingressEntries(SECURITY_GROUP, { ingress: [UNKNOWN] })).toEqual([
      {
        entryUnknown: true,
        protocol: undefined,
        fromPort: undefined,
        toPort: undefined,
        cidrs: [],
        where: "ingress[0]",
      },
    ]);
  });

  it("reads a vpc.SecurityGroupIngressRule and an ingress ec2.SecurityGroupRule; not an egress one", () => {
    expect(
      ingressEntries(SG_INGRESS_RULE, {
        ipProtocol: "tcp",
        fromPort: 6379,
        toPort: 6379,
        cidrIpv4: "0.0.0.0/0",
        cidrIpv6: null,
      }),
    ).toEqual([{ ...redisPort, cidrs: ["0.0.0.0/0"], where: "rule" }]);
    expect(
      ingressEntries(SG_RULE, {
        type: "ingress",
        ...redisPort,
        cidrBlocks: ["10.0.0.0/8"],
        ipv6CidrBlocks: ["::/0"],
      }),
    ).toEqual([{ ...redisPort, cidrs: ["10.0.0.0/8", "::/0"], where: "rule" }]);
    expect(
      ingressEntries(SG_RULE, { type: "egress", ...redisPort, cidrBlocks: ["0.0.0.0/0"] }),
    ).toEqual([]);
    expect(ingressEntries(SG_RULE, { type: UNKNOWN })).toBe("unknown");
    expect(ingressEntries("aws:ec2/vpc:Vpc", {})).toEqual([]);
  });
});

describe("worldOpenIngress", () => {
  const sg = (ingress: unknown) =>
    worldOpenIngress(SECURITY_GROUP, "cache-sg", { ingress }, [6379]);

  it("refuses the Redis port open to the world, with the fix", () => {
    expect(sg([{ ...redisPort, cidrBlocks: ["0.0.0.0/0"] }])).toEqual([
      'Security group rule "cache-sg" (ingress[0]) opens Redis port 6379 to 0.0.0.0/0. Fix: allow only the application\'s security group (referencedSecurityGroupId / sourceSecurityGroupId) or the VPC CIDR.',
    ]);
  });

  it("passes the same entry from the VPC's CIDR, on another port, or with an unknown CIDR", () => {
    expect(sg([{ ...redisPort, cidrBlocks: ["10.0.0.0/16"] }])).toEqual([]);
    expect(
      sg([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]),
    ).toEqual([]);
    expect(sg([{ ...redisPort, cidrBlocks: [UNKNOWN] }])).toEqual([]);
  });

  it("asks for literals: an unknown list, entry or port range that is open to the world", () => {
    expect(sg(UNKNOWN)[0]).toContain('The ingress of Security group rule "cache-sg"');
    expect(sg([UNKNOWN])[0]).toContain('ingress[0] of Security group rule "cache-sg"');
    for (const k of ["protocol", "fromPort", "toPort"]) {
      const [m] = sg([{ ...redisPort, [k]: UNKNOWN, cidrBlocks: ["0.0.0.0/0"] }]);
      expect(m).toContain(
        'The port range of Security group rule "cache-sg" (ingress[0], open to 0.0.0.0/0)',
      );
      expect(sg([{ ...redisPort, [k]: UNKNOWN, cidrBlocks: ["10.0.0.0/8"] }])).toEqual([]);
    }
  });

  it("skips a wholly unknown inline ingress in AnalyzeStack outputs only", () => {
    expect(
      worldOpenIngress(SECURITY_GROUP, "cache-sg", { ingress: UNKNOWN }, [6379], { outputs: true }),
    ).toEqual([]);
    expect(
      worldOpenIngress(SG_RULE, "r", { type: UNKNOWN }, [6379], { outputs: true }),
    ).toHaveLength(1);
  });
});

describe("cachePorts", () => {
  const r = (type: string, props: Record<string, unknown>) =>
    ({ type, props }) as unknown as PolicyResource;
  it("is each cache's port, 6379 by default, and 6379 and 6380 for serverless", () => {
    expect(
      cachePorts([
        r(REPLICATION_GROUP, { port: 6390 }),
        r(CACHE_CLUSTER, {}),
        r(SECURITY_GROUP, { port: 1 }),
      ]),
    ).toEqual([6390, 6379]);
    expect(cachePorts([r(SERVERLESS_CACHE, {})])).toEqual([6379, 6380]);
    expect(cachePorts([])).toEqual([]);
  });
});
