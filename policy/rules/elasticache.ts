/**
 * ElastiCache (Redis/Valkey): encrypted at rest and in transit, authenticated, backed up in
 * production, a Redis-compatible engine, and never a standalone single-node cluster.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, productionProperty, onlyFor } from "../lib/config";
import { Props } from "../lib/docker";
import { CACHE_CLUSTER, CACHE_USER, REPLICATION_GROUP, SERVERLESS_CACHE } from "../lib/provenance";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";

const REDIS_ENGINES = new Set(["redis", "valkey"]);

/** The engine, with the provider's default ("redis") for replication groups. */
function engineOf(type: string, p: Props): string | "unknown" | undefined {
  if (isUnknown(p.engine)) {
    return "unknown";
  }
  if (typeof p.engine === "string" && p.engine !== "") {
    return p.engine.toLowerCase();
  }
  return type === REPLICATION_GROUP ? "redis" : undefined;
}

export const elasticacheEncryption: ResourceValidationPolicy = {
  name: "elasticache-encryption",
  description:
    'ElastiCache replication groups must encrypt at rest and in transit with mode "required".',
  enforcementLevel: "mandatory",
  validateResource: onlyFor(REPLICATION_GROUP, (args, report) => {
    if (args.type !== REPLICATION_GROUP) {
      return;
    }
    const p = raw(args.props);
    const label = `ElastiCache replication group "${args.name}"`;
    for (const f of [
      "atRestEncryptionEnabled",
      "transitEncryptionEnabled",
      "transitEncryptionMode",
    ]) {
      if (isUnknown(p[f])) {
        report(unknownAtPreview(`\`${f}\` of ${label}`, `set ${f} to a literal`));
      }
    }
    // The provider documents at-rest encryption as default-on for valkey only.
    const atRestDefault = engineOf(args.type, p) === "valkey";
    const atRest = p.atRestEncryptionEnabled;
    if (atRest === false || (atRest === undefined && !atRestDefault)) {
      report(
        `${label} does not encrypt data at rest (atRestEncryptionEnabled). Fix: set atRestEncryptionEnabled: true (forces replacement on existing groups).`,
      );
    }
    if (p.transitEncryptionEnabled !== true && !isUnknown(p.transitEncryptionEnabled)) {
      report(
        `${label} does not use TLS (transitEncryptionEnabled), so AUTH tokens and data cross the network in clear. Fix: set transitEncryptionEnabled: true and connect with rediss://.`,
      );
    } else if (p.transitEncryptionMode === "preferred") {
      report(
        `${label} has transitEncryptionMode "preferred", which still accepts plaintext clients. Fix: set transitEncryptionMode: "required" once clients use TLS.`,
      );
    }
  }),
};

export const elasticacheAuthRequired: ResourceValidationPolicy = {
  name: "elasticache-auth-required",
  description:
    "ElastiCache must require authentication (authToken or RBAC user groups); users must have passwords.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const p = raw(args.props);
    const present = (v: unknown): boolean => isUnknown(v) || (typeof v === "string" && v !== "");
    const listPresent = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
    if (args.type === REPLICATION_GROUP) {
      if (isUnknown(p.userGroupIds)) {
        report(
          unknownAtPreview(
            `\`userGroupIds\` of "${args.name}"`,
            "pass a literal list of user group ids",
          ),
        );
        return;
      }
      if (!present(p.authToken) && !present(p.authTokenWo) && !listPresent(p.userGroupIds)) {
        report(
          `ElastiCache replication group "${args.name}" has neither authToken nor userGroupIds, so any ` +
            "client in the VPC can run every command. Fix: set authToken from a random.RandomPassword " +
            "secret (with transitEncryptionEnabled) or attach an RBAC user group.",
        );
      }
    } else if (args.type === SERVERLESS_CACHE) {
      if (!present(p.userGroupId)) {
        report(
          `ElastiCache serverless cache "${args.name}" has no userGroupId, so the default user needs no password. Fix: attach an RBAC user group whose users have passwords.`,
        );
      }
    } else if (args.type === CACHE_USER) {
      const mode = p.authenticationMode as Props | undefined;
      if (isUnknown(p.noPasswordRequired) || isUnknown(mode) || (mode && isUnknown(mode.type))) {
        report(
          unknownAtPreview(
            `The authentication mode of ElastiCache user "${args.name}"`,
            "set it as a literal",
          ),
        );
      } else if (p.noPasswordRequired === true || mode?.type === "no-password-required") {
        report(
          `ElastiCache user "${args.name}" needs no password. Fix: use authenticationMode { type: "password", passwords: [secret] } or "iam".`,
        );
      }
    }
  },
};

const backupDefaults = { production: true, minSnapshotRetentionDays: 1 };

export const elasticacheBackups: ResourceValidationPolicy = {
  name: "elasticache-backups",
  description:
    "Production ElastiCache must keep automatic snapshots (snapshotRetentionLimit >= 1).",
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
    if (
      !cfg.production ||
      (args.type === CACHE_CLUSTER && typeof p.replicationGroupId === "string")
    ) {
      return;
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
        `ElastiCache "${args.name}" keeps ${typeof limit === "number" ? limit : "no"} days of snapshots in production, ` +
          `so a bad FLUSHALL or failed node loses all data. Fix: set snapshotRetentionLimit >= ${cfg.minSnapshotRetentionDays}.`,
      );
    }
  },
};

export const elasticacheEngine: ResourceValidationPolicy = {
  name: "elasticache-engine",
  description: "ElastiCache caches must run valkey or redis (memcached has no AUTH or encryption).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (![REPLICATION_GROUP, SERVERLESS_CACHE, CACHE_CLUSTER].includes(args.type)) {
      return;
    }
    const p = raw(args.props);
    if (args.type === CACHE_CLUSTER && typeof p.replicationGroupId === "string") {
      return;
    }
    const engine = engineOf(args.type, p);
    if (engine === "unknown") {
      report(
        unknownAtPreview(
          `\`engine\` of "${args.name}"`,
          'set engine to the literal "valkey" or "redis"',
        ),
      );
    } else if (engine === undefined || !REDIS_ENGINES.has(engine)) {
      report(
        `ElastiCache "${args.name}" runs engine ${engine ?? "(unset)"}. Fix: use engine "valkey" (or "redis").`,
      );
    }
  },
};

export const elasticacheNoStandaloneCluster: ResourceValidationPolicy = {
  name: "elasticache-no-standalone-cluster",
  description:
    "Redis/Valkey on ElastiCache must be a replication group or serverless cache, not a standalone Cluster.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CACHE_CLUSTER, (args, report) => {
    if (args.type !== CACHE_CLUSTER) {
      return;
    }
    const p = raw(args.props);
    if (isUnknown(p.replicationGroupId)) {
      report(
        unknownAtPreview(
          `\`replicationGroupId\` of "${args.name}"`,
          "reference the group directly",
        ),
      );
      return;
    }
    const engine = engineOf(args.type, p);
    if (typeof p.replicationGroupId !== "string" && engine !== "memcached") {
      report(
        `ElastiCache cluster "${args.name}" is a standalone ${engine ?? "redis"} node: it cannot encrypt at rest ` +
          "or use AUTH/RBAC, and has no failover. Fix: use aws.elasticache.ReplicationGroup (or ServerlessCache).",
      );
    }
  }),
};

export const elasticachePolicies = [
  elasticacheEncryption,
  elasticacheAuthRequired,
  elasticacheBackups,
  elasticacheEngine,
  elasticacheNoStandaloneCluster,
];
