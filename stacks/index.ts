/**
 * The program: config in, components out. Every environment difference lives in
 * Pulumi.<stack>.yaml; this file only composes.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService } from "../components/api-service";
import { Networks } from "../components/networks";
import { StackSecrets } from "../components/stack-secrets";
import { WorkerService } from "../components/worker-service";
import { readStackConfig } from "./config";
import { createEdge } from "./edge";
import { createRedisBackend } from "./redis-backend";

const cfg = readStackConfig();
const config = new pulumi.Config();

const secrets = new StackSecrets("app", {
  redisPassword: cfg.secrets.redisPassword ? config.requireSecret("redisPassword") : undefined,
  secretKey: cfg.secrets.secretKey ? config.requireSecret("secretKey") : undefined,
  redisPasswords: cfg.redis.mode === "local",
});

const networks = new Networks("app", {
  labels: [{ label: "com.api-stack.stack", value: cfg.stack }],
  backend: cfg.redis.mode === "local",
  debug: cfg.redis.mode === "local" && cfg.redis.debugPort !== undefined,
});

const redis = createRedisBackend(cfg, secrets, networks, config);

const secretEnv =
  cfg.secrets.secretEnvNames.length > 0
    ? config.requireSecretObject<Record<string, string>>("secretEnv")
    : undefined;

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

export const environment = cfg.production ? "production" : "development";
/** Where clients reach the API: the edge proxy's HTTPS URL when there is one. */
export const apiUrl = edge ? edge.url : api.url;
export const edgeUrl = edge?.url;
export const edgeContainerName = edge?.containerName;
export const apiContainerNames = api.containerNames;
export const workerContainerNames = pulumi.output(
  Object.fromEntries(workers.map(([name, w]) => [name, w.containerNames])),
);
export const apiHealthPath = cfg.api.healthcheck.path;
export const apiStartPeriodSeconds = cfg.api.healthcheck.startPeriodMs / 1_000;
export const apiContainerName = api.containerName;
export const redisContainerName = redis.containerName;
export const redisMode = cfg.redis.mode;
export const redisHost = redis.connection.host;
export const redisPort = redis.connection.port;
export const redisTls = redis.connection.tls;
export const redisUrl = redis.connection.url;
export const redisUsername = redis.connection.username;
export const redisPassword = redis.connection.password;
export const redisAdminUrl = redis.adminUrl;
export const redisHostUrl = redis.hostUrls?.app;
export const redisAdminHostUrl = redis.hostUrls?.admin;
export const secretKey = secrets.secretKey;
export const backendNetwork = networks.backendName;
