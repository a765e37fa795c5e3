/**
 * docs/monitoring.md is the rules written out: a row per alert with its `for` and severity, and
 * a runbook section per alert at the anchor its `runbook_url` names.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ALERT_FOR_MS,
  ALERT_NAMES,
  alertRules,
  promDuration,
} from "../../components/lib/alert-rules";

const doc = fs.readFileSync(path.join(__dirname, "../../docs/monitoring.md"), "utf8");
const rules = alertRules({
  workers: ["jobs"],
  edge: { backend: "api", minHealthy: 2 },
  redis: true,
  backupEveryMs: 240_000,
  certificateNotAfter: 2_000_000_000,
  runbookUrl: "https://example.com/monitoring.md",
});

describe("docs/monitoring.md", () => {
  it.each([...ALERT_NAMES])("%s: a table row with its for and severity", (name) => {
    const row = doc.split("\n").find((l) => l.startsWith(`| \`${name}\``));
    expect(row, name).toBeDefined();
    const cells = row!.split("|").map((c) => c.trim());
    const rule = rules.find((r) => r.alert === name)!;
    expect(cells[3]).toBe(promDuration(ALERT_FOR_MS[name]));
    expect(cells[4]).toBe(rule.severity);
  });

  it.each([...ALERT_NAMES])("%s: a runbook at #%s in lower case", (name) => {
    // GitHub's anchor for "### RedisDown" is #redisdown, which runbook_url names.
    expect(doc).toMatch(new RegExp(`^### ${name}$`, "m"));
    expect(rules.find((r) => r.alert === name)).toBeDefined();
  });
});
