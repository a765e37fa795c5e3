/**
 * Issue 13's corpus: mistakes in `workers`, `edge` and the API's replicas. Each starts from the
 * real Pulumi.<stack>.yaml and changes one setting (prod has the edge and the `jobs` worker;
 * dev has neither).
 */
import { merge, stackObject } from "../helpers/stack-blocks";
import type { BadConfigCase } from "./bad-config.cases";

type Obj = Record<string, unknown>;

/** prod's `workers` with `jobs` changed (or replaced, when `patch` is not an object merge). */
const jobs = (patch: Obj): Obj => ({
  "api-stack:workers": { jobs: merge((stackObject("prod", "workers").jobs ?? {}) as Obj, patch) },
});
/** prod's `workers` with `jobs` renamed. */
const renamed = (name: string): Obj => ({
  "api-stack:workers": { [name]: stackObject("prod", "workers").jobs },
});
const edge = (patch: Obj): Obj => ({ "api-stack:edge": merge(stackObject("prod", "edge"), patch) });

// Made up, PEM-shaped where it must be, never real.
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBfake0certificate0body\n-----END CERTIFICATE-----\n";
const KEY =
  "-----BEGIN PRIVATE KEY-----\nMIGHfake0key0body0Qk9Lm2Xz9Vb4Nc7R\n-----END PRIVATE KEY-----\n";
const NOT_PEM = "Qk9Lm2Xz9Vb4Nc7Rw1Ky5Hd3Gf6Js0PaEe";

export const SERVICE_CASES: BadConfigCase[] = [
  // Workers.
  {
    name: "worker with a hostPort",
    stack: "prod",
    overrides: jobs({ hostPort: 8080 }),
    expect: ["`api-stack:workers.jobs.hostPort` is not a known key", "a worker publishes nothing"],
  },
  {
    name: "worker with a port",
    stack: "prod",
    overrides: jobs({ port: 3003 }),
    expect: ["`api-stack:workers.jobs.port` is not a known key", "remove `port`"],
  },
  {
    name: 'worker named "api"',
    stack: "prod",
    overrides: renamed("api"),
    expect: ["`api-stack:workers.api` is not a valid name", "taken by the stack's own components"],
  },
  {
    name: "worker name with capitals and _",
    stack: "prod",
    overrides: renamed("Jobs_1"),
    expect: ["`api-stack:workers.Jobs_1` is not a valid name", "lower-case letters"],
  },
  {
    name: "workers.jobs without command",
    stack: "prod",
    overrides: jobs({ command: undefined }),
    expect: ["`api-stack:workers.jobs.command` is required"],
  },
  {
    name: "workers.jobs with an empty command",
    stack: "prod",
    overrides: jobs({ command: [] }),
    expect: ["`api-stack:workers.jobs.command` must name the program"],
  },
  {
    name: "worker command as one string",
    stack: "prod",
    overrides: jobs({ command: "node /app/server.js worker" }),
    expect: ["`api-stack:workers.jobs.command` must be a list of strings"],
  },
  {
    name: "worker heartbeat file not absolute",
    stack: "prod",
    overrides: jobs({ healthcheck: { heartbeatFile: "tmp/worker-heartbeat" } }),
    expect: ["`api-stack:workers.jobs.healthcheck.heartbeatFile` must be an absolute path"],
  },
  {
    name: "worker heartbeat file with a shell substitution",
    stack: "prod",
    overrides: jobs({ healthcheck: { heartbeatFile: "/tmp/$(reboot)" } }),
    expect: ["`api-stack:workers.jobs.healthcheck.heartbeatFile` must be an absolute path"],
  },
  {
    name: "worker heartbeat maxAge under 1s",
    stack: "prod",
    overrides: jobs({ healthcheck: { maxAge: "500ms" } }),
    expect: ["`api-stack:workers.jobs.healthcheck.maxAge` must be at least 1s"],
  },
  {
    name: "worker probe timeout longer than its interval",
    stack: "prod",
    overrides: jobs({ healthcheck: { interval: "5s", timeout: "10s" } }),
    expect: ["`api-stack:workers.jobs.healthcheck.timeout` (10s) must be shorter than `interval`"],
  },
  {
    name: "prod worker without cpus",
    stack: "prod",
    overrides: jobs({ cpus: undefined }),
    expect: ["`api-stack:workers.jobs.cpus` is required in production"],
  },
  {
    name: "prod worker without memoryMb",
    stack: "prod",
    overrides: jobs({ memoryMb: undefined }),
    expect: ["`api-stack:workers.jobs.memoryMb` is required in production"],
  },
  {
    name: 'prod worker with restart "no"',
    stack: "prod",
    overrides: jobs({ restart: "no" }),
    expect: ['`api-stack:workers.jobs.restart` must not be "no" in a production stack'],
  },
  {
    name: "worker on-failure without maxRetryCount",
    stack: "prod",
    overrides: jobs({ restart: "on-failure" }),
    expect: ["`api-stack:workers.jobs.maxRetryCount` is required when `workers.jobs.restart`"],
  },
  {
    name: "worker with a secret in plain env",
    stack: "prod",
    overrides: jobs({ env: { QUEUE_TOKEN: "Tq8Lm2Xz9Vb4Nc7Rw1Ky5Hd3Gf6Js0P" } }),
    secretValues: ["Tq8Lm2Xz9Vb4Nc7Rw1Ky5Hd3Gf6Js0P"],
    expect: [
      "`api-stack:workers.jobs.env.QUEUE_TOKEN` looks like a secret",
      "secretEnv.QUEUE_TOKEN",
    ],
  },
  {
    name: "worker overriding REDIS_URL",
    stack: "prod",
    overrides: jobs({ env: { REDIS_URL: "redis://other:6379" } }),
    expect: ["`api-stack:workers.jobs.env.REDIS_URL` is set by the stack"],
  },
  {
    name: "worker with 0 replicas",
    stack: "prod",
    overrides: jobs({ replicas: 0 }),
    expect: ["`api-stack:workers.jobs.replicas` must be at least 1"],
  },
  // The API's replicas.
  {
    name: "dev api.replicas 2 without the edge",
    stack: "dev",
    api: { replicas: 2 },
    expect: ["`api-stack:api.replicas` (2) needs the `edge` proxy", "only one container can bind"],
  },
  {
    name: "prod behind the edge with api.replicas 1",
    stack: "prod",
    api: { replicas: 1 },
    expect: ["`api-stack:api.replicas` (1) must be at least 2 in production", "edge-web-replicas"],
  },
  {
    name: "api.replicas above the limit",
    stack: "prod",
    api: { replicas: 21 },
    expect: ["`api-stack:api.replicas` must be at most 20"],
  },
  // The edge proxy.
  // Maintenance mode (issue 25).
  {
    name: "edge.maintenance.message with a line break",
    stack: "prod",
    overrides: edge({ maintenance: { message: "Back soon.\nReally." } }),
    expect: ["`api-stack:edge.maintenance.message`", "one line of plain text"],
  },
  {
    name: "edge.maintenance.allow with a host name",
    stack: "prod",
    overrides: edge({ maintenance: { allow: ["office.example.com"] } }),
    expect: ["`api-stack:edge.maintenance.allow.0`", "IP address or CIDR block"],
  },
  {
    name: "edge.maintenance.retryAfter in fractions of a second",
    stack: "prod",
    overrides: edge({ maintenance: { retryAfter: "1500ms" } }),
    expect: ["`api-stack:edge.maintenance.retryAfter`", "whole seconds"],
  },
  {
    name: "edge.maintenance.enabled as a string",
    stack: "prod",
    overrides: edge({ maintenance: { enabled: "yes" } }),
    expect: ["`api-stack:edge.maintenance.enabled`"],
  },
  {
    name: "edge without tls",
    stack: "prod",
    overrides: edge({ tls: undefined }),
    expect: ["`api-stack:edge.tls` is required"],
  },
  {
    name: "edge with an unknown tls source",
    stack: "prod",
    overrides: edge({ tls: "letsencrypt" }),
    expect: ['`api-stack:edge.tls` is "letsencrypt"', '"selfSigned"', '"config"', '"acme"'],
  },
  {
    name: "edge with api.hostPort",
    stack: "prod",
    api: { hostPort: 8080 },
    expect: ["`api-stack:api.hostPort` is set, but with `edge` the API publishes nothing"],
  },
  {
    name: "edge with api.hostIp",
    stack: "prod",
    api: { hostIp: "127.0.0.1" },
    expect: ["`api-stack:api.hostIp` is set, but with `edge`", "remove `api.hostIp`"],
  },
  {
    name: "edge httpPort equal to httpsPort",
    stack: "prod",
    overrides: edge({ httpsPort: 80 }),
    expect: [
      /has 1 configuration problem:/,
      "`api-stack:edge.httpsPort` (80) is also `edge.httpPort`",
    ],
  },
  {
    name: "edge port out of range",
    stack: "prod",
    overrides: edge({ httpsPort: 70000 }),
    expect: ["`api-stack:edge.httpsPort`", "65535"],
  },
  {
    name: "prod edge on 8443",
    stack: "prod",
    overrides: edge({ httpsPort: 8443 }),
    expect: ["`api-stack:edge.httpsPort` (8443) must be 443 in production", "edge-proxy-ports"],
  },
  {
    name: "prod edge without memoryMb",
    stack: "prod",
    overrides: edge({ memoryMb: undefined }),
    expect: ["`api-stack:edge.memoryMb` is required in production"],
  },
  {
    name: "edge with an nginx image",
    stack: "prod",
    overrides: edge({ image: "nginx:1.27.3" }),
    expect: ["`api-stack:edge.image` must be an HAProxy image"],
  },
  {
    name: "edge dnsNames with a URL",
    stack: "prod",
    overrides: edge({ dnsNames: ["https://api.example.com"] }),
    expect: ["`api-stack:edge.dnsNames.0` must be a DNS name"],
  },
  {
    name: "tls: config without the secrets",
    stack: "prod",
    overrides: edge({ tls: "config" }),
    expect: [
      "`api-stack:edgeCertificate` is required with `edge.tls: config`",
      "`api-stack:edgePrivateKey` is required with `edge.tls: config`",
      'pulumi config set --secret edgePrivateKey -- "$(cat key.pem)"',
    ],
  },
  {
    name: "tls: config with a key that is not PEM",
    stack: "prod",
    overrides: edge({ tls: "config" }),
    secrets: { "api-stack:edgeCertificate": CERT, "api-stack:edgePrivateKey": NOT_PEM },
    expect: ["`api-stack:edgePrivateKey` is not a PEM private key"],
  },
  {
    name: "tls: config with the key in plain text",
    stack: "prod",
    overrides: { ...edge({ tls: "config" }), "api-stack:edgePrivateKey": KEY },
    secrets: { "api-stack:edgeCertificate": CERT },
    secretValues: [KEY, "MIGHfake0key0body"],
    expect: [
      "`api-stack:edgePrivateKey` is stored in plain text",
      'pulumi config set --secret edgePrivateKey -- "$(cat key.pem)"',
    ],
  },
  {
    name: "edgeCertificate with tls: selfSigned",
    stack: "prod",
    secrets: { "api-stack:edgeCertificate": CERT },
    expect: ["`api-stack:edgeCertificate` only applies with `edge.tls: config`"],
  },
];
