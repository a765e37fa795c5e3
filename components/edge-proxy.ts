import { MONITORING_ALIASES, MONITORING_PORTS } from "./lib/prometheus-config";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { memoryLimit, stopGrace, unprivileged, WAITED_CONTAINER_OPTIONS } from "./lib/container";
import {
  EDGE_HEALTH_PATH,
  haproxyCfgProblem,
  renderHaproxyCfg,
  type EdgeProxyCfgSpec,
  type EdgeUpstream,
} from "./lib/haproxy-cfg";
import {
  edgeProbe,
  toDockerHealthcheck,
  waitTimeoutSeconds,
  type HealthTiming,
} from "./lib/healthcheck";
import { LOG_ROTATION, stackLabels, TYPES } from "./types";

/** Where the official image reads its config (docker-library/haproxy 3.0/Dockerfile, CMD). */
export const EDGE_PATHS = {
  cfg: "/usr/local/etc/haproxy/haproxy.cfg",
  pem: "/usr/local/etc/haproxy/certs/edge.pem",
} as const;

/** Ports HAProxy binds inside the container: unprivileged, so uid 99 needs no capability. */
const INSIDE = { http: 8080, https: 8443, health: 8404 } as const;

export const EDGE_PROXY_DEFAULTS = {
  image: "haproxy:3.0.11",
  /** The official image's user (docker-library/haproxy 3.0/Dockerfile: uid and gid 99). */
  user: "99:99",
  hostIp: "0.0.0.0",
  httpPort: 80,
  httpsPort: 443,
  maxBodyBytes: 1_048_576,
  /** Two years, the HSTS preload list's floor (hstspreload.org, "Submission Requirements"). */
  hstsMaxAgeSeconds: 63_072_000,
  timeouts: {
    // Inside one Docker network a connect takes microseconds; a replica that has just gone
    // away costs a request this long before it is retried on another one.
    connectMs: 500,
    clientMs: 30_000,
    serverMs: 30_000,
    httpRequestMs: 10_000,
    queueMs: 5_000,
  },
  check: { intervalMs: 2_000, fall: 2, rise: 1 },
  healthcheck: { intervalMs: 10_000, timeoutMs: 3_000, retries: 3, startPeriodMs: 10_000 },
  restart: "unless-stopped",
  stopTimeoutMs: 30_000,
} as const;

export interface EdgeProxyArgs {
  /** The web service the proxy balances across, by its alias on the frontend network. */
  readonly upstream: EdgeUpstream;
  /** The frontend network, shared with the web service's replicas only. */
  readonly networkName: pulumi.Input<string>;
  /** The certificate chain (PEM) and its key; secrets. */
  readonly tls: {
    readonly certPem: pulumi.Input<string>;
    readonly keyPem: pulumi.Input<string>;
    /** The certificate's notAfter, Unix seconds, exposed for monitoring. @default unknown */
    readonly notAfter?: pulumi.Input<number>;
  };
  /** A pinned HAProxy image laid out as the official one. @default "haproxy:3.0.11" */
  readonly image?: string;
  /** Host address 80 and 443 are published on. @default "0.0.0.0" */
  readonly hostIp?: string;
  /** Host port for HTTP (redirects only). @default 80 */
  readonly httpPort?: number;
  /** Host port for HTTPS. @default 443 */
  readonly httpsPort?: number;
  /** Largest request body, bytes; larger gets 413, an undeclared length 411. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** `Strict-Transport-Security` max-age, seconds. @default 63072000 (two years) */
  readonly hstsMaxAgeSeconds?: number;
  /** Memory limit, MB. @default unlimited */
  readonly memoryMb?: number;
  /** @default "unless-stopped" */
  readonly restart?: "always" | "unless-stopped";
  /** How long a soft stop may take before Docker's SIGKILL, ms. @default 30000 */
  readonly stopTimeoutMs?: number;
  /** The container's own healthcheck timing. @default interval 10s, timeout 3s, retries 3, start period 10s */
  readonly healthcheck?: HealthTiming;
  /**
   * The monitoring network: joined as `edge`, where Prometheus scrapes HAProxy's exporter on
   * EDGE_METRICS_PORT. @default no exporter
   */
  readonly monitoringNetworkName?: pulumi.Input<string>;
  /**
   * The ACME issuer's challenge server (components/edge-acme.ts), by its alias on the frontend
   * network: `/.well-known/acme-challenge/` on HTTP goes there instead of the redirect.
   * @default no ACME route
   */
  readonly acme?: { readonly host: string; readonly port: number };
  readonly stack: string;
}

/** HAProxy's Prometheus exporter, inside the container only (components/lib/prometheus-config.ts). */
export const EDGE_METRICS_PORT = MONITORING_PORTS.edge;

/**
 * HAProxy in front of the web service: the only container that publishes a port. It
 * terminates TLS, redirects HTTP, sets the security headers, and balances by least
 * connections across whichever replicas Docker's DNS returns for the service alias, retrying
 * a request whose connection failed on another replica. Replicas can therefore be replaced
 * create-before-delete while it keeps serving.
 *
 * @example
 * const edge = new EdgeProxy("edge", { upstream: { name: "api", host: "api", port: 3003,
 *   healthPath: "/health", replicas: 2 }, networkName: nets.frontendName,
 *   tls: { certPem, keyPem }, stack: "prod" });
 */
export class EdgeProxy extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly containerName: pulumi.Output<string>;
  /** `https://<host>:<port>` as published (loopback in dev). */
  public readonly url: pulumi.Output<string>;
  /**
   * The certificate the proxy serves (PEM), for clients that must trust it, such as deploy.yml's
   * check on the host. Not a secret: every TLS client receives it in the handshake.
   */
  public readonly certificatePem: pulumi.Output<string>;
  /** The certificate's notAfter, Unix seconds, when `tls.notAfter` was given. */
  public readonly certificateNotAfter?: pulumi.Output<number>;

  constructor(name: string, args: EdgeProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.EdgeProxy, name, {}, opts);
    const a = resolveEdgeProxyArgs(args);
    const problem = haproxyCfgProblem(a.cfg);
    if (problem !== undefined) {
      throw new pulumi.ResourceError(`edge proxy: ${problem}`, this, true);
    }
    this.container = this.createContainer(name, a);
    this.containerName = this.container.name;
    const host = a.hostIp === "0.0.0.0" ? "localhost" : a.hostIp;
    this.url = pulumi.output(`https://${host}${a.httpsPort === 443 ? "" : `:${a.httpsPort}`}`);
    this.certificatePem = pulumi.unsecret(pulumi.output(a.tls.certPem));
    this.certificateNotAfter =
      a.tls.notAfter === undefined ? undefined : pulumi.output(a.tls.notAfter);
    this.registerOutputs({
      containerName: this.containerName,
      url: this.url,
      certificatePem: this.certificatePem,
    });
  }

  private createContainer(name: string, a: ResolvedEdgeProxyArgs): docker.Container {
    const pem = pulumi
      .all([a.tls.certPem, a.tls.keyPem])
      .apply(([cert, key]) => `${cert.trimEnd()}\n${key.trimEnd()}\n`);
    // The image has bash but no curl, wget, nc or socat (lib/healthcheck.ts, edgeProbe).
    const probe = edgeProbe(INSIDE.health, EDGE_HEALTH_PATH);
    return new docker.Container(
      `${name}-proxy`,
      {
        image: a.image,
        user: EDGE_PROXY_DEFAULTS.user,
        networksAdvanced: [
          { name: a.networkName, aliases: ["edge"] },
          ...(a.monitoringNetworkName === undefined
            ? []
            : [{ name: a.monitoringNetworkName, aliases: [MONITORING_ALIASES.edge] }]),
        ],
        ports: [
          { internal: INSIDE.http, external: a.httpPort, ip: a.hostIp },
          { internal: INSIDE.https, external: a.httpsPort, ip: a.hostIp },
        ],
        // Uploads land as root:root with the given mode (kreuzwerker/terraform-provider-docker
        // v4.5.0, resourceDockerContainerCreate: tar.Header{Name, Mode, Size}), and HAProxy
        // runs as uid 99, so the PEM is 0444 inside the container: readable there as a Docker
        // secret is (docs.docker.com, "Manage sensitive data with Docker secrets": mode 0444
        // by default), and a Pulumi secret everywhere outside it.
        uploads: [
          { file: EDGE_PATHS.cfg, content: renderHaproxyCfg(a.cfg), permissions: "0444" },
          { file: EDGE_PATHS.pem, content: pulumi.secret(pem), permissions: "0444" },
        ],
        healthcheck: toDockerHealthcheck(probe, a.healthcheck),
        wait: true,
        waitTimeout: waitTimeoutSeconds(a.healthcheck),
        restart: a.restart,
        ...memoryLimit(a.memoryMb),
        ...unprivileged(),
        // SIGTERM makes HAProxy quit at once and drop every connection; SIGUSR1 stops
        // listening and lets open requests finish (haproxy doc/management.txt section 4, and
        // the official image's STOPSIGNAL). hard-stop-after ends it before Docker's SIGKILL.
        stopSignal: "SIGUSR1",
        ...stopGrace(Math.ceil(a.stopTimeoutMs / 1_000)),
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, "edge"),
      },
      {
        parent: this,
        // Host ports 80 and 443 can be bound by one container only, so a new proxy can start
        // only after the old one stopped: this replacement is the one gap left in a deploy.
        deleteBeforeReplace: true,
        // A changed probe, or a failed wait, replaces the container (and waits again) instead of an
        // update that never reaches Docker; daemon-merged log options change nothing
        // (lib/container.ts).
        ...WAITED_CONTAINER_OPTIONS,
      },
    );
  }
}

type ResolvedEdgeProxyArgs = {
  readonly image: string;
  readonly networkName: pulumi.Input<string>;
  readonly tls: EdgeProxyArgs["tls"];
  readonly hostIp: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly memoryMb?: number;
  readonly restart: NonNullable<EdgeProxyArgs["restart"]>;
  readonly stopTimeoutMs: number;
  readonly healthcheck: HealthTiming;
  readonly monitoringNetworkName?: pulumi.Input<string>;
  readonly stack: string;
  readonly cfg: EdgeProxyCfgSpec;
};

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveEdgeProxyArgs(args: EdgeProxyArgs): ResolvedEdgeProxyArgs {
  const d = EDGE_PROXY_DEFAULTS;
  const stopTimeoutMs = args.stopTimeoutMs ?? d.stopTimeoutMs;
  const httpsPort = args.httpsPort ?? d.httpsPort;
  return {
    image: args.image ?? d.image,
    networkName: args.networkName,
    tls: args.tls,
    hostIp: args.hostIp ?? d.hostIp,
    httpPort: args.httpPort ?? d.httpPort,
    httpsPort,
    memoryMb: args.memoryMb,
    restart: args.restart ?? d.restart,
    stopTimeoutMs,
    healthcheck: args.healthcheck ?? d.healthcheck,
    monitoringNetworkName: args.monitoringNetworkName,
    stack: args.stack,
    cfg: {
      upstream: args.upstream,
      httpPort: INSIDE.http,
      httpsPort: INSIDE.https,
      publicHttpsPort: httpsPort,
      certFile: EDGE_PATHS.pem,
      healthPort: INSIDE.health,
      maxBodyBytes: args.maxBodyBytes ?? d.maxBodyBytes,
      hstsMaxAgeSeconds: args.hstsMaxAgeSeconds ?? d.hstsMaxAgeSeconds,
      timeouts: d.timeouts,
      check: d.check,
      // HAProxy closes what is left a second before Docker would SIGKILL it.
      hardStopAfterMs: Math.max(1_000, stopTimeoutMs - 1_000),
      metricsPort: args.monitoringNetworkName === undefined ? undefined : EDGE_METRICS_PORT,
      acme: args.acme,
    },
  };
}
