/**
 * Stack files written the way the CLI writes them, run through the real program: numbers that
 * `pulumi config set --path` stores as strings are accepted, and a `secretEnv` whose leaves are
 * part `secure:`, part hand-typed plain text is refused for the plain leaf.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ProgramError, PROJECT_DIR } from "../../gate";
import { runStack } from "../helpers/program";
import { printedByCli } from "./bad-config.helpers";

const cwd = process.cwd();
afterEach(() => process.chdir(cwd));

/** A project copy whose Pulumi.<stack>.yaml is `edit(original text)`; the program runs in it. */
function project(stack: string, edit: (yaml: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "api-stack-yaml-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const text = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
  const edited = edit(text);
  expect(edited, "the edit changed nothing").not.toBe(text);
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), edited);
  // Under the CLI the program's root directory is the project's; under the mocks, the cwd.
  process.chdir(dir);
  return dir;
}

/**
 * What `pulumi config set --path <key> <value>` writes for a value it keeps as a string
 * (pulumi/pulumi sdk/go/common/resource/config/map.go, adjustObjectValue: "true"/"false" and
 * what strconv.Atoi accepts are typed; a multi-character value starting with "0", or any other
 * text such as "0.5" or "512.0", stays a string, which the YAML encoder writes quoted).
 */
const cliWrites = (text: string, [line, typed]: [string, string]) => {
  const key = line.slice(0, line.indexOf(": "));
  expect(text).toContain(`${line}\n`);
  return text.replace(`${line}\n`, `${key}: "${typed}"\n`);
};

describe("numbers as `pulumi config set --path` writes them", () => {
  // Each entry: the stack, and [a line of its file, the value the user typed instead].
  const cases: [string, [string, string][]][] = [
    // `pulumi config set --path api.cpus 0.5` writes `cpus: "0.5"`.
    ["prod", [["    cpus: 0.5", "0.5"]]],
    [
      "prod",
      [
        ["    port: 3003", "03003"],
        ["    memoryMb: 512", "512.0"],
        ["      retries: 5", "5.0"],
        ["    maxmemoryMb: 384", "0384"],
      ],
    ],
    ["dev", [["    debugPort: 16379", "016379"]]],
    [
      "prod-elasticache",
      [
        ["    numCacheClusters: 2", "2.0"],
        ["    snapshotRetentionLimit: 7", "07"],
      ],
    ],
    [
      "prod-serverless",
      [
        ["    maxDataStorageGb: 10", "10.0"],
        ["    maxEcpuPerSecond: 5000", "05000"],
      ],
    ],
  ];
  it.each(cases)("%s accepts %j", async (stack, lines) => {
    const dir = project(stack, (t) => lines.reduce(cliWrites, t));
    const run = await runStack(stack, { dir });
    expect(run.resources.length).toBeGreaterThan(0);
  });

  it('reads cpus "0.5" as 0.5', async () => {
    const dir = project("prod", (t) => cliWrites(t, ["    cpus: 0.5", "0.5"]));
    const run = await runStack("prod", { dir });
    const api = run.resources.find(
      (r) => r.type === "docker:index/container:Container" && r.name.startsWith("api"),
    );
    expect(api?.properties.cpus).toBe("0.5");
  });
});

describe("secretEnv judged leaf by leaf, as the stack file stores it", () => {
  const STRONG = "Zx9kQ2mW7vB4nR8tY3pL6sD1fG5hJ0aCeE9";
  const PLAIN = "sk_live_51HqLp2Kx9Vb3Nm7Qw4Er8Ty6Ui0Op";
  const withSecretEnv = (block: string) => (t: string) =>
    `${t.trimEnd()}\n  api-stack:secretEnv:\n${block}`;

  it("refuses a hand-typed plain leaf beside a secure one, without printing it", async () => {
    const dir = project(
      "dev",
      withSecretEnv(`    OPENAI_API_KEY:\n      secure: v1:AAAA:BBBB\n    STRIPE_KEY: ${PLAIN}\n`),
    );
    const err = await runStack("dev", { dir, decrypt: () => STRONG }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgramError);
    const printed = printedByCli((err as ProgramError).cause);
    expect((err as ProgramError).resources).toEqual([]);
    expect(printed).toContain("Pulumi.dev.yaml");
    expect(printed).toContain(
      "`api-stack:secretEnv.STRIPE_KEY` is typed into `secretEnv` in plain text",
    );
    expect(printed).toContain("pulumi config set --secret --path 'secretEnv.STRIPE_KEY'");
    expect(printed).not.toContain(PLAIN);
    expect(printed).not.toContain("OPENAI_API_KEY`");
  });

  it("accepts a secretEnv whose every leaf is secure", async () => {
    const dir = project(
      "dev",
      withSecretEnv(
        `    OPENAI_API_KEY:\n      secure: v1:AAAA:BBBB\n    STRIPE_KEY:\n      secure: v1:CCCC:DDDD\n`,
      ),
    );
    const run = await runStack("dev", { dir, decrypt: () => STRONG });
    expect(run.resources.length).toBeGreaterThan(0);
  });
});
