/**
 * `rediss://` URLs from buildRedisUrl against a real TLS redis-server: the certificate
 * and the host name are verified, and plain text is refused. ElastiCache and external
 * Redis are reached this way; the server here is started on the generated redis.conf
 * with test-only TLS directives appended.
 */
import { readFileSync } from "node:fs";
import { createClient } from "redis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { renderRedisConf } from "../../components/lib/redis-conf";
import { buildRedisUrl } from "../../components/lib/redis-url";
import {
  freePort,
  makeTlsFiles,
  randomPassword,
  redisCli,
  removeTempDirs,
  requireBinaries,
  startRedis,
  stopAllRedis,
  tempDir,
  tlsOverride,
  type TlsFiles,
} from "./util";
import { describeReal } from "./layer";

/** Connects, PINGs and disconnects; rejects with the first error, within `limitMs`. */
async function ping(
  url: string,
  socket: { tls?: boolean; ca?: Buffer },
  limitMs = 5_000,
): Promise<string> {
  const client = createClient({
    url,
    socket: socket.tls
      ? { tls: true, ca: socket.ca, connectTimeout: limitMs, reconnectStrategy: false }
      : { tls: false, connectTimeout: limitMs, reconnectStrategy: false },
  });
  client.on("error", () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([client.connect().then(() => client.ping()), deadline]);
  } finally {
    clearTimeout(timer);
    if (client.isOpen) client.destroy();
  }
}

describeReal("rediss:// against a real TLS redis-server", () => {
  let tlsPort: number;
  let password: string;
  let files: TlsFiles;
  let ca: Buffer;

  const url = (host: string, tls = true) => buildRedisUrl({ host, port: tlsPort, tls, password });

  beforeAll(async () => {
    requireBinaries("redis-server", "redis-cli", "openssl");
    const dir = tempDir();
    files = await makeTlsFiles(dir);
    ca = readFileSync(files.caCert);
    tlsPort = await freePort();
    password = randomPassword();
    const conf = renderRedisConf({
      port: tlsPort,
      dir,
      appendfsync: "everysec",
      maxmemoryMb: 64,
      evictionPolicy: "noeviction",
      appPassword: password,
      probePassword: randomPassword(),
      adminPassword: randomPassword(),
    });
    // 127.0.0.2 is a loopback address the certificate does not name.
    await startRedis({
      conf,
      dir,
      port: tlsPort,
      extra: tlsOverride(tlsPort, files, "127.0.0.1 127.0.0.2"),
    });
  }, 30_000);

  afterAll(async () => {
    await stopAllRedis();
    removeTempDirs();
  });

  test("buildRedisUrl({ tls: true }) is a rediss:// URL", () => {
    expect(url("localhost")).toMatch(/^rediss:\/\/default:[0-9a-f]{32}@localhost:\d+$/);
  });

  test("connects with the CA, verifying the certificate for localhost (DNS SAN) and 127.0.0.1 (IP SAN)", async () => {
    expect(await ping(url("localhost"), { tls: true, ca })).toBe("PONG");
    expect(await ping(url("127.0.0.1"), { tls: true, ca })).toBe("PONG");
  });

  test("verifies the host name: a host the certificate does not name is refused", async () => {
    await expect(ping(url("127.0.0.2"), { tls: true, ca })).rejects.toMatchObject({
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  });

  test("a client without the CA fails certificate verification", async () => {
    await expect(ping(url("localhost"), { tls: true })).rejects.toMatchObject({
      code: expect.stringMatching(
        /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/,
      ),
    });
  });

  test("a plain-text node-redis client is refused quickly", async () => {
    const started = performance.now();
    await expect(ping(url("127.0.0.1", false), {}, 3_000)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(3_500);
  });

  test("plain-text redis-cli gets no PONG; redis-cli --tls with the CA does", async () => {
    const auth = { user: "default", password };
    const plain = await redisCli(tlsPort, ["ping"], auth);
    expect(plain.stdout).not.toMatch(/PONG/);
    expect(plain.code).not.toBe(0);
    expect(plain.elapsedMs).toBeLessThan(3_000);
    const tls = await redisCli(tlsPort, ["ping"], auth, [
      "--tls",
      "--cacert",
      files.caCert,
      "--sni",
      "localhost",
    ]);
    expect(tls.stdout.trim(), tls.stderr).toBe("PONG");
  });
});
