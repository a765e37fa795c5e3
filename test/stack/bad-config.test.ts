import { describe, expect, it } from "vitest";
import { ProgramError } from "../../gate";
import { runStack } from "../helpers/program";
import { BAD_CONFIGS } from "./bad-config.cases";
import { VALUE_TWINS } from "./bad-config-values.cases";
import { merge, overridesFor, stackObject } from "./bad-config.helpers";

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

  // Each valid twin differs from a refused case by the one setting that makes it right.
  it.each(VALUE_TWINS)("$stack accepts $name", async (t) => {
    await expect(
      runStack(t.stack, { overrides: t.overrides, secrets: t.secrets }),
    ).resolves.toBeDefined();
  });

  it("accepts the real stack files as they are", async () => {
    for (const stack of ["dev", "prod", "prod-ecs"])
      await expect(runStack(stack)).resolves.toBeDefined();
  });
});
