/**
 * Building blocks every part of the stack schema shares: numbers as the CLI writes them,
 * durations, images, restart policies, healthcheck timings, and the bounds Docker and the
 * provider put on them.
 */
import { z } from "zod";
import { parseDuration } from "../../components/lib/duration";
import type { HealthTiming } from "../../components/lib/healthcheck";
import { checkImageReference } from "../../components/lib/image-ref";
import { isLogRetentionDays, LOG_RETENTION_DAYS } from "../../components/lib/log-retention";

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
export const cliNumber = <T extends z.core.SomeType>(schema: T) => z.preprocess(fromCli, schema);

export const port = () => cliNumber(z.number().int().min(1).max(65535));

/** Bounds on healthcheck timings, shared with the pack's healthcheck-timing. */
export {
  PROBE_INTERVAL_MAX_MS as INTERVAL_MAX_MS,
  PROBE_INTERVAL_MIN_MS as INTERVAL_MIN_MS,
  PROBE_TIMEOUT_MIN_MS as TIMEOUT_MIN_MS,
} from "../../policy/lib/healthcheck";
import {
  PROBE_INTERVAL_MAX_MS as INTERVAL_MAX_MS,
  PROBE_INTERVAL_MIN_MS as INTERVAL_MIN_MS,
  PROBE_TIMEOUT_MIN_MS as TIMEOUT_MIN_MS,
} from "../../policy/lib/healthcheck";
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

export type Issue = (path: (string | number)[], message: string) => void;

/** Where a start period's bounds come from: Docker's own limits are far looser than ours. */
const START_PERIOD_MIN_MS = 10_000;
const START_PERIOD_MAX_MS = 600_000;

export const duration = (example: string) =>
  z.string({ error: `must be a duration string such as "${example}"` }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `"${text}" is not a duration: write a number with a unit (ms, s, m, h), e.g. "${example}"`,
      });
      return z.NEVER;
    }
    return ms;
  });

export const restart = z.enum(["no", "on-failure", "always", "unless-stopped"]);
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: "env var names may contain only letters, digits and _, and not start with a digit",
});
export const hostIp = z.union([z.ipv4(), z.ipv6()], {
  error: 'must be an IP address such as "127.0.0.1"',
});

export const image = () =>
  z.string().superRefine((ref, ctx) => {
    const problem = checkImageReference(ref);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * A healthcheck's timing keys, written as the stack file writes them ("10s"), with a
 * component's defaults (in ms) as the defaults.
 */
export function timingShape(d: HealthTiming) {
  return {
    interval: duration(seconds(d.intervalMs)).prefault(seconds(d.intervalMs)),
    timeout: duration(seconds(d.timeoutMs)).prefault(seconds(d.timeoutMs)),
    retries: cliNumber(
      z
        .number()
        .int()
        .min(3, { error: "must be at least 3, so one slow probe does not restart the container" })
        .max(20),
    ).default(d.retries),
    startPeriod: duration(seconds(d.startPeriodMs)).prefault(seconds(d.startPeriodMs)),
  };
}

type ParsedTiming = { interval: number; timeout: number; retries: number; startPeriod: number };

export function checkTiming(hc: ParsedTiming, ctx: z.RefinementCtx): void {
  const ok = checkProbeTimings(hc, (path, message) =>
    ctx.addIssue({ code: "custom", path, message }),
  );
  if (ok.intervalOk && ok.timeoutOk && hc.timeout >= hc.interval) {
    ctx.addIssue({
      code: "custom",
      path: ["timeout"],
      message: `(${seconds(hc.timeout)}) must be shorter than \`interval\` (${seconds(hc.interval)}): lower the timeout or raise the interval`,
    });
  }
  if (hc.startPeriod < START_PERIOD_MIN_MS || hc.startPeriod > START_PERIOD_MAX_MS) {
    ctx.addIssue({
      code: "custom",
      path: ["startPeriod"],
      message: `(${seconds(hc.startPeriod)}) must be between 10s and 600s: too short kills containers that are still starting, too long hides a crash loop`,
    });
  }
}

/** Renames the parsed durations to say their unit, as the components' `HealthTiming` does. */
export function timing<T extends ParsedTiming>(h: T) {
  const { interval, timeout, startPeriod, ...rest } = h;
  return { ...rest, intervalMs: interval, timeoutMs: timeout, startPeriodMs: startPeriod };
}

/** Milliseconds as the stack file writes whole seconds: 60000 is "60s". */
export function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** A CloudWatch log group's retention, one of the periods CloudWatch accepts. */
export const logRetentionDays = (d: number) =>
  cliNumber(z.number())
    .refine(isLogRetentionDays, {
      error: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .default(d);

/**
 * An AWS resource id: the prefix, "-", and 8 or 17 hex digits (Amazon EC2 User Guide, "Resource
 * IDs": ids are 17 characters after the prefix; those made before 2016-2018 have 8). A shorter,
 * longer or upper-case one reaches AWS, which refuses it only once resources are being created.
 */
export function awsId(prefix: string, example: string, what = `a ${prefix} id`) {
  return z.string().regex(new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`), {
    error: (i) =>
      `${typeof i.input === "string" ? `("${i.input}") ` : ""}must be ${what} such as "${example}": "${prefix}-" and 8 or 17 lower-case hex digits`,
  });
}

/**
 * A list whose entries must be distinct: AWS refuses a duplicate rule or group part-way through.
 * A superRefine callback (`z.array(x).superRefine(distinct("rule"))`), not a function that takes
 * the schema: passing a zod schema to a parameter typed as a zod type makes tsc measure the
 * variance of zod's classes, a hot spot of the type check (docs/testing.md, "Where tsc's time
 * goes"). For the same
 * reason cliNumber's T extends z.core.SomeType, not z.ZodType.
 */
export function distinct(what: string) {
  return (items: string[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item))
        ctx.addIssue({
          code: "custom",
          message: `lists "${item}" twice: AWS refuses a duplicate ${what} part-way through the deploy; list it once`,
        });
      seen.add(item);
    }
  };
}
