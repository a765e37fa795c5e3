/**
 * The smallest stack file values the schema takes: only the keys without a default. For tests
 * that parse config without a committed Pulumi.<stack>.yaml.
 */

/** `api-stack:api` with only what has no default (production requires memory and CPUs). */
export const MINIMAL_API = { image: "ghcr.io/acme/api:1.0.0", memoryMb: 512, cpus: 0.5 };

/** `api-stack:redis` for an ElastiCache replication group, ids shaped like AWS's. */
export const MINIMAL_ELASTICACHE = {
  mode: "elasticache",
  vpcId: "vpc-0abc1234",
  subnetIds: ["subnet-0a1b2c3d", "subnet-0b2c3d4e"],
  allowedSecurityGroupIds: ["sg-0abc1234"],
};
