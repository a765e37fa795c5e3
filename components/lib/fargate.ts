/**
 * What ECS on Fargate accepts, as plain functions over plain data: task sizes, the container
 * healthcheck's ranges, the stop timeout and the container definition itself. No `@pulumi/*`
 * imports, so the config schema, the components and the tests share one copy of each limit.
 */
import { ECS_HEALTHCHECK, FARGATE_MAX_STOP_TIMEOUT } from "../../policy/lib/ecs";
import { TG_HEALTHCHECK } from "../../policy/lib/ecs-lb";
import type { HealthTiming } from "./healthcheck";

/** One Fargate task size: CPU units (1024 = 1 vCPU) and memory in MiB. */
export interface FargateSize {
  readonly cpu: number;
  readonly memoryMb: number;
}

function steps(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/**
 * Every CPU value and the memory values allowed with it. AWS docs, Amazon ECS Developer Guide,
 * "Amazon ECS task definition parameters for Fargate" → "Task size" (the CPU/memory table):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 * 8 and 16 vCPU need Linux platform version 1.4.0 or later (the same table's footnote).
 */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, steps(1024, 4096, 1024)],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16384, 1024)],
  [4096, steps(8192, 30720, 1024)],
  [8192, steps(16384, 61440, 4096)],
  [16384, steps(32768, 122880, 8192)],
]);

/** The table in words, for error messages. */
export function describeFargateSizes(): string {
  return [...FARGATE_SIZES]
    .map(([cpu, mem]) => `${cpu / 1024} vCPU: ${mem[0]}–${mem[mem.length - 1]} MB`)
    .join("; ");
}

/**
 * The smallest valid Fargate size that gives at least `cpus` vCPUs and `memoryMb` MiB. With no
 * limits it is the smallest task (0.25 vCPU, 512 MB); a limit beyond the largest size (16 vCPU,
 * 120 GB) is an error naming the valid sizes.
 */
export function fargateSize(cpus: number | undefined, memoryMb: number | undefined): FargateSize {
  if (cpus !== undefined && !(Number.isFinite(cpus) && cpus > 0)) {
    throw new Error(`\`cpus\` (${cpus}) must be a positive number of vCPUs, e.g. 0.5`);
  }
  if (memoryMb !== undefined && !(Number.isFinite(memoryMb) && memoryMb > 0)) {
    throw new Error(`\`memoryMb\` (${memoryMb}) must be a positive number of MB, e.g. 1024`);
  }
  const wantCpu = Math.ceil((cpus ?? 0) * 1024);
  const wantMem = memoryMb ?? 0;
  for (const [cpu, memories] of FARGATE_SIZES) {
    if (cpu < wantCpu) continue;
    const mem = memories.find((m) => m >= wantMem);
    if (mem !== undefined) return { cpu, memoryMb: mem };
  }
  throw new Error(
    `no Fargate task size has ${cpus ?? "any"} vCPU and ${memoryMb ?? "any"} MB: lower \`cpus\` or \`memoryMb\`; valid sizes are ${describeFargateSizes()}`,
  );
}

/** Whether `cpu` units with `memoryMb` is one of the table's pairs. */
export function isFargateSize(cpu: number, memoryMb: number): boolean {
  return FARGATE_SIZES.get(cpu)?.includes(memoryMb) ?? false;
}

/** ECS's container `healthCheck`, in seconds. */
export interface EcsHealthCheck {
  readonly command: string[];
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly startPeriod: number;
}

/**
 * ECS's ranges for a container health check, from the pack's one copy (policy/lib/ecs.ts,
 * ECS_HEALTHCHECK: interval 5–300 s, timeout 2–60 s, retries 1–10, startPeriod 0–300 s, per the
 * Amazon ECS API Reference "HealthCheck" and the CDK's aws_ecs.HealthCheck docs).
 */
export const ECS_HEALTHCHECK_RANGES = {
  interval: [ECS_HEALTHCHECK.interval.min, ECS_HEALTHCHECK.interval.max],
  timeout: [ECS_HEALTHCHECK.timeout.min, ECS_HEALTHCHECK.timeout.max],
  retries: [ECS_HEALTHCHECK.retries.min, ECS_HEALTHCHECK.retries.max],
  startPeriod: [ECS_HEALTHCHECK.startPeriod.min, ECS_HEALTHCHECK.startPeriod.max],
} as const;

/**
 * Our healthcheck (Docker's command form, timings in ms) as ECS's, each timing rounded up to
 * whole seconds. ECS takes the same `["CMD", …]` / `["CMD-SHELL", "…"]` command forms as Docker
 * (API_HealthCheck, `command`). A timing outside ECS's range is refused, not clamped: a clamped
 * start period is exactly the "killed while still starting" failure.
 */
export function ecsHealthCheck(command: readonly string[], t: HealthTiming): EcsHealthCheck {
  if (command[0] !== "CMD" && command[0] !== "CMD-SHELL") {
    throw new Error(
      `healthcheck \`command\` must start with "CMD" or "CMD-SHELL" (got ${JSON.stringify(command[0])})`,
    );
  }
  const check = {
    command: [...command],
    interval: Math.ceil(t.intervalMs / 1_000),
    timeout: Math.ceil(t.timeoutMs / 1_000),
    retries: t.retries,
    startPeriod: Math.ceil(t.startPeriodMs / 1_000),
  };
  const keys = { interval: "intervalMs", timeout: "timeoutMs", startPeriod: "startPeriodMs" };
  for (const [key, [min, max]] of Object.entries(ECS_HEALTHCHECK_RANGES)) {
    const value = check[key as keyof typeof ECS_HEALTHCHECK_RANGES];
    if (!Number.isInteger(value) || value < min || value > max) {
      const name = keys[key as keyof typeof keys] ?? key;
      const unit = key === "retries" ? "" : " s";
      throw new Error(
        `healthcheck \`${name.replace(/Ms$/, "")}\` (${value}${unit}) is outside ECS's range ${min}–${max}${unit}: set it within the range`,
      );
    }
  }
  return check;
}

/** Fargate's longest `stopTimeout`, 120 s, from the pack's one copy (policy/lib/ecs.ts). */
export const FARGATE_MAX_STOP_TIMEOUT_S = FARGATE_MAX_STOP_TIMEOUT;

/** The container's `stopTimeout`: the grace rounded up to seconds, capped at Fargate's 120 s. */
export function stopTimeoutSeconds(graceMs: number): number {
  if (!Number.isFinite(graceMs) || graceMs < 1_000) {
    throw new Error(`\`stopTimeoutMs\` (${graceMs}) must be at least 1000 (1 s)`);
  }
  return Math.min(FARGATE_MAX_STOP_TIMEOUT_S, Math.ceil(graceMs / 1_000));
}

/** The writable scratch volume a read-only root filesystem needs, mounted at /tmp. */
export const TMP_VOLUME = "tmp";

export interface ContainerDefinitionSpec {
  readonly name: string;
  readonly image: string;
  /** Overrides the image's CMD. */
  readonly command?: readonly string[];
  /** "uid" or "uid:gid"; never root. */
  readonly user: string;
  /** The port the container listens on; none for a worker. */
  readonly port?: number;
  /** Plain values only. */
  readonly environment: Readonly<Record<string, string>>;
  /** Variable name to a Secrets Manager secret ARN. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly logGroup: string;
  readonly region: string;
  readonly healthCheck: EcsHealthCheck;
  readonly stopTimeout: number;
}

/** "root", "0", "0:…" and an empty uid all run as root (the group does not matter). */
export function isRootUser(user: string): boolean {
  const uid = user.split(":")[0]?.trim() ?? "";
  return uid === "" || uid === "0" || uid === "root";
}

const byName = (r: Readonly<Record<string, string>>) =>
  Object.keys(r)
    .sort()
    .map((name) => ({ name, value: r[name] as string }));

/**
 * One ECS container definition (AWS docs, Amazon ECS API Reference, "ContainerDefinition"),
 * hardened: non-root, read-only root filesystem with a writable /tmp, not privileged, every
 * Linux capability dropped (Fargate accepts `drop`; only SYS_PTRACE may be added, per
 * "KernelCapabilities" in the same reference), logs to CloudWatch through awslogs. Values
 * are sorted by name so a re-ordered config is no diff.
 */
export function containerDefinition(s: ContainerDefinitionSpec): Record<string, unknown> {
  if (isRootUser(s.user)) {
    throw new Error(
      `\`user\` ("${s.user}") runs as root: set a non-root uid such as "10001:10001"`,
    );
  }
  const both = Object.keys(s.environment).filter((k) => k in s.secrets);
  if (both.length > 0) {
    throw new Error(
      `\`${both.join("`, `")}\` is both a plain and a secret variable: keep it in one of them`,
    );
  }
  return {
    name: s.name,
    image: s.image,
    ...(s.command === undefined ? {} : { command: [...s.command] }),
    essential: true,
    user: s.user,
    privileged: false,
    readonlyRootFilesystem: true,
    linuxParameters: { capabilities: { drop: ["ALL"] }, initProcessEnabled: true },
    mountPoints: [{ sourceVolume: TMP_VOLUME, containerPath: "/tmp", readOnly: false }],
    portMappings:
      s.port === undefined ? [] : [{ containerPort: s.port, hostPort: s.port, protocol: "tcp" }],
    environment: byName(s.environment),
    secrets: byName(s.secrets).map(({ name, value }) => ({ name, valueFrom: value })),
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": s.logGroup,
        "awslogs-region": s.region,
        "awslogs-stream-prefix": s.name,
      },
    },
    healthCheck: s.healthCheck,
    stopTimeout: s.stopTimeout,
  };
}

/** An ALB target group's health-check timing, in seconds. */
export interface TargetHealthCheck {
  readonly interval: number;
  readonly timeout: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/**
 * The ALB's ranges. AWS docs, ELB User Guide, "Health checks for Application Load Balancer
 * target groups": interval 5–300 s, timeout 2–120 s, healthy and unhealthy thresholds 2–10;
 * the timeout must be shorter than the interval (CreateTargetGroup rejects it otherwise; aws/aws-cdk
 * validates the same since PR #29075, "health check interval greater than timeout").
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
export const ALB_HEALTHCHECK_RANGES = {
  interval: [TG_HEALTHCHECK.interval.min, TG_HEALTHCHECK.interval.max],
  timeout: [TG_HEALTHCHECK.timeout.min, TG_HEALTHCHECK.timeout.max],
  threshold: [TG_HEALTHCHECK.healthyThreshold.min, TG_HEALTHCHECK.healthyThreshold.max],
} as const;

/**
 * The target group's check from the container's timings: the same interval and timeout, the
 * container's `retries` as the unhealthy threshold (at least the ALB's minimum of 2), and 2
 * passes to be healthy. Out-of-range timings are refused as in {@link ecsHealthCheck}.
 */
export function targetGroupHealthCheck(t: HealthTiming): TargetHealthCheck {
  const interval = Math.ceil(t.intervalMs / 1_000);
  const timeout = Math.ceil(t.timeoutMs / 1_000);
  const r = ALB_HEALTHCHECK_RANGES;
  if (interval < r.interval[0] || interval > r.interval[1]) {
    throw new Error(
      `healthcheck \`interval\` (${interval} s) is outside the ALB's range ${r.interval[0]}–${r.interval[1]} s: set it within the range`,
    );
  }
  if (timeout < r.timeout[0] || timeout > r.timeout[1] || timeout >= interval) {
    throw new Error(
      `healthcheck \`timeout\` (${timeout} s) must be ${r.timeout[0]}–${r.timeout[1]} s and shorter than \`interval\` (${interval} s) for the ALB: lower the timeout`,
    );
  }
  const unhealthy = Math.min(r.threshold[1], Math.max(r.threshold[0], t.retries));
  return { interval, timeout, healthyThreshold: r.threshold[0], unhealthyThreshold: unhealthy };
}

/**
 * The service's `healthCheckGracePeriodSeconds`: the container's start period plus `retries`
 * intervals, the longest a container that becomes healthy can take (the same bound as
 * `minimumWaitSeconds` on Docker), so the ALB never kills a task that is still starting.
 */
export function gracePeriodSeconds(t: HealthTiming): number {
  return Math.ceil((t.startPeriodMs + t.intervalMs * t.retries) / 1_000);
}
