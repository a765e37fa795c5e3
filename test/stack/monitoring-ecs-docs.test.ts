/**
 * docs/monitoring-ecs.md's alarm table is components/lib/ecs-alarm-specs.ts written out: each row
 * names the spec's metrics and namespace, statistic, threshold and unit, datapoints and
 * missing-data rule, in the table's order. A number changed in one and not the other fails here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  API_ALARMS,
  CACHE_ALARMS,
  SERVICE_ALARMS,
  type AlarmSpec,
} from "../../components/lib/ecs-alarm-specs";
import { PROJECT_DIR } from "../../gate";

const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs/monitoring-ecs.md"), "utf8");
const table = doc.slice(doc.indexOf("<!-- alarms:start -->"), doc.indexOf("<!-- alarms:end -->"));
const rows = table
  .split("\n")
  .filter((l) => l.startsWith("| ") && !l.startsWith("| Alarm") && !l.startsWith("| ---"))
  .map((l) =>
    l
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim()),
  );
const specs: AlarmSpec[] = [
  ...Object.values(API_ALARMS),
  ...Object.values(SERVICE_ALARMS),
  ...Object.values(CACHE_ALARMS),
];
const OPERATOR = { GreaterThanThreshold: ">" } as Record<string, string>;

describe("docs/monitoring-ecs.md, the alarm table", () => {
  it("has one row per alarm of the spec table", () => {
    expect(rows).toHaveLength(specs.length);
  });

  it.each(specs.map((s, i) => [s.title, s, i] as const))("%s", (_, spec, i) => {
    const [, metric, stat, fires, datapoints, missing] = rows[i] as string[];
    const metrics = spec.kind === "math" ? Object.values(spec.metrics) : [spec.metric];
    for (const m of metrics) {
      expect(metric).toContain(`\`${m.metricName}\``);
      expect(metric).toContain(`(\`${m.namespace}\`)`);
      expect(stat).toBe(m.stat);
    }
    expect(fires).toBe(`${OPERATOR[spec.comparison]} ${spec.threshold} (${spec.unit})`);
    expect(datapoints).toBe(`${spec.datapointsToAlarm} of ${spec.evaluationPeriods}`);
    expect(missing).toBe(`\`${spec.treatMissingData}\``);
    expect(spec.period).toBe(60); // "Period is 60 s throughout."
  });
});
