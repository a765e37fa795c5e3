/**
 * The program: config in, components out. Every environment difference lives in
 * Pulumi.<stack>.yaml; this file only composes.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiService } from "../components/api-service";
import { Networks } from "../components/networks";
import { StackSecrets } from "../components/stack-secrets";
import { readStackConfig } from "./config";
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

const api = new ApiService("api", {
  ...cfg.api,
  networkNames: [...redis.networkNames, networks.edgeName],
  redis: redis.connection,
  dependsOn: redis.dependsOn,
  secretKey: secrets.secretKey,
  secretEnv,
  stack: cfg.stack,
});

export const environment = cfg.production ? "production" : "development";
export const apiUrl = api.url;
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
