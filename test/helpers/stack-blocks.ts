/**
 * A committed stack file's `api-stack:<key>` blocks, and the deep merge tests use to change
 * one setting in them. No vitest here: the Docker bench uses it outside the runner.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../gate";

export type Obj = Record<string, unknown>;

export function stackObject(stack: string, key: string): Obj {
  const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Obj;
  };
  return structuredClone(doc.config[`api-stack:${key}`] as Obj);
}

/** Deep merge where `undefined` deletes the key. */
export function merge(base: Obj, patch: Obj): Obj {
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
