import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { replicaNames, WAITED_CONTAINER_OPTIONS } from "./lib/container";
import {
  httpProbe,
  toDockerHealthcheck,
  waitTimeoutSeconds,
  type HealthTiming,
} from "./lib/healthcheck";
import { serviceEnv } from "./redis-connection";
import {
  resolveServiceContainer,
  SERVICE_CONTAINER_DEFAULTS,
  serviceContainerSettings,
  type ResolvedServiceContainer,
  type ServiceContainerArgs,
} from "./service-container";
import { argError, stackLabels, TYPES } from "./types";

/** An API probe: its timing, and either the HTTP path `curl` requests or a whole command. */
export interface ApiHealthcheck extends Partial<HealthTiming> {
  /** HTTP path the default probe requests; starts with "/". @default "/health" */
  readonly path?: string;
  /**
   * A probe for images without curl, e.g. ["CMD", "wget", "-qO-", "http://127.0.0.1:3003/health"];
   * replaces the curl probe of `path`. @default curl -f on `path`
   */
  readonly command?: string[];
}

/** The DNS name every API replica carries on the frontend network; the edge proxy routes to it. */
export const API_ALIAS = "api";

/** The defaults every stack gets; the config schema (stacks/config/) reads them from here. */
export const API_SERVICE_DEFAULTS = {
  port: 3003,
  hostIp: "127.0.0.1",
  ...SERVICE_CONTAINER_DEFAULTS,
  healthcheck: {
    intervalMs: 30_000,
    timeoutMs: 10_000,
    retries: 5,
    startPeriodMs: 60_000,
    path: "/health",
  },
  replicas: 1,
} as const satisfies Partial<ApiServiceArgs>;

export interface ApiServiceArgs extends ServiceContainerArgs {
  /** A pinned image, e.g. "ghcr.io/acme/api:1.4.2". */
  readonly image: string;
  /** The port the API listens on inside the container, 1–65535. @default 3003 */
  readonly port?: number;
  /** Host address the port is published on, IPv4 or IPv6. @default "127.0.0.1" */
  readonly hostIp?: string;
  /** Host port, 1–65535; not with `edgeNetworkName`. @default the container port */
  readonly hostPort?: number;
  /** Containers to run, 1 or more; more than 1 only behind the edge proxy. @default 1 */
  readonly replicas?: number;
  /**
   * The edge proxy's frontend network. When set, the replicas publish nothing and join it under
   * the alias `api` (`API_ALIAS`); the proxy is the only publisher. @default none: one container
   * publishing `hostIp:hostPort`
   */
  readonly edgeNetworkName?: pulumi.Input<string>;
  /** Probe timing (ms), path and command. @default interval 30s, timeout 10s, retries 5, start period 60s, path "/health" */
  readonly healthcheck?: ApiHealthcheck;
}

/**
 * The API container. It gets the Redis connection as env, starts only after Redis is
 * healthy, and `pulumi up` waits until it is healthy itself, for as long as its own
 * healthcheck can take.
 *
 * @example
 * const api = new ApiService("api", { image: "ghcr.io/acme/api:1.4.2", networkNames: [nets.backendName, nets.edgeName],
 *   redis: redis.connection, dependsOn: [redis.container], secretKey: secrets.secretKey, stack: "dev" });
 */
export class ApiService extends pulumi.ComponentResource {
  /** The replicas, first one first. */
  public readonly containers: docker.Container[];
  /** The first replica (the one container without the edge proxy). */
  public readonly container: docker.Container;
  public readonly containerName: pulumi.Output<string>;
  public readonly containerNames: pulumi.Output<string[]>;
  /** The published URL, or behind the edge proxy the in-network one (`http://api:3003`). */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: ApiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.ApiService, name, {}, opts);
    const a = resolveApiServiceArgs(args);
    this.checkArgs(a);
    const envs = serviceEnv(a);
    this.containers = replicaNames(`${name}-server`, a.replicas).map((n) =>
      this.createContainer(n, a, envs),
    );
    this.container = this.containers[0] as docker.Container;
    this.containerName = this.container.name;
    this.containerNames = pulumi.all(this.containers.map((c) => c.name));
    const host = a.hostIp.includes(":") ? `[${a.hostIp}]` : a.hostIp;
    this.url = pulumi.output(
      a.edgeNetworkName === undefined
        ? `http://${host}:${a.hostPort}`
        : `http://${API_ALIAS}:${a.port}`,
    );
    this.registerOutputs({
      containerName: this.containerName,
      containerNames: this.containerNames,
      url: this.url,
    });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: ResolvedApiServiceArgs): void {
    if (a.restart === "on-failure" && a.maxRetryCount === undefined) {
      throw argError(
        this,
        '`maxRetryCount` is required with `restart: "on-failure"`: set a limit such as 5',
      );
    }
    if (a.networkNames.length === 0 && a.edgeNetworkName === undefined) {
      throw argError(this, "`networkNames` is empty: pass the backend network Redis is on");
    }
    if (!Number.isInteger(a.replicas) || a.replicas < 1) {
      throw argError(this, `\`replicas\` (${a.replicas}) must be a whole number of at least 1`);
    }
    if (a.edgeNetworkName === undefined && a.replicas > 1) {
      throw argError(
        this,
        `\`replicas\` (${a.replicas}) needs \`edgeNetworkName\`: without the edge proxy the API publishes a fixed host port, which one container only can bind`,
      );
    }
    if (a.edgeNetworkName !== undefined && a.hostPort !== undefined) {
      throw argError(
        this,
        "`hostPort` is set although the API is behind the edge proxy, which is the only publisher: remove it",
      );
    }
  }

  private createContainer(
    name: string,
    a: ResolvedApiServiceArgs,
    envs: pulumi.Output<string[]>,
  ): docker.Container {
    const h = a.healthcheck;
    const tests = h.command ?? httpProbe(a.port, h.path, h.timeoutMs);
    const edge = a.edgeNetworkName;
    return new docker.Container(
      name,
      {
        image: a.image,
        envs,
        networksAdvanced: [
          ...a.networkNames.map((n) => ({ name: n })),
          ...(edge === undefined ? [] : [{ name: edge, aliases: [API_ALIAS] }]),
          ...(a.monitoringNetworkName === undefined
            ? []
            : [{ name: a.monitoringNetworkName, aliases: [API_ALIAS] }]),
        ],
        // Behind the edge proxy nothing is published: the proxy reaches the replicas by alias.
        ports:
          edge === undefined
            ? [{ internal: a.port, external: a.hostPort ?? a.port, ip: a.hostIp }]
            : [],
        healthcheck: toDockerHealthcheck(tests, a.healthcheck),
        wait: true,
        waitTimeout: waitTimeoutSeconds(a.healthcheck),
        // Restart, limits, user, no capabilities, stop grace and log rotation, as every service.
        ...serviceContainerSettings(a),
        labels: stackLabels(a.stack, "api"),
      },
      {
        parent: this,
        dependsOn: a.dependsOn,
        // Always set, never left to the provider: pulumi-docker registers docker_container as
        // delete-before-replace (pulumi/pulumi-docker provider/resources.go), and the engine
        // keeps the provider's choice unless the program sets the option, true or false
        // (pulumi/pulumi pkg/resource/deploy/step_generator.go: `if goal.DeleteBeforeReplace
        // != nil`). Unset, an image bump would delete every replica at once, in parallel.
        // - Publishing a host port (no edge): one container only can bind it, so create-first
        //   would fail with "port is already allocated". The old container is stopped first
        //   (gracefully, within stopTimeout); the gap is the new one's start-up time.
        // - Behind the edge proxy: no host port and auto-names, so create-first. The new
        //   replica is created and, with `wait`, healthy first; the replaced one is deleted only
        //   after the program has registered everything (deployment_executor.go,
        //   performPostSteps → GenerateDeletes).
        deleteBeforeReplace: edge === undefined,
        // A changed probe, or a failed wait, replaces the container (and waits again) instead of an
        // update that never reaches Docker; daemon-merged log options change nothing
        // (lib/container.ts).
        ...WAITED_CONTAINER_OPTIONS,
      },
    );
  }
}

type ResolvedApiServiceArgs = Omit<ApiServiceArgs, keyof ResolvedServiceContainer> &
  ResolvedServiceContainer & {
    readonly port: number;
    readonly hostIp: string;
    /** Unset behind the edge proxy; the container port otherwise. */
    readonly hostPort?: number;
    readonly replicas: number;
    readonly healthcheck: HealthTiming & { readonly path: string; readonly command?: string[] };
  };

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveApiServiceArgs(args: ApiServiceArgs): ResolvedApiServiceArgs {
  const d = API_SERVICE_DEFAULTS;
  const h = args.healthcheck ?? {};
  const port = args.port ?? d.port;
  return {
    ...args,
    ...resolveServiceContainer(args, d),
    port,
    hostIp: args.hostIp ?? d.hostIp,
    hostPort: args.hostPort ?? (args.edgeNetworkName === undefined ? port : undefined),
    replicas: args.replicas ?? d.replicas,
    healthcheck: {
      intervalMs: h.intervalMs ?? d.healthcheck.intervalMs,
      timeoutMs: h.timeoutMs ?? d.healthcheck.timeoutMs,
      retries: h.retries ?? d.healthcheck.retries,
      startPeriodMs: h.startPeriodMs ?? d.healthcheck.startPeriodMs,
      path: h.path ?? d.healthcheck.path,
      command: h.command,
    },
  };
}
