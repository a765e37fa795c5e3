/**
 * `platform: docker`: the services as containers on one Docker host, on the stack's networks,
 * with the edge proxy in front of the API when the stack has one.
 */
import * as pulumi from "@pulumi/pulumi";
import { API_ALIAS, ApiService } from "../components/api-service";
import type { EdgeProxy } from "../components/edge-proxy";
import { REDIS_USERS } from "../components/lib/redis-conf";
import { REDIS_ALIAS } from "../components/local-redis";
import { Monitoring } from "../components/monitoring";
import { Networks } from "../components/networks";
import type { StackSecrets } from "../components/stack-secrets";
import { WorkerService } from "../components/worker-service";
import { PROD_MIN_WEB_REPLICAS, type StackConfig } from "./config";
import type { MonitoringConfig } from "./config/schema";
import { createEdge, EDGE_BACKEND } from "./edge";
import { createRedisBackend, type RedisBackend } from "./redis-backend";

export interface DockerStack {
  readonly redis: RedisBackend;
  readonly networks: Networks;
  readonly api: ApiService;
  readonly workers: (readonly [string, WorkerService])[];
  readonly edge?: ReturnType<typeof createEdge>;
  readonly monitoring?: Monitoring;
}

export function createDockerStack(
  cfg: StackConfig,
  secrets: StackSecrets,
  secretEnv: pulumi.Output<Record<string, string>> | undefined,
  config: pulumi.Config,
): DockerStack {
  const networks = new Networks("app", {
    labels: [{ label: "com.api-stack.stack", value: cfg.stack }],
    backend: cfg.redis.mode === "local",
    debug: cfg.redis.mode === "local" && cfg.redis.debugPort !== undefined,
    monitoring: cfg.monitoring !== undefined,
  });

  const redis = createRedisBackend(cfg, secrets, networks, config);

  // Behind the edge proxy the API joins the frontend network under its alias and publishes
  // nothing; without it, one container publishes its port as before.
  const api = new ApiService("api", {
    ...cfg.api,
    networkNames: cfg.edge ? redis.networkNames : [...redis.networkNames, networks.edgeName],
    edgeNetworkName: cfg.edge ? networks.edgeName : undefined,
    monitoringNetworkName: networks.monitoringName,
    redis: redis.connection,
    dependsOn: redis.dependsOn,
    secretKey: secrets.secretKey,
    secretEnv,
    stack: cfg.stack,
  });

  // Workers reach Redis on the backend network and the outside world through the edge network
  // (outbound only: no alias, no port), with the API's connection env and secrets.
  const workers = Object.entries(cfg.workers).map(
    ([name, w]) =>
      [
        name,
        new WorkerService(name, {
          ...w,
          networkNames: [...redis.networkNames, networks.edgeName],
          monitoringNetworkName: networks.monitoringName,
          redis: redis.connection,
          dependsOn: redis.dependsOn,
          secretKey: secrets.secretKey,
          secretEnv,
          stack: cfg.stack,
        }),
      ] as const,
  );

  const edge = cfg.edge ? createEdge(cfg, cfg.edge, networks, api, config) : undefined;
  const monitoring = cfg.monitoring
    ? createMonitoring(cfg, cfg.monitoring, networks, secrets, redis, edge, config)
    : undefined;
  return { redis, networks, api, workers, edge, monitoring };
}

/** Prometheus, Alertmanager and redis_exporter on the stack's monitoring networks. */
function createMonitoring(
  cfg: StackConfig,
  m: MonitoringConfig,
  networks: Networks,
  secrets: StackSecrets,
  redis: RedisBackend,
  edge: EdgeProxy | undefined,
  config: pulumi.Config,
): Monitoring {
  const local = cfg.redis.mode === "local" ? cfg.redis : undefined;
  return new Monitoring("monitoring", {
    ...m,
    // stacks/config/monitoring.ts refuses "email" on the Docker platform.
    receiver: m.receiver === "email" ? "none" : m.receiver,
    receiverUrl: cfg.secrets.alertWebhookUrl ? config.requireSecret("alertWebhookUrl") : undefined,
    networkName: networks.monitoringName as pulumi.Output<string>,
    egressNetworkName: networks.alertsName as pulumi.Output<string>,
    api: { alias: API_ALIAS },
    workers: Object.keys(cfg.workers),
    edge:
      edge && cfg.edge
        ? {
            backend: EDGE_BACKEND,
            // What edge-web-replicas asks of production, and no more than the stack runs.
            minHealthy: Math.min(PROD_MIN_WEB_REPLICAS, cfg.api.replicas),
            certificateNotAfter: edge.certificateNotAfter,
          }
        : undefined,
    redis:
      local && secrets.exporterPassword
        ? {
            networkName: networks.backendName as pulumi.Output<string>,
            host: REDIS_ALIAS,
            port: local.port,
            user: REDIS_USERS.exporter,
            password: secrets.exporterPassword,
            dependsOn: redis.dependsOn,
          }
        : undefined,
    backupEveryMs: local?.backup?.everyMs,
    restart: cfg.production ? "always" : "unless-stopped",
    stack: cfg.stack,
  });
}
