/**
 * runGate stops where `pulumi preview` stops, before the program runs, with the engine's
 * message, stage "config" and exit code 2. Project and stack files are written to a temp dir.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { exitCodeOf, formatConsole, runGate, type GateOptions } from "../../gate";
import { CONFIG_STAGE_CASES, devStack, MINIMAL_PROJECT, OLD_PROJECT } from "./config-stage.cases";

function projectDir(project: string, stacks: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-config-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), project);
  for (const [name, text] of Object.entries(stacks))
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
  return dir;
}

const gate = (o: GateOptions) =>
  runGate({
    ...o,
    load: () => {
      vi.resetModules();
      return import("../../stacks/index");
    },
  });

describe("the engine's config stage, through runGate", () => {
  it.each(CONFIG_STAGE_CASES)("$name ($upstream)", async (c) => {
    const r = await gate({ stack: "dev", dir: projectDir(c.project, { dev: c.stackFile }) });
    expect(r.programError).toBe(c.error);
    expect(r.stage).toBe("config");
    expect(r.resources).toBe(0);
    expect(exitCodeOf(r)).toBe(2);
    expect(formatConsole(r)).toContain(`\nerror: ${c.error}`);
  });

  it("counts values set as by `pulumi config set --secret` (the `secrets` option) as present", async () => {
    const r = await gate({
      stack: "dev",
      dir: projectDir(OLD_PROJECT, { dev: devStack() }),
      secrets: {
        "api-stack:redisPassword": "x7Rk2pQ9mZ4vL8nW3tY6bC1dF5gH0jKs",
        "api-stack:secretKey": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "api-stack:redisUrl": "redis://default:x7Rk2pQ9mZ4vL8nW3tY6bC1dF5gH0jKs@redis:6379",
      },
    });
    expect(r.stage).not.toBe("config");
  });
});

describe("a stack key in a namespace nothing reads", () => {
  // The program refuses it (stacks/ config); the gate must surface that as a program error.
  it("apistack:redis (for api-stack:redis) fails the program, naming the key", async () => {
    const stackFile = devStack((d) => {
      d.config["apistack:redis"] = d.config["api-stack:redis"];
      delete d.config["api-stack:redis"];
    });
    const r = await gate({ stack: "dev", dir: projectDir(MINIMAL_PROJECT, { dev: stackFile }) });
    expect(r.stage).toBe("program");
    expect(r.programError).toContain("apistack:redis");
    expect(exitCodeOf(r)).toBe(2);
  });
});
