/**
 * Issue 24's corpus on the Docker platform: mistakes in `monitoring`. Each starts from the real
 * Pulumi.prod.yaml (or dev's, which has no block) and changes one setting.
 */
import { merge, stackObject } from "../helpers/stack-blocks";
import type { BadConfigCase } from "./bad-config.cases";

type Obj = Record<string, unknown>;

/** prod's monitoring block with `patch` merged in (`undefined` deletes a key). */
const monitoring = (patch: Obj, stack: "prod" | "dev" = "prod"): Obj => ({
  "api-stack:monitoring": merge(stackObject(stack, "monitoring") ?? {}, patch),
});
const URL_SECRET = { "api-stack:alertWebhookUrl": "https://hooks.example.com/T0/B0/abcdefghijkl" };

export const MONITORING_CASES: BadConfigCase[] = [
  {
    name: "monitoring without a receiver",
    stack: "prod",
    overrides: monitoring({ receiver: undefined }),
    expect: ["`api-stack:monitoring.receiver` is required", "pulumi config set --path"],
  },
  {
    name: "a webhook receiver without alertWebhookUrl",
    stack: "prod",
    overrides: monitoring({ receiver: "webhook" }),
    expect: [
      "`api-stack:alertWebhookUrl` is required with `monitoring.receiver: webhook`",
      "pulumi config set --secret alertWebhookUrl",
    ],
  },
  {
    name: "alertWebhookUrl stored in plain text",
    stack: "prod",
    overrides: {
      ...monitoring({ receiver: "webhook" }),
      "api-stack:alertWebhookUrl": "https://hooks.example.com/T0/B0/plaintext0000",
    },
    secretValues: ["https://hooks.example.com/T0/B0/plaintext0000"],
    expect: ["`api-stack:alertWebhookUrl` is stored in plain text"],
  },
  {
    name: "alertWebhookUrl with receiver none",
    stack: "prod",
    secrets: URL_SECRET,
    expect: ['`api-stack:alertWebhookUrl` is set but `monitoring.receiver` is "none"'],
  },
  {
    name: "a slack receiver without its channel",
    stack: "prod",
    overrides: monitoring({ receiver: "slack" }),
    secrets: URL_SECRET,
    expect: ["`api-stack:monitoring.slackChannel` is required with `receiver: slack`"],
  },
  {
    name: "an email receiver on Docker",
    stack: "prod",
    overrides: monitoring({ receiver: "email", email: "oncall@example.com" }),
    expect: ['`api-stack:monitoring.receiver` ("email") applies to `platform: ecs` only'],
  },
  {
    name: "Prometheus's UI published in production",
    stack: "prod",
    overrides: monitoring({ uiPort: 9090 }),
    expect: ["`api-stack:monitoring.uiPort` is for development only"],
  },
  {
    name: "an alert name that does not exist",
    stack: "prod",
    overrides: monitoring({ alerts: { RedisGone: { for: "1m" } } }),
    expect: ["`api-stack:monitoring.alerts.RedisGone` is not a known key"],
  },
  {
    name: "a scrape interval below a second",
    stack: "prod",
    overrides: monitoring({ scrapeInterval: "500ms" }),
    expect: ['`api-stack:monitoring.scrapeInterval` must be whole seconds from "1s" to "5m"'],
  },
  {
    name: "a retention under an hour",
    stack: "prod",
    overrides: monitoring({ retention: "30m" }),
    expect: ['`api-stack:monitoring.retention` must be whole seconds, at least "1h"'],
  },
  {
    name: "an unpinned Prometheus image",
    stack: "prod",
    overrides: monitoring({ prometheusImage: "prom/prometheus:latest" }),
    expect: ["`api-stack:monitoring.prometheusImage`", "latest"],
  },
];
