import { JOBS } from "./lib/alert-rules";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { replicaNames, WAITED_CONTAINER_OPTIONS } from "./lib/container";
import {
  heartbeatProbe,
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

/** A worker's probe: its timing, and the heartbeat file that must stay fresh. */
export interface WorkerHealthcheck extends Partial<HealthTiming> {
  /** Absolute path of the file the worker rewrites with the unix time. @default "/tmp/worker-heartbeat" */
  readonly heartbeatFile?: string;
  /** Oldest heartbeat that still counts as alive, ms, at least 1s. @default 10000 */
  readonly maxAgeMs?: number;
}

/** The defaults every worker gets; the config schema (stacks/config/) reads them from here. */
export const WORKER_SERVICE_DEFAULTS = {
  replicas: 1,
  ...SERVICE_CONTAINER_DEFAULTS,
  healthcheck: {
    // examples/api worker mode writes /tmp/worker-heartbeat every few seconds (its README
    // shows the same probe with a 10 s age).
    heartbeatFile: "/tmp/worker-heartbeat",
    maxAgeMs: 10_000,
    intervalMs: 10_000,
    timeoutMs: 5_000,
    retries: 3,
    startPeriodMs: 30_000,
  },
} as const satisfies Partial<WorkerServiceArgs>;

export interface WorkerServiceArgs extends ServiceContainerArgs {
  /** A pinned image, e.g. the API's own "ghcr.io/acme/api:1.4.2". */
  readonly image: string;
  /** The command that starts the worker, e.g. ["node", "/app/server.js", "worker"]. */
  readonly command: string[];
  /** Containers to run, 1 or more; each takes jobs on its own. @default 1 */
  readonly replicas?: number;
  /** Heartbeat probe. @default file /tmp/worker-heartbeat, max age 10s, interval 10s, timeout 5s, retries 3, start period 30s */
  readonly healthcheck?: WorkerHealthcheck;
}

/**
 * A background worker: the same Redis connection, secrets, limits and hardening as the API,
 * a command of its own, no published port, and a healthcheck that fails when the worker's
 * heartbeat file goes stale. `WORKER_ID` is left unset: examples/api falls back to the
 * hostname, which Docker makes unique per container.
 *
 * @example
 * const jobs = new WorkerService("jobs", { image: "ghcr.io/acme/api:1.4.2",
 *   command: ["node", "/app/server.js", "worker"], replicas: 2, networkNames: [nets.backendName],
 *   redis: redis.connection, secretKey: secrets.secretKey, stack: "prod" });
 */
/** A worker's alias on the monitoring network, and its scrape job (components/lib/alert-rules.ts JOBS). */
export function workerMetricsAlias(worker: string): string {
  return JOBS.worker(worker);
}

export class WorkerService extends pulumi.ComponentResource {
  public readonly containers: docker.Container[];
  public readonly containerNames: pulumi.Output<string[]>;

  constructor(name: string, args: WorkerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.WorkerService, name, {}, opts);
    const a = resolveWorkerServiceArgs(args);
    this.checkArgs(a);
    const envs = serviceEnv(a);
    const probe = heartbeatProbe(a.healthcheck.heartbeatFile, a.healthcheck.maxAgeMs);
    this.containers = replicaNames(`${name}-worker`, a.replicas).map((n) =>
      this.createContainer(n, name, a, envs, probe),
    );
    this.containerNames = pulumi.all(this.containers.map((c) => c.name));
    this.registerOutputs({ containerNames: this.containerNames });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: ResolvedWorkerServiceArgs): void {
    if (a.command.length === 0) {
      throw argError(this, '`command` is empty: set e.g. ["node", "/app/server.js", "worker"]');
    }
    if (!Number.isInteger(a.replicas) || a.replicas < 1) {
      throw argError(this, `\`replicas\` (${a.replicas}) must be a whole number of at least 1`);
    }
    if (a.restart === "on-failure" && a.maxRetryCount === undefined) {
      throw argError(
        this,
        '`maxRetryCount` is required with `restart: "on-failure"`: set a limit such as 5',
      );
    }
    if (a.networkNames.length === 0) {
      throw argError(this, "`networkNames` is empty: pass the backend network Redis is on");
    }
  }

  private createContainer(
    name: string,
    worker: string,
    a: ResolvedWorkerServiceArgs,
    envs: pulumi.Output<string[]>,
    probe: string[],
  ): docker.Container {
    return new docker.Container(
      name,
      {
        image: a.image,
        command: a.command,
        envs,
        // No alias where services are: nothing connects to a worker. Prometheus does, on the
        // monitoring network, as `worker-<name>` (the scrape job's name too).
        networksAdvanced: [
          ...a.networkNames.map((n) => ({ name: n })),
          ...(a.monitoringNetworkName === undefined
            ? []
            : [{ name: a.monitoringNetworkName, aliases: [workerMetricsAlias(worker)] }]),
        ],
        ports: [],
        healthcheck: toDockerHealthcheck(probe, a.healthcheck),
        wait: true,
        waitTimeout: waitTimeoutSeconds(a.healthcheck),
        // Restart, limits, user, no capabilities, stop grace and log rotation, as every service.
        ...serviceContainerSettings(a),
        labels: [
          ...stackLabels(a.stack, "worker"),
          { label: "com.api-stack.worker", value: worker },
        ],
      },
      {
        parent: this,
        dependsOn: a.dependsOn,
        // Create-before-delete, set explicitly: the Docker provider registers docker_container
        // as delete-before-replace (pulumi/pulumi-docker provider/resources.go), and the engine
        // keeps the provider's choice unless the program sets the option, true or false
        // (pulumi/pulumi pkg/resource/deploy/step_generator.go: `if goal.DeleteBeforeReplace
        // != nil`). Left unset, a new image would stop every worker at once. With false, the
        // new worker starts and turns healthy before the old one is stopped (the old one is
        // deleted after the program is done: deployment_executor.go, performPostSteps). Two
        // workers draining one queue at once is safe: examples/api moves each job with LMOVE
        // into a processing list, so a job is taken by one worker only and a killed worker's
        // job is not lost.
        deleteBeforeReplace: false,
        // A changed probe, or a failed wait, replaces the container (and waits again) instead of an
        // update that never reaches Docker; daemon-merged log options change nothing
        // (lib/container.ts).
        ...WAITED_CONTAINER_OPTIONS,
      },
    );
  }
}

type ResolvedWorkerServiceArgs = Omit<WorkerServiceArgs, keyof ResolvedServiceContainer> &
  ResolvedServiceContainer & {
    readonly replicas: number;
    readonly healthcheck: HealthTiming & {
      readonly heartbeatFile: string;
      readonly maxAgeMs: number;
    };
  };

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveWorkerServiceArgs(args: WorkerServiceArgs): ResolvedWorkerServiceArgs {
  const d = WORKER_SERVICE_DEFAULTS;
  const h = args.healthcheck ?? {};
  return {
    ...args,
    ...resolveServiceContainer(args, d),
    replicas: args.replicas ?? d.replicas,
    healthcheck: {
      heartbeatFile: h.heartbeatFile ?? d.healthcheck.heartbeatFile,
      maxAgeMs: h.maxAgeMs ?? d.healthcheck.maxAgeMs,
      intervalMs: h.intervalMs ?? d.healthcheck.intervalMs,
      timeoutMs: h.timeoutMs ?? d.healthcheck.timeoutMs,
      retries: h.retries ?? d.healthcheck.retries,
      startPeriodMs: h.startPeriodMs ?? d.healthcheck.startPeriodMs,
    },
  };
}
