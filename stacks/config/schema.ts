/**
 * The stack file's shape: one zod schema, its defaults read from the components that use them,
 * and its output shaped as the components' args so stacks/index.ts hands it over unmapped.
 * The rules that span keys live in rules.ts.
 */
import { z } from "zod";
import { API_SERVICE_DEFAULTS } from "../../components/api-service";
import { LOCAL_REDIS_DEFAULTS } from "../../components/local-redis";
import { EVICTION_POLICIES } from "../../components/lib/redis-conf";
import {
  checkTiming,
  cliNumber,
  CPUS_MIN,
  duration,
  envName,
  hostIp,
  human,
  image,
  port,
  restart,
  seconds,
  STOP_TIMEOUT_MAX_MS,
  STOP_TIMEOUT_MIN_MS,
  timing,
  timingShape,
} from "./fields";
import { elasticacheSchema, externalSchema } from "./managed";
import { checkLocalRedis, checkStack } from "./rules";

const A = API_SERVICE_DEFAULTS;
const R = LOCAL_REDIS_DEFAULTS;

/** A service container the stack runs (today the API); the output is `ApiServiceArgs`' shape. */
const serviceSchema = z
  .strictObject({
    image: image(),
    port: port().default(A.port),
    hostIp: hostIp.default(A.hostIp),
    hostPort: port().optional(),
    restart: restart.default(A.restart),
    maxRetryCount: cliNumber(z.number().int().min(1)).optional(),
    healthcheck: z
      .strictObject({
        ...timingShape(A.healthcheck),
        path: z
          .string()
          .startsWith("/", { error: 'must start with "/", e.g. "/health"' })
          .default(A.healthcheck.path),
        command: z
          .array(z.string())
          .min(2)
          .refine((c) => c[0] === "CMD" || c[0] === "CMD-SHELL", {
            error:
              'must start with "CMD" or "CMD-SHELL", e.g. ["CMD", "wget", "-qO-", "http://127.0.0.1:3003/health"]',
          })
          .optional(),
      })
      .superRefine(checkTiming)
      .prefault({})
      .transform(timing),
    // The pack's container-memory-limit refuses less than 16 MB (policy/config/*.json minMemoryMb).
    memoryMb: cliNumber(
      z.number().int().min(16, {
        error:
          "must be at least 16 (MB), the policy pack's `container-memory-limit` minimum: below it the API is OOM-killed at start",
      }),
    ).optional(),
    cpus: cliNumber(
      z
        .number()
        .min(CPUS_MIN, {
          error: `must be at least ${CPUS_MIN}: below it Docker asks the kernel for a CFS quota under 1ms per 100ms period, which the kernel refuses, so the container never starts`,
        })
        .max(256),
    ).optional(),
    user: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/, {
        error: 'must be "uid", "uid:gid" or a user name',
      })
      .optional(),
    stopSignal: z
      .string()
      .regex(/^SIG[A-Z0-9]+$/, { error: 'must be a signal name such as "SIGTERM"' })
      .default(A.stopSignal),
    stopTimeout: duration(seconds(A.stopTimeoutMs))
      .superRefine((ms, ctx) => {
        // kreuzwerker/terraform-provider-docker resource_docker_container_funcs.go reads
        // `d.GetOk("stop_timeout")`, and GetOk treats the zero value as unset.
        if (ms < STOP_TIMEOUT_MIN_MS)
          ctx.addIssue({
            code: "custom",
            message: `(${human(ms)}) must be at least 1s: the Docker provider reads ${ms === 0 ? "0" : "a value under 1s"} as unset, so Docker's 10s default applies instead; set e.g. "30s"`,
          });
        else if (ms > STOP_TIMEOUT_MAX_MS)
          ctx.addIssue({
            code: "custom",
            message: `(${human(ms)}) must be at most 10m: every replace and destroy would wait that long for a stuck container; lower it`,
          });
      })
      .prefault(seconds(A.stopTimeoutMs)),
    env: z.record(envName, z.string()).default({}),
  })
  // The stack file says `stopTimeout: 30s`; the component takes milliseconds and says so.
  .transform(({ stopTimeout, ...rest }) => ({ ...rest, stopTimeoutMs: stopTimeout }));

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
  api: serviceSchema,
  redis: redisSchema.prefault({}),
  redisPassword: z.string().optional(),
  secretKey: z.string().optional(),
  secretEnv: z.record(envName, z.string()).optional(),
  /** The external cache's URL (redis.mode external); a secret, with the password. */
  redisUrl: z.string().optional(),
});

/** The stack file's own keys, for the hint when one is set without `--path`. */
export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(stackObject.shape);

export type ParsedStack = z.output<typeof stackObject>;
/** A service's config: `ApiServiceArgs` less what the program supplies (networks, secrets). */
export type ServiceConfig = ParsedStack["api"];
export type RedisConfig = ParsedStack["redis"];
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
    } else if (def.type === "union") {
      for (const option of def.options as z.core.$ZodType[]) walk(option, prefix);
    } else if (["default", "prefault", "optional", "nullable"].includes(def.type)) {
      walk(def.innerType as z.core.$ZodType, prefix);
    }
  };
  walk(rootSchema(new Set()), "");
  return [...new Set(paths)];
}
