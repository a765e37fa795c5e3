/**
 * Secrets never reach the terminal. Every line `npm run verify` prints goes through
 * maskSecrets: URL credentials are masked by shape, known secrets by value (raw and
 * percent-encoded), so an error that quotes a URL or a password is safe to print too.
 */
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
