/**
 * Building blocks the stack schema shares with its managed back ends: numbers as the CLI
 * writes them, and the bounds Docker and the provider put on timings.
 */
import { z } from "zod";

export const PROJECT = "api-stack";
export const REDIS_MODES = ["local", "elasticache", "external"] as const;

/**
 * `pulumi config set --path api.cpus 0.5` stores the STRING "0.5". Under `--path` the CLI types
 * a value only as follows (pulumi/pulumi sdk/go/common/resource/config/map.go, Map.Set →
 * adjustObjectValue): "true"/"false" become booleans; a value of more than one character that
 * starts with "0" stays a string (so "0.5" and "0123" do); whatever strconv.Atoi accepts becomes
 * an int; everything else stays a string. A numeric string is read as the number the user
 * typed, for every numeric key.
 */
export function fromCli(v: unknown): unknown {
  return typeof v === "string" && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v) ? Number(v) : v;
}

/** A numeric key that also accepts the CLI's numeric strings. */
export const cliNumber = <T extends z.ZodType>(schema: T) => z.preprocess(fromCli, schema);

export const port = () => cliNumber(z.number().int().min(1).max(65535));

/** Bounds on healthcheck timings, shared with the pack's healthcheck-timing. */
export {
  PROBE_INTERVAL_MAX_MS as INTERVAL_MAX_MS,
  PROBE_INTERVAL_MIN_MS as INTERVAL_MIN_MS,
  PROBE_TIMEOUT_MIN_MS as TIMEOUT_MIN_MS,
} from "../policy/lib/healthcheck";
import {
  PROBE_INTERVAL_MAX_MS as INTERVAL_MAX_MS,
  PROBE_INTERVAL_MIN_MS as INTERVAL_MIN_MS,
  PROBE_TIMEOUT_MIN_MS as TIMEOUT_MIN_MS,
} from "../policy/lib/healthcheck";
export const STOP_TIMEOUT_MIN_MS = 1_000;
export const STOP_TIMEOUT_MAX_MS = 600_000;
/**
 * The fewest CPUs a container can start with. Docker turns `cpus` into a CFS quota over its
 * 100ms period (quota = cpus × 100ms), and the kernel refuses a quota under 1ms: torvalds/linux
 * kernel/sched/core.c, tg_set_cfs_bandwidth: `if (quota < min_cfs_quota_period …) return
 * -EINVAL` with min_cfs_quota_period = 1ms. Docker's own message names the same floor
 * ("range of CPUs is from 0.01 to N.00", moby/moby daemon/daemon_windows.go, which notes the
 * lower limit is left to the platform).
 */
export const CPUS_MIN = 0.01;

export function human(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1_000) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  return `${ms / 1_000}s`;
}

type Issue = (path: (string | number)[], message: string) => void;

/**
 * What Docker would do with a probe interval or timeout outside the bounds, said in the message.
 * moby/moby daemon/health.go: a zero interval or timeout means "use the default"
 * (defaultProbeInterval / defaultProbeTimeout, both 30s), not "none".
 */
export function checkProbeTimings(
  hc: { interval: number; timeout: number; retries: number },
  issue: Issue,
): { intervalOk: boolean; timeoutOk: boolean } {
  let intervalOk = true;
  let timeoutOk = true;
  if (hc.interval === 0) {
    intervalOk = false;
    issue(
      ["interval"],
      '(0s) is not "as often as possible": Docker reads 0 as unset and probes every 30s (its default, moby daemon/health.go defaultProbeInterval); write the interval you mean, e.g. "10s"',
    );
  } else if (hc.interval < INTERVAL_MIN_MS) {
    intervalOk = false;
    issue(
      ["interval"],
      `(${human(hc.interval)}) must be at least 1s: Docker would probe every ${human(hc.interval)} and count every slow reply as a failure; did you mean "${hc.interval}s"?`,
    );
  } else if (hc.interval > INTERVAL_MAX_MS) {
    intervalOk = false;
    issue(
      ["interval"],
      `(${human(hc.interval)}) must be at most 10m: Docker would notice a dead container only after ${human(hc.interval * hc.retries)} (interval × ${hc.retries} retries); lower it`,
    );
  }
  if (hc.timeout === 0) {
    timeoutOk = false;
    issue(
      ["timeout"],
      '(0s) is not "no timeout": Docker reads 0 as unset and gives each probe its 30s default (moby daemon/health.go defaultProbeTimeout), longer than the interval; set e.g. "3s"',
    );
  } else if (hc.timeout < TIMEOUT_MIN_MS) {
    timeoutOk = false;
    issue(
      ["timeout"],
      `(${human(hc.timeout)}) must be at least 1s: Docker would kill every probe that takes longer than ${human(hc.timeout)}; did you mean "${hc.timeout}s"?`,
    );
  }
  return { intervalOk, timeoutOk };
}
