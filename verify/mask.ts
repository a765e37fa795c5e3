/**
 * Secrets never reach the terminal. Every line `npm run verify` prints goes through
 * maskSecrets: URL credentials are masked by shape, known secrets by value (raw and
 * percent-encoded), so an error that quotes a URL or a password is safe to print too.
 * Text from the containers (logs, probe outputs) also goes through maskPatterns.
 */
import { secretInValue, secretKindOfName } from "../policy/lib/secrets";

export const MASK = "****";

/** `scheme://user:password@` or `scheme://token@`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*)@/gi;

/** `text` with URL credentials and every one of `secrets` (raw or percent-encoded) masked. */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return colon === -1 ? `${scheme}${MASK}@` : `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
  });
  const variants = new Set<string>();
  for (const s of secrets) {
    variants.add(s);
    variants.add(encodeURIComponent(s));
    try {
      variants.add(decodeURIComponent(s));
    } catch {
      // not percent-encoded
    }
  }
  // Longest first, so a secret that contains another is masked whole. Very short values
  // would mangle ordinary words; in a URL they are already masked by shape above.
  for (const v of [...variants].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(v).join(MASK);
  }
  return out;
}

/**
 * Secrets recognised by shape rather than by value, for text verify did not write itself
 * (container logs, health-probe outputs): `KEY=value` and `"key": "value"` where the key names
 * a secret, `Bearer`/`Basic` credentials, and any word the policy pack's value check flags
 * (tokens with a known prefix, long random strings, webhook URLs). The knowledge is the pack's
 * (policy/lib/secrets.ts), so the program's weak-secret check and this mask agree.
 */
export function maskPatterns(text: string): string {
  return text
    .replace(
      /(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\1(\s*[=:]\s*)(["']?)([^\s"',;&]+)\4/g,
      (whole, q: string, key: string, sep: string, vq: string, value: string) =>
        value !== MASK && secretKindOfName(key.replace(/[.-]/g, "_")) !== undefined
          ? `${q}${key}${q}${sep}${vq}${MASK}${vq}`
          : whole,
    )
    .replace(/\b(Bearer|Basic)\s+(?!\*{4})[A-Za-z0-9\-._~+/]{8,}=*/g, `$1 ${MASK}`)
    .split(/([\s"'`,;()<>[\]{}]+)/)
    .map((word) => {
      if (word.length < 16 || word.includes(MASK)) return word;
      const found = secretInValue(word);
      return found === undefined || found.startsWith("a password in a URL") ? word : MASK;
    })
    .join("");
}
