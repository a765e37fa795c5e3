/**
 * What ECS on Fargate accepts (components/lib/fargate.ts). Each bad case is one setting away
 * from a good one, so a test fails for the limit it names and not for something else.
 */
import { describe, expect, it } from "vitest";
import {
  containerDefinition,
  ecsHealthCheck,
  FARGATE_MAX_STOP_TIMEOUT_S,
  FARGATE_SIZES,
  fargateSize,
  gracePeriodSeconds,
  isFargateSize,
  isRootUser,
  stopTimeoutSeconds,
  targetGroupHealthCheck,
  type ContainerDefinitionSpec,
} from "../../components/lib/fargate";
import type { HealthTiming } from "../../components/lib/healthcheck";

describe("Fargate task sizes (AWS 'Task CPU and memory' table)", () => {
  it("has the table's 7 CPU values and their memory ranges", () => {
    const ranges = [...FARGATE_SIZES].map(([cpu, m]) => [cpu, m[0], m[m.length - 1], m.length]);
    expect(ranges).toEqual([
      [256, 512, 2048, 3],
      [512, 1024, 4096, 4],
      [1024, 2048, 8192, 7],
      [2048, 4096, 16384, 13],
      [4096, 8192, 30720, 23],
      [8192, 16384, 61440, 12],
      [16384, 32768, 122880, 12],
    ]);
    expect(FARGATE_SIZES.get(8192)?.[1]).toBe(20480); // 4 GB steps
    expect(FARGATE_SIZES.get(16384)?.[1]).toBe(40960); // 8 GB steps
  });

  it.each([
    [undefined, undefined, 256, 512],
    [0.25, 512, 256, 512],
    [0.25, 513, 256, 1024],
    [0.25, 2048, 256, 2048],
    [0.25, 2049, 512, 3072], // past 0.25 vCPU's ceiling: the next CPU's smallest fit
    [0.26, undefined, 512, 1024],
    [0.5, 4096, 512, 4096],
    [1, 1536, 1024, 2048],
    [2, 16384, 2048, 16384],
    [4, 30720, 4096, 30720],
    [4, 30721, 8192, 32768],
    [8, 16384, 8192, 16384],
    [8, 16385, 8192, 20480],
    [16, 122880, 16384, 122880],
    [undefined, 8000, 1024, 8192],
  ])("cpus %s, memory %s MB → %i units, %i MB", (cpus, mem, cpu, memoryMb) => {
    const size = fargateSize(cpus, mem);
    expect(size).toEqual({ cpu, memoryMb });
    expect(isFargateSize(size.cpu, size.memoryMb)).toBe(true);
  });

  it.each([
    [16.01, 122880, /no Fargate task size has 16.01 vCPU.*valid sizes are 0.25 vCPU: 512–2048 MB/],
    [16, 122881, /no Fargate task size has 16 vCPU and 122881 MB/],
    [0, 512, /`cpus` \(0\) must be a positive number/],
    [0.25, -1, /`memoryMb` \(-1\) must be a positive number/],
    [Number.NaN, 512, /`cpus` \(NaN\)/],
  ])("refuses cpus %s with memory %s", (cpus, mem, message) => {
    expect(() => fargateSize(cpus, mem)).toThrow(message);
  });

  it.each([
    [256, 512, true],
    [256, 768, false],
    [512, 2048, true],
    [512, 5120, false],
    [384, 1024, false],
    [8192, 20480, true],
    [8192, 17408, false],
  ])("isFargateSize(%i, %i) is %s", (cpu, mem, valid) => {
    expect(isFargateSize(cpu, mem)).toBe(valid);
  });
});

const GOOD: HealthTiming = {
  intervalMs: 30_000,
  timeoutMs: 10_000,
  retries: 5,
  startPeriodMs: 120_000,
};
const CMD = ["CMD", "curl", "-f", "http://127.0.0.1:3003/health"];

describe("ecsHealthCheck: ECS's ranges (API_HealthCheck)", () => {
  it("maps ms to whole seconds, rounding up", () => {
    expect(ecsHealthCheck(CMD, { ...GOOD, timeoutMs: 2_500 })).toEqual({
      command: CMD,
      interval: 30,
      timeout: 3,
      retries: 5,
      startPeriod: 120,
    });
  });

  it.each([
    ["intervalMs", 5_000],
    ["intervalMs", 300_000],
    ["timeoutMs", 2_000],
    ["timeoutMs", 60_000],
    ["retries", 1],
    ["retries", 10],
    ["startPeriodMs", 0],
    ["startPeriodMs", 300_000],
  ])("accepts %s = %i (a bound)", (key, value) => {
    expect(() => ecsHealthCheck(CMD, { ...GOOD, [key]: value })).not.toThrow();
  });

  it.each([
    ["intervalMs", 4_000, /`interval` \(4 s\) is outside ECS's range 5–300 s/],
    ["intervalMs", 301_000, /`interval` \(301 s\)/],
    ["timeoutMs", 1_000, /`timeout` \(1 s\) is outside ECS's range 2–60 s/],
    // 61–120 s is the ALB target group's range, not a container's (issue 14's pack review).
    ["timeoutMs", 61_000, /`timeout` \(61 s\)/],
    ["retries", 0, /`retries` \(0\) is outside ECS's range 1–10/],
    ["retries", 11, /`retries` \(11\)/],
    ["retries", 2.5, /`retries` \(2.5\)/],
    ["startPeriodMs", 301_000, /`startPeriod` \(301 s\) is outside ECS's range 0–300 s/],
    ["startPeriodMs", -1_000, /`startPeriod` \(-1 s\)/],
  ])("refuses %s = %i", (key, value, message) => {
    expect(() => ecsHealthCheck(CMD, { ...GOOD, [key]: value })).toThrow(message);
  });

  it("refuses a command that is not Docker's CMD / CMD-SHELL form", () => {
    expect(() => ecsHealthCheck(["CMD-SHELL", "true"], GOOD)).not.toThrow();
    expect(() => ecsHealthCheck(["curl", "-f", "x"], GOOD)).toThrow(/must start with "CMD"/);
  });
});

describe("the ALB target group's check and the service's grace", () => {
  it("derives interval, timeout and thresholds from the container's timings", () => {
    expect(targetGroupHealthCheck(GOOD)).toEqual({
      interval: 30,
      timeout: 10,
      healthyThreshold: 2,
      unhealthyThreshold: 5,
    });
    expect(targetGroupHealthCheck({ ...GOOD, retries: 1 }).unhealthyThreshold).toBe(2);
    expect(targetGroupHealthCheck({ ...GOOD, retries: 10 }).unhealthyThreshold).toBe(10);
  });

  it.each([
    ["intervalMs", 4_000, /`interval` \(4 s\) is outside the ALB's range 5–300 s/],
    ["intervalMs", 301_000, /`interval` \(301 s\)/],
    [
      "timeoutMs",
      30_000,
      /`timeout` \(30 s\) must be 2–120 s and shorter than `interval` \(30 s\)/,
    ],
    ["timeoutMs", 1_000, /`timeout` \(1 s\)/],
  ])("refuses %s = %i", (key, value, message) => {
    expect(() => targetGroupHealthCheck({ ...GOOD, [key]: value })).toThrow(message);
  });

  it("grace = start period + retries × interval, never shorter than the start period", () => {
    expect(gracePeriodSeconds(GOOD)).toBe(120 + 5 * 30);
    expect(gracePeriodSeconds({ ...GOOD, startPeriodMs: 0, retries: 1 })).toBe(30);
    expect(gracePeriodSeconds({ ...GOOD, intervalMs: 5_500, retries: 1 })).toBe(126);
  });
});

describe("stopTimeoutSeconds: Fargate's 120 s ceiling", () => {
  it.each([
    [1_000, 1],
    [1_001, 2],
    [30_000, 30],
    [120_000, 120],
    [120_001, FARGATE_MAX_STOP_TIMEOUT_S],
    [600_000, FARGATE_MAX_STOP_TIMEOUT_S],
  ])("%i ms → %i s", (ms, s) => {
    expect(stopTimeoutSeconds(ms)).toBe(s);
  });

  it.each([999, 0, Number.NaN])("refuses %s ms", (ms) => {
    expect(() => stopTimeoutSeconds(ms)).toThrow(/`stopTimeoutMs` .* must be at least 1000/);
  });
});

const SPEC: ContainerDefinitionSpec = {
  name: "api",
  image: "ghcr.io/acme/api:1.4.2",
  user: "10001:10001",
  port: 3003,
  environment: { REDIS_HOST: "master.x.cache.amazonaws.com", LOG_LEVEL: "info" },
  secrets: { SECRET_KEY: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:k-AbCdEf" },
  logGroup: "api-logs-1234567",
  region: "eu-central-1",
  healthCheck: ecsHealthCheck(CMD, GOOD),
  stopTimeout: 30,
};

describe("containerDefinition", () => {
  it("is hardened, logs to CloudWatch, and keeps secrets out of `environment`", () => {
    const def = containerDefinition(SPEC);
    expect(def).toMatchObject({
      user: "10001:10001",
      privileged: false,
      readonlyRootFilesystem: true,
      essential: true,
      linuxParameters: { capabilities: { drop: ["ALL"] } },
      mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
      portMappings: [{ containerPort: 3003, hostPort: 3003, protocol: "tcp" }],
      environment: [
        { name: "LOG_LEVEL", value: "info" },
        { name: "REDIS_HOST", value: "master.x.cache.amazonaws.com" },
      ],
      secrets: [{ name: "SECRET_KEY", valueFrom: SPEC.secrets.SECRET_KEY }],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": "api-logs-1234567",
          "awslogs-region": "eu-central-1",
          "awslogs-stream-prefix": "api",
        },
      },
      healthCheck: { interval: 30, timeout: 10, retries: 5, startPeriod: 120 },
      stopTimeout: 30,
    });
    expect(JSON.stringify(def.environment)).not.toContain("arn:aws:secretsmanager");
    expect(def).not.toHaveProperty("command");
  });

  it("a worker has no ports and its own command", () => {
    const def = containerDefinition({ ...SPEC, port: undefined, command: ["node", "w.js"] });
    expect(def.portMappings).toEqual([]);
    expect(def.command).toEqual(["node", "w.js"]);
  });

  it.each(["root", "0", "0:0", "0:10001", ""])("refuses user %j (root)", (user) => {
    expect(isRootUser(user)).toBe(true);
    expect(() => containerDefinition({ ...SPEC, user })).toThrow(/`user` .* runs as root/);
  });

  it.each(["10001", "10001:0", "app", "1:1"])("accepts user %j", (user) => {
    expect(isRootUser(user)).toBe(false);
    expect(() => containerDefinition({ ...SPEC, user })).not.toThrow();
  });

  it("refuses a variable that is both plain and secret", () => {
    const environment = { ...SPEC.environment, SECRET_KEY: "plain" };
    expect(() => containerDefinition({ ...SPEC, environment })).toThrow(
      /`SECRET_KEY` is both a plain and a secret variable/,
    );
  });
});
