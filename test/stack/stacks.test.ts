/**
 * The real program, run under Pulumi's mocks with the real Pulumi.dev.yaml and
 * Pulumi.prod.yaml. Each assertion is a postmortem lesson users rely on.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../../gate";
import { weakSecretReason } from "../../components/lib/weak-secrets";
import { parseDuration } from "../../components/lib/duration";
import { aclPasswordHash } from "../../components/lib/redis-conf";
import { byType, isSecretWire, one, promiseOf, reveal, runStack } from "../helpers/program";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";

type Props = Record<string, unknown>;
const props = (run: ProgramRun, type: string, name: string) =>
  reveal(one(run, type, name).properties) as Props;
const health = (p: Props) =>
  p.healthcheck as {
    interval: string;
    timeout: string;
    retries: number;
    startPeriod: string;
    tests: string[];
  };

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
  runs.dev = await runStack("dev");
  runs.prod = await runStack("prod");
});

describe.each([
  {
    stack: "dev",
    restart: "unless-stopped",
    startPeriod: "1m0s",
    interval: "30s",
    timeout: "10s",
    retries: 5,
    memory: undefined,
    cpus: undefined,
    edge: false,
  },
  {
    stack: "prod",
    restart: "always",
    startPeriod: "2m0s",
    interval: "30s",
    timeout: "10s",
    retries: 5,
    memory: 512,
    cpus: "0.5",
    edge: true,
  },
])("$stack stack: the API container", (row) => {
  const api = () => props(runs[row.stack] as ProgramRun, CONTAINER, "api-server");

  it(`restarts with "${row.restart}"`, () => {
    expect(api().restart).toBe(row.restart);
  });

  it(`has healthcheck start period ${row.startPeriod}, interval ${row.interval}, timeout ${row.timeout}, retries ${row.retries}`, () => {
    expect(health(api())).toMatchObject({
      startPeriod: row.startPeriod,
      interval: row.interval,
      timeout: row.timeout,
      retries: row.retries,
    });
    expect(health(api()).tests).toEqual([
      "CMD",
      "curl",
      "-fsS",
      "-o",
      "/dev/null",
      "--max-time",
      "10",
      "http://127.0.0.1:3003/health",
    ]);
  });

  it(`has memory ${row.memory ?? "unlimited"} MB and cpus ${row.cpus ?? "unlimited"}`, () => {
    expect(api().memory).toBe(row.memory);
    expect(api().cpus).toBe(row.cpus);
  });

  it("waits long enough for its own healthcheck (the provider default of 60 s is not)", () => {
    const h = health(api());
    const minimum =
      ((parseDuration(h.startPeriod) ?? 0) + (parseDuration(h.interval) ?? 0) * h.retries) / 1000;
    expect(api().wait).toBe(true);
    expect(api().waitTimeout as number).toBeGreaterThanOrEqual(minimum);
    expect(api().waitTimeout as number).toBeGreaterThan(60);
  });

  it(
    row.edge
      ? "publishes nothing behind the edge proxy and is replaced create-first, as nothing is fixed"
      : "publishes its port on 127.0.0.1 and is replaced delete-first because the host port is fixed",
    () => {
      const options = one(runs[row.stack] as ProgramRun, CONTAINER, "api-server").options;
      if (row.edge) {
        expect(api().ports).toEqual([]);
        expect(options.deleteBeforeReplace).toBe(false);
      } else {
        expect(api().ports).toEqual([{ internal: 3003, external: 3003, ip: "127.0.0.1" }]);
        expect(options.deleteBeforeReplace).toBe(true);
      }
    },
  );

  it("rotates logs, drops capabilities and forbids privilege escalation", () => {
    expect(api()).toMatchObject({
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
    });
    expect(api().capabilities).toEqual({ drops: ["ALL"] });
    expect(api().securityOpts).toEqual(["no-new-privileges:true"]);
    expect(api()).toMatchObject({ stopSignal: "SIGTERM", stopTimeout: 30 });
  });

  it("gets the Redis connection from the Redis component, as secrets", () => {
    const raw = one(runs[row.stack] as ProgramRun, CONTAINER, "api-server").properties;
    expect(isSecretWire(raw.envs)).toBe(true);
    const env = Object.fromEntries(
      (api().envs as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)),
    );
    expect(env).toMatchObject({ REDIS_HOST: "redis", REDIS_PORT: "6379", REDIS_TLS: "false" });
    expect(env.REDIS_URL).toBe(`redis://default:${env.REDIS_PASSWORD}@redis:6379`);
    expect(env.REDIS_PASSWORD).toMatch(/^[A-Za-z0-9]{32,}$/);
    expect(env.SECRET_KEY).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe.each(["dev", "prod"])("%s stack: Redis", (stack) => {
  const run = () => runs[stack] as ProgramRun;
  const redis = () => props(run(), CONTAINER, "cache-server");

  it("is on the internal backend network under the alias redis; in dev also on a debug network, so its port can be published", () => {
    const backend = props(run(), NETWORK, "backend");
    const backendName = one(run(), NETWORK, "backend").state.name;
    expect(backendName).toMatch(/^app-backend-/);
    expect(backend.internal).toBe(true);
    expect(props(run(), NETWORK, "edge").internal).toBe(false);
    const nets = redis().networksAdvanced as { name: string; aliases?: string[] }[];
    expect(nets[0]).toEqual({ name: backendName, aliases: ["redis"] });
    if (stack === "prod") {
      expect(nets).toHaveLength(1);
      expect(byType(run(), NETWORK).some((n) => n.name.includes("debug"))).toBe(false);
    } else {
      // Never the edge network the API is on: the debug network is Redis's alone.
      expect(props(run(), NETWORK, "debug").internal).toBe(false);
      expect(nets).toEqual([nets[0], { name: one(run(), NETWORK, "debug").state.name }]);
    }
  });

  it("publishes no port except, in dev, a loopback-only debug port", () => {
    const ports = (redis().ports ?? []) as { ip?: string }[];
    if (stack === "prod") expect(ports).toEqual([]);
    else expect(ports).toEqual([{ internal: 6379, external: 16379, ip: "127.0.0.1" }]);
  });

  it("keeps every password out of its command and its config file, which holds only hashes", () => {
    const raw = one(run(), CONTAINER, "cache-server").properties;
    expect(redis().command).toEqual(["redis-server", "/usr/local/etc/redis/redis.conf"]);
    const uploads = raw.uploads as Props[];
    for (const u of uploads) expect(isSecretWire(u.content)).toBe(true);
    const conf = (reveal(uploads[0]) as { content: string }).content;
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^appendfsync everysec$/m);
    const users = [...conf.matchAll(/^user (\S+) on (\S+) /gm)].map((m) => [m[1], m[2]]);
    // prod keeps backups (issue 20): their user may only take a snapshot.
    // prod's monitoring (issue 24) adds redis_exporter's read-only user.
    expect(users.map(([u]) => u)).toEqual(
      stack === "prod"
        ? ["default", "probe", "admin", "backup", "exporter"]
        : ["default", "probe", "admin"],
    );
    for (const [, rule] of users) expect(rule).toMatch(/^#[0-9a-f]{64}$/);
    const env = Object.fromEntries(
      (reveal(one(run(), CONTAINER, "api-server").properties.envs) as string[]).map(
        (e) => e.split(/=(.*)/s).slice(0, 2) as [string, string],
      ),
    );
    const password = env.REDIS_PASSWORD as string;
    expect(users[0]?.[1]).toBe(aclPasswordHash(password));
    for (const where of [
      conf,
      JSON.stringify(redis().command),
      JSON.stringify(redis().healthcheck),
    ])
      expect(where).not.toContain(password);
  });

  it("sets maxmemory below the container limit, with an eviction policy", () => {
    const conf = (
      reveal((one(run(), CONTAINER, "cache-server").properties.uploads as Props[])[0]) as {
        content: string;
      }
    ).content;
    const maxmemory = Number(/^maxmemory (\d+)mb$/m.exec(conf)?.[1]);
    expect(maxmemory).toBeGreaterThan(0);
    expect(maxmemory).toBeLessThan(redis().memory as number);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
  });

  it("probes with an authenticated, side-effect-free PING that must answer PONG", () => {
    const h = health(redis());
    expect(h).toMatchObject({ interval: "10s", timeout: "3s", retries: 5, startPeriod: "10s" });
    expect(h.tests[0]).toBe("CMD-SHELL");
    expect(h.tests[1]).toContain("ping | grep -qx PONG");
    expect(h.tests[1]).not.toMatch(/incr|set /i);
    expect(redis().wait).toBe(true);
  });

  it("is waited healthy before the API starts", () => {
    const apiRes = one(run(), CONTAINER, "api-server");
    const redisRes = one(run(), CONTAINER, "cache-server");
    expect(apiRes.dependencies).toContain(redisRes.urn);
    expect(redis().wait).toBe(true);
  });

  it("persists /data on a named volume; in prod the volume survives delete and is protected", () => {
    const volume = one(run(), VOLUME, "cache-data");
    expect(redis().volumes).toEqual([{ volumeName: volume.state.name, containerPath: "/data" }]);
    expect(volume.state.name).toMatch(/^cache-data-/);
    expect(volume.options.protect).toBe(stack === "prod");
    expect(volume.options.retainOnDelete).toBe(stack === "prod");
  });
});

describe.each(["dev", "prod"])("%s stack: secrets and names", (stack) => {
  const run = () => runs[stack] as ProgramRun;

  it("exports every password-bearing output as a secret", async () => {
    const out = run().outputs as Record<string, pulumi.Output<unknown>>;
    const secretOutputs = ["redisUrl", "redisPassword", "redisAdminUrl", "secretKey"];
    if (stack === "dev") secretOutputs.push("redisHostUrl", "redisAdminHostUrl");
    else expect(out.redisHostUrl).toBeUndefined();
    for (const key of secretOutputs) {
      expect(await pulumi.isSecret(out[key] as pulumi.Output<unknown>), key).toBe(true);
    }
    for (const key of [
      "apiUrl",
      "redisHost",
      "redisPort",
      "apiContainerName",
      "redisContainerName",
    ]) {
      expect(await pulumi.isSecret(out[key] as pulumi.Output<unknown>), key).toBe(false);
    }
    // prod's clients reach the API through the edge proxy (Pulumi.prod.yaml `edge`, on 0.0.0.0).
    expect(await promiseOf(out.apiUrl as pulumi.Output<string>)).toBe(
      stack === "prod" ? "https://localhost" : "http://127.0.0.1:3003",
    );
    expect(await promiseOf(out.redisHost as pulumi.Output<string>)).toBe("redis");
    expect(await promiseOf(out.redisPort as pulumi.Output<number>)).toBe(6379);
  });

  it("generates passwords with @pulumi/random, at least 32 characters, and no default appears anywhere", () => {
    const passwords = byType(run(), "random:index/randomPassword:RandomPassword");
    // app, probe and admin; prod's backups add the `backup` user's, its monitoring `exporter`'s.
    expect(passwords.length).toBe(stack === "prod" ? 5 : 3);
    for (const p of passwords)
      expect((p.properties as Props).length as number).toBeGreaterThanOrEqual(32);
    expect(
      (one(run(), "random:index/randomId:RandomId", "secret-key").properties as Props).byteLength,
    ).toBe(32);
    const everything = JSON.stringify(run().resources.map((r) => reveal(r.properties)));
    expect(everything).not.toMatch(/novita_redis_password|changeme|your-secret-key/i);
    const conf = (
      reveal((one(run(), CONTAINER, "cache-server").properties.uploads as Props[])[0]) as {
        content: string;
      }
    ).content;
    const env = (reveal(one(run(), CONTAINER, "api-server").properties.envs) as string[]).map((e) =>
      e.split(/=(.*)/s),
    );
    // redis.conf holds SHA-256 hashes only; the passwords behind them are the RandomPassword
    // results checked above, and the app's is the one in the API's env.
    expect([...conf.matchAll(/^user \S+ on #[0-9a-f]{64} /gm)]).toHaveLength(
      stack === "prod" ? 5 : 3,
    );
    const secretValues = [
      ...env
        .filter(([k]) => /PASSWORD|SECRET/.test(k as string))
        .map(([k, v]) => [k, v as string, k === "SECRET_KEY" ? 64 : 32]),
    ] as [string, string, number][];
    expect(secretValues).toHaveLength(2);
    for (const [where, value, min] of secretValues)
      expect(weakSecretReason(value, min), where).toBeUndefined();
  });

  it("leaves every Docker physical name to Pulumi's auto-naming", () => {
    for (const r of run().resources.filter((x) => x.type.startsWith("docker:"))) {
      expect(r.properties.name, r.urn).toBeUndefined();
    }
  });
});
