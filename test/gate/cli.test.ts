/**
 * The gate as a command (`node scripts/run.cjs gate …`, what `npm run gate --` runs): usage, stack
 * discovery, and one clear line with exit 2 for everything it cannot do, never a stack trace.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverStacks, PROJECT_DIR } from "../../gate";
import { devStack, OLD_PROJECT } from "./config-stage.cases";

const STACK_TRACE = /^ {4}at /m;

function gate(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env.GITHUB_STEP_SUMMARY;
  if (!opts.env?.PULUMI_CONFIG_PASSPHRASE) delete env.PULUMI_CONFIG_PASSPHRASE;
  const r = spawnSync(process.execPath, ["scripts/run.cjs", "gate", ...args], {
    cwd: opts.cwd ?? PROJECT_DIR,
    env,
    encoding: "utf8",
  });
  const lines = (s: string) => s.split("\n").filter((l) => l.trim() !== "");
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, errLines: lines(r.stderr) };
}

describe("npm run gate: usage and discovery", () => {
  const stacks = discoverStacks();

  it("finds every Pulumi.<name>.yaml beside Pulumi.yaml", () => {
    const files = fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    expect(stacks.map((s) => `Pulumi.${s}.yaml`).sort()).toEqual(files.sort());
    expect(stacks).toEqual(expect.arrayContaining(["dev", "prod"]));
  });

  it("--help prints usage naming the stacks found, and exits 0", () => {
    const r = gate(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run gate -- --stack <name> \| --all \| --list/);
    expect(r.stdout).toContain(`stacks here: ${stacks.join(", ")}`);
    expect(r.stdout).not.toContain("<dev|prod>");
  });

  it("--list prints one stack name per line, for a CI matrix", () => {
    const r = gate(["--list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(stacks.join("\n") + "\n");
  });
});

describe("npm run gate: one line and exit 2 for what it cannot do", () => {
  it.each([
    [
      ["--stack", "staging"],
      `gate: no stack file Pulumi.staging.yaml beside Pulumi.yaml; stack files found: ${discoverStacks()
        .map((s) => `Pulumi.${s}.yaml`)
        .join(", ")}`,
    ],
    [
      ["--stak", "dev"],
      "gate: unknown option --stak (did you mean --stack?); see `npm run gate -- --help`",
    ],
    [
      ["--stack"],
      `gate: --stack needs a stack name: one of ${discoverStacks().join(", ")}, or all`,
    ],
    [
      ["--stack", "--preview"],
      `gate: --stack needs a stack name: one of ${discoverStacks().join(", ")}, or all`,
    ],
    [
      ["dev"],
      "gate: unexpected argument dev: name the stack with --stack dev (through npm: npm run gate -- --stack dev)",
    ],
  ])("%j", (args, line) => {
    const r = gate(args);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([line]);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it("a wrong PULUMI_CONFIG_PASSPHRASE", () => {
    const r = gate(["--stack", "prod-external", "--quiet"], {
      env: { PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" },
    });
    expect(r.code).toBe(2);
    const errors = r.stdout.split("\n").filter((l) => l.startsWith("error: "));
    expect(errors).toEqual([
      "error: Pulumi.prod-external.yaml: incorrect passphrase: PULUMI_CONFIG_PASSPHRASE does not decrypt this stack's secrets",
    ]);
    expect(r.stdout + r.stderr).not.toMatch(STACK_TRACE);
  });
});

/** A copy of the project with the old Pulumi.yaml and the given stack files; node_modules linked. */
function projectCopy(stacks: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-project-"));
  for (const d of ["scripts", "gate", "stacks", "components"])
    fs.cpSync(path.join(PROJECT_DIR, d), path.join(dir, d), { recursive: true });
  fs.cpSync(path.join(PROJECT_DIR, "policy"), path.join(dir, "policy"), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}node_modules`),
  });
  for (const f of ["package.json", "tsconfig.json"])
    fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
  fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), OLD_PROJECT);
  for (const [name, text] of Object.entries(stacks))
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
  return dir;
}

describe("npm run gate on a project whose Pulumi.yaml the engine refuses (the one before d0ac4c5)", () => {
  let dir: string;
  beforeAll(() => {
    dir = projectCopy({ dev: devStack(), qa: devStack() });
  });

  it("--stack dev exits 2 with the engine's missing-config message", () => {
    const r = gate(["--stack", "dev"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "\nerror: validating stack config: Stack 'dev' is missing configuration values 'redisPassword', 'redisUrl' and 'secretKey'\n",
    );
    expect(r.stdout + r.stderr).not.toMatch(STACK_TRACE);
  }, 60_000);

  it("--list and --all use the stack files of that project", () => {
    expect(gate(["--list"], { cwd: dir }).stdout).toBe("dev\nqa\n");
    const r = gate(["--all", "--quiet"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("Stack 'qa' is missing configuration values");
    expect(r.stdout.trim().split("\n").pop()).toBe(
      "Gate, every stack: dev not judged, qa not judged",
    );
  }, 60_000);
});
