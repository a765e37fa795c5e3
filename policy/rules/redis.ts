/**
 * Redis exposure: no Redis/Valkey container reachable from outside the host, no security group
 * opening a Redis port to the world, and ElastiCache only in private subnet groups. Every Redis
 * URL the apps use must point at a Redis this stack defines (redis-backend.ts).
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf, isProduction, productionProperty, onlyFor } from "../lib/config";
import { containerLabel, CONTAINER, Props, redisIdentity } from "../lib/docker";
import { cachePorts, worldOpenIngress } from "../lib/ingress";
import { isLoopback } from "../lib/network";
import { CACHE_CLUSTER, REPLICATION_GROUP, SERVERLESS_CACHE } from "../lib/provenance";
import { containsUnknown, isUnknown, raw, unknownAtPreview } from "../lib/unknown";
import { redisBackendDefined } from "./redis-backend";

const FIX_EXPOSURE =
  "remove the port mapping and reach Redis over an internal Docker network (networksAdvanced); " +
  'for local debugging in dev only, bind it to loopback with ip: "127.0.0.1"';

/** Violations of `redis-not-exposed` for one Redis container. */
export function checkRedisExposure(label: string, p: Props, production: boolean): string[] {
  const out: string[] = [];
  if (isUnknown(p.networkMode)) {
    out.push(unknownAtPreview(`\`networkMode\` of Redis ${label}`, "use a literal network mode"));
  } else if (p.networkMode === "host") {
    out.push(
      `Redis ${label} uses networkMode "host", so it listens on every host interface. Fix: ${FIX_EXPOSURE}.`,
    );
  }
  if (isUnknown(p.publishAllPorts)) {
    out.push(
      unknownAtPreview(`\`publishAllPorts\` of Redis ${label}`, "set it to a literal false"),
    );
  } else if (p.publishAllPorts === true) {
    out.push(
      `Redis ${label} sets publishAllPorts, which publishes 6379 on 0.0.0.0. Fix: ${FIX_EXPOSURE}.`,
    );
  }
  const ports = p.ports;
  if (isUnknown(ports)) {
    out.push(
      unknownAtPreview(`\`ports\` of Redis ${label}`, "declare port mappings as literals, or none"),
    );
    return out;
  }
  if (!Array.isArray(ports)) {
    return out;
  }
  for (const port of ports) {
    if (containsUnknown(port)) {
      out.push(
        unknownAtPreview(
          `A port mapping of Redis ${label}`,
          "declare port mappings as literals, or none",
        ),
      );
      continue;
    }
    const pm = (port ?? {}) as Props;
    const ip = typeof pm.ip === "string" && pm.ip !== "" ? pm.ip : undefined;
    const where = `${ip ?? "0.0.0.0"}:${String(pm.external ?? "(random)")}->${String(pm.internal)}`;
    const exposed = !isLoopback(ip);
    if (production || exposed) {
      const why = [
        exposed
          ? `on a non-loopback address${ip ? "" : " (an unset \`ip\` means 0.0.0.0)"}`
          : undefined,
        production ? "in production, where Redis must not be published at all" : undefined,
      ].filter((x) => x !== undefined);
      out.push(
        `Redis ${label} publishes port ${where} ${why.join(" and ")}. Fix: ` +
          (production
            ? "remove `ports` and connect over the internal Docker network."
            : `${FIX_EXPOSURE}.`),
      );
    }
  }
  return out;
}

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

export { redisBackendDefined };

export const redisPolicies = [
  redisNotExposed,
  redisIngressNotWorldOpen,
  redisCachePortNotWorldOpen,
  elasticachePrivateSubnets,
  redisBackendDefined,
];
