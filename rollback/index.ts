/**
 * `npm run rollback -- --stack <name> [--yes]`: puts the API image that ran before the current
 * one back into the stack's config and runs `pulumi up` with the policy pack. The decision is
 * rollback/history.ts; this file runs the Pulumi CLI through a `Runner`, so a test can hand it
 * a fake. Exit 0 when the `up` succeeded, 1 when a command failed after the config was changed,
 * 2 when nothing was changed (bad flags, no earlier image, no CLI). No secret is printed: the
 * history is read without --show-secrets and only image references are shown.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  chooseRollback,
  describeUpdate,
  parseHistory,
  RollbackError,
  type HistoryEntry,
  type RollbackPlan,
} from "./history";

export { RollbackError } from "./history";

export const USAGE = `usage: npm run rollback -- --stack <name> [--yes]

  Finds the API image the stack ran before the current one (pulumi stack history: the newest
  successful update with another image; failed updates are skipped), sets it with
  \`pulumi config set --path api.image <ref>\` (and the image of every worker that ran the API's
  image), then runs \`pulumi up --policy-pack policy\`, which asks before it changes anything
  unless --yes is given.`;

/** How many updates one `pulumi stack history` call asks for (its default is 10). */
export const PAGE_SIZE = 50;

/** Runs `pulumi <args>`. With `capture` stdout is returned (stderr still reaches the user). */
export type Runner = (
  args: string[],
  capture: boolean,
) => Promise<{ code: number; stdout: string }>;

class CliMissing extends Error {}

/** The real Pulumi CLI on PATH. */
export function pulumiRunner(bin = "pulumi"): Runner {
  return (args, capture) =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, args, {
        stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
      });
      let stdout = "";
      child.stdout?.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.on("error", (e: NodeJS.ErrnoException) =>
        reject(e.code === "ENOENT" ? new CliMissing() : e),
      );
      child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout }));
    });
}

export interface RollbackDeps {
  readonly run?: Runner;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  /** The project directory: where policy/ and policy/config/<stack>.json are looked for. */
  readonly cwd?: string;
}

/** A stack name, optionally qualified as org/project/stack (pulumi stack select's forms). */
const STACK_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;

function parseFlags(argv: string[]): { stack: string; yes: boolean } | "help" {
  let values: { stack?: string; yes?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string", short: "s" },
        yes: { type: "boolean", short: "y", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    throw new RollbackError(flagProblem(e as NodeJS.ErrnoException));
  }
  if (values.help) return "help";
  if (values.stack === undefined) {
    throw new RollbackError(
      "`--stack` is required: name the stack to roll back, e.g. `--stack prod` (rollback never picks the selected stack for you)",
    );
  }
  if (!STACK_NAME.test(values.stack)) {
    throw new RollbackError(
      `\`--stack\` ${JSON.stringify(values.stack)} is not a stack name: use the name \`pulumi stack ls\` prints, e.g. \`--stack prod\``,
    );
  }
  return { stack: values.stack, yes: values.yes === true };
}

/** node:util parseArgs' errors, as one line naming the flag and the fix. */
function flagProblem(e: NodeJS.ErrnoException): string {
  // Node quotes the argument ('--stak', 'prod') or the option ('-s, --stack <value>').
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? "";
  const long = /--[a-z][a-z-]*/.exec(quoted)?.[0] ?? quoted;
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option \`${quoted}\`: rollback takes \`--stack <name>\` and \`--yes\``;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return long === "--stack"
        ? "`--stack` needs a stack name after it, e.g. `--stack prod`"
        : `\`${long}\` takes no value: write it alone, e.g. \`--yes\``;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument \`${quoted}\`: name the stack with \`--stack ${quoted}\``;
    default:
      return `${e.message}: see \`npm run rollback -- --help\``;
  }
}

/** Reads history pages (newest first) until the plan is found or the history ends. */
async function findPlan(run: Runner, stack: string): Promise<RollbackPlan> {
  const entries: HistoryEntry[] = [];
  for (let page = 1; ; page++) {
    const args = ["stack", "history", "--json", "--page-size", String(PAGE_SIZE)];
    const r = await run([...args, "--page", String(page), "--stack", stack], true);
    if (r.code !== 0) {
      throw new RollbackError(
        `\`pulumi stack history --stack ${stack}\` failed (exit ${r.code}; its message is above): check that \`--stack ${stack}\` names a stack (\`pulumi stack ls\`) and that you are logged in to its back end; nothing was changed`,
      );
    }
    const got = parseHistory(r.stdout);
    entries.push(...got);
    const decision = chooseRollback(entries, got.length < PAGE_SIZE);
    if ("plan" in decision) return decision.plan;
  }
}

/** The `pulumi` argument lists a plan runs, in order: config first, then the up. */
export function commandsFor(
  plan: RollbackPlan,
  stack: string,
  o: { yes: boolean; policyConfig?: string },
): string[][] {
  const set = (key: string, ref: string) => ["config", "set", "--path", key, ref, "--stack", stack];
  return [
    set("api.image", plan.target.image),
    ...Object.entries(plan.workers).map(([name, ref]) => set(`workers.${name}.image`, ref)),
    [
      ...["up", "--stack", stack, "--policy-pack", "policy"],
      ...(o.policyConfig ? ["--policy-pack-config", o.policyConfig] : []),
      ...(o.yes ? ["--yes"] : []),
    ],
  ];
}

/** What the plan is, in lines a user reads before the `up` asks them. */
export function describePlan(plan: RollbackPlan, stack: string): string[] {
  const { current, target } = plan;
  const lines = [
    `rollback ${stack}: the API is at ${current.image} (${describeUpdate(current)}, ${current.result}); going back to ${target.image} (${describeUpdate(target)}, succeeded)`,
  ];
  for (const s of plan.skipped) {
    lines.push(`  skipped ${describeUpdate(s)}: it failed, with ${s.image}`);
  }
  for (const [name, ref] of Object.entries(plan.workers)) {
    lines.push(`  worker ${name} ran the API's image: back to ${ref} with it`);
  }
  for (const name of plan.newWorkers) {
    lines.push(
      `  worker ${name} runs the API's image but did not exist then: left at ${current.image}; set \`workers.${name}.image\` yourself if it must go back too`,
    );
  }
  for (const name of plan.ownImage) {
    lines.push(`  worker ${name} has an image of its own: left alone`);
  }
  return lines;
}

export async function rollbackMain(argv: string[], deps: RollbackDeps = {}): Promise<number> {
  const run = deps.run ?? pulumiRunner();
  const out = deps.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = deps.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const cwd = deps.cwd ?? process.cwd();
  let changed = false;
  let plan: RollbackPlan | undefined;
  let stack = "";
  try {
    const flags = parseFlags(argv);
    if (flags === "help") {
      out(USAGE);
      return 0;
    }
    stack = flags.stack;
    plan = await findPlan(run, stack);
    describePlan(plan, stack).forEach((l) => out(l));
    const short = stack.split("/").pop() as string;
    const policyConfig = join("policy", "config", `${short}.json`);
    const commands = commandsFor(plan, stack, {
      yes: flags.yes,
      policyConfig: existsSync(join(cwd, policyConfig)) ? policyConfig : undefined,
    });
    for (const args of commands) {
      out(`$ pulumi ${args.join(" ")}`);
      const r = await run(args, false);
      if (r.code !== 0) {
        err(failed(args, r.code, plan, stack, changed));
        return changed ? 1 : 2;
      }
      changed = true;
    }
    out(`rollback ${stack}: done, the API runs ${plan.target.image}`);
    return 0;
  } catch (e) {
    if (e instanceof RollbackError) {
      err(`rollback: ${e.message}`);
      return 2;
    }
    if (e instanceof CliMissing) {
      err(
        "rollback: the Pulumi CLI (`pulumi`) is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) or add its directory to PATH; nothing was changed",
      );
      return 2;
    }
    err(`rollback failed: ${(e as Error).message}`);
    return changed ? 1 : 2;
  }
}

function failed(
  args: string[],
  code: number,
  plan: RollbackPlan,
  stack: string,
  changed: boolean,
): string {
  const head = `rollback: \`pulumi ${args.slice(0, 2).join(" ")}\` failed (exit ${code}; its message is above)`;
  if (!changed) return `${head}; nothing was changed`;
  return `${head}. The stack's config now names ${plan.target.image}: run \`pulumi up --stack ${stack} --policy-pack policy\` to try again, or \`pulumi config set --path api.image ${plan.current.image} --stack ${stack}\` to put the config back`;
}
