/**
 * Sane healthchecks: every long-running container has one, and its timings are explicit and
 * consistent with `wait`. What a Redis probe may send is in redis-healthchecks.ts.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, onlyFor } from "../lib/config";
import { containerLabel, isOneShot, Props, redisIdentity } from "../lib/docker";
import { formatMs } from "../lib/duration";
import { parseEnvs } from "../lib/env";
import {
  blankProbe,
  curlWithoutFail,
  loopbackProbePorts,
  DOCKER_DEFAULT_INTERVAL_MS,
  DOCKER_DEFAULT_RETRIES,
  DOCKER_DEFAULT_TIMEOUT_MS,
  durationField,
  healthcheckOf,
  Probe,
  PROBE_INTERVAL_MAX_MS,
  PROBE_INTERVAL_MIN_MS,
  PROBE_TIMEOUT_MIN_MS,
  PROVIDER_DEFAULT_WAIT_TIMEOUT_S,
  START_PERIOD_RANGE,
} from "../lib/healthcheck";
import { parseDuration } from "../lib/duration";
import { CONTAINER } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";

export const containerHealthcheckRequired: ResourceValidationPolicy = {
  name: "container-healthcheck-required",
  description: "Every long-running container must define a healthcheck that actually runs a probe.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    if (isOneShot(p)) {
      return;
    }
    const { probe } = healthcheckOf(p);
    const label = containerLabel(args.name, p);
    if (probe.form === "unknown") {
      report(
        unknownAtPreview(`The healthcheck of ${label}`, "declare `healthcheck.tests` as literals"),
      );
    } else if (probe.form === "invalid" && blankTests(p)) {
      probeProblems(p, probe).forEach((m) => report(`${label}: ${m}`));
    } else if (probe.form === "none" || probe.form === "invalid") {
      report(
        `${label} has ${probe.reason}, so Docker and \`wait\` cannot tell a hung service from a ` +
          'healthy one. Fix: add healthcheck.tests, e.g. ["CMD-SHELL", "curl -fsS http://localhost:PORT/health"] ' +
          'or, for Redis, ["CMD-SHELL", "redis-cli ping | grep -qx PONG"].',
      );
    } else {
      probeProblems(p, probe).forEach((m) => report(`${label}: ${m}`));
    }
  }),
};

/** `["CMD-SHELL", ""]`, `["CMD", " "]`: a test list whose command is blank. */
function blankTests(p: Props): boolean {
  const tests = (p.healthcheck as Props | undefined)?.tests;
  return (
    Array.isArray(tests) &&
    tests.every((t) => typeof t === "string") &&
    blankProbe(tests as string[]) !== undefined
  );
}

/** Ports the container's process listens on, as far as the resource says: published ports and PORT. */
function listeningPorts(p: Props): number[] {
  const ports = Array.isArray(p.ports)
    ? p.ports
        .map((x) => (x && typeof x === "object" ? (x as Props).internal : undefined))
        .filter((n): n is number => typeof n === "number")
    : [];
  const env = parseEnvs(p.envs).vars.find((v) => v.name === "PORT");
  if (env && /^\d+$/.test(env.value)) ports.push(Number(env.value));
  return [...new Set(ports)];
}

/**
 * A probe that cannot fail (blank CMD-SHELL, curl without --fail), can never pass (blank CMD,
 * a loopback URL on a port the container does not listen on). The same checks the stack's
 * config makes on `api.healthcheck.command` (stacks/config/rules.ts checkHealthCommand).
 */
export function probeProblems(p: Props, probe: Probe): string[] {
  const tests = (p.healthcheck as Props).tests as string[];
  const blank = blankProbe(tests);
  if (blank) {
    return [
      `healthcheck.tests is empty: ${blank}. Fix: a real probe such as ["CMD", "curl", "-fsS", "http://127.0.0.1:PORT/health"].`,
    ];
  }
  const out: string[] = [];
  if (curlWithoutFail(probe)) {
    out.push(
      "the healthcheck runs curl without --fail (-f); curl exits 0 on an HTTP 500, so the check " +
        'cannot fail. Fix: add -f, e.g. ["CMD", "curl", "-fsS", "http://127.0.0.1:PORT/health"].',
    );
  }
  const listening = listeningPorts(p);
  const wrong = loopbackProbePorts(probe).filter((x) => !listening.includes(x));
  if (listening.length > 0 && wrong.length > 0) {
    out.push(
      `the healthcheck probes port ${wrong.join(", ")} but the container listens on ${listening.join(", ")} ` +
        "(its published ports and PORT), so the check can never pass. Fix: point the probe at the port the app listens on.",
    );
  }
  return out;
}

interface Range {
  min: string;
  max: string;
}

interface TimingConfig {
  startPeriod: { default: Range; redis?: Range; [role: string]: Range | undefined };
  minRetries: number;
}

const timingDefaults: TimingConfig = {
  startPeriod: { default: { ...START_PERIOD_RANGE }, redis: { ...START_PERIOD_RANGE } },
  minRetries: 3,
};

const rangeSchema = {
  type: "object" as const,
  properties: { min: { type: "string" as const }, max: { type: "string" as const } },
  required: ["min", "max"],
};

/** Violations of `healthcheck-timing` for one container's healthcheck. */
export function checkTimings(
  label: string,
  role: string,
  p: Props,
  hc: Props,
  cfg: TimingConfig,
): string[] {
  const out: string[] = [];
  const unknown = (field: string): void => {
    out.push(unknownAtPreview(`\`${field}\` of ${label}`, `set ${field} to a literal value`));
  };
  const range = cfg.startPeriod[role] ?? cfg.startPeriod.default;
  const min = parseDuration(range.min) ?? 10_000;
  const max = parseDuration(range.max) ?? 600_000;

  let startMs: number | undefined;
  if (isUnknown(hc.startPeriod)) {
    unknown("healthcheck.startPeriod");
  } else {
    const sp = durationField(hc.startPeriod);
    if (sp === undefined || sp === 0) {
      out.push(
        `${label} has healthcheck.startPeriod ${sp === 0 ? `"${String(hc.startPeriod)}"` : "unset"}, so ` +
          "failed probes during boot count immediately and a slow start restarts or fails the " +
          `deploy. Fix: set startPeriod between ${range.min} and ${range.max} ("${role}" role), e.g. "30s".`,
      );
    } else if (Number.isNaN(sp)) {
      out.push(
        `${label} has healthcheck.startPeriod "${String(hc.startPeriod)}", which is not a Docker duration. ` +
          'Fix: use Go duration syntax such as "30s", "1m30s" or "500ms".',
      );
    } else if (sp < min || sp > max) {
      out.push(
        `${label} has healthcheck.startPeriod ${formatMs(sp)}, outside the allowed ${range.min}–${range.max} ` +
          `for the "${role}" role. Fix: choose a start period within the range (or change the range in the policy config).`,
      );
    } else {
      startMs = sp;
    }
  }

  const timing = (field: "interval" | "timeout", dflt: number): number | undefined => {
    if (isUnknown(hc[field])) {
      unknown(`healthcheck.${field}`);
      return undefined;
    }
    const v = durationField(hc[field]);
    if (v !== undefined && Number.isNaN(v)) {
      out.push(
        `${label} has healthcheck.${field} "${String(hc[field])}", which is not a Docker duration. Fix: use e.g. "10s".`,
      );
      return undefined;
    }
    const min = field === "interval" ? PROBE_INTERVAL_MIN_MS : PROBE_TIMEOUT_MIN_MS;
    if (v !== undefined && v > 0 && v < min) {
      out.push(
        `${label} has healthcheck.${field} ${formatMs(v)}, under 1s: Docker would ${field === "interval" ? "probe" : "kill a probe"} every ${formatMs(v)} (a unit typo such as "10ms" for "10s"?). Fix: use seconds, e.g. "10s".`,
      );
    }
    if (field === "interval" && v !== undefined && v > PROBE_INTERVAL_MAX_MS) {
      out.push(
        `${label} has healthcheck.interval ${formatMs(v)}, over 10m, so a dead container goes unnoticed for interval × retries. Fix: probe at most every 10m, e.g. "30s".`,
      );
    }
    return v === undefined || v === 0 ? dflt : v;
  };
  const interval = timing("interval", DOCKER_DEFAULT_INTERVAL_MS);
  const timeout = timing("timeout", DOCKER_DEFAULT_TIMEOUT_MS);
  if (interval !== undefined && timeout !== undefined && timeout >= interval) {
    // Probes never overlap: moby/moby daemon/health.go, monitor, runs one probe at a time and
    // resets its interval timer after the probe returns, so the interval is the gap between
    // the end of one probe and the start of the next.
    out.push(
      `${label} has healthcheck.timeout ${formatMs(timeout)} >= interval ${formatMs(interval)} ` +
        "(unset or 0s means Docker's 30s for both): a hung probe may run as long as the gap between probes, " +
        "so each failing check takes timeout + interval and Docker marks the container unhealthy only after " +
        `retries × ${formatMs(timeout + interval)} (probes never overlap: Docker waits the interval after each one ends). ` +
        'Fix: make timeout shorter than interval, e.g. interval "10s", timeout "3s".',
    );
  }

  let retries: number | undefined;
  if (isUnknown(hc.retries)) {
    unknown("healthcheck.retries");
  } else {
    const r = typeof hc.retries === "number" ? hc.retries : 0;
    retries = r === 0 ? DOCKER_DEFAULT_RETRIES : r;
    if (r < 0 || retries < cfg.minRetries) {
      out.push(
        `${label} has healthcheck.retries ${r}, so one slow probe marks it unhealthy. ` +
          `Fix: set retries to at least ${cfg.minRetries}.`,
      );
    }
  }

  if (isUnknown(p.wait)) {
    unknown("wait");
  } else if (p.wait === true) {
    if (isUnknown(p.waitTimeout)) {
      unknown("waitTimeout");
    } else if (startMs !== undefined && interval !== undefined && retries !== undefined) {
      const wt =
        typeof p.waitTimeout === "number" ? p.waitTimeout : PROVIDER_DEFAULT_WAIT_TIMEOUT_S;
      const needMs = startMs + interval * retries;
      if (wt * 1000 < needMs) {
        out.push(
          `${label} waits only ${wt}s for healthy${typeof p.waitTimeout === "number" ? "" : " (the provider default when waitTimeout is unset)"}, ` +
            `but startPeriod + interval × retries = ${formatMs(startMs)} + ${formatMs(interval)} × ${retries} = ` +
            `${formatMs(needMs)}, so a slow but healthy start fails the deploy. Fix: set waitTimeout to at least ${Math.ceil(needMs / 1000)}.`,
        );
      }
    }
  }
  return out;
}

export const healthcheckTiming: ResourceValidationPolicy = {
  name: "healthcheck-timing",
  description:
    "Healthcheck startPeriod, interval, timeout, retries and waitTimeout must be explicit and consistent.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      startPeriod: {
        type: "object",
        description: 'Allowed startPeriod per role ("default", "redis"), as Docker durations.',
        properties: { default: rangeSchema, redis: rangeSchema },
        additionalProperties: rangeSchema,
        default: timingDefaults.startPeriod,
      },
      minRetries: { type: "integer", minimum: 1, default: 3 },
    },
  },
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const { hc, probe } = healthcheckOf(p);
    // Missing or unknown healthchecks are reported by container-healthcheck-required.
    if (isOneShot(p) || !hc || probe.form === "none" || probe.form === "invalid") {
      return;
    }
    const given = configOf(args, timingDefaults);
    const cfg: TimingConfig = {
      ...given,
      startPeriod: { ...timingDefaults.startPeriod, ...given.startPeriod },
    };
    const role = redisIdentity(p).redis ? "redis" : "default";
    checkTimings(containerLabel(args.name, p), role, p, hc, cfg).forEach((m) => report(m));
  }),
};
