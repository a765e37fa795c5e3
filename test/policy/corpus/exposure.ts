import {
  cacheSg,
  elasticacheStack,
  replicationGroup,
  replicationGroupProps,
  res,
  T,
  vpc,
} from "./base";
import { BadCase, withRedis } from "./types";

export const exposureCases: BadCase[] = [
  {
    name: "Redis published on 0.0.0.0:6379 (ip unset)",
    lesson:
      "ports: 6379:6379 in compose; the cloud firewall allowed it and the instance was wiped by a ransom bot",
    stack: withRedis((p) => {
      p.ports = [{ internal: 6379, external: 6379 }];
    }),
    expect: [
      {
        policy: "redis-not-exposed",
        message: /0\.0\.0\.0:6379->6379.*unset `ip` means 0\.0\.0\.0/,
      },
    ],
  },
  {
    name: "Redis published on loopback in production",
    lesson: "a debugging port mapping left in the production stack",
    stack: withRedis((p) => {
      p.ports = [{ internal: 6379, external: 6379, ip: "127.0.0.1" }];
    }),
    expect: [{ policy: "redis-not-exposed", message: /in production/ }],
  },
  {
    name: "Redis with networkMode host",
    lesson: "host networking bypasses every port mapping",
    stack: withRedis((p) => {
      p.networkMode = "host";
      delete p.networksAdvanced;
    }),
    expect: [{ policy: "redis-not-exposed", message: /networkMode "host"/ }],
  },
  {
    name: "Valkey with publishAllPorts",
    lesson: "-P publishes every EXPOSEd port on 0.0.0.0",
    stack: withRedis((p) => {
      p.publishAllPorts = true;
    }, "valkey/valkey:8.1-alpine"),
    expect: [{ policy: "redis-not-exposed", message: /publishAllPorts/ }],
  },
  {
    name: "Security group opens 6379 to 0.0.0.0/0",
    lesson: "world-open ElastiCache SG; only the VPC routing saved it",
    stack: elasticacheStack({
      sg: cacheSg([{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["0.0.0.0/0"] }]),
    }),
    expect: [
      { policy: "redis-ingress-not-world-open", message: /opens Redis port 6379 to 0\.0\.0\.0\/0/ },
    ],
  },
  {
    name: "SecurityGroupIngressRule opens 6379 to ::/0",
    lesson: "the IPv6 rule was forgotten when IPv4 was locked down",
    stack: elasticacheStack({
      extra: [
        res(T.sgIngress, "cache-v6", {
          securityGroupId: "sg-123",
          ipProtocol: "tcp",
          fromPort: 6379,
          toPort: 6379,
          cidrIpv6: "::/0",
        }),
      ],
    }),
    expect: [{ policy: "redis-ingress-not-world-open", message: /::\/0/ }],
  },
  {
    name: "SecurityGroupRule ingress all protocols from 0.0.0.0/0",
    lesson: "a catch-all debug rule",
    stack: elasticacheStack({
      extra: [
        res(T.sgRule, "allow-all", {
          type: "ingress",
          securityGroupId: "sg-123",
          protocol: "-1",
          fromPort: 0,
          toPort: 0,
          cidrBlocks: ["0.0.0.0/0"],
        }),
      ],
    }),
    expect: [{ policy: "redis-ingress-not-world-open" }],
  },
  {
    name: "Cache on a non-default port opened to the world",
    lesson: "moving Redis to port 6390 is not a security control",
    stack: elasticacheStack({
      cache: replicationGroup({ ...replicationGroupProps(), port: 6390 }),
      sg: cacheSg([{ protocol: "tcp", fromPort: 6390, toPort: 6390, cidrBlocks: ["0.0.0.0/0"] }]),
    }),
    expect: [{ policy: "redis-cache-port-not-world-open", message: /6390/ }],
  },
  {
    name: "Replication group without a subnet group",
    lesson: "landed in the default VPC's public subnets",
    stack: elasticacheStack({
      cache: replicationGroup(
        (() => {
          const p = replicationGroupProps();
          delete p.subnetGroupName;
          return p;
        })(),
        { propertyDependencies: {} },
      ),
    }),
    expect: [{ policy: "elasticache-private-subnets" }],
  },
  {
    name: 'Replication group with subnetGroupName "default"',
    lesson: "the default subnet group is the default VPC",
    stack: elasticacheStack({
      cache: replicationGroup(
        { ...replicationGroupProps(), subnetGroupName: "default" },
        { propertyDependencies: {} },
      ),
    }),
    expect: [{ policy: "elasticache-private-subnets", message: /"default"/ }],
  },
];

export const exposureVpc = vpc;
