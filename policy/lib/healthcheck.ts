import { parseDuration } from "./duration";
import { CliInvocation, cliInvocationsInArgv, cliInvocationsInScript } from "./shell";
import { containsUnknown } from "./unknown";

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
