/**
 * What the API and every worker have in common: the Redis connection and secrets they get, and
 * the restart, limits, user, stop and log settings of their containers. Written once here so a
 * new kind of service (the next issue's platforms) takes the same args with the same defaults.
 */
import type * as pulumi from "@pulumi/pulumi";
import { memoryLimit, providerCpus, stopGrace, unprivileged } from "./lib/container";
import type { RedisConnectionOutputs } from "./redis-connection";
import { LOG_ROTATION } from "./types";

export interface ServiceContainerArgs {
  /** Networks to join; the first should be the backend network Redis is on. */
  readonly networkNames: pulumi.Input<string>[];
  /** Whichever Redis back end the stack chose; every service gets the same connection. */
  readonly redis: RedisConnectionOutputs;
  /** Resources the containers must not start before (the Redis container). @default [] */
  readonly dependsOn?: pulumi.Resource[];
  /** The app's SECRET_KEY. */
  readonly secretKey: pulumi.Input<string>;
  /** Plain env, name to value. @default {} */
  readonly env?: Record<string, string>;
  /** Secret env, e.g. from `config.requireSecretObject`. @default {} */
  readonly secretEnv?: pulumi.Input<Record<string, string>>;
  /** Docker restart policy. @default "unless-stopped" */
  readonly restart?: "no" | "on-failure" | "always" | "unless-stopped";
  /** Restarts before Docker gives up, 1 or more; required with `restart: "on-failure"`. @default unlimited */
  readonly maxRetryCount?: number;
  /** Memory limit, MB, at least 16. @default unlimited */
  readonly memoryMb?: number;
  /** CPU limit, 0.01–256, e.g. 0.5. @default unlimited */
  readonly cpus?: number;
  /** "uid", "uid:gid" or a user name to run as. @default the image's user */
  readonly user?: string;
  /** The signal `docker stop` sends; the service drains or finishes its job on it. @default "SIGTERM" */
  readonly stopSignal?: string;
  /** Grace period before SIGKILL, ms, 1s–10m; rounded up to whole seconds. @default 30000 */
  readonly stopTimeoutMs?: number;
  /**
   * The monitoring network (components/monitoring.ts): joined under the service's metrics alias,
   * so Prometheus finds every replica through Docker's DNS. @default not joined
   */
  readonly monitoringNetworkName?: pulumi.Input<string>;
  /** The stack name, for labels. */
  readonly stack: string;
}

export const SERVICE_CONTAINER_DEFAULTS = {
  restart: "unless-stopped",
  stopSignal: "SIGTERM",
  stopTimeoutMs: 30_000,
} as const satisfies Partial<ServiceContainerArgs>;

export interface ResolvedServiceContainer {
  readonly env: Record<string, string>;
  readonly secretEnv: pulumi.Input<Record<string, string>>;
  readonly restart: NonNullable<ServiceContainerArgs["restart"]>;
  readonly stopSignal: string;
  readonly stopTimeoutMs: number;
  readonly dependsOn: pulumi.Resource[];
}

/** The shared defaults, with `??` so an explicit `undefined` still gets them. */
export function resolveServiceContainer(
  args: ServiceContainerArgs,
  d: typeof SERVICE_CONTAINER_DEFAULTS = SERVICE_CONTAINER_DEFAULTS,
): ResolvedServiceContainer {
  return {
    env: args.env ?? {},
    secretEnv: args.secretEnv ?? {},
    restart: args.restart ?? d.restart,
    stopSignal: args.stopSignal ?? d.stopSignal,
    stopTimeoutMs: args.stopTimeoutMs ?? d.stopTimeoutMs,
    dependsOn: args.dependsOn ?? [],
  };
}

/** The container settings every service shares: restart, limits, user, hardening, stop, logs. */
export function serviceContainerSettings(
  a: Pick<ServiceContainerArgs, "maxRetryCount" | "memoryMb" | "cpus" | "user"> &
    Pick<ResolvedServiceContainer, "restart" | "stopSignal" | "stopTimeoutMs">,
) {
  return {
    restart: a.restart,
    maxRetryCount: a.maxRetryCount,
    ...memoryLimit(a.memoryMb),
    // In the form the provider reads back ("1.0", not "1"): `cpus` is ForceNew.
    cpus: a.cpus === undefined ? undefined : providerCpus(a.cpus),
    user: a.user,
    // A service on an unprivileged port, or none, needs none of Docker's default capabilities
    // (capabilities(7); NET_RAW alone would let a compromised service forge packets on the
    // Redis network).
    ...unprivileged(),
    stopSignal: a.stopSignal,
    ...stopGrace(Math.ceil(a.stopTimeoutMs / 1_000)),
    ...LOG_ROTATION,
  };
}
