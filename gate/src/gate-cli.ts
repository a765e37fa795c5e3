/**
 * The gate's command line: what `npm run gate -- …` accepts, its usage text, and one clear line
 * for anything it does not accept (never a stack trace).
 */
import { parseArgs } from "node:util";

export interface GateRunArgs {
  readonly kind: "run";
  /** The stacks to gate, in order; several with `--all`. */
  readonly stacks: string[];
  readonly all: boolean;
  readonly policyConfig?: string;
  readonly report?: string;
  readonly preview: boolean;
  readonly typecheckPack: boolean;
  readonly quiet: boolean;
}

export type GateCommand =
  | { readonly kind: "help" }
  | { readonly kind: "list" }
  | { readonly kind: "error"; readonly message: string }
  | GateRunArgs;

const OPTIONS = {
  stack: { type: "string" },
  all: { type: "boolean" },
  list: { type: "boolean" },
  "policy-config": { type: "string" },
  report: { type: "string" },
  preview: { type: "boolean" },
  "typecheck-pack": { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export function usage(stacks: readonly string[]): string {
  const found = stacks.length > 0 ? stacks.join(", ") : "none found";
  return [
    "usage: npm run gate -- --stack <name> | --all | --list [options]",
    "",
    `  stacks here: ${found}`,
    "",
    "  --stack <name>         gate the stack in Pulumi.<name>.yaml beside Pulumi.yaml",
    "  --all                  gate every Pulumi.<name>.yaml beside Pulumi.yaml (also: --stack all)",
    "  --list                 print the stack names, one per line (e.g. for a CI matrix), and exit",
    "  --preview              judge generated values as unknown, as a first `pulumi preview` does",
    "  --policy-config <file> policy pack config (default: policy/config/<name>.json, else the",
    "                         file for the stack's environment)",
    "  --report <file.md>     Markdown report (default: .gate/<name>.md); also appended to",
    "                         $GITHUB_STEP_SUMMARY when that is set",
    "  --typecheck-pack       start the TypeScript pack itself, as `pulumi preview` does (slower)",
    "  --quiet                print only a failing result",
    "  -h, --help             print this help",
    "",
    "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) decrypts `secure:` values; without",
    "it they are judged as unknown secrets. Exit: 0 passed, 1 a mandatory violation, 2 the stack",
    "could not be judged (bad config, program error, policy pack error) or the command was wrong.",
  ].join("\n");
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length] as number;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const scored = candidates
    .map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= 2)
    .sort((x, y) => x.d - y.d);
  return scored[0]?.c;
}

const fail = (message: string): GateCommand => ({ kind: "error", message: `gate: ${message}` });
const HELP_HINT = "see `npm run gate -- --help`";

/** Parses the gate's arguments against the stacks that have a file. */
export function parseGateArgs(argv: readonly string[], stacks: readonly string[]): GateCommand {
  const { tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  for (const t of tokens) {
    if (t.kind === "option-terminator") continue;
    if (t.kind === "positional") {
      return fail(
        stacks.includes(t.value)
          ? `unexpected argument ${t.value}: name the stack with --stack ${t.value} (through npm: npm run gate -- --stack ${t.value})`
          : `unexpected argument ${t.value}; ${HELP_HINT}`,
      );
    }
    const spec = (OPTIONS as Record<string, { type: string }>)[t.name];
    if (!spec) {
      const guess = closest(t.name, Object.keys(OPTIONS));
      return fail(
        `unknown option ${t.rawName}${guess ? ` (did you mean --${guess}?)` : ""}; ${HELP_HINT}`,
      );
    }
    if (spec.type === "string") {
      // Without `=`, a following `--flag` is not a value: `--stack --preview` lacks the stack.
      if (t.value === undefined || t.value === "" || (!t.inlineValue && t.value.startsWith("-")))
        return fail(
          t.name === "stack"
            ? `--stack needs a stack name: one of ${stacks.join(", ") || "(no Pulumi.<name>.yaml found)"}, or all`
            : `${t.rawName} needs a value; ${HELP_HINT}`,
        );
      values[t.name] = t.value;
    } else {
      if (t.value !== undefined) return fail(`${t.rawName} takes no value; ${HELP_HINT}`);
      values[t.name] = true;
    }
  }
  if (values.help) return { kind: "help" };
  if (values.list) return { kind: "list" };
  const stack = values.stack as string | undefined;
  const all = values.all === true || stack === "all";
  if (values.all === true && stack !== undefined)
    return fail(`--all and --stack ${stack} both name the stacks: use one`);
  if (!all && stack === undefined)
    return fail(
      `name a stack with --stack <name> (one of ${stacks.join(", ") || "none found"}) or use --all`,
    );
  if (all && values.report !== undefined)
    return fail("--report names one file: with --all each stack's report is .gate/<name>.md");
  if (!all && !stacks.includes(stack as string)) {
    const guess = closest(stack as string, stacks);
    return fail(
      `no stack file Pulumi.${stack}.yaml beside Pulumi.yaml${guess ? ` (did you mean ${guess}?)` : ""}; stack files found: ${
        stacks.map((s) => `Pulumi.${s}.yaml`).join(", ") || "none"
      }`,
    );
  }
  return {
    kind: "run",
    stacks: all ? [...stacks] : [stack as string],
    all,
    policyConfig: values["policy-config"] as string | undefined,
    report: values.report as string | undefined,
    preview: values.preview === true,
    typecheckPack: values["typecheck-pack"] === true,
    quiet: values.quiet === true,
  };
}
