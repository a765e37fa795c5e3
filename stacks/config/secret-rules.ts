/**
 * The rules about secrets and the Redis back end: which keys must be `--secret`, which values
 * are too weak, what a plain `env` may hold, and which keys belong to which `redis.mode`.
 */
import { elastiCacheEnvironmentDefaults } from "../../components/elasticache-valkey";
import { RESERVED_ENV } from "../../components/lib/env";
import { quietWeakSecretReason as weakSecretReason } from "../../policy/lib/secrets";
import { secretInValue, secretKindOfName } from "../../policy/lib/secrets";
import { UNKNOWN } from "../../policy/lib/unknown";
import { PROJECT, type Issue } from "./fields";
import { externalUrlProblem } from "./managed";
import { SECRET_KEYS } from "./messages";
import type { ParsedStack } from "./schema";

/** A primary and one replica: the pack's `minReplicas` (1) plus the primary. */
export const PROD_MIN_CACHE_NODES = 2;

const reserved = (name: string) => (RESERVED_ENV as readonly string[]).includes(name);

/** Names that carry credentials: they belong in `secretEnv`, never in plain `env`. */
export function looksSecret(name: string): boolean {
  // The pack's classification (PASSWD, APIKEY, …) plus names it leaves to value checks.
  return (
    secretKindOfName(name) !== undefined ||
    /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|(^|_)KEY$|API_?KEY/i.test(name)
  );
}

/** The stack's secrets: stored encrypted, strong enough, and writable where they go. */
export function checkSecrets(
  c: ParsedStack,
  secretKeys: ReadonlySet<string>,
  plainLeaves: readonly string[],
  issue: Issue,
): void {
  for (const leaf of plainLeaves) {
    // Only a key that is otherwise secret reaches here; see stack-file-secrets.ts.
    issue(
      leaf.split("."),
      `is typed into ${"`"}${leaf.split(".")[0]}${"`"} in plain text while its other entries are \`secure:\`: run \`pulumi config set --secret --path '${leaf}' <value>\` so it is encrypted too`,
    );
  }
  for (const key of SECRET_KEYS) {
    if (c[key] !== undefined && !secretKeys.has(`${PROJECT}:${key}`)) {
      const how =
        key === "secretEnv"
          ? `--path 'secretEnv.NAME' <value>`
          : key === "edgeCertificate" || key === "edgePrivateKey"
            ? `${key} -- "$(cat ${key === "edgeCertificate" ? "cert" : "key"}.pem)"`
            : `${key} <value>`;
      issue(
        [key],
        `is stored in plain text: run \`pulumi config rm ${key}\` and set it again with \`pulumi config set --secret ${how}\``,
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
      value === undefined || value === UNKNOWN ? undefined : weakSecretReason(value, min);
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
  for (const [name, value] of Object.entries(c.secretEnv ?? {})) {
    if (reserved(name)) issue(["secretEnv", name], "is set by the stack: remove it");
    const kind = secretKindOfName(name);
    // The pack's no-weak-secrets thresholds for env vars (policy/lib/secrets.ts).
    const weak =
      kind === undefined || value === UNKNOWN
        ? undefined
        : weakSecretReason(value, kind === "password" ? 16 : 32);
    if (weak)
      issue(
        ["secretEnv", name],
        `${weak}: set a real value with \`pulumi config set --secret --path 'secretEnv.${name}' <value>\``,
      );
  }
}

/** A service's plain `env`: nothing the stack sets, nothing secret by name or by value. */
export function checkServiceEnv(
  key: string,
  env: Readonly<Record<string, string>>,
  secretEnv: Readonly<Record<string, string>> | undefined,
  issue: Issue,
): void {
  for (const [name, value] of Object.entries(env)) {
    if (reserved(name))
      issue(
        [key, "env", name],
        "is set by the stack from the Redis connection and generated secrets: remove it",
      );
    else if (looksSecret(name))
      issue(
        [key, "env", name],
        `looks like a secret but is in plain text: move it with \`pulumi config set --secret --path 'secretEnv.${name}' <value>\``,
      );
    if (secretEnv?.[name] !== undefined)
      issue([key, "env", name], "is also in `secretEnv`: keep only the secret one");
    if (looksSecret(name) || reserved(name)) continue;
    const found = secretInValue(value);
    if (found)
      issue(
        [key, "env", name],
        `holds ${found} in plain text: move it with \`pulumi config set --secret --path 'secretEnv.${name}' <value>\` and remove it from \`${key}.env\``,
      );
  }
}

/** Keys that only make sense with one Redis back end, and the external URL's checks. */
export function checkRedisMode(c: ParsedStack, prod: boolean, issue: Issue): void {
  if (c.redis.mode === "external") {
    if (c.redisUrl === undefined) {
      issue(
        ["redisUrl"],
        "is required with `redis.mode: external`: run `pulumi config set --secret redisUrl 'rediss://user:password@host:port'`",
      );
    } else if (c.redisUrl !== UNKNOWN) {
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
  const r = c.redis;
  if (
    prod &&
    r.mode === "elasticache" &&
    r.flavour === "replication-group" &&
    r.numCacheClusters !== undefined &&
    r.numCacheClusters < PROD_MIN_CACHE_NODES
  ) {
    issue(
      ["redis", "numCacheClusters"],
      `(${r.numCacheClusters}) must be at least ${PROD_MIN_CACHE_NODES} in production: one primary and a replica in another AZ, as the policy pack's \`elasticache-high-availability\` requires; remove it to get the default of ${elastiCacheEnvironmentDefaults(true).numCacheClusters}`,
    );
  }
  // On ECS the stack adds the tasks' security groups itself (stacks/ecs.ts); on a Docker host
  // only the user knows which group the host is in.
  if (
    r.mode === "elasticache" &&
    c.platform !== "ecs" &&
    r.allowedSecurityGroupIds.length === 0 &&
    r.allowedCidrs.length === 0
  ) {
    issue(
      ["redis", "allowedSecurityGroupIds"],
      "is empty and so is `redis.allowedCidrs`: nothing could reach the cache; add the API host's security group",
    );
  }
  if (c.redis.mode !== "local" && c.redisPassword !== undefined) {
    issue(
      ["redisPassword"],
      `only applies to \`redis.mode: local\`: ${c.redis.mode === "external" ? "the password is part of `redisUrl`" : "ElastiCache gets a generated auth token"}; remove it`,
    );
  }
}
