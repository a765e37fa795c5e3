/** The connection every Redis back end exposes, whichever one it is. */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly password: string;
  /** ACL user; `default` for a plain `requirepass`-style login. @default "default" */
  readonly username?: string;
}

/** `redis://` or, with TLS, `rediss://`; the password is percent-encoded. */
export function buildRedisUrl(c: RedisConnection): string {
  const scheme = c.tls ? "rediss" : "redis";
  const user = c.username && c.username !== "default" ? encodeURIComponent(c.username) : "";
  // An IPv6 literal must be bracketed, or `::1:6379` is not a URL at all.
  const host = c.host.includes(":") && !c.host.startsWith("[") ? `[${c.host}]` : c.host;
  return `${scheme}://${user}:${encodeURIComponent(c.password)}@${host}:${c.port}`;
}
