/**
 * Issue 24 under mocks: what the monitoring block registers on the Docker platform. Prod runs
 * Prometheus, Alertmanager and redis_exporter publishing nothing; dev has none unless asked, and
 * then publishes Prometheus's UI on loopback only; secrets stay secrets.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../../gate";
import { REDIS_USERS } from "../../components/lib/redis-conf";
import { byType, isSecretWire, one, reveal, runStack } from "../helpers/program";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
type Props = Record<string, unknown>;
const WEBHOOK = "https://hooks.example.com/T0/B0/abcdefghijkl";

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
  runs.prod = await runStack("prod");
  runs.dev = await runStack("dev");
  runs.devUi = await runStack("dev", {
    overrides: { "api-stack:monitoring": { receiver: "none", uiPort: 19090 } },
  });
  runs.webhook = await runStack("prod", {
    overrides: { "api-stack:monitoring": { receiver: "webhook" } },
    secrets: { "api-stack:alertWebhookUrl": WEBHOOK },
  });
});
const props = (run: string, name: string) =>
  reveal(one(runs[run] as ProgramRun, CONTAINER, name).properties) as Props;
const netName = (run: string, name: string) =>
  (reveal(one(runs[run] as ProgramRun, NETWORK, name).state) as Props).name as string;
const MONITORING = [
  "monitoring-alertmanager",
  "monitoring-prometheus",
  "monitoring-redis-exporter",
];

describe("monitoring on the Docker platform", () => {
  it("dev without a monitoring block registers none of it", () => {
    const names = byType(runs.dev as ProgramRun, CONTAINER).map((c) => c.name);
    expect(names.filter((n) => n.startsWith("monitoring-"))).toEqual([]);
  });

  it.each(MONITORING)("prod: %s publishes nothing and sits on the monitoring network", (name) => {
    const p = props("prod", name);
    expect(p.ports).toEqual([]);
    const nets = (p.networksAdvanced as { name: string }[]).map((n) => n.name);
    expect(nets).toContain(netName("prod", "app-monitoring"));
  });

  it("the monitoring network is internal; Alertmanager alone also joins the alerts network", () => {
    expect(
      (reveal(one(runs.prod as ProgramRun, NETWORK, "app-monitoring").properties) as Props)
        .internal,
    ).toBe(true);
    expect(
      (reveal(one(runs.prod as ProgramRun, NETWORK, "app-alerts").properties) as Props).internal,
    ).toBe(false);
    const alerts = netName("prod", "app-alerts");
    const on = MONITORING.filter((n) =>
      (props("prod", n).networksAdvanced as { name: string }[]).some((x) => x.name === alerts),
    );
    expect(on).toEqual(["monitoring-alertmanager"]);
  });

  it("dev with uiPort publishes Prometheus on 127.0.0.1 only, through the non-internal alerts network", () => {
    const p = props("devUi", "monitoring-prometheus");
    expect(p.ports).toEqual([
      { internal: 9090, external: 19090, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    const nets = (p.networksAdvanced as { name: string }[]).map((n) => n.name);
    expect(nets).toContain(netName("devUi", "app-alerts"));
  });

  it("the exporter logs in as the exporter user, its password a secret in env and never in its command", () => {
    const raw = one(runs.prod as ProgramRun, CONTAINER, "monitoring-redis-exporter").properties;
    expect(isSecretWire(raw.envs)).toBe(true);
    const env = reveal(raw.envs) as string[];
    expect(env).toContain(`REDIS_USER=${REDIS_USERS.exporter}`);
    const password = env.find((e) => e.startsWith("REDIS_PASSWORD="))?.split("=")[1] ?? "";
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(props("prod", "monitoring-redis-exporter").command ?? [])).not.toContain(
      password,
    );
  });

  it("a webhook receiver's URL is a secret file Alertmanager reads, in neither its config nor its command", () => {
    const raw = one(runs.webhook as ProgramRun, CONTAINER, "monitoring-alertmanager").properties;
    const uploads = raw.uploads as Props[];
    const url = uploads.find((u) => String(reveal(u.file)).endsWith("receiver-url")) as Props;
    expect(isSecretWire(url.content)).toBe(true);
    expect(reveal(url.content)).toBe(WEBHOOK);
    const config = uploads.find((u) =>
      String(reveal(u.file)).endsWith("alertmanager.yml"),
    ) as Props;
    expect(String(reveal(config.content))).toContain("url_file: /etc/alertmanager/receiver-url");
    expect(String(reveal(config.content))).not.toContain(WEBHOOK);
    expect(JSON.stringify(reveal(raw.command))).not.toContain(WEBHOOK);
  });

  it("Prometheus and Alertmanager are replaced delete-first (their volumes), the exporter create-first", () => {
    const opts = (n: string) =>
      one(runs.prod as ProgramRun, CONTAINER, n).options.deleteBeforeReplace;
    expect(MONITORING.map(opts)).toEqual([true, true, false]);
  });
});
