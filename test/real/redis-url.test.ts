/**
 * The URLs buildRedisUrl writes into REDIS_URL and the stack outputs, used by a real
 * client and the real redis-cli against a real server: the app user (`default:password@`),
 * an ACL user (`admin:password@`), an awkward password, and an IPv6 literal host.
 */
import { createServer } from "node:net";
import { createClient } from "redis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { renderRedisConf, REDIS_USERS } from "../../components/lib/redis-conf";
import { buildRedisUrl } from "../../components/lib/redis-url";
import {
  freePort,
  randomPassword,
  removeTempDirs,
  redisCliUrl,
  requireBinaries,
  startRedis,
  stopAllRedis,
  tempDir,
} from "./util";
import { describeReal } from "./layer";

/** Whether this host has an IPv6 loopback (some CI containers disable IPv6). */
function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(0, "::1", () => srv.close(() => resolve(true)));
  });
}

async function whoami(url: string): Promise<string> {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 3_000 } });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return String(await client.sendCommand(["ACL", "WHOAMI"]));
  } finally {
    client.destroy();
  }
}

describeReal("buildRedisUrl URLs against a real redis-server", () => {
  let port: number;
  let ipv6: boolean;
  // The widest password renderRedisConf accepts: every allowed punctuation character.
  const app = `${randomPassword()}_-.~+=`;
  const admin = randomPassword();

  beforeAll(async () => {
    requireBinaries("redis-server");
    ipv6 = await hasIpv6Loopback();
    const dir = tempDir();
    port = await freePort();
    const conf = renderRedisConf({
      port,
      dir,
      appendfsync: "everysec",
      maxmemoryMb: 16,
      evictionPolicy: "noeviction",
      appPassword: app,
      probePassword: randomPassword(),
      adminPassword: admin,
    });
    const extra = ipv6
      ? ["# test-only override: loopback, IPv4 and IPv6", "bind 127.0.0.1 ::1"]
      : [];
    await startRedis({ conf, dir, port, extra });
  }, 20_000);

  afterAll(async () => {
    await stopAllRedis();
    removeTempDirs();
  });

  test("the app URL logs in as default, with a password full of URL-special characters", async () => {
    expect(
      await whoami(buildRedisUrl({ host: "127.0.0.1", port, tls: false, password: app })),
    ).toBe("default");
  });

  test("the admin URL logs in as admin", async () => {
    const url = buildRedisUrl({
      host: "127.0.0.1",
      port,
      tls: false,
      password: admin,
      username: REDIS_USERS.admin,
    });
    expect(await whoami(url)).toBe("admin");
  });

  test("an IPv6 literal host is bracketed, so the URL parses and connects", async () => {
    const url = buildRedisUrl({ host: "::1", port, tls: false, password: app });
    expect(new URL(url).hostname).toBe("[::1]");
    if (!ipv6) {
      console.warn(
        "no IPv6 loopback on this host: checked that the URL parses, not that it connects",
      );
      return;
    }
    expect(await whoami(url)).toBe("default");
  });

  // redis/redis src/cli_common.c, parseRedisUri: the text before `:` in the userinfo is the
  // user, even when it is empty, and redis-cli then sends `AUTH "" password`.
  test("redis-cli -u accepts the URL as written, default user included", async () => {
    const url = buildRedisUrl({ host: "127.0.0.1", port, tls: false, password: app });
    expect(url.startsWith("redis://default:")).toBe(true);
    const r = await redisCliUrl(url, ["ACL", "WHOAMI"]);
    expect(r.stdout.trim()).toBe("default");
  });

  test("the empty-user form that buildRedisUrl no longer writes is refused by redis-cli", async () => {
    const url = buildRedisUrl({ host: "127.0.0.1", port, tls: false, password: app });
    const r = await redisCliUrl(url.replace("redis://default:", "redis://:"), ["PING"]);
    expect(`${r.stdout}${r.stderr}`).toMatch(/WRONGPASS|NOAUTH/);
    expect(r.stdout).not.toContain("PONG");
  });
});
