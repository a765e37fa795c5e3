/**
 * Where a task security group's ingress comes from. Tasks behind a load balancer accept traffic
 * only from security groups (the ALB's): any CIDR or prefix-list source, and above all 0.0.0.0/0
 * or ::/0, reaches the tasks around the load balancer. Shapes: @pulumi/aws 7.48
 * ec2/securityGroup.d.ts (inline `ingress[]`: cidrBlocks, ipv6CidrBlocks, prefixListIds,
 * securityGroups, self), vpc/securityGroupIngressRule.d.ts (cidrIpv4, cidrIpv6, prefixListId,
 * referencedSecurityGroupId), ec2/securityGroupRule.d.ts (cidrBlocks, ipv6CidrBlocks,
 * prefixListIds, sourceSecurityGroupId, self).
 */
import { PolicyResource } from "@pulumi/policy";
import { isWorldCidr } from "./network";
import { SECURITY_GROUP, SG_INGRESS_RULE } from "./types";
import { isUnknown, raw, unknownAtPreview } from "./unknown";
import { Obj } from "./obj";

const list = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v === undefined || v === null || v === "" ? [] : [v];

/** One entry's non-group sources, described ("0.0.0.0/0 (the whole internet)", "a CIDR …"). */
function describe(e: Obj, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    for (const v of list(e[k])) {
      if (isUnknown(v)) out.push(`\`${k}\` (unknown at preview)`);
      else if (typeof v === "string" && isWorldCidr(v)) out.push(`${v} (the whole internet)`);
      else out.push(`\`${k}\` ${String(v)}`);
    }
  }
  return out;
}

const FIX =
  "Fix: admit only the load balancer's security group (`securityGroups` inline, " +
  "`referencedSecurityGroupId` or `sourceSecurityGroupId`), on the container port.";

/** Violations for CIDR/prefix-list ingress on a task security group or one of its rules. */
export function cidrSources(r: PolicyResource, label: string): string[] {
  const p = raw(r.props);
  if (r.type === SECURITY_GROUP) {
    if (isUnknown(p.ingress)) {
      // At preview a group whose program set no inline ingress reports the computed property as
      // unknown (lib/ingress.ts worldOpenIngress); only one the program computed is unknown to us.
      return (r.propertyDependencies.ingress ?? []).length > 0
        ? [
            unknownAtPreview(
              `The inline \`ingress\` of ${label}`,
              "declare ingress entries as literals",
            ),
          ]
        : [];
    }
    return list(p.ingress).flatMap((e, i) => {
      if (isUnknown(e)) {
        return [
          unknownAtPreview(`\`ingress[${i}]\` of ${label}`, "declare it as a literal object"),
        ];
      }
      const found = describe((e ?? {}) as Obj, ["cidrBlocks", "ipv6CidrBlocks", "prefixListIds"]);
      return found.length === 0
        ? []
        : [`\`ingress[${i}]\` of ${label} admits ${found.join(", ")}. ${FIX}`];
    });
  }
  const keys =
    r.type === SG_INGRESS_RULE
      ? ["cidrIpv4", "cidrIpv6", "prefixListId"]
      : ["cidrBlocks", "ipv6CidrBlocks", "prefixListIds"];
  const found = describe(p, keys);
  return found.length === 0
    ? []
    : [`Ingress rule "${r.name}" on ${label} admits ${found.join(", ")}. ${FIX}`];
}
