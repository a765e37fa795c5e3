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

export interface HostPorts {
  readonly apiPort: number;
  readonly debugPort: number;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly edgeIp: string;
}

/** Whether the committed stack file has an edge proxy block. */
export function hasEdge(stack: string): boolean {
  return Object.keys(stackObject(stack, "edge") ?? {}).length > 0;
}

/**
 * The stack file as committed, except for host addresses (free ports on 127.0.0.1, and the
 * edge's own loopback address, on which 80 and 443 are free) and the given
 * patches. `edge: null` takes the edge proxy and the workers out, leaving today's single-API
 * design (one API container publishing its own port), for the scenarios about that container.
 */
export async function configFor(
  stack: string,
  ports: HostPorts,
  o: { api?: Obj; redis?: Obj; edge?: Obj | null; workers?: Obj | null; monitoring?: Obj } = {},
): Promise<Obj> {
  // The committed monitoring block with the test's patch (e.g. shorter `for`s); untouched
  // without one.
  const monitoring =
    o.monitoring === undefined
      ? {}
      : { "api-stack:monitoring": stackBlock(stack, "monitoring", o.monitoring) };
  const redis = stackBlock(stack, "redis", o.redis);
  if (redis.debugPort !== undefined) redis.debugPort = ports.debugPort;
  const edge = hasEdge(stack) && o.edge !== null;
  const committed = stackObject(stack, "workers");
  const workers =
    o.edge === null || o.workers === null
      ? undefined
      : committed || o.workers
        ? merge(committed ?? {}, o.workers ?? {})
        : undefined;
  if (!edge) {
    return {
      "api-stack:api": stackBlock(stack, "api", {
        hostPort: ports.apiPort,
        replicas: undefined,
        ...o.api,
      }),
      "api-stack:redis": redis,
      "api-stack:edge": undefined,
      "api-stack:workers": workers,
      ...monitoring,
    };
  }
  return {
    "api-stack:api": stackBlock(stack, "api", o.api),
    "api-stack:redis": redis,
    "api-stack:edge": stackBlock(stack, "edge", { hostIp: ports.edgeIp, ...o.edge }),
    "api-stack:workers": workers,
    ...monitoring,
  };
}
