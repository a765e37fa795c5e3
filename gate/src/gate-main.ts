/**
 * `npm run gate -- --stack <name>` (or `--all`), as a function: parses the command line, gates
 * the stack, prints the violations the way `pulumi preview` groups them, writes a Markdown report,
 * and returns 1 on any mandatory violation, 2 when the stack could not be judged at all.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseGateArgs, usage } from "./gate-cli";
import { exitCodeOf, formatConsole, formatMarkdown } from "./gate-format";
import { runGate } from "./gate";
import { PROJECT_DIR } from "./project-dir";
import { discoverStacks } from "./stack-file";

/** Gates each stack in its own process (Pulumi's runtime state is per process). */
function gateAll(stacks: readonly string[], argv: readonly string[], quiet: boolean): number {
  const passthrough = argv.filter(
    (a) => a !== "--all" && a !== "all" && !/^--stack(=all)?$/.test(a),
  );
  const codes = stacks.map((stack) => {
    const r = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1] as string, "--stack", stack, ...passthrough],
      { stdio: "inherit" },
    );
    if (!quiet || r.status !== 0) console.log("");
    return { stack, code: r.status ?? 2 };
  });
  const word = (c: number) => (c === 0 ? "passed" : c === 1 ? "blocked" : "not judged");
  console.log(`Gate, every stack: ${codes.map((c) => `${c.stack} ${word(c.code)}`).join(", ")}`);
  return Math.max(0, ...codes.map((c) => c.code));
}

/**
 * The gate command; `argv` without node and the script. Resolves with the exit code. `--all`
 * re-runs the calling script (`process.argv[1]`) once per stack, so call it from a CLI file.
 */
export async function gateMain(argv: readonly string[]): Promise<number> {
  const stacks = discoverStacks();
  const cmd = parseGateArgs(argv, stacks);
  if (cmd.kind === "help") {
    console.log(usage(stacks));
    return 0;
  }
  if (cmd.kind === "list") {
    if (stacks.length > 0) console.log(stacks.join("\n"));
    return 0;
  }
  if (cmd.kind === "error") {
    console.error(cmd.message);
    return 2;
  }
  if (cmd.all) {
    if (stacks.length === 0) {
      console.error("gate: no stack files (Pulumi.<name>.yaml) beside Pulumi.yaml");
      return 2;
    }
    return gateAll(cmd.stacks, argv, cmd.quiet);
  }
  const stack = cmd.stacks[0] as string;
  const result = await runGate({
    stack,
    policyConfig: cmd.policyConfig,
    preview: cmd.preview,
    typecheckPack: cmd.typecheckPack,
  });
  const md = formatMarkdown(result);
  const report = cmd.report ?? path.join(PROJECT_DIR, ".gate", `${stack}.md`);
  fs.mkdirSync(path.dirname(report), { recursive: true });
  fs.writeFileSync(report, md);
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, md);
  const code = exitCodeOf(result);
  if (!cmd.quiet || code !== 0) console.log(formatConsole(result));
  if (!cmd.quiet) console.log(`\nreport: ${path.relative(process.cwd(), report)}`);
  return code;
}
