/**
 * Shared helpers for the real-binary tests: they start the real redis-server, curl and
 * openssl on loopback, in temp dirs, and run our generated artefacts against them.
 * Nothing here retypes a generated string; the tests import the builders.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

import { IN_CI, REAL_BINARIES as PACKAGE_OF } from "../layers";

export { IN_CI };

export function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Throws when a binary is missing. A missing binary is a failure, never a skip: a
 * skipped real-binary suite is exactly the "looked fine on paper" the suite exists to stop.
 */
export function requireBinaries(...bins: string[]): void {
  const missing = bins.filter((b) => which(b) === undefined);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((b) => PACKAGE_OF[b] ?? b))].join(" ");
  throw new Error(
    `real-binary tests need ${missing.join(", ")} on PATH${IN_CI ? " (CI=true: this is a failure, not a skip)" : ""}: ` +
      `apt-get install -y ${pkgs}`,
  );
}

/** A 32-character hex password: accepted by renderRedisConf, different on every run. */
export function randomPassword(): string {
  return randomBytes(16).toString("hex");
}

/** A port nothing listens on right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * A loopback address (127.0.0.0/8, all of which Linux routes to lo) on which every one of
 * `ports` is free, so a test can publish fixed ports such as 80 and 443 without colliding
 * with another test file or with the machine's own services on 127.0.0.1.
 */
export async function freeLoopback(ports: readonly number[]): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ip = `127.${2 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${2 + Math.floor(Math.random() * 250)}`;
    const free = await Promise.all(
      ports.map(
        (port) =>
          new Promise<boolean>((resolve) => {
            const srv = createServer();
            srv.once("error", () => resolve(false));
            srv.listen(port, ip, () => srv.close(() => resolve(true)));
          }),
      ),
    );
    if (free.every(Boolean)) return ip;
  }
  throw new Error(`no loopback address with ports ${ports.join(", ")} free`);
}

const tempDirs: string[] = [];

export function tempDir(prefix = "api-stack-real-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface RedisProcess {
  readonly port: number;
  readonly dir: string;
  readonly confPath: string;
  readonly child: ChildProcess;
  /** Everything the server logged so far. */
  log(): string;
  /** Sends `signal` and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<RedisProcess>();

/**
 * Lines appended to the test's copy of the generated redis.conf. A later directive wins,
 * so `bind 127.0.0.1` replaces the shipped `bind * -::*` (right for a container on an
 * internal network, wrong for a test on a shared host).
 */
export const LOOPBACK_OVERRIDE = [
  "# test-only override: listen on loopback only",
  "bind 127.0.0.1",
];

export interface StartRedisOptions {
  /** The generated redis.conf text, exactly as renderRedisConf returned it. */
  readonly conf: string;
  readonly dir: string;
  /** The port the conf was rendered with; used for the returned handle. */
  readonly port: number;
  /** Extra test-only directives, appended after LOOPBACK_OVERRIDE. */
  readonly extra?: readonly string[];
  readonly readyTimeoutMs?: number;
}

/** Starts redis-server on the generated config and resolves once it accepts connections. */
export async function startRedis(o: StartRedisOptions): Promise<RedisProcess> {
  requireBinaries("redis-server");
  const confPath = join(o.dir, "redis.conf");
  writeFileSync(confPath, [o.conf, ...LOOPBACK_OVERRIDE, ...(o.extra ?? []), ""].join("\n"), {
    mode: 0o600,
  });
  const child = spawn("redis-server", [confPath], {
    cwd: o.dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const handle: RedisProcess = {
    port: o.port,
    dir: o.dir,
    confPath,
    child,
    log: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      running.delete(handle);
      return result;
    },
  };
  running.add(handle);
  const deadline = Date.now() + (o.readyTimeoutMs ?? 10_000);
  // The line is logged after the AOF/RDB has been loaded, for both TCP and TLS ports.
  while (!output.includes("Ready to accept connections")) {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(handle);
      throw new Error(
        `redis-server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`,
      );
    }
    if (Date.now() > deadline) {
      await handle.stop("SIGKILL");
      throw new Error(`redis-server not ready after ${o.readyTimeoutMs ?? 10_000} ms:\n${output}`);
    }
    await sleep(20);
  }
  return handle;
}

/** Kills every server a test left running; call from afterAll. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop("SIGKILL")));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

export function run(
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: opts.env ?? process.env,
        timeout: opts.timeoutMs ?? 15_000,
        killSignal: "SIGKILL",
        cwd: opts.cwd,
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 128;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr),
          elapsedMs: performance.now() - started,
        });
      },
    );
  });
}

/**
 * The environment `docker exec` gives a healthcheck in an image that sets nothing but
 * PATH (the redis and valkey images add only version variables): no HOME dotfiles, no
 * REDISCLI_AUTH inherited from the developer's shell.
 */
export const DOCKER_EXEC_ENV: NodeJS.ProcessEnv = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOSTNAME: "healthcheck-test",
  HOME: "/root",
};

/**
 * Runs a Docker healthcheck `test` the way dockerd does: `CMD-SHELL` through
 * `/bin/sh -c`, `CMD` exec'd directly, both killed after `timeoutMs`.
 */
export function runHealthcheck(test: readonly string[], timeoutMs = 10_000): Promise<ExecResult> {
  const [kind, ...rest] = test;
  if (kind === "CMD-SHELL") {
    if (rest.length !== 1) throw new Error(`CMD-SHELL takes one script, got ${rest.length}`);
    return run("/bin/sh", ["-c", rest[0] as string], { env: DOCKER_EXEC_ENV, timeoutMs });
  }
  if (kind === "CMD") {
    const [file, ...args] = rest;
    if (file === undefined) throw new Error("CMD healthcheck without a command");
    return run(file, args, { env: DOCKER_EXEC_ENV, timeoutMs });
  }
  throw new Error(`unsupported healthcheck form ${String(kind)}`);
}

/** `redis-cli` with the password in REDISCLI_AUTH, as an operator would run it. */
export function redisCli(
  port: number,
  args: readonly string[],
  auth?: { user: string; password: string },
  extraFlags: readonly string[] = [],
): Promise<ExecResult> {
  const env: NodeJS.ProcessEnv = { ...DOCKER_EXEC_ENV };
  const flags = ["-h", "127.0.0.1", "-p", String(port), ...extraFlags];
  if (auth) {
    env.REDISCLI_AUTH = auth.password;
    flags.push("--user", auth.user);
  }
  return run("redis-cli", [...flags, ...args], { env, timeoutMs: 5_000 });
}

/**
 * `redis-cli -u URL`, as a user pastes a stack output. The URL holds a password, so it goes
 * on this test process's command line only, never into a container's.
 */
export function redisCliUrl(url: string, args: readonly string[]): Promise<ExecResult> {
  return run("redis-cli", ["--no-auth-warning", "-u", url, ...args], {
    env: { ...DOCKER_EXEC_ENV },
    timeoutMs: 5_000,
  });
}

export interface TlsFiles {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

/** A throw-away CA and a server certificate for `localhost` and 127.0.0.1 (and nothing else). */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  requireBinaries("openssl");
  const p = (f: string) => join(dir, f);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const steps: string[][] = [
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      p("ca.key"),
      "-out",
      p("ca.crt"),
      "-days",
      "2",
      "-subj",
      "/CN=api-stack test CA",
    ],
    [
      "req",
      "-new",
      ...ec,
      "-keyout",
      p("server.key"),
      "-out",
      p("server.csr"),
      "-subj",
      "/CN=localhost",
    ],
  ];
  for (const args of steps) await mustRun("openssl", args);
  writeFileSync(
    p("server.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await mustRun("openssl", [
    "x509",
    "-req",
    "-in",
    p("server.csr"),
    "-CA",
    p("ca.crt"),
    "-CAkey",
    p("ca.key"),
    "-CAcreateserial",
    "-out",
    p("server.crt"),
    "-days",
    "2",
    "-extfile",
    p("server.ext"),
  ]);
  return { caCert: p("ca.crt"), serverCert: p("server.crt"), serverKey: p("server.key") };
}

/** redis.conf directives that move the server to a TLS-only port. */
export function tlsOverride(tlsPort: number, files: TlsFiles, bind = "127.0.0.1"): string[] {
  return [
    "# test-only override: TLS only",
    `bind ${bind}`,
    "port 0",
    `tls-port ${tlsPort}`,
    `tls-cert-file ${files.serverCert}`,
    `tls-key-file ${files.serverKey}`,
    `tls-ca-cert-file ${files.caCert}`,
    "tls-auth-clients no",
  ];
}

async function mustRun(file: string, args: string[]): Promise<void> {
  const r = await run(file, args);
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
}
