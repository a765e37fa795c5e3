/**
 * Deployments that pass a first `pulumi up` and break on the next replace or restart: each
 * differs from the good Docker stack by one setting.
 */
import {
  apiContainer,
  apiProps,
  dockerStack,
  edge,
  elasticacheStack,
  network,
  replicationGroup,
  replicationGroupProps,
  res,
  subnetGroup,
  T,
} from "./base";
import { BadCase, withApi, withRedis } from "./types";

export const lifecycleCases: BadCase[] = [
  {
    name: "API without destroyGraceSeconds",
    lesson: "every deploy SIGKILLed the API mid-request: the provider's delete ignores stopTimeout",
    stack: withApi((p) => {
      delete p.destroyGraceSeconds;
    }),
    expect: [{ policy: "container-destroy-grace", message: /0 s timeout: an immediate SIGKILL/ }],
  },
  {
    name: "Redis with destroyGraceSeconds below its stopTimeout",
    lesson: "a replacement killed Redis before its AOF flush",
    stack: withRedis((p) => {
      p.destroyGraceSeconds = 2;
    }),
    expect: [{ policy: "container-destroy-grace", message: /after 2 s/ }],
  },
  {
    name: "Redis as root with every capability dropped and only CHOWN/SETUID/SETGID back",
    lesson: "the official entrypoint could not enter appendonlydir on the second start: crash loop",
    stack: withRedis((p) => {
      delete p.user;
      p.capabilities = { drops: ["ALL"], adds: ["CHOWN", "SETGID", "SETUID"] };
    }),
    expect: [{ policy: "redis-entrypoint-can-restart", message: /runs as root/ }],
  },
  {
    name: 'Valkey with user "0" and drops ["ALL"]',
    lesson: "same crash loop, with root spelled as a uid",
    stack: withRedis((p) => {
      p.user = "0";
      p.capabilities = { drops: ["ALL"] };
    }, "valkey/valkey:8.1-alpine"),
    expect: [{ policy: "redis-entrypoint-can-restart" }],
  },
  {
    name: "API publishing its port from the internal network only",
    lesson:
      "dev's Redis debug port never answered: Docker does not publish internal-only containers",
    stack: dockerStack({
      api: apiContainer(
        { ...apiProps(), networksAdvanced: [{ name: "api-stack-prod-internal" }] },
        { propertyDependencies: { networksAdvanced: [network.urn] } },
      ),
    }).filter((r) => r.urn !== edge.urn),
    expect: [{ policy: "published-ports-reachable", message: /only on internal network/ }],
  },
  {
    name: "stopTimeout 0",
    lesson: "meant as 'stop at once'; the provider reads 0 as unset and Docker waits 10 s",
    stack: withApi((p) => {
      p.stopTimeout = 0;
    }),
    expect: [{ policy: "container-docker-limits", message: /reads as unset/ }],
  },
  {
    name: 'cpus "0.005"',
    lesson: "below the CFS minimum quota: the container never starts",
    stack: withApi((p) => {
      p.cpus = "0.005";
    }),
    expect: [{ policy: "container-docker-limits", message: /1 ms minimum/ }],
  },
  {
    name: "snapshot window overlapping the maintenance window",
    lesson: "AWS refused the replication group half-way through the up",
    stack: elasticacheStack({
      cache: replicationGroup({ ...replicationGroupProps(), snapshotWindow: "05:30-06:30" }),
    }),
    expect: [{ policy: "elasticache-aws-limits", message: /overlaps the maintenance window/ }],
  },
  {
    name: 'engineVersion "6.2" (no valkey6 family)',
    lesson: "the parameter group family did not exist",
    stack: elasticacheStack({
      cache: replicationGroup({ ...replicationGroupProps(), engineVersion: "6.2" }),
    }),
    expect: [{ policy: "elasticache-aws-limits", message: /valkey6/ }],
  },
  {
    name: "the same subnet twice in the subnet group",
    lesson: "two subnets on paper, one AZ in fact",
    stack: elasticacheStack().map((r) =>
      r.urn === subnetGroup.urn
        ? res(T.subnetGroup, "cache-subnets", {
            ...subnetGroup.properties,
            subnetIds: ["subnet-a", "subnet-a"],
          })
        : r,
    ),
    expect: [{ policy: "elasticache-aws-limits", message: /more than once/ }],
  },
];
