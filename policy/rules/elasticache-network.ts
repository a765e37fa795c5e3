/**
 * ElastiCache network placement: every cache sits behind security groups of its own (never the
 * VPC's default group) on a port the exposure rules can check. Subnet placement is
 * `elasticache-private-subnets` in redis.ts.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { CACHE_CLUSTER, REPLICATION_GROUP, SERVERLESS_CACHE } from "../lib/types";
import { containsUnknown, isUnknown, raw, unknownAtPreview } from "../lib/unknown";

export const elasticacheSecurityGroups: ResourceValidationPolicy = {
  name: "elasticache-security-groups",
  description:
    "ElastiCache must list its own security groups (never the VPC default group) and use a literal port.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (![REPLICATION_GROUP, SERVERLESS_CACHE, CACHE_CLUSTER].includes(args.type)) {
      return;
    }
    const p = raw(args.props);
    if (args.type === CACHE_CLUSTER && typeof p.replicationGroupId === "string") {
      return; // A member of a replication group uses the group's security groups.
    }
    const label = `ElastiCache "${args.name}"`;
    const ids = p.securityGroupIds;
    // Unknown ids (a SecurityGroup's id at preview) are deferred to unknown-value-provenance,
    // which accepts them only when they come from an aws.ec2.SecurityGroup.
    if (!containsUnknown(ids)) {
      const list = Array.isArray(ids) ? ids.filter((x) => typeof x === "string" && x !== "") : [];
      if (list.length === 0) {
        report(
          `${label} has no securityGroupIds, so AWS attaches the VPC's default security group, ` +
            "which lets every member of that group reach Redis. Fix: create an " +
            "aws.ec2.SecurityGroup for the cache, allow the app's security group on the cache port, " +
            "and pass securityGroupIds: [sg.id].",
        );
      } else if (list.some((x) => String(x).toLowerCase() === "default")) {
        report(
          `${label} lists the "default" security group. Fix: use a dedicated aws.ec2.SecurityGroup.`,
        );
      }
    }
    if (args.type !== SERVERLESS_CACHE && isUnknown(p.port)) {
      report(
        unknownAtPreview(
          `\`port\` of ${label}`,
          "set a literal port (6379), so ingress rules can be checked against it",
        ),
      );
    }
  },
};
