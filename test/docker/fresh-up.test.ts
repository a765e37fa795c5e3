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
import { engine, firstUp, outputsOf, requireImages, teardown, type Deployment } from "./harness";
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
    d = await firstUp(stack);
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

  test("both containers are healthy, each within its own waitTimeout", async () => {
    for (const logical of ["cache-server", "api-server"]) {
      const info = await inspect(logical);
      expect(info.State.Health?.Status, logical).toBe("healthy");
      const step = d!.applier.steps.find((s) => s.name === logical)!;
      const props = d!.run.resources.find((r) => r.name === logical)!.properties;
      expect(step.ms / 1_000).toBeLessThan(props.waitTimeout as number);
    }
  });

  test("the API reaches Redis by its alias over the internal network, authenticated", async () => {
    const res = await fetch(`http://127.0.0.1:${d!.apiPort}${String(out.apiHealthPath)}`);
    expect(res.status).toBe(200);
    const env = (await inspect("api-server")).Config.Env;
    expect(env).toContain("REDIS_HOST=redis");
    const nets = (await inspect("cache-server")).NetworkSettings.Networks;
    const backend = Object.entries(nets).find(([, n]) => n.Aliases?.includes("redis"));
    expect(backend, "Redis has the alias redis on a network").toBeDefined();
    const net = await docker.getNetwork(backend![0]).inspect();
    expect(net.Internal).toBe(true);
  });

  test("the API's port is published on 127.0.0.1 only", async () => {
    const ports = (await inspect("api-server")).NetworkSettings.Ports;
    const bindings = Object.values(ports).flat().filter(Boolean) as { HostIp: string }[];
    expect(bindings.map((b) => b.HostIp)).toEqual(["127.0.0.1"]);
    expect(await answers("127.0.0.1", d!.apiPort)).toBe(true);
  });

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
        {
          cwd: PROJECT_DIR,
        },
      ).catch((e: { stdout: string; stderr: string; code: number }) => e);
      expect(r.stdout, r.stderr).toMatch(/^api health\s+PASS/m);
      expect(r.stdout).toMatch(/^redis ping\s+PASS/m);
      expect(r.stdout).toMatch(/^redis persistence\s+PASS/m);
      expect(r.stdout).toMatch(/3 passed, 0 failed/);
    }, 60_000);
  }
});
