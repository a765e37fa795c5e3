/**
 * `monitoring:`: metrics and alerts (docs/monitoring.md). On `platform: docker` it runs
 * Prometheus, Alertmanager and redis_exporter beside the services (components/monitoring.ts); on
 * `platform: ecs` it creates CloudWatch alarms to an SNS topic (components/ecs-alarms.ts). Where
 * alerts go is `receiver`; a webhook's or Slack's URL is the secret `alertWebhookUrl`.
 */
import { z } from "zod";
import { MONITORING_DEFAULTS as D } from "../../components/monitoring";
import { ALERT_NAMES, type AlertName } from "../../components/lib/alert-rules";
import { cliNumber, duration, image, port, seconds, type Issue } from "./fields";
import type { ParsedStack } from "./schema";

export const RECEIVERS = ["webhook", "slack", "email", "none"] as const;
/** The secret a `webhook` or `slack` receiver's URL is kept in. */
export const ALERT_SECRET_KEY = "alertWebhookUrl";

const interval = (example: string) =>
  duration(example).refine((ms) => ms >= 1_000 && ms <= 300_000 && ms % 1_000 === 0, {
    error: 'must be whole seconds from "1s" to "5m"',
  });

const alertOverride = z.strictObject({
  for: duration("30s").refine((ms) => ms % 1_000 === 0 && ms <= 86_400_000, {
    error: 'must be whole seconds, at most "24h"',
  }),
});

/**
 * The Docker-only settings have no default here: components/monitoring.ts resolves them
 * (MONITORING_DEFAULTS), so the ECS rule below can tell a key the user set from a default.
 */
export const monitoringSchema = z
  .strictObject({
    /**
     * Where alerts go: `webhook` (Alertmanager's webhook, or an SNS https subscription on ECS),
     * `slack` (Docker only), `email` (ECS only: an SNS email subscription) or `none`.
     */
    receiver: z.enum(RECEIVERS, {
      error: `must be one of ${RECEIVERS.map((r) => `"${r}"`).join(", ")}: where alerts are sent`,
    }),
    /** `receiver: slack`: the channel, e.g. "#alerts". */
    slackChannel: z
      .string()
      .regex(/^[#@][a-z0-9._-]{1,80}$/, { error: 'must be a channel such as "#alerts"' })
      .optional(),
    /** `receiver: email` (ECS): the address SNS sends to; it must confirm the subscription. */
    email: z.email({ error: 'must be an email address such as "oncall@example.com"' }).optional(),
    scrapeInterval: interval(seconds(D.scrapeIntervalMs)).optional(),
    evaluationInterval: interval(seconds(D.evaluationIntervalMs)).optional(),
    /** How long Prometheus keeps samples, and the most disk they may take. */
    retention: duration("360h")
      .refine((ms) => ms >= 3_600_000 && ms % 1_000 === 0, {
        error: 'must be whole seconds, at least "1h"',
      })
      .optional(),
    retentionSizeMb: cliNumber(z.number().int().min(64)).optional(),
    /** Prometheus's container memory limit, MB. */
    memoryMb: cliNumber(z.number().int().min(64)).optional(),
    /** Development only: publish Prometheus's UI on 127.0.0.1:<uiPort>. */
    uiPort: port().optional(),
    prometheusImage: image().optional(),
    alertmanagerImage: image().optional(),
    redisExporterImage: image().optional(),
    /** docs/monitoring.md as your team opens it; each alert links to its section. */
    runbookUrl: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL of docs/monitoring.md" })
      .optional(),
    /** A different `for` per alert, e.g. `RedisDown: { for: 1m }`. */
    alerts: z
      .partialRecord(
        z.enum(ALERT_NAMES, { error: `must be an alert: ${ALERT_NAMES.join(", ")}` }),
        alertOverride,
      )
      .optional(),
  })
  .transform(({ scrapeInterval, evaluationInterval, retention, alerts, ...rest }) => ({
    ...rest,
    scrapeIntervalMs: scrapeInterval,
    evaluationIntervalMs: evaluationInterval,
    retentionMs: retention,
    alertForMs:
      alerts &&
      (Object.fromEntries(Object.entries(alerts).map(([k, v]) => [k, v?.for])) as Partial<
        Record<AlertName, number>
      >),
  }));

export type MonitoringConfig = z.output<typeof monitoringSchema>;

/** Keys that only the Docker platform's Prometheus reads. */
const DOCKER_ONLY = {
  scrapeInterval: "scrapeIntervalMs",
  evaluationInterval: "evaluationIntervalMs",
  retention: "retentionMs",
  retentionSizeMb: "retentionSizeMb",
  memoryMb: "memoryMb",
  uiPort: "uiPort",
  prometheusImage: "prometheusImage",
  alertmanagerImage: "alertmanagerImage",
  redisExporterImage: "redisExporterImage",
  alerts: "alertForMs",
} as const satisfies Record<string, keyof MonitoringConfig>;

/**
 * The rules across keys: the receiver's settings and secret, the platform's receivers, the UI
 * port in development only, and monitoring required on a production ECS stack.
 */
export function checkMonitoring(c: ParsedStack, prod: boolean, issue: Issue): void {
  const m = c.monitoring;
  const ecs = c.platform === "ecs";
  const secret = c.alertWebhookUrl !== undefined;
  if (m === undefined) {
    if (prod && ecs)
      issue(
        ["monitoring"],
        'is required in production with `platform: ecs`: the stack\'s CloudWatch alarms page someone when the API fails; add `monitoring: { receiver: email, email: "oncall@example.com" }` (docs/monitoring.md)',
      );
    if (secret)
      issue(
        [ALERT_SECRET_KEY],
        "is set but there is no `monitoring` block: add one, or remove the key",
      );
    return;
  }
  const needsUrl = m.receiver === "webhook" || m.receiver === "slack";
  if (needsUrl && !secret)
    issue(
      [ALERT_SECRET_KEY],
      `is required with \`monitoring.receiver: ${m.receiver}\`: run \`pulumi config set --secret ${ALERT_SECRET_KEY} https://…\` (the ${m.receiver === "slack" ? "Slack incoming-webhook" : "webhook"} URL)`,
    );
  if (!needsUrl && secret)
    issue(
      [ALERT_SECRET_KEY],
      `is set but \`monitoring.receiver\` is "${m.receiver}": set the receiver to "webhook" or "slack", or remove the key`,
    );
  if (m.receiver === "slack" && m.slackChannel === undefined)
    issue(["monitoring", "slackChannel"], 'is required with `receiver: slack`, e.g. "#alerts"');
  if (m.receiver !== "slack" && m.slackChannel !== undefined)
    issue(["monitoring", "slackChannel"], "is used only with `receiver: slack`: remove it");
  if (m.receiver === "email" && m.email === undefined)
    issue(["monitoring", "email"], 'is required with `receiver: email`, e.g. "oncall@example.com"');
  if (m.receiver !== "email" && m.email !== undefined)
    issue(["monitoring", "email"], "is used only with `receiver: email`: remove it");
  if (ecs && m.receiver === "slack")
    issue(
      ["monitoring", "receiver"],
      '("slack") does not apply to `platform: ecs`: SNS cannot post to Slack itself; use "webhook" (an https subscription, e.g. to AWS Chatbot or your relay) or "email"',
    );
  if (!ecs && m.receiver === "email")
    issue(
      ["monitoring", "receiver"],
      '("email") applies to `platform: ecs` only: Alertmanager on Docker would need an SMTP server; use "webhook" or "slack"',
    );
  if (ecs) {
    for (const [key, field] of Object.entries(DOCKER_ONLY))
      if (m[field] !== undefined)
        issue(
          ["monitoring", key],
          "applies to `platform: docker` only (Prometheus); on ECS the alarms are CloudWatch's: remove it",
        );
  }
  if (prod && m.uiPort !== undefined)
    issue(
      ["monitoring", "uiPort"],
      "is for development only: a production Prometheus publishes nothing; reach it with `ssh -L 9090:…` and `docker exec`",
    );
}
