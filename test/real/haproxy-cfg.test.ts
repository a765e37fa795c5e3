/**
 * The rendered haproxy.cfg, run by the real HAProxy on loopback: `haproxy -c` accepts it,
 * and the running proxy redirects HTTP, refuses TLS 1.1, answers with the security headers,
 * holds the body limit and logs JSON. Upstream routing (DNS, retries, balancing) needs
 * Docker's DNS and is proven in test/docker.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { maintenanceFlag, renderMaintenancePage } from "../../components/lib/edge-live";
import {
  EDGE_CFG_FILES,
  EDGE_HEALTH_PATH,
  renderHaproxyCfg,
  securityHeaders,
  type EdgeProxyCfgSpec,
} from "../../components/lib/haproxy-cfg";
import { describeReal } from "./layer";
import { edgeProbe } from "../../components/lib/healthcheck";
import {
  freePort,
  removeTempDirs,
  requireBinaries,
  run,
  runHealthcheck,
  sleep,
  tempDir,
} from "./util";

const MAX_BODY = 4096;

function spec(ports: { http: number; https: number; health: number }, filesDir: string) {
  return {
    upstream: { name: "api", host: "api", port: 3003, healthPath: "/health", replicas: 2 },
    httpPort: ports.http,
    httpsPort: ports.https,
    publicHttpsPort: ports.https,
    filesDir,
    healthPort: ports.health,
    maxBodyBytes: MAX_BODY,
    hstsMaxAgeSeconds: 63_072_000,
    timeouts: {
      connectMs: 2_000,
      clientMs: 10_000,
      serverMs: 10_000,
      httpRequestMs: 5_000,
      queueMs: 2_000,
    },
    check: { intervalMs: 2_000, fall: 2, rise: 1 },
    hardStopAfterMs: 5_000,
    maintenance: { allow: ["192.0.2.7"], retryAfterSeconds: 120 },
  } satisfies EdgeProxyCfgSpec;
}

describeReal("edge proxy: the rendered haproxy.cfg under the real haproxy", () => {
  let dir: string;
  let cfgPath: string;
  let caFile: string;
  let ports: { http: number; https: number; health: number };
  let proxy: ChildProcess;
  let log = "";

  const curl = (args: string[]) => run("curl", ["-sS", "--max-time", "5", ...args]);
  const https = (path: string) => `https://localhost:${ports.https}${path}`;

  beforeAll(async () => {
    requireBinaries("haproxy", "curl", "openssl");
    dir = tempDir("api-stack-haproxy-");
    const key = join(dir, "key.pem");
    caFile = join(dir, "cert.pem");
    const made = await run("openssl", [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", key, "-out", caFile, "-days", "1", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost"],
    ]);
    expect(made.code, made.stderr).toBe(0);
    const pem = join(dir, EDGE_CFG_FILES.pem);
    await run("sh", ["-c", `cat "${caFile}" "${key}" > "${pem}"`]);
    writeFileSync(join(dir, EDGE_CFG_FILES.maintenance), maintenanceFlag(false));
    writeFileSync(
      join(dir, EDGE_CFG_FILES.maintenancePage),
      renderMaintenancePage("Back soon & <b>safe</b>."),
    );
    ports = { http: await freePort(), https: await freePort(), health: await freePort() };
    cfgPath = join(dir, "haproxy.cfg");
    writeFileSync(cfgPath, renderHaproxyCfg(spec(ports, dir)));
    proxy = spawn("haproxy", ["-db", "-f", cfgPath], { stdio: ["ignore", "pipe", "pipe"] });
    proxy.stdout?.on("data", (b: Buffer) => (log += b.toString()));
    proxy.stderr?.on("data", (b: Buffer) => (log += b.toString()));
    await waitHealthy(ports.health, () => log);
  });

  /** The JSON access-log entries so far; handshake failures are logged in HAProxy's own format. */
  function accessLog(): Record<string, unknown>[] {
    const lines = log.split("\n").filter((l) => l.startsWith("{"));
    return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async function waitHealthy(healthPort: number, output: () => string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const r = await curl([
        "-o",
        "/dev/null",
        `http://127.0.0.1:${healthPort}${EDGE_HEALTH_PATH}`,
      ]);
      if (r.code === 0) return;
      await sleep(100);
    }
    throw new Error(`haproxy did not start:\n${output()}`);
  }

  /** Starts another haproxy on fresh ports with `cfg`, whose ports are rewritten to them. */
  async function startProxy(cfg: string, name: string) {
    const p = { http: await freePort(), https: await freePort(), health: await freePort() };
    const text = cfg
      .replace(`bind :${ports.http}`, `bind :${p.http}`)
      .replace(`bind :${ports.https} `, `bind :${p.https} `)
      .replace(`bind 127.0.0.1:${ports.health}`, `bind 127.0.0.1:${p.health}`);
    const file = join(dir, `${name}.cfg`);
    writeFileSync(file, text);
    let out = "";
    const child = spawn("haproxy", ["-db", "-f", file], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
    await waitHealthy(p.health, () => out);
    return { child, https: p.https };
  }

  afterAll(() => {
    proxy?.kill("SIGKILL");
    removeTempDirs();
  });

  test("the container's probe (bash, /dev/tcp) passes against the monitor-uri; on a closed port it fails", async () => {
    const probe = edgeProbe(ports.health, EDGE_HEALTH_PATH);
    const ok = await runHealthcheck(probe);
    expect(ok.code, ok.stderr).toBe(0);
    const closed = await runHealthcheck(edgeProbe(await freePort(), EDGE_HEALTH_PATH));
    expect(closed.code).not.toBe(0);
    // The same probe asking another path gets HAProxy's 503 from the empty backend, not 200.
    const other = await runHealthcheck(edgeProbe(ports.health, "/not-the-monitor-uri"));
    expect(other.code).not.toBe(0);
  });

  test("haproxy -c accepts the file", async () => {
    const r = await run("haproxy", ["-c", "-f", cfgPath]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  test("HTTP answers 301 to the same host and path on the HTTPS port", async () => {
    const r = await curl([
      ...["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}"],
      `http://localhost:${ports.http}/jobs?id=7`,
    ]);
    expect(r.stdout).toBe(`301 https://localhost:${ports.https}/jobs?id=7`);
  });

  test("every HTTPS answer carries the security headers, even the proxy's own 503", async () => {
    const r = await curl(["--cacert", caFile, "-D", "-", "-o", "/dev/null", https("/")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/2 503/);
    const got = new Map(
      r.stdout
        .split("\r\n")
        .filter((l) => l.includes(":"))
        .map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
    );
    for (const [name, value] of Object.entries(securityHeaders(63_072_000)))
      expect(got.get(name.toLowerCase()), name).toBe(value);
  });

  // Issue 26: with every replica out of rotation (Redis away fails their /health), HAProxy
  // answers for them. The client is told when to retry, as the API tells it, in the API's JSON.
  test("the proxy's own 503, with no replica up, carries Retry-After and a JSON body", async () => {
    const r = await curl(["--cacert", caFile, "-D", "-", https("/counter")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/2 503/);
    expect(r.stdout).toMatch(/^retry-after: 1\r$/im);
    expect(r.stdout).toMatch(/^content-type: application\/json\r$/im);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf("\r\n\r\n") + 4))).toEqual({
      error: "no replica available",
    });
  });

  // The client is told to accept anything (SECLEVEL=0), so a refusal is the server's.
  const handshake = (version: string, port = ports.https) =>
    // stdin is /dev/null so s_client ends once the handshake is done instead of waiting.
    run("sh", [
      ...["-c", 'exec openssl "$@" </dev/null', "sh"],
      ...["s_client", "-connect", `127.0.0.1:${port}`, `-${version}`],
      ...["-cipher", "DEFAULT@SECLEVEL=0", "-servername", "localhost"],
      ...["-CAfile", caFile, "-verify_return_error", "-brief"],
    ]);

  test.each(["tls1_2", "tls1_3"])("a %s handshake succeeds and verifies", async (v) => {
    const r = await handshake(v, ports.https);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Verification: OK/);
  });

  test("a TLS 1.1 handshake is refused", async () => {
    const r = await handshake("tls1_1", ports.https);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/alert|wrong version|unsupported protocol|no protocols available/i);
  });

  /**
   * Three things refuse TLS 1.1 at once: OpenSSL 3 at security level 1 and above, the
   * AEAD-only cipher list (no suite TLS 1.1 can use), and `ssl-min-ver TLSv1.2` (also
   * HAProxy's own default since 2.2: configuration.txt 5.1, "ssl-min-ver"). The floor is
   * written out so that it survives a changed default. These twins lower the first two for
   * the test (a later `ssl-default-bind-ciphers` replaces the rendered one) and differ only
   * in `ssl-min-ver`, so the test fails if the floor stops holding.
   */
  test.each([
    ["TLSv1.2 refuses", false],
    ["TLSv1.0 accepts", true],
  ])("with the library's floor lowered, ssl-min-ver %s TLS 1.1", async (_, dropFloor) => {
    let cfg = readFileSync(cfgPath, "utf8").replace(
      /^( {2}ssl-default-bind-ciphers .*)$/m,
      "$1\n  ssl-default-bind-ciphers DEFAULT:@SECLEVEL=0",
    );
    if (dropFloor) cfg = cfg.replace(" ssl-min-ver TLSv1.2", " ssl-min-ver TLSv1.0");
    const twin = await startProxy(cfg, "twin");
    try {
      const r = await handshake("tls1_1", twin.https);
      expect(r.code === 0, r.stderr).toBe(dropFloor);
    } finally {
      twin.child.kill("SIGKILL");
    }
  });

  test.each([
    [MAX_BODY, 503],
    [MAX_BODY + 1, 413],
  ])(`a %d-byte body gets %d (the limit is ${MAX_BODY} bytes)`, async (size, status) => {
    const body = join(dir, `body-${size}`);
    writeFileSync(body, "x".repeat(size));
    const r = await curl([
      // HTTP/1.1: over HTTP/2 the proxy answers before the body is read and resets the
      // stream, which curl reports as an error (92) instead of the status.
      ...["--http1.1", "--cacert", caFile, "-o", "/dev/null", "-w", "%{http_code}"],
      ...["--data-binary", `@${body}`, https("/upload")],
    ]);
    expect(Number(r.stdout), r.stderr).toBe(status);
  });

  // curl -T - streams stdin: chunked over HTTP/1.1, DATA frames without a length over HTTP/2.
  test.each(["--http1.1", "--http2"])(
    "a body without a declared length (%s) gets 411",
    async (version) => {
      // The status is read from the proxy's access log: over HTTP/2 it answers before the
      // body is read and resets the stream, and curl 7.88 then exits 92 without the headers.
      const path = `/upload${version}`;
      await run("sh", [
        ...["-c", 'printf x | exec curl "$@"', "sh"],
        ...["-sS", "--max-time", "5", version, "--cacert", caFile, "-X", "POST", "-T", "-"],
        ...["-o", "/dev/null", https(path)],
      ]);
      await sleep(200);
      expect(
        accessLog()
          .filter((e) => e.uri === path)
          .map((e) => e.status),
        log,
      ).toEqual([411]);
    },
  );

  test("access is logged as one JSON object per request, a quote in the path included", async () => {
    await curl(["--cacert", caFile, "-o", "/dev/null", https('/a"b?c=%22')]);
    await sleep(200);
    const hit = accessLog().find((e) => String(e.uri).startsWith("/a"));
    expect(hit, log).toBeDefined();
    expect(hit).toMatchObject({ method: "GET", status: 503, frontend: "https", backend: "api" });
    expect(hit?.uri).toBe('/a"b?c=%22');
  });

  /** A proxy on `dir`'s files but a copy of its maintenance flag set to "on". */
  async function maintenanceProxy(name: string, allow: readonly string[]) {
    const own = tempDir("api-stack-maint-");
    for (const f of [EDGE_CFG_FILES.pem, EDGE_CFG_FILES.maintenancePage])
      writeFileSync(join(own, f), readFileSync(join(dir, f)));
    writeFileSync(join(own, EDGE_CFG_FILES.maintenance), maintenanceFlag(true));
    const cfg = renderHaproxyCfg({
      ...spec(ports, own),
      maintenance: { allow, retryAfterSeconds: 120 },
    });
    return startProxy(cfg, name);
  }

  const headersOf = (raw: string) =>
    new Map(
      raw
        .slice(0, raw.indexOf("\r\n\r\n"))
        .split("\r\n")
        .filter((l) => l.includes(":"))
        .map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
    );

  test("maintenance on: 503, Retry-After, the page with the message escaped, the security headers; the health path still reaches the backend", async () => {
    const on = await maintenanceProxy("maintenance", []);
    try {
      const url = (path: string) => `https://localhost:${on.https}${path}`;
      const page = await curl(["--cacert", caFile, "-D", "-", url("/counter")]);
      expect(page.code, page.stderr).toBe(0);
      expect(page.stdout).toMatch(/^HTTP\/2 503/);
      const h = headersOf(page.stdout);
      expect(h.get("retry-after")).toBe("120");
      expect(h.get("content-type")).toBe("text/html; charset=utf-8");
      expect(h.get("cache-control")).toBe("no-store");
      for (const [name, value] of Object.entries(securityHeaders(63_072_000)))
        expect(h.get(name.toLowerCase()), name).toBe(value);
      expect(page.stdout).toContain("<p>Back soon &amp; &lt;b&gt;safe&lt;/b&gt;.</p>");
      // /health is the API's: with no replica here the backend's own JSON 503 answers it.
      const health = await curl(["--cacert", caFile, url("/health")]);
      expect(JSON.parse(health.stdout)).toEqual({ error: "no replica available" });
    } finally {
      on.child.kill("SIGKILL");
    }
  });

  // The main proxy's flag is empty: the same request reaches the backend.
  test("maintenance off (an empty flag file): requests reach the backend", async () => {
    const r = await curl(["--cacert", caFile, https("/counter")]);
    expect(JSON.parse(r.stdout)).toEqual({ error: "no replica available" });
  });

  test.each([
    ["127.0.0.1/32", "reaches the backend"],
    ["192.0.2.0/24", "gets the page"],
  ])("maintenance on with allow %s: a client on 127.0.0.1 %s", async (allow, outcome) => {
    const on = await maintenanceProxy(`allow-${allow.replace(/\W/g, "")}`, [allow]);
    try {
      const r = await curl(["--cacert", caFile, `https://localhost:${on.https}/counter`]);
      expect(r.stdout.includes("Down for maintenance")).toBe(outcome === "gets the page");
    } finally {
      on.child.kill("SIGKILL");
    }
  });

  // A stopping proxy's container refuses connections until HAProxy has exited, so an idle
  // keep-alive connection must not hold the soft stop: with `option idle-close-on-response`
  // this one (a scraper's, on the metrics frontend) held it until hard-stop-after.
  test("SIGUSR1 with an idle keep-alive connection open: HAProxy exits at once, not at hard-stop-after", async () => {
    const metricsPort = await freePort();
    const cfg = renderHaproxyCfg({ ...spec(ports, dir), metricsPort });
    const twin = await startProxy(cfg, "idle-stop");
    const sock = connect(metricsPort, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      sock.once("error", reject);
      sock.once("connect", () =>
        sock.write("GET /metrics HTTP/1.1\r\nHost: edge\r\n\r\n", () => resolve()),
      );
    });
    // The whole answer, then the connection stays open and idle.
    await new Promise<void>((resolve) => {
      let got = "";
      sock.on("data", (b: Buffer) => {
        got += b.toString();
        if (/\r\n0\r\n\r\n$/.test(got) || /haproxy_process/.test(got)) resolve();
      });
    });
    await sleep(200);
    const exited = new Promise<void>((r) => twin.child.once("exit", () => r()));
    const started = performance.now();
    twin.child.kill("SIGUSR1");
    await exited;
    sock.destroy();
    expect(performance.now() - started).toBeLessThan(2_000);
  }, 20_000);
});
