/**
 * ElastiCache data survival: automatic snapshots and a final snapshot (backups), and replicas
 * with automatic failover across availability zones (high availability).
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, productionProperty } from "../lib/config";
import { replicasOf } from "../lib/elasticache";
import { CACHE_CLUSTER, REPLICATION_GROUP, SERVERLESS_CACHE } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";

const backupDefaults = { production: true, minSnapshotRetentionDays: 1 };

/**
 * Retention is checked in every stack (dev.json makes the rule advisory); the final snapshot
 * only when `production` is true. An unknown `finalSnapshotIdentifier` counts as set: it is an
 * identifier computed from another resource (e.g. a random suffix), and the property is only
 * judged for presence.
 */
export const elasticacheBackups: ResourceValidationPolicy = {
  name: "elasticache-backups",
  description:
    "ElastiCache must keep automatic snapshots, and production replication groups must take a final snapshot on deletion.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...productionProperty,
      minSnapshotRetentionDays: { type: "integer", minimum: 1, default: 1 },
    },
  },
  validateResource: (args, report) => {
    if (![REPLICATION_GROUP, SERVERLESS_CACHE, CACHE_CLUSTER].includes(args.type)) {
      return;
    }
    const cfg = configOf(args, backupDefaults);
    const p = raw(args.props);
    if (args.type === CACHE_CLUSTER && typeof p.replicationGroupId === "string") {
      return; // A member of a replication group is backed up by the group.
    }
    const limit = p.snapshotRetentionLimit;
    if (isUnknown(limit)) {
      report(
        unknownAtPreview(
          `\`snapshotRetentionLimit\` of "${args.name}"`,
          "set a literal number of days",
        ),
      );
    } else if (typeof limit !== "number" || limit < cfg.minSnapshotRetentionDays) {
      report(
        `ElastiCache "${args.name}" keeps ${typeof limit === "number" ? limit : "no"} days of snapshots, ` +
          `so a bad FLUSHALL or failed node loses all data. Fix: set snapshotRetentionLimit >= ${cfg.minSnapshotRetentionDays}.`,
      );
    }
    const fsi = p.finalSnapshotIdentifier;
    if (
      cfg.production &&
      args.type !== SERVERLESS_CACHE &&
      !isUnknown(fsi) &&
      (typeof fsi !== "string" || fsi.trim() === "")
    ) {
      report(
        `ElastiCache "${args.name}" has no finalSnapshotIdentifier in production, so deleting or ` +
          "replacing it (a changed subnet group or at-rest setting forces replacement) discards " +
          "every key. Fix: set finalSnapshotIdentifier, e.g. pulumi.interpolate`${name}-final`.",
      );
    }
  },
};

const haDefaults = { minReplicas: 1, requireMultiAz: true };

export const elasticacheHighAvailability: ResourceValidationPolicy = {
  name: "elasticache-high-availability",
  description:
    "ElastiCache replication groups must have enough replicas, with automatic failover and Multi-AZ when they have replicas.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minReplicas: {
        type: "integer",
        minimum: 0,
        default: 1,
        description: "Replicas per shard: numCacheClusters - 1, or replicasPerNodeGroup.",
      },
      requireMultiAz: {
        type: "boolean",
        default: true,
        description: "Require multiAzEnabled whenever the group has a replica.",
      },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== REPLICATION_GROUP) {
      return; // Serverless caches replicate across AZs by themselves.
    }
    const cfg = configOf(args, haDefaults);
    const p = raw(args.props);
    const label = `ElastiCache replication group "${args.name}"`;
    const replicas = replicasOf(p);
    const unknown = ["numCacheClusters", "numNodeGroups", "replicasPerNodeGroup"]
      .concat(["automaticFailoverEnabled", "multiAzEnabled"])
      .filter((f) => isUnknown(p[f]));
    if (unknown.length > 0) {
      report(
        unknownAtPreview(
          `${unknown.map((f) => `\`${f}\``).join(", ")} of ${label}`,
          "set node counts and failover flags as literals",
        ),
      );
      return;
    }
    if (replicas === "unknown") {
      return; // Reported above.
    }
    if (replicas < cfg.minReplicas) {
      report(
        `${label} has ${replicas} replica(s) per shard (${replicas + 1} node(s)); at least ` +
          `${cfg.minReplicas} are required, or a node failure or maintenance takes Redis down and ` +
          `loses writes since the last snapshot. Fix: set numCacheClusters >= ${cfg.minReplicas + 1} ` +
          "with automaticFailoverEnabled and multiAzEnabled.",
      );
    }
    if (replicas >= 1 && p.automaticFailoverEnabled !== true) {
      report(
        `${label} has a replica but automaticFailoverEnabled is not true, so a failed primary is ` +
          "not replaced and writes stop. Fix: set automaticFailoverEnabled: true.",
      );
    }
    if (replicas >= 1 && cfg.requireMultiAz && p.multiAzEnabled !== true) {
      report(
        `${label} does not set multiAzEnabled, so its replicas may share the primary's ` +
          "availability zone and an AZ outage takes all of them. Fix: set multiAzEnabled: true " +
          "(with automaticFailoverEnabled) and a subnet group spanning two or more AZs.",
      );
    }
  },
};
