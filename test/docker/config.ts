/**
 * Stack-file blocks for layer-5 runs: the committed file, with free host ports and a test's
 * patches. Free of vitest, so the Docker bench can use it outside the runner.
 */
import { merge, stackObject, type Obj } from "../helpers/stack-blocks";

export type { Obj };

/** A stack file's `api-stack:<key>` block, deep-merged with `patch` (`undefined` deletes). */
export function stackBlock(stack: string, key: string, patch: Obj = {}): Obj {
  return merge(stackObject(stack, key), patch);
}

/** The stack file as committed, except for host ports (free ones) and the given patches. */
export async function configFor(
  stack: string,
  ports: { apiPort: number; debugPort: number },
  o: { api?: Obj; redis?: Obj } = {},
): Promise<Obj> {
  const redis = stackBlock(stack, "redis", o.redis);
  if (redis.debugPort !== undefined) redis.debugPort = ports.debugPort;
  return {
    "api-stack:api": stackBlock(stack, "api", { hostPort: ports.apiPort, ...o.api }),
    "api-stack:redis": redis,
  };
}
