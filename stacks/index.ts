/**
 * The program: config in, components out. Every environment difference lives in
 * Pulumi.<stack>.yaml; this file only composes.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackSecrets } from "../components/stack-secrets";
import { readStackConfig } from "./config";
import { createDockerStack } from "./docker";
import { createEcsStack } from "./ecs";
import type { RedisBackend } from "./redis-backend";

const cfg = readStackConfig();
const config = new pulumi.Config();

const secrets = new StackSecrets("app", {
  redisPassword: cfg.secrets.redisPassword ? config.requireSecret("redisPassword") : undefined,
  secretKey: cfg.secrets.secretKey ? config.requireSecret("secretKey") : undefined,
  redisPasswords: cfg.redis.mode === "local",
  backupPassword: cfg.redis.mode === "local" && cfg.redis.backup !== undefined,
  exporterPassword:
    cfg.platform === "docker" && cfg.monitoring !== undefined && cfg.redis.mode === "local",
});

const secretEnv =
  cfg.secrets.secretEnvNames.length > 0
    ? config.requireSecretObject<Record<string, string>>("secretEnv")
    : undefined;

const docker =
  cfg.platform === "docker" ? createDockerStack(cfg, secrets, secretEnv, config) : undefined;
const ecs = cfg.platform === "ecs" ? createEcsStack(cfg, secrets, secretEnv, config) : undefined;
const redis = (docker?.redis ?? ecs?.redis) as RedisBackend;
const api = docker?.api;
const edge = docker?.edge;
const workers = docker?.workers ?? [];

export const environment = cfg.production ? "production" : "development";
export const platform = cfg.platform;
/** Where clients reach the API: the ALB's or the edge proxy's HTTPS URL when there is one. */
export const apiUrl = ecs ? ecs.platform.url : edge ? edge.url : api?.url;
/** `platform: ecs`: the ALB's DNS name (point your domain's CNAME at it), the cluster and services. */
export const albDnsName = ecs?.platform.albDnsName;
export const clusterName = ecs?.platform.clusterName;
export const serviceNames = ecs
  ? pulumi.output(Object.fromEntries(ecs.services.map(([key, s]) => [key, s.serviceName])))
  : undefined;
/** `platform: ecs` with `monitoring`: the topic the alarms publish to, and their dashboard. */
export const alarmTopicArn = ecs?.alarms?.topicArn;
export const alarmDashboardName = ecs?.alarms?.dashboardName;
export const edgeUrl = edge?.url;
export const edgeContainerName = edge?.containerName;
/** The edge's installer: its log says why a new config or certificate was refused. */
export const edgeConfigContainerName = edge?.installer.name;
/** The name the edge's certificate is for, and the certificate: what a client must trust. */
export const edgeDnsName = cfg.edge?.dnsNames[0];
export const edgeCertificatePem = edge?.certificatePem;
export const apiContainerNames = api?.containerNames;
export const workerContainerNames = pulumi.output(
  Object.fromEntries(workers.map(([name, w]) => [name, w.containerNames])),
);
export const apiHealthPath = cfg.api.healthcheck.path;
export const apiStartPeriodSeconds = cfg.api.healthcheck.startPeriodMs / 1_000;
export const apiContainerName = api?.containerName;
export const redisContainerName = redis.containerName;
/** `npm run backup` / `npm run restore`: the snapshot container, and the offsite one if any. */
export const redisBackupContainerName = redis.backupContainerName;
export const redisOffsiteContainerName = redis.offsiteContainerName;
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
export const backendNetwork = docker?.networks.backendName;
