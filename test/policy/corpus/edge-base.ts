/**
 * Known-good edge stacks shaped like the program's (issues 13 and 25): an edge proxy that alone
 * publishes 80/443 on a frontend network, two API replicas behind it with the alias `api` and
 * no ports, a worker with no alias, and the Redis of base.ts. The HAProxy stack is the one
 * components/edge-proxy.ts registers: a state volume, an installer container ("edge-config",
 * no network) that uploads the rendered haproxy.cfg, the PEM and the maintenance files and
 * installs them on the volume, and the proxy, which uploads only the script and serves what is
 * on the volume. Both are rendered from the component's own exported constants and builders, so
 * the pack is tested against what the program emits. nginx, Caddy and Traefik (and a
 * self-contained HAProxy) upload their config to the proxy itself, as programs we did not write do.
 */
import { ResourceRecord, secret, UNKNOWN } from "../../../gate";
import { EDGE_ACME_ALIAS, EDGE_ACME_DEFAULTS } from "../../../components/edge-acme";
import { EDGE_PROXY_DEFAULTS, resolveEdgeProxyArgs } from "../../../components/edge-proxy";
import {
  EDGE_FILES,
  EDGE_INSTALLED_MARK,
  EDGE_INSTALLER_TIMING,
  edgeInstallerUploads,
  EDGE_LIVE_ENV,
  EDGE_SCRIPT_PATH,
  EDGE_STATE,
  EDGE_UPLOAD_DIR,
  renderEdgeLiveScript,
} from "../../../components/lib/edge-live";
import { EDGE_HEALTH_PATH, renderHaproxyCfg } from "../../../components/lib/haproxy-cfg";
import {
  edgeProbe,
  toDockerHealthcheck,
  waitTimeoutSeconds,
} from "../../../components/lib/healthcheck";
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

/** The state volume, with the name Docker generated at `up` (unknown at a first preview). */
export const STATE_VOLUME = "edge-state-5f2c9e1";
export const stateVolumeUrn = urn(T.volume, "edge-state");

/** Where the installer uploads haproxy.cfg and the PEM. */
export const CFG = `${EDGE_UPLOAD_DIR}/${EDGE_FILES.cfg}`;
export const PEM_FILE = `${EDGE_UPLOAD_DIR}/${EDGE_FILES.pem}`;
/** Where a self-contained HAProxy (config uploaded to the proxy itself) keeps them. */
const SELF_DIR = "/usr/local/etc/haproxy";
export const SELF_CFG = `${SELF_DIR}/haproxy.cfg`;
/** A placeholder PEM: what matters to the pack is where it goes, not what it holds. */
export const PEM =
  "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ3Vy\n-----END CERTIFICATE-----\n" +
  "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n-----END PRIVATE KEY-----\n";

/** The component's resolved args for prod: its own defaults. */
const ARGS = resolveEdgeProxyArgs({
  upstream: { name: "api", host: "api", port: 3003, healthPath: "/health", replicas: 2 },
  networkName: "app-edge",
  tls: { certPem: "", keyPem: "" },
  stack: "prod",
});

/** haproxy.cfg exactly as the program renders it for prod (files named "${EDGE_LIVE}/…"). */
export const HAPROXY_CFG = renderHaproxyCfg(ARGS.cfg);

/** The same with `edge.tls: acme`: challenges routed to the issuer's alias (components/edge-acme.ts). */
export const HAPROXY_ACME_CFG = renderHaproxyCfg({
  ...ARGS.cfg,
  acme: { host: EDGE_ACME_ALIAS, port: EDGE_ACME_DEFAULTS.challengePort },
});

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
const labels = (role: string) => [
  { label: "com.api-stack.stack", value: "prod" },
  { label: "com.api-stack.role", value: role },
];

const hardened = {
  capabilities: { drops: ["ALL"] },
  securityOpts: ["no-new-privileges:true"],
  restart: "unless-stopped",
  logDriver: "json-file",
  logOpts,
  wait: true,
};

/**
 * The installer's healthcheck timing. components/edge-proxy.ts (c92066c) sets retries 1, which
 * healthcheck-timing refuses ("one slow probe marks it unhealthy"); the corpus renders the
 * retries 3 that rule asks for, so the good stack stays good once the component follows it.
 */

/** The volume mount both HAProxy containers have; `volumeName` unknown at a first preview. */
const stateMount = (preview?: boolean) => [
  { volumeName: preview ? UNKNOWN : STATE_VOLUME, containerPath: EDGE_STATE.dir },
];

/** The installer as components/edge-proxy.ts creates it (createInstaller). */
export function installerProps(preview?: boolean): Props {
  return {
    image: EDGE_PROXY_DEFAULTS.image,
    user: EDGE_PROXY_DEFAULTS.user,
    command: ["bash", EDGE_SCRIPT_PATH, "install"],
    envs: [`${EDGE_LIVE_ENV}=${EDGE_UPLOAD_DIR}`],
    networkMode: "none",
    uploads: edgeInstallerUploads(HAPROXY_CFG, secret(PEM), ARGS.maintenance),
    volumes: stateMount(preview),
    healthcheck: toDockerHealthcheck(
      ["CMD", "test", "-e", EDGE_INSTALLED_MARK],
      EDGE_INSTALLER_TIMING,
    ),
    waitTimeout: waitTimeoutSeconds(EDGE_INSTALLER_TIMING),
    memory: EDGE_PROXY_DEFAULTS.installerMemoryMb,
    memorySwap: EDGE_PROXY_DEFAULTS.installerMemoryMb,
    stopSignal: "SIGTERM",
    stopTimeout: 5,
    destroyGraceSeconds: 5,
    labels: labels("edge-config"),
    ...hardened,
  };
}

/** The ACME issuer as components/edge-acme.ts creates it: lego, one container, alias edge-acme. */
export function issuerProps(preview?: boolean): Props {
  return {
    image: EDGE_ACME_DEFAULTS.image,
    user: "99:99",
    entrypoints: ["/bin/sh"],
    command: ["/usr/local/bin/api-stack-acme", "loop"],
    networksAdvanced: [{ name: "api-stack-prod-frontend", aliases: [EDGE_ACME_ALIAS] }],
    ports: [],
    volumes: stateMount(preview),
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
    stopTimeout: 10,
    destroyGraceSeconds: 10,
    labels: labels("edge-acme"),
    ...hardened,
    wait: false,
  };
}

/** The HAProxy proxy as components/edge-proxy.ts creates it (createContainer). */
export function haproxyProps(preview?: boolean): Props {
  return {
    image: EDGE_PROXY_DEFAULTS.image,
    user: EDGE_PROXY_DEFAULTS.user,
    command: ["bash", EDGE_SCRIPT_PATH, "run"],
    envs: [`${EDGE_LIVE_ENV}=${EDGE_STATE.live}`],
    networksAdvanced: [{ name: "api-stack-prod-frontend", aliases: ["edge"] }],
    ports: [
      { internal: ARGS.cfg.httpPort, external: 80, ip: "0.0.0.0" },
      { internal: ARGS.cfg.httpsPort, external: 443, ip: "0.0.0.0" },
    ],
    uploads: [{ file: EDGE_SCRIPT_PATH, content: renderEdgeLiveScript(), permissions: "0555" }],
    volumes: stateMount(preview),
    healthcheck: toDockerHealthcheck(
      edgeProbe(ARGS.cfg.healthPort, EDGE_HEALTH_PATH),
      ARGS.healthcheck,
    ),
    waitTimeout: waitTimeoutSeconds(ARGS.healthcheck),
    memory: 128,
    memorySwap: 128,
    stopSignal: "SIGUSR1",
    stopTimeout: 30,
    destroyGraceSeconds: 30,
    labels: labels("edge"),
    ...hardened,
  };
}

/**
 * A proxy that uploads its own config and certificate: nginx, Caddy, Traefik, or HAProxy as a
 * program we did not write may run it. Image, user, ports and probe as the component's.
 */
export function proxyProps(kind: "haproxy" | "nginx" | "caddy" | "traefik" = "haproxy"): Props {
  const image = {
    haproxy: "haproxy:3.0.11",
    nginx: "nginx:1.27.3-alpine",
    caddy: "caddy:2.8.4-alpine",
    traefik: "traefik:v3.1.6",
  }[kind];
  const dir = { haproxy: SELF_DIR, nginx: "/etc/nginx", caddy: "/etc/caddy" };
  const uploads =
    kind === "traefik"
      ? [{ file: "/etc/traefik/traefik.yml", content: "entryPoints: {}\n" }]
      : [
          {
            file: {
              haproxy: SELF_CFG,
              nginx: `${dir.nginx}/nginx.conf`,
              caddy: `${dir.caddy}/Caddyfile`,
            }[kind],
            content: {
              haproxy: HAPROXY_CFG,
              nginx: NGINX_CONF,
              caddy: CADDYFILE,
            }[kind],
            permissions: "0444",
          },
          {
            file: `${dir[kind]}/certs/edge.pem`,
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
    stopTimeout: 30,
    destroyGraceSeconds: 30,
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

export interface EdgeOpts {
  /** "haproxy" (default): the program's installer and proxy; the others upload their own config. */
  readonly kind?: "haproxy" | "haproxy-self" | "nginx" | "caddy" | "traefik";
  readonly proxy?: Mutate;
  /** Changes to the HAProxy installer ("edge-config"). */
  readonly installer?: Mutate;
  /** Where the installer's `volumes` came from (propertyDependencies), default the state volume. */
  readonly installerVolumeFrom?: string;
  /** Leave the installer out. */
  readonly noInstaller?: boolean;
  /** A second installer, "edge-config-2", identical to the first. */
  readonly secondInstaller?: boolean;
  /** Changes to API replica i (1-based). */
  readonly replica?: { readonly i: number; readonly mutate: Mutate };
  readonly replicas?: number;
  /**
   * As AnalyzeStack sees a first preview: the networks' and the state volume's generated names
   * unknown. (The PEM stays known: a generated one is judged by unknown-value-provenance, in
   * provenance-tls.test.ts.)
   */
  readonly preview?: boolean;
  /** `edge.tls: acme`: the ACME route in the installer's haproxy.cfg and the issuer, changed by `mutate`. */
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
  const kind = opts.kind ?? "haproxy";
  const program = kind === "haproxy";
  const proxy = program
    ? haproxyProps(opts.preview)
    : proxyProps(kind === "haproxy-self" ? "haproxy" : kind);
  opts.proxy?.(proxy);
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
  const installer = installerProps(opts.preview);
  if (opts.acme !== undefined)
    installer.uploads = (installer.uploads as Props[]).map((u) =>
      String(u.file).endsWith(`/${EDGE_FILES.cfg}`) ? { ...u, content: HAPROXY_ACME_CFG } : u,
    );
  opts.installer?.(installer);
  const issuer = issuerProps(opts.preview);
  opts.acme?.mutate?.(issuer);
  const volumeFrom = opts.installerVolumeFrom ?? stateVolumeUrn;
  const installers = (
    opts.secondInstaller ? ["edge-config", "edge-config-2"] : ["edge-config"]
  ).map((name) =>
    res(T.container, name, installer, {
      dependencies: [stateVolumeUrn],
      propertyDependencies: { volumes: [volumeFrom] },
    }),
  );
  const edge = program
    ? [
        res(T.volume, "edge-state", {
          name: opts.preview ? UNKNOWN : STATE_VOLUME,
          labels: labels("edge-state"),
        }),
        ...(opts.noInstaller ? [] : installers),
      ]
    : [];
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
    ...edge,
    res(T.container, "edge-proxy", withNames(proxy), {
      dependencies: program
        ? [frontend.urn, stateVolumeUrn, urn(T.container, "edge-config")]
        : [frontend.urn],
      propertyDependencies: program
        ? { networksAdvanced: [frontend.urn], volumes: [stateVolumeUrn] }
        : { networksAdvanced: [frontend.urn] },
    }),
    ...(opts.acme === undefined
      ? []
      : [
          res(T.container, "edge-acme-issuer", withNames(issuer), {
            dependencies: [frontend.urn, stateVolumeUrn, urn(T.container, "edge-proxy")],
            propertyDependencies: { networksAdvanced: [frontend.urn], volumes: [stateVolumeUrn] },
          }),
        ]),
  ];
}
