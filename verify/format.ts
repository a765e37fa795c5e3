/** The report `npm run verify` prints. */
import type { CheckResult, CheckStatus } from "./target";

const STATUS_LABEL: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };

/** A fixed-width table, one check per line, then a one-line summary. */
export function formatTable(checks: readonly CheckResult[]): string {
  const rows = [
    ["CHECK", "RESULT", "DETAIL", "TIME MS"],
    ...checks.map((c) => [
      c.check,
      STATUS_LABEL[c.status],
      c.detail,
      c.ms === null ? "-" : String(c.ms),
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] as number) : cell.padStart(7)))
      .join("  ")
      .trimEnd(),
  );
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  lines.push("", `${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped`);
  return lines.join("\n");
}
