/**
 * What `npm run verify` checks and what it reports: the target (the stack's outputs plus
 * command-line overrides) and the shape of each check's result.
 */
import type { StackOutputs } from "./outputs";

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  readonly check: string;
  readonly status: CheckStatus;
  /** Never contains a secret. */
  readonly detail: string;
  /** Round trip of the request or command that decided the check, ms; null if none was made. */
  readonly ms: number | null;
}

export interface VerifyTarget {
  readonly apiUrl?: string;
  /** @default "/health" */
  readonly healthPath: string;
  /** Secret. */
  readonly redisUrl?: string;
  /** Secret; preferred for INFO persistence. */
  readonly redisAdminUrl?: string;
  readonly redisMode?: StackOutputs["redisMode"];
  /** What the stack declared; a URL that disagrees fails the PING check. */
  readonly redisTls?: boolean;
  /**
   * Why Redis cannot be reached from where verify runs, when it cannot: on `platform: ecs` the
   * cache admits only the tasks' security groups (stacks/ecs.ts), so its checks are skipped
   * unless `--redis-url` points at a tunnel; the API's health through the ALB covers it.
   */
  readonly redisUnreachable?: string;
  /** PEM CA bundle for `rediss://`; the system roots when absent. */
  readonly ca?: Buffer;
  /** How long the API check waits for a healthy answer, ms. */
  readonly apiTimeoutMs: number;
}

export interface VerifyOptions {
  readonly target: VerifyTarget;
  /** More values to mask, e.g. everything secret in the outputs. */
  readonly secrets?: readonly string[];
  /** Progress lines while the API check waits (the CLI writes them to stderr). */
  readonly onProgress?: (line: string) => void;
  /** @default 2000 */
  readonly retryIntervalMs?: number;
  /** Per HTTP attempt. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Connect plus command, per Redis check. @default 5000 */
  readonly redisTimeoutMs?: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly target: {
    readonly healthUrl?: string;
    readonly redisUrl?: string;
    readonly redisMode?: string;
  };
  readonly checks: CheckResult[];
}

export interface TargetOverrides {
  readonly apiUrl?: string;
  readonly redisUrl?: string;
  readonly ca?: Buffer;
  readonly timeoutSeconds?: number;
}

const DEFAULT_WAIT_SECONDS = 60;
const MIN_WAIT_SECONDS = 10;

/**
 * Outputs plus command-line overrides. An overridden Redis URL replaces the admin URL
 * too: the stack's admin URL names the host the stack sees, not the one you pointed at.
 */
export function resolveTarget(outputs: StackOutputs, o: TargetOverrides = {}): VerifyTarget {
  const waitSeconds =
    o.timeoutSeconds ??
    Math.max(MIN_WAIT_SECONDS, outputs.apiStartPeriodSeconds ?? DEFAULT_WAIT_SECONDS);
  const redisOverridden = o.redisUrl !== undefined;
  return {
    apiUrl: o.apiUrl ?? outputs.apiUrl,
    healthPath: outputs.apiHealthPath ?? "/health",
    // verify runs on the Docker host (or a CI runner), where a local stack's Redis is only
    // reachable through its loopback debug port; the in-network URL is the fallback.
    redisUrl: o.redisUrl ?? outputs.redisHostUrl ?? outputs.redisUrl,
    redisAdminUrl: redisOverridden
      ? undefined
      : (outputs.redisAdminHostUrl ?? outputs.redisAdminUrl),
    redisMode: outputs.redisMode,
    redisTls: redisOverridden ? undefined : outputs.redisTls,
    redisUnreachable:
      outputs.platform === "ecs" && !redisOverridden
        ? "platform=ecs: the cache admits only the tasks' security groups; the API's health through the ALB covers it (pass --redis-url through a tunnel to check it directly)"
        : undefined,
    ca: o.ca,
    apiTimeoutMs: Math.round(waitSeconds * 1_000),
  };
}

/** `http://host:3003` + `/health`, keeping any path prefix of the base URL. */
export function healthUrl(apiUrl: string, path: string): string {
  return `${apiUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
