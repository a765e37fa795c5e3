/**
 * policy/lib/secrets.ts on its own: each way a value is weak and the exact words the pack and the
 * config use for it, the credentials recognised by their value, env-name classification, and
 * redis:// URL parsing and redaction. Written from Stryker's survivors (docs/testing.md).
 */
import { describe, expect, it } from "vitest";
import {
  isShellReference,
  quietWeakSecretReason,
  redactUrl,
  redisUrls,
  secretInValue,
  secretKindOfName,
  weakSecretReason,
} from "../../../policy/lib/secrets";

const STRONG = "Qm7z2Kp9wTx4Lr8b"; // 16 distinct-enough characters
const STRONG_KEY = "Qm7z2Kp9wTx4Lr8bNc1Vdf6Hy3Gs5Jk0"; // 32

describe("weakSecretReason: the pack's wording", () => {
  it("an empty or blank value is empty", () => {
    expect(weakSecretReason("", "password")).toBe("is empty");
    expect(weakSecretReason("   ", "password")).toBe("is empty");
  });
  it("an exact default is named, trimmed, whatever its case", () => {
    expect(weakSecretReason("  FooBared ", "password")).toBe(
      'is the well-known default/placeholder "FooBared"',
    );
  });
  it("the stack's extra denylist is exact and case-insensitive", () => {
    const t = { minPasswordLength: 4, minSecretKeyLength: 4, extraDenylist: ["Acme-Corp-2024"] };
    expect(weakSecretReason("acme-corp-2024", "password", t)).toMatch(/well-known default/);
    expect(weakSecretReason("acme-corp-2024x", "password", t)).toBeUndefined();
  });
  it("a contained marker is named", () => {
    expect(weakSecretReason("my-Change_Me-now-1234", "password")).toBe(
      'looks like a placeholder (it contains "change_me")',
    );
  });
  it("a prefix marker counts only at the start", () => {
    expect(weakSecretReason("replace-me-Qm7z2Kp9wTx4", "password")).toBe(
      'looks like a placeholder (it contains "replace-me")',
    );
    expect(weakSecretReason("Qm7z2Kp9wTx4replace-me", "password")).toBeUndefined();
  });
  it("a whole <…> template is a placeholder", () => {
    expect(weakSecretReason("<redis pw 1234567890>", "password")).toBe(
      'looks like a placeholder (it contains "<…>")',
    );
  });
  it("filler words only (two or more, digits and separators ignored) are a placeholder", () => {
    expect(weakSecretReason("strong-random-value-2024-prod", "password")).toBe(
      "looks like a placeholder: it is made only of filler words (secret, change, password, example, your …)",
    );
    // One filler word alone is judged on length and characters instead.
    expect(weakSecretReason("placeholder", "password")).toMatch(/11 characters/);
    // A non-filler word among them makes it a value.
    expect(weakSecretReason("strong-random-zebra-value-prod", "password")).toBeUndefined();
  });
  it("a single repeated character is named as such", () => {
    expect(weakSecretReason("z".repeat(40), "password")).toBe("repeats a single character");
  });
  it("a short value gives its length and the minimum for its kind", () => {
    expect(weakSecretReason("Qm7z2Kp9wTx4", "password")).toBe(
      "is 12 characters long; at least 16 are required",
    );
    expect(weakSecretReason(STRONG, "secret-key")).toBe(
      "is 16 characters long; at least 32 are required",
    );
    expect(weakSecretReason(STRONG, "password")).toBeUndefined();
    expect(weakSecretReason(STRONG_KEY, "secret-key")).toBeUndefined();
  });
  it("thresholds come from the stack: exactly the minimum passes, one less fails", () => {
    const t = { minPasswordLength: 20, minSecretKeyLength: 8 };
    expect(weakSecretReason("Qm7z2Kp9wTx4Lr8bNc1V", "password", t)).toBeUndefined();
    expect(weakSecretReason("Qm7z2Kp9wTx4Lr8bNc1", "password", t)).toMatch(/at least 20/);
    expect(weakSecretReason("Qm7z2Kp9", "secret-key", t)).toBeUndefined();
  });
  it("few distinct characters is not the pack's bar (generated hex passes)", () => {
    expect(weakSecretReason("abababababababab1", "password")).toBeUndefined();
  });
});

describe("quietWeakSecretReason: the config's wording never repeats the value", () => {
  it.each([
    ["", "is empty"],
    ["foobared", "is a known default or placeholder, or contains one"],
    ["xFOOBAREDx-Qm7z2Kp9wTx4", "is a known default or placeholder, or contains one"],
    [
      "secret-token-example-value",
      "is made only of filler words (secret, change, password, example, your …)",
    ],
    ["Qm7z2Kp9", "is shorter than 16 characters"],
    ["abababababababab1", "has too few distinct characters"],
    ["z".repeat(20), "has too few distinct characters"],
  ])("%j %s", (value, reason) => {
    expect(quietWeakSecretReason(value, 16)).toBe(reason);
  });
  it("counts the length after trimming, and passes a strong value", () => {
    expect(quietWeakSecretReason(`  ${STRONG.slice(0, 15)}  `, 16)).toBe(
      "is shorter than 16 characters",
    );
    expect(quietWeakSecretReason(STRONG, 16)).toBeUndefined();
  });
});

describe("secretInValue: credentials recognised by their value", () => {
  it.each([
    ["https://user:hunter2x@example.com/", "a password in a URL (user:password@host)"],
    ["Authorization: Bearer abcdEFGH1234", "a bearer token"],
    ["Authorization: Basic dXNlcjpwYXNz", "HTTP Basic credentials"],
    ["-----BEGIN RSA PRIVATE KEY-----", "a private key"],
    ["sk_live_abcdefghij12", "a Stripe key"],
    ["rk_test_abcdefghij12", "a Stripe key"],
    ["ghp_" + "a".repeat(20), "a GitHub token"],
    ["github_pat_" + "a_".repeat(10), "a GitHub token"],
    ["AKIAABCDEFGHIJKLMNOP", "an AWS access key id"],
    ["ASIAABCDEFGHIJKLMNOP", "an AWS access key id"],
    ["xoxb-1234567890", "a Slack token"],
    ["glpat-" + "a".repeat(20), "a GitLab token"],
    ["sk-" + "a".repeat(20), "an API key (sk-…)"],
    ["--key " + STRONG_KEY, "a long random string (a key or token)"],
  ])("%j is %s", (value, what) => {
    expect(secretInValue(value)).toBe(what);
  });
  it.each([
    ["a URL whose password is a shell reference", "redis://:$REDIS_PASSWORD@redis:6379"],
    ["a URL whose password is an encoded reference", "redis://:%24%7BPW%7D@redis:6379"],
    ["a bearer token that is a reference", "Bearer $TOKEN_VALUE_HERE"],
    ["a Basic value that is a reference", "Basic $CREDENTIALS_HERE"],
    ["a short bearer value", "Bearer abc"],
    ["a Stripe-like key that is too short", "sk_live_abc"],
    ["an AWS-like id that is too short", "AKIAABCDEFGHIJKLMNO"],
    ["a Slack-like token that is too short", "xoxb-123"],
    ["a GitHub-like token that is too short", "ghp_" + "a".repeat(19)],
    ["a GitLab-like token that is too short", "glpat-" + "a".repeat(19)],
    ["an sk- value that is too short", "sk-" + "a".repeat(19)],
    ["a hex digest (one case)", "sha256:" + "0123456789abcdef".repeat(4)],
    ["a long token without digits", "QmzKpwTxLrbNcVdfHyGsJkQmzKpwTxLrbNcV"],
    ["a long token without capitals", STRONG_KEY.toLowerCase()],
    ["a long token without lower case", STRONG_KEY.toUpperCase()],
    ["a 31-character random string", STRONG_KEY.slice(0, 31)],
    ["a long random-looking word with a character keys do not use", STRONG_KEY + "!"],
    ["a long mixed word with low entropy", "aA1".repeat(12)],
    ["plain words", "redis-server /usr/local/etc/redis/redis.conf"],
  ])("%s is not a credential", (_, value) => {
    expect(secretInValue(value)).toBeUndefined();
  });
});

describe("secretKindOfName", () => {
  it.each([
    ["redis_password", "password"],
    ["DB_PASSWD", "password"],
    ["GPG_PASSPHRASE", "password"],
    ["PASS", "password"],
    ["MYSQL_PWD", "password"],
    ["ELASTICACHE_AUTH_TOKEN", "password"],
    ["APIKEY", "secret-key"],
    ["KEY", "secret-key"],
    ["SESSION_TOKEN", "secret-key"],
    ["BYPASS", undefined],
    ["KEYBOARD", undefined],
    ["ENABLE_SECRET_SCAN", undefined],
    ["JWT_SECRET_PATH", undefined],
    ["TOKEN_TTL", undefined],
    ["API_KEY_HEADER", undefined],
    ["SIGNING_KEY_ID", undefined],
  ])("%s → %s", (name, kind) => expect(secretKindOfName(name)).toBe(kind));
});

describe("redisUrls and redactUrl", () => {
  it("finds every redis, rediss, valkey and valkeys URL in text, redacted, with its port", () => {
    const found = redisUrls(
      "A=redis://:pw1@r1:6379 B='rediss://u:pw2@r2' C=valkey://:pw3@r3:7000,valkeys://r4",
    );
    expect(found).toEqual([
      { url: "redis://:***@r1:6379", password: "pw1", host: "r1", port: 6379 },
      { url: "rediss://u:***@r2", password: "pw2", host: "r2", port: undefined },
      { url: "valkey://:***@r3:7000", password: "pw3", host: "r3", port: 7000 },
      { url: "valkeys://r4", password: "", host: "r4", port: undefined },
    ]);
  });
  it("falls back to reading the userinfo by hand when the URL does not parse", () => {
    expect(redisUrls("redis://:a:b@bad host")).toEqual([
      { url: "redis://:***@bad", password: "a:b", host: "bad" },
    ]);
  });
  it("keeps an undecodable password as written", () => {
    expect(redisUrls("redis://:100%zz@r:6379")[0]?.password).toBe("100%zz");
  });
  it("redacts only the password, and leaves a URL without one alone", () => {
    expect(redactUrl("redis://user:pw@h:1/0")).toBe("redis://user:***@h:1/0");
    expect(redactUrl("redis://h:6379/0")).toBe("redis://h:6379/0");
  });
});

describe("isShellReference", () => {
  it.each(["$VAR", "${VAR}", "$(cat /run/secrets/pw)", "  $_X"])("%j is a reference", (w) => {
    expect(isShellReference(w)).toBe(true);
  });
  it.each(["VAR", "$1", "$", "a$VAR", "\\$VAR"])("%j is a literal", (w) => {
    expect(isShellReference(w)).toBe(false);
  });
});

describe("bounds found by the mutation run", () => {
  it("filler: two words are enough; a leading separator or a word with digits in it is not filler", () => {
    expect(weakSecretReason("secret-token", "password")).toMatch(/made only of filler words/);
    expect(weakSecretReason("-secret-token-", "password")).toMatch(/made only of filler words/);
    expect(weakSecretReason("secret-value2-key", "password")).toBeUndefined();
    expect(weakSecretReason("secret-2value-key", "password")).toBeUndefined();
  });
  it("a <…> template must be the whole value", () => {
    expect(weakSecretReason("Qm7z2Kp9wTx4Lr8b<abc>", "password")).toBeUndefined();
  });
  it("six distinct characters are enough for the config's bar", () => {
    expect(quietWeakSecretReason("abcdefabcdefabcdef", 16)).toBeUndefined();
    expect(quietWeakSecretReason("abcdeabcdeabcdeabcde", 16)).toBe(
      "has too few distinct characters",
    );
  });
  it("several blanks after Bearer or Basic still hide a credential; a short Basic does not", () => {
    expect(secretInValue("Bearer   abcdEFGH1234")).toBe("a bearer token");
    expect(secretInValue("Basic   dXNlcjpwYXNz")).toBe("HTTP Basic credentials");
    expect(secretInValue("Basic ab")).toBeUndefined();
    expect(secretInValue("github_pat_x")).toBeUndefined();
  });
  it.each([
    ["PASSCODE", undefined],
    ["PWD_HINT", undefined],
    ["PWD", "password"],
    ["REDIS_AUTH_TOKEN_X", "secret-key"],
  ])("secretKindOfName(%s) → %s (anchored patterns)", (name, kind) => {
    expect(secretKindOfName(name)).toBe(kind);
  });
  it("an unparseable URL still gives up its password and host, read by hand", () => {
    expect(redisUrls("redis://u:a:b@[bad")).toEqual([
      { url: "redis://u:***@[bad", password: "a:b", host: "[bad" },
    ]);
    expect(redisUrls("redis://[bad")).toEqual([{ url: "redis://[bad", password: "", host: "" }]);
  });
});
