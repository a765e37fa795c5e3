/**
 * The edge proxy (issue 13): when one container (HAProxy, nginx, Caddy, Traefik, Envoy) fronts
 * the web services, it is the only thing that publishes a port, it publishes 80/443 only, it
 * terminates TLS at 1.2 or higher, and in production what it routes to runs as replicas.
 * Proxies are recognised and their configs read in policy/lib/edge.ts and edge-tls.ts; a config
 * another container installs on the proxy's volume is found in policy/lib/edge-source.ts, so
 * the three stack rules here judge the config the proxy serves, wherever it was uploaded.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf, isProduction, onlyFor, productionProperty } from "../lib/config";
import { containerLabel, isOneShot, Props } from "../lib/docker";
import { dnsNames, isAcmeClient, ProxyKind, routedHosts, servingProxyKind } from "../lib/edge";
import { edgeProxies } from "../lib/edge-source";
import { tlsFloorProblems } from "../lib/edge-tls";
import { CONTAINER } from "../lib/types";
import { containsUnknown, isUnknown, raw, unknownAtPreview } from "../lib/unknown";

interface Proxy {
  readonly r: PolicyResource;
  readonly kind: ProxyKind;
  /** The hosts its config routes to; empty when the config cannot be read (tls-floor says so). */
  readonly hosts: readonly string[];
}

interface Other {
  readonly r: PolicyResource;
  readonly p: Props;
  readonly names: readonly string[];
  readonly aliasesUnknown: boolean;
}

/** The stack's edge proxies and its other containers, with the DNS names each answers to. */
function edgeLayout(resources: readonly PolicyResource[]): { proxies: Proxy[]; others: Other[] } {
  const found = edgeProxies(resources);
  const proxies: Proxy[] = found.map(({ r, kind, config }) => ({
    r,
    kind,
    hosts: config.state === "known" ? routedHosts(kind, config.text) : [],
  }));
  const isProxy = new Set(found.map((x) => x.r.urn));
  const others: Other[] = [];
  for (const r of resources.filter((x) => x.type === CONTAINER && !isProxy.has(x.urn))) {
    const p = raw(r.props);
    const { names, unknown } = dnsNames(p);
    others.push({ r, p, names, aliasesUnknown: unknown });
  }
  return { proxies, others };
}

const proxyLabel = (x: Proxy): string => containerLabel(x.r.name, raw(x.r.props));

export const edgeWebServicesPublishNothing: StackValidationPolicy = {
  name: "edge-web-services-publish-nothing",
  description:
    "When an edge proxy fronts the stack, the containers it routes to must publish no host port.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const { proxies, others } = edgeLayout(args.resources);
    const routed = new Map<string, Proxy>();
    for (const x of proxies) for (const h of x.hosts) routed.set(h, x);
    if (routed.size === 0) return;
    for (const o of others) {
      const label = containerLabel(o.r.name, o.p);
      const hit = o.names.find((n) => routed.has(n));
      const ports = o.p.ports;
      const publishes = isUnknown(ports) || (Array.isArray(ports) && ports.length > 0);
      if (hit === undefined) {
        if (o.aliasesUnknown && publishes) {
          report(
            unknownAtPreview(
              `The network aliases of ${label}, which publishes ports beside an edge proxy,`,
              "set `networksAdvanced[].aliases` to literal names",
            ),
            o.r.urn,
          );
        }
        continue;
      }
      const via = `${proxyLabel(routed.get(hit) as Proxy)} routes to "${hit}"`;
      if (isUnknown(ports)) {
        report(
          unknownAtPreview(`\`ports\` of ${label} (${via})`, "set ports to a literal list"),
          o.r.urn,
        );
      } else if (publishes) {
        const list = (ports as (Props | null)[])
          .map((x) => (containsUnknown(x?.external) ? "?" : String(x?.external ?? x?.internal)))
          .join(", ");
        report(
          `${label} publishes host port(s) ${list} although ${via}: clients can bypass the ` +
            "proxy's TLS, headers and limits, and a fixed host port blocks create-before-delete " +
            "replacement. Fix: remove `ports` from it; the proxy is the only container that publishes.",
          o.r.urn,
        );
      }
    }
  },
};

const portDefaults = { production: true, allowedPorts: [80, 443] as number[] };

export const edgeProxyPorts: ResourceValidationPolicy = {
  name: "edge-proxy-ports",
  description:
    "In production an edge proxy publishes only the allowed ports (80 and 443), each explicitly.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...productionProperty,
      allowedPorts: { type: "array", items: { type: "integer" }, default: [80, 443] },
    },
  },
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const cfg = configOf(args, portDefaults);
    if (servingProxyKind(p) === undefined || !isProduction(args)) return;
    const label = containerLabel(args.name, p);
    const allowed = cfg.allowedPorts.join(" and ");
    if (isUnknown(p.ports)) {
      report(unknownAtPreview(`\`ports\` of ${label}`, "set ports to a literal list"));
      return;
    }
    const ports = Array.isArray(p.ports) ? (p.ports as (Props | null)[]) : [];
    ports.forEach((port, i) => {
      const ext = port?.external;
      const field = `\`ports[${i}].external\``;
      if (isUnknown(ext)) {
        report(unknownAtPreview(`${field} of ${label}`, "set external to a literal port"));
      } else if (ext === undefined || ext === null) {
        report(
          `${label} leaves ${field} unset (internal ${String(port?.internal)}), so Docker ` +
            `publishes it on a random host port. Fix: set external to one of ${allowed}.`,
        );
      } else if (typeof ext !== "number" || !cfg.allowedPorts.includes(ext)) {
        report(
          `${label} publishes host port ${String(ext)} (${field}); an edge proxy publishes only ` +
            `${allowed}. Fix: publish it on ${allowed}, or remove the port.`,
        );
      }
    });
  }),
};

const FIX_UPLOAD =
  "upload the rendered config with `uploads: [{ file, content }]` (content a literal string), " +
  "so the pack can read it";

/**
 * A stack rule, because the config a proxy serves may be uploaded to another container that
 * installs it on the proxy's volume (lib/edge-source.ts); each finding is reported on the proxy.
 */
export const edgeProxyTlsFloor: StackValidationPolicy = {
  name: "edge-proxy-tls-floor",
  description: "An edge proxy must terminate TLS and accept nothing below TLS 1.2.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const { r, p, kind, config: cfg } of edgeProxies(args.resources)) {
      const label = containerLabel(r.name, p);
      if (cfg.state === "known") {
        for (const problem of tlsFloorProblems(kind, cfg.text, String(p.image))) {
          report(`${label} (edge proxy, ${cfg.files.join(", ")}): ${problem}.`, r.urn);
        }
        continue;
      }
      const fix = cfg.fix ?? FIX_UPLOAD;
      if (cfg.state === "unknown") {
        report(unknownAtPreview(`${cfg.what} of ${label} (an edge proxy)`, fix), r.urn);
      } else {
        report(
          `The TLS floor of ${label} cannot be verified: ${cfg.why}. A mandatory check does not ` +
            `pass what it cannot read. Fix: ${
              kind === "traefik" || kind === "envoy"
                ? "front the stack with HAProxy, nginx or Caddy and " + fix
                : fix
            }.`,
          r.urn,
        );
      }
    }
  },
};

const replicaDefaults = { production: true, minReplicas: 2 };

export const edgeWebReplicas: StackValidationPolicy = {
  name: "edge-web-replicas",
  description:
    "In production every host an edge proxy routes to must be served by at least two long-running containers.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...productionProperty,
      minReplicas: { type: "integer", minimum: 1, default: 2 },
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf(args, replicaDefaults);
    if (!cfg.production) return;
    const { proxies, others } = edgeLayout(args.resources);
    if (!proxies.some((x) => x.hosts.length > 0)) return;
    // An ACME client answers the CA's challenges only; one is enough (policy/lib/edge.ts).
    const running = others.filter((o) => !isOneShot(o.p) && !isAcmeClient(o.p.image));
    for (const o of running.filter((x) => x.aliasesUnknown)) {
      report(
        unknownAtPreview(
          `The network aliases of ${containerLabel(o.r.name, o.p)}`,
          "set `networksAdvanced[].aliases` to literal names, so the replicas behind the edge proxy can be counted",
        ),
        o.r.urn,
      );
    }
    for (const x of proxies) {
      for (const host of x.hosts) {
        const serving = running.filter((o) => o.names.includes(host)).map((o) => o.r.name);
        // A host no container carries is outside the stack (or carried by one whose aliases
        // are unknown, reported above): nothing here to count.
        if (serving.length === 0 || serving.length >= cfg.minReplicas) continue;
        report(
          `${proxyLabel(x)} routes to "${host}", which only ${serving.join(", ")} carries as a ` +
            `network alias or name: ${serving.length} < ${cfg.minReplicas} replicas, ` +
            "so one crash or one deploy takes the service down. Fix: run at least " +
            `${cfg.minReplicas} replicas with the alias "${host}" (the service's \`replicas\` in ` +
            "Pulumi.<stack>.yaml).",
          x.r.urn,
        );
      }
    }
  },
};
