/** Bad deployments whose decisive values are unknown at preview. */
import { secret, UNKNOWN } from "../../../gate";
import {
  apiContainer,
  apiProps,
  cacheSg,
  dockerStack,
  elasticacheStack,
  redisContainer,
  redisPassword,
  redisProps,
  replicationGroup,
  replicationGroupProps,
  res,
  secretKey,
  T,
  urn,
} from "./base";
import { BadCase, withRedis } from "./types";

const weakPw = res(T.password, "weak-password", {
  length: 8,
  special: false,
  result: secret(UNKNOWN),
});

export const unknownCases: BadCase[] = [
  {
    name: "Redis config upload unknown at preview, computed from nothing",
    lesson: "a hand-written password from an untracked source",
    stack: dockerStack({
      redis: redisContainer(
        {
          ...redisProps(),
          uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: secret(UNKNOWN) }],
        },
        { dependencies: [], propertyDependencies: {} },
      ),
    }),
    expect: [
      {
        policy: "unknown-value-provenance",
        message: /`uploads`.*provenance could not be established/,
      },
    ],
  },
  {
    name: "API envs unknown at preview, computed from an 8-character RandomPassword",
    lesson: "length 8 passed code review because the value was never visible",
    stack: [
      weakPw,
      ...dockerStack({
        api: apiContainer(
          { ...apiProps(), envs: secret(UNKNOWN) },
          { propertyDependencies: { envs: [weakPw.urn, urn(T.container, "redis")] } },
        ),
      }),
    ],
    expect: [{ policy: "unknown-value-provenance", message: /weak generator.*length 8 < 32/ }],
  },
  {
    name: "API envs unknown, no Redis behind them (Redis never defined, at preview)",
    lesson: "the preview could not see REDIS_URL, the deploy then crash-looped",
    stack: dockerStack({
      redis: null,
      api: apiContainer(
        { ...apiProps(), envs: secret(UNKNOWN) },
        {
          dependencies: [redisPassword.urn, secretKey.urn],
          propertyDependencies: { envs: [redisPassword.urn, secretKey.urn] },
        },
      ),
    }),
    expect: [{ policy: "redis-backend-defined", message: /no Redis container or ElastiCache/ }],
  },
  {
    name: "ElastiCache authToken unknown, computed from nothing",
    lesson: "token fetched at deploy time from an unmanaged script",
    stack: elasticacheStack({
      cache: replicationGroup(
        { ...replicationGroupProps(), authToken: secret(UNKNOWN) },
        { propertyDependencies: {}, dependencies: [] },
      ),
    }),
    expect: [{ policy: "unknown-value-provenance", message: /`authToken`/ }],
  },
  {
    name: "healthcheck startPeriod unknown at preview",
    lesson: "a computed value cannot be checked, so it is refused",
    stack: withRedis((p) => {
      p.healthcheck = { ...(p.healthcheck as object), startPeriod: UNKNOWN };
    }),
    expect: [{ policy: "healthcheck-timing", message: /unknown at preview/ }],
  },
  {
    name: "Redis ports unknown at preview",
    lesson: "a computed port list may publish 0.0.0.0:6379",
    stack: withRedis((p) => {
      p.ports = UNKNOWN;
    }),
    expect: [{ policy: "redis-not-exposed", message: /unknown at preview/ }],
  },
  {
    name: "Security group CIDR on 6379 unknown, from nothing",
    lesson: "the CIDR came from a lookup that returned 0.0.0.0/0",
    stack: elasticacheStack({
      sg: {
        ...cacheSg([{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: [UNKNOWN] }]),
        propertyDependencies: {},
      },
    }),
    expect: [{ policy: "unknown-value-provenance", message: /`ingress`/ }],
  },
  {
    name: "Image unknown at preview, from RemoteImage redis:latest",
    lesson: "docker.RemoteImage hid the floating tag behind imageId",
    stack: (() => {
      const img = res(T.remoteImage, "redis-image", { name: "redis:latest", keepLocally: true });
      const p = { ...redisProps(), image: UNKNOWN };
      return [
        img,
        ...dockerStack({
          redis: redisContainer(p, {
            propertyDependencies: { image: [img.urn], uploads: [redisPassword.urn] },
          }),
        }),
      ];
    })(),
    expect: [{ policy: "unknown-value-provenance", message: /floating tag ":latest"/ }],
  },
  {
    name: "Image ID from RemoteImage redis:7.4, no auth, published on 0.0.0.0",
    lesson: "a sha256 image ID hides that the container is Redis from image-based rules",
    stack: (() => {
      const img = res(T.remoteImage, "redis-image", { name: "redis:7.4-alpine" });
      const p: Record<string, unknown> = {
        ...redisProps(),
        image: "sha256:" + "a".repeat(64),
        ports: [{ internal: 6379, external: 6379 }],
        healthcheck: {
          tests: ["CMD-SHELL", "curl -f http://localhost:6379 || exit 1"],
          interval: "10s",
          timeout: "3s",
          startPeriod: "20s",
          retries: 5,
        },
      };
      delete p.command;
      delete p.uploads;
      return [
        img,
        ...dockerStack({
          redis: redisContainer(p, { propertyDependencies: { image: [img.urn] } }),
        }),
      ];
    })(),
    expect: [{ policy: "unknown-value-provenance", message: /without a password|0\.0\.0\.0:6379/ }],
  },
];
