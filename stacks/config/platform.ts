/**
 * Where the services run: `platform: docker` (one Docker host, the default) or `platform: ecs`
 * (ECS Fargate behind an ALB, issue 14). The `ecs` block is the platform's own settings; each
 * service's `scaling` is its autoscaling range. The defaults are the components' own
 * (ECS_PLATFORM_DEFAULTS, ECS_SERVICE_DEFAULTS), and every ECS limit a service must fit is
 * checked by the component's own derivation (`checkEcsServiceSettings`), run here before any
 * resource exists.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { ECS_PLATFORM_DEFAULTS as P } from "../../components/ecs-platform";
import {
  checkEcsServiceSettings,
  ECS_SERVICE_DEFAULTS as S,
  ECS_STACK_SECRETS,
  type EcsServiceSettings,
} from "../../components/ecs-service-args";
import { FARGATE_MAX_STOP_TIMEOUT_S, isRootUser } from "../../components/lib/fargate";
import { DEFAULT_ACCEPTED_SSL_POLICIES } from "../../policy/lib/ecs-lb";
import { parseCidr } from "../../policy/lib/network";
import { awsId, cliNumber, distinct, logRetentionDays, type Issue } from "./fields";
import type { ParsedStack, ServiceConfig, WorkerConfig } from "./schema";
import { TLS_SECRETS } from "./edge-rules";
import { servicesOf } from "./service-list";

export const PLATFORMS = ["docker", "ecs"] as const;

const ids = (prefix: string, what: string, example: string) =>
  z.array(awsId(prefix, example, `${what} ids`));

const subnets = (which: string) =>
  ids("subnet", "subnet", "subnet-0abc1234")
    .min(2, {
      error: `needs at least two ${which} subnets, in different availability zones`,
    })
    .refine((l) => new Set(l).size === l.length, {
      error: `lists a subnet twice: two entries of one subnet are one availability zone; list a second ${which} subnet`,
    })
    .optional();

// The pack's CIDR reading (ipaddr.js, dotted-quad addresses only), so config and pack agree.
const cidrBlock = z
  .string()
  .refine((v) => parseCidr(v) !== undefined, {
    error: 'must be CIDR blocks such as "203.0.113.0/24" or "0.0.0.0/0"',
  })
  .superRefine((v, ctx) => {
    // The AWS provider refuses a CIDR with host bits set (terraform-provider-aws
    // IPv4CIDRNetworkAddress / IPv6CIDRNetworkAddress); say the network address instead.
    const network = networkWithHostBits(v);
    if (network !== undefined)
      ctx.addIssue({
        code: "custom",
        message: `("${v}") has host bits set: AWS refuses it; use its network, "${network}"`,
      });
  });

/**
 * "203.0.113.7/24" → "203.0.113.0/24" (ipaddr.js); undefined for a network address, however it
 * is spelt ("2001:0DB8::/32" is one), and for what is not a CIDR.
 */
function networkWithHostBits(cidr: string): string | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed) return undefined;
  const [addr, prefix] = parsed;
  const net =
    addr.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${prefix}`);
  return net.toNormalizedString() === addr.toNormalizedString()
    ? undefined
    : `${net.toString()}/${prefix}`;
}

/**
 * An AWS region's name, as terraform-provider-aws checks it (internal/types/aws_region.go:
 * "sovereign cloud regions (eusc-de-east-1)"): "eu-central-1", "us-gov-west-1",
 * "eusc-de-east-1". An availability zone adds a letter.
 */
export const AWS_REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/** An ACM certificate ARN: partition, region, account, id. */
export const ACM_CERTIFICATE_ARN =
  /^arn:(aws[a-z-]*):acm:([a-z0-9-]+):(\d{12}):certificate\/([A-Za-z0-9-]+)$/;

/** `ecs:`: the VPC, the ALB and what every ECS service shares. Output: `EcsPlatformArgs`' settings plus the tasks' subnets. */
export const ecsSchema = z
  .strictObject({
    vpcId: z
      .string({ error: "is required: the VPC the ALB and the tasks run in" })
      .pipe(awsId("vpc", "vpc-0abc1234", "a VPC id")),
    /** The ALB's subnets: ids, or tags to look them up in `vpcId`. */
    publicSubnetIds: subnets("public"),
    publicSubnetTags: z.record(z.string(), z.string()).optional(),
    /** The tasks' subnets (no public IPs): ids, or tags. */
    privateSubnetIds: subnets("private"),
    privateSubnetTags: z.record(z.string(), z.string()).optional(),
    certificateArn: z
      .string({
        error:
          'is required: the ACM certificate for the HTTPS listener, "arn:aws:acm:<region>:<account>:certificate/<id>"',
      })
      .regex(ACM_CERTIFICATE_ARN, {
        error:
          'must be an ACM certificate ARN such as "arn:aws:acm:eu-central-1:123456789012:certificate/…"',
      }),
    sslPolicy: z
      .enum(DEFAULT_ACCEPTED_SSL_POLICIES as [string, ...string[]], {
        error: `must be a TLS 1.3 policy the policy pack accepts, e.g. "${P.sslPolicy}"`,
      })
      .default(P.sslPolicy),
    ingressCidrs: z
      .array(cidrBlock)
      .min(1)
      .superRefine(distinct("ingress rule"))
      .default([...P.ingressCidrs]),
    idleTimeoutSeconds: cliNumber(z.number().int().min(1).max(4000)).default(P.idleTimeoutSeconds),
    deletionProtection: z.boolean().optional(),
    logRetentionDays: logRetentionDays(S.logRetentionDays),
    enableExecuteCommand: z.boolean().default(S.enableExecuteCommand),
    cpuArchitecture: z.enum(["X86_64", "ARM64"]).default(S.cpuArchitecture),
  })
  .superRefine((e, ctx) => {
    for (const which of ["public", "private"] as const) {
      const idsKey = `${which}SubnetIds` as const;
      const tagsKey = `${which}SubnetTags` as const;
      if (e[idsKey] === undefined && e[tagsKey] === undefined)
        ctx.addIssue({
          code: "custom",
          path: [idsKey],
          message: `is required: list at least two ${which} subnet ids, or set \`ecs.${tagsKey}\` (e.g. { Tier: ${which} }) to look them up in \`ecs.vpcId\``,
        });
      if (e[idsKey] !== undefined && e[tagsKey] !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [tagsKey],
          message: `conflicts with \`ecs.${idsKey}\`: keep one of them`,
        });
    }
    const tags = (t: Record<string, string> | undefined) =>
      t === undefined ? undefined : JSON.stringify(Object.entries(t).sort());
    if (e.publicSubnetTags !== undefined && tags(e.publicSubnetTags) === tags(e.privateSubnetTags))
      ctx.addIssue({
        code: "custom",
        path: ["privateSubnetTags"],
        message:
          "is the same as `ecs.publicSubnetTags`: both would select the same subnets, so the tasks would land in the ALB's public subnets; tag the two kinds apart (e.g. { Tier: private } and { Tier: public })",
      });
    const shared = (e.publicSubnetIds ?? []).filter((s) => e.privateSubnetIds?.includes(s));
    if (shared.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["privateSubnetIds"],
        message: `shares ${shared.join(", ")} with \`ecs.publicSubnetIds\`: tasks belong in private subnets, the ALB in public ones; list different subnets`,
      });
  });

export type EcsConfig = z.output<typeof ecsSchema>;

/** A service's autoscaling range on ECS: `min`–`max` tasks, tracking CPU (and requests, web). */
export const scalingSchema = z
  .strictObject({
    min: cliNumber(z.number().int().min(1)).optional(),
    max: cliNumber(z.number().int().min(1).max(1_000)).optional(),
    cpuTargetPercent: cliNumber(z.number().min(1).max(100)).default(S.cpuTargetPercent),
    requestsPerTarget: cliNumber(z.number().int().min(1)).default(S.requestsPerTarget),
  })
  .optional();

/** One service's `EcsService` settings from its config entry. */
export function ecsServiceSettings(
  s: ServiceConfig | WorkerConfig,
  ecs: EcsConfig,
): EcsServiceSettings {
  const web = "port" in s;
  const scaling = s.scaling;
  const h = s.healthcheck;
  return {
    kind: web ? "web" : "worker",
    image: s.image,
    command: "command" in s ? s.command : undefined,
    port: web ? s.port : undefined,
    healthcheck: {
      intervalMs: h.intervalMs,
      timeoutMs: h.timeoutMs,
      retries: h.retries,
      startPeriodMs: h.startPeriodMs,
      ...("path" in h ? { path: h.path, command: h.command } : {}),
      // A worker's probe on ECS checks the same file with the same limit as on Docker.
      ...("heartbeatFile" in h ? { heartbeatFile: h.heartbeatFile, maxAgeMs: h.maxAgeMs } : {}),
    },
    cpus: s.cpus,
    memoryMb: s.memoryMb,
    user: s.user,
    stopTimeoutMs: s.stopTimeoutMs,
    env: s.env,
    desiredCount: s.replicas,
    minCount: scaling?.min,
    maxCount: scaling?.max,
    cpuTargetPercent: scaling?.cpuTargetPercent,
    requestsPerTarget: web ? scaling?.requestsPerTarget : undefined,
    logRetentionDays: ecs.logRetentionDays,
    enableExecuteCommand: ecs.enableExecuteCommand,
    cpuArchitecture: ecs.cpuArchitecture,
  };
}

const ECS_ONLY = "only applies to `platform: ecs`";

/** The rules between `platform` and the rest of the stack file. */
export function checkPlatform(c: ParsedStack, prod: boolean, issue: Issue): void {
  if (c.platform !== "ecs") {
    if (c.ecs !== undefined)
      issue(
        ["ecs"],
        `${ECS_ONLY} (this stack runs on "docker"): remove it, or set \`platform: ecs\``,
      );
    for (const { key, service } of servicesOf(c))
      if (service.scaling !== undefined)
        issue([key, "scaling"], `${ECS_ONLY}: on one Docker host set \`${key}.replicas\` instead`);
    return;
  }
  const ecs = c.ecs;
  if (ecs === undefined) {
    issue(
      ["ecs"],
      "is required with `platform: ecs`: set `ecs.vpcId`, `ecs.publicSubnetIds`, `ecs.privateSubnetIds` and `ecs.certificateArn` (see Pulumi.prod-ecs.yaml)",
    );
  }
  if (c.redis.mode === "local")
    issue(
      ["redis", "mode"],
      'is "local", which runs Redis as a container on the Docker host; with `platform: ecs` there is none: use `redis.mode: elasticache` (managed Valkey in the same VPC) or `external` (a rediss:// URL)',
    );
  if (c.edge !== undefined)
    issue(
      ["edge"],
      "does not apply to `platform: ecs`: the ALB terminates TLS and balances the tasks; remove `edge`",
    );
  if (ecs !== undefined && c.redis.mode === "elasticache" && c.redis.vpcId !== ecs.vpcId)
    issue(
      ["redis", "vpcId"],
      `("${c.redis.vpcId}") differs from \`ecs.vpcId\` ("${ecs.vpcId}"): the tasks could not reach the cache; put both in one VPC`,
    );
  // Every task runs with a read-only root filesystem (components/lib/fargate.ts), and ECS Exec
  // does not support one: the SSM agent it bind-mounts needs to write its state (Amazon ECS
  // developer guide, "Using ECS Exec", considerations: "ECS Exec doesn't support a read-only
  // root filesystem"; aws/containers-roadmap#1359). So it could only ever fail.
  if (ecs?.enableExecuteCommand)
    issue(
      ["ecs", "enableExecuteCommand"],
      prod
        ? "must be false in production: ECS Exec opens a shell in a running task to anyone with ssm:StartSession, and the policy pack's `ecs-exec-disabled` refuses it"
        : "cannot work here: every task has a read-only root filesystem, which ECS Exec does not support (the SSM agent must write its state); remove it and debug with the task's logs, or a one-off task of your own",
    );
  // The pack's `aws-lb-hardening` refuses an unprotected load balancer in production; a stray
  // `pulumi destroy` or a replacement would otherwise delete the ALB and its DNS name with it.
  if (prod && ecs?.deletionProtection === false)
    issue(
      ["ecs", "deletionProtection"],
      "must not be false in production: the ALB (and its DNS name) could be deleted by a stray destroy or replacement, and the policy pack's `aws-lb-hardening` refuses it; remove the key (production protects the ALB)",
    );
  // Settings only the edge proxy reads: on ECS the ALB serves `ecs.certificateArn` instead.
  for (const { key } of TLS_SECRETS)
    if (c[key] !== undefined)
      issue(
        [key],
        `does not apply to \`platform: ecs\`: the ALB serves the ACM certificate \`ecs.certificateArn\`; remove it with \`pulumi config rm ${key}\``,
      );
  // Each secret becomes a Secrets Manager secret named after it in lower kebab case
  // (components/ecs-service-parts.ts, createSecrets), beside the stack's own REDIS_URL,
  // REDIS_PASSWORD and SECRET_KEY: names that differ only in case would be one resource, and
  // the engine stops on the duplicate part-way through the deploy.
  const seen = new Map<string, string>(ECS_STACK_SECRETS.map((n) => [n.toLowerCase(), n]));
  for (const name of Object.keys(c.secretEnv ?? {})) {
    const other = seen.get(name.toLowerCase());
    if (other !== undefined && other !== name)
      issue(
        ["secretEnv", name],
        `differs from \`${other}\` only in case: on ECS both become one Secrets Manager secret (names are lower-cased), so the deploy would stop part-way; rename one`,
      );
    else seen.set(name.toLowerCase(), name);
  }
  for (const { key, service } of servicesOf(c)) checkEcsService(key, service, ecs, prod, issue);
}

/** The pack's `ecs-desired-count` minimum in production (policy/config/prod.json, 2). */
export const PROD_MIN_ECS_TASKS = 2;

function checkEcsService(
  key: string,
  s: ServiceConfig | WorkerConfig,
  ecs: EcsConfig | undefined,
  prod: boolean,
  issue: Issue,
): void {
  if ("hostIp" in s && s.hostIp !== undefined)
    issue(
      [key, "hostIp"],
      "does not apply to `platform: ecs`: tasks publish nothing, the ALB is the entry; remove it",
    );
  if ("hostPort" in s && s.hostPort !== undefined)
    issue(
      [key, "hostPort"],
      "does not apply to `platform: ecs`: tasks publish nothing, the ALB is the entry; remove it",
    );
  // The component refuses root too, but only once resources exist (components/ecs-service.ts).
  if (s.user !== undefined && isRootUser(s.user))
    issue(
      [key, "user"],
      `("${s.user}") runs the task as root, which \`platform: ecs\` refuses: a read-only root filesystem and no capabilities are only a boundary for a non-root user; set a uid such as "10001:10001"`,
    );
  if (s.maxRetryCount !== undefined)
    issue(
      [key, "maxRetryCount"],
      "does not apply to `platform: ecs`: ECS replaces failed tasks itself, and a failing deploy is rolled back by the deployment circuit breaker; remove it",
    );
  if (prod && s.replicas < PROD_MIN_ECS_TASKS)
    issue(
      [key, "replicas"],
      `(${s.replicas}) must be at least ${PROD_MIN_ECS_TASKS} on ECS in production: one task crash, one AZ outage or one deploy would take the service down (the policy pack's \`ecs-desired-count\`); set \`${key}.replicas\` (and \`scaling.min\`) to ${PROD_MIN_ECS_TASKS} or more`,
    );
  if (s.stopTimeoutMs > FARGATE_MAX_STOP_TIMEOUT_S * 1_000)
    issue(
      [key, "stopTimeout"],
      `(${s.stopTimeoutMs / 1_000}s) is above Fargate's longest stopTimeout, ${FARGATE_MAX_STOP_TIMEOUT_S}s: ECS would SIGKILL at ${FARGATE_MAX_STOP_TIMEOUT_S}s; lower it to at most ${FARGATE_MAX_STOP_TIMEOUT_S}s`,
    );
  const scaling = s.scaling;
  const min = scaling?.min ?? s.replicas;
  const max = scaling?.max ?? 2 * s.replicas;
  // Autoscaling may scale in to `min`, so production's floor applies to it as to replicas.
  if (prod && scaling?.min !== undefined && scaling.min < PROD_MIN_ECS_TASKS)
    issue(
      [key, "scaling", "min"],
      `(${scaling.min}) must be at least ${PROD_MIN_ECS_TASKS} on ECS in production: autoscaling would scale the service in to one task (the policy pack's \`ecs-desired-count\`); set it to ${PROD_MIN_ECS_TASKS} or more`,
    );
  if (scaling?.min !== undefined && scaling.max !== undefined && scaling.min > scaling.max)
    issue(
      [key, "scaling", "min"],
      `(${scaling.min}) is above \`${key}.scaling.max\` (${scaling.max}): lower min or raise max`,
    );
  else if (s.replicas < min || s.replicas > max)
    issue(
      [key, "replicas"],
      `(${s.replicas}) must lie within \`${key}.scaling\` min–max (${min}–${max}): raise scaling.max or lower replicas`,
    );
  if (ecs === undefined) return;
  try {
    checkEcsServiceSettings(ecsServiceSettings(s, ecs));
  } catch (e) {
    const message = (e as Error).message;
    issue(ecsErrorPath(key, message), `(on ECS Fargate) ${message.replace(/^healthcheck /, "")}`);
  }
}

/**
 * The key a component error is about, from the name it quotes: "healthcheck `startPeriod` …"
 * is `<service>.healthcheck.startPeriod`, "no Fargate task size …" is `<service>.cpus`.
 */
function ecsErrorPath(key: string, message: string): string[] {
  const timing = /^healthcheck `(\w+)`/.exec(message)?.[1];
  if (timing !== undefined) return [key, "healthcheck", timing];
  const field = /^`(\w+)`/.exec(message)?.[1];
  if (field !== undefined) return [key, field.replace(/Ms$/, "")];
  if (message.startsWith("no Fargate task size")) return [key, "cpus"];
  return [key];
}
