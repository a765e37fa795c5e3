/**
 * Weak-secret detection shared by the env, URL, redis.conf and ElastiCache checks.
 */
export type SecretKind = "password" | "secret-key";

export interface SecretThresholds {
  /** Minimum length of passwords and auth tokens. */
  readonly minPasswordLength: number;
  /** Minimum length of SECRET_KEY-like values (signing keys, API tokens). */
  readonly minSecretKeyLength: number;
  /** Extra exact values to refuse, case-insensitive. */
  readonly extraDenylist?: readonly string[];
}

export const DEFAULT_SECRET_THRESHOLDS: SecretThresholds = {
  minPasswordLength: 16,
  minSecretKeyLength: 32,
};

/** Values that are defaults, examples or placeholders somewhere (compared case-insensitively). */
const DENY_EXACT = new Set([
  "novita_redis_password",
  "changeme",
  "password",
  "passw0rd",
  "redis",
  "valkey",
  "admin",
  "root",
  "secret",
  "postgres",
  "foobared",
  "default",
  "test",
  "example",
  "pass",
  "123456",
  "12345678",
  "letmein",
  "qwerty",
  "none",
  "null",
  "undefined",
]);

/** Placeholder markers: any value starting with (or, for the first two, containing) these. */
const DENY_CONTAINS = ["novita_redis_password", "changeme", "change-me", "change_me", "foobared"];
const DENY_PREFIX = [
  "your-secret-key",
  "your_secret_key",
  "yoursecretkey",
  "your-",
  "replace-me",
  "replace_me",
  "replaceme",
  "please-change",
  "insert-",
  "xxx",
  "todo",
];

/**
 * Why `value` is not acceptable as a secret of `kind`, or undefined if it is.
 * The reason never quotes the value itself beyond a known public default.
 */
export function weakSecretReason(
  value: string,
  kind: SecretKind,
  t: SecretThresholds = DEFAULT_SECRET_THRESHOLDS,
): string | undefined {
  const v = value.trim().toLowerCase();
  if (v.length === 0) {
    return "is empty";
  }
  const extra = (t.extraDenylist ?? []).map((d) => d.toLowerCase());
  if (DENY_EXACT.has(v) || extra.includes(v)) {
    return `is the well-known default/placeholder "${value.trim()}"`;
  }
  // A template's `<your-password>` is wrapped whole; a generated token may contain < and >.
  const marker =
    DENY_CONTAINS.find((d) => v.includes(d)) ??
    DENY_PREFIX.find((d) => v.startsWith(d)) ??
    (/^<[^<>]*>$/.test(v) ? "<…>" : undefined);
  if (marker !== undefined) {
    return `looks like a placeholder (it contains "${marker}")`;
  }
  if (/^(.)\1*$/.test(v)) {
    return "repeats a single character";
  }
  const min = kind === "password" ? t.minPasswordLength : t.minSecretKeyLength;
  if (value.length < min) {
    return `is ${value.length} characters long; at least ${min} are required`;
  }
  return undefined;
}

/** Env var names that hold a flag, a path or an identifier rather than a secret. */
const NOT_SECRET_NAME =
  /(^(ALLOW|ENABLE|DISABLE|REQUIRE|USE|SKIP)_)|(_(FILE|PATH|DIR|ID|NAME|USER|USERNAME|HOST|PORT|URL|URI|ENABLED|REQUIRED|LENGTH|TTL|EXPIRY|EXPIRES|EXPIRES_IN|ALGORITHM|PREFIX|HEADER|ROTATION|VERSION)$)|PUBLIC|KEY_ID$/;

/** Classifies an env var name: *PASSWORD* → password; *SECRET*, *TOKEN*, *_KEY → secret-key. */
export function secretKindOfName(name: string): SecretKind | undefined {
  const n = name.toUpperCase();
  if (NOT_SECRET_NAME.test(n)) {
    return undefined;
  }
  if (/PASSWORD|PASSWD|PASSPHRASE|(^|_)PASS$|(^|_)PWD$|AUTH_TOKEN$/.test(n)) {
    return "password";
  }
  if (/SECRET|TOKEN|(^|_)KEY$|APIKEY/.test(n)) {
    return "secret-key";
  }
  return undefined;
}

export interface UrlCredential {
  readonly url: string;
  /** Decoded password; "" when the URL has a user part but an empty password. */
  readonly password: string;
  readonly host: string;
  readonly port?: number;
}

const REDIS_URL_RE = /\b(rediss?|valkeys?):\/\/[^\s"',;]+/gi;

/** redis:// and rediss:// URLs in free text, with their passwords and hosts. */
export function redisUrls(text: string): UrlCredential[] {
  const found: UrlCredential[] = [];
  for (const m of text.matchAll(REDIS_URL_RE)) {
    const url = m[0];
    try {
      const u = new URL(url);
      const password = safeDecode(u.password);
      found.push({
        url: redactUrl(url),
        password,
        host: u.hostname,
        port: u.port ? Number(u.port) : undefined,
      });
    } catch {
      // Unparseable: fall back to the userinfo by hand so a password is never missed.
      const userinfo = /^[a-z]+:\/\/([^@/]*)@([^:/]*)/i.exec(url);
      const pw = userinfo?.[1]?.split(":").slice(1).join(":") ?? "";
      found.push({ url: redactUrl(url), password: safeDecode(pw), host: userinfo?.[2] ?? "" });
    }
  }
  return found;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Replaces the password of a URL with "***" for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, "$1***@");
}

/** True when a shell word is a reference (`$VAR`, `${VAR}`, `$(cat file)`), not a literal. */
export function isShellReference(word: string): boolean {
  return /^\$[({A-Za-z_]/.test(word.trim());
}
