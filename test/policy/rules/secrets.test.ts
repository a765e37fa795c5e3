import { describe, it } from "vitest";
import {
  noSecretsInCommand,
  noWeakSecrets,
  redisRequiresAuth,
} from "../../../policy/rules/secrets";
import { secret, UNKNOWN } from "../../../gate";
import { apiProps, CONF, redisProps, REDIS_PW, replicationGroupProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
} from "../util";

const C = T.container;

describe("redis-requires-auth", () => {
  it("passes an ACL config uploaded and loaded by the command", () =>
    assertNoResourceViolations(redisRequiresAuth, args(C, redisProps())));
  it("passes --requirepass from an env var in sh -c", () =>
    assertNoResourceViolations(
      redisRequiresAuth,
      args(C, {
        image: "valkey/valkey:8",
        command: ["sh", "-c", 'valkey-server --requirepass "$PW"'],
        envs: [`PW=${REDIS_PW}`],
      }),
    ));
  it("passes Bitnami with REDIS_PASSWORD", () =>
    assertNoResourceViolations(
      redisRequiresAuth,
      args(C, { image: "bitnami/redis:7.4", envs: [`REDIS_PASSWORD=${REDIS_PW}`] }),
    ));
  it("defers an unknown config upload (judged by unknown-value-provenance)", () =>
    assertNoResourceViolations(
      redisRequiresAuth,
      args(C, { ...redisProps(), uploads: [{ file: CONF, content: secret(UNKNOWN) }] }),
    ));
  it("ignores non-Redis containers", () =>
    assertNoResourceViolations(redisRequiresAuth, args(C, apiProps())));
  it("refuses the image defaults", () =>
    assertHasResourceViolation(
      redisRequiresAuth,
      args(C, { image: "redis:7.4" }),
      /"default" need none/,
    ));
  it("refuses ALLOW_EMPTY_PASSWORD=yes", () =>
    assertHasResourceViolation(
      redisRequiresAuth,
      args(C, { image: "bitnami/valkey:8", envs: ["ALLOW_EMPTY_PASSWORD=yes"] }),
      /ALLOW_EMPTY_PASSWORD/,
    ));
  it("refuses a config file it cannot read (host mount)", () =>
    assertHasResourceViolation(
      redisRequiresAuth,
      args(C, {
        image: "redis:7",
        command: ["redis-server", "/etc/redis/redis.conf"],
        mounts: [{ type: "bind", source: "/srv/redis", target: "/etc/redis" }],
      }),
      /mounted from the host/,
    ));
  it("recognises Redis by its command when the image is an ID", () =>
    assertHasResourceViolation(
      redisRequiresAuth,
      args(C, {
        image: "sha256:" + "f".repeat(64),
        command: ["redis-server", "--appendonly", "yes"],
      }),
    ));
});

describe("no-weak-secrets", () => {
  it("passes the good API env and a strong authToken", async () => {
    await assertNoResourceViolations(noWeakSecrets, args(C, apiProps()));
    await assertNoResourceViolations(
      noWeakSecrets,
      args(T.replicationGroup, replicationGroupProps()),
    );
  });
  it("defers unknown env entries and tokens", async () => {
    await assertNoResourceViolations(
      noWeakSecrets,
      args(C, { ...apiProps(), envs: secret(["PORT=1", UNKNOWN]) }),
    );
    await assertNoResourceViolations(
      noWeakSecrets,
      args(T.replicationGroup, { ...replicationGroupProps(), authToken: secret(UNKNOWN) }),
    );
  });
  it("refuses known defaults in env vars and URLs", async () => {
    await assertHasResourceViolation(
      noWeakSecrets,
      args(C, { image: "a:1", envs: ["REDIS_PASSWORD=novita_redis_password"] }),
      /novita_redis_password/,
    );
    await assertHasResourceViolation(
      noWeakSecrets,
      args(C, { image: "a:1", envs: ["CACHE=rediss://app:redis@cache:6380"] }),
      /password in CACHE=rediss:\/\/app:\*\*\*@cache/,
    );
  });
  it("applies the configurable minimum lengths", () =>
    assertHasResourceViolation(
      noWeakSecrets,
      args(
        C,
        { image: "a:1", envs: [`DB_PASSWORD=${"Xy7".repeat(6)}`] },
        { config: { minPasswordLength: 24 } },
      ),
      /at least 24/,
    ));
  it("checks ElastiCache users' passwords", () =>
    assertHasResourceViolation(
      noWeakSecrets,
      args(T.user, { authenticationMode: { type: "password", passwords: ["admin"] } }),
      /Password #1/,
    ));
});

describe("no-secrets-in-command", () => {
  it("passes references to env vars and files", () =>
    assertNoResourceViolations(
      noSecretsInCommand,
      args(C, {
        ...redisProps(),
        command: ["sh", "-c", 'redis-server --requirepass "$REDIS_PASSWORD"'],
      }),
    ));
  it.each([
    [["redis-server", "--requirepass", "hunter2hunter2hunter2"], /--requirepass <literal>/],
    [["redis-server", "--user", "default on >hunter2hunter2 ~* +@all"], /--user … >password/],
    [["sh", "-c", "REDISCLI_AUTH=hunter2 redis-cli ping"], /REDISCLI_AUTH=<literal>/],
    [["app", "--password=hunter2"], /--password <literal>/],
  ])("refuses %j", (command, message) =>
    assertHasResourceViolation(noSecretsInCommand, args(C, { image: "redis:7", command }), message),
  );
  it("checks healthchecks too", () =>
    assertHasResourceViolation(
      noSecretsInCommand,
      args(C, {
        image: "redis:7",
        healthcheck: { tests: ["CMD", "redis-cli", "-a", "novita_redis_password", "ping"] },
      }),
      /healthcheck/,
    ));
});

describe("issue #10: credentials recognised by value", () => {
  const probe = (tests: string[]) => ({
    ...apiProps(),
    healthcheck: { ...(apiProps().healthcheck as object), tests },
  });
  it.each([
    [
      [
        "CMD",
        "curl",
        "-fsS",
        "-H",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0",
        "http://127.0.0.1:3003/health",
      ],
      /bearer token/,
    ],
    [
      ["CMD", "curl", "-fsS", "http://probe:Hq7rT2vLx9pW4mZk@127.0.0.1:3003/health"],
      /password in a URL/,
    ],
    [
      [
        "CMD-SHELL",
        "curl -fsS -H 'X-Api-Key: sk_live_51HqLp2Kx9Vb3Nm7Qw4Er8Ty' http://127.0.0.1:3003/health",
      ],
      /Stripe key/,
    ],
  ])("refuses a literal credential in the healthcheck %#", (tests, message) =>
    assertHasResourceViolation(noSecretsInCommand, args(C, probe(tests)), message),
  );
  it("never quotes the credential", async () => {
    const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0";
    await assertHasResourceViolation(
      noSecretsInCommand,
      args(
        C,
        probe([
          "CMD",
          "curl",
          "-fsS",
          "-H",
          `Authorization: Bearer ${token}`,
          "http://127.0.0.1:3003/health",
        ]),
      ),
      new RegExp(`^(?![\\s\\S]*${token.replace(/\./g, "\\.")})`),
    );
  });
});

describe("issue #10: weak secrets that are not an exact denylist entry", () => {
  it.each([
    "novita_redis_password_2024_prod_ready",
    "your-super-secret-key-change-this-in-production-0123456789abcdef",
    "secret-example-secret-example-change-your-secret-now-secret-example-token",
  ])("refuses %j", (v) =>
    assertHasResourceViolation(
      noWeakSecrets,
      args(C, { ...apiProps(), envs: [`SECRET_KEY=${v}`] }),
      /SECRET_KEY .*placeholder/,
    ),
  );
});
