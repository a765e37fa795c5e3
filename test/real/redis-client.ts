/**
 * A plain node-redis client for the layer-4 tests, and its type. The type is taken from this
 * non-generic function on purpose: `ReturnType<typeof createClient>` (createClient is generic),
 * annotating a client as `RedisClientType`, or letting tsc infer a type parameter from a callback
 * that takes the client each made tsc measure the variance of every RedisClientType command map,
 * the type check's top hot spot (docs/testing.md, "Where tsc's time goes"). Callbacks that take a
 * client type it as `NoInfer<RedisClient>` for the same reason.
 */
import { createClient } from "redis";

export const newRedisClient = (url: string) => createClient({ url });
export type RedisClient = ReturnType<typeof newRedisClient>;
