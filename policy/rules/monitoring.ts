/**
 * Monitoring on the Docker platform (issue 24): a production stack runs Prometheus and
 * Alertmanager (advisory: a team may monitor the host from outside the stack, which no resource
 * shows), and no metrics endpoint is published where the Internet can scrape it (mandatory:
 * /metrics tells an attacker the routes, the error rates and the versions, and an exporter's
 * port is an unauthenticated window into Redis). docs/policies.md has the reasoning.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf, isProduction, onlyFor, productionProperty } from "../lib/config";
import { containerLabel, isOneShot, Props } from "../lib/docker";
import { parseImageRef } from "../lib/image";
import { CONTAINER } from "../lib/types";
import { containsUnknown, isUnknown, raw, unknownAtPreview } from "../lib/unknown";

/** What a container is, by its image's last path segment. */
export type MetricsRole = "prometheus" | "alertmanager" | "exporter";

export function metricsRole(image: unknown): MetricsRole | undefined {
  if (typeof image !== "string") return undefined;
  const last = parseImageRef(image).path.split("/").pop() ?? "";
  if (last === "prometheus") return "prometheus";
  if (last === "alertmanager") return "alertmanager";
  // redis_exporter, node-exporter, nginx-prometheus-exporter, pushgateway …
  if (/exporter$|^pushgateway$/.test(last)) return "exporter";
  return undefined;
}

/**
 * Container ports that serve metrics: Prometheus 9090, Alertmanager 9093, node_exporter 9100,
 * redis_exporter 9121, HAProxy's exporter as api-stack binds it (8405, the port of HAProxy's own
 * example), and api-stack's workers (9464). Publishing one of these from any image is flagged.
 */
export const METRICS_PORTS = [8405, 9090, 9093, 9100, 9121, 9464] as const;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

interface Published {
  readonly internal: unknown;
  readonly ip: unknown;
}

function published(p: Props): Published[] | "unknown" {
  if (isUnknown(p.ports)) return "unknown";
  if (!Array.isArray(p.ports)) return [];
  return (p.ports as (Props | null)[]).map((x) => ({ internal: x?.internal, ip: x?.ip }));
}

export const metricsPortsNotPublished: ResourceValidationPolicy = {
  name: "metrics-ports-not-published",
  description:
    "Prometheus, Alertmanager, exporters and metrics ports are never published beyond loopback, and not at all in production.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...productionProperty } },
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    if (isOneShot(p)) return;
    const prod = isProduction(args);
    const role = metricsRole(p.image);
    const label = containerLabel(args.name, p);
    const ports = published(p);
    if (ports === "unknown") {
      // Where the value comes from decides: a metrics image's ports must be literals.
      if (role !== undefined || isUnknown(p.image))
        report(unknownAtPreview(`\`ports\` of ${label}`, "set ports to a literal list"));
      return;
    }
    for (const port of ports) {
      const metricsPort =
        role !== undefined ||
        (typeof port.internal === "number" &&
          (METRICS_PORTS as readonly number[]).includes(port.internal));
      if (!metricsPort && !containsUnknown(port.internal)) continue;
      if (containsUnknown(port.internal) && role === undefined) {
        report(
          unknownAtPreview(`A published port of ${label}`, "set `ports[].internal` to a literal"),
        );
        continue;
      }
      const what = role ?? `metrics port ${String(port.internal)}`;
      const ip = port.ip;
      if (containsUnknown(ip)) {
        report(
          unknownAtPreview(
            `The host address ${label} publishes ${what} on`,
            "set `ports[].ip` to a literal",
          ),
        );
      } else if (prod) {
        report(
          `${label} publishes ${what} (container port ${String(port.internal)}) in a production stack: metrics show routes, error rates and versions to whoever reaches the host, and Prometheus and Alertmanager answer without authentication. Fix: remove the port; scrape on an internal network and reach the UI with \`ssh -L\`.`,
        );
      } else if (typeof ip !== "string" || !LOOPBACK.test(ip)) {
        report(
          `${label} publishes ${what} (container port ${String(port.internal)}) on ${typeof ip === "string" ? ip : "every address (no ip)"}: anyone who reaches the host can read it. Fix: set \`ip: "127.0.0.1"\`, or remove the port.`,
        );
      }
    }
  }),
};

function containers(resources: readonly PolicyResource[]): { r: PolicyResource; p: Props }[] {
  return resources
    .filter((r) => r.type === CONTAINER)
    .map((r) => ({ r, p: raw(r.props) }))
    .filter(({ p }) => !isOneShot(p));
}

export const dockerStackMonitored: StackValidationPolicy = {
  name: "docker-stack-monitored",
  description:
    "A production stack whose containers serve traffic runs Prometheus and Alertmanager, so a failure pages someone.",
  enforcementLevel: "advisory",
  configSchema: { properties: { ...productionProperty } },
  validateStack: (args, report) => {
    if (!configOf(args, { production: true }).production) return;
    const all = containers(args.resources);
    // A stack that serves something: a container publishes a port (the API, or the edge proxy
    // in front of it). A stack of only internal containers (a cache, a batch job) is left be.
    const serves = all.some(
      ({ p }) => isUnknown(p.ports) || (Array.isArray(p.ports) && p.ports.length > 0),
    );
    if (!serves) return;
    // An image unknown at preview may be either: not reported.
    if (all.some(({ p }) => isUnknown(p.image))) return;
    const roles = new Set(all.map(({ p }) => metricsRole(p.image)));
    const missing = (["prometheus", "alertmanager"] as const).filter((r) => !roles.has(r));
    if (missing.length === 0) return;
    report(
      `This production stack serves traffic from ${all.length} container(s) but runs no ${missing.join(" and no ")}: nothing measures the error rate, latency or Redis, and nobody is told when they fail (seed 004, "Monitoring & Observability"). Fix: in api-stack add \`monitoring: { receiver: … }\` (docs/monitoring.md); elsewhere run Prometheus with alerting rules and an Alertmanager.`,
    );
  },
};
