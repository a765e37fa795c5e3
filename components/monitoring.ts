import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { renderAlertRules, type AlertName } from "./lib/alert-rules";
import { memoryLimit, stopGrace, unprivileged, WAITED_CONTAINER_OPTIONS } from "./lib/container";
import { toDockerHealthcheck, waitTimeoutSeconds, type HealthTiming } from "./lib/healthcheck";
import {
  ALERTMANAGER_PATHS,
  MONITORING_ALIASES,
  MONITORING_PORTS,
  PROMETHEUS_PATHS,
  renderAlertmanagerConfig,
  renderPrometheusConfig,
  type ReceiverKind,
} from "./lib/prometheus-config";
import { argError, LOG_ROTATION, stackLabels, TYPES } from "./types";

/** The defaults every stack gets; the config schema (stacks/config/monitoring.ts) reads them here. */
export const MONITORING_DEFAULTS = {
  scrapeIntervalMs: 15_000,
  evaluationIntervalMs: 15_000,
  retentionMs: 15 * 86_400_000,
  retentionSizeMb: 2_048,
  runbookUrl: "https://github.com/acme/api-stack/blob/main/docs/monitoring.md",
  prometheus: {
    // prometheus/prometheus Dockerfile at v2.53.3: busybox base, USER nobody, ENTRYPOINT
    // /bin/prometheus, VOLUME /prometheus (test/docker/images/manifests.json).
    image: "prom/prometheus:v2.53.3",
    memoryMb: 512,
  },
  alertmanager: { image: "prom/alertmanager:v0.28.1", memoryMb: 64 },
  // The -alpine variant: the plain tag is FROM scratch, with no shell or wget to probe with.
  redisExporter: { image: "oliver006/redis_exporter:v1.69.0-alpine", memoryMb: 64 },
  healthcheck: { intervalMs: 15_000, timeoutMs: 5_000, retries: 3, startPeriodMs: 30_000 },
  stopTimeoutSeconds: 30,
} as const;

/** The uid the official Prometheus, Alertmanager images run as (`USER nobody`). */
export const NOBODY = "65534";

export interface MonitoringArgs {
  /** The internal network the scraped services join with their aliases. */
  readonly networkName: pulumi.Input<string>;
  /** A non-internal network: Alertmanager's way out to the receiver, and the dev UI's port. */
  readonly egressNetworkName: pulumi.Input<string>;
  /** Where alerts go. `webhook` and `slack` read `receiverUrl`. */
  readonly receiver: ReceiverKind;
  /** The webhook's or Slack's URL; a secret, uploaded as a file Alertmanager reads. @default none (required with webhook and slack) */
  readonly receiverUrl?: pulumi.Input<string>;
  /** `receiver: slack`: the channel. @default none (required with slack) */
  readonly slackChannel?: string;
  /** @default 15 s */
  readonly scrapeIntervalMs?: number;
  /** @default 15 s */
  readonly evaluationIntervalMs?: number;
  /** Samples older than this are dropped. @default 15 days */
  readonly retentionMs?: number;
  /** The TSDB's size limit, MB. @default 2048 */
  readonly retentionSizeMb?: number;
  /** Prometheus's memory limit, MB. @default 512 */
  readonly memoryMb?: number;
  /** Development only: Prometheus's UI on 127.0.0.1:<uiPort>. @default unpublished */
  readonly uiPort?: number;
  /** @default "prom/prometheus:v2.53.3" */
  readonly prometheusImage?: string;
  /** @default "prom/alertmanager:v0.28.1" */
  readonly alertmanagerImage?: string;
  /** @default "oliver006/redis_exporter:v1.69.0-alpine" */
  readonly redisExporterImage?: string;
  /** docs/monitoring.md as users open it. @default this repository's docs/monitoring.md on GitHub */
  readonly runbookUrl?: string;
  /**
   * The local Redis's snapshot schedule, ms: BackupStale fires when no snapshot was taken for
   * twice this. @default no backups
   */
  readonly backupEveryMs?: number;
  /** Overrides of alert `for` durations, ms. @default each rule's own (ALERT_FOR_MS) */
  readonly alertForMs?: Partial<Record<AlertName, number>>;
  /** The API's alias on `networkName` and its port. */
  readonly api: { readonly alias: string };
  /** Worker names; each joins `networkName` as `worker-<name>`. */
  readonly workers: readonly string[];
  /** The edge proxy's backend, its healthy-replica floor and its certificate's notAfter (s). @default no edge proxy */
  readonly edge?: {
    readonly backend: string;
    readonly minHealthy: number;
    readonly certificateNotAfter?: pulumi.Input<number>;
  };
  /** A local Redis: the exporter reaches it on `networkName` as ACL user `user`. @default no exporter */
  readonly redis?: {
    readonly networkName: pulumi.Input<string>;
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: pulumi.Input<string>;
    /** The Redis container: the exporter starts after it, and the dependency shows whose URL it reads. */
    readonly dependsOn?: pulumi.Resource[];
  };
  /** @default "unless-stopped" */
  readonly restart?: "always" | "unless-stopped";
  /** What Prometheus starts after. @default [] */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  readonly stack: string;
}

/**
 * Prometheus, Alertmanager and (with a local Redis) redis_exporter, on a network of their own.
 * The scraped services join that network under an alias each and are found through Docker's
 * DNS, so scaling a service needs no change here. Nothing is published, except Prometheus's UI
 * on loopback when `uiPort` is set (development). Each container is pinned, unprivileged,
 * limited, probed and rotates its logs, as every other container of the stack.
 *
 * @example
 * const monitoring = new Monitoring("monitoring", { networkName: nets.monitoringName!, egressNetworkName: nets.alertsName!, receiver: "webhook", receiverUrl: config.requireSecret("alertWebhookUrl"), api: { alias: "api" }, workers: ["jobs"], stack: "prod" });
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly prometheus: docker.Container;
  public readonly alertmanager: docker.Container;
  public readonly redisExporter?: docker.Container;
  public readonly volume: docker.Volume;
  /** Alertmanager's silences and notification log, kept across its replacements. */
  public readonly alertmanagerVolume: docker.Volume;
  /** The rendered files, for tests and `pulumi stack output`. */
  public readonly prometheusConfig: string;
  public readonly alertRules: pulumi.Output<string>;
  public readonly alertmanagerConfig: string;
  /** With `uiPort`: http://127.0.0.1:<uiPort>. */
  public readonly url?: string;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.Monitoring, name, {}, opts);
    const a = resolveMonitoringArgs(args);
    this.checkArgs(a);
    this.prometheusConfig = renderPrometheusConfig({
      stack: a.stack,
      scrapeIntervalMs: a.scrapeIntervalMs,
      evaluationIntervalMs: a.evaluationIntervalMs,
      api: a.api,
      workers: a.workers,
      edge: a.edge !== undefined,
      redisExporter: a.redis !== undefined,
    });
    this.alertRules = pulumi
      .output(a.edge?.certificateNotAfter)
      .apply((notAfter) => renderAlertRules(rulesSpec(a, notAfter)));
    this.alertmanagerConfig = renderAlertmanagerConfig({
      receiver: a.receiver,
      slackChannel: a.slackChannel,
    });
    this.volume = new docker.Volume(
      `${name}-prometheus-data`,
      { labels: stackLabels(a.stack, "prometheus-data") },
      { parent: this },
    );
    this.alertmanagerVolume = new docker.Volume(
      `${name}-alertmanager-data`,
      { labels: stackLabels(a.stack, "alertmanager-data") },
      { parent: this },
    );
    this.alertmanager = this.createAlertmanager(name, a);
    this.redisExporter = a.redis && this.createRedisExporter(name, a, a.redis);
    this.prometheus = this.createPrometheus(name, a);
    this.url = a.uiPort === undefined ? undefined : `http://127.0.0.1:${a.uiPort}`;
    this.registerOutputs({ url: this.url });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: ResolvedMonitoringArgs): void {
    if ((a.receiver === "webhook" || a.receiver === "slack") && a.receiverUrl === undefined)
      throw argError(
        this,
        `\`receiver: ${a.receiver}\` needs \`receiverUrl\`: pass the secret URL`,
      );
    if (a.evaluationIntervalMs < a.scrapeIntervalMs)
      throw argError(
        this,
        `\`evaluationIntervalMs\` (${a.evaluationIntervalMs}) is shorter than \`scrapeIntervalMs\` (${a.scrapeIntervalMs}): rules would see the same samples twice; make them equal`,
      );
  }

  private container(
    name: string,
    role: string,
    a: ResolvedMonitoringArgs,
    args: Partial<docker.ContainerArgs> & Pick<docker.ContainerArgs, "image">,
    probeUrl: string,
    memoryMb: number,
    opts: pulumi.CustomResourceOptions = {},
  ): docker.Container {
    const timing: HealthTiming = MONITORING_DEFAULTS.healthcheck;
    return new docker.Container(
      `${name}-${role}`,
      {
        ...args,
        // busybox's wget exits 1 on an HTTP error status, so a 503 fails the probe (busybox
        // networking/wget.c, 1_36_1: bb_error_msg_and_die "server returned error"; --spider
        // needs FEATURE_WGET_LONG_OPTIONS, on in defconfig and in Alpine's busyboxconfig).
        healthcheck: toDockerHealthcheck(["CMD", "wget", "-q", "--spider", probeUrl], timing),
        wait: true,
        waitTimeout: waitTimeoutSeconds(timing),
        restart: a.restart,
        ...memoryLimit(memoryMb),
        ...unprivileged(),
        stopSignal: "SIGTERM",
        ...stopGrace(MONITORING_DEFAULTS.stopTimeoutSeconds),
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, role),
      },
      { parent: this, ...WAITED_CONTAINER_OPTIONS, ...opts },
    );
  }

  private createPrometheus(name: string, a: ResolvedMonitoringArgs): docker.Container {
    const p = MONITORING_PORTS.prometheus;
    return this.container(
      name,
      "prometheus",
      a,
      {
        image: a.prometheusImage,
        // The image's CMD is replaced whole, so the config and data paths are given again.
        command: [
          `--config.file=${PROMETHEUS_PATHS.config}`,
          `--storage.tsdb.path=${PROMETHEUS_PATHS.data}`,
          `--storage.tsdb.retention.time=${a.retentionMs / 1_000}s`,
          `--storage.tsdb.retention.size=${a.retentionSizeMb}MB`,
        ],
        user: NOBODY,
        uploads: [
          { file: PROMETHEUS_PATHS.config, content: this.prometheusConfig, permissions: "0444" },
          { file: PROMETHEUS_PATHS.rules, content: this.alertRules, permissions: "0444" },
        ],
        networksAdvanced: [
          { name: a.networkName },
          // Docker publishes no port of a container that is only on internal networks.
          ...(a.uiPort === undefined ? [] : [{ name: a.egressNetworkName }]),
        ],
        ports:
          a.uiPort === undefined
            ? []
            : [{ internal: p, external: a.uiPort, ip: "127.0.0.1", protocol: "tcp" }],
        volumes: [{ volumeName: this.volume.name, containerPath: PROMETHEUS_PATHS.data }],
      },
      `http://127.0.0.1:${p}/-/ready`,
      a.memoryMb,
      {
        dependsOn: [this.volume, this.alertmanager, ...(a.dependsOn ?? [])],
        // One Prometheus per TSDB: a second one on the same volume fails to take the
        // directory's lock (prometheus/prometheus v2.53.3 tsdb/db.go open → tsdbutil/dir_locker.go:
        // "lock DB directory"), so a replacement deletes the old container first.
        deleteBeforeReplace: true,
      },
    );
  }

  private createAlertmanager(name: string, a: ResolvedMonitoringArgs): docker.Container {
    const url =
      a.receiverUrl === undefined
        ? []
        : [
            {
              file: ALERTMANAGER_PATHS.receiverUrl,
              content: pulumi.secret(pulumi.output(a.receiverUrl)),
              permissions: "0444",
            },
          ];
    return this.container(
      name,
      "alertmanager",
      a,
      {
        image: a.alertmanagerImage,
        command: [
          `--config.file=${ALERTMANAGER_PATHS.config}`,
          `--storage.path=${ALERTMANAGER_PATHS.data}`,
          // One instance: no gossip port to listen on or to publish.
          "--cluster.listen-address=",
        ],
        user: NOBODY,
        uploads: [
          {
            file: ALERTMANAGER_PATHS.config,
            content: this.alertmanagerConfig,
            permissions: "0444",
          },
          ...url,
        ],
        networksAdvanced: [
          { name: a.networkName, aliases: [MONITORING_ALIASES.alertmanager] },
          // The monitoring network is internal; the receiver is outside.
          { name: a.egressNetworkName },
        ],
        ports: [],
        volumes: [
          { volumeName: this.alertmanagerVolume.name, containerPath: ALERTMANAGER_PATHS.data },
        ],
      },
      `http://127.0.0.1:${MONITORING_PORTS.alertmanager}/-/ready`,
      MONITORING_DEFAULTS.alertmanager.memoryMb,
      {
        dependsOn: [this.alertmanagerVolume],
        // Its silences and notification log are files in the volume with no lock
        // (alertmanager silence/silence.go, nflog/nflog.go: snapshots written by each
        // instance), so two instances must not share it: the old one goes first.
        deleteBeforeReplace: true,
      },
    );
  }

  private createRedisExporter(
    name: string,
    a: ResolvedMonitoringArgs,
    r: NonNullable<MonitoringArgs["redis"]>,
  ): docker.Container {
    return this.container(
      name,
      "redis-exporter",
      a,
      {
        image: a.redisExporterImage,
        // The password in the environment, as the API's is: never on the command line.
        envs: pulumi
          .output(r.password)
          .apply((pw) => [
            `REDIS_ADDR=redis://${r.host}:${r.port}`,
            `REDIS_USER=${r.user}`,
            `REDIS_PASSWORD=${pw}`,
          ]),
        networksAdvanced: [
          { name: r.networkName },
          { name: a.networkName, aliases: [MONITORING_ALIASES.redisExporter] },
        ],
        ports: [],
      },
      `http://127.0.0.1:${MONITORING_PORTS.redisExporter}/health`,
      MONITORING_DEFAULTS.redisExporter.memoryMb,
      {
        dependsOn: r.dependsOn ?? [],
        // Stateless: the new one starts before the old one goes, so no scrape is lost. Said
        // explicitly, because the provider's default is delete-before-replace (pulumi-docker
        // provider/resources.go, "docker_container": DeleteBeforeReplace: true).
        deleteBeforeReplace: false,
      },
    );
  }
}

function rulesSpec(a: ResolvedMonitoringArgs, notAfter: number | undefined) {
  return {
    workers: a.workers,
    edge: a.edge && { backend: a.edge.backend, minHealthy: a.edge.minHealthy },
    redis: a.redis !== undefined,
    backupEveryMs: a.redis === undefined ? undefined : a.backupEveryMs,
    certificateNotAfter: notAfter,
    forMs: a.alertForMs,
    runbookUrl: a.runbookUrl,
  };
}

type Defaulted =
  | "scrapeIntervalMs"
  | "evaluationIntervalMs"
  | "retentionMs"
  | "retentionSizeMb"
  | "memoryMb"
  | "prometheusImage"
  | "alertmanagerImage"
  | "redisExporterImage"
  | "runbookUrl"
  | "restart";
export type ResolvedMonitoringArgs = MonitoringArgs & Required<Pick<MonitoringArgs, Defaulted>>;

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveMonitoringArgs(args: MonitoringArgs): ResolvedMonitoringArgs {
  const d = MONITORING_DEFAULTS;
  return {
    ...args,
    scrapeIntervalMs: args.scrapeIntervalMs ?? d.scrapeIntervalMs,
    evaluationIntervalMs: args.evaluationIntervalMs ?? d.evaluationIntervalMs,
    retentionMs: args.retentionMs ?? d.retentionMs,
    retentionSizeMb: args.retentionSizeMb ?? d.retentionSizeMb,
    memoryMb: args.memoryMb ?? d.prometheus.memoryMb,
    prometheusImage: args.prometheusImage ?? d.prometheus.image,
    alertmanagerImage: args.alertmanagerImage ?? d.alertmanager.image,
    redisExporterImage: args.redisExporterImage ?? d.redisExporter.image,
    runbookUrl: args.runbookUrl ?? d.runbookUrl,
    restart: args.restart ?? "unless-stopped",
  };
}
