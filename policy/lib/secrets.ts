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

/** Placeholder markers: any value containing (first list) or starting with (second) these. */
const DENY_CONTAINS = [
  "novita_redis_password",
  "changeme",
  "change-me",
  "change_me",
  "change-this",
  "change_this",
  "changethis",
  "foobared",
  "passw0rd",
  "password",
  "your-super-secret",
  "your_super_secret",
];
const DENY_PREFIX = [
  "your-secret-key",
  "your_secret_key",
  "yoursecretkey",
  "your-",
  "your_",
  "replace-me",
  "replace_me",
  "replaceme",
  "please-change",
  "insert-",
  "xxx",
  "todo",
];

/**
 * Words templates are made of: a value that is only these (and separators or digits) is a
 * placeholder however long it is, e.g. "secret-password-example-change-your-secret".
 */
const FILLER = new Set(
  (
    "your my our the a an this that it in for to of at is be and or me now here there please " +
    "secret secrets password passwd pass passphrase key keys token api app apikey example sample " +
    "demo dummy test testing change changeme replace insert put set generate generated use own " +
    "real random strong long super very value string text something goes production prod dev " +
    "development staging local default placeholder todo fixme xxx"
  ).split(" "),
);

/** How a value is weak, before it is worded: one classification for config and pack. */
type Weakness =
  | { readonly why: "empty" }
  | { readonly why: "exact" }
  | { readonly why: "marker"; readonly marker: string }
  | { readonly why: "filler" }
  | { readonly why: "repeat" }
  | { readonly why: "few-distinct" };

function weakness(value: string, extra: readonly string[] = []): Weakness | undefined {
  const v = value.trim().toLowerCase();
  if (v.length === 0) return { why: "empty" };
  if (DENY_EXACT.has(v) || extra.map((d) => d.toLowerCase()).includes(v)) return { why: "exact" };
  // A template's `<your-password>` is wrapped whole; a generated token may contain < and >.
  const marker =
    DENY_CONTAINS.find((d) => v.includes(d)) ??
    DENY_PREFIX.find((d) => v.startsWith(d)) ??
    (/^<[^<>]*>$/.test(v) ? "<…>" : undefined);
  if (marker !== undefined) return { why: "marker", marker };
  const words = v.split(/[^a-z0-9]+/).filter((w) => w !== "" && !/^\d+$/.test(w));
  if (words.length >= 2 && words.every((w) => FILLER.has(w))) return { why: "filler" };
  if (/^(.)\1*$/.test(v)) return { why: "repeat" };
  if (new Set(v).size < 6) return { why: "few-distinct" };
  return undefined;
}

const FILLER_TEXT = "is made only of filler words (secret, change, password, example, your …)";

/**
 * Why `value` is not acceptable as a secret of `kind`, or undefined if it is.
 * The reason never quotes the value itself beyond a known public default.
 */
export function weakSecretReason(
  value: string,
  kind: SecretKind,
  t: SecretThresholds = DEFAULT_SECRET_THRESHOLDS,
): string | undefined {
  const w = weakness(value, t.extraDenylist);
  switch (w?.why) {
    case "empty":
      return "is empty";
    case "exact":
      return `is the well-known default/placeholder "${value.trim()}"`;
    case "marker":
      return `looks like a placeholder (it contains "${w.marker}")`;
    case "filler":
      return `looks like a placeholder: it ${FILLER_TEXT}`;
    case "repeat":
      return "repeats a single character";
  }
  const min = kind === "password" ? t.minPasswordLength : t.minSecretKeyLength;
  if (value.length < min) {
    return `is ${value.length} characters long; at least ${min} are required`;
  }
  // "few-distinct" is the config's stricter bar only: generated hex keys can trip it in tests.
  return undefined;
}

/**
 * The same judgement, worded for the stack's config errors, which must not repeat any part
 * of the value (not even a public default it contains): the program's one weak-secret check.
 */
export function quietWeakSecretReason(value: string, minLength: number): string | undefined {
  const w = weakness(value);
  switch (w?.why) {
    case "empty":
      return "is empty";
    case "exact":
    case "marker":
      return "is a known default or placeholder, or contains one";
    case "filler":
      return FILLER_TEXT;
  }
  if (value.trim().length < minLength) return `is shorter than ${minLength} characters`;
  if (w !== undefined) return "has too few distinct characters";
  return undefined;
}

/**
 * Credentials recognisable by their value, whatever the name they sit under. Returns what was
 * found ("a GitHub token"), never the value. Prefixes are the issuers' documented formats:
 * GitHub "About authentication to GitHub" (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), AWS IAM
 * "Understanding unique ID prefixes" (AKIA long-term, ASIA temporary access key ids), Stripe
 * "API keys" (sk_live_, sk_test_, rk_live_), OpenAI (sk-), Slack (xox?-), GitLab (glpat-).
 */
export function secretInValue(value: string): string | undefined {
  const v = value.trim();
  const url = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:([^\s/@]+)@/i.exec(v);
  if (url && !isShellReference(safeDecode(url[1] as string)))
    return "a password in a URL (user:password@host)";
  if (/\bBearer\s+(?!\$)[A-Za-z0-9\-._~+/]{8,}=*/i.test(v)) return "a bearer token";
  if (/\bBasic\s+(?!\$)[A-Za-z0-9+/]{8,}={0,2}/.test(v)) return "HTTP Basic credentials";
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v)) return "a private key";
  if (/\b(sk|rk)_(live|test)_[A-Za-z0-9]{10,}/.test(v)) return "a Stripe key";
  if (/\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}/.test(v))
    return "a GitHub token";
  if (/\b(AKIA|ASIA)[0-9A-Z]{16}\b/.test(v)) return "an AWS access key id";
  if (/\bxox[abposr]-[A-Za-z0-9-]{10,}/.test(v)) return "a Slack token";
  if (/\bglpat-[A-Za-z0-9_-]{20,}/.test(v)) return "a GitLab token";
  if (/\bsk-[A-Za-z0-9_-]{20,}/.test(v)) return "an API key (sk-…)";
  const hook = webhookIn(v);
  if (hook) return hook;
  if (v.split(/\s+/).some(looksRandom)) return "a long random string (a key or token)";
  return undefined;
}

/**
 * A URL whose path or query is the credential: chat webhooks (anyone holding the URL can post as
 * the integration: Slack "Sending messages using incoming webhooks", Discord "Webhook Resource",
 * Microsoft Teams incoming webhooks and Power Automate workflow URLs signed with `sig=`), a
 * token or key in the query, or a path segment that is a generated token.
 */
function webhookIn(v: string): string | undefined {
  if (/\bhooks\.slack\.com\/(services|workflows|triggers)\/[A-Za-z0-9]+\/[A-Za-z0-9]+/i.test(v))
    return "a Slack webhook URL (the URL is the credential)";
  if (/\b(discord|discordapp)\.com\/api\/(v\d+\/)?webhooks\/\d+\/[A-Za-z0-9_-]{20,}/i.test(v))
    return "a Discord webhook URL (the URL is the credential)";
  if (/\.webhook\.office\.com\/webhookb2\/|\boutlook\.office(365)?\.com\/webhook\//i.test(v))
    return "a Microsoft Teams webhook URL (the URL is the credential)";
  for (const m of v.matchAll(/\bhttps?:\/\/[^\s]+/gi)) {
    let url: URL;
    try {
      url = new URL(m[0]);
    } catch {
      continue;
    }
    for (const [k, value] of url.searchParams)
      if (
        /^(access_?token|token|api_?key|apikey|key|secret|sig|signature|password|passwd|auth|code)$/i.test(
          k,
        ) &&
        value.length >= 8 &&
        !isShellReference(value)
      )
        return `a credential in a URL's query (${k}=…)`;
    if (url.pathname.split("/").some(looksRandom)) return "a token in a URL's path";
  }
  return undefined;
}

/**
 * A long token with letters of both cases and digits and high Shannon entropy: what generated
 * keys look like. Hex digests (image ids, git SHAs) have one case and stay below the bar.
 */
function looksRandom(word: string): boolean {
  if (word.length < 32 || !/^[A-Za-z0-9+/=_-]+$/.test(word)) return false;
  if (!/[a-z]/.test(word) || !/[A-Z]/.test(word) || !/\d/.test(word)) return false;
  const counts = new Map<string, number>();
  for (const c of word) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / word.length) * Math.log2(n / word.length);
  return bits >= 4.2;
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
