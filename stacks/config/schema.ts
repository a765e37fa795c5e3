/**
 * The whole stack's configuration: one zod schema, parsed once, before any resource is
 * registered. Every problem is reported at once, each naming the key, the stack file and
 * the fix, because the postmortems' worst failures were config that was silently wrong.
 */
import { z } from "zod";
import { parseDuration } from "../components/lib/duration";
import { minimumWaitSeconds } from "../components/lib/healthcheck";
import { EVICTION_POLICIES } from "../components/lib/redis-conf";
import { RESERVED_ENV } from "../components/lib/env";
import { checkImageReference, redisFlavour } from "../components/lib/image-ref";
import { secretInValue, secretKindOfName } from "../policy/lib/secrets";
import {
  blankProbe,
  curlWithoutFail,
  loopbackProbePorts,
  parseProbe,
} from "../policy/lib/healthcheck";
import {
  checkProbeTimings,
  cliNumber,
  CPUS_MIN,
  human,
  port,
  PROJECT,
  STOP_TIMEOUT_MAX_MS,
  STOP_TIMEOUT_MIN_MS,
} from "./config-values";
import { describeIssue, SECRET_KEYS } from "./config-messages";
import { quietWeakSecretReason as weakSecretReason } from "../policy/lib/secrets";
import {
  elasticacheSchema,
  externalSchema,
  externalUrlProblem,
  type ElastiCacheConfig,
} from "./config-managed";

export { PROJECT, REDIS_MODES } from "./config-values";

/** The engine's marker for a value not known yet (sdk/go/common/resource/plugin/rpc.go). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Where a duration's bounds come from: Docker's own limits are far looser than ours. */
const START_PERIOD_MIN_MS = 10_000;
const START_PERIOD_MAX_MS = 600_000;

const duration = (example: string) =>
  z.string({ error: `must be a duration string such as "${example}"` }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `"${text}" is not a duration: write a number with a unit (ms, s, m, h), e.g. "${example}"`,
      });
      return z.NEVER;
    }
    return ms;
  });

const restart = z.enum(["no", "on-failure", "always", "unless-stopped"]);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: "env var names may contain only letters, digits and _, and not start with a digit",
});
const hostIp = z.union([z.ipv4(), z.ipv6()], {
  error: 'must be an IP address such as "127.0.0.1"',
});

function timingShape(d: {
  interval: string;
  timeout: string;
  retries: number;
  startPeriod: string;
}) {
  return {
    interval: duration(d.interval).prefault(d.interval),
    timeout: duration(d.timeout).prefault(d.timeout),
    retries: cliNumber(
      z
        .number()
        .int()
        .min(3, { error: "must be at least 3, so one slow probe does not restart the container" })
        .max(20),
    ).default(d.retries),
    startPeriod: duration(d.startPeriod).prefault(d.startPeriod),
  };
}

function checkTiming(
  hc: { interval: number; timeout: number; retries: number; startPeriod: number },
  ctx: z.RefinementCtx,
): void {
  const ok = checkProbeTimings(hc, (path, message) =>
    ctx.addIssue({ code: "custom", path, message }),
  );
  if (ok.intervalOk && ok.timeoutOk && hc.timeout >= hc.interval) {
    ctx.addIssue({
      code: "custom",
      path: ["timeout"],
      message: `(${seconds(hc.timeout)}) must be shorter than \`interval\` (${seconds(hc.interval)}): lower the timeout or raise the interval`,
    });
  }
  if (hc.startPeriod < START_PERIOD_MIN_MS || hc.startPeriod > START_PERIOD_MAX_MS) {
    ctx.addIssue({
      code: "custom",
      path: ["startPeriod"],
      message: `(${seconds(hc.startPeriod)}) must be between 10s and 600s: too short kills containers that are still starting, too long hides a crash loop`,
    });
  }
}

/** Renames the parsed durations to say their unit. */
function timing<
  T extends { interval: number; timeout: number; retries: number; startPeriod: number },
>(h: T) {
  const { interval, timeout, startPeriod, ...rest } = h;
  return { ...rest, intervalMs: interval, timeoutMs: timeout, startPeriodMs: startPeriod };
}

const image = () =>
  z.string().superRefine((ref, ctx) => {
    const problem = checkImageReference(ref);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const apiSchema = z.strictObject({
  image: image(),
  port: port().default(3003),
  hostIp: hostIp.default("127.0.0.1"),
  hostPort: port().optional(),
  restart: restart.default("unless-stopped"),
  maxRetryCount: cliNumber(z.number().int().min(1)).optional(),
  healthcheck: z
    .strictObject({
      ...timingShape({ interval: "30s", timeout: "10s", retries: 5, startPeriod: "60s" }),
      path: z
        .string()
        .startsWith("/", { error: 'must start with "/", e.g. "/health"' })
        .default("/health"),
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
    .default("SIGTERM"),
  stopTimeout: duration("30s")
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
    .prefault("30s"),
  env: z.record(envName, z.string()).default({}),
});

const localRedisSchema = z
  .strictObject({
    mode: z.literal("local"),
    image: image().prefault("redis:7.4-alpine"),
    port: port().default(6379),
    appendfsync: z.enum(["always", "everysec", "no"]).default("everysec"),
    memoryMb: cliNumber(z.number().int().min(16)).default(256),
    maxmemoryMb: cliNumber(z.number().int().min(8)).optional(),
    evictionPolicy: z.enum(EVICTION_POLICIES).default("noeviction"),
    restart: restart.default("unless-stopped"),
    maxRetryCount: cliNumber(z.number().int().min(1)).optional(),
    debugPort: port().optional(),
    // The server's uid; the official redis and valkey images use 999 (components/redis.ts).
    user: z
      .string()
      .regex(/^\d+(:\d+)?$/, {
        error: 'must be a numeric uid or uid:gid such as "999" (the image\'s redis user)',
      })
      .default("999"),
    protectData: z.boolean().optional(),
    healthcheck: z
      .strictObject(timingShape({ interval: "10s", timeout: "3s", retries: 5, startPeriod: "10s" }))
      .superRefine(checkTiming)
      .prefault({})
      .transform(timing),
  })
  .superRefine((r, ctx) => {
    // Caught here, before any resource, not in components/redis.ts after the networks exist.
    if (checkImageReference(r.image) === undefined && redisFlavour(r.image) === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["image"],
        message: `"${r.image}" is not a redis or valkey image: the stack writes a redis.conf and probes with redis-cli, so use e.g. "redis:7.4-alpine" or "valkey/valkey:8.1-alpine"`,
      });
    }
    const maxmemory = r.maxmemoryMb ?? defaultMaxmemoryMb(r.memoryMb);
    if (maxmemory >= r.memoryMb) {
      ctx.addIssue({
        code: "custom",
        path: ["maxmemoryMb"],
        message: `(${maxmemory}) must be below \`redis.memoryMb\` (${r.memoryMb}) so Redis evicts or refuses writes before the kernel kills it: lower it to about 75% of the limit`,
      });
    }
  });

/** `redis.mode` picks the back end; the API sees the same connection from each. */
const redisSchema = z.preprocess(
  (v) =>
    v && typeof v === "object" && !Array.isArray(v) && !("mode" in v) ? { ...v, mode: "local" } : v,
  z.discriminatedUnion("mode", [localRedisSchema, elasticacheSchema, externalSchema]),
);

function rootSchema(secretKeys: ReadonlySet<string>, plainLeaves: readonly string[] = []) {
  return z
    .strictObject({
      environment: z.enum(["development", "production"], {
        error: 'must be "development" or "production"',
      }),
      api: apiSchema,
      redis: redisSchema.prefault({}),
      redisPassword: z.string().optional(),
      secretKey: z.string().optional(),
      secretEnv: z.record(envName, z.string()).optional(),
      /** The external cache's URL (redis.mode external); a secret, with the password. */
      redisUrl: z.string().optional(),
    })
    .superRefine((c, ctx) => {
      const prod = c.environment === "production";
      const issue = (path: (string | number)[], message: string) =>
        ctx.addIssue({ code: "custom", path, message });

      for (const leaf of plainLeaves) {
        // Only a key that is otherwise secret reaches here; see stacks/stack-file-secrets.ts.
        issue(
          leaf.split("."),
          `is typed into ${"`"}${leaf.split(".")[0]}${"`"} in plain text while its other entries are \`secure:\`: run \`pulumi config set --secret --path '${leaf}' <value>\` so it is encrypted too`,
        );
      }
      for (const key of SECRET_KEYS) {
        if (c[key] !== undefined && !secretKeys.has(`${PROJECT}:${key}`)) {
          const how = key === "secretEnv" ? `--path 'secretEnv.NAME'` : key;
          issue(
            [key],
            `is stored in plain text: run \`pulumi config rm ${key}\` and set it again with \`pulumi config set --secret ${how} <value>\``,
          );
        }
      }
      for (const [key, min] of [
        ["redisPassword", 32],
        ["secretKey", 64],
      ] as const) {
        const value = c[key];
        // A value Pulumi cannot decrypt at preview arrives as the engine's unknown: judged later, by the policy pack.
        const weak =
          value === undefined || value === UNKNOWN_VALUE ? undefined : weakSecretReason(value, min);
        if (weak)
          issue(
            [key],
            `${weak}: remove it to use a generated one, or set a strong value with \`pulumi config set --secret ${key}\``,
          );
      }
      if (c.redisPassword !== undefined && !/^[A-Za-z0-9_\-.~+=]+$/.test(c.redisPassword)) {
        issue(
          ["redisPassword"],
          "may contain only letters, digits and _-.~+= (it is written into redis.conf as an ACL password)",
        );
      }

      const services = c.redis.mode === "local" ? { api: c.api, redis: c.redis } : { api: c.api };
      for (const [role, svc] of Object.entries(services)) {
        if (prod && svc.restart === "no") {
          issue(
            [role, "restart"],
            `must not be "no" in a production stack: use "always" (or "unless-stopped") so a crashed container comes back`,
          );
        }
        if (svc.restart === "on-failure" && svc.maxRetryCount === undefined) {
          issue(
            [role, "maxRetryCount"],
            `is required when \`${role}.restart\` is "on-failure": set a retry limit such as 5`,
          );
        }
        if (svc.restart !== "on-failure" && svc.maxRetryCount !== undefined) {
          issue(
            [role, "maxRetryCount"],
            `only applies to \`${role}.restart: on-failure\`: remove it`,
          );
        }
      }

      if (prod && c.api.memoryMb === undefined)
        issue(
          ["api", "memoryMb"],
          "is required in production (e.g. 512) so a leak cannot take the host down",
        );
      if (prod && c.api.cpus === undefined)
        issue(["api", "cpus"], "is required in production (e.g. 0.5)");
      const local = c.redis.mode === "local" ? c.redis : undefined;
      if (c.api.hostPort !== undefined && c.api.hostPort === local?.debugPort) {
        issue(
          ["api", "hostPort"],
          `(${c.api.hostPort}) is also \`redis.debugPort\`: pick different host ports`,
        );
      }

      if (prod && local?.debugPort !== undefined) {
        issue(
          ["redis", "debugPort"],
          "is for development only: a production Redis publishes no port; remove it and use `docker exec` or an SSH tunnel",
        );
      }

      checkRedisMode(c, prod, issue);

      const plain = Object.keys(c.api.env);
      const secret = Object.keys(c.secretEnv ?? {});
      for (const name of plain) {
        if ((RESERVED_ENV as readonly string[]).includes(name))
          issue(
            ["api", "env", name],
            "is set by the stack from the Redis connection and generated secrets: remove it",
          );
        else if (looksSecret(name))
          issue(
            ["api", "env", name],
            `looks like a secret but is in plain text: move it with \`pulumi config set --secret --path 'secretEnv.${name}' <value>\``,
          );
        if (secret.includes(name))
          issue(["api", "env", name], "is also in `secretEnv`: keep only the secret one");
      }
      for (const name of secret) {
        if ((RESERVED_ENV as readonly string[]).includes(name))
          issue(["secretEnv", name], "is set by the stack: remove it");
        const value = c.secretEnv?.[name];
        const kind = secretKindOfName(name);
        // The pack's no-weak-secrets thresholds for env vars (policy/lib/secrets.ts).
        const weak =
          kind === undefined || value === undefined || value === UNKNOWN_VALUE
            ? undefined
            : weakSecretReason(value, kind === "password" ? 16 : 32);
        if (weak)
          issue(
            ["secretEnv", name],
            `${weak}: set a real value with \`pulumi config set --secret --path 'secretEnv.${name}' <value>\``,
          );
      }
      for (const [name, value] of Object.entries(c.api.env)) {
        if (looksSecret(name) || (RESERVED_ENV as readonly string[]).includes(name)) continue;
        const found = secretInValue(value);
        if (found)
          issue(
            ["api", "env", name],
            `holds ${found} in plain text: move it with \`pulumi config set --secret --path 'secretEnv.${name}' <value>\` and remove it from \`api.env\``,
          );
      }
      checkHealthCommand(c.api, issue);

      const wait = minimumWaitSeconds(c.api.healthcheck);
      if (wait > 3_600)
        issue(
          ["api", "healthcheck"],
          `needs ${wait}s before it can report unhealthy, longer than an hour: lower startPeriod, interval or retries`,
        );
    });
}

type Issue = (path: (string | number)[], message: string) => void;

/**
 * A custom API probe must be able to fail and able to pass, probe the port the API listens
 * on, and carry no credential: `docker inspect` shows a healthcheck's command to anyone who
 * can reach the Docker host.
 */
function checkHealthCommand(
  api: { port: number; healthcheck: { command?: string[] } },
  issue: Issue,
): void {
  const command = api.healthcheck.command;
  if (command === undefined) return;
  const at = ["api", "healthcheck", "command"];
  const example = `["CMD", "curl", "-fsS", "http://127.0.0.1:${api.port}/health"]`;
  const blank = blankProbe(command);
  if (blank) return issue(at, `is empty: ${blank}; use a real probe such as ${example}`);
  const found = command.map(secretInValue).find((f) => f !== undefined);
  if (found)
    return issue(
      at,
      `holds ${found}, and \`docker inspect\` shows the healthcheck command to anyone on the Docker host: probe an endpoint that needs no credential, or read it at run time from a file`,
    );
  const probe = parseProbe(command);
  if (curlWithoutFail(probe))
    issue(
      at,
      `runs curl without --fail (-f): curl exits 0 on an HTTP 500, so the check cannot fail; add -f, e.g. ${example}`,
    );
  const wrong = loopbackProbePorts(probe).filter((p) => p !== api.port);
  if (wrong.length > 0)
    issue(
      at,
      `probes port ${wrong.join(", ")} but \`api.port\` (${api.port}) is where the API listens, so the check can never pass: point it at http://127.0.0.1:${api.port}`,
    );
}

/** Keys that only make sense with one Redis back end, and the external URL's checks. */
function checkRedisMode(
  c: { redis: { mode: string }; redisUrl?: string; redisPassword?: string },
  prod: boolean,
  issue: Issue,
): void {
  if (c.redis.mode === "external") {
    if (c.redisUrl === undefined) {
      issue(
        ["redisUrl"],
        "is required with `redis.mode: external`: run `pulumi config set --secret redisUrl 'rediss://user:password@host:port'`",
      );
    } else if (c.redisUrl !== UNKNOWN_VALUE) {
      const problem = externalUrlProblem(c.redisUrl, prod);
      if (problem) issue(["redisUrl"], problem);
    }
  } else if (c.redisUrl !== undefined) {
    issue(
      ["redisUrl"],
      `only applies to \`redis.mode: external\` (this stack uses "${c.redis.mode}"): remove it`,
    );
  }
  // The pack's mandatory elasticache-high-availability (policy/config/prod.json minReplicas 1)
  // refuses a production group without a replica; refuse it here first, with the same number.
  const r = c.redis as { mode: string; flavour?: string; numCacheClusters?: number };
  if (
    prod &&
    r.mode === "elasticache" &&
    r.flavour === "replication-group" &&
    r.numCacheClusters !== undefined &&
    r.numCacheClusters < PROD_MIN_CACHE_NODES
  ) {
    issue(
      ["redis", "numCacheClusters"],
      `(${r.numCacheClusters}) must be at least ${PROD_MIN_CACHE_NODES} in production: one primary and a replica in another AZ, as the policy pack's \`elasticache-high-availability\` requires; remove it to get the default of 2`,
    );
  }
  if (c.redis.mode !== "local" && c.redisPassword !== undefined) {
    issue(
      ["redisPassword"],
      `only applies to \`redis.mode: local\`: ${c.redis.mode === "external" ? "the password is part of `redisUrl`" : "ElastiCache gets a generated auth token"}; remove it`,
    );
  }
}

/** A primary and one replica: the pack's `minReplicas` (1) plus the primary. */
export const PROD_MIN_CACHE_NODES = 2;

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Names that carry credentials: they belong in `secretEnv`, never in plain `env`. */
export function looksSecret(name: string): boolean {
  // The pack's classification (PASSWD, APIKEY, …) plus names it leaves to value checks.
  return (
    secretKindOfName(name) !== undefined ||
    /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|(^|_)KEY$|API_?KEY/i.test(name)
  );
}

/** Redis gets three quarters of its container's memory; the rest is for forks and buffers. */
export function defaultMaxmemoryMb(memoryMb: number): number {
  return Math.floor(memoryMb * 0.75);
}

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

export type StackConfigInput = z.input<ReturnType<typeof rootSchema>>;
type Parsed = z.output<ReturnType<typeof rootSchema>>;
export type HealthConfig = Parsed["api"]["healthcheck"];

/** What the program gets: validated, defaulted, durations in ms and no secret values. */
export interface StackConfig {
  readonly stack: string;
  readonly production: boolean;
  readonly api: Omit<Parsed["api"], "hostPort"> & { readonly hostPort: number };
  readonly redis: LocalRedisConfig | ManagedRedisConfig | ExternalRedisConfig;
  /** Which secrets the user supplied; their values are read with `requireSecret`. */
  readonly secrets: {
    readonly redisUrl: boolean;
    readonly redisPassword: boolean;
    readonly secretKey: boolean;
    readonly secretEnvNames: readonly string[];
  };
}

type ParsedRedis = Parsed["redis"];
export type LocalRedisConfig = Omit<
  Extract<ParsedRedis, { mode: "local" }>,
  "maxmemoryMb" | "protectData"
> & {
  readonly maxmemoryMb: number;
  readonly protectData: boolean;
};
export type ManagedRedisConfig = Omit<
  ElastiCacheConfig,
  "numCacheClusters" | "snapshotRetentionLimit" | "protectData"
> & {
  readonly numCacheClusters: number;
  readonly snapshotRetentionLimit: number;
  readonly protectData: boolean;
};
export type ExternalRedisConfig = Extract<ParsedRedis, { mode: "external" }> & {
  readonly protectData: boolean;
};

/** Defaults that differ by environment: prod gets replicas, a week of backups and protection. */
function resolveRedis(r: ParsedRedis, production: boolean): StackConfig["redis"] {
  const protectData = r.protectData ?? production;
  switch (r.mode) {
    case "local":
      return { ...r, maxmemoryMb: r.maxmemoryMb ?? defaultMaxmemoryMb(r.memoryMb), protectData };
    case "elasticache":
      return {
        ...r,
        numCacheClusters: r.numCacheClusters ?? (production ? 2 : 1),
        snapshotRetentionLimit: r.snapshotRetentionLimit ?? (production ? 7 : 1),
        protectData,
      };
    case "external":
      return { ...r, protectData };
  }
}

export interface RawStackConfig {
  /** Pulumi's flat config map, `project:key` to string (objects as JSON), as the engine passes it. */
  readonly values: Readonly<Record<string, string>>;
  /** The keys that were set with `--secret`. */
  readonly secretKeys: readonly string[];
  /**
   * Leaves of a secret key that the stack file stores in plain text (`secretEnv.B` beside a
   * `secure:` `secretEnv.A`), as stacks/stack-file-secrets.ts finds them; the engine marks the
   * whole key secret when any leaf is, so only the file can tell.
   */
  readonly plainSecretLeaves?: readonly string[];
  readonly stack: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file} has ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Parses the project's keys out of Pulumi's flat config map; other namespaces (docker:, aws:) are the providers'. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const file = `Pulumi.${raw.stack}.yaml`;
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [fullKey, value] of Object.entries(raw.values)) {
    const [ns, key] = splitKey(fullKey);
    if (ns !== PROJECT || key === undefined) {
      const problem = namespaceProblem(fullKey, file);
      if (problem) problems.push(problem);
      continue;
    }
    input[key] = decodeValue(value);
  }

  const secretKeys = new Set(raw.secretKeys);
  const result = rootSchema(secretKeys, raw.plainSecretLeaves).safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(describeIssue(issue, input));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);
  const c = result.data;
  return {
    stack: raw.stack,
    production: c.environment === "production",
    api: { ...c.api, hostPort: c.api.hostPort ?? c.api.port },
    redis: resolveRedis(c.redis, c.environment === "production"),
    secrets: {
      redisUrl: c.redisUrl !== undefined,
      redisPassword: c.redisPassword !== undefined,
      secretKey: c.secretKey !== undefined,
      secretEnvNames: Object.keys(c.secretEnv ?? {}).sort(),
    },
  };
}

/**
 * Namespaces something reads: this project, the providers the program creates resources
 * with, and the engine's own `pulumi:` keys. The engine passes every stack-file key to the
 * program and never checks the namespace (pulumi/pulumi pkg/workspace/config.go,
 * mergeConfig only validates keys that Pulumi.yaml declares), so a typo such as
 * `apistack:redis` would silently drop the whole block.
 */
export const READ_NAMESPACES = [PROJECT, "docker", "aws", "random", "pulumi"] as const;

function namespaceProblem(fullKey: string, file: string): string | undefined {
  const [ns] = splitKey(fullKey);
  if ((READ_NAMESPACES as readonly string[]).includes(ns)) return undefined;
  const squash = (t: string) => t.toLowerCase().replace(/[^a-z0-9]/g, "");
  const likely = READ_NAMESPACES.find((n) => squash(n) === squash(ns));
  const rest = fullKey.slice(ns.length + 1);
  const hint = likely
    ? `did you mean \`${likely}:${rest}\`? Rename the key in ${file}`
    : `use one of ${READ_NAMESPACES.map((n) => `\`${n}:\``).join(", ")}, or remove it from ${file}`;
  return `\`${fullKey}\` is in the namespace \`${ns}\`, which neither this project nor a provider it uses reads, so Pulumi would ignore it: ${hint}`;
}

function splitKey(fullKey: string): [string, string | undefined] {
  const i = fullKey.indexOf(":");
  return i < 0 ? [fullKey, undefined] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}

/** Pulumi hands structured values to the program as JSON text; scalars stay strings unless they are JSON numbers or booleans. */
function decodeValue(value: string): unknown {
  const t = value.trim();
  if (
    t.startsWith("{") ||
    t.startsWith("[") ||
    t === "true" ||
    t === "false" ||
    /^-?\d+(\.\d+)?$/.test(t)
  ) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}
