/**
 * ElastiCache's AUTH token rules: 16 to 128 printable ASCII characters, none of `/`, `"`,
 * `@` or space. @pulumi/random's default special characters include `@`, so generated
 * tokens use their own set: the one AWS's ElastiCache guide lists (`!&#$^<>-`), narrower
 * than the API's rule, because tokens the API accepts have still been refused in practice.
 */
export const AUTH_TOKEN_SPECIALS = "!&#$^<>-";
export const AUTH_TOKEN_LENGTH = 64;

/** Why `token` would be refused by ElastiCache, or `undefined`; never quotes the token. */
export function authTokenProblem(token: string): string | undefined {
  if (token.length < 16 || token.length > 128)
    return `must be 16 to 128 characters long, is ${token.length}`;
  for (const ch of token) {
    const code = ch.charCodeAt(0);
    if (code < 0x21 || code > 0x7e)
      return "may contain only printable ASCII characters, without spaces";
    if (ch === "/" || ch === '"' || ch === "@") return `may not contain ${JSON.stringify(ch)}`;
  }
  return undefined;
}
