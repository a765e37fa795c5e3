import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import * as fs from "node:fs";
import * as path from "node:path";
import { ProgramError, PROJECT_DIR } from "../../scripts/lib/capture";
import { runStack } from "../helpers/program";
import { BAD_CONFIGS, type BadConfigCase } from "./bad-config.cases";

type Obj = Record<string, unknown>;

function stackObject(stack: string, key: string): Obj {
  const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Obj;
  };
  return structuredClone(doc.config[`api-stack:${key}`] as Obj);
}

/** Deep merge where `undefined` deletes the key. */
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

function overridesFor(c: BadConfigCase): Obj {
  const o: Obj = { ...c.overrides };
  if (c.api) o["api-stack:api"] = merge(stackObject(c.stack, "api"), c.api);
  if (c.redis) o["api-stack:redis"] = merge(stackObject(c.stack, "redis"), c.redis);
  return o;
}

describe("bad configs are refused before any resource is registered", () => {
  it("has at least 25 cases", () => {
    expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD_CONFIGS)("$stack: $name", async (c) => {
    const error = await runStack(c.stack, { overrides: overridesFor(c), secrets: c.secrets }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProgramError);
    const e = error as ProgramError;
    expect(e.resources).toEqual([]);
    expect(e.message).toContain(`Pulumi.${c.stack}.yaml has`);
    for (const part of c.expect) {
      if (typeof part === "string") expect(e.message).toContain(part);
      else expect(e.message).toMatch(part);
    }
    // A secret's value never appears in the message that reports it.
    for (const v of Object.values(c.secrets ?? {})) expect(e.message).not.toContain(String(v));
  });

  it("reports every problem at once", async () => {
    const error = (await runStack("prod", {
      overrides: {
        "api-stack:typo": 1,
        "api-stack:api": merge(stackObject("prod", "api"), {
          image: "api:latest",
          restart: "no",
          healthcheck: { startPeriod: "0s" },
        }),
      },
    }).catch((e: unknown) => e)) as ProgramError;
    expect(error.message).toMatch(/has [4-9] configuration problems/);
    for (const key of [
      "api-stack:typo",
      "api-stack:api.image",
      "api-stack:api.healthcheck.startPeriod",
    ])
      expect(error.message).toContain(key);
  });

  it("accepts both real stack files as they are", async () => {
    for (const stack of ["dev", "prod"]) await expect(runStack(stack)).resolves.toBeDefined();
  });
});
