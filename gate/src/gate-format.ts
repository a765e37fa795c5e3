/**
 * How the gate reports a result: on the console shaped like `pulumi preview`'s "Policies:" block
 * (or its "error: …" line when the stack could not be judged), and as a Markdown report.
 */
import type { Diagnostic } from "./analyzer";

/** Where a gate stopped before any policy ran. */
export type GateStage = "config" | "program" | "policy-pack";

/** The outcome of gating one stack: what was judged and every diagnostic. */
export interface GateResult {
  readonly stack: string;
  readonly resources: number;
  readonly diagnostics: Diagnostic[];
  readonly mandatory: number;
  readonly advisory: number;
  /** Set when the stack could not be judged (see `stage`); then nothing was analysed. */
  readonly programError?: string;
  /** The stage that failed: the engine's config checks, the program, or the policy pack. */
  readonly stage?: GateStage;
  readonly notes: string[];
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

/** Console output shaped like `pulumi preview`'s. */
export function formatConsole(r: GateResult): string {
  const lines = [`Gate: stack ${r.stack}, ${r.resources} resources analysed`];
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.programError !== undefined) {
    if (r.stage === "program")
      lines.push("", "The program failed before any resource was registered:", r.programError);
    // The CLI prints each line of an error it stops on as "error: …".
    else lines.push("", ...r.programError.split("\n").map((l) => `error: ${l}`));
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

const FAILED: Record<GateStage, string> = {
  config: "❌ stack config refused",
  program: "❌ program failed",
  "policy-pack": "❌ policy pack failed",
};

/** The result as the Markdown report (.gate/<stack>.md, and the GitHub step summary). */
export function formatMarkdown(r: GateResult): string {
  const status =
    r.programError !== undefined
      ? FAILED[r.stage ?? "program"]
      : r.mandatory > 0
        ? "❌ blocked"
        : "✅ passed";
  const out = [`## Policy gate: \`${r.stack}\` — ${status}`, ""];
  out.push(
    `${r.resources} resources analysed; ${r.mandatory} mandatory and ${r.advisory} advisory violations.`,
    "",
  );
  for (const n of r.notes) out.push(`> ${n}`, "");
  if (r.programError !== undefined) out.push("```text", r.programError, "```");
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

/** The gate's exit code: 2 when the stack could not be judged, 1 on a mandatory violation. */
export function exitCodeOf(r: GateResult): number {
  return r.programError !== undefined ? 2 : r.mandatory > 0 ? 1 : 0;
}
