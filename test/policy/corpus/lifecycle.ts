/**
 * Deployments that pass a first `pulumi up` and break on the next replace or restart: each
 * differs from the good Docker stack by one setting.
 */
import { apiContainer, apiProps, dockerStack, edge, network } from "./base";
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
];
