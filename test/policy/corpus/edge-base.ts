/**
 * Known-good edge stacks shaped like the program's (issue 13): an edge proxy that alone
 * publishes 80/443 on a frontend network, two API replicas behind it with the alias `api` and
 * no ports, a worker with no alias, and the Redis of base.ts. The HAProxy config is the one
 * components/lib/haproxy-cfg.ts renders, so the pack is tested against what the program emits.
 */
import { ResourceRecord, secret, UNKNOWN } from "../../../gate";
import { resolveEdgeProxyArgs } from "../../../components/edge-proxy";
import { renderHaproxyCfg } from "../../../components/lib/haproxy-cfg";
import { EDGE_ACME_ALIAS, EDGE_ACME_DEFAULTS } from "../../../components/edge-acme";
import {
  apiProps,
  network,
  redisContainer,
  redisPassword,
  probePassword,
  res,
  secretKey,
  T,
  urn,
} from "./base";

type Props = Record<string, unknown>;
export type Mutate = (p: Props) => void;

export const frontend = res(T.network, "frontend", {
  name: "api-stack-prod-frontend",
  internal: false,
});

/**
 * Where an HAProxy container that uploads its own files puts them: the official image's config
 * path (docker-library/haproxy 3.0/Dockerfile, CMD). The program now installs them through the
 * edge's state volume (components/lib/edge-live.ts); the pack judges any program's uploads.
 */
export const CFG = "/usr/local/etc/haproxy/haproxy.cfg";
export const PEM_FILE = "/usr/local/etc/haproxy/certs/edge.pem";
/** A placeholder PEM: what matters to the pack is where it goes, not what it holds. */
const PEM =
  "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ3Vy\n-----END CERTIFICATE-----\n" +
  "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n-----END PRIVATE KEY-----\n";

/** haproxy.cfg exactly as the program renders it for prod: the component's own defaults. */
export const HAPROXY_CFG = renderHaproxyCfg(
  resolveEdgeProxyArgs({
    upstream: { name: "api", host: "api", port: 3003, healthPath: "/health", replicas: 2 },
    networkName: "app-edge",
    tls: { certPem: "", keyPem: "" },
    stack: "prod",
  }).cfg,
);

/** The same with `edge.tls: acme`: challenges routed to the issuer's alias (components/edge-acme.ts). */
export const HAPROXY_ACME_CFG = renderHaproxyCfg(
  resolveEdgeProxyArgs({
    upstream: { name: "api", host: "api", port: 3003, healthPath: "/health", replicas: 2 },
    networkName: "app-edge",
    tls: { certPem: "", keyPem: "" },
    acme: { host: EDGE_ACME_ALIAS, port: EDGE_ACME_DEFAULTS.challengePort },
    stack: "prod",
  }).cfg,
);

export const NGINX_CONF = [
  "events {}",
  "http {",
  "  upstream api_pool {",
  "    least_conn;",
  "    server api:3003 max_fails=2;",
  "  }",
  "  server {",
  "    listen 8080;",
  "    return 301 https://$host$request_uri;",
  "  }",
  "  server {",
  "    listen 8443 ssl;",
  "    http2 on;",
  "    ssl_certificate /etc/nginx/certs/edge.pem;",
  "    ssl_certificate_key /etc/nginx/certs/edge.pem;",
  "    ssl_protocols TLSv1.2 TLSv1.3;",
  "    location / { proxy_pass http://api_pool; }",
  "  }",
  "}",
].join("\n");

export const CADDYFILE = [
  "{",
  "  http_port 8080",
  "  https_port 8443",
  "}",
  "api.example.com {",
  "  tls /etc/caddy/certs/edge.crt /etc/caddy/certs/edge.key",
  "  reverse_proxy api:3003 {",
  "    lb_policy least_conn",
  "  }",
  "}",
].join("\n");

const logOpts = { "max-size": "10m", "max-file": "3" };

const hardened = {
  capabilities: { drops: ["ALL"] },
  securityOpts: ["no-new-privileges:true"],
  restart: "unless-stopped",
  logOpts,
  stopTimeout: 30,
  destroyGraceSeconds: 30,
  wait: true,
};

/** The proxy as components/edge-proxy.ts creates it (image, user, ports, uploads, probe). */
export function proxyProps(kind: "haproxy" | "nginx" | "caddy" | "traefik" = "haproxy"): Props {
  const image = {
    haproxy: "haproxy:3.0.11",
    nginx: "nginx:1.27.3-alpine",
    caddy: "caddy:2.8.4-alpine",
    traefik: "traefik:v3.1.6",
  }[kind];
  const dir = { haproxy: "/usr/local/etc/haproxy", nginx: "/etc/nginx", caddy: "/etc/caddy" };
  const uploads =
    kind === "traefik"
      ? [{ file: "/etc/traefik/traefik.yml", content: "entryPoints: {}\n" }]
      : [
          {
            file: {
              haproxy: CFG,
              nginx: `${dir.nginx}/nginx.conf`,
              caddy: `${dir.caddy}/Caddyfile`,
            }[kind],
            content: { haproxy: HAPROXY_CFG, nginx: NGINX_CONF, caddy: CADDYFILE }[kind],
            permissions: "0444",
          },
          {
            file: kind === "haproxy" ? PEM_FILE : `${dir[kind]}/certs/edge.pem`,
            content: secret(PEM),
            permissions: "0444",
          },
        ];
  return {
    name: "api-stack-prod-edge",
    image,
    user: "99:99",
    networksAdvanced: [{ name: "api-stack-prod-frontend", aliases: ["edge"] }],
    ports: [
      { internal: 8080, external: 80, ip: "0.0.0.0", protocol: "tcp" },
      { internal: 8443, external: 443, ip: "0.0.0.0", protocol: "tcp" },
    ],
    uploads,
    healthcheck: {
      tests: [
        "CMD-SHELL",
        "printf 'GET /edge-healthz HTTP/1.0\\r\\n\\r\\n' | socat -t 2 - TCP:127.0.0.1:8404 | grep -q '^HTTP/1.[01] 200'",
      ],
      interval: "10s",
      timeout: "3s",
      startPeriod: "10s",
      retries: 3,
    },
    waitTimeout: 60,
    memory: 128,
    memorySwap: 128,
    stopSignal: "SIGUSR1",
    ...hardened,
  };
}

/** API replica `i` (api-1, api-2…): no ports, the alias `api` on the frontend network. */
export function replicaProps(i: number): Props {
  const p = apiProps();
  delete p.ports;
  return {
    ...p,
    name: `api-${i}`,
    networksAdvanced: [
      { name: "api-stack-prod-internal" },
      { name: "api-stack-prod-frontend", aliases: ["api"] },
    ],
  };
}

/** The worker: the API image with another command, no alias the proxy routes to, no ports. */
export function workerProps(): Props {
  const p = apiProps();
  delete p.ports;
  return {
    ...p,
    name: "worker-1",
    command: ["node", "dist/worker.js"],
    healthcheck: {
      tests: ["CMD", "node", "dist/worker-health.js"],
      interval: "10s",
      timeout: "3s",
      startPeriod: "30s",
      retries: 5,
    },
    networksAdvanced: [{ name: "api-stack-prod-internal" }],
  };
}

/** The ACME issuer as components/edge-acme.ts creates it: lego, one container, alias edge-acme. */
export function issuerProps(): Props {
  return {
    name: "api-stack-prod-edge-acme",
    image: EDGE_ACME_DEFAULTS.image,
    user: "99:99",
    entrypoints: ["/bin/sh"],
    command: ["/usr/local/bin/api-stack-acme", "loop"],
    networksAdvanced: [{ name: "api-stack-prod-frontend", aliases: [EDGE_ACME_ALIAS] }],
    ports: [],
    healthcheck: {
      tests: ["CMD", "/bin/sh", "/usr/local/bin/api-stack-acme", "health"],
      interval: "30s",
      timeout: "5s",
      startPeriod: "10s",
      retries: 3,
    },
    memory: 64,
    memorySwap: 64,
    stopSignal: "SIGTERM",
    ...hardened,
    stopTimeout: 10,
    destroyGraceSeconds: 10,
    wait: false,
  };
}

export interface EdgeOpts {
  readonly kind?: "haproxy" | "nginx" | "caddy" | "traefik";
  readonly proxy?: Mutate;
  /** Changes to API replica i (1-based). */
  readonly replica?: { readonly i: number; readonly mutate: Mutate };
  readonly replicas?: number;
  /** As AnalyzeStack sees a first preview: the networks' generated names unknown. */
  readonly preview?: boolean;
  /** `edge.tls: acme`: the ACME route in haproxy.cfg and the issuer, changed by `mutate`. */
  readonly acme?: { readonly mutate?: Mutate };
}

const redisUrn = urn(T.container, "redis");

/** The whole edge stack, one setting changed by `opts`. */
export function edgeStack(opts: EdgeOpts = {}): ResourceRecord[] {
  const withNames = (p: Props): Props =>
    opts.preview
      ? {
          ...p,
          networksAdvanced: (p.networksAdvanced as Props[]).map((n) => ({ ...n, name: UNKNOWN })),
        }
      : p;
  const proxy = proxyProps(opts.kind);
  if (opts.acme !== undefined) {
    const [cfg, ...rest] = proxy.uploads as Props[];
    proxy.uploads = [{ ...cfg, content: HAPROXY_ACME_CFG }, ...rest];
  }
  opts.proxy?.(proxy);
  const issuer = issuerProps();
  opts.acme?.mutate?.(issuer);
  const replicas = Array.from({ length: opts.replicas ?? 2 }, (_, k) => {
    const p = replicaProps(k + 1);
    if (opts.replica?.i === k + 1) opts.replica.mutate(p);
    return res(T.container, `api-${k + 1}`, withNames(p), {
      dependencies: [redisPassword.urn, secretKey.urn, redisUrn, network.urn, frontend.urn],
      propertyDependencies: {
        envs: [redisPassword.urn, secretKey.urn, redisUrn],
        networksAdvanced: [network.urn, frontend.urn],
      },
    });
  });
  return [
    redisPassword,
    probePassword,
    secretKey,
    network,
    frontend,
    redisContainer(),
    ...replicas,
    res(T.container, "worker-1", withNames(workerProps()), {
      dependencies: [redisPassword.urn, secretKey.urn, redisUrn, network.urn],
      propertyDependencies: {
        envs: [redisPassword.urn, secretKey.urn, redisUrn],
        networksAdvanced: [network.urn],
      },
    }),
    res(T.container, "edge-proxy", withNames(proxy), {
      dependencies: [frontend.urn],
      propertyDependencies: { networksAdvanced: [frontend.urn] },
    }),
    ...(opts.acme === undefined
      ? []
      : [
          res(T.container, "edge-acme-issuer", withNames(issuer), {
            dependencies: [frontend.urn],
            propertyDependencies: { networksAdvanced: [frontend.urn] },
          }),
        ]),
  ];
}
