import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import {
  ACME_PATHS,
  acmeCertificateFile,
  acmeScriptProblem,
  renderAcmeScript,
  type AcmeScriptSpec,
} from "./lib/acme-script";
import {
  DAEMON_MERGED_IGNORE_CHANGES,
  memoryLimit,
  stopGrace,
  unprivileged,
} from "./lib/container";
import { toDockerHealthcheck, type HealthTiming } from "./lib/healthcheck";
import { argError, LOG_ROTATION, stackLabels, TYPES } from "./types";

/** Let's Encrypt's production directory (go-acme/lego v4.9.1 lego/client_config.go, LEDirectoryProduction). */
export const LETS_ENCRYPT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory";
/** Its staging directory (the same file, LEDirectoryStaging): untrusted certificates, high limits. */
export const LETS_ENCRYPT_STAGING_DIRECTORY =
  "https://acme-staging-v02.api.letsencrypt.org/directory";

/** The issuer's alias on the frontend network: the edge's ACME backend names it. */
export const EDGE_ACME_ALIAS = "edge-acme";

/** The defaults every stack gets; the config schema (stacks/config/) reads them from here. */
export const EDGE_ACME_DEFAULTS = {
  /**
   * lego 4.9.1, the version Debian bookworm and trixie ship (the stand-in is built from it:
   * test/docker/images/manifests.json). Its entrypoint is /usr/bin/lego; the component runs
   * its own script with the image's busybox sh instead.
   */
  image: "goacme/lego:v4.9.1",
  /** The edge state volume's owner (the haproxy image's uid 99), so both can write it. */
  user: "99:99",
  directoryUrl: LETS_ENCRYPT_DIRECTORY,
  /** The rule and lego's own default (cmd/cmd_renew.go, `--days` Value 30). */
  renewDays: 30,
  /** Twice a day, as Debian's certbot package schedules `certbot renew` (/etc/cron.d/certbot: "Upstream recommends attempting renewal twice a day"). */
  renewEveryMs: 12 * 3_600_000,
  /**
   * Let's Encrypt allows 5 failed validations per account, hostname and hour ("Rate Limits",
   * Failed Validation Limit); one attempt every 15 min stays under it while DNS is not ready.
   */
  retryEveryMs: 15 * 60_000,
  /** lego's challenge server inside the container: unprivileged, so uid 99 needs no capability. */
  challengePort: 8402,
  memoryMb: 64,
  restart: "unless-stopped",
  stopTimeoutSeconds: 10,
  // The probe reads a status file the script writes, which says "error" only after a failed
  // attempt: unhealthy within about 90 s of one (the pack's healthcheck-timing wants 3 retries).
  healthcheck: { intervalMs: 30_000, timeoutMs: 5_000, retries: 3, startPeriodMs: 10_000 },
} as const;

export interface EdgeAcmeArgs {
  /** DNS names on the certificate; the first names its files. */
  readonly domains: readonly string[];
  /** The ACME account's contact address. */
  readonly email: string;
  /** The ACME directory URL. @default Let's Encrypt production */
  readonly directoryUrl?: string;
  /**
   * The root (PEM) that signs the directory's own HTTPS certificate, for a private CA such as
   * Pebble; given to lego as LEGO_CA_CERTIFICATES. @default the image's CA bundle
   */
  readonly caCertificatePem?: string;
  /** Renew when the certificate ends within this many days, 1–89. @default 30 */
  readonly renewDays?: number;
  /** Between renewal checks, ms, whole seconds. @default 43200000 (12 h) */
  readonly renewEveryMs?: number;
  /** Before a failed attempt is tried again, ms, whole seconds. @default 900000 (15 min) */
  readonly retryEveryMs?: number;
  /** A pinned lego image laid out as goacme/lego. @default "goacme/lego:v4.9.1" */
  readonly image?: string;
  /** Memory limit, MB. @default 64 */
  readonly memoryMb?: number;
  /** @default "unless-stopped" */
  readonly restart?: "always" | "unless-stopped";
  /** The frontend network, where the edge reaches the challenge server as EDGE_ACME_ALIAS. */
  readonly networkName: pulumi.Input<string>;
  /** The edge state volume (mounted at /var/lib/haproxy, owned by uid 99). */
  readonly stateVolumeName: pulumi.Input<string>;
  /**
   * Resources to start after: the edge, so the first challenge can pass and so the state
   * volume is first mounted by the haproxy image, whose /var/lib/haproxy (uid 99) gives an
   * empty volume its owner (moby daemon/volumes_unix.go, copyOwnership); mounted first by lego's
   * image, which has no such directory, it would stay root's. @default none
   */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  readonly stack: string;
}

/**
 * The ACME issuer beside the edge proxy: lego obtains the edge's certificate over HTTP-01,
 * which the proxy routes to it, keeps the account key and certificates on the edge state
 * volume, renews 30 days before the end, and writes the chain and key to the file the proxy
 * serves, which the edge's supervisor reloads without a restart. Until the first issuance the
 * edge serves its self-signed fallback.
 *
 * @example
 * const acme = new EdgeAcme("edge-acme", { domains: ["shop.example.com"],
 *   email: "ops@example.com", networkName: nets.edgeName,
 *   stateVolumeName: edge.stateVolume.name, stack: "prod" });
 */
export class EdgeAcme extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly containerName: pulumi.Output<string>;
  /** Where the certificate lands on the state volume; the config writer's fallback tests it. */
  public readonly certificateFile: string;

  constructor(name: string, args: EdgeAcmeArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.EdgeAcme, name, {}, opts);
    const a = resolveEdgeAcmeArgs(args);
    this.checkArgs(a);
    this.certificateFile = acmeCertificateFile(ACME_PATHS.state, a.domains);
    this.container = this.createIssuer(name, a);
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: ResolvedEdgeAcmeArgs): void {
    for (const [k, v] of [
      ["renewEveryMs", a.renewEveryMs],
      ["retryEveryMs", a.retryEveryMs],
    ] as const)
      if (!Number.isInteger(v) || v < 1_000 || v % 1_000 !== 0)
        throw argError(this, `\`${k}\` (${v}) must be whole seconds, 1 s or more`);
    const problem = acmeScriptProblem(scriptSpec(a));
    if (problem !== undefined) throw argError(this, `edge acme: ${problem}`);
  }

  private createIssuer(name: string, a: ResolvedEdgeAcmeArgs): docker.Container {
    const ca = a.caCertificatePem;
    return new docker.Container(
      `${name}-issuer`,
      {
        image: a.image,
        // The image's entrypoint is lego itself (go-acme/lego v4.9.1 tmpl.Dockerfile); its
        // alpine base has busybox sh, which runs the script.
        entrypoints: ["/bin/sh"],
        command: [ACME_PATHS.script, "loop"],
        // The script holds the email and the names, no secret: lego writes the account key and
        // the certificate's key to the volume itself (mode 0600, cmd/setup.go filePerm).
        uploads: [
          {
            file: ACME_PATHS.script,
            content: renderAcmeScript(scriptSpec(a)),
            permissions: "0555",
          },
          ...(ca === undefined
            ? []
            : [{ file: ACME_PATHS.caBundle, content: ca, permissions: "0444" }]),
        ],
        envs: ca === undefined ? [] : [`LEGO_CA_CERTIFICATES=${ACME_PATHS.caBundle}`],
        user: EDGE_ACME_DEFAULTS.user,
        networksAdvanced: [{ name: a.networkName, aliases: [EDGE_ACME_ALIAS] }],
        ports: [],
        volumes: [{ volumeName: a.stateVolumeName, containerPath: ACME_PATHS.state }],
        healthcheck: toDockerHealthcheck(
          ["CMD", "/bin/sh", ACME_PATHS.script, "health"],
          a.healthcheck,
        ),
        // Not waited: the first issuance needs DNS and the CA, which `up` should not block on;
        // the edge serves its self-signed fallback meanwhile, and the healthcheck says why.
        wait: false,
        restart: a.restart,
        ...memoryLimit(a.memoryMb),
        ...unprivileged(),
        stopSignal: "SIGTERM",
        ...stopGrace(EDGE_ACME_DEFAULTS.stopTimeoutSeconds),
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, "edge-acme"),
      },
      {
        parent: this,
        dependsOn: a.dependsOn,
        // One lego at a time on the volume: two would race for the same account and files.
        deleteBeforeReplace: true,
        // A changed probe replaces the container (the provider cannot update one: lib/container.ts).
        replaceOnChanges: ["healthcheck"],
        ignoreChanges: DAEMON_MERGED_IGNORE_CHANGES,
      },
    );
  }
}

function scriptSpec(a: ResolvedEdgeAcmeArgs): AcmeScriptSpec {
  return {
    directoryUrl: a.directoryUrl,
    email: a.email,
    domains: a.domains,
    challengePort: EDGE_ACME_DEFAULTS.challengePort,
    renewDays: a.renewDays,
    renewEverySeconds: a.renewEveryMs / 1_000,
    retryEverySeconds: a.retryEveryMs / 1_000,
  };
}

export type ResolvedEdgeAcmeArgs = EdgeAcmeArgs &
  Required<
    Pick<
      EdgeAcmeArgs,
      | "directoryUrl"
      | "renewDays"
      | "renewEveryMs"
      | "retryEveryMs"
      | "image"
      | "memoryMb"
      | "restart"
    >
  > & { readonly healthcheck: HealthTiming };

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveEdgeAcmeArgs(args: EdgeAcmeArgs): ResolvedEdgeAcmeArgs {
  const d = EDGE_ACME_DEFAULTS;
  return {
    ...args,
    directoryUrl: args.directoryUrl ?? d.directoryUrl,
    renewDays: args.renewDays ?? d.renewDays,
    renewEveryMs: args.renewEveryMs ?? d.renewEveryMs,
    retryEveryMs: args.retryEveryMs ?? d.retryEveryMs,
    image: args.image ?? d.image,
    memoryMb: args.memoryMb ?? d.memoryMb,
    restart: args.restart ?? d.restart,
    healthcheck: d.healthcheck,
  };
}
