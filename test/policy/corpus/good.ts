/** Deployments that must pass under prod.json with no violation at all. */
import { secret, UNKNOWN } from "../../../gate";
import {
  apiProps,
  cacheSg,
  cacheToken,
  dockerStack,
  dockerStackAtPreview,
  elasticacheStack,
  monitoringContainers,
  redisContainer,
  redisPassword,
  redisProps,
  REDIS_PROBE,
  REDIS_PW,
  replicationGroup,
  replicationGroupProps,
  res,
  subnetA,
  subnetB,
  subnetGroup,
  T,
  urn,
  vpc,
} from "./base";
import { awsNetworkGoodCases } from "./aws-network";
import { iamGoodCases } from "./aws-iam";
import { ecsGoodCases } from "./ecs";
import { ecsBasicsGoodCases } from "./ecs-basics";
import { edgeGoodCases } from "./edge";
import { elasticacheGoodCases } from "./elasticache-good";
import { hardeningGoodCases } from "./hardening";
import { GoodCase, withApi, withRedis } from "./types";

/**
 * A production stack that serves traffic needs Prometheus and Alertmanager
 * (docker-stack-monitored): each good case with containers gets the two, as prod's monitoring
 * block adds them.
 */
function monitored(c: GoodCase): GoodCase {
  const containers = c.stack.filter((r) => r.type === T.container);
  const has = containers.some((r) => String(r.properties.image).startsWith("prom/"));
  if (containers.length === 0 || has) return c;
  return {
    ...c,
    stack: [...c.stack, ...monitoringContainers()],
    // The stack as AnalyzeStack sees it (outputs), where a case gives one.
    ...(c.outputs ? { outputs: [...c.outputs, ...monitoringContainers()] } : {}),
  };
}

export const goodCases: GoodCase[] = (
  [
    { name: "Docker stack with redis:7.4-alpine, values known (pulumi up)", stack: dockerStack() },
    {
      name: "Docker stack with valkey/valkey:8.1-alpine",
      stack: withRedis(() => undefined, "valkey/valkey:8.1-alpine"),
    },
    {
      name: "Docker stack at first preview: secrets unknown, from RandomPassword/RandomId",
      stack: dockerStackAtPreview(),
    },
    {
      name: "Bitnami Redis authenticated with REDIS_PASSWORD",
      stack: withRedis((p) => {
        delete p.command;
        delete p.uploads;
        p.envs = secret([`REDIS_PASSWORD=${REDIS_PW}`, "ALLOW_EMPTY_PASSWORD=no"]);
        p.healthcheck = {
          ...(p.healthcheck as object),
          tests: ["CMD-SHELL", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli ping | grep -qx PONG'],
        };
      }, "bitnami/redis:7.4.2"),
    },
    {
      name: 'redis-server --requirepass "$REDIS_PASSWORD" via sh -c',
      stack: withRedis((p) => {
        p.command = [
          "sh",
          "-c",
          'exec redis-server --requirepass "$REDIS_PASSWORD" --appendonly yes',
        ];
        p.envs = secret([`REDIS_PASSWORD=${REDIS_PW}`]);
        delete p.uploads;
        p.healthcheck = {
          ...(p.healthcheck as object),
          tests: ["CMD-SHELL", '[ "$(REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli ping)" = "PONG" ]'],
        };
      }),
    },
    {
      name: "Digest-pinned Redis and a registry with a port",
      stack: withApi((p) => {
        p.image = "localhost:5000/acme/api:2024.06.1";
      }).map((r) =>
        r.name === "redis"
          ? { ...r, properties: { ...r.properties, image: "redis@sha256:" + "b".repeat(64) } }
          : r,
      ),
    },
    {
      name: "Redis image from a pinned RemoteImage (unknown at preview)",
      stack: (() => {
        const img = res(T.remoteImage, "redis-image", { name: "valkey/valkey:8.1-alpine" });
        const p = { ...redisProps("valkey/valkey:8.1-alpine"), image: UNKNOWN };
        return [
          img,
          ...dockerStack({
            redis: redisContainer(p, {
              propertyDependencies: { image: [img.urn], uploads: [redisPassword.urn] },
            }),
          }),
        ];
      })(),
    },
    {
      name: "One-shot migration container (rm, attach) without healthcheck/restart/memory",
      stack: [
        ...dockerStack(),
        res(T.container, "migrate", {
          name: "api-stack-prod-migrate",
          image: "ghcr.io/acme/api:1.4.2",
          command: ["node", "migrate.js"],
          rm: true,
          attach: true,
          mustRun: false,
          logOpts: { "max-size": "1m", "max-file": "1" },
          capabilities: { drops: ["ALL"] },
          securityOpts: ["no-new-privileges:true"],
        }),
      ],
    },
    {
      name: "ElastiCache valkey replication group, TLS required, authToken, private subnets",
      stack: elasticacheStack(),
    },
    {
      name: "ElastiCache at preview: authToken, subnet group and SG CIDR unknown but provenanced",
      stack: [
        vpc,
        subnetA,
        subnetB,
        subnetGroup,
        cacheToken,
        res(
          T.sgIngress,
          "cache-from-vpc",
          {
            securityGroupId: UNKNOWN,
            ipProtocol: "tcp",
            fromPort: 6379,
            toPort: 6379,
            cidrIpv4: UNKNOWN,
          },
          { propertyDependencies: { cidrIpv4: [vpc.urn] } },
        ),
        cacheSg([]),
        replicationGroup({
          ...replicationGroupProps(),
          authToken: secret(UNKNOWN),
          subnetGroupName: UNKNOWN,
        }),
      ],
    },
    {
      name: "ElastiCache serverless valkey with an RBAC user group",
      stack: [
        vpc,
        subnetA,
        subnetB,
        cacheToken,
        res(
          T.user,
          "app-user",
          {
            userId: "app",
            userName: "app",
            engine: "valkey",
            accessString: "on ~* +@all",
            authenticationMode: { type: "password", passwords: [secret(UNKNOWN)] },
          },
          { propertyDependencies: { authenticationMode: [cacheToken.urn] } },
        ),
        res(T.userGroup, "app-users", {
          userGroupId: "app-users",
          engine: "valkey",
          userIds: ["app"],
        }),
        res(
          T.serverless,
          "serverless",
          {
            engine: "valkey",
            name: "api",
            subnetIds: UNKNOWN,
            securityGroupIds: ["sg-1"],
            userGroupId: UNKNOWN,
            snapshotRetentionLimit: 3,
          },
          {
            propertyDependencies: {
              subnetIds: [subnetA.urn, subnetB.urn],
              userGroupId: [urn(T.userGroup, "app-users")],
            },
          },
        ),
      ],
    },
    {
      // HTTPS from the world on the cache's group is refused since issue 22 (corpus/aws-network.ts).
      name: "Security group referencing the app SG on 6379 and HTTPS from the VPC",
      stack: elasticacheStack({
        sg: cacheSg([
          { protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: ["sg-app"] },
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["10.20.0.0/16"],
            ipv6CidrBlocks: ["fd12:3456:789a::/48"],
          },
        ]),
      }),
    },
    {
      name: "Redis healthcheck with redis-cli -e (exit code reflects error replies)",
      stack: withRedis((p) => {
        p.healthcheck = {
          ...(p.healthcheck as object),
          tests: ["CMD-SHELL", REDIS_PROBE.replace(" ping | grep -qx PONG", " -e ping")],
        };
      }),
    },
    ...elasticacheGoodCases,
    ...hardeningGoodCases,
    ...edgeGoodCases,
    ...ecsGoodCases,
    ...iamGoodCases,
    ...awsNetworkGoodCases,
    ...ecsBasicsGoodCases,
  ] as GoodCase[]
).map(monitored);

export const goodApiProps = apiProps;
