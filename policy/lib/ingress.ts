/** Security-group ingress in its three AWS shapes, and the Redis ports it must not open. */
import { PolicyResource } from "@pulumi/policy";
import { Props } from "./docker";
import { isWorldCidr, ruleCoversPort } from "./network";
import {
  CACHE_CLUSTER,
  REPLICATION_GROUP,
  SECURITY_GROUP,
  SERVERLESS_CACHE,
  SG_INGRESS_RULE,
  SG_RULE,
} from "./types";
import { isUnknown, raw, unknownAtPreview } from "./unknown";

interface IngressEntry {
  /** The whole entry is unknown at preview (its ports and sources cannot be seen). */
  entryUnknown?: boolean;
  protocol: unknown;
  fromPort: unknown;
  toPort: unknown;
  cidrs: unknown[];
  where: string;
}

/** The ingress entries of any of the three AWS security-group shapes. */
export function ingressEntries(type: string, p: Props): IngressEntry[] | "unknown" {
  const list = (v: unknown): unknown[] =>
    Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  switch (type) {
    case SECURITY_GROUP: {
      if (isUnknown(p.ingress)) {
        return "unknown";
      }
      return list(p.ingress).map((e, i) => {
        const x = (isUnknown(e) ? {} : (e ?? {})) as Props;
        return {
          entryUnknown: isUnknown(e),
          protocol: x.protocol,
          fromPort: x.fromPort,
          toPort: x.toPort,
          cidrs: [...list(x.cidrBlocks), ...list(x.ipv6CidrBlocks)],
          where: `ingress[${i}]`,
        };
      });
    }
    case SG_INGRESS_RULE:
      return [
        {
          protocol: p.ipProtocol,
          fromPort: p.fromPort,
          toPort: p.toPort,
          cidrs: [...list(p.cidrIpv4), ...list(p.cidrIpv6)],
          where: "rule",
        },
      ];
    case SG_RULE:
      if (isUnknown(p.type)) {
        return "unknown";
      }
      if (p.type !== "ingress") {
        return [];
      }
      return [
        {
          protocol: p.protocol,
          fromPort: p.fromPort,
          toPort: p.toPort,
          cidrs: [...list(p.cidrBlocks), ...list(p.ipv6CidrBlocks)],
          where: "rule",
        },
      ];
  }
  return [];
}

/**
 * World-open ingress on any of `ports`; unknown CIDRs are deferred to unknown-value-provenance.
 *
 * `outputs`: the props are AnalyzeStack outputs. A new SecurityGroup whose program set no inline
 * `ingress` reports that (optional+computed) property as wholly unknown at preview; the inputs
 * were already judged by redis-ingress-not-world-open (which reports an unknown input), so a
 * stack rule skips it instead of failing every preview.
 */
export function worldOpenIngress(
  type: string,
  name: string,
  p: Props,
  ports: readonly number[],
  opts: { outputs?: boolean } = {},
): string[] {
  if (opts.outputs && type === SECURITY_GROUP && isUnknown(p.ingress)) {
    return [];
  }
  const entries = ingressEntries(type, p);
  const label = `Security group rule "${name}"`;
  if (entries === "unknown") {
    return [
      unknownAtPreview(
        `The ingress of ${label}`,
        "declare ingress rules as literals (only CIDRs may come from a VPC/subnet)",
      ),
    ];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.entryUnknown) {
      out.push(
        unknownAtPreview(
          `${e.where} of ${label}`,
          "declare each ingress entry as a literal object (only CIDRs may come from a VPC/subnet)",
        ),
      );
      continue;
    }
    const portsUnknown = isUnknown(e.protocol) || isUnknown(e.fromPort) || isUnknown(e.toPort);
    const hit = ports.filter((port) => ruleCoversPort(e.protocol, e.fromPort, e.toPort, port));
    if (!portsUnknown && hit.length === 0) {
      continue;
    }
    const world = e.cidrs.filter(
      (c): c is string => typeof c === "string" && !isUnknown(c) && isWorldCidr(c),
    );
    if (world.length === 0) {
      continue;
    }
    out.push(
      portsUnknown
        ? unknownAtPreview(
            `The port range of ${label} (${e.where}, open to ${world.join(", ")})`,
            "use literal ports",
          )
        : `${label} (${e.where}) opens Redis port ${hit.join(", ")} to ${world.join(", ")}. Fix: allow ` +
            "only the application's security group (referencedSecurityGroupId / sourceSecurityGroupId) " +
            "or the VPC CIDR.",
    );
  }
  return out;
}

/** Ports used by the caches in the stack (ReplicationGroup/Cluster `port`, serverless 6379/6380). */
export function cachePorts(resources: readonly PolicyResource[]): number[] {
  const ports = new Set<number>();
  for (const r of resources) {
    const p = raw(r.props);
    if (r.type === REPLICATION_GROUP || r.type === CACHE_CLUSTER) {
      ports.add(typeof p.port === "number" ? p.port : 6379);
    } else if (r.type === SERVERLESS_CACHE) {
      ports.add(6379).add(6380);
    }
  }
  return [...ports];
}
