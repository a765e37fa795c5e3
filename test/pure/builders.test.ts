import { describe, expect, it } from "vitest";
import { goDuration, parseDuration } from "../../components/lib/duration";
import {
  httpProbe,
  minimumWaitSeconds,
  redisProbe,
  toDockerHealthcheck,
  waitTimeoutSeconds,
} from "../../components/lib/healthcheck";
import {
  checkImageReference,
  redisEngine,
  splitImageReference,
} from "../../components/lib/image-ref";
import { createHash } from "node:crypto";
import {
  aofRewriteMinSizeMb,
  AOF_REWRITE_PERCENTAGE,
  renderRedisConf,
} from "../../components/lib/redis-conf";
import { buildRedisUrl } from "../../components/lib/redis-url";
import { buildApiEnv } from "../../components/lib/env";
import { weakSecretReason } from "../../components/lib/weak-secrets";

describe("durations", () => {
  it.each([
    ["60s", 60_000],
    ["2m", 120_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5s", 1_500],
    ["1h", 3_600_000],
    [" 10s ", 10_000],
  ])("parses %j as %i ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["sixty", "60", "", "s", "-5s", "10 s", "5d", "1m30", "30S"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  // golang/go src/time/time_test.go, durationTests (the rows a whole number of ms can
  // express): what Duration.String() prints, and so what the Docker provider's read returns.
  it.each([
    ["0s", 0],
    ["3.3s", 3_300],
    ["4m5s", 245_000],
    ["4m5.001s", 245_001],
    ["5h6m7.001s", 18_367_001],
  ])("formats like Go's Duration.String: %s", (text, ms) => {
    expect(goDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [60_000, "1m0s"],
    [120_000, "2m0s"],
    [3_600_000, "1h0m0s"],
    [10_000, "10s"],
    [1_500, "1.5s"],
    [500, "500ms"],
    [2_000, "2s"],
  ])(
    "writes %i ms as %s, never as the 60s form the provider's read would not return",
    (ms, text) => {
      expect(goDuration(ms)).toBe(text);
    },
  );

  it("refuses a negative or fractional duration", () => {
    expect(() => goDuration(-1)).toThrow(RangeError);
    expect(() => goDuration(1.5)).toThrow(RangeError);
  });
});

describe("healthchecks", () => {
  const prod = { intervalMs: 30_000, timeoutMs: 10_000, retries: 5, startPeriodMs: 120_000 };

  it("renders Docker's healthcheck block", () => {
    expect(toDockerHealthcheck(["CMD", "true"], prod)).toEqual({
      tests: ["CMD", "true"],
      interval: "30s",
      timeout: "10s",
      retries: 5,
      startPeriod: "2m0s",
      startInterval: "2s",
    });
  });

  it("waits for start period + interval × retries, plus the last timeout and a margin", () => {
    expect(minimumWaitSeconds(prod)).toBe(270);
    expect(waitTimeoutSeconds(prod)).toBe(120 + 150 + 10 + 15);
    expect(waitTimeoutSeconds(prod)).toBeGreaterThan(60);
  });

  it("probes HTTP with curl -f and a max time no longer than the timeout", () => {
    expect(httpProbe(3003, "/health", 10_000)).toEqual([
      "CMD",
      "curl",
      "-fsS",
      "-o",
      "/dev/null",
      "--max-time",
      "10",
      "http://127.0.0.1:3003/health",
    ]);
    expect(httpProbe(8080, "/ready", 500)).toContain("1");
  });

  it("probes Redis with PING, checks the reply, and reads the password from a file", () => {
    const [form, script] = redisProbe({
      cli: "redis-cli",
      port: 6379,
      user: "probe",
      secretFile: "/run/p",
    });
    expect(form).toBe("CMD-SHELL");
    expect(script).toContain('REDISCLI_AUTH="$(cat /run/p)"');
    expect(script).toMatch(/--user probe -h 127\.0\.0\.1 -p 6379 ping \| grep -qx PONG$/);
    expect(script).not.toMatch(/ -a |--pass|incr|set /);
  });
});

describe("image references", () => {
  it.each([
    ["redis:7.4-alpine", undefined],
    ["valkey/valkey:8.1-alpine", undefined],
    ["ghcr.io/acme/api:1.4.2", undefined],
    ["localhost:5000/api:2", undefined],
    [`redis@sha256:${"a".repeat(64)}`, undefined],
  ])("accepts %s", (ref, expected) => expect(checkImageReference(ref)).toBe(expected));

  it.each([
    ["redis", /no tag/],
    ["redis:latest", /latest/],
    ["localhost:5000/api", /no tag/],
    ["Redis:7", /not a valid image name/],
    ["redis@sha256:abc", /malformed digest/],
    ["", /not an image reference/],
  ])("rejects %j", (ref, why) => expect(checkImageReference(ref)).toMatch(why));

  it("splits a registry port from a tag", () => {
    expect(splitImageReference("localhost:5000/api:2")).toEqual({
      repository: "localhost:5000/api",
      tag: "2",
      digest: undefined,
    });
  });

  it("knows redis and valkey images", () => {
    expect(redisEngine("redis:7.4-alpine")).toBe("redis");
    expect(redisEngine("docker.io/library/redis:7")).toBe("redis");
    expect(redisEngine("valkey/valkey:8.1-alpine")).toBe("valkey");
    expect(redisEngine("ghcr.io/acme/api:1")).toBeUndefined();
  });
});

describe("redis.conf", () => {
  const spec = {
    port: 6379,
    appendfsync: "always" as const,
    maxmemoryMb: 192,
    evictionPolicy: "allkeys-lru" as const,
    appPassword: "A".repeat(20) + "b1",
    probePassword: "P".repeat(20) + "q2",
    adminPassword: "Z".repeat(20) + "x3",
  };

  it("turns on AOF, sets memory, and defines three ACL users", () => {
    const conf = renderRedisConf(spec);
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^appendfsync always$/m);
    expect(conf).toMatch(/^maxmemory 192mb$/m);
    expect(conf).toMatch(/^maxmemory-policy allkeys-lru$/m);
    // Hashed here with node:crypto, not with the module's own helper.
    const sha = (pw: string) => createHash("sha256").update(pw).digest("hex");
    expect(conf).toContain(
      `\nuser default on #${sha(spec.appPassword)} ~* &* +@all -@admin -flushall -flushdb -swapdb\n`,
    );
    expect(conf).toContain(`\nuser probe on #${sha(spec.probePassword)} -@all +ping\n`);
    expect(conf).toContain(`\nuser admin on #${sha(spec.adminPassword)} ~* &* +@all\n`);
    for (const pw of [spec.appPassword, spec.probePassword, spec.adminPassword])
      expect(conf).not.toContain(pw);
    expect(conf).not.toMatch(/requirepass/);
  });

  it("sets the AOF rewrite thresholds from maxmemory, once each", () => {
    const conf = renderRedisConf(spec);
    expect(conf.match(/^auto-aof-rewrite-percentage .*$/gm)).toEqual([
      "auto-aof-rewrite-percentage 100",
    ]);
    // 192 MB / 16: the dev stack's maxmemory.
    expect(conf.match(/^auto-aof-rewrite-min-size .*$/gm)).toEqual([
      "auto-aof-rewrite-min-size 12mb",
    ]);
    expect(renderRedisConf({ ...spec, maxmemoryMb: 384 })).toMatch(
      /^auto-aof-rewrite-min-size 24mb$/m,
    );
    expect(renderRedisConf({ ...spec, maxmemoryMb: 8 })).toMatch(
      /^auto-aof-rewrite-min-size 1mb$/m,
    );
  });

  it("refuses passwords that would break the ACL line", () => {
    expect(() => renderRedisConf({ ...spec, appPassword: "has space in it 1234567" })).toThrow(
      /app password/,
    );
    expect(() => renderRedisConf({ ...spec, probePassword: "short" })).toThrow(/probe password/);
    expect(() => renderRedisConf({ ...spec, maxmemoryMb: 0 })).toThrow(/maxmemoryMb/);
  });
});

describe("AOF rewrite min-size", () => {
  it.each([
    [8, 1],
    [24, 2],
    [32, 2],
    [64, 4],
    [192, 12],
    [384, 24],
    [1024, 64],
    [65_536, 64],
  ])("maxmemory %i MB rewrites past %i MB", (maxmemoryMb, mb) =>
    expect(aofRewriteMinSizeMb(maxmemoryMb)).toBe(mb),
  );

  it("stays within 1 MB and Redis's default of 64 MB, at most a sixteenth of maxmemory rounded up, and grows with it", () => {
    let previous = 0;
    for (let maxmemoryMb = 1; maxmemoryMb <= 2_048; maxmemoryMb++) {
      const mb = aofRewriteMinSizeMb(maxmemoryMb);
      expect(Number.isInteger(mb)).toBe(true);
      expect(mb).toBeGreaterThanOrEqual(Math.max(1, previous));
      expect(mb).toBeLessThanOrEqual(Math.max(1, Math.min(64, Math.ceil(maxmemoryMb / 16))));
      previous = mb;
    }
    expect(AOF_REWRITE_PERCENTAGE).toBe(100);
  });

  it("refuses a maxmemory that is not a positive whole number", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => aofRewriteMinSizeMb(bad)).toThrow(/maxmemoryMb/);
    }
  });
});

describe("connection URL and API env", () => {
  it("uses rediss:// with TLS and percent-encodes the password", () => {
    expect(buildRedisUrl({ host: "redis", port: 6379, tls: false, password: "pw" })).toBe(
      "redis://default:pw@redis:6379",
    );
    expect(
      buildRedisUrl({
        host: "c.example.com",
        port: 6380,
        tls: true,
        password: "p@ss/word",
        username: "app",
      }),
    ).toBe("rediss://app:p%40ss%2Fword@c.example.com:6380");
  });

  it("builds a sorted KEY=value list and refuses overrides of stack-owned names", () => {
    const env = buildApiEnv({
      redis: { host: "redis", port: 6379, tls: false, password: "pw" },
      secretKey: "k",
      env: { LOG_LEVEL: "info" },
      secretEnv: { NOVITA_API_KEY: "sk" },
    });
    expect(env).toEqual([
      "LOG_LEVEL=info",
      "NOVITA_API_KEY=sk",
      "REDIS_HOST=redis",
      "REDIS_PASSWORD=pw",
      "REDIS_PORT=6379",
      "REDIS_TLS=false",
      "REDIS_URL=redis://default:pw@redis:6379",
      "REDIS_USERNAME=default",
      "SECRET_KEY=k",
    ]);
    expect(() =>
      buildApiEnv({
        redis: { host: "h", port: 1, tls: false, password: "p" },
        secretKey: "k",
        env: { REDIS_URL: "x" },
        secretEnv: {},
      }),
    ).toThrow(/REDIS_URL/);
  });
});

describe("weak secrets", () => {
  it.each([
    "novita_redis_password",
    "changeme",
    "PASSWORD",
    "redis",
    "",
    "your-secret-key-goes-here",
    "<generated>",
  ])("rejects %j", (v) => {
    expect(weakSecretReason(v, 16)).toBeDefined();
  });
  it("rejects short and low-entropy values, accepts generated ones", () => {
    expect(weakSecretReason("abc", 16)).toMatch(/shorter than 16/);
    expect(weakSecretReason("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 16)).toMatch(/distinct/);
    expect(weakSecretReason("Zx9kQ2mW7vB4nR8tY3pL6sD1fG5hJ0aC", 32)).toBeUndefined();
  });
});
