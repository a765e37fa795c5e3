import { goDuration } from "./duration";

/** Healthcheck timing, in milliseconds, as parsed from config. */
export interface HealthTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
}

/** The shape of `docker.Container`'s `healthcheck` input, without the Pulumi types. */
export interface DockerHealthcheck {
  tests: string[];
  interval: string;
  timeout: string;
  retries: number;
  startPeriod: string;
  startInterval: string;
}

/**
 * The probe runs every 2 s during the start period so a fast container is reported
 * healthy (and `wait` returns) long before the full start period has elapsed.
 */
const START_INTERVAL_MS = 2_000;

/**
 * Durations are written in Go's canonical form (see `goDuration`), the form the provider's
 * read returns, so a refresh finds nothing changed.
 */
export function toDockerHealthcheck(tests: string[], t: HealthTiming): DockerHealthcheck {
  return {
    tests,
    interval: goDuration(t.intervalMs),
    timeout: goDuration(t.timeoutMs),
    retries: t.retries,
    startPeriod: goDuration(t.startPeriodMs),
    startInterval: goDuration(Math.min(START_INTERVAL_MS, t.intervalMs)),
  };
}

/** Extra slack on top of the worst case, for image start-up and provider polling. */
export const WAIT_MARGIN_MS = 15_000;

/**
 * The seconds `docker.Container` should `wait` for a healthy status. The longest a
 * healthy-eventually container can take is the start period plus `retries` probes
 * spaced by `interval`, each allowed `timeout`; the provider's default of 60 s is
 * shorter than prod's 120 s start period, which is how `pulumi up` used to fail while
 * the container was still starting.
 */
export function waitTimeoutSeconds(t: HealthTiming): number {
  const worstCaseMs = t.startPeriodMs + t.intervalMs * t.retries + t.timeoutMs + WAIT_MARGIN_MS;
  return Math.ceil(worstCaseMs / 1_000);
}

/** The minimum `waitTimeout` that the policy pack and the config schema accept. */
export function minimumWaitSeconds(t: HealthTiming): number {
  return Math.ceil((t.startPeriodMs + t.intervalMs * t.retries) / 1_000);
}

/**
 * The API probe. `curl -f` turns any HTTP status >= 400 into a non-zero exit, and
 * `--max-time` keeps a hung server from outliving Docker's own timeout.
 */
export function httpProbe(port: number, path: string, timeoutMs: number): string[] {
  const seconds = Math.max(1, Math.floor(timeoutMs / 1_000));
  return [
    "CMD",
    "curl",
    "-fsS",
    "-o",
    "/dev/null",
    "--max-time",
    String(seconds),
    `http://127.0.0.1:${port}${path}`,
  ];
}

export interface RedisProbeOptions {
  /** `redis-cli` or `valkey-cli`. */
  readonly cli: string;
  readonly port: number;
  /** The ACL user the probe authenticates as; it may only run PING. */
  readonly user: string;
  /** A file inside the container holding the probe user's password. */
  readonly secretFile: string;
}

/**
 * The Redis probe. Three lessons from the postmortems are built in:
 * - `redis-cli ping` prints `NOAUTH Authentication required.` and still exits 0, so the
 *   reply itself must be `PONG`; checking the exit code alone reports a locked-out
 *   Redis as healthy.
 * - `redis-cli --raw incr ping` wrote a key on every probe. PING has no side effects.
 * - The password must not be visible in `docker inspect`'s healthcheck or on the host's
 *   process list, so it is read from a file into the CLI's auth environment variable,
 *   never passed with `-a`.
 */
export function redisProbe(o: RedisProbeOptions): string[] {
  const auth = `"$(cat ${o.secretFile})"`;
  const script =
    `REDISCLI_AUTH=${auth} VALKEYCLI_AUTH=${auth} ` +
    `${o.cli} --no-auth-warning --user ${o.user} -h 127.0.0.1 -p ${o.port} ping | grep -qx PONG`;
  return ["CMD-SHELL", script];
}

/** A path a shell reads without quoting: absolute, no spaces, quotes or `$`. */
export const HEARTBEAT_FILE_PATTERN = /^\/[A-Za-z0-9._/-]+$/;

/**
 * A worker's probe: the heartbeat file (unix seconds, rewritten by the worker's loop, as
 * examples/api does in worker mode) must be younger than `maxAgeMs`. A missing file reads as
 * 0, so the age is huge and the check fails; a garbled one is a shell arithmetic error, which
 * fails it too. The command holds no credential, so `docker inspect` shows nothing secret.
 */
export function heartbeatProbe(file: string, maxAgeMs: number): string[] {
  if (!HEARTBEAT_FILE_PATTERN.test(file)) {
    throw new Error(
      `heartbeat file "${file}" must be an absolute path of letters, digits and ._/- (it is read by a shell)`,
    );
  }
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 1_000) {
    throw new Error(`heartbeat maxAge (${maxAgeMs}ms) must be at least 1s`);
  }
  const seconds = Math.ceil(maxAgeMs / 1_000);
  return [
    "CMD-SHELL",
    `test $(( $(date +%s) - $(cat ${file} 2>/dev/null || echo 0) )) -lt ${seconds}`,
  ];
}

/**
 * The edge proxy's probe: HTTP/1.0 to HAProxy's monitor-uri on loopback through bash's
 * /dev/tcp, answered 200 while HAProxy runs. The official haproxy images (Debian-based) have
 * bash and coreutils' `timeout` but no curl, wget, nc or socat: docker-library/haproxy added
 * socat in 3fc33290 (2025-11-05), after 3.0.11 was last built (test/docker/images/manifests.json).
 */
export function edgeProbe(port: number, path: string): string[] {
  return [
    "CMD",
    "bash",
    "-c",
    `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 2 head -n 1 <&3 | grep -q '^HTTP/1\\.[01] 200'`,
  ];
}
