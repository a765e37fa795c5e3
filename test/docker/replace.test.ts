/**
 * Scenario 2: a second `up` that replaces things — a Redis password rotation and an image
 * bump — on the same data volume, and the same second `up` on the capability set from
 * before the fix, which crash-loops.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { ApplyError } from "./applier";
import {
  engine,
  SINGLE_API,
  firstUp,
  nextUp,
  requireImages,
  teardown,
  type Deployment,
} from "./harness";
import { describeDocker } from "./layer";

const post = (d: Deployment, path: string) =>
  fetch(`http://127.0.0.1:${d.apiPort}${path}`, { method: "POST" });

async function counter(d: Deployment): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${d.apiPort}/counter`);
  return Number(((await res.json()) as { value: number }).value);
}

describeDocker("a second up that rotates the Redis password and bumps the image (prod)", () => {
  let d: Deployment | undefined;
  const docker = engine();
  const acked: number[] = [];
  let firstSteps = 0;

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("prod", SINGLE_API);
    for (let i = 0; i < 100; i++) {
      const res = await post(d, "/counter");
      if (res.status === 200) acked.push(Number(((await res.json()) as { value: number }).value));
    }
    const volume = d.applier.physicalName("cache-data");
    firstSteps = d.applier.steps.length;
    await nextUp(d, {
      ...SINGLE_API,
      redis: { ...SINGLE_API.redis, image: "redis:7.4.2-alpine" },
      secrets: { "api-stack:redisPassword": randomBytes(24).toString("hex") },
    });
    expect(d.applier.physicalName("cache-data")).toBe(volume);
  }, 300_000);

  afterAll(() => teardown(d), 120_000);

  test("Redis and the API were replaced, delete-first; the volume was not", () => {
    const second = d!.applier.steps.slice(firstSteps);
    const op = (name: string) => second.find((s) => s.name === name)?.op;
    expect(op("cache-server")).toBe("replace");
    expect(op("api-server")).toBe("replace");
    expect(op("cache-data")).toBe("same");
    expect(second.find((s) => s.name === "cache-server")?.changed).toEqual(
      expect.arrayContaining(["image", "uploads"]),
    );
  });

  test("Redis is healthy again on the same volume and every acknowledged write is there", async () => {
    const info = await docker.getContainer(d!.applier.physicalName("cache-server")).inspect();
    expect(info.State.Health?.Status).toBe("healthy");
    expect(info.Config.Image).toBe("redis:7.4.2-alpine");
    expect(info.RestartCount).toBe(0);
    const after = await counter(d!);
    const step = d!.applier.steps.slice(firstSteps).find((s) => s.name === "cache-server");
    console.log(
      `[replace] ${acked.length} writes acknowledged before (counter ${Math.max(...acked)}); after the password rotation and ${info.Config.Image}: counter ${after}, Redis healthy ${((step?.ms ?? 0) / 1000).toFixed(1)} s after its replace began, restarts ${info.RestartCount}`,
    );
    expect(acked).toHaveLength(100);
    expect(after).toBe(Math.max(...acked));
  });

  test("the API works with the new password", async () => {
    expect((await fetch(`http://127.0.0.1:${d!.apiPort}/health`)).status).toBe(200);
    expect((await post(d!, "/counter")).status).toBe(200);
  });
});

describeDocker("the same second up on the capability set from before the fix", () => {
  let d: Deployment | undefined;
  const docker = engine();
  let failure: unknown;

  beforeAll(async () => {
    await requireImages(docker);
    // The old component: root, drops ALL, adds CHOWN/SETGID/SETUID back (commit 1c0e7c6), on
    // the image generation that bug was about: redis:7.4.2-alpine, whose entrypoint chowns with
    // `find` and drops to redis with gosu. (From 7.4.9 the entrypoint drops with setpriv, which
    // fails outright with these capabilities: "setpriv: apply bounding set: Operation not
    // permitted", test/docker/images/redis-entrypoint.sh.)
    const oldCaps = (r: { name: string; properties: Record<string, unknown> }) => {
      if (r.name !== "cache-server") return;
      r.properties.image = "redis:7.4.2-alpine";
      delete r.properties.user;
      r.properties.capabilities = { drops: ["ALL"], adds: ["CHOWN", "SETGID", "SETUID"] };
      r.properties.waitTimeout = 25;
    };
    d = await firstUp("prod", { ...SINGLE_API, mutate: oldCaps });
    await post(d, "/counter");
    // A second up that replaces Redis on the same volume: a new maxmemory rewrites redis.conf.
    failure = await nextUp(d, {
      ...SINGLE_API,
      redis: { ...SINGLE_API.redis, maxmemoryMb: 320 },
      mutate: oldCaps,
    }).catch((e: unknown) => e);
  }, 300_000);

  afterAll(() => teardown(d), 120_000);

  test("the first up works (empty volume); the replacement never becomes healthy", () => {
    expect(failure).toBeInstanceOf(ApplyError);
    expect(String(failure)).toMatch(/container failed to be in healthy state/);
  });

  test("the entrypoint dies on appendonlydir and the container restarts again and again", async () => {
    const c = docker.getContainer(d!.applier.physicalName("cache-server"));
    const info = await c.inspect();
    const logs = (await c.logs({ stdout: true, stderr: true, tail: 20 })).toString("utf8");
    console.log(
      `[old capability set] restarts ${info.RestartCount}, status ${info.State.Status}, log: ${logs
        .split("\n")
        .filter((l) => l.includes("Permission denied"))
        .slice(-2)
        .map((l) => l.replace(/^[^a-z]*/i, ""))
        .join(" | ")}`,
    );
    expect(logs).toMatch(/find: .\.\/appendonlydir.: Permission denied/);
    expect(info.RestartCount).toBeGreaterThan(0);
  });
});
