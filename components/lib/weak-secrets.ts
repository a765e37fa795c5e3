/**
 * Known defaults and placeholders that have ended up in real deployments, the first of
 * them straight from a committed `.env.example`.
 */
export const WEAK_SECRETS = [
  "novita_redis_password",
  "changeme",
  "change-me",
  "password",
  "redis",
  "valkey",
  "admin",
  "secret",
  "postgres",
  "root",
  "default",
  "test",
] as const;

const PLACEHOLDER = /^(your[-_]?(secret|password|key|token)|replace[-_]?me|xxx+|\*+|<.*>)/i;

/**
 * Why `value` is not an acceptable secret, or `undefined`. The value itself is never
 * part of the answer, so the message can be shown in an error.
 */
export function weakSecretReason(value: string, minLength: number): string | undefined {
  const v = value.trim();
  if (v === "") return "is empty";
  const lower = v.toLowerCase();
  if ((WEAK_SECRETS as readonly string[]).includes(lower) || PLACEHOLDER.test(v))
    return "is a known default or placeholder";
  if (v.length < minLength) return `is shorter than ${minLength} characters`;
  if (new Set(v).size < 6) return "has too few distinct characters";
  return undefined;
}
