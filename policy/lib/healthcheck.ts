import { parseDuration } from "./duration";
import { CliInvocation, cliInvocationsInArgv, cliInvocationsInScript } from "./shell";
import { containsUnknown, isUnknown } from "./unknown";

/** A Docker healthcheck `test`, by form. */
export type Probe =
  | { readonly form: "none"; readonly reason: string }
  | { readonly form: "exec"; readonly argv: readonly string[] }
  | { readonly form: "shell"; readonly script: string }
  | { readonly form: "invalid"; readonly reason: string }
  | { readonly form: "unknown" };

export function parseProbe(tests: unknown): Probe {
  if (containsUnknown(tests)) {
    return { form: "unknown" };
  }
  if (tests === undefined || tests === null) {
    return { form: "none", reason: "no `healthcheck.tests`" };
  }
  if (!Array.isArray(tests) || !tests.every((t) => typeof t === "string")) {
    return { form: "invalid", reason: "`healthcheck.tests` is not a list of strings" };
  }
  const [kind, ...rest] = tests as string[];
  if (kind === undefined) {
    return {
      form: "none",
      reason: "`healthcheck.tests` is empty (inherits or disables the image's check)",
    };
  }
  switch (kind.toUpperCase()) {
    case "NONE":
      return { form: "none", reason: '`healthcheck.tests` is ["NONE"], which disables the check' };
    case "CMD":
      return rest.length > 0
        ? { form: "exec", argv: rest }
        : { form: "invalid", reason: '`healthcheck.tests` is ["CMD"] with no command' };
    case "CMD-SHELL": {
      const script = rest.join(" ").trim();
      return script.length > 0
        ? { form: "shell", script }
        : { form: "invalid", reason: '`healthcheck.tests` is ["CMD-SHELL"] with no command' };
    }
    default:
      return {
        form: "invalid",
        reason: `\`healthcheck.tests\` starts with "${kind}"; Docker needs "CMD", "CMD-SHELL" or "NONE"`,
      };
  }
}

export function probeInvocations(p: Probe): CliInvocation[] {
  if (p.form === "exec") {
    return cliInvocationsInArgv(p.argv);
  }
  if (p.form === "shell") {
    return cliInvocationsInScript(p.script);
  }
  return [];
}

export function probeText(p: Probe): string {
  if (p.form === "exec") {
    return p.argv.join(" ");
  }
  return p.form === "shell" ? p.script : "";
}

/** Docker's effective timings: "0s"/unset fall back to the daemon defaults (30s, 30s, 3). */
export interface Timings {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly startPeriodMs?: number;
  readonly retries?: number;
}

export const DOCKER_DEFAULT_INTERVAL_MS = 30_000;
export const DOCKER_DEFAULT_TIMEOUT_MS = 30_000;
export const DOCKER_DEFAULT_RETRIES = 3;
/**
 * Bounds on a probe's interval and timeout that config and pack share. Docker itself accepts
 * anything from 1ms (moby/moby api/types/container MinimumDuration); below 1s is a unit typo
 * ("10ms" for "10s") and above 10m a dead container goes unnoticed for hours.
 */
export const PROBE_INTERVAL_MIN_MS = 1_000;
export const PROBE_INTERVAL_MAX_MS = 600_000;
export const PROBE_TIMEOUT_MIN_MS = 1_000;
/**
 * The start period every long-running container's healthcheck must lie in, as Docker durations:
 * the `healthcheck-timing` default (Docker) and the `ecs-container-healthcheck` floor (ECS) both
 * start from it, so "sane start_period values" hold on both platforms (ECS caps it at 300 s).
 */
export const START_PERIOD_RANGE = { min: "10s", max: "600s" } as const;
/** Provider default for `waitTimeout`, in seconds (docker provider ContainerArgs docs). */
export const PROVIDER_DEFAULT_WAIT_TIMEOUT_S = 60;

/** Parses a duration that may be unset; "garbage" is reported as NaN. */
export function durationField(v: unknown): number | undefined {
  if (v === undefined || v === null || v === "") {
    return undefined;
  }
  const ms = parseDuration(v);
  return ms === undefined ? Number.NaN : ms;
}

/** A probe's commands, each as words: argv for exec form, shell segments split at | ; && ||. */
function probeCommands(p: Probe): string[][] {
  if (p.form === "exec") return [[...p.argv]];
  if (p.form !== "shell") return [];
  return p.script
    .split(/\|\||&&|[|;]/)
    .map((seg) =>
      (seg.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(["'])(.*)\1$/, "$2")),
    )
    .filter((words) => words.length > 0);
}

function programOf(words: readonly string[]): { name: string; args: string[] } | undefined {
  const i = words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  const first = i < 0 ? undefined : words[i];
  if (first === undefined) return undefined;
  return { name: first.split("/").pop() as string, args: words.slice(i + 1) };
}

/**
 * True when the probe runs curl without `-f`/`--fail`: curl exits 0 on any HTTP reply, a 500
 * included (curl(1), EXIT CODES and --fail: "Fail fast with no output at all on server
 * errors"; without it curl reports success for any response it received), so the check
 * cannot fail while the server answers at all.
 */
export function curlWithoutFail(p: Probe): boolean {
  return probeCommands(p).some((words) => {
    const prog = programOf(words);
    if (prog?.name !== "curl") return false;
    return !prog.args.some(
      (a) => a === "--fail" || a === "--fail-with-body" || /^-[A-Za-z0-9]*f[A-Za-z0-9]*$/.test(a),
    );
  });
}

/** Why a probe's test list can never fail or never pass because it is blank, or undefined. */
export function blankProbe(tests: readonly string[]): string | undefined {
  const [kind, ...rest] = tests;
  if (rest.join("").trim() !== "") return undefined;
  if (kind?.toUpperCase() === "CMD-SHELL")
    return '["CMD-SHELL", ""] runs `/bin/sh -c ""`, which exits 0, so the check can never fail';
  if (kind?.toUpperCase() === "CMD")
    return '["CMD", ""] has no program to run, so the check can never pass';
  return undefined;
}

/** Ports of the loopback HTTP(S) URLs a probe requests (80/443 when the URL has none). */
export function loopbackProbePorts(p: Probe): number[] {
  const ports: number[] = [];
  for (const words of probeCommands(p))
    for (const w of words)
      for (const m of w.matchAll(
        /\b(https?):\/\/(?:[^\s/@]*@)?(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1\])(?::(\d+))?/gi,
      ))
        ports.push(m[2] ? Number(m[2]) : m[1]?.toLowerCase() === "https" ? 443 : 80);
  return [...new Set(ports)];
}

/** The healthcheck object and its probe, or why there is none. */
export function healthcheckOf(p: Record<string, unknown>): {
  hc?: Record<string, unknown>;
  probe: Probe;
} {
  const hc = p.healthcheck;
  if (isUnknown(hc)) {
    return { probe: { form: "unknown" } };
  }
  if (hc === undefined || hc === null || typeof hc !== "object") {
    return { probe: { form: "none", reason: "no `healthcheck`" } };
  }
  return {
    hc: hc as Record<string, unknown>,
    probe: parseProbe((hc as Record<string, unknown>).tests),
  };
}
