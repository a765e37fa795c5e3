/**
 * The one connection shape every Redis back end returns (local container, ElastiCache,
 * external URL), and the one place its secret URL is built. The API side of the program only
 * ever sees this, so it never knows which back end it got.
 */
import * as pulumi from "@pulumi/pulumi";
import { buildApiEnv } from "./lib/env";
import { buildRedisUrl } from "./lib/redis-url";

export interface RedisConnectionOutputs {
  readonly host: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly tls: pulumi.Output<boolean>;
  /** The ACL user to authenticate as; `default` for password-only logins. */
  readonly username: pulumi.Output<string>;
  /** Secret. */
  readonly password: pulumi.Output<string>;
  /** `redis://` or `rediss://`, always with the user and the password. Secret. */
  readonly url: pulumi.Output<string>;
}

export interface RedisConnectionParts {
  readonly host: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly tls: pulumi.Input<boolean>;
  readonly username: pulumi.Input<string>;
  readonly password: pulumi.Input<string>;
}

/** The connection from its parts; the password and the URL are secrets whatever came in. */
export function redisConnection(parts: RedisConnectionParts): RedisConnectionOutputs {
  const host = pulumi.output(parts.host);
  const port = pulumi.output(parts.port);
  const tls = pulumi.output(parts.tls);
  const username = pulumi.output(parts.username);
  const password = pulumi.secret(pulumi.output(parts.password));
  const url = pulumi.secret(
    pulumi
      .all([host, port, tls, username, password])
      .apply(([h, p, t, u, pw]) =>
        buildRedisUrl({ host: h, port: p, tls: t, username: u, password: pw }),
      ),
  );
  return { host, port, tls, username, password, url };
}

/**
 * A secret URL for a user beside the connection's (an operator's, or the same user from the
 * Docker host), built the same way as the connection's own.
 */
export function secretRedisUrl(parts: {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly username?: string;
  readonly password: pulumi.Input<string>;
}): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.output(parts.password).apply((password) => buildRedisUrl({ ...parts, password })),
  );
}

/**
 * Every service's environment (the API's and each worker's): the same Redis connection, the
 * app's SECRET_KEY and the user's env, as one secret list, since several entries carry the
 * password.
 */
export function serviceEnv(s: {
  readonly redis: RedisConnectionOutputs;
  readonly secretKey: pulumi.Input<string>;
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: pulumi.Input<Record<string, string>>;
}): pulumi.Output<string[]> {
  const r = s.redis;
  const envs = pulumi
    .all([r.host, r.port, r.tls, r.username, r.password, s.secretKey, s.secretEnv])
    .apply(([host, port, tls, username, password, secretKey, secretEnv]) =>
      buildApiEnv({
        redis: { host, port, tls, username, password },
        secretKey,
        env: s.env,
        secretEnv,
      }),
    );
  return pulumi.secret(envs);
}
