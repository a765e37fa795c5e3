/**
 * `EcsService`'s arguments, their defaults and the values derived from them (task size,
 * both health checks, grace, stop timeout, drain time). Split from ecs-service.ts to keep each
 * file readable; ecs-service.ts re-exports all of it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { API_SERVICE_DEFAULTS } from "./api-service";
import type { EcsPlatformRef } from "./ecs-platform";
import {
  ecsHealthCheck,
  fargateSize,
  gracePeriodSeconds,
  stopTimeoutSeconds,
  targetGroupHealthCheck,
  type EcsHealthCheck,
  type FargateSize,
  type TargetHealthCheck,
} from "./lib/fargate";
import { heartbeatProbe, httpProbe, type HealthTiming } from "./lib/healthcheck";
import type { RedisConnectionOutputs } from "./redis-connection";
import { WORKER_SERVICE_DEFAULTS } from "./worker-service";

/** The probe: timings (ms), the HTTP path the ALB and the default probe request, or a command. */
export interface EcsServiceHealthcheck extends Partial<HealthTiming> {
  /** Web: the path the ALB and the default curl probe request. @default "/health" */
  readonly path?: string;
  /** The container's probe, Docker's ["CMD", …] form. @default web: curl -f on `path`; worker: the heartbeat probe */
  readonly command?: string[];
  /** Worker: the file the heartbeat probe checks, as on Docker. @default "/tmp/worker-heartbeat" */
  readonly heartbeatFile?: string;
  /** Worker: how old the heartbeat may be, ms, as on Docker. @default 10000 */
  readonly maxAgeMs?: number;
}

/** The secrets every ECS service gets besides `secretEnv` (EcsService's secretValues). */
export const ECS_STACK_SECRETS = ["REDIS_URL", "REDIS_PASSWORD", "SECRET_KEY"] as const;

/** The defaults every ECS service gets; timings and ports are the Docker services' own. */
export const ECS_SERVICE_DEFAULTS = {
  port: API_SERVICE_DEFAULTS.port,
  // examples/api's image runs as 10001:10001 (examples/api/Dockerfile, USER); any non-root
  // uid works on Fargate without a passwd entry.
  user: "10001:10001",
  stopTimeoutMs: 30_000,
  desiredCount: 2,
  cpuTargetPercent: 60,
  requestsPerTarget: 1000,
  pathPatterns: ["/*"],
  listenerRulePriority: 100,
  logRetentionDays: 30,
  enableExecuteCommand: false,
  cpuArchitecture: "X86_64",
} as const satisfies Partial<EcsServiceArgs>;

export interface EcsServiceArgs {
  /** `web` sits behind the ALB on `port`; `worker` takes no traffic. */
  readonly kind: "web" | "worker";
  /** The cluster and ALB it runs on (an `EcsPlatform`). */
  readonly platform: EcsPlatformRef;
  /** A pinned image, e.g. "ghcr.io/acme/api:1.4.2". */
  readonly image: string;
  /** Overrides the image's CMD, e.g. ["node", "/app/server.js", "worker"]. @default the image's CMD */
  readonly command?: string[];
  /** Web only: the container port, 1–65535. @default 3003 */
  readonly port?: number;
  /** Private subnets for the tasks, at least two, in different availability zones. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The AWS region, for the awslogs driver, e.g. "eu-central-1". */
  readonly region: pulumi.Input<string>;
  /** Whichever Redis back end the stack chose (ElastiCache or external). */
  readonly redis: RedisConnectionOutputs;
  /** The app's SECRET_KEY. */
  readonly secretKey: pulumi.Input<string>;
  /** Plain env, name to value; never a credential. @default {} */
  readonly env?: Record<string, string>;
  /** Secret env, name to (secret) value; each becomes a Secrets Manager secret. @default {} */
  readonly secretEnv?: Record<string, pulumi.Input<string>>;
  /** Probe timing (ms), path and command. @default the Docker service's (web: 30s/10s/5/60s "/health"; worker: heartbeat 10s/5s/3/30s) */
  readonly healthcheck?: EcsServiceHealthcheck;
  /** vCPUs; rounded up to a Fargate size with `memoryMb`. @default 0.25 */
  readonly cpus?: number;
  /** MB; rounded up to a Fargate size with `cpus`. @default the smallest for the CPU */
  readonly memoryMb?: number;
  /** "uid" or "uid:gid", never root. @default "10001:10001" */
  readonly user?: string;
  /** Grace between SIGTERM and SIGKILL, ms, at least 1 s; Fargate caps it at 120 s. @default 30000 */
  readonly stopTimeoutMs?: number;
  /** Tasks to run, 1 or more (the pack wants 2 or more in prod). @default 2 */
  readonly desiredCount?: number;
  /** Autoscaling floor, 1 or more. @default `desiredCount` */
  readonly minCount?: number;
  /** Autoscaling ceiling, at least `minCount`. @default 2 × `desiredCount` */
  readonly maxCount?: number;
  /** Target average CPU, percent, 1–100. @default 60 */
  readonly cpuTargetPercent?: number;
  /** Web only: target ALB requests per task per minute, 1 or more. @default 1000 */
  readonly requestsPerTarget?: number;
  /** Web only: the HTTPS listener paths routed here, 1–5 patterns. @default ["/*"] */
  readonly pathPatterns?: string[];
  /** Web only: the listener rule's priority, 1–50000, unique per listener. @default 100 */
  readonly listenerRulePriority?: number;
  /** CloudWatch log retention, days. @default 30 */
  readonly logRetentionDays?: number;
  /** ECS Exec into the tasks (adds the SSM actions to the task role); off in prod. @default false */
  readonly enableExecuteCommand?: boolean;
  /** The image's architecture. @default "X86_64" */
  readonly cpuArchitecture?: "X86_64" | "ARM64";
  /** The stack name, for the task family and descriptions. */
  readonly stack: string;
}

export type ResolvedEcsServiceArgs = Required<
  Omit<EcsServiceArgs, "command" | "memoryMb" | "cpus" | "healthcheck">
> &
  Pick<EcsServiceArgs, "command" | "memoryMb" | "cpus"> & {
    readonly healthcheck: HealthTiming & { readonly path: string; readonly command: string[] };
    /** Derived: the task size, both health checks, the grace, the stop timeout, the drain time. */
    readonly size: FargateSize;
    readonly containerHealth: EcsHealthCheck;
    /** Web only. */
    readonly targetHealth: TargetHealthCheck | undefined;
    readonly gracePeriodSeconds: number;
    readonly stopTimeoutSeconds: number;
    readonly deregistrationDelaySeconds: number;
  };
/** The args the stack file decides; the program supplies the rest (platform, network, Redis, secrets). */
export type EcsServiceSettings = Omit<
  EcsServiceArgs,
  "platform" | "subnetIds" | "region" | "redis" | "secretKey" | "secretEnv" | "stack"
>;

/**
 * Runs the checks and derivations `resolveEcsServiceArgs` runs (task size, both health checks,
 * the stop timeout) and throws the same message on the first bad value, so the config can
 * refuse a bad service before any resource is registered. Those steps read only these settings.
 */
export function checkEcsServiceSettings(s: EcsServiceSettings): void {
  resolveEcsServiceArgs(s as EcsServiceArgs);
}

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveEcsServiceArgs(args: EcsServiceArgs): ResolvedEcsServiceArgs {
  const d = ECS_SERVICE_DEFAULTS;
  const web = args.kind === "web";
  const port = args.port ?? d.port;
  const h = args.healthcheck ?? {};
  const dh = web ? API_SERVICE_DEFAULTS.healthcheck : WORKER_SERVICE_DEFAULTS.healthcheck;
  const timing: HealthTiming = {
    intervalMs: h.intervalMs ?? dh.intervalMs,
    timeoutMs: h.timeoutMs ?? dh.timeoutMs,
    retries: h.retries ?? dh.retries,
    startPeriodMs: h.startPeriodMs ?? dh.startPeriodMs,
  };
  const path = h.path ?? API_SERVICE_DEFAULTS.healthcheck.path;
  const w = WORKER_SERVICE_DEFAULTS.healthcheck;
  const command =
    h.command ??
    (web
      ? httpProbe(port, path, timing.timeoutMs)
      : heartbeatProbe(h.heartbeatFile ?? w.heartbeatFile, h.maxAgeMs ?? w.maxAgeMs));
  const desiredCount = args.desiredCount ?? d.desiredCount;
  const stopTimeoutMs = args.stopTimeoutMs ?? d.stopTimeoutMs;
  return {
    ...args,
    port,
    env: args.env ?? {},
    secretEnv: args.secretEnv ?? {},
    healthcheck: { ...timing, path, command },
    user: args.user ?? d.user,
    stopTimeoutMs,
    desiredCount,
    minCount: args.minCount ?? desiredCount,
    maxCount: args.maxCount ?? 2 * desiredCount,
    cpuTargetPercent: args.cpuTargetPercent ?? d.cpuTargetPercent,
    requestsPerTarget: args.requestsPerTarget ?? d.requestsPerTarget,
    pathPatterns: args.pathPatterns ?? [...d.pathPatterns],
    listenerRulePriority: args.listenerRulePriority ?? d.listenerRulePriority,
    logRetentionDays: args.logRetentionDays ?? d.logRetentionDays,
    enableExecuteCommand: args.enableExecuteCommand ?? d.enableExecuteCommand,
    cpuArchitecture: args.cpuArchitecture ?? d.cpuArchitecture,
    // Derived, never configured: each throws on a timing outside AWS's ranges.
    size: fargateSize(args.cpus, args.memoryMb),
    containerHealth: ecsHealthCheck(command, timing),
    targetHealth: web ? targetGroupHealthCheck(timing) : undefined,
    gracePeriodSeconds: gracePeriodSeconds(timing),
    stopTimeoutSeconds: stopTimeoutSeconds(stopTimeoutMs),
    deregistrationDelaySeconds: Math.ceil(stopTimeoutMs / 1_000),
  };
}
