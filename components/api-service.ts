import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { buildApiEnv } from "./lib/env";
import {
  httpProbe,
  toDockerHealthcheck,
  waitTimeoutSeconds,
  type HealthTiming,
} from "./lib/healthcheck";
import type { RedisConnectionOutputs } from "./redis-connection";
import { LOG_ROTATION, stackLabels, TYPES } from "./types";

export interface ApiServiceArgs {
  /** A pinned image, e.g. "ghcr.io/acme/api:1.4.2". */
  readonly image: string;
  /** The port the API listens on inside the container. @default 3003 */
  readonly port?: number;
  /** Host address the port is published on. @default "127.0.0.1" */
  readonly hostIp?: string;
  /** Host port. @default the container port */
  readonly hostPort?: number;
  /** Networks to join; the first should be the backend network Redis is on. */
  readonly networkNames: pulumi.Input<string>[];
  /** Whichever Redis back end the stack chose. */
  readonly redis: RedisConnectionOutputs;
  /** Resources the API must not start before (the Redis container, waited healthy). */
  readonly dependsOn?: pulumi.Resource[];
  readonly secretKey: pulumi.Input<string>;
  /** Plain env. @default {} */
  readonly env?: Record<string, string>;
  /** Secret env, e.g. from `config.requireSecretObject`. @default {} */
  readonly secretEnv?: pulumi.Input<Record<string, string>>;
  /** @default "unless-stopped" */
  readonly restart?: "no" | "on-failure" | "always" | "unless-stopped";
  readonly maxRetryCount?: number;
  /** HTTP path the probe requests. @default "/health" */
  readonly healthPath?: string;
  /** A probe for images without curl, e.g. ["CMD", "wget", "-qO-", "http://127.0.0.1:3003/health"]. */
  readonly healthCommand?: string[];
  /** @default interval 30s, timeout 10s, retries 5, start period 60s */
  readonly healthcheck?: HealthTiming;
  /** Memory limit, MB. @default unlimited */
  readonly memoryMb?: number;
  /** CPU limit, e.g. 0.5. @default unlimited */
  readonly cpus?: number;
  /** "uid:gid" to run as. @default the image's user */
  readonly user?: string;
  /** @default "SIGTERM" */
  readonly stopSignal?: string;
  /** Grace period before SIGKILL, ms. @default 30000 */
  readonly stopTimeoutMs?: number;
  readonly stack: string;
}

const DEFAULT_HEALTH: HealthTiming = {
  intervalMs: 30_000,
  timeoutMs: 10_000,
  retries: 5,
  startPeriodMs: 60_000,
};

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
  public readonly container: docker.Container;
  public readonly containerName: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: ApiServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.ApiService, name, {}, opts);
    const a = resolveApiServiceArgs(args);
    if (a.restart === "on-failure" && a.maxRetryCount === undefined) {
      throw new pulumi.ResourceError(
        '`maxRetryCount` is required with `restart: "on-failure"`: set a limit such as 5',
        this,
        true,
      );
    }
    if (a.networkNames.length === 0) {
      throw new pulumi.ResourceError(
        "`networkNames` is empty: pass the backend network Redis is on",
        this,
        true,
      );
    }
    this.container = this.createContainer(name, a);
    this.containerName = this.container.name;
    this.url = pulumi.output(
      `http://${a.hostIp.includes(":") ? `[${a.hostIp}]` : a.hostIp}:${a.hostPort}`,
    );
    this.registerOutputs({ containerName: this.containerName, url: this.url });
  }

  private createContainer(name: string, a: ResolvedApiServiceArgs): docker.Container {
    const r = a.redis;
    const envs = pulumi
      .all([r.host, r.port, r.tls, r.username, r.password, a.secretKey, a.secretEnv])
      .apply(([host, port, tls, username, password, secretKey, secretEnv]) =>
        buildApiEnv({
          redis: { host, port, tls, username, password },
          secretKey,
          env: a.env,
          secretEnv,
        }),
      );
    const tests = a.healthCommand ?? httpProbe(a.port, a.healthPath, a.healthcheck.timeoutMs);
    return new docker.Container(
      `${name}-server`,
      {
        image: a.image,
        envs: pulumi.secret(envs),
        networksAdvanced: a.networkNames.map((n) => ({ name: n })),
        ports: [{ internal: a.port, external: a.hostPort, ip: a.hostIp }],
        healthcheck: toDockerHealthcheck(tests, a.healthcheck),
        wait: true,
        waitTimeout: waitTimeoutSeconds(a.healthcheck),
        restart: a.restart,
        maxRetryCount: a.maxRetryCount,
        memory: a.memoryMb,
        // Swap limit = memory limit (no swap), and always sent with it: Docker refuses a
        // memory update above the container's current swap limit ("Memory limit should be
        // smaller than already set memoryswap limit"), and the provider's update sends
        // memory_swap only when it is set (kreuzwerker resource_docker_container_funcs.go,
        // resourceDockerContainerUpdate). Seen on the real engine in test/docker/update.test.ts.
        memorySwap: a.memoryMb,
        cpus: a.cpus === undefined ? undefined : String(a.cpus),
        user: a.user,
        // Every capability dropped and none added back: an HTTP server on an unprivileged port
        // needs none of Docker's default set (capabilities(7); NET_RAW alone would let a
        // compromised API forge packets on the Redis network). A port below 1024 for a
        // non-root user would be the one reason to add NET_BIND_SERVICE here, which is not an
        // escape capability. The pack checks both lines (container-drops-all-capabilities,
        // container-no-new-privileges): no setuid binary in the image can raise a process
        // back to root (CIS Docker Benchmark v1.6.0 §5.3, §5.25).
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        stopSignal: a.stopSignal,
        // `stopTimeout` is what `docker stop` and a daemon shutdown wait; the provider's
        // delete, which runs on every replace and destroy, waits `destroyGraceSeconds`
        // instead and SIGKILLs at once when it is unset (kreuzwerker/terraform-provider-docker
        // v4.5.0, resource_docker_container_funcs.go, resourceDockerContainerDelete).
        stopTimeout: Math.ceil(a.stopTimeoutMs / 1_000),
        destroyGraceSeconds: Math.ceil(a.stopTimeoutMs / 1_000),
        ...LOG_ROTATION,
        labels: stackLabels(a.stack, "api"),
      },
      {
        parent: this,
        dependsOn: a.dependsOn,
        // The host port can be bound by one container only, so Pulumi's default
        // create-before-delete would fail with "port is already allocated". The old
        // container is stopped first (gracefully, within stopTimeout) and the new one
        // started; the gap is the new container's start-up time.
        deleteBeforeReplace: true,
        // The provider has no ForceNew on `healthcheck` and its update applies only restart
        // and resources (resource_docker_container.go schema; resourceDockerContainerUpdate),
        // so without this a changed probe is a silent no-op.
        replaceOnChanges: ["healthcheck"],
      },
    );
  }
}

type ResolvedApiServiceArgs = Omit<ApiServiceArgs, "secretEnv"> & {
  readonly port: number;
  readonly hostIp: string;
  readonly hostPort: number;
  readonly env: Record<string, string>;
  readonly secretEnv: pulumi.Output<Record<string, string>>;
  readonly restart: NonNullable<ApiServiceArgs["restart"]>;
  readonly healthPath: string;
  readonly healthcheck: HealthTiming;
  readonly stopSignal: string;
  readonly stopTimeoutMs: number;
  readonly dependsOn: pulumi.Resource[];
};

export function resolveApiServiceArgs(args: ApiServiceArgs): ResolvedApiServiceArgs {
  const port = args.port ?? 3003;
  return {
    ...args,
    port,
    hostIp: args.hostIp ?? "127.0.0.1",
    hostPort: args.hostPort ?? port,
    env: args.env ?? {},
    secretEnv: pulumi.output(args.secretEnv ?? {}),
    restart: args.restart ?? "unless-stopped",
    healthPath: args.healthPath ?? "/health",
    healthcheck: args.healthcheck ?? DEFAULT_HEALTH,
    stopSignal: args.stopSignal ?? "SIGTERM",
    stopTimeoutMs: args.stopTimeoutMs ?? 30_000,
    dependsOn: args.dependsOn ?? [],
  };
}
