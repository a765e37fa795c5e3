/**
 * ElastiCache (Redis/Valkey): encrypted at rest and in transit, authenticated with a valid
 * token or RBAC users, a Redis-compatible engine, and never a standalone single-node cluster.
 * Backups and failover live in elasticache-resilience.ts, security groups in
 * elasticache-network.ts.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, onlyFor } from "../lib/config";
import { Props } from "../lib/docker";
import {
  accessStringDisabled,
  authTokenCharsetProperty,
  TokenCharset,
  tokenFormatProblem,
  userPasswordLists,
} from "../lib/elasticache";
import { DEFAULT_MIN_REDIS_VERSION, versionBelow } from "../lib/engine-version";
import { CACHE_CLUSTER, CACHE_USER, REPLICATION_GROUP, SERVERLESS_CACHE } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";

const REDIS_ENGINES = new Set(["redis", "valkey"]);

/** The engine, with the provider's default ("redis") for replication groups. */
export function engineOf(type: string, p: Props): string | "unknown" | undefined {
  if (isUnknown(p.engine)) {
    return "unknown";
  }
  if (typeof p.engine === "string" && p.engine !== "") {
    return p.engine.toLowerCase();
  }
  return type === REPLICATION_GROUP ? "redis" : undefined;
}

/**
 * An unset `transitEncryptionMode` passes when TLS is on: AWS creates a TLS group in "required"
 * mode unless told otherwise. Caveat: a group migrated in place keeps "preferred" if the program
 * later drops the field (the provider treats it as optional+computed), and this resource rule
 * only sees inputs — set the mode explicitly. Serverless caches always use TLS and encrypt at
 * rest, so only replication groups are checked.
 */
export const elasticacheEncryption: ResourceValidationPolicy = {
  name: "elasticache-encryption",
  description:
    'ElastiCache replication groups must encrypt at rest and in transit with mode "required".',
  enforcementLevel: "mandatory",
  validateResource: onlyFor(REPLICATION_GROUP, (args, report) => {
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

/**
 * An unknown `userGroupIds` entry or `userGroupId` counts as attached here and is deferred to
 * unknown-value-provenance, which accepts it only when it comes from an aws.elasticache.UserGroup
 * (the users themselves are judged on their own). A wholly unknown `userGroupIds` list is
 * reported, since it may be empty.
 */
export const elasticacheAuthRequired: ResourceValidationPolicy = {
  name: "elasticache-auth-required",
  description:
    "ElastiCache must require authentication (authToken or RBAC user groups); enabled users must have passwords.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const p = raw(args.props);
    const present = (v: unknown): boolean => isUnknown(v) || (typeof v === "string" && v !== "");
    const listPresent = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
    if (args.type === REPLICATION_GROUP) {
      if (present(p.authToken) || present(p.authTokenWo)) {
        return; // Unknown tokens are deferred to unknown-value-provenance.
      }
      if (isUnknown(p.userGroupIds)) {
        report(
          unknownAtPreview(
            `\`userGroupIds\` of "${args.name}"`,
            "pass a literal list of user group ids",
          ),
        );
      } else if (!listPresent(p.userGroupIds)) {
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
      checkUserAuth(args.name, p).forEach((m) => report(m));
    }
  },
};

function checkUserAuth(name: string, p: Props): string[] {
  const mode = p.authenticationMode as Props | undefined;
  if (isUnknown(p.noPasswordRequired) || isUnknown(mode) || (mode && isUnknown(mode.type))) {
    return [
      unknownAtPreview(
        `The authentication mode of ElastiCache user "${name}"`,
        "set it as a literal",
      ),
    ];
  }
  if (p.noPasswordRequired !== true && mode?.type !== "no-password-required") {
    return [];
  }
  // A passwordless user is harmless only while disabled, e.g. the mandatory "default" user.
  const access = p.accessString;
  if (isUnknown(access)) {
    return [
      unknownAtPreview(
        `\`accessString\` of passwordless ElastiCache user "${name}"`,
        'use a literal access string starting with "off"',
      ),
    ];
  }
  if (typeof access === "string" && accessStringDisabled(access)) {
    return [];
  }
  return [
    `ElastiCache user "${name}" needs no password and is enabled (accessString ` +
      `"${typeof access === "string" ? access : ""}"), so anyone who reaches the cache logs in as it. ` +
      'Fix: give it passwords from a random.RandomPassword secret, or disable it with an accessString starting with "off" (e.g. "off -@all").',
  ];
}

const formatDefaults = { authTokenCharset: "provider" as TokenCharset };

export const elasticacheAuthTokenFormat: ResourceValidationPolicy = {
  name: "elasticache-auth-token-format",
  description:
    'ElastiCache AUTH tokens and RBAC passwords must be 16-128 printable ASCII characters without / " @ or space.',
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...authTokenCharsetProperty } },
  validateResource: (args, report) => {
    if (![REPLICATION_GROUP, CACHE_CLUSTER, CACHE_USER].includes(args.type)) {
      return;
    }
    const { authTokenCharset } = configOf(args, formatDefaults);
    const p = raw(args.props);
    const check = (v: unknown, what: string): void => {
      // Unknown values are deferred to unknown-value-provenance (generator charset and length).
      if (typeof v === "string" && !isUnknown(v) && v !== "") {
        const why = tokenFormatProblem(v, authTokenCharset);
        if (why) {
          report(
            `${what} ${why}; AWS would reject it when the deploy runs. Fix: ` +
              "generate it with random.RandomPassword (length 32–128) and overrideSpecial limited " +
              `to allowed characters${authTokenCharset === "aws-docs" ? ' ("!&#$^<>-")' : ' (e.g. "!#$%^&*()-_=+[]{}<>:?")'}.`,
          );
        }
      }
    };
    if (args.type === CACHE_USER) {
      for (const list of userPasswordLists(p)) {
        if (Array.isArray(list)) {
          list.forEach((pw, i) =>
            check(pw, `Password #${i + 1} of ElastiCache user "${args.name}"`),
          );
        }
      }
      return;
    }
    check(p.authToken, `\`authToken\` of ElastiCache "${args.name}"`);
    check(p.authTokenWo, `\`authTokenWo\` of ElastiCache "${args.name}"`);
  },
};

/**
 * Also the Redis OSS version (issue 22, class 6), on replication groups and clusters alike: below
 * `minRedisVersion` (lib/engine-version.ts: AWS's end-of-life schedule recommends 6.2 or higher).
 * Unset is the latest version (elasticache/replicationGroup.d.ts, cluster.d.ts `engineVersion`).
 */
export const elasticacheEngine: ResourceValidationPolicy = {
  name: "elasticache-engine",
  description:
    "ElastiCache caches must run valkey or redis (memcached has no AUTH or encryption), Redis OSS at minRedisVersion (6.2) or later.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minRedisVersion: {
        type: "string",
        default: DEFAULT_MIN_REDIS_VERSION,
        description: "Oldest Redis OSS engineVersion accepted (AWS's EOL schedule: 6.2 or higher).",
      },
    },
  },
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
    if (engine === "redis") {
      const { minRedisVersion } = configOf(args, { minRedisVersion: DEFAULT_MIN_REDIS_VERSION });
      const v = p.engineVersion;
      if (isUnknown(v)) {
        report(
          unknownAtPreview(
            `\`engineVersion\` of Redis ElastiCache "${args.name}"`,
            `set engineVersion to a literal (${minRedisVersion} or later), or leave it unset for the latest`,
          ),
        );
      } else if (typeof v === "string" && versionBelow(v, minRedisVersion)) {
        report(
          `ElastiCache "${args.name}" runs Redis OSS \`engineVersion\` ${v}, older than ${minRedisVersion}: ` +
            "AWS has ended or is ending its support (Redis OSS EOL schedule) and it lacks the ACL " +
            "and TLS fixes of later versions (Redis OSS 6 itself is reported to leave standard " +
            "support on 2027-01-31, not yet confirmed on an AWS page). " +
            `Fix: set engineVersion to "7.1" (or at least "${minRedisVersion}"), ` +
            'or move to engine "valkey" with engineVersion "8.0".',
        );
      }
    }
  },
};

export const elasticacheNoStandaloneCluster: ResourceValidationPolicy = {
  name: "elasticache-no-standalone-cluster",
  description:
    "Redis/Valkey on ElastiCache must be a replication group or serverless cache, not a standalone Cluster.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CACHE_CLUSTER, (args, report) => {
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
