/**
 * From Pulumi's flat config map to the program's config: pick this project's keys, decode
 * them, run the schema, and throw one `ConfigError` that lists every problem.
 */
import { closest, distance } from "fastest-levenshtein";
import { PROJECT } from "./fields";
import { restoreConfirmationProblem } from "./managed";
import { ConfigError, describeIssue } from "./messages";
import { ACM_CERTIFICATE_ARN, AWS_REGION } from "./platform";
import {
  rootSchema,
  TOP_LEVEL_KEYS,
  type EcsConfig,
  type EdgeConfig,
  type MonitoringConfig,
  type RedisConfig,
  type ServiceConfig,
  type WorkerConfig,
} from "./schema";

/** What the program gets: validated, defaulted, durations in ms and no secret values. */
export interface StackConfig {
  readonly stack: string;
  readonly production: boolean;
  /** Where the services run: "docker" (one Docker host) or "ecs" (ECS Fargate behind an ALB). */
  readonly platform: "docker" | "ecs";
  /** `platform: ecs` only: the VPC, subnets, ALB certificate and what every service shares. */
  readonly ecs?: EcsConfig;
  /** The AWS region, `aws:region`; required with `platform: ecs` (the awslogs driver names it). */
  readonly awsRegion?: string;
  /** The API's `ApiServiceArgs`, less what the program supplies (networks, Redis, secrets). */
  readonly api: ServiceConfig;
  /** `WorkerServiceArgs` by worker name, less what the program supplies; `{}` when none. */
  readonly workers: Readonly<Record<string, WorkerConfig>>;
  /**
   * The edge proxy, when the stack has one: `EdgeProxyArgs`' settings plus where its
   * certificate comes from (`tls`) and the names a generated one covers (`dnsNames`).
   */
  readonly edge?: EdgeConfig;
  /**
   * The back end's args (`LocalRedisArgs`, `ElastiCacheValkeyArgs`), less what the program
   * supplies. Defaults that depend on the environment are left to the component, which
   * gets `production`.
   */
  readonly redis: RedisConfig;
  /** Metrics and alerts (docs/monitoring.md); Docker-only settings not yet defaulted. */
  readonly monitoring?: MonitoringConfig;
  /** Which secrets the user supplied; their values are read with `requireSecret`. */
  readonly secrets: {
    readonly redisUrl: boolean;
    readonly redisPassword: boolean;
    readonly secretKey: boolean;
    readonly secretEnvNames: readonly string[];
    readonly alertWebhookUrl: boolean;
  };
}

export interface RawStackConfig {
  /** Pulumi's flat config map, `project:key` to string (objects as JSON), as the engine passes it. */
  readonly values: Readonly<Record<string, string>>;
  /** The keys that were set with `--secret`. */
  readonly secretKeys: readonly string[];
  /**
   * Leaves of a secret key that the stack file stores in plain text (`secretEnv.B` beside a
   * `secure:` `secretEnv.A`), as stack-file-secrets.ts finds them; the engine marks the
   * whole key secret when any leaf is, so only the file can tell.
   */
  readonly plainSecretLeaves?: readonly string[];
  readonly stack: string;
}

/** Parses the project's keys out of Pulumi's flat config map; other namespaces (docker:, aws:) are the providers'. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const file = `Pulumi.${raw.stack}.yaml`;
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [fullKey, value] of Object.entries(raw.values)) {
    const [ns, key] = splitKey(fullKey);
    if (ns !== PROJECT || key === undefined) {
      const problem = namespaceProblem(fullKey, file) ?? providerKeyProblem(fullKey, file);
      if (problem) problems.push(problem);
      continue;
    }
    input[key] = decodeValue(value);
  }

  const secretKeys = new Set(raw.secretKeys);
  const result = rootSchema(secretKeys, raw.plainSecretLeaves).safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues)
      problems.push(...describeIssue(issue, input, TOP_LEVEL_KEYS, secretKeys));
  }
  const rawRegion = raw.values["aws:region"];
  // An availability zone ("eu-central-1a") or anything else that is not a region would reach
  // the AWS provider, which refuses it only once resources are being created.
  const regionProblem =
    rawRegion === undefined || AWS_REGION.test(rawRegion)
      ? undefined
      : /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}[a-z]$/.test(rawRegion)
        ? `\`aws:region\` ("${rawRegion}") is an availability zone, not a region: run \`pulumi config set aws:region ${rawRegion.slice(0, -1)}\``
        : `\`aws:region\` ("${rawRegion}") is not an AWS region: set one such as eu-central-1 with \`pulumi config set aws:region <region>\``;
  if (regionProblem) problems.push(regionProblem);
  // A region refused above is not compared with the certificate's, which would blame that.
  const awsRegion = regionProblem === undefined ? rawRegion : undefined;
  if (result.success && result.data.platform === "ecs" && !rawRegion) {
    problems.push(
      "`aws:region` is required with `platform: ecs`: the tasks' log driver and the Secrets Manager ARNs name it; run `pulumi config set aws:region eu-central-1` (your region)",
    );
  }
  const cert = result.success ? result.data.ecs?.certificateArn : undefined;
  const certRegion = cert === undefined ? undefined : ACM_CERTIFICATE_ARN.exec(cert)?.[2];
  if (awsRegion && certRegion && certRegion !== awsRegion) {
    // ACM User Guide, "Supported Regions": "Certificates in ACM are regional resources. To use a
    // certificate with Elastic Load Balancing … in more than one AWS region, you must request or
    // import a certificate for each region."
    problems.push(
      `\`${PROJECT}:ecs.certificateArn\` is in ${certRegion}, but the ALB is in \`aws:region\` ${awsRegion}: an ALB takes only certificates from its own region; request or import the certificate in ${awsRegion}`,
    );
  }
  // Only parse.ts knows the stack's name, which confirms a restore that replaces the cache.
  const restore = result.success
    ? restoreConfirmationProblem(
        result.data.redis,
        result.data.environment === "production",
        raw.stack,
      )
    : undefined;
  if (restore) problems.push(restore);
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);
  const c = result.data;
  return {
    stack: raw.stack,
    production: c.environment === "production",
    platform: c.platform,
    ecs: c.ecs,
    awsRegion,
    api: c.api,
    workers: c.workers ?? {},
    edge: c.edge,
    redis: c.redis,
    monitoring: c.monitoring,
    secrets: {
      redisUrl: c.redisUrl !== undefined,
      redisPassword: c.redisPassword !== undefined,
      secretKey: c.secretKey !== undefined,
      secretEnvNames: Object.keys(c.secretEnv ?? {}).sort(),
      alertWebhookUrl: c.alertWebhookUrl !== undefined,
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

/**
 * The settings each provider's SDK reads (`@pulumi/<provider>/config/vars`, generated from the
 * provider's schema, so the installed version's own list). A key outside it, such as
 * `docker:hots`, reaches the provider, which refuses it only once the program has registered
 * resources. Loaded only when a stack file names that provider.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- required lazily: a stack file without
   `aws:` keys never loads @pulumi/aws's modules (the program's load time is issue 23's). */
const PROVIDER_KEYS: Record<string, () => readonly string[]> = {
  docker: () => Object.keys(require("@pulumi/docker/config/vars") as object),
  aws: () => Object.keys(require("@pulumi/aws/config/vars") as object),
};
/* eslint-enable @typescript-eslint/no-require-imports */

function providerKeyProblem(fullKey: string, file: string): string | undefined {
  const [ns, key] = splitKey(fullKey);
  const keysOf = PROVIDER_KEYS[ns];
  if (keysOf === undefined || key === undefined) return undefined;
  // The bridge also takes `version` and `pluginDownloadURL` for every provider
  // (pulumi-terraform-bridge pkg/tfbridge/provider.go, CheckConfig skips them).
  const keys = [...keysOf(), "version", "pluginDownloadURL"];
  if (keys.includes(key)) return undefined;
  const likely = closest(key, [...keys]);
  const hint =
    distance(key, likely) <= Math.max(2, Math.floor(key.length / 3))
      ? `did you mean \`${ns}:${likely}\`? Rename the key in ${file}`
      : `remove it from ${file}; the ${ns} provider reads ${keys.map((k) => `\`${k}\``).join(", ")}`;
  return `\`${fullKey}\` is not a setting of the ${ns} provider, which would refuse it only after resources are registered: ${hint}`;
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
