/** ElastiCache backups, failover, network placement and ingress, in the program's shape. */
import { ResourceRecord, secret, UNKNOWN } from "../../../gate";
import { res, T, vpc } from "./base";
import { change } from "./elasticache-auth";
import { replicationGroupStack, serverlessStack } from "./elasticache-base";
import { BadCase } from "./types";

type Props = Record<string, unknown>;

const group = (mutate: (p: Props) => void, mode: "up" | "preview-inputs" = "up") =>
  change(replicationGroupStack(mode), "cache-group", mutate);
const serverless = (mutate: (p: Props) => void, mode: "up" | "preview-inputs" = "up") =>
  change(serverlessStack(mode), "cache-serverless", mutate);
const withRule = (rule: ResourceRecord): ResourceRecord[] => [...replicationGroupStack("up"), rule];
const tcp6379 = { protocol: "tcp", fromPort: 6379, toPort: 6379 };

export const elasticacheOpsCases: BadCase[] = [
  {
    name: "Replication group without a final snapshot in prod",
    lesson: "a replacement (new subnet group) deleted the group and every key with it",
    stack: group((p) => delete p.finalSnapshotIdentifier),
    expect: [{ policy: "elasticache-backups", message: /no finalSnapshotIdentifier/ }],
  },
  {
    name: "Single-node replication group without failover in prod",
    lesson: "a maintenance reboot took the API down for 20 minutes",
    stack: group((p) => {
      p.numCacheClusters = 1;
      p.automaticFailoverEnabled = false;
      p.multiAzEnabled = false;
    }),
    expect: [{ policy: "elasticache-high-availability", message: /0 replica\(s\)/ }],
  },
  {
    name: "Two nodes without automatic failover",
    lesson: "the replica was there but nobody promoted it",
    stack: group((p) => {
      p.automaticFailoverEnabled = false;
      p.multiAzEnabled = false;
    }),
    expect: [{ policy: "elasticache-high-availability", message: /automaticFailoverEnabled/ }],
  },
  {
    name: "Two nodes in one AZ (multiAzEnabled unset)",
    lesson: "an AZ outage took primary and replica together",
    stack: group((p) => delete p.multiAzEnabled),
    expect: [{ policy: "elasticache-high-availability", message: /multiAzEnabled/ }],
  },
  {
    name: "Node count unknown at preview",
    lesson: "a computed count cannot be checked, so it is refused",
    stack: group((p) => (p.numCacheClusters = UNKNOWN), "preview-inputs"),
    expect: [{ policy: "elasticache-high-availability", message: /unknown at preview/ }],
  },
  {
    name: "Serverless cache without backups in prod",
    lesson: "serverless snapshots are off unless snapshotRetentionLimit is set",
    stack: serverless((p) => delete p.snapshotRetentionLimit),
    expect: [{ policy: "elasticache-backups", message: /keeps no days/ }],
  },
  {
    name: "Serverless cache with snapshotRetentionLimit 0",
    lesson: "retention 0 disables snapshots",
    stack: serverless((p) => (p.snapshotRetentionLimit = 0)),
    expect: [{ policy: "elasticache-backups", message: /keeps 0 days/ }],
  },
  {
    name: "Replication group without security groups (VPC default group)",
    lesson: "the default SG let every instance in the VPC reach Redis",
    stack: group((p) => delete p.securityGroupIds),
    expect: [{ policy: "elasticache-security-groups", message: /no securityGroupIds/ }],
  },
  {
    name: "Serverless cache without security groups",
    lesson: "same default-SG exposure on serverless",
    stack: serverless((p) => (p.securityGroupIds = [])),
    expect: [{ policy: "elasticache-security-groups", message: /no securityGroupIds/ }],
  },
  {
    name: "Serverless security group from the DefaultSecurityGroup, at preview",
    lesson: "aws.ec2.DefaultSecurityGroup adopted the shared default group",
    stack: (() => {
      const dsg = res(T.defaultSg, "default-sg", { vpcId: "vpc-123" });
      return [
        dsg,
        ...change(serverlessStack("preview-inputs"), "cache-serverless", () => undefined, {
          propertyDependencies: { securityGroupIds: [dsg.urn], subnetIds: [vpc.urn] },
        }),
      ];
    })(),
    expect: [{ policy: "unknown-value-provenance", message: /default security group/ }],
  },
  {
    name: "Serverless subnets unknown at preview and from no subnet",
    lesson: "subnet ids from an untracked lookup landed in public subnets",
    stack: change(serverlessStack("preview-inputs"), "cache-serverless", () => undefined, {
      propertyDependencies: {},
      dependencies: [],
    }),
    expect: [{ policy: "unknown-value-provenance", message: /`subnetIds`/ }],
  },
  {
    name: "Cache port unknown at preview",
    lesson: "the exposure rules could not know which port to protect",
    stack: group((p) => (p.port = UNKNOWN), "preview-inputs"),
    expect: [{ policy: "elasticache-security-groups", message: /`port`/ }],
  },
  {
    name: "Snapshot retention unknown at preview",
    lesson: "retention computed from a lookup that returned 0",
    stack: group((p) => (p.snapshotRetentionLimit = UNKNOWN), "preview-inputs"),
    expect: [{ policy: "elasticache-backups", message: /unknown at preview/ }],
  },
  {
    name: "SecurityGroup inline ingress opens 6379 to ::/0",
    lesson: "IPv6 left open after the IPv4 rule was fixed",
    stack: change(replicationGroupStack("up"), "cache-sg", (p) => {
      p.ingress = [{ ...tcp6379, ipv6CidrBlocks: ["::/0"] }];
    }),
    expect: [{ policy: "redis-ingress-not-world-open", message: /::\/0/ }],
  },
  {
    name: "SecurityGroupIngressRule opens 6379 to 0.0.0.0/0",
    lesson: "a quick-fix rule for a laptop on the road",
    stack: change(replicationGroupStack("up"), "cache-from-api", (p) => {
      delete p.referencedSecurityGroupId;
      p.cidrIpv4 = "0.0.0.0/0";
    }),
    expect: [{ policy: "redis-ingress-not-world-open", message: /0\.0\.0\.0\/0/ }],
  },
  {
    name: "SecurityGroupRule opens 6379 to ::/0",
    lesson: "the legacy rule resource with ipv6CidrBlocks",
    stack: withRule(
      res(T.sgRule, "cache-v6", {
        ...tcp6379,
        type: "ingress",
        securityGroupId: "sg-cache",
        ipv6CidrBlocks: ["::/0"],
      }),
    ),
    expect: [{ policy: "redis-ingress-not-world-open", message: /::\/0/ }],
  },
  {
    name: "SecurityGroup ingress entry wholly unknown at preview",
    lesson: "an entry built by apply() hid a 0.0.0.0/0 CIDR",
    stack: change(replicationGroupStack("preview-inputs"), "cache-sg", (p) => {
      p.ingress = [UNKNOWN];
    }),
    expect: [
      { policy: "redis-ingress-not-world-open", message: /ingress\[0\].*unknown at preview/ },
    ],
  },
  {
    name: "Serverless reader port 6380 open to ::/0",
    lesson: "only 6379 was locked down; readers listen on 6380",
    stack: [
      ...serverlessStack("up"),
      res(T.sgIngress, "cache-readers", {
        securityGroupId: "sg-cache",
        ipProtocol: "tcp",
        fromPort: 6380,
        toPort: 6380,
        cidrIpv6: "::/0",
      }),
    ],
    expect: [{ policy: "redis-cache-port-not-world-open", message: /6380 to ::\/0/ }],
  },
  {
    name: "SecurityGroupIngressRule IPv6 CIDR unknown, from a VPC without IPv6",
    lesson: "the IPv6 CIDR came from a lookup, not the VPC",
    stack: withRule(
      res(
        T.sgIngress,
        "cache-v6-unknown",
        { securityGroupId: "sg-cache", ipProtocol: "tcp", ...tcp6379, cidrIpv6: UNKNOWN },
        { propertyDependencies: { cidrIpv6: [vpc.urn] } },
      ),
    ),
    expect: [{ policy: "unknown-value-provenance", message: /`cidrIpv6`.*IPv6/ }],
  },
  {
    name: "SecurityGroupRule CIDR unknown at preview, from nothing",
    lesson: "a CIDR from an external data source that returned 0.0.0.0/0",
    stack: withRule(
      res(T.sgRule, "cache-cidr-unknown", {
        ...tcp6379,
        type: "ingress",
        securityGroupId: "sg-cache",
        cidrBlocks: [UNKNOWN],
      }),
    ),
    expect: [{ policy: "unknown-value-provenance", message: /`cidrBlocks`/ }],
  },
  {
    name: "API REDIS_URL unknown, depending only on ElastiCache users (no cache)",
    lesson: "the cache was removed from the program, its users were not",
    stack: change(serverlessStack("preview-inputs"), "api", () => undefined, {
      dependencies: [res(T.userGroup, "cache-users", {}).urn],
      propertyDependencies: { envs: [res(T.userGroup, "cache-users", {}).urn] },
    }).filter((r) => r.type !== T.serverless),
    expect: [{ policy: "redis-backend-defined", message: /no Redis container or ElastiCache/ }],
  },
  {
    name: "ElastiCache token visible in the API's REDIS_URL is a placeholder",
    lesson: "the token and the URL both carried the default",
    stack: change(replicationGroupStack("up"), "api", (p) => {
      p.envs = secret(["REDIS_URL=rediss://:changeme@master.x.cache.amazonaws.com:6379"]);
    }),
    expect: [{ policy: "no-weak-secrets", message: /REDIS_URL/ }],
  },
];
