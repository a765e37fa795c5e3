/**
 * The stack file's shape: one zod schema, its defaults read from the components that use them,
 * and its output shaped as the components' args so stacks/index.ts hands it over unmapped.
 * The rules that span keys live in rules.ts.
 */
import { z } from "zod";
import { LOCAL_REDIS_DEFAULTS } from "../../components/local-redis";
import { EVICTION_POLICIES } from "../../components/lib/redis-conf";
import {
  checkTiming,
  cliNumber,
  envName,
  image,
  port,
  restart,
  timing,
  timingShape,
} from "./fields";
import { backupSchema } from "./backup";
import { elasticacheSchema, externalSchema } from "./managed";
import { ecsSchema, PLATFORMS } from "./platform";
import { checkLocalRedis, checkStack } from "./rules";
import { edgeSchema, serviceSchema, workersSchema } from "./services";
import { monitoringSchema } from "./monitoring";

const R = LOCAL_REDIS_DEFAULTS;

/** `redis.mode: local`; the output is `LocalRedisArgs`' shape. */
const localRedisObject = z.strictObject({
  mode: z.literal("local"),
  image: image().prefault(R.image),
  port: port().default(R.port),
  appendfsync: z.enum(["always", "everysec", "no"]).default(R.appendfsync),
  memoryMb: cliNumber(z.number().int().min(16)).default(R.memoryMb),
  maxmemoryMb: cliNumber(z.number().int().min(8)).optional(),
  evictionPolicy: z.enum(EVICTION_POLICIES).default(R.evictionPolicy),
  restart: restart.default(R.restart),
  maxRetryCount: cliNumber(z.number().int().min(1)).optional(),
  debugPort: port().optional(),
  // The server's uid; the official redis and valkey images use 999 (components/local-redis.ts).
  user: z
    .string()
    .regex(/^\d+(:\d+)?$/, {
      error: 'must be a numeric uid or uid:gid such as "999" (the image\'s redis user)',
    })
    .default(R.user),
  protectData: z.boolean().optional(),
  healthcheck: z
    .strictObject(timingShape(R.healthcheck))
    .superRefine(checkTiming)
    .prefault({})
    .transform(timing),
  /** Scheduled, verified snapshots and their offsite copies (docs/backups.md). */
  backup: backupSchema.optional(),
});
export type LocalRedisConfig = z.output<typeof localRedisObject>;
const localRedisSchema = localRedisObject.superRefine(checkLocalRedis);

/** `redis.mode` picks the back end; the API sees the same connection from each. */
const redisSchema = z.preprocess(
  (v) =>
    v && typeof v === "object" && !Array.isArray(v) && !("mode" in v) ? { ...v, mode: "local" } : v,
  z.discriminatedUnion("mode", [localRedisSchema, elasticacheSchema, externalSchema]),
);

/**
 * The whole stack file. `secretKeys` are the keys set with `--secret`; `plainLeaves` the plain
 * leaves of otherwise secret keys (see stack-file-secrets.ts).
 */
export function rootSchema(secretKeys: ReadonlySet<string>, plainLeaves: readonly string[] = []) {
  return stackObject.superRefine((c, ctx) => checkStack(c, ctx, secretKeys, plainLeaves));
}

const stackObject = z.strictObject({
  environment: z.enum(["development", "production"], {
    error: 'must be "development" or "production"',
  }),
  /** Where the services run: one Docker host, or ECS Fargate behind an ALB. */
  platform: z
    .enum(PLATFORMS, { error: `must be one of ${PLATFORMS.map((p) => `"${p}"`).join(", ")}` })
    .default("docker"),
  /** `platform: ecs`: the VPC, subnets, certificate and what every ECS service shares. */
  ecs: ecsSchema.optional(),
  api: serviceSchema,
  /** Background workers by name: the API's image (or another) with a command of their own. */
  workers: workersSchema,
  /** The edge proxy in front of `api`: the only container that publishes a port. */
  edge: edgeSchema.optional(),
  redis: redisSchema.prefault({}),
  /** Metrics and alerts: Prometheus and Alertmanager on Docker, CloudWatch alarms on ECS. */
  monitoring: monitoringSchema.optional(),
  redisPassword: z.string().optional(),
  secretKey: z.string().optional(),
  secretEnv: z.record(envName, z.string()).optional(),
  /** The external cache's URL (redis.mode external); a secret, with the password. */
  redisUrl: z.string().optional(),
  /** `edge.tls: config`: the certificate chain and its private key, PEM; secrets. */
  edgeCertificate: z.string().optional(),
  edgePrivateKey: z.string().optional(),
  /** `redis.backup.offsite`: the bucket's credentials; secrets. */
  backupAccessKeyId: z.string().optional(),
  backupSecretAccessKey: z.string().optional(),
  /** `monitoring.receiver: webhook` or `slack`: where alerts are posted; a secret. */
  alertWebhookUrl: z.string().optional(),
});

/** The stack file's own keys, for the hint when one is set without `--path`. */
export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(stackObject.shape);

export type ParsedStack = z.output<typeof stackObject>;
/** A service's config: `ApiServiceArgs` less what the program supplies (networks, secrets). */
export type ServiceConfig = ParsedStack["api"];
/** One worker's config: `WorkerServiceArgs` less what the program supplies. */
export type WorkerConfig = NonNullable<ParsedStack["workers"]>[string];
export type EdgeConfig = NonNullable<ParsedStack["edge"]>;
export type { EcsConfig } from "./platform";
export type RedisConfig = ParsedStack["redis"];
export type { MonitoringConfig } from "./monitoring";
export type StackConfigInput = z.input<typeof stackObject>;

/** Every documented key path (`api.healthcheck.interval`), walked from the schema itself. */
export function configKeyPaths(): string[] {
  const paths: string[] = [];
  const walk = (schema: z.core.$ZodType, prefix: string): void => {
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === "object") {
      for (const [key, child] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) {
        const p = prefix ? `${prefix}.${key}` : key;
        const before = paths.length;
        walk(child, p);
        if (paths.length === before) paths.push(p);
      }
    } else if (def.type === "pipe") {
      walk(def.in as z.core.$ZodType, prefix);
      walk(def.out as z.core.$ZodType, prefix);
    } else if (def.type === "record") {
      // A map of named entries (`workers.<name>`); a map of strings (`api.env`) stays one key.
      walk(def.valueType as z.core.$ZodType, `${prefix}.NAME`);
    } else if (def.type === "union") {
      for (const option of def.options as z.core.$ZodType[]) walk(option, prefix);
    } else if (["default", "prefault", "optional", "nullable"].includes(def.type)) {
      walk(def.innerType as z.core.$ZodType, prefix);
    }
  };
  walk(rootSchema(new Set()), "");
  return [...new Set(paths)];
}
