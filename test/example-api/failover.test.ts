/**
 * A failover as ElastiCache makes one: the primary is demoted to a replica and the endpoint's
 * DNS names the new primary, but a connection opened before still reaches the old node, which
 * now answers every write with READONLY. node-redis reconnects only when a connection drops,
 * not on a reply, so the API must drop it itself; otherwise it answers 503 until something
 * else closes the connection. A TCP proxy stands in for the endpoint's DNS.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { REDIS_USERS } from "../../components/lib/redis-conf";
import { describeReal } from "../real/layer";
import {
  buildServer,
  request,
  startHealthyApi,
  startTestRedis,
  tearDown,
  until,
  type ServerProcess,
  type TestRedis,
} from "./harness";
import { startProxy, type RedisProxy } from "./proxy";

describeReal("example API across a failover", () => {
  let script: string;
  let a: TestRedis;
  let b: TestRedis;
  let proxy: RedisProxy;
  let api: ServerProcess;
  let port: number;

  beforeAll(async () => {
    [script, a, b] = await Promise.all([buildServer(), startTestRedis(), startTestRedis()]);
    // The same application password on both nodes, as on a replication group.
    await b.admin.sendCommand([
      "ACL",
      "SETUSER",
      REDIS_USERS.app,
      "resetpass",
      `>${a.appPassword}`,
    ]);
    proxy = await startProxy(a.port);
    ({ api, port } = await startHealthyApi(script, { port: proxy.port, password: a.appPassword }));
  }, 30_000);

  afterAll(async () => {
    api?.kill();
    await proxy?.close();
    await tearDown(b);
    await tearDown(a);
  });

  test("writes work again within 2 s once the old primary answers READONLY", async () => {
    expect((await request(port, "POST", "/counter")).status).toBe(200);
    // The failover: the old primary becomes a replica (of the new one), and the endpoint moves.
    await a.admin.sendCommand(["REPLICAOF", "127.0.0.1", String(b.port)]);
    proxy.retarget(b.port);
    const first = await request(port, "POST", "/counter");
    const started = Date.now();
    await until(
      "a write to succeed",
      async () => (await request(port, "POST", "/counter")).status === 200,
      5_000,
    );
    console.log(
      `[failover] first write after the demotion: ${first.status} ${first.text}; writes back after ${Date.now() - started} ms`,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await b.admin.get("counter")).toBe("1");
    expect(api.logs().some((l) => l.msg === "redis answered READONLY: reconnecting")).toBe(true);
  }, 30_000);
});
