/**
 * Runs the example API the way the stack does: bundled by examples/api/build.mjs, started
 * with `node` and the environment buildApiEnv generates, against a real redis-server on the
 * config renderRedisConf generates.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from "node:http";
import { join, resolve } from "node:path";
import { createClient } from "redis";
import { buildApiEnv } from "../../components/lib/env";
import { renderRedisConf, REDIS_USERS } from "../../components/lib/redis-conf";
import { buildRedisUrl } from "../../components/lib/redis-url";
import {
  freePort,
  randomPassword,
  removeTempDirs,
  run,
  sleep,
  startRedis,
  stopAllRedis,
  tempDir,
  type RedisProcess,
} from "../real/util";

const ROOT = resolve(__dirname, "../..");

/** Bundles the server into a temp dir of its own, so test files never race on dist/. */
export async function buildServer(): Promise<string> {
  const out = join(tempDir("example-api-build-"), "server.js");
  const r = await run(process.execPath, [join(ROOT, "examples/api/build.mjs"), out], {
    cwd: ROOT,
    timeoutMs: 30_000,
  });
  if (r.code !== 0) throw new Error(`build.mjs failed (${r.code}): ${r.stderr}`);
  return out;
}

/**
 * The client type of a plain createClient call, taken from a non-generic function: tsc's
 * check of `ReturnType<typeof createClient>` (createClient is generic) measured the variance of
 * every RedisClientType command map, the type check's top hot spot (docs/testing.md, "Where
 * tsc's time goes"; test/real/redis-client.ts).
 */
const newAdminClient = (url: string) => createClient({ url, socket: { reconnectStrategy: false } });
type AdminClient = ReturnType<typeof newAdminClient>;

export interface TestRedis {
  readonly port: number;
  readonly appPassword: string;
  /** The app URL, exactly as the stack builds it: redis://default:pw@127.0.0.1:port */
  readonly url: string;
  /** An admin client for assertions and clean-up (the app user may not FLUSHALL). */
  readonly admin: AdminClient;
  /** The running redis-server, e.g. to SIGSTOP it. */
  readonly server: RedisProcess;
  /** SIGKILLs redis-server, as a crash or `docker kill` would; the admin client goes with it. */
  kill(): Promise<void>;
  /**
   * Starts redis-server again on the same port, config and data dir (so the AOF is
   * reloaded), with a new admin client. Resolves once it is ready.
   */
  restart(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = tempDir();
  const port = await freePort();
  const appPassword = randomPassword();
  const adminPassword = randomPassword();
  const conf = renderRedisConf({
    port,
    dir,
    appendfsync: "everysec",
    maxmemoryMb: 64,
    evictionPolicy: "noeviction",
    appPassword,
    probePassword: randomPassword(),
    adminPassword,
  });
  const connectAdmin = async (): Promise<AdminClient> => {
    const client = newAdminClient(
      buildRedisUrl({
        host: "127.0.0.1",
        port,
        tls: false,
        password: adminPassword,
        username: REDIS_USERS.admin,
      }),
    );
    client.on("error", () => undefined);
    await client.connect();
    return client;
  };
  let server = await startRedis({ conf, dir, port });
  let admin = await connectAdmin();
  return {
    port,
    appPassword,
    url: buildRedisUrl({ host: "127.0.0.1", port, tls: false, password: appPassword }),
    get admin() {
      return admin;
    },
    get server() {
      return server;
    },
    async kill() {
      await server.stop("SIGKILL");
      if (admin.isOpen) admin.destroy();
    },
    async restart() {
      server = await startRedis({ conf, dir, port });
      admin = await connectAdmin();
    },
  };
}

/**
 * The container's environment as buildApiEnv writes it (REDIS_URL, REDIS_HOST, …,
 * SECRET_KEY), plus `extra` as the user's plain env, and nothing from this process but PATH.
 */
export function apiEnv(
  redis: { port: number; password: string },
  extra: Record<string, string> = {},
  secretKey = randomPassword(),
): NodeJS.ProcessEnv {
  const list = buildApiEnv({
    redis: { host: "127.0.0.1", port: redis.port, tls: false, password: redis.password },
    secretKey,
    // Every process serves /metrics on METRICS_PORT (9464 by default); test processes run side
    // by side, so each gets a port of its own unless the test names one.
    env: { HOST: "127.0.0.1", METRICS_PORT: String(20_000 + randomInt(40_000)), ...extra },
    secretEnv: {},
  });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const kv of list) {
    const i = kv.indexOf("=");
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  logs(): LogLine[];
  /** Resolves with the first log line with this `msg` (and matching `fields`). */
  waitForLog(msg: string, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  kill(signal?: NodeJS.Signals): void;
}

const children = new Set<ChildProcess>();

export function startServer(
  script: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): ServerProcess {
  const child = spawn(process.execPath, [script, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (res) =>
      child.once("exit", (code, signal) => {
        children.delete(child);
        res({ code, signal, at: Date.now() });
      }),
  );
  const logs = (): LogLine[] =>
    out
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as LogLine);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    async waitForLog(msg, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = logs().find((l) => l.msg === msg);
        if (hit) return hit;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`server exited before logging "${msg}":\n${out}${err}`);
        if (Date.now() > deadline)
          throw new Error(`no "${msg}" log within ${timeoutMs} ms:\n${out}${err}`);
        await sleep(20);
      }
    },
    exited,
    kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** SIGKILLs every server a test left running; call from afterAll. */
/**
 * The API on a free port against Redis at `redis` (the stack's env), once it has logged
 * "ready" and its /health answers 200.
 */
export async function startHealthyApi(
  script: string,
  redis: { port: number; password: string },
): Promise<{ api: ServerProcess; port: number; metricsPort: number }> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const api = startServer(
    script,
    apiEnv(redis, { PORT: String(port), METRICS_PORT: String(metricsPort) }),
  );
  await api.waitForLog("ready");
  await until("/health 200", async () => (await request(port, "GET", "/health")).status === 200);
  return { api, port, metricsPort };
}

export function killAllServers(): void {
  for (const c of children) c.kill("SIGKILL");
}

/** A suite's afterAll: its servers, its Redis client and server, its temp dirs. */
export async function tearDown(redis: TestRedis | undefined): Promise<void> {
  killAllServers();
  if (redis?.admin.isOpen) await redis.admin.close();
  await stopAllRedis();
  removeTempDirs();
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read any field
  readonly json: any;
}

/** One request on a fresh connection (unless `agent` says otherwise). */
export function request(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  agent: Agent | false = false,
  headers: Readonly<Record<string, string>> = {},
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method, path, agent, headers, timeout: 40_000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          let json: unknown;
          try {
            json = text === "" ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Polls `fn` until it returns true. */
export async function until(
  what: string,
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
