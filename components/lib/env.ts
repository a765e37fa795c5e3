import { buildRedisUrl, type RedisConnection } from "./redis-url";

export interface ApiEnvSpec {
  readonly redis: RedisConnection;
  readonly secretKey: string;
  /** The user's plain environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The user's secret environment, from `pulumi config set --secret`. */
  readonly secretEnv: Readonly<Record<string, string>>;
}

/** Variables the stack owns; user env may not override them. */
export const RESERVED_ENV = [
  "REDIS_URL",
  "REDIS_HOST",
  "REDIS_PORT",
  "REDIS_PASSWORD",
  "REDIS_TLS",
  "REDIS_USERNAME",
  "SECRET_KEY",
] as const;

/**
 * The API container's environment as Docker's `KEY=value` list, sorted so that a
 * re-ordered config does not show up as a diff. The whole list is made secret by the
 * caller because several entries carry the Redis password.
 */
export function buildApiEnv(spec: ApiEnvSpec): string[] {
  const own: Record<string, string> = {
    REDIS_URL: buildRedisUrl(spec.redis),
    REDIS_HOST: spec.redis.host,
    REDIS_PORT: String(spec.redis.port),
    REDIS_PASSWORD: spec.redis.password,
    REDIS_TLS: String(spec.redis.tls),
    REDIS_USERNAME: spec.redis.username ?? "default",
    SECRET_KEY: spec.secretKey,
  };
  for (const source of [spec.env, spec.secretEnv]) {
    for (const key of Object.keys(source)) {
      if ((RESERVED_ENV as readonly string[]).includes(key)) {
        throw new Error(`env var \`${key}\` is set by the stack and cannot be overridden`);
      }
    }
  }
  const merged = { ...spec.env, ...spec.secretEnv, ...own };
  return Object.keys(merged)
    .sort()
    .map((k) => `${k}=${merged[k]}`);
}
