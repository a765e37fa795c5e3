/**
 * SIGTERM and SIGINT on the bundled example API: what `docker stop` (and the provider's
 * delete with destroyGraceSeconds) relies on. In-flight requests finish, idle keep-alive
 * connections are closed, new connections are refused, and the exit code says whether the
 * grace period was enough.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeReal } from "../real/layer";
import { freePort, sleep } from "../real/util";
import {
  apiEnv,
  buildServer,
  tearDown,
  request,
  startServer,
  startTestRedis,
  until,
  type TestRedis,
} from "./harness";

/** A keep-alive connection that has finished one request and now sits idle. */
async function idleKeepAlive(port: number): Promise<{ socket: Socket; closed: () => boolean }> {
  const socket = connect(port, "127.0.0.1");
  let closed = false;
  let data = "";
  socket.on("close", () => (closed = true));
  socket.on("data", (b: Buffer) => (data += b.toString()));
  socket.on("error", () => undefined);
  socket.write("GET /counter HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
  await until("the keep-alive reply", () => data.includes("\r\n\r\n{"));
  expect(data).toMatch(/^HTTP\/1\.1 200/);
  return { socket, closed: () => closed };
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
}

describeReal("example API shutdown", () => {
  let script: string;
  let redis: TestRedis;

  beforeAll(async () => {
    [script, redis] = await Promise.all([buildServer(), startTestRedis()]);
  }, 30_000);

  afterAll(() => tearDown(redis));

  async function start(extra: Record<string, string>) {
    const port = await freePort();
    const s = startServer(
      script,
      apiEnv({ port: redis.port, password: redis.appPassword }, { PORT: String(port), ...extra }),
    );
    await s.waitForLog("ready");
    await until("/health 200", async () => (await request(port, "GET", "/health")).status === 200);
    return { s, port };
  }

  test("SIGTERM: the in-flight request finishes, idle keep-alive closes, new connections are refused, exit 0", async () => {
    const { s, port } = await start({ SHUTDOWN_GRACE_MS: "10000" });
    const idle = await idleKeepAlive(port);
    const slow = request(port, "GET", "/slow?ms=2000");
    await sleep(200);
    const signalled = Date.now();
    s.kill("SIGTERM");
    expect(await s.waitForLog("shutdown")).toMatchObject({ signal: "SIGTERM", inFlight: 1 });

    // The idle connection goes at once; it does not wait for keepAliveTimeout or for /slow.
    await until("the idle keep-alive connection to close", idle.closed, 1_000);
    expect(await connectionRefused(port)).toBe(true);

    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ sleptMs: 2000 });
    expect(reply.headers.connection).toBe("close");

    const exit = await s.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeGreaterThanOrEqual(1_700);
    expect(exit.at - signalled).toBeLessThan(5_000);
    const msgs = s.logs().map((l) => l.msg);
    expect(msgs.slice(-2)).toEqual(["shutdown", "stopped"]);
    expect([...msgs].sort()).toEqual([
      "metrics ready",
      "ready",
      "redis ready",
      "shutdown",
      "start",
      "stopped",
    ]);
    expect(s.stderr()).toBe("");
  });

  test("SIGINT is handled the same way", async () => {
    const { s, port } = await start({ SHUTDOWN_GRACE_MS: "10000" });
    const slow = request(port, "GET", "/slow?ms=500");
    await sleep(100);
    s.kill("SIGINT");
    expect(await s.waitForLog("shutdown")).toMatchObject({ signal: "SIGINT", inFlight: 1 });
    expect((await slow).status).toBe(200);
    expect((await s.exited).code).toBe(0);
  });

  test("requests still running when SHUTDOWN_GRACE_MS ends are cut: exit 1, and the log says how many", async () => {
    const { s, port } = await start({ SHUTDOWN_GRACE_MS: "500" });
    const cut = [1, 2].map(() => request(port, "GET", "/slow?ms=5000").catch((e: Error) => e));
    await sleep(200);
    const signalled = Date.now();
    s.kill("SIGTERM");
    const exit = await s.exited;
    expect(exit.code).toBe(1);
    expect(exit.at - signalled).toBeLessThan(2_000);
    expect(s.logs().find((l) => l.msg === "shutdown grace expired")).toMatchObject({
      level: "error",
      cut: 2,
      graceMs: 500,
    });
    for (const r of await Promise.all(cut)) expect(r).toBeInstanceOf(Error);
  });
});
