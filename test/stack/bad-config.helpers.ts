/** Builds a bad case's config: the real Pulumi.<stack>.yaml with the case's changes. */
import * as pulumi from "@pulumi/pulumi";
import { merge, stackObject } from "../helpers/stack-blocks";
import type { BadConfigCase } from "./bad-config.cases";

type Obj = Record<string, unknown>;

export { merge, stackObject } from "../helpers/stack-blocks";

export function overridesFor(c: BadConfigCase): Obj {
  const o: Obj = { ...c.overrides };
  if (c.api) o["api-stack:api"] = merge(stackObject(c.stack, "api"), c.api);
  if (c.redis) o["api-stack:redis"] = merge(stackObject(c.stack, "redis"), c.redis);
  return o;
}

/**
 * What `pulumi up` prints for an error thrown by the program: @pulumi/pulumi cmd/run/run.js,
 * uncaughtHandler: a RunError's message only ("Always hide the stack for RunErrors"), a
 * ResourceError's message when `hideStack`, otherwise `util.inspect(err)`, the stack included.
 */
export function printedByCli(err: unknown): string {
  if (pulumi.RunError.isInstance(err)) return err.message;
  if (pulumi.ResourceError.isInstance(err))
    return err.hideStack ? err.message : String(err.stack ?? err.message);
  const e = err as { stack?: string } | undefined;
  return String(e?.stack ?? err);
}
