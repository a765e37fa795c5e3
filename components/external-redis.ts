import * as pulumi from "@pulumi/pulumi";
import { parseRedisUrl } from "./lib/redis-url";
import { redisConnection, type RedisConnectionOutputs } from "./redis-connection";
import { TYPES } from "./types";

export interface ExternalRedisArgs {
  /** `rediss://user:password@host:port` from the provider (e.g. Aiven), as a secret. */
  readonly url: pulumi.Input<string>;
}

/**
 * A Redis or Valkey run by someone else, known only by its URL. The URL and password
 * stay secret; host, port, TLS and user are not secrets and are exposed plainly.
 *
 * @example
 * const cache = new ExternalRedis("cache", { url: config.requireSecret("redisUrl") });
 */
export class ExternalRedis extends pulumi.ComponentResource {
  public readonly connection: RedisConnectionOutputs;

  constructor(name: string, args: ExternalRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.ExternalRedis, name, {}, opts);
    const parts = pulumi.secret(pulumi.output(args.url)).apply(parseRedisUrl);
    // Rebuilt from its parts, so an empty-user URL (`rediss://:pw@host`, which redis-cli -u
    // turns into AUTH "" pw) reaches the API as `rediss://default:pw@host`.
    this.connection = redisConnection({
      host: pulumi.unsecret(parts.apply((p) => p.host)),
      port: pulumi.unsecret(parts.apply((p) => p.port)),
      tls: pulumi.unsecret(parts.apply((p) => p.tls)),
      username: pulumi.unsecret(parts.apply((p) => p.username)),
      password: parts.apply((p) => p.password),
    });
    this.registerOutputs({ connection: this.connection });
  }
}
