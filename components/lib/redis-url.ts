/** The connection every Redis back end exposes, whichever one it is. */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly password: string;
  /** ACL user; `default` for a plain `requirepass`-style login. @default "default" */
  readonly username?: string;
}

/**
 * `redis://` or, with TLS, `rediss://`; the password is percent-encoded. The user is always
 * written, `default` included: `redis-cli -u redis://:pw@host` sends `AUTH "" pw` and gets
 * WRONGPASS (redis/redis src/cli_common.c, parseRedisUri: the text before `:` becomes the user, even
 * when empty; checked against the real redis-cli in test/real/redis-url.test.ts),
 * while `redis://default:pw@host` works with redis-cli, node-redis and redis-py alike.
 */
export function buildRedisUrl(c: RedisConnection): string {
  const scheme = c.tls ? "rediss" : "redis";
  const user = encodeURIComponent(c.username ?? "default");
  // An IPv6 literal must be bracketed, or `::1:6379` is not a URL at all.
  const host = c.host.includes(":") && !c.host.startsWith("[") ? `[${c.host}]` : c.host;
  return `${scheme}://${user}:${encodeURIComponent(c.password)}@${host}:${c.port}`;
}

/**
 * Splits a `redis://` or `rediss://` URL into the connection every back end exposes.
 * Errors never quote the URL, which holds a password.
 */
export function parseRedisUrl(url: string): Required<RedisConnection> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error("the Redis URL is not a valid URL");
  }
  const scheme = u.protocol.replace(/:$/, "");
  if (scheme !== "redis" && scheme !== "rediss")
    throw new Error(`the Redis URL has the scheme "${scheme}", not redis:// or rediss://`);
  if (!u.hostname || !u.port) throw new Error("the Redis URL must name a host and a port");
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(u.port),
    tls: scheme === "rediss",
    username: u.username ? decodeURIComponent(u.username) : "default",
    password: decodeURIComponent(u.password),
  };
}
