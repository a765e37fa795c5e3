/**
 * `npm run verify` against a real redis-server (plain and TLS) and a real HTTP server:
 * in-process through runChecks, and as the real CLI, checking exit codes and that no
 * password ever reaches stdout or stderr.
 */
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderRedisConf, REDIS_USERS } from "../../components/lib/redis-conf";
import { buildRedisUrl } from "../../components/lib/redis-url";
import {
  formatTable,
  maskSecrets,
  OutputsError,
  parseOutputs,
  resolveTarget,
  runChecks,
  secretsIn,
  type StackOutputs,
  type VerifyReport,
} from "../../verify";
import {
  freePort,
  makeTlsFiles,
  randomPassword,
  removeTempDirs,
  requireBinaries,
  run,
  startRedis,
  stopAllRedis,
  tempDir,
  tlsOverride,
  type ExecResult,
} from "./util";
import { describeReal } from "./layer";

const REPO = resolve(__dirname, "../..");
const TSX_CLI = join(REPO, "node_modules/tsx/dist/cli.mjs");

const pw = { app: randomPassword(), probe: randomPassword(), admin: randomPassword() };
const WRONG = randomPassword();

describeReal("npm run verify against real servers", () => {
  let dir: string;
  let plainPort: number;
  let tlsPort: number;
  let caFile: string;
  let api: Server;
  let apiUrl: string;
  let apiStatus = 200;

  const conf = (port: number, d: string) =>
    renderRedisConf({
      port,
      dir: d,
      appendfsync: "everysec",
      maxmemoryMb: 64,
      evictionPolicy: "noeviction",
      appPassword: pw.app,
      probePassword: pw.probe,
      adminPassword: pw.admin,
    });

  /** What `pulumi stack output --json --show-secrets` prints for a local-mode stack. */
  const localOutputs = (over: Partial<StackOutputs> = {}): StackOutputs => ({
    apiUrl,
    apiHealthPath: "/health",
    redisUrl: buildRedisUrl({ host: "127.0.0.1", port: plainPort, tls: false, password: pw.app }),
    redisHost: "127.0.0.1",
    redisPort: plainPort,
    redisTls: false,
    redisMode: "local",
    redisAdminUrl: buildRedisUrl({
      host: "127.0.0.1",
      port: plainPort,
      tls: false,
      password: pw.admin,
      username: REDIS_USERS.admin,
    }),
    apiStartPeriodSeconds: 10,
    ...over,
  });

  const tlsOutputs = (host = "localhost"): StackOutputs => ({
    apiUrl,
    redisUrl: buildRedisUrl({ host, port: tlsPort, tls: true, password: pw.app }),
    redisHost: host,
    redisPort: tlsPort,
    redisTls: true,
    redisMode: "external",
  });

  const writeOutputs = (name: string, o: StackOutputs) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(o, null, 2));
    return file;
  };

  /** The real CLI, as `tsx scripts/verify.ts …` (what `npm run verify --` runs). */
  const cli = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ExecResult> =>
    run(process.execPath, [TSX_CLI, "scripts/verify.ts", ...args], {
      cwd: REPO,
      env,
      timeoutMs: 30_000,
    });

  const expectNoSecret = (text: string) => {
    for (const secret of [pw.app, pw.admin, pw.probe, WRONG]) expect(text).not.toContain(secret);
  };

  beforeAll(async () => {
    requireBinaries("redis-server", "openssl");
    dir = tempDir();
    const plainDir = join(dir, "plain");
    const tlsDir = join(dir, "tls");
    mkdirSync(plainDir);
    mkdirSync(tlsDir);
    plainPort = await freePort();
    tlsPort = await freePort();
    const files = await makeTlsFiles(tlsDir);
    caFile = files.caCert;
    await Promise.all([
      startRedis({ conf: conf(plainPort, plainDir), dir: plainDir, port: plainPort }),
      startRedis({
        conf: conf(tlsPort, tlsDir),
        dir: tlsDir,
        port: tlsPort,
        extra: tlsOverride(tlsPort, files, "127.0.0.1 127.0.0.2"),
      }),
    ]);
    api = createServer((req, res) => {
      res.writeHead(req.url === "/health" ? apiStatus : 404, {
        "content-type": "application/json",
      });
      res.end(JSON.stringify({ status: apiStatus === 200 ? "ok" : "redis unavailable" }));
    });
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  }, 30_000);

  afterAll(async () => {
    api.closeAllConnections();
    await new Promise((r) => api.close(r));
    await stopAllRedis();
    removeTempDirs();
  });

  describe("runChecks, in-process", () => {
    const check = (r: VerifyReport, name: string) => r.checks.find((c) => c.check === name);

    test("a healthy local stack passes every check, with a latency for each", async () => {
      apiStatus = 200;
      const r = await runChecks({ target: resolveTarget(localOutputs()) });
      expect(r.checks.map((c) => [c.check, c.status])).toEqual([
        ["api health", "pass"],
        ["redis ping", "pass"],
        ["redis persistence", "pass"],
      ]);
      for (const c of r.checks) expect(c.ms).toBeGreaterThanOrEqual(0);
      expect(check(r, "redis persistence")?.detail).toBe(
        "aof_enabled=1 aof_last_write_status=ok rdb_last_bgsave_status=ok (as admin)",
      );
      expect(r.ok).toBe(true);
      expectNoSecret(JSON.stringify(r) + formatTable(r.checks));
    });

    test("rediss:// with --ca verifies the certificate; persistence is skipped outside local mode", async () => {
      const r = await runChecks({
        target: resolveTarget(tlsOutputs(), { ca: readFileSync(caFile) }),
      });
      expect(check(r, "redis ping")).toMatchObject({
        status: "pass",
        detail: expect.stringContaining("TLS, certificate verified against --ca"),
      });
      expect(check(r, "redis persistence")?.status).toBe("skip");
      expect(r.ok).toBe(true);
    });

    test("rediss:// without the CA, or to a host the certificate does not name, fails", async () => {
      const noCa = await runChecks({ target: resolveTarget(tlsOutputs()) });
      expect(check(noCa, "redis ping")).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN/),
      });
      // The certificate names localhost and 127.0.0.1; 127.0.0.2 is the same server under another name.
      const wrongHost = await runChecks({
        target: resolveTarget(tlsOutputs("127.0.0.2"), { ca: readFileSync(caFile) }),
      });
      expect(check(wrongHost, "redis ping")).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(/ERR_TLS_CERT_ALTNAME_INVALID/),
      });
      expectNoSecret(JSON.stringify([noCa, wrongHost]));
    });

    test("a wrong password fails the PING and is not in the report", async () => {
      const redisUrl = buildRedisUrl({
        host: "127.0.0.1",
        port: plainPort,
        tls: false,
        password: WRONG,
      });
      const r = await runChecks({
        target: resolveTarget(localOutputs({ redisUrl, redisAdminUrl: undefined })),
      });
      expect(check(r, "redis ping")).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(/^authentication failed: WRONGPASS/),
      });
      expect(check(r, "redis persistence")?.status).toBe("fail");
      expect(r.ok).toBe(false);
      expectNoSecret(JSON.stringify(r));
    });

    test("a Redis that is down fails at once with connection refused", async () => {
      const port = await freePort();
      const redisUrl = buildRedisUrl({ host: "127.0.0.1", port, tls: false, password: pw.app });
      const started = performance.now();
      const r = await runChecks({
        target: resolveTarget(localOutputs({ redisUrl, redisAdminUrl: undefined })),
      });
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(check(r, "redis ping")).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(/^connection refused/),
      });
      expectNoSecret(JSON.stringify(r));
    });

    test("an API answering 503 fails after the timeout, with visible progress while it waits", async () => {
      apiStatus = 503;
      const lines: string[] = [];
      const started = performance.now();
      const r = await runChecks({
        target: resolveTarget(localOutputs(), { timeoutSeconds: 2 }),
        retryIntervalMs: 500,
        onProgress: (l) => lines.push(l),
      });
      const elapsed = performance.now() - started;
      apiStatus = 200;
      expect(check(r, "api health")).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(
          /^HTTP 503 .*redis unavailable.*gave up after \d+ attempts \(2s\/2s\)/,
        ),
      });
      expect(elapsed).toBeGreaterThan(1_900);
      expect(elapsed).toBeLessThan(4_000);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines[1]).toMatch(
        /^waiting for http:\/\/127\.0\.0\.1:\d+\/health \(attempt 2, \d+s\/2s\): HTTP 503/,
      );
    });

    test("progress lines and errors mask credentials in URLs", async () => {
      const lines: string[] = [];
      const r = await runChecks({
        target: resolveTarget(
          localOutputs({ apiUrl: apiUrl.replace("http://", `http://ops:${WRONG}@`) }),
          { timeoutSeconds: 1 },
        ),
        retryIntervalMs: 400,
        onProgress: (l) => lines.push(l),
      });
      expect(check(r, "api health")?.status).toBe("fail");
      expect(lines.join("\n")).toContain("http://ops:****@127.0.0.1");
      expectNoSecret(lines.join("\n") + JSON.stringify(r));
    });

    test("a host that does not resolve (a local stack's Docker alias) fails with the way out", async () => {
      const redisUrl = buildRedisUrl({
        host: "redis.invalid",
        port: 6379,
        tls: false,
        password: pw.app,
      });
      const r = await runChecks({
        target: resolveTarget(localOutputs({ redisUrl, redisAdminUrl: undefined })),
      });
      expect(check(r, "redis ping")).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(
          /ENOTFOUND redis\.invalid: .*set redis\.debugPort \(dev\) or tunnel to the host \(ssh -L\) and pass --redis-url$/,
        ),
      });
    });

    test("a stack that declares TLS but exports redis:// fails", async () => {
      const r = await runChecks({ target: resolveTarget(localOutputs({ redisTls: true })) });
      expect(check(r, "redis ping")).toMatchObject({
        status: "fail",
        detail: expect.stringContaining("redisTls=true but redisUrl is redis://"),
      });
    });
  });

  describe("the CLI (tsx scripts/verify.ts)", () => {
    test("--outputs for a healthy stack: exit 0, a table, no secret", async () => {
      apiStatus = 200;
      const r = await cli(["--outputs", writeOutputs("ok.json", localOutputs())]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^api health\s+PASS\s+HTTP 200/m);
      expect(r.stdout).toMatch(/^redis ping\s+PASS\s+PONG/m);
      expect(r.stdout).toMatch(/^redis persistence\s+PASS\s+aof_enabled=1/m);
      expect(r.stdout).toContain(`redis://default:****@127.0.0.1:${plainPort}`);
      expectNoSecret(r.stdout + r.stderr);
    }, 30_000);

    test("npx tsx … with a wrong password: exit 1, and neither password is printed", async () => {
      const file = writeOutputs(
        "wrong.json",
        localOutputs({
          redisUrl: buildRedisUrl({
            host: "127.0.0.1",
            port: plainPort,
            tls: false,
            password: WRONG,
          }),
          redisAdminUrl: buildRedisUrl({
            host: "127.0.0.1",
            port: plainPort,
            tls: false,
            password: pw.admin,
            username: "nobody",
          }),
        }),
      );
      const r = await run("npx", ["tsx", "scripts/verify.ts", "--outputs", file], {
        cwd: REPO,
        timeoutMs: 30_000,
      });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^redis ping\s+FAIL\s+authentication failed: WRONGPASS/m);
      expectNoSecret(r.stdout + r.stderr);
    }, 30_000);

    test("--json over TLS with --ca: exit 0 and a parseable report", async () => {
      const r = await cli([
        "--outputs",
        writeOutputs("tls.json", tlsOutputs()),
        "--ca",
        caFile,
        "--json",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as VerifyReport;
      expect(report.ok).toBe(true);
      expect(report.target.redisUrl).toBe(`rediss://default:****@localhost:${tlsPort}`);
      expectNoSecret(r.stdout + r.stderr);
    }, 30_000);

    test("--stack runs `pulumi stack output --json --show-secrets`; without pulumi it says what to do", async () => {
      const bin = join(dir, "bin");
      mkdirSync(bin);
      symlinkSync(process.execPath, join(bin, "node"));
      const env = { PATH: bin, HOME: dir };

      const missing = await cli(["--stack", "dev"], env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(
        /pulumi CLI was not found on PATH: install it .* or pass --outputs/,
      );

      const file = writeOutputs("stack.json", localOutputs());
      const argsLog = join(dir, "pulumi-args");
      writeFileSync(join(bin, "pulumi"), `#!/bin/sh\necho "$@" > ${argsLog}\n/bin/cat ${file}\n`);
      chmodSync(join(bin, "pulumi"), 0o755);
      const r = await cli(["--stack", "dev"], env);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(argsLog, "utf8").trim()).toBe(
        "stack output --json --show-secrets --stack dev",
      );
      expectNoSecret(r.stdout + r.stderr);
    }, 30_000);

    test("usage errors exit 2 and never echo a --redis-url", async () => {
      const url = buildRedisUrl({
        host: "127.0.0.1",
        port: plainPort,
        tls: false,
        password: WRONG,
      });
      const r = await cli(["--redis-url", url, "--timeout", "soon"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--api-url/);
      expectNoSecret(r.stdout + r.stderr);
    }, 30_000);
  });

  describe("masking and outputs", () => {
    test("maskSecrets masks URL credentials by shape and known secrets by value", () => {
      const secret = "p@ss w+rd/0123456789";
      const url = buildRedisUrl({
        host: "redis",
        port: 6379,
        tls: true,
        password: secret,
        username: "admin",
      });
      const text = `TypeError: tls socket option is set to false which is mismatch with protocol or the URL ${url} passed; raw=${secret}`;
      const masked = maskSecrets(text, [secret]);
      expect(masked).toBe(
        "TypeError: tls socket option is set to false which is mismatch with protocol or the URL rediss://admin:****@redis:6379 passed; raw=****",
      );
      expect(maskSecrets("redis://tokenonly@host:1 and redis://:x@h:2")).toBe(
        "redis://****@host:1 and redis://:****@h:2",
      );
      expect(maskSecrets("nothing secret here http://127.0.0.1:3003/health")).toBe(
        "nothing secret here http://127.0.0.1:3003/health",
      );
    });

    test("secretsIn finds URL passwords and secret-named outputs", () => {
      const s = secretsIn({
        redisUrl: "rediss://:a%2Bb0123456789@h:1",
        apiKey: "x",
        redisPassword: "hunter2hunter2",
        apiUrl: "http://h",
      });
      expect(s).toEqual(["a+b0123456789", "hunter2hunter2"]);
    });

    test("outputs without --show-secrets are rejected with the fix", () => {
      expect(() => parseOutputs({ apiUrl: "http://h", redisUrl: "[secret]" }, "x.json")).toThrow(
        OutputsError,
      );
      expect(() => parseOutputs({ redisUrl: "[secret]" }, "x.json")).toThrow(/--show-secrets/);
      expect(parseOutputs({ apiUrl: "http://h", extra: 1 }, "x.json")).toMatchObject({
        apiUrl: "http://h",
      });
    });

    test("the timeout defaults to the API's start period", () => {
      expect(resolveTarget({ apiStartPeriodSeconds: 120 }).apiTimeoutMs).toBe(120_000);
      expect(resolveTarget({}).apiTimeoutMs).toBe(60_000);
      expect(
        resolveTarget({ apiStartPeriodSeconds: 120 }, { timeoutSeconds: 5 }).apiTimeoutMs,
      ).toBe(5_000);
    });
  });
});
