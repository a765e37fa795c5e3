import { unknownCheckingProxy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { formatMs, parseDuration } from "../../policy/lib/duration";
import {
  accessStringDisabled,
  RANDOM_DEFAULT_SPECIAL,
  replicasOf,
  tokenCharAllowed,
  tokenFormatProblem,
} from "../../policy/lib/elasticache";
import { parseEnvs } from "../../policy/lib/env";
import {
  isBitnamiImage,
  isRedisImage,
  parseImageRef,
  unpinnedReason,
} from "../../policy/lib/image";
import { isLoopback, isWorldCidr, ruleCoversPort } from "../../policy/lib/network";
import { analyzeRedisAuth, splitConfigArgs } from "../../policy/lib/redis-auth";
import { redisUrls, secretKindOfName, weakSecretReason } from "../../policy/lib/secrets";
import { cliInvocationsInArgv, cliInvocationsInScript, tokenize } from "../../policy/lib/shell";
import {
  containsUnknown,
  isUnknown,
  raw,
  UNKNOWN,
  UNKNOWN_SENTINELS,
} from "../../policy/lib/unknown";

describe("unknown", () => {
  it("recognises every engine sentinel, deep", () => {
    for (const s of Object.values(UNKNOWN_SENTINELS)) {
      expect(isUnknown(s)).toBe(true);
    }
    expect(containsUnknown({ a: [{ b: UNKNOWN }] })).toBe(true);
    expect(containsUnknown({ a: ["x"] })).toBe(false);
  });

  it("raw() reads through the SDK proxy without throwing, where direct access throws", () => {
    const proxied = unknownCheckingProxy({ restart: UNKNOWN, nested: { x: UNKNOWN } });
    expect(() => proxied.restart).toThrow(/can't be known during preview/);
    expect(raw(proxied).restart).toBe(UNKNOWN);
    expect(isUnknown((raw(proxied).nested as Record<string, unknown>).x)).toBe(true);
  });
});

describe("durations (Go/Docker syntax)", () => {
  it.each([
    ["90s", 90_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["2m", 120_000],
    ["1.5h", 5_400_000],
    ["0", 0],
    ["0s", 0],
  ])("%s = %d ms", (s, ms) => expect(parseDuration(s)).toBe(ms));
  it.each(["sixty", "10", "-5s", "", "5 s", "1d"])("rejects %j", (s) =>
    expect(parseDuration(s)).toBeUndefined(),
  );
  it("formats", () =>
    expect([formatMs(270_000), formatMs(500), formatMs(3_600_000)]).toEqual([
      "4m30s",
      "500ms",
      "1h",
    ]));
});

describe("image references", () => {
  it("separates registry ports from tags", () => {
    expect(parseImageRef("localhost:5000/app")).toMatchObject({
      registry: "localhost:5000",
      path: "app",
      tag: undefined,
    });
    expect(parseImageRef("localhost:5000/app:1.2")).toMatchObject({ tag: "1.2" });
    expect(parseImageRef("docker.io/library/redis:7")).toMatchObject({
      registry: "docker.io",
      path: "redis",
      tag: "7",
    });
    expect(parseImageRef("sha256:" + "c".repeat(64)).isId).toBe(true);
  });
  it.each([
    "redis",
    "redis:7.4-alpine",
    "valkey/valkey:8",
    "bitnami/redis:7",
    "bitnami/valkey:8",
    "public.ecr.aws/docker/library/redis:7",
    "localhost:5000/mirror/redis:7",
    "redis/redis-stack-server:7.2.0-v10",
  ])("%s is Redis", (i) => expect(isRedisImage(i)).toBe(true));
  it.each([
    "rediscommander/redis-commander:latest",
    "oliver006/redis_exporter:v1",
    "postgres:16",
    "ghcr.io/acme/api:1",
  ])("%s is not Redis", (i) => expect(isRedisImage(i)).toBe(false));
  it("classifies Bitnami and pinning", () => {
    expect(isBitnamiImage("docker.io/bitnami/redis:7")).toBe(true);
    expect(unpinnedReason("redis", ["latest"])).toMatch(/no tag/);
    expect(unpinnedReason("redis:LATEST", ["latest"])).toMatch(/floating/);
    expect(unpinnedReason("redis@sha256:" + "d".repeat(64), ["latest"])).toBeUndefined();
  });
});

describe("secrets", () => {
  it.each([
    "novita_redis_password",
    "changeme",
    "ChangeMe123456789",
    "password",
    "redis",
    "admin",
    "secret",
    "postgres",
    "your-secret-key-here",
    "",
    "aaaaaaaaaaaaaaaaaaaa",
  ])("%j is weak", (v) => expect(weakSecretReason(v, "password")).toBeDefined());
  it("treats a whole <…> template as a placeholder, but not a generated token with < or > in it", () => {
    expect(weakSecretReason("<your-redis-password-goes-here>", "password")).toMatch(/placeholder/);
    // Generated with ElastiCache's documented special set !&#$^<>-, which may come first.
    expect(weakSecretReason("<Qm7&z2Kp>9wT$x4Lr^b8Nc-1Vd#f6Hy!", "password")).toBeUndefined();
    expect(weakSecretReason("Qm7z2Kp<9wTx4Lr>b8Nc1Vdf6Hy3Gs5Jk", "password")).toBeUndefined();
  });
  it("enforces per-kind minimum lengths", () => {
    expect(weakSecretReason("Xk29fLq0Zp4mTr8Wq", "password")).toBeUndefined();
    expect(weakSecretReason("Xk29fLq0Zp4mTr8Wq", "secret-key")).toMatch(/at least 32/);
  });
  it.each([
    ["REDIS_PASSWORD", "password"],
    ["DB_PASS", "password"],
    ["SECRET_KEY", "secret-key"],
    ["JWT_SECRET", "secret-key"],
    ["GITHUB_TOKEN", "secret-key"],
    ["STRIPE_API_KEY", "secret-key"],
    ["ALLOW_EMPTY_PASSWORD", undefined],
    ["REDIS_PASSWORD_FILE", undefined],
    ["AWS_ACCESS_KEY_ID", undefined],
    ["NEXT_PUBLIC_MAPS_KEY", undefined],
    ["PORT", undefined],
  ])("%s → %s", (name, kind) => expect(secretKindOfName(name)).toBe(kind));
  it("extracts passwords from redis:// and rediss:// URLs", () => {
    expect(redisUrls("redis://:p%40ss@redis:6379/0")[0]).toMatchObject({
      password: "p@ss",
      host: "redis",
      port: 6379,
    });
    expect(redisUrls("a=rediss://user:pw@cache.example.com:6380")[0]).toMatchObject({
      password: "pw",
      host: "cache.example.com",
    });
    expect(redisUrls("redis://redis:6379")[0]?.password).toBe("");
  });
});

describe("shell parsing", () => {
  it("keeps command substitutions and quotes in one word", () => {
    const words = tokenize(
      `REDISCLI_AUTH="$(cat /x)" redis-cli --user probe ping | grep -qx PONG`,
    ).map((t) => t.text);
    expect(words.slice(0, 5)).toEqual([
      "REDISCLI_AUTH=$(cat /x)",
      "redis-cli",
      "--user",
      "probe",
      "ping",
    ]);
  });
  it("finds redis-cli invocations and their command", () => {
    expect(cliInvocationsInScript("redis-cli --raw incr ping")[0]?.command).toBe("incr");
    expect(cliInvocationsInScript('[ "$(redis-cli -h 127.0.0.1 ping)" = PONG ]')[0]?.command).toBe(
      "ping",
    );
    expect(cliInvocationsInArgv(["/usr/local/bin/valkey-cli", "-a", "x", "ping"])[0]).toMatchObject(
      { cli: "valkey-cli", command: "ping" },
    );
    expect(cliInvocationsInArgv(["sh", "-c", "redis-cli set k v"])[0]?.command).toBe("set");
  });
});

describe("redis auth model", () => {
  const conf = (content: string): Record<string, unknown> => ({
    image: "redis:7",
    command: ["redis-server", "/c.conf"],
    uploads: [{ file: "/c.conf", content }],
  });
  it("follows requirepass and ACL rules in order", () => {
    expect(analyzeRedisAuth(conf("requirepass Abcdefghijklmnop1")).requiresAuth).toBe(true);
    expect(
      analyzeRedisAuth(conf("user default on >pw1234567890abcdef ~* +@all")).requiresAuth,
    ).toBe(true);
    expect(analyzeRedisAuth(conf("user default on #" + "e".repeat(64))).requiresAuth).toBe(true);
    expect(analyzeRedisAuth(conf("requirepass x\nuser default on nopass")).openUsers).toEqual([
      "default",
    ]);
    expect(analyzeRedisAuth(conf("user default off\nuser app on >pw")).requiresAuth).toBe(true);
    expect(analyzeRedisAuth(conf("user default off\nuser app on nopass")).openUsers).toEqual([
      "app",
    ]);
  });
  it("reads ACL files, command-line directives and quoted arguments", () => {
    const p = {
      image: "redis:7",
      command: ["redis-server", "--aclfile", "/acl"],
      uploads: [{ file: "/acl", content: "user default on >Sup3rS3cretPassw0rd" }],
    };
    expect(analyzeRedisAuth(p).requiresAuth).toBe(true);
    expect(
      analyzeRedisAuth({ image: "redis:7", command: ["--requirepass", "x"] }).requiresAuth,
    ).toBe(true);
    expect(splitConfigArgs(`requirepass "a b\\"c"`)).toEqual(["requirepass", 'a b"c']);
  });
  it("reports what it cannot see, and unknowns separately", () => {
    expect(
      analyzeRedisAuth({ image: "redis:7", command: ["redis-server", "/missing.conf"] })
        .unresolved[0],
    ).toMatch(/no `uploads` entry/);
    expect(
      analyzeRedisAuth({
        image: "redis:7",
        command: ["redis-server", "/c.conf"],
        uploads: [{ file: "/c.conf", content: UNKNOWN }],
      }).unknownFields,
    ).toEqual(["uploads"]);
    expect(
      analyzeRedisAuth({
        image: "redis:7",
        command: ["sh", "-c", 'redis-server --requirepass "$PW"'],
      }).unresolved[0],
    ).toMatch(/\$PW/);
  });
});

describe("network", () => {
  it("loopback, world CIDRs and port coverage", () => {
    expect([
      isLoopback("127.0.0.1"),
      isLoopback("::1"),
      isLoopback(undefined),
      isLoopback("0.0.0.0"),
    ]).toEqual([true, true, false, false]);
    expect([isWorldCidr("0.0.0.0/0"), isWorldCidr("::/0"), isWorldCidr("10.0.0.0/8")]).toEqual([
      true,
      true,
      false,
    ]);
    expect([
      ruleCoversPort("-1", 0, 0, 6379),
      ruleCoversPort("tcp", 6000, 7000, 6379),
      ruleCoversPort("udp", 0, 65535, 6379),
    ]).toEqual([true, true, false]);
  });
});

describe("env parsing", () => {
  it("splits NAME=value and flags unknown entries", () => {
    expect(parseEnvs(["A=1", "B=x=y", UNKNOWN])).toEqual({
      vars: [
        { name: "A", value: "1", index: 0 },
        { name: "B", value: "x=y", index: 1 },
      ],
      unknown: "partial",
    });
    expect(parseEnvs(UNKNOWN).unknown).toBe("whole");
  });
});

describe("ElastiCache tokens, users and replicas", () => {
  it("validates tokens against both charsets", () => {
    expect(tokenFormatProblem("Ab3dEf6hIj9kLm0Q!#%", "provider")).toBeUndefined();
    expect(tokenFormatProblem("Ab3dEf6hIj9kLm0Q!#%", "aws-docs")).toMatch(/'%'/);
    expect(tokenFormatProblem('Ab3dEf6hIj9kLm0Q@/"', "provider")).toMatch(/'@', '\/', '"'/);
    expect(tokenFormatProblem("short", "provider")).toMatch(/5 characters long/);
    expect(tokenCharAllowed("\t", "provider")).toBe(false);
    expect(tokenCharAllowed("~", "provider")).toBe(true);
  });
  it("knows @pulumi/random's default special set contains @ but not / or \"", () => {
    expect(RANDOM_DEFAULT_SPECIAL).toBe("!@#$%&*()-_=+[]{}<>:?");
    expect([...RANDOM_DEFAULT_SPECIAL].filter((c) => !tokenCharAllowed(c, "provider"))).toEqual([
      "@",
    ]);
  });
  it("treats a user as disabled only when its last on/off is off", () => {
    expect(["off -@all", "on off", "off", " off ~* "].map(accessStringDisabled)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["on ~* +@all", "~* +@all", "off on", ""].map(accessStringDisabled)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
  it("counts replicas per shard", () => {
    expect(replicasOf({ numCacheClusters: 3 })).toBe(2);
    expect(replicasOf({})).toBe(0);
    expect(replicasOf({ numNodeGroups: 2, replicasPerNodeGroup: 2 })).toBe(2);
    expect(replicasOf({ numNodeGroups: 2 })).toBe(0);
    expect(replicasOf({ numCacheClusters: UNKNOWN })).toBe("unknown");
  });
});

describe("onlyFor", () => {
  it("runs the validation for its type only, and tags it for the server", async () => {
    const { onlyFor } = await import("../../policy/lib/config");
    const seen: string[] = [];
    const v = onlyFor("docker:index/container:Container", (args) => {
      seen.push(args.type);
    });
    const call = (type: string) => v({ type } as Parameters<typeof v>[0], () => undefined);
    await call("docker:index/container:Container");
    await call("aws:elasticache/replicationGroup:ReplicationGroup");
    expect(seen).toEqual(["docker:index/container:Container"]);
    expect((v as unknown as { __pulumiType: string }).__pulumiType).toBe(
      "docker:index/container:Container",
    );
  });
});
