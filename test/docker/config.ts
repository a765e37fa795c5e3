/**
 * Stack-file blocks for layer-5 runs: the committed file, with free host ports and a test's
 * patches. Free of vitest, so the Docker bench can use it outside the runner.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../scripts/lib/capture";

export type Obj = Record<string, unknown>;

/** A stack file's `api-stack:<key>` block, deep-merged with `patch` (`undefined` deletes). */
export function stackBlock(stack: string, key: string, patch: Obj = {}): Obj {
  const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Obj;
  };
  return merge(structuredClone(doc.config[`api-stack:${key}`] as Obj), patch);
}

function merge(base: Obj, patch: Obj): Obj {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else if (
      v &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      out[k] &&
      typeof out[k] === "object"
    )
      out[k] = merge(out[k] as Obj, v as Obj);
    else out[k] = v;
  }
  return out;
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
