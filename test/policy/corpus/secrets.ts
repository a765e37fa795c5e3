import { secret } from "../../../gate";
import {
  apiContainer,
  apiProps,
  CONF,
  dockerStack,
  PROBE_PW,
  REDIS_PROBE,
  REDIS_PW,
  SECRET_KEY,
} from "./base";
import { BadCase, withApi, withRedis } from "./types";

const apiEnvs = (...envs: string[]): ReturnType<typeof withApi> =>
  withApi((p) => {
    p.envs = secret(envs);
  });

export const secretCases: BadCase[] = [
  {
    name: "Redis never defined: API points at host redis, no Redis in the stack",
    lesson: "API crash-looped on ENOTFOUND redis: the compose service was never added",
    stack: dockerStack({
      redis: null,
      api: apiContainer(apiProps(), { propertyDependencies: {}, dependencies: [] }),
    }),
    expect: [{ policy: "redis-backend-defined", message: /Redis was never defined/ }],
  },
  {
    name: "Redis without auth (no config, no requirepass)",
    lesson:
      "redis started with the image defaults: no password, protected-mode bypassed on a bridge network",
    stack: withRedis((p) => {
      delete p.command;
      delete p.uploads;
    }),
    expect: [{ policy: "redis-requires-auth", message: /without a password/ }],
  },
  {
    name: "REDIS_PASSWORD=novita_redis_password on the API",
    lesson: "the default password from the sample compose file shipped to production",
    stack: apiEnvs(
      `REDIS_URL=redis://:${REDIS_PW}@redis:6379`,
      "REDIS_PASSWORD=novita_redis_password",
      `SECRET_KEY=${SECRET_KEY}`,
    ),
    expect: [{ policy: "no-weak-secrets", message: /REDIS_PASSWORD.*novita_redis_password/ }],
  },
  {
    name: "REDIS_URL=redis://:novita_redis_password@redis:6379",
    lesson: "the password hid inside the connection URL, past a name-based secret scan",
    stack: apiEnvs(
      "REDIS_URL=redis://:novita_redis_password@redis:6379",
      `SECRET_KEY=${SECRET_KEY}`,
    ),
    expect: [
      { policy: "no-weak-secrets", message: /password in REDIS_URL=redis:\/\/:\*\*\*@redis:6379/ },
    ],
  },
  {
    name: "SECRET_KEY=your-secret-key-here",
    lesson: "session signing key left at the README placeholder",
    stack: apiEnvs(`REDIS_URL=redis://:${REDIS_PW}@redis:6379`, "SECRET_KEY=your-secret-key-here"),
    expect: [{ policy: "no-weak-secrets", message: /SECRET_KEY.*placeholder/ }],
  },
  {
    name: "SECRET_KEY shorter than 32 characters",
    lesson: "a 12-character signing key is brute-forceable offline",
    stack: apiEnvs(`REDIS_URL=redis://:${REDIS_PW}@redis:6379`, "SECRET_KEY=Xk29fLq0Zp4m"),
    expect: [{ policy: "no-weak-secrets", message: /at least 32/ }],
  },
  {
    name: "Bitnami Redis with ALLOW_EMPTY_PASSWORD=yes",
    lesson: "the dev shortcut from the Bitnami README reached a shared host",
    stack: withRedis((p) => {
      delete p.command;
      delete p.uploads;
      p.envs = ["ALLOW_EMPTY_PASSWORD=yes"];
    }, "bitnami/redis:7.4"),
    expect: [{ policy: "redis-requires-auth", message: /ALLOW_EMPTY_PASSWORD=yes/ }],
  },
  {
    name: "Official image with REDIS_PASSWORD env only",
    lesson: "REDIS_PASSWORD works for Bitnami, the official image silently ignores it",
    stack: withRedis((p) => {
      delete p.command;
      delete p.uploads;
      p.envs = secret([`REDIS_PASSWORD=${REDIS_PW}`]);
    }),
    expect: [{ policy: "redis-requires-auth", message: /only Bitnami images read it/ }],
  },
  {
    name: "redis.conf with requirepass changeme",
    lesson: "config template default password",
    stack: withRedis((p) => {
      p.uploads = [{ file: CONF, content: secret("requirepass changeme\nappendonly yes\n") }];
      p.healthcheck = {
        ...(p.healthcheck as object),
        tests: ["CMD-SHELL", 'redis-cli -a "$(cat /run/pw)" ping | grep -qx PONG'],
      };
    }),
    expect: [{ policy: "no-weak-secrets", message: /requirepass.*changeme/ }],
  },
  {
    name: "ACL default user with nopass",
    lesson: "a user line with nopass re-opened the default user",
    stack: withRedis((p) => {
      p.uploads = [{ file: CONF, content: secret("user default on nopass ~* +@all\n") }];
    }),
    expect: [{ policy: "redis-requires-auth", message: /"default" need none/ }],
  },
  {
    name: "ACL password of 8 characters",
    lesson: "short passwords fall to online guessing at Redis speed",
    stack: withRedis((p) => {
      p.uploads = [
        { file: CONF, content: secret("user default on >Xk29fLq0 ~* &* +@all\n") },
        { file: "/usr/local/etc/redis/probe.secret", content: secret(PROBE_PW) },
      ];
    }),
    expect: [{ policy: "no-weak-secrets", message: /8 characters long/ }],
  },
  {
    name: "Password on the redis-server command line",
    lesson: "`docker inspect` and `ps` showed the password to every operator",
    stack: withRedis((p) => {
      p.command = [
        "redis-server",
        "--requirepass",
        "Vq7mK2pX9rT4wL8zN3cF6hJ1sD5gB0aY",
        "--appendonly",
        "yes",
      ];
      delete p.uploads;
    }),
    expect: [{ policy: "no-secrets-in-command", message: /--requirepass <literal>/ }],
  },
  {
    name: "Password in the healthcheck (redis-cli -a novita_redis_password)",
    lesson: "the compose healthcheck copied the password into the container config",
    stack: withRedis((p) => {
      p.healthcheck = {
        ...(p.healthcheck as object),
        tests: ["CMD-SHELL", "redis-cli -a novita_redis_password ping | grep -qx PONG"],
      };
    }),
    expect: [{ policy: "no-secrets-in-command", message: /redis-cli -a <literal>/ }],
  },
  {
    name: "Password inside a URL in the command",
    lesson: "a sidecar's -u redis://:pw@… argument leaked through `ps`",
    stack: withRedis((p) => {
      p.healthcheck = {
        ...(p.healthcheck as object),
        tests: [
          "CMD-SHELL",
          `redis-cli -u redis://:${REDIS_PW}@127.0.0.1:6379 ping | grep -q PONG`,
        ],
      };
    }),
    expect: [{ policy: "no-secrets-in-command", message: /URL redis:\/\/:\*\*\*@127.0.0.1/ }],
  },
  {
    name: "Probe secret shipped but healthcheck unchanged: still fine, API TOKEN weak",
    lesson: "a 6-character API token",
    stack: apiEnvs(
      `REDIS_URL=redis://:${REDIS_PW}@redis:6379`,
      `SECRET_KEY=${SECRET_KEY}`,
      "ADMIN_TOKEN=abc123",
    ),
    expect: [{ policy: "no-weak-secrets", message: /ADMIN_TOKEN/ }],
  },
];

export const secretProbe = REDIS_PROBE;
