/**
 * Redis exposure: no Redis/Valkey container reachable from outside the host, no security group
 * opening a Redis port to the world, and ElastiCache only in private subnet groups. Every Redis
 * URL the apps use must point at a Redis this stack defines (redis-backend.ts).
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf, isProduction, productionProperty, onlyFor } from "../lib/config";
import { containerLabel, redisIdentity } from "../lib/docker";
import { cachePorts, worldOpenIngress } from "../lib/ingress";
import { checkRedisExposure } from "../lib/redis-checks";
import { CACHE_CLUSTER, CONTAINER, REPLICATION_GROUP, SERVERLESS_CACHE } from "../lib/types";
import { isUnknown, raw } from "../lib/unknown";

export const redisNotExposed: ResourceValidationPolicy = {
  name: "redis-not-exposed",
  description:
    "Redis/Valkey containers must not publish ports beyond loopback (none at all in production).",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...productionProperty } },
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    if (!redisIdentity(p).redis) {
      return;
    }
    checkRedisExposure(containerLabel(args.name, p), p, isProduction(args)).forEach((m) =>
      report(m),
    );
  }),
};

const ingressDefaults = { redisPorts: [6379] as number[] };

export const redisIngressNotWorldOpen: ResourceValidationPolicy = {
  name: "redis-ingress-not-world-open",
  description: "Security groups must not open Redis ports to 0.0.0.0/0 or ::/0.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { redisPorts: { type: "array", items: { type: "integer" }, default: [6379] } },
  },
  validateResource: (args, report) => {
    const { redisPorts } = configOf(args, ingressDefaults);
    worldOpenIngress(args.type, args.name, raw(args.props), redisPorts).forEach((m) => report(m));
  },
};

export const redisCachePortNotWorldOpen: StackValidationPolicy = {
  name: "redis-cache-port-not-world-open",
  description:
    "Security groups must not open the port of any ElastiCache cache in the stack to the world.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      redisPorts: {
        type: "array",
        items: { type: "integer" },
        default: [6379],
        description: "Ports redis-ingress-not-world-open already checks on every resource.",
      },
    },
  },
  validateStack: (args, report) => {
    const { redisPorts } = configOf(args, ingressDefaults);
    const ports = cachePorts(args.resources).filter((p) => !redisPorts.includes(p));
    if (ports.length === 0) {
      return;
    }
    for (const r of args.resources) {
      worldOpenIngress(r.type, r.name, raw(r.props), ports, { outputs: true }).forEach((m) =>
        report(m, r.urn),
      );
    }
  },
};

export const elasticachePrivateSubnets: ResourceValidationPolicy = {
  name: "elasticache-private-subnets",
  description: "ElastiCache must run in an explicit (private) subnet group, never the default one.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const p = raw(args.props);
    const label = `ElastiCache "${args.name}"`;
    if (args.type === REPLICATION_GROUP || args.type === CACHE_CLUSTER) {
      if (args.type === CACHE_CLUSTER && typeof p.replicationGroupId === "string") {
        return; // A member of a replication group inherits the group's subnet group.
      }
      const sg = p.subnetGroupName;
      // An unknown subnetGroupName is deferred to unknown-value-provenance.
      if (sg === undefined || sg === null || sg === "" || sg === "default") {
        report(
          `${label} has ${sg === "default" ? 'subnetGroupName "default"' : "no subnetGroupName"}, so it ` +
            "lands in the default VPC's subnets. Fix: create an aws.elasticache.SubnetGroup over " +
            "private subnets and set subnetGroupName to its name.",
        );
      }
    } else if (args.type === SERVERLESS_CACHE) {
      const ids = p.subnetIds;
      // An unknown subnetIds list is deferred to unknown-value-provenance.
      if (!isUnknown(ids) && (!Array.isArray(ids) || ids.length === 0)) {
        report(
          `${label} has no subnetIds, so AWS picks default subnets. Fix: set subnetIds to private subnets.`,
        );
      }
    }
  },
};
