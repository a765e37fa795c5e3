/**
 * components/lib/edge-live.ts's script under the real haproxy and bash: the installer checks
 * and installs a set, the proxy's loop reloads HAProxy when a file changes (same master, new
 * workers), refuses a set `haproxy -c` refuses and keeps serving, and stops on SIGUSR1. The
 * zero-failed-requests proof under load, with replicas behind it, is test/docker/edge-reload.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  EDGE_FILES,
  EDGE_LIVE_ENV,
  maintenanceFlag,
  renderEdgeLiveScript,
  renderMaintenancePage,
} from "../../components/lib/edge-live";
import { EDGE_HEALTH_PATH, renderHaproxyCfg } from "../../components/lib/haproxy-cfg";
import { describeReal } from "./layer";
import { freePort, removeTempDirs, requireBinaries, run, sleep, tempDir } from "./util";

describeReal("edge-live: the proxy's reload loop and the installer, under the real haproxy", () => {
  let root: string;
  let script: string;
  let upload: string;
  let live: string;
  let caFile: string;
  let keyFile: string;
  let ports: { http: number; https: number; health: number };
  let proxy: ChildProcess;
  let proxyLog = "";
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...process.env,
    EDGE_STATE_DIR: join(root, "state"),
    EDGE_INSTALLED_MARK: join(root, "installed-mark"),
    EDGE_POLL_SECONDS: "0.2",
    ...extra,
  });

  const cfg = () =>
    renderHaproxyCfg({
      upstream: { name: "api", host: "api", port: 3003, healthPath: "/health", replicas: 2 },
      httpPort: ports.http,
      httpsPort: ports.https,
      publicHttpsPort: ports.https,
      filesDir: `\${${EDGE_LIVE_ENV}}`,
      healthPort: ports.health,
      maxBodyBytes: 4096,
      hstsMaxAgeSeconds: 63_072_000,
      timeouts: {
        connectMs: 500,
        clientMs: 5_000,
        serverMs: 5_000,
        httpRequestMs: 5_000,
        queueMs: 1_000,
      },
      check: { intervalMs: 2_000, fall: 2, rise: 1 },
      hardStopAfterMs: 3_000,
      maintenance: { allow: [], retryAfterSeconds: 60 },
    });

  /** A fresh self-signed certificate for localhost, as the PEM HAProxy reads. */
  async function certificate(cn: string): Promise<string> {
    const cert = join(root, `${cn}.crt`);
    const made = await run("openssl", [
      ...["req", "-x509", "-key", keyFile, "-out", cert, "-days", "1", "-subj", `/CN=${cn}`],
      ...["-addext", "subjectAltName=DNS:localhost"],
    ]);
    expect(made.code, made.stderr).toBe(0);
    return `${readFileSync(cert, "utf8")}${readFileSync(keyFile, "utf8")}`;
  }

  /** Writes one live file the way a writer must: a dot-named temporary file, then a rename. */
  function put(file: string, content: string): void {
    writeFileSync(join(live, `.${file}.tmp`), content);
    renameSync(join(live, `.${file}.tmp`), join(live, file));
  }

  const edgeLive = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    run("bash", [script, ...args], { env: env(extra), timeoutMs: 20_000 });
  const curl = (args: string[]) =>
    run("curl", ["-sS", "--max-time", "5", "--cacert", caFile, ...args]);
  const servedSubject = async () => {
    const r = await run("sh", [
      ...["-c", 'exec openssl "$@" </dev/null', "sh"],
      ...["s_client", "-connect", `127.0.0.1:${ports.https}`, "-servername", "localhost"],
    ]);
    return /subject=.*CN ?= ?(\S+)/.exec(r.stdout)?.[1];
  };
  /** The haproxy processes under the loop: the master and its workers. */
  const processes = async () => {
    const master = (await run("pgrep", ["-P", String(proxy.pid), "-x", "haproxy"])).stdout.trim();
    const workers = master
      ? (await run("pgrep", ["-P", master, "-x", "haproxy"])).stdout.trim().split("\n")
      : [];
    return { master, workers };
  };
  /** An installer run: it exits on a refusal, or sleeps once it has installed. */
  async function install(
    extra: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number | null; log: string }> {
    const mark = join(root, "installed-mark");
    await run("rm", ["-f", mark]);
    let out = "";
    const child = spawn("bash", [script, "install"], {
      env: env({ [EDGE_LIVE_ENV]: upload, ...extra }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    for (let i = 0; i < 900 && child.exitCode === null && !existsSync(mark); i++) await sleep(50);
    if (child.exitCode !== null) return { code: child.exitCode, log: out };
    // Installed, it waits for Docker's stop signal, and exits on it at once.
    const stop = performance.now();
    child.kill("SIGTERM");
    const code = await exited;
    expect(performance.now() - stop).toBeLessThan(2_000);
    expect(code).toBe(0);
    return { code: existsSync(mark) ? 0 : null, log: out };
  }

  beforeAll(async () => {
    requireBinaries("haproxy", "curl", "openssl", "bash", "sha256sum", "pgrep");
    root = tempDir("api-stack-edge-live-");
    script = join(root, "edge-live");
    writeFileSync(script, renderEdgeLiveScript(), { mode: 0o555 });
    upload = join(root, "next");
    live = join(root, "state", "live");
    keyFile = join(root, "key.pem");
    const k = await run("openssl", [
      "ecparam",
      "-name",
      "prime256v1",
      "-genkey",
      "-noout",
      "-out",
      keyFile,
    ]);
    expect(k.code, k.stderr).toBe(0);
    ports = { http: await freePort(), https: await freePort(), health: await freePort() };
    await run("mkdir", ["-p", upload, join(root, "state")]);
    const pem = await certificate("first");
    await certificate("second");
    // Both certificates the tests serve, so curl trusts whichever is served.
    caFile = join(root, "trusted.crt");
    writeFileSync(
      caFile,
      ["first", "second"].map((c) => readFileSync(join(root, `${c}.crt`), "utf8")).join(""),
    );
    writeFileSync(join(upload, EDGE_FILES.cfg), cfg());
    writeFileSync(join(upload, EDGE_FILES.pem), pem);
    writeFileSync(join(upload, EDGE_FILES.maintenance), maintenanceFlag(false));
    writeFileSync(join(upload, EDGE_FILES.maintenancePage), renderMaintenancePage("Back soon."));
    const first = await install();
    expect(first.code, first.log).toBe(0);
    proxy = spawn("bash", [script, "run"], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
    proxy.stdout?.on("data", (b: Buffer) => (proxyLog += b.toString()));
    proxy.stderr?.on("data", (b: Buffer) => (proxyLog += b.toString()));
    for (let i = 0; i < 100; i++) {
      const r = await run("curl", [
        "-sf",
        "-o",
        "/dev/null",
        `http://127.0.0.1:${ports.health}${EDGE_HEALTH_PATH}`,
      ]);
      if (r.code === 0) break;
      await sleep(100);
    }
    expect(await servedSubject(), proxyLog).toBe("first");
  });

  afterAll(() => {
    proxy?.kill("SIGKILL");
    removeTempDirs();
  });

  test("maintenance switched on and off by its file: the same master, new workers, no restart", async () => {
    const before = await processes();
    expect(before.master).toMatch(/^\d+$/);
    put(EDGE_FILES.maintenance, maintenanceFlag(true));
    const waited = await edgeLive(["wait", "10"]);
    expect(waited.code, waited.stderr + proxyLog).toBe(0);
    const on = await curl([
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `https://localhost:${ports.https}/`,
    ]);
    expect(on.stdout).toBe("503");
    expect((await curl([`https://localhost:${ports.https}/`])).stdout).toContain("Back soon.");
    const after = await processes();
    expect(after.master).toBe(before.master);
    // `wait` returned once the master had forked the new worker the log names.
    const newWorker = /edge-live: reloaded \([0-9a-f]{64}\), new worker (\d+)/.exec(proxyLog)?.[1];
    expect(newWorker, proxyLog).toBeDefined();
    expect(before.workers).not.toContain(newWorker);
    expect(after.workers).toContain(newWorker);
    put(EDGE_FILES.maintenance, maintenanceFlag(false));
    expect((await edgeLive(["wait", "10"])).code).toBe(0);
    const off = await curl([`https://localhost:${ports.https}/`]);
    expect(JSON.parse(off.stdout)).toEqual({ error: "no replica available" });
  });

  test("a new certificate is served after the reload, by the same master", async () => {
    const { master } = await processes();
    const second = readFileSync(join(root, "second.crt"), "utf8") + readFileSync(keyFile, "utf8");
    put(EDGE_FILES.pem, second);
    expect((await edgeLive(["wait", "10"])).code, proxyLog).toBe(0);
    expect(await servedSubject()).toBe("second");
    expect((await processes()).master).toBe(master);
  });

  test.each([
    [
      "haproxy -c refuses",
      "  no-such-keyword here",
      /haproxy -c refused the new one: .*no-such-keyword/,
    ],
    // Passes `haproxy -c`, fails in the master: 192.0.2.1 (TEST-NET-1) is on no interface here.
    [
      "the reload fails in the master",
      "frontend unbindable\n  bind 192.0.2.1:9\n",
      /HAProxy's master started no new worker within 10 s of the reload/,
    ],
  ])(
    "a set that %s is not loaded: the running config keeps serving, its files are put back, and `wait` says so",
    async (_what, extra, logged) => {
      const good = readFileSync(join(live, EDGE_FILES.cfg), "utf8");
      const { master } = await processes();
      put(EDGE_FILES.cfg, `${good}\n${extra}\n`);
      const waited = await edgeLive(["wait", "20"]);
      expect(waited.code).toBe(1);
      expect(waited.stderr).toMatch(/refused the new files/);
      expect(proxyLog).toMatch(logged);
      // Put back, so a restart of the container starts from what ran.
      expect(readFileSync(join(live, EDGE_FILES.cfg), "utf8")).toBe(good);
      expect((await processes()).master).toBe(master);
      const r = await curl([`https://localhost:${ports.https}/counter`]);
      expect(JSON.parse(r.stdout)).toEqual({ error: "no replica available" });
      // And the next good change is loaded as usual.
      put(EDGE_FILES.maintenance, maintenanceFlag(true));
      expect((await edgeLive(["wait", "10"])).code).toBe(0);
      put(EDGE_FILES.maintenance, maintenanceFlag(false));
      expect((await edgeLive(["wait", "10"])).code).toBe(0);
    },
    40_000,
  );

  test("the installer refuses a set haproxy -c refuses and installs nothing", async () => {
    const before = readFileSync(join(live, EDGE_FILES.cfg), "utf8");
    writeFileSync(join(upload, EDGE_FILES.cfg), `${cfg()}\n  no-such-keyword here\n`);
    writeFileSync(join(upload, EDGE_FILES.maintenance), maintenanceFlag(true));
    const r = await install();
    expect(r.code).toBe(1);
    expect(r.log).toMatch(/haproxy -c refused the new config; nothing was installed/);
    expect(readFileSync(join(live, EDGE_FILES.cfg), "utf8")).toBe(before);
    expect(readFileSync(join(live, EDGE_FILES.maintenance), "utf8")).toBe(maintenanceFlag(false));
    writeFileSync(join(upload, EDGE_FILES.cfg), cfg());
    writeFileSync(join(upload, EDGE_FILES.maintenance), maintenanceFlag(false));
  });

  test("a set the proxy refuses at reload: the installer exits 1, and a rerun (Docker's restart) fails again instead of turning healthy", async () => {
    writeFileSync(
      join(upload, EDGE_FILES.cfg),
      `${cfg()}\nfrontend unbindable\n  bind 192.0.2.1:9\n`,
    );
    const first = await install();
    expect(first.code, first.log).toBe(1);
    expect(first.log).toMatch(/the proxy refused the new files/);
    const rerun = await install();
    expect(rerun.code, rerun.log).toBe(1);
    writeFileSync(join(upload, EDGE_FILES.cfg), cfg());
  }, 90_000);

  test("the installer, run again on the set it installed (a host reboot), leaves a script's change alone; a new set replaces it", async () => {
    // The earlier test put the "second" certificate in place, as a renewal would, and this
    // is the set of beforeAll again.
    put(EDGE_FILES.maintenance, maintenanceFlag(true));
    expect((await edgeLive(["wait", "10"])).code).toBe(0);
    const rerun = await install();
    expect(rerun.code, rerun.log).toBe(0);
    expect(rerun.log).not.toMatch(/installed/);
    expect(await servedSubject()).toBe("second");
    expect(readFileSync(join(live, EDGE_FILES.maintenance), "utf8")).toBe(maintenanceFlag(true));
    // A new set (the next `up` changed the page): installed whole, and the reload waited for.
    writeFileSync(join(upload, EDGE_FILES.maintenancePage), renderMaintenancePage("Soon."));
    const next = await install();
    expect(next.code, next.log).toBe(0);
    expect(next.log).toMatch(/edge-live: installed/);
    expect(await servedSubject()).toBe("first");
    expect(readFileSync(join(live, EDGE_FILES.maintenance), "utf8")).toBe(maintenanceFlag(false));
    expect(readFileSync(join(root, "state", "loaded"), "utf8").split("\n")[0]).toBe(
      (await edgeLive(["digest"])).stdout.trim(),
    );
  });

  test("with EDGE_KEEP_PEM_IF naming a file that exists (an issued ACME certificate), the installer leaves the served certificate alone", async () => {
    const issued = join(root, "state", "issued.crt");
    writeFileSync(issued, "");
    put(
      EDGE_FILES.pem,
      readFileSync(join(root, "second.crt"), "utf8") + readFileSync(keyFile, "utf8"),
    );
    expect((await edgeLive(["wait", "10"])).code).toBe(0);
    writeFileSync(join(upload, EDGE_FILES.maintenancePage), renderMaintenancePage("Later."));
    const kept = await install({ EDGE_KEEP_PEM_IF: issued });
    expect(kept.code, kept.log).toBe(0);
    expect(kept.log).toMatch(/edge-live: installed/);
    expect(await servedSubject()).toBe("second");
    // The same run without the file present installs the uploaded fallback ("first").
    writeFileSync(join(upload, EDGE_FILES.maintenancePage), renderMaintenancePage("Later still."));
    const fallback = await install({ EDGE_KEEP_PEM_IF: join(root, "state", "no-such.crt") });
    expect(fallback.code, fallback.log).toBe(0);
    expect(await servedSubject()).toBe("first");
  }, 60_000);

  test("SIGUSR1 (Docker's stop signal) stops HAProxy gracefully and the loop with it", async () => {
    const { master } = await processes();
    const exited = new Promise<number | null>((r) => proxy.once("exit", (c) => r(c)));
    proxy.kill("SIGUSR1");
    expect(await exited).toBe(0);
    expect(existsSync(`/proc/${master}`)).toBe(false);
    expect(existsSync(join(root, "state", "loaded"))).toBe(false);
  });
});
