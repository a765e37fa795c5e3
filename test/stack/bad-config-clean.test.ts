/**
 * Every bad case, judged on what a user would see: the program registers nothing, and the
 * CLI prints one message that names the key and the stack file, with no stack trace and no
 * secret value (whatever its type).
 */
import { describe, expect, it } from "vitest";
import { ProgramError } from "../../gate";
import { runStack } from "../helpers/program";
import { BAD_CONFIGS } from "./bad-config.cases";
import { overridesFor, printedByCli } from "./bad-config.helpers";

const refused: string[] = [];

describe("every bad config is refused early, clean and quiet", () => {
  it.each(BAD_CONFIGS)("$stack: $name", async (c) => {
    const error = await runStack(c.stack, { overrides: overridesFor(c), secrets: c.secrets }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, "the program ran to the end").toBeInstanceOf(ProgramError);
    const e = error as ProgramError;
    const printed = printedByCli(e.cause);
    expect(e.resources.map((r) => `${r.type}::${r.name}`)).toEqual([]);
    expect(printed).toContain(`Pulumi.${c.stack}.yaml`);
    // The key, in its namespace: this project's, or a provider's (`aws:region`).
    expect(printed).toMatch(/`(api-stack|aws|docker):[A-Za-z0-9_.-]+`/);
    expect(printed).not.toMatch(/^ {4}at /m);
    const secrets = [
      ...Object.values(c.secrets ?? {}).flatMap((v) =>
        v && typeof v === "object" ? Object.values(v) : [v],
      ),
      ...(c.secretValues ?? []),
    ].map(String);
    for (const s of secrets) expect(printed).not.toContain(s);
    refused.push(c.name);
  });

  it("refused all of them", () => {
    console.log(`bad configs refused cleanly: ${refused.length}/${BAD_CONFIGS.length}`);
    expect(refused.length).toBe(BAD_CONFIGS.length);
  });
});
