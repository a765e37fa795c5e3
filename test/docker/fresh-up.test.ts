/**
 * Scenario 1: a fresh `up` of dev and of prod, from the committed stack files (host ports
 * excepted, so files can run side by side), on the private engine.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { createConnection } from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { PROJECT_DIR } from "../../gate";
import { redisCliUrl, tempDir } from "../real/util";
import {
  engine,
  firstUp,
  nextUp,
  outputsOf,
  request,
  requireImages,
  teardown,
  type Deployment,
} from "./harness";
import { DOCKER_SOCKET } from "../layers";
import { describeDocker } from "./layer";

const run = promisify(execFile);

/** Whether something accepts a TCP connection at host:port within 2 s. */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port, timeout: 2_000 });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("timeout", () => (s.destroy(), resolve(false)));
    s.once("error", () => resolve(false));
  });
}

describeDocker.each(["dev", "prod"])("fresh up of %s on a real Docker engine", (stack) => {
  let d: Deployment | undefined;
  let out: Record<string, unknown>;
  const docker = engine();
  const figures: string[] = [];

  beforeAll(async () => {
    await requireImages(docker);
    const started = performance.now();
    d = await firstUp(stack);
    figures.push(`up from empty ${((performance.now() - started) / 1_000).toFixed(1)} s`);
    out = await outputsOf(d.run);
    for (const s of d.applier.steps.filter(
      (s) => s.op === "create" && s.type.endsWith("Container"),
    ))
      figures.push(`${s.name}: healthy ${(s.ms / 1_000).toFixed(1)} s after create`);
  }, 420_000);

  afterAll(async () => {
    console.log(`[${stack}] ${figures.join("; ")}`);
    await teardown(d);
  }, 120_000);

  const inspect = (logical: string) =>
    docker.getContainer(d!.applier.physicalName(logical)).inspect();

  /** Every container the stack created: Redis and the API, and in prod the replicas, workers and proxy. */
  const containers = () =>
    d!.run.resources
      .filter((r) => r.type === "docker:index/container:Container")
      .map((r) => r.name);

  test("every container is healthy, each within its own waitTimeout", async () => {
    const all = containers();
    expect(all).toEqual(
      expect.arrayContaining(
        stack === "prod"
          ? [
              "cache-server",
              "api-server",
              "api-server-2",
              "jobs-worker",
              "jobs-worker-2",
              "edge-proxy",
            ]
          : ["cache-server", "api-server"],
      ),
    );
    for (const logical of all) {
      const info = await inspect(logical);
      expect(info.State.Health?.Status, logical).toBe("healthy");
      const step = d!.applier.steps.find((s) => s.name === logical)!;
      const props = d!.run.resources.find((r) => r.name === logical)!.properties;
      expect(step.ms / 1_000).toBeLessThan(props.waitTimeout as number);
    }
  });

  test("the API reaches Redis by its alias over the internal network, authenticated", async () => {
    const res = await request(d!, String(out.apiHealthPath));
    expect(res.status).toBe(200);
    const env = (await inspect("api-server")).Config.Env;
    expect(env).toContain("REDIS_HOST=redis");
    const nets = (await inspect("cache-server")).NetworkSettings.Networks;
    const backend = Object.entries(nets).find(([, n]) => n.Aliases?.includes("redis"));
    expect(backend, "Redis has the alias redis on a network").toBeDefined();
    const net = await docker.getNetwork(backend![0]).inspect();
    expect(net.Internal).toBe(true);
  });

  const published = async (logical: string) =>
    (
      Object.values((await inspect(logical)).NetworkSettings.Ports ?? {})
        .flat()
        .filter(Boolean) as {
        HostIp: string;
        HostPort: string;
      }[]
    ).map((b) => `${b.HostIp}:${b.HostPort}`);

  if (stack === "prod") {
    test("only the edge proxy publishes, 80 and 443 on its address; the API replicas publish nothing", async () => {
      for (const logical of containers().filter((n) => n !== "edge-proxy"))
        expect(await published(logical), logical).toEqual([]);
      expect((await published("edge-proxy")).sort()).toEqual(
        [`${d!.edgeIp}:443`, `${d!.edgeIp}:80`].sort(),
      );
    });
  } else {
    test("the API's port is published on 127.0.0.1 only", async () => {
      expect(await published("api-server")).toEqual([`127.0.0.1:${d!.apiPort}`]);
      expect(await answers("127.0.0.1", d!.apiPort)).toBe(true);
    });
  }

  if (stack === "prod") {
    test("Redis publishes nothing and is on its internal network alone", async () => {
      const info = await inspect("cache-server");
      expect(
        Object.values(info.NetworkSettings.Ports ?? {})
          .flat()
          .filter(Boolean),
      ).toEqual([]);
      const nets = Object.keys(info.NetworkSettings.Networks);
      expect(nets).toHaveLength(1);
      expect((await docker.getNetwork(nets[0]!).inspect()).Internal).toBe(true);
    });
  } else {
    test("Redis answers redis-cli -u <redisHostUrl> on 127.0.0.1:debugPort (the debug network)", async () => {
      expect(String(out.redisHostUrl)).toContain(`@127.0.0.1:${d!.debugPort}`);
      const r = await redisCliUrl(String(out.redisHostUrl), ["PING"]);
      expect(r.stdout.trim()).toBe("PONG");
    });

    test("npm run verify against the live deployment passes", async () => {
      const file = path.join(tempDir(), "outputs.json");
      fs.writeFileSync(file, JSON.stringify(out), { mode: 0o600 });
      const r = await run(
        "node",
        ["--import", "tsx", "scripts/verify.ts", "--outputs", file, "--timeout", "30"],
        { cwd: PROJECT_DIR, env: { ...process.env, DOCKER_HOST: `unix://${DOCKER_SOCKET}` } },
      ).catch((e: { stdout: string; stderr: string; code: number }) => e);
      expect(r.stdout, r.stderr).toMatch(/^api health\s+PASS/m);
      expect(r.stdout).toMatch(/^redis ping\s+PASS/m);
      expect(r.stdout).toMatch(/^redis persistence\s+PASS/m);
      expect(r.stdout).toMatch(/^docker engine\s+PASS\s.*API 1\.(4[4-9]|[5-9]\d)/m);
      // Issue 25: the stack's containers on the same engine, found by the names in the outputs.
      expect(r.stdout).toMatch(/^containers\s+PASS\s+\d+ running and healthy/m);
      expect(r.stdout).toMatch(/5 passed, 0 failed/);
    }, 60_000);
  }

  // The bridge diffs the new inputs against what the provider's Read wrote after create
  // (read-back.ts), so an input that reads back differently (cpus 1 → "1.0", a capability
  // without CAP_, a daemon-merged log option) would replace containers on every `up`.
  test("a second up with no change plans nothing and applies nothing", async () => {
    // .ci/run runs this file again on a daemon started with `--log-opt compress=true`
    // (API_STACK_DAEMON_LOG_OPTS): the daemon merges that into every container's log config,
    // which the provider reads back, so first show it did.
    const merged = process.env.API_STACK_DAEMON_LOG_OPTS;
    if (merged) {
      const [key, value] = merged.split("=");
      const info = await inspect("api-server");
      expect(info.HostConfig.LogConfig?.Config?.[key!], `daemon log-opt ${merged}`).toBe(value);
    }
    const before = d!.applier.steps.length;
    await nextUp(d!);
    const steps = d!.applier.steps.slice(before);
    const changed = steps.filter((s) => s.op !== "same");
    console.log(
      `[${stack}] second up: ${steps.length} steps, ${changed.length} not same${changed.map((s) => `; ${s.op} ${s.name} (${(s.changed ?? []).join(", ")})`).join("")}`,
    );
    expect(changed.map((s) => `${s.op} ${s.name} (${(s.changed ?? []).join(", ")})`)).toEqual([]);
    expect(steps.length).toBe(d!.run.resources.filter((r) => r.type.startsWith("docker:")).length);
  }, 120_000);
});
