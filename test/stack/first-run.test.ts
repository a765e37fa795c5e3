/**
 * What a first real `pulumi preview`, `pulumi up` and replacement meet, read from the
 * engine's and the Docker provider's source. Each block names the upstream function the
 * belief comes from; each assertion fails on the code from before the fix.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { goDuration, parseDuration } from "../../components/lib/duration";
import { ProgramError, PROJECT_DIR, type ProgramRun } from "../../gate";
import { byType, one, reveal, runStack } from "../helpers/program";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
type Props = Record<string, unknown>;

const STACKS = fs
  .readdirSync(PROJECT_DIR)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
  runs.dev = await runStack("dev");
  runs.prod = await runStack("prod");
});
const props = (stack: string, name: string) =>
  reveal(one(runs[stack] as ProgramRun, CONTAINER, name).properties) as Props;

describe("Pulumi.yaml against every stack file (pulumi/pulumi pkg/workspace/config.go, mergeConfig)", () => {
  const project = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, { default?: unknown; value?: unknown; secret?: boolean }>;
  };

  it("finds the stack files", () => {
    expect(STACKS).toEqual(expect.arrayContaining(["dev", "prod"]));
  });

  // mergeConfig: a key declared in the project namespace with no `default` and no `value`
  // that the stack does not set is "missing"; the engine stops before the program runs.
  it.each(STACKS)("Pulumi.%s.yaml sets every declared key that has no default", (stack) => {
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
      config?: Record<string, unknown>;
    };
    const set = new Set(
      Object.keys(doc.config ?? {}).map((k) => (k.includes(":") ? k : `${project.name}:${k}`)),
    );
    const missing = Object.entries(project.config ?? {})
      .filter(([, d]) => d.default === undefined && d.value === undefined)
      .map(([k]) => k)
      .filter((k) => !set.has(`${project.name}:${k}`));
    expect(missing, `Stack '${stack}' is missing configuration values`).toEqual([]);
  });
});

describe("Redis restarts on its own volume (docker-library/redis docker-entrypoint.sh)", () => {
  // As root, the entrypoint runs `find . \! -user redis -exec chown …` under `set -e`; with
  // every capability dropped, root cannot enter the 0700 appendonlydir of an earlier start.
  it.each(["dev", "prod"])(
    "%s: runs as the image's redis uid with no capability added",
    (stack) => {
      const redis = props(stack, "cache-server");
      expect(redis.user).toBe("999");
      expect(redis.capabilities).toEqual({ drops: ["ALL"] });
      expect(redis.securityOpts).toEqual(["no-new-privileges:true"]);
    },
  );

  it.each(["dev", "prod"])("%s: its uploads do not depend on an upload owner", (stack) => {
    // kreuzwerker v4.5.0 resourceDockerContainerCreate writes tar headers without uid/gid:
    // files land root-owned, so the redis uid can read them only through the mode.
    const uploads = props(stack, "cache-server").uploads as Props[];
    for (const u of uploads) {
      expect(u.owner).toBeUndefined();
      expect(u.group).toBeUndefined();
      expect(u.permissions).toBe("0444");
    }
  });
});

describe("Replacements stop gracefully (kreuzwerker resource_docker_container_funcs.go, resourceDockerContainerDelete)", () => {
  it.each([
    ["dev", "api-server"],
    ["dev", "cache-server"],
    ["prod", "api-server"],
    ["prod", "cache-server"],
  ])("%s %s: destroyGraceSeconds equals its stopTimeout, and is not 0", (stack, name) => {
    const c = props(stack, name);
    expect(c.stopTimeout).toBeGreaterThanOrEqual(10);
    expect(c.destroyGraceSeconds).toBe(c.stopTimeout);
  });
});

describe("Memory limits can be changed by a later up (resourceDockerContainerUpdate)", () => {
  // Docker refuses a memory update above the current swap limit unless the swap limit comes
  // with it, and the provider sends memory_swap only when it is set (test/docker/update.test.ts).
  it.each([
    ["prod", "api-server"],
    ["prod", "cache-server"],
    ["dev", "cache-server"],
  ])("%s %s: memorySwap equals memory", (stack, name) => {
    const c = props(stack, name);
    expect(c.memory).toBeGreaterThan(0);
    expect(c.memorySwap).toBe(c.memory);
  });
});

describe("dev's Redis debug port can be published (moby/moby#36174)", () => {
  it("Redis joins a non-internal network besides the internal backend, only when debugPort is set", () => {
    const networks = (stack: string) =>
      byType(runs[stack] as ProgramRun, NETWORK).map((n) => ({
        name: (reveal(n.state) as Props).name,
        internal: (reveal(n.properties) as Props).internal,
      }));
    const joined = (stack: string) =>
      (props(stack, "cache-server").networksAdvanced as Props[]).map((n) => n.name);
    const internalOf = (stack: string, netName: unknown) =>
      networks(stack).find((n) => n.name === netName)?.internal;

    const dev = props("dev", "cache-server");
    expect(dev.ports).toEqual([expect.objectContaining({ ip: "127.0.0.1", external: 16379 })]);
    expect(joined("dev").map((n) => internalOf("dev", n))).toEqual([true, false]);
    // prod publishes nothing and stays on the internal network alone.
    expect(props("prod", "cache-server").ports).toEqual([]);
    expect(joined("prod").map((n) => internalOf("prod", n))).toEqual([true]);
  });
});

describe("Healthcheck edits reach the container (kreuzwerker resource_docker_container.go schema, resourceDockerContainerUpdate)", () => {
  it.each([
    ["dev", "api-server"],
    ["dev", "cache-server"],
    ["prod", "api-server"],
    ["prod", "cache-server"],
  ])("%s %s: a healthcheck change replaces the container", (stack, name) => {
    const c = one(runs[stack] as ProgramRun, CONTAINER, name);
    expect(c.options.replaceOnChanges).toContain("healthcheck");
  });

  // resourceDockerContainerRead stores `Healthcheck.Interval.String()`, Go's form; an input
  // in any other form is a diff on every refresh, and with replaceOnChanges a replacement.
  it.each(["dev", "prod"])(
    "%s: every healthcheck duration is written in Go's own form",
    (stack) => {
      for (const name of ["api-server", "cache-server"]) {
        const hc = props(stack, name).healthcheck as Record<string, string>;
        for (const field of ["interval", "timeout", "startPeriod", "startInterval"]) {
          const text = hc[field] as string;
          expect(goDuration(parseDuration(text) as number), `${name}.${field}`).toBe(text);
        }
      }
    },
  );
});

describe("Redis URLs work with redis-cli -u (redis/redis src/cli_common.c, parseRedisUri)", () => {
  it("dev's host URLs name the user, default included", async () => {
    const outputs = runs.dev?.outputs ?? {};
    const { promiseOf } = await import("../helpers/program");
    const app = await promiseOf(outputs.redisHostUrl as never);
    expect(String(app)).toMatch(/^redis:\/\/default:[^@]+@127\.0\.0\.1:16379$/);
    const inNetwork = await promiseOf(outputs.redisUrl as never);
    expect(String(inNetwork)).toMatch(/^redis:\/\/default:[^@]+@redis:6379$/);
  });
});

describe("An external URL without a user is exported with `default` (components/redis-connection.ts)", () => {
  it("rediss://:pw@host becomes rediss://default:pw@host in the redisUrl output and REDIS_URL", async () => {
    const pw = "Tq8Lm2Xz9Vb4Nc7Rw1Ky5Hd3Gf6Js0PaEe";
    const run = await runStack("prod-external", {
      secrets: { "api-stack:redisUrl": `rediss://:${pw}@cache.example.com:6380` },
    });
    const { promiseOf } = await import("../helpers/program");
    expect(await promiseOf(run.outputs.redisUrl as never)).toBe(
      `rediss://default:${pw}@cache.example.com:6380`,
    );
    const env = (reveal(one(run, CONTAINER, "api-server").properties.envs) as string[]).find((e) =>
      e.startsWith("REDIS_URL="),
    );
    expect(env).toBe(`REDIS_URL=rediss://default:${pw}@cache.example.com:6380`);
  });
});

describe("Config in a namespace nothing reads is refused, not dropped", () => {
  it("`apistack:redis` names the key, the file and the likely typo, and registers nothing", async () => {
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const err = await runStack("dev", {
      overrides: { "api-stack:redis": undefined, "apistack:redis": doc.config["api-stack:redis"] },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProgramError);
    const e = err as ProgramError;
    expect(e.resources).toHaveLength(0);
    expect(e.message).toContain("`apistack:redis`");
    expect(e.message).toContain("did you mean `api-stack:redis`?");
    expect(e.message).toContain("Pulumi.dev.yaml");
    expect(e.message).not.toMatch(/\n\s+at /);
  });
});
