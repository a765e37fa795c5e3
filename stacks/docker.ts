/**
 * `platform: docker`: the services as containers on one Docker host, on the stack's networks,
 * with the edge proxy in front of the API when the stack has one.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService } from "../components/api-service";
import { Networks } from "../components/networks";
import type { StackSecrets } from "../components/stack-secrets";
import { WorkerService } from "../components/worker-service";
import type { StackConfig } from "./config";
import { createEdge } from "./edge";
import { createRedisBackend, type RedisBackend } from "./redis-backend";

export interface DockerStack {
  readonly redis: RedisBackend;
  readonly networks: Networks;
  readonly api: ApiService;
  readonly workers: (readonly [string, WorkerService])[];
  readonly edge?: ReturnType<typeof createEdge>;
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
  });

  const redis = createRedisBackend(cfg, secrets, networks, config);

  // Behind the edge proxy the API joins the frontend network under its alias and publishes
  // nothing; without it, one container publishes its port as before.
  const api = new ApiService("api", {
    ...cfg.api,
    networkNames: cfg.edge ? redis.networkNames : [...redis.networkNames, networks.edgeName],
    edgeNetworkName: cfg.edge ? networks.edgeName : undefined,
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
          redis: redis.connection,
          dependsOn: redis.dependsOn,
          secretKey: secrets.secretKey,
          secretEnv,
          stack: cfg.stack,
        }),
      ] as const,
  );

  const edge = cfg.edge ? createEdge(cfg, cfg.edge, networks, api, config) : undefined;
  return { redis, networks, api, workers, edge };
}
