/**
 * The rendered prometheus.yml, rules and alertmanager.yml under the real promtool and amtool at
 * the pinned images' versions (test/real/prom-tools.sh): each is accepted, and Alertmanager's
 * routing sends RedisDown to its own immediate route and everything else to the default one.
 * Whether the alerts really arrive, and the inhibition, run on the real engine
 * (test/docker/monitoring.test.ts).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { alertRules, renderAlertRules } from "../../components/lib/alert-rules";
import {
  PROMETHEUS_PATHS,
  renderAlertmanagerConfig,
  renderPrometheusConfig,
  type AlertmanagerConfigSpec,
} from "../../components/lib/prometheus-config";
import { promTool } from "../layers";
import { describeReal } from "./layer";
import { removeTempDirs, run, tempDir } from "./util";

afterAll(() => removeTempDirs());

const promtool = (dir: string, args: string[]) =>
  run(promTool("promtool"), args, { cwd: dir, timeoutMs: 30_000 });
const amtool = (dir: string, args: string[]) =>
  run(promTool("amtool"), args, { cwd: dir, timeoutMs: 30_000 });

const RULES = {
  workers: ["jobs", "mail"],
  edge: { backend: "api", minHealthy: 2 },
  redis: true,
  certificateNotAfter: 2_000_000_000,
  runbookUrl: "https://example.com/monitoring.md",
};

function writeAll(dir: string, overrides: { redisExporter?: boolean } = {}): string {
  writeFileSync(join(dir, "rules.yml"), renderAlertRules(RULES));
  const config = renderPrometheusConfig({
    stack: "prod",
    scrapeIntervalMs: 15_000,
    evaluationIntervalMs: 15_000,
    api: { alias: "api" },
    workers: ["jobs", "mail"],
    edge: true,
    redisExporter: overrides.redisExporter ?? true,
  }).replace(PROMETHEUS_PATHS.rules, join(dir, "rules.yml"));
  writeFileSync(join(dir, "prometheus.yml"), config);
  return config;
}

describeReal("monitoring configs under promtool and amtool", () => {
  test("promtool check config accepts prometheus.yml with its rules", async () => {
    const dir = tempDir("monitoring-");
    writeAll(dir);
    const r = await promtool(dir, ["check", "config", "prometheus.yml"]);
    expect(r.stdout + r.stderr).toContain("SUCCESS: prometheus.yml is valid prometheus config");
    // Every alert, plus the certificate's recording rule.
    expect(r.stdout + r.stderr).toContain(`SUCCESS: ${alertRules(RULES).length + 1} rules found`);
    expect(r.code).toBe(0);
  });

  test("promtool refuses a broken file: the check can fail", async () => {
    const dir = tempDir("monitoring-");
    const config = writeAll(dir);
    writeFileSync(join(dir, "prometheus.yml"), config.replace("type: A", "type: X"));
    const r = await promtool(dir, ["check", "config", "prometheus.yml"]);
    expect(r.code).not.toBe(0);
  });

  test.each<AlertmanagerConfigSpec>([
    { receiver: "webhook" },
    { receiver: "slack", slackChannel: "#alerts" },
    { receiver: "none" },
  ])("amtool check-config accepts alertmanager.yml for $receiver", async (spec) => {
    const dir = tempDir("monitoring-");
    writeFileSync(join(dir, "am.yml"), renderAlertmanagerConfig(spec));
    const r = await amtool(dir, ["check-config", "am.yml"]);
    expect(r.stdout + r.stderr).toContain("SUCCESS");
    expect(r.stdout + r.stderr).toContain("1 inhibit rules");
    expect(r.code).toBe(0);
  });

  test("amtool refuses a field it does not know, so its accepting url_file means something", async () => {
    // The pinned 0.28.1 reads the receiver's URL from a file (`url_file`); Debian 12's amtool
    // 0.25 does not know that field and refuses the file, which is why prom-tools.sh fetches
    // trixie's. A misspelt field is refused the same way.
    const dir = tempDir("monitoring-");
    writeFileSync(
      join(dir, "am.yml"),
      renderAlertmanagerConfig({ receiver: "webhook" }).replace("url_file", "url_fille"),
    );
    const r = await amtool(dir, ["check-config", "am.yml"]);
    expect(r.stdout + r.stderr).toMatch(/url_fille/);
    expect(r.code).not.toBe(0);
  });

  test("RedisDown has its own route with no group_wait; the rest wait in the default", async () => {
    const dir = tempDir("monitoring-");
    writeFileSync(join(dir, "am.yml"), renderAlertmanagerConfig({ receiver: "webhook" }));
    const show = await amtool(dir, ["config", "routes", "--config.file=am.yml"]);
    expect(show.stdout).toMatch(/alertname="RedisDown"/);
    for (const [labels, expected] of [
      [["alertname=RedisDown", "component=redis"], "default"],
      [["alertname=ApiHighErrorRate", "component=api"], "default"],
    ] as const) {
      const r = await amtool(dir, [
        "config",
        "routes",
        "test",
        "--config.file=am.yml",
        "--verify.receivers=" + expected,
        ...labels,
      ]);
      expect(r.code, labels.join(" ")).toBe(0);
    }
  });
});
