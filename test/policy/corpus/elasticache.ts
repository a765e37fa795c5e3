import { secret } from "../../../gate";
import { elasticacheStack, replicationGroup, replicationGroupProps, res, T } from "./base";
import { BadCase } from "./types";

function rg(
  change: Record<string, unknown>,
  drop: string[] = [],
): ReturnType<typeof elasticacheStack> {
  const p = { ...replicationGroupProps(), ...change };
  drop.forEach((k) => delete p[k]);
  return elasticacheStack({ cache: replicationGroup(p) });
}

export const elasticacheCases: BadCase[] = [
  {
    name: "ElastiCache without TLS",
    lesson: "AUTH token and session data crossed the VPC in clear",
    stack: rg({ transitEncryptionEnabled: false }, ["transitEncryptionMode", "authToken"]).map(
      (r) =>
        r.type === T.replicationGroup
          ? { ...r, properties: { ...r.properties, userGroupIds: ["ug-1"] } }
          : r,
    ),
    expect: [{ policy: "elasticache-encryption", message: /does not use TLS/ }],
  },
  {
    name: 'ElastiCache TLS mode "preferred"',
    lesson: "the migration setting stayed on and plaintext clients kept working",
    stack: rg({ transitEncryptionMode: "preferred" }),
    expect: [{ policy: "elasticache-encryption", message: /"preferred"/ }],
  },
  {
    name: "ElastiCache redis engine without at-rest encryption",
    lesson: "snapshots exported unencrypted",
    stack: rg({ engine: "redis", engineVersion: "7.1" }, ["atRestEncryptionEnabled"]),
    expect: [{ policy: "elasticache-encryption", message: /at rest/ }],
  },
  {
    name: "ElastiCache without auth",
    lesson: "any pod in the VPC could FLUSHALL",
    stack: rg({}, ["authToken"]).map((r) =>
      r.type === T.replicationGroup ? { ...r, propertyDependencies: {} } : r,
    ),
    expect: [{ policy: "elasticache-auth-required" }],
  },
  {
    name: 'ElastiCache default token "changeme…"',
    lesson: "the token from the Terraform example",
    stack: rg({ authToken: secret("changeme-changeme-changeme") }),
    expect: [{ policy: "no-weak-secrets", message: /authToken.*placeholder/ }],
  },
  {
    name: "ElastiCache without backups in prod",
    lesson: "an accidental FLUSHALL was unrecoverable",
    stack: rg({ snapshotRetentionLimit: 0 }),
    expect: [{ policy: "elasticache-backups", message: /keeps 0 days/ }],
  },
  {
    name: "ElastiCache memcached engine",
    lesson: "memcached has neither AUTH nor TLS in this setup",
    stack: rg({ engine: "memcached" }),
    expect: [{ policy: "elasticache-engine", message: /memcached/ }],
  },
  {
    name: "Standalone Redis cluster",
    lesson: "a single cache.t3 node with no encryption or failover",
    stack: elasticacheStack({
      extra: [
        res(T.cluster, "single", {
          engine: "redis",
          nodeType: "cache.t3.micro",
          numCacheNodes: 1,
          subnetGroupName: "api-cache-subnets",
          snapshotRetentionLimit: 1,
        }),
      ],
    }),
    expect: [{ policy: "elasticache-no-standalone-cluster" }],
  },
  {
    name: "Serverless cache without a user group",
    lesson: "serverless defaults to the passwordless default user",
    stack: elasticacheStack({
      extra: [
        res(T.serverless, "serverless", {
          engine: "valkey",
          name: "api",
          subnetIds: ["subnet-a"],
          securityGroupIds: ["sg-123"],
          snapshotRetentionLimit: 3,
        }),
      ],
    }),
    expect: [{ policy: "elasticache-auth-required", message: /no userGroupId/ }],
  },
  {
    name: "ElastiCache user without a password",
    lesson: "an RBAC user created with no-password-required",
    stack: elasticacheStack({
      extra: [
        res(T.user, "app-user", {
          userId: "app",
          userName: "app",
          engine: "valkey",
          accessString: "on ~* +@all",
          authenticationMode: { type: "no-password-required" },
        }),
      ],
    }),
    expect: [{ policy: "elasticache-auth-required", message: /needs no password/ }],
  },
];
