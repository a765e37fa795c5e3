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
import {
  EDGE_INSTALLED_MARK,
  EDGE_INSTALLER_TIMING,
  edgeInstallerUploads,
  EDGE_LIVE_ENV,
  EDGE_SCRIPT_PATH,
  EDGE_STATE,
  EDGE_UPLOAD_DIR,
  renderEdgeLiveScript,
} from "./lib/edge-live";
import { LOG_ROTATION, stackLabels, TYPES } from "./types";

/**
 * How haproxy.cfg names the directory its files are in: an environment variable, set to
 * EDGE_STATE.live in the proxy and to EDGE_UPLOAD_DIR in the installer that checks a new set
 * before installing it (configuration.txt 2.3: expanded inside double quotes).
 */
const FILES_DIR = `\${${EDGE_LIVE_ENV}}`;

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
  maintenance: {
    enabled: false,
    message: "We are carrying out maintenance and will be back shortly.",
    allow: [] as readonly string[],
    retryAfterSeconds: 300,
  },
  /** The installer sleeps once it has installed: a few MB. */
  installerMemoryMb: 32,
} as const;

/** Maintenance mode: every request but the health path answers 503 with a small page. */
export interface EdgeMaintenance {
  /** On at the next `pulumi up`; a script can switch it without one. @default false */
  readonly enabled?: boolean;
  /** The page's one paragraph, plain text (HTML-escaped). */
  readonly message?: string;
  /** Source addresses or CIDRs that still reach the API, as HAProxy sees them. @default none */
  readonly allow?: readonly string[];
  /** `Retry-After`, seconds. @default 300 */
  readonly retryAfterSeconds?: number;
}

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
  /** Maintenance mode. @default off */
  readonly maintenance?: EdgeMaintenance;
  /**
   * A file on the state volume (a path under EDGE_STATE.dir) whose existence means another
   * writer serves the certificate: the ACME issuer's. While it exists the installer leaves
   * live/edge.pem alone, so `tls` is only the fallback until the first issuance. @default none
   */
  readonly keepCertificateIf?: string;
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
  /** The volume the served files live on (EDGE_STATE): config, certificate, maintenance. */
  public readonly state: docker.Volume;
  /** Installs a new set of files into the running proxy on each `up` that changes them. */
  public readonly installer: docker.Container;
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
    this.state = new docker.Volume(
      `${name}-state`,
      { labels: stackLabels(a.stack, "edge-state") },
      { parent: this },
    );
    this.installer = this.createInstaller(name, a);
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

  /**
   * The served files, checked and installed into the state volume. Replaced (and so run again)
   * whenever one of them changes; the proxy itself is not.
   */
  private createInstaller(name: string, a: ResolvedEdgeProxyArgs): docker.Container {
    const pem = pulumi
      .all([a.tls.certPem, a.tls.keyPem])
      .apply(([cert, key]) => `${cert.trimEnd()}\n${key.trimEnd()}\n`);
    const m = a.maintenance;
    return new docker.Container(
      `${name}-config`,
      {
        image: a.image,
        user: EDGE_PROXY_DEFAULTS.user,
        command: ["bash", EDGE_SCRIPT_PATH, "install"],
        envs: [
          `${EDGE_LIVE_ENV}=${EDGE_UPLOAD_DIR}`,
          ...(a.keepCertificateIf === undefined ? [] : [`EDGE_KEEP_PEM_IF=${a.keepCertificateIf}`]),
        ],
        // No network: it only reads its uploads and writes the volume.
        networkMode: "none",
        // Uploads land as root:root with the given mode (kreuzwerker/terraform-provider-docker
        // v4.5.0, resourceDockerContainerCreate: tar.Header{Name, Mode, Size}); the installer
        // runs as uid 99 and copies them into the volume as its own, 0600.
        uploads: edgeInstallerUploads(renderHaproxyCfg(a.cfg), pulumi.secret(pem), m),
        volumes: [{ volumeName: this.state.name, containerPath: EDGE_STATE.dir }],
        healthcheck: toDockerHealthcheck(
          ["CMD", "test", "-e", EDGE_INSTALLED_MARK],
          EDGE_INSTALLER_TIMING,
        ),
        wait: true,
        waitTimeout: waitTimeoutSeconds(EDGE_INSTALLER_TIMING),
        restart: a.restart,
        ...memoryLimit(EDGE_PROXY_DEFAULTS.installerMemoryMb),
        ...unprivileged(),
        stopSignal: "SIGTERM",
        ...stopGrace(5),
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, "edge-config"),
      },
      {
        parent: this,
        dependsOn: [this.state],
        // One installer at a time writes the live directory.
        deleteBeforeReplace: true,
        ...WAITED_CONTAINER_OPTIONS,
      },
    );
  }

  private createContainer(name: string, a: ResolvedEdgeProxyArgs): docker.Container {
    // The image has bash but no curl, wget, nc or socat (lib/healthcheck.ts, edgeProbe).
    const probe = edgeProbe(INSIDE.health, EDGE_HEALTH_PATH);
    return new docker.Container(
      `${name}-proxy`,
      {
        image: a.image,
        user: EDGE_PROXY_DEFAULTS.user,
        // lib/edge-live.ts: HAProxy in master-worker mode under a loop that reloads it when the
        // files on the state volume change. No config is uploaded, so none replaces the proxy.
        command: ["bash", EDGE_SCRIPT_PATH, "run"],
        envs: [`${EDGE_LIVE_ENV}=${EDGE_STATE.live}`],
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
        uploads: [{ file: EDGE_SCRIPT_PATH, content: renderEdgeLiveScript(), permissions: "0555" }],
        volumes: [{ volumeName: this.state.name, containerPath: EDGE_STATE.dir }],
        healthcheck: toDockerHealthcheck(probe, a.healthcheck),
        wait: true,
        waitTimeout: waitTimeoutSeconds(a.healthcheck),
        restart: a.restart,
        ...memoryLimit(a.memoryMb),
        ...unprivileged(),
        // SIGTERM makes HAProxy quit at once and drop every connection; SIGUSR1 stops
        // listening and lets open requests finish (haproxy doc/management.txt section 4, and
        // the official image's STOPSIGNAL). The script passes it on to HAProxy's master;
        // hard-stop-after ends it before Docker's SIGKILL.
        stopSignal: "SIGUSR1",
        ...stopGrace(Math.ceil(a.stopTimeoutMs / 1_000)),
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, "edge"),
      },
      {
        parent: this,
        // The first `up` needs the files installed before HAProxy starts. A plain dependsOn:
        // no input of the proxy comes from the installer, so the engine does not replace the
        // proxy when the installer is replaced delete-first (pulumi/pulumi
        // pkg/resource/deploy/step_generator.go, calculateDependentReplacements: only
        // dependents with a property dependency on the replaced resource are considered).
        dependsOn: [this.installer],
        // Host ports 80 and 443 can be bound by one container only, so a new proxy can start
        // only after the old one stopped. Only a new image or new container settings replace
        // it now; config, certificate and maintenance changes reload it (lib/edge-live.ts).
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
  readonly maintenance: Required<EdgeMaintenance>;
  readonly keepCertificateIf?: string;
  readonly stack: string;
  readonly cfg: EdgeProxyCfgSpec;
};

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveEdgeProxyArgs(args: EdgeProxyArgs): ResolvedEdgeProxyArgs {
  const d = EDGE_PROXY_DEFAULTS;
  const stopTimeoutMs = args.stopTimeoutMs ?? d.stopTimeoutMs;
  const httpsPort = args.httpsPort ?? d.httpsPort;
  const maintenance = {
    enabled: args.maintenance?.enabled ?? d.maintenance.enabled,
    message: args.maintenance?.message ?? d.maintenance.message,
    allow: args.maintenance?.allow ?? d.maintenance.allow,
    retryAfterSeconds: args.maintenance?.retryAfterSeconds ?? d.maintenance.retryAfterSeconds,
  };
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
    maintenance,
    keepCertificateIf: args.keepCertificateIf,
    stack: args.stack,
    cfg: {
      upstream: args.upstream,
      httpPort: INSIDE.http,
      httpsPort: INSIDE.https,
      publicHttpsPort: httpsPort,
      filesDir: FILES_DIR,
      healthPort: INSIDE.health,
      maxBodyBytes: args.maxBodyBytes ?? d.maxBodyBytes,
      hstsMaxAgeSeconds: args.hstsMaxAgeSeconds ?? d.hstsMaxAgeSeconds,
      timeouts: d.timeouts,
      check: d.check,
      // HAProxy closes what is left a second before Docker would SIGKILL it.
      hardStopAfterMs: Math.max(1_000, stopTimeoutMs - 1_000),
      metricsPort: args.monitoringNetworkName === undefined ? undefined : EDGE_METRICS_PORT,
      acme: args.acme,
      maintenance: { allow: maintenance.allow, retryAfterSeconds: maintenance.retryAfterSeconds },
    },
  };
}
