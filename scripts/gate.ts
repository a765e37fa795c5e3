/**
 * `npm run gate -- --stack <dev|prod>`: the offline policy gate for pull requests.
 *
 * Runs the real program with the real Pulumi.<stack>.yaml under Pulumi's mock monitor,
 * captures every registered resource (inputs in wire form, options, dependencies), and
 * sends them through the real policy pack over the analyzer protocol: Analyze for each
 * resource, then AnalyzeStack, with policy/config/<stack>.json. Prints the violations the
 * way `pulumi preview` groups them, writes a Markdown report, and exits 1 on any
 * mandatory violation (2 when the program or its config cannot be evaluated at all).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
// Only light modules load up front, so the policy pack can start while Pulumi's SDK and
// the program load (./lib/capture and ./lib/stack-file are imported inside runGate).
import type { CapturedResource } from "./lib/capture";
import { PROJECT_DIR } from "./lib/project-dir";
import { buildPackCopy } from "./lib/pack-build";
import { startPolicyPack, UNKNOWN, type Diagnostic, type ResourceRecord } from "./lib/analyzer";

export interface GateOptions {
  readonly stack: string;
  /** Policy pack config; @default policy/config/<stack>.json */
  readonly policyConfig?: string;
  /** Simulate a first `pulumi preview`: generated values are unknown. @default false */
  readonly preview?: boolean;
  /** Replace top-level config keys (`api-stack:api` etc.), for tests. */
  readonly overrides?: Record<string, unknown>;
  readonly secrets?: Record<string, unknown>;
  readonly passphrase?: string;
  /** Start the TypeScript pack itself (type-checked by run-policy-pack, ~2 s slower). @default false */
  readonly typecheckPack?: boolean;
  /** Loads the program module; tests pass a loader their runner understands. */
  readonly load?: () => Promise<Record<string, unknown>>;
}

export interface GateResult {
  readonly stack: string;
  readonly resources: number;
  readonly diagnostics: Diagnostic[];
  readonly mandatory: number;
  readonly advisory: number;
  /** Set when the program itself failed (bad config); then nothing was analysed. */
  readonly programError?: string;
  readonly notes: string[];
}


function toRecord(r: CapturedResource): ResourceRecord {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    properties: r.properties,
    options: {
      protect: r.options.protect,
      ignoreChanges: r.options.ignoreChanges,
      deleteBeforeReplace: r.options.deleteBeforeReplace,
      additionalSecretOutputs: r.options.additionalSecretOutputs,
      parent: r.parent || undefined,
    },
    parent: r.parent || undefined,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
  };
}

/**
 * policy/config/<stack>.json when there is one; otherwise the file for the stack's
 * environment, so a variant such as prod-elasticache is judged as production.
 */
export function policyConfigFor(stack: string, values: Record<string, string>): string {
  const own = path.join(PROJECT_DIR, "policy", "config", `${stack}.json`);
  if (fs.existsSync(own)) return own;
  const env = values["api-stack:environment"] === "production" ? "prod" : "dev";
  return path.join(PROJECT_DIR, "policy", "config", `${env}.json`);
}

export async function runGate(o: GateOptions): Promise<GateResult> {
  // The pack starts while the program runs: the two are independent until Analyze.
  const packDir = o.typecheckPack
    ? path.join(PROJECT_DIR, "policy")
    : buildPackCopy(
        path.join(PROJECT_DIR, "policy"),
        path.join(PROJECT_DIR, ".gate", "policy-pack"),
      );
  let starting!: ReturnType<typeof startPolicyPack>;
  // Loading the SDK below blocks the event loop, so wait until the pack's process exists.
  await new Promise<void>((spawned, failed) => {
    starting = startPolicyPack(packDir, { onSpawned: spawned });
    starting.catch(failed);
  });
  const { loadStackConfig } = await import("./lib/stack-file");
  const { ProgramError, runProgram } = await import("./lib/capture");

  const notes: string[] = [];
  const passphrase = (o.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE) || undefined;
  const cfg = loadStackConfig(o.stack, {
    overrides: o.overrides,
    secrets: o.secrets,
    passphrase,
    undecrypted: UNKNOWN,
  });
  const { values, secretKeys } = cfg;
  if (cfg.encryptedKeys.length > 0) {
    notes.push(
      `${cfg.encryptedKeys.length} secure value(s) (${cfg.encryptedKeys.join(", ")}) were not decrypted because PULUMI_CONFIG_PASSPHRASE is not set: they were judged as secret unknowns, as in a preview that cannot read them; their strength was not checked.`,
    );
  }
  // A value that cannot be decrypted is only ever unknown, as in a preview.
  const preview = o.preview || cfg.encryptedKeys.length > 0;
  if (preview)
    notes.push(
      "Preview mode: generated values (passwords, names) were unknown, as in a first `pulumi preview`.",
    );

  let resources: CapturedResource[];
  try {
    resources = (
      await runProgram({
        stack: o.stack,
        values,
        secretKeys,
        preview,
        load: o.load,
        unknownSecretKeys: cfg.encryptedKeys,
      })
    ).resources;
  } catch (err) {
    const message = err instanceof ProgramError ? err.message : String(err);
    await (await starting).stop();
    return {
      stack: o.stack,
      resources: 0,
      diagnostics: [],
      mandatory: 0,
      advisory: 0,
      programError: message,
      notes,
    };
  }

  const pack = await starting;
  try {
    const policyConfig = o.policyConfig ?? policyConfigFor(o.stack, values);
    notes.unshift(`Policy config: ${path.relative(PROJECT_DIR, policyConfig)}.`);
    await pack.configureFile(policyConfig);
    await pack.configureStack({ stack: o.stack, project: "api-stack", dryRun: true });
    const records = resources.map(toRecord);
    const diagnostics: Diagnostic[] = [];
    for (const r of records) diagnostics.push(...(await pack.analyze(r)));
    diagnostics.push(...(await pack.analyzeStack(records)));
    return {
      stack: o.stack,
      resources: records.length,
      diagnostics,
      mandatory: diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
      advisory: diagnostics.filter((d) => d.enforcementLevel === "advisory").length,
      notes,
    };
  } finally {
    await pack.stop();
  }
}

function resourceLabel(urn: string): string {
  if (!urn) return "(stack)";
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop();
  return `${type}: ${parts[3] ?? urn}`;
}

function grouped(diags: readonly Diagnostic[]): Map<string, Diagnostic[]> {
  const by = new Map<string, Diagnostic[]>();
  for (const d of diags) by.set(resourceLabel(d.urn), [...(by.get(resourceLabel(d.urn)) ?? []), d]);
  return by;
}

/** Console output shaped like `pulumi preview`'s "Policies:" block. */
export function formatConsole(r: GateResult): string {
  const lines = [`Gate: stack ${r.stack}, ${r.resources} resources analysed`];
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.programError) {
    lines.push("", "The program failed before any resource was registered:", r.programError);
    return lines.join("\n");
  }
  const first = r.diagnostics[0];
  if (!first) {
    lines.push("", "Policies:", "    ✅ api-stack-guardrails (local: policy): no violations");
    return lines.join("\n");
  }
  lines.push(
    "",
    "Policies:",
    `    ${r.mandatory > 0 ? "❌" : "⚠️"} ${first.policyPackName}@v${first.policyPackVersion} (local: policy)`,
  );
  for (const [resource, ds] of grouped(r.diagnostics)) {
    lines.push(`        ${resource}`);
    for (const d of ds) {
      lines.push(`          - [${d.enforcementLevel}]  ${d.policyName}`);
      lines.push(...d.message.split("\n").map((m) => `            ${m}`));
    }
  }
  lines.push("", `${r.mandatory} mandatory, ${r.advisory} advisory`);
  return lines.join("\n");
}

export function formatMarkdown(r: GateResult): string {
  const status = r.programError
    ? "❌ program failed"
    : r.mandatory > 0
      ? "❌ blocked"
      : "✅ passed";
  const out = [`## Policy gate: \`${r.stack}\` — ${status}`, ""];
  out.push(
    `${r.resources} resources analysed; ${r.mandatory} mandatory and ${r.advisory} advisory violations.`,
    "",
  );
  for (const n of r.notes) out.push(`> ${n}`, "");
  if (r.programError) out.push("```text", r.programError, "```");
  if (r.diagnostics.length > 0) {
    out.push("| Resource | Policy | Level | Message |", "| --- | --- | --- | --- |");
    for (const [resource, ds] of grouped(r.diagnostics)) {
      for (const d of ds) {
        const msg = d.message.replace(/\|/g, "\\|").replace(/\n+/g, " ");
        out.push(`| \`${resource}\` | \`${d.policyName}\` | ${d.enforcementLevel} | ${msg} |`);
      }
    }
  }
  return out.join("\n") + "\n";
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      "policy-config": { type: "string" },
      report: { type: "string" },
      preview: { type: "boolean", default: false },
      "typecheck-pack": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
    },
  });
  if (!values.stack) {
    console.error(
      "usage: npm run gate -- --stack <dev|prod> [--preview] [--policy-config file] [--report file.md]",
    );
    process.exit(2);
  }
  const result = await runGate({
    stack: values.stack,
    policyConfig: values["policy-config"],
    preview: values.preview,
    typecheckPack: values["typecheck-pack"],
  });
  const md = formatMarkdown(result);
  const report = values.report ?? path.join(PROJECT_DIR, ".gate", `${values.stack}.md`);
  fs.mkdirSync(path.dirname(report), { recursive: true });
  fs.writeFileSync(report, md);
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, md);
  if (!values.quiet || result.mandatory > 0 || result.programError)
    console.log(formatConsole(result));
  if (!values.quiet) console.log(`\nreport: ${path.relative(process.cwd(), report)}`);
  process.exit(result.programError ? 2 : result.mandatory > 0 ? 1 : 0);
}

if (require.main === module || process.argv[1] === __filename) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(2);
  });
}
