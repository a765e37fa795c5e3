/**
 * `npm run verify`'s container diagnostics on the real engine: the never-healthy release
 * (ghcr.io/acme/api:1.4.4-never-healthy, whose process never listens) run as the stack runs
 * its API, with the stack's labels, a curl probe and a Redis URL in its environment, beside a
 * worker that exits with an error and a container without a healthcheck. Verify must name the
 * first two, print their State, their probes' outputs (State.Health.Log) and their log tails,
 * and never print the password, the secret key or a token, though all three are in the logs.
 * The containers are created here with dockerode rather than by a full `up`: what is under test
 * is what verify reads back from the engine, not the deploy.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, expect, test } from "vitest";
import { diagnose, engineSource, formatDiagnostics, type Diagnostics } from "../../verify";
import { DOCKER_SOCKET } from "../layers";
import { freePort, randomPassword, removeTempDirs, run, sleep, tempDir } from "../real/util";
import { engine } from "./harness";
import { describeDocker } from "./layer";

const BROKEN = "ghcr.io/acme/api:1.4.4-never-healthy";
const REPO = resolve(__dirname, "../..");
const TSX_CLI = join(REPO, "node_modules/tsx/dist/cli.mjs");

describeDocker("npm run verify: diagnostics of the stack's unhealthy containers", () => {
  const docker = engine();
  const stack = `verify-diag-${process.pid}`;
  const name = {
    api: `${stack}-api-server`,
    worker: `${stack}-worker-jobs`,
    redis: `${stack}-redis`,
  };
  const password = randomPassword();
  const secretKey = randomPassword() + randomPassword();
  const redisUrl = `redis://:${password}@redis:6379/0`;
  // Not in any output: masked by its shape alone.
  const token = `ghp_${"A1b2C3d4E5".repeat(4)}`;
  const created: Docker.Container[] = [];
  let diag: Diagnostics;

  const create = async (opts: Docker.ContainerCreateOptions) => {
    const c = await docker.createContainer(opts);
    created.push(c);
    await c.start();
    return c;
  };
  const labels = (role: string) => ({ "com.api-stack.stack": stack, "com.api-stack.role": role });
  const expectNoSecret = (text: string) => {
    for (const s of [password, encodeURIComponent(password), secretKey, token])
      expect(text).not.toContain(s);
  };

  beforeAll(async () => {
    await docker
      .getImage(BROKEN)
      .inspect()
      .catch(() => {
        throw new Error(
          `the private engine lacks ${BROKEN}: run DOCKER_HOST=unix://${DOCKER_SOCKET} test/docker/images/build.sh`,
        );
      });
    // What a misconfigured release logs on its way to never listening.
    const apiLog = [
      "console.log('api 1.4.4 starting, redis ' + process.env.REDIS_URL)",
      "console.error('redis AUTH failed with password ' + process.env.REDIS_PASSWORD)",
      "console.log(JSON.stringify({ level: 'warn', msg: 'session store', secret_key: process.env.SECRET_KEY, github: process.env.GH }))",
      "setInterval(() => {}, 60000)",
    ].join(";");
    await create({
      name: name.api,
      Image: BROKEN,
      Labels: labels("api"),
      Cmd: ["node", "-e", apiLog],
      Env: [
        `REDIS_URL=${redisUrl}`,
        `REDIS_PASSWORD=${password}`,
        `SECRET_KEY=${secretKey}`,
        `GH=${token}`,
      ],
      // The stack's probe (components/lib/healthcheck.ts httpProbe), plus what a probe that
      // quotes its configuration prints.
      Healthcheck: {
        Test: [
          "CMD-SHELL",
          'curl -fsS -o /dev/null --max-time 1 http://127.0.0.1:3000/health || { echo "redis $REDIS_URL unchecked"; exit 1; }',
        ],
        Interval: 1e9,
        Timeout: 1e9,
        Retries: 2,
        StartPeriod: 0,
      },
    });
    await create({
      name: name.worker,
      Image: BROKEN,
      Labels: labels("worker"),
      Env: [`REDIS_URL=${redisUrl}`],
      Cmd: [
        "node",
        "-e",
        "console.error('fatal: cannot connect to ' + process.env.REDIS_URL); process.exit(3)",
      ],
    });
    // Running and without a healthcheck: healthy as far as Docker can tell, so not reported.
    await create({
      name: name.redis,
      Image: BROKEN,
      Labels: labels("redis"),
      Cmd: ["node", "-e", "setInterval(() => {}, 60000)"],
    });
    for (let i = 0; i < 60; i++) {
      const s = (await docker.getContainer(name.api).inspect()).State;
      if (s.Health?.Status === "unhealthy" && (s.Health.Log?.length ?? 0) >= 3) break;
      await sleep(500);
    }
    diag = await diagnose(engineSource(docker), {
      stack,
      names: [],
      secrets: [password, secretKey, redisUrl],
      dockerHost: `unix://${DOCKER_SOCKET}`,
    });
  }, 60_000);

  afterAll(async () => {
    // Only what this file created.
    await Promise.all(created.map((c) => c.remove({ force: true }).catch(() => undefined)));
    removeTempDirs();
  }, 60_000);

  test("found by the stack label: the unhealthy API and the exited worker, with their State", () => {
    expect(diag.checked).toEqual([name.api, name.redis, name.worker].sort());
    const byName = Object.fromEntries(diag.unhealthy.map((u) => [u.name, u]));
    expect(Object.keys(byName).sort()).toEqual([name.api, name.worker].sort());
    expect(byName[name.api]).toMatchObject({
      role: "api",
      reason: expect.stringMatching(/^unhealthy \(\d+ failed probes in a row\)$/),
      state: { status: "running", health: "unhealthy", exitCode: 0, oomKilled: false },
    });
    expect(byName[name.worker]).toMatchObject({
      role: "worker",
      reason: "status exited",
      state: { status: "exited", exitCode: 3, oomKilled: false, restartCount: 0 },
    });
  });

  test("the probes' outputs and the log tails are there, every secret masked", () => {
    const api = diag.unhealthy.find((u) => u.name === name.api)!;
    expect(api.healthLog.length).toBeGreaterThanOrEqual(3);
    for (const p of api.healthLog) {
      expect(p.exitCode).toBe(1);
      expect(Date.parse(p.start)).toBeGreaterThan(0);
      // Docker keeps the probe's stdout and stderr in one string, in whatever order the two
      // pipes were read: the echo's one line can land inside curl's message (seen in CI).
      const line = "redis redis://:****@redis:6379/0 unchecked";
      expect(p.output).toContain(line);
      expect(p.output.replace(line, "")).toContain(
        "curl: (7) Failed to connect to 127.0.0.1 port 3000",
      );
    }
    // stdout and stderr interleave in the order the log driver received them, which node's
    // buffered stdout does not fix.
    expect([...api.logTail].sort()).toEqual(
      [
        "api 1.4.4 starting, redis redis://:****@redis:6379/0",
        "redis AUTH failed with password ****",
        '{"level":"warn","msg":"session store","secret_key":"****","github":"****"}',
      ].sort(),
    );
    const worker = diag.unhealthy.find((u) => u.name === name.worker)!;
    expect(worker.logTail).toEqual(["fatal: cannot connect to redis://:****@redis:6379/0"]);
    expect(worker.healthLog).toEqual([]);
    expectNoSecret(JSON.stringify(diag) + formatDiagnostics(diag));
  });

  test("the CLI prints them, fails, and puts them in --json's diagnostics", async () => {
    const dir = tempDir();
    const outputs = join(dir, "outputs.json");
    writeFileSync(
      outputs,
      JSON.stringify({
        platform: "docker",
        apiUrl: `http://127.0.0.1:${await freePort()}`,
        redisUrl,
        redisPassword: password,
        secretKey,
        redisMode: "external",
        apiContainerNames: [name.api],
        workerContainerNames: { jobs: [name.worker] },
        redisContainerName: name.redis,
      }),
    );
    const env = { ...process.env, DOCKER_HOST: `unix://${DOCKER_SOCKET}` };
    const cli = (...args: string[]) =>
      run(
        process.execPath,
        [TSX_CLI, "scripts/verify.ts", "--outputs", outputs, "--timeout", "1", ...args],
        { cwd: REPO, env, timeoutMs: 60_000 },
      );
    const text = await cli();
    console.log(`[verify diagnostics] stdout:\n${text.stdout}`);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`containers not healthy on unix://${DOCKER_SOCKET}:`);
    expect(text.stdout).toMatch(
      new RegExp(
        `── ${name.api} \\(api\\): unhealthy[^\\n]*\\n   state: Status=running Health=unhealthy ExitCode=0 OOMKilled=false RestartCount=0\\n   last \\d health probes:\\n     \\S+  exit 1  curl: \\(7\\)`,
      ),
    );
    expect(text.stdout).toContain("       redis redis://:****@redis:6379/0 unchecked");
    expect(text.stdout).toContain("     api 1.4.4 starting, redis redis://:****@redis:6379/0\n");
    expect(text.stdout).toContain(
      `── ${name.worker} (worker): status exited\n   state: Status=exited ExitCode=3 OOMKilled=false RestartCount=0`,
    );
    expect(text.stdout).toMatch(/^containers\s+FAIL\s+2 of 3 not healthy: /m);
    expectNoSecret(text.stdout + text.stderr);

    const json = await cli("--json");
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; diagnostics: Diagnostics };
    expect(report.ok).toBe(false);
    expect(report.diagnostics.unhealthy.map((u) => u.name).sort()).toEqual(
      [name.api, name.worker].sort(),
    );
    expect(
      report.diagnostics.unhealthy.find((u) => u.name === name.api)?.healthLog[0]?.output,
    ).toContain("redis redis://:****@redis:6379/0 unchecked");
    expectNoSecret(json.stdout + json.stderr);
  }, 90_000);
});
