/**
 * Known-good stacks shaped like our program (Docker API + Redis/Valkey, and ElastiCache), as
 * the engine would send them. Bad cases are built by mutating one thing in a good stack.
 */
import { ResourceRecord, secret, UNKNOWN, urnOf } from "../../../gate";

export const T = {
  container: "docker:index/container:Container",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  password: "random:index/randomPassword:RandomPassword",
  randomId: "random:index/randomId:RandomId",
  replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
  serverless: "aws:elasticache/serverlessCache:ServerlessCache",
  cluster: "aws:elasticache/cluster:Cluster",
  user: "aws:elasticache/user:User",
  userGroup: "aws:elasticache/userGroup:UserGroup",
  subnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
} as const;

export const REDIS_PW = "Vq7mK2pX9rT4wL8zN3cF6hJ1sD5gB0aY";
export const PROBE_PW = "Hn4Qz8Lw2Rt6Yp1Xc5Vb9Mk3Js7Dg0Fa";
export const SECRET_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
export const CONF = "/usr/local/etc/redis/redis.conf";
export const PROBE_FILE = "/usr/local/etc/redis/probe.secret";

export const REDIS_CONF = [
  `user default on >${REDIS_PW} ~* &* +@all -@admin`,
  `user probe on >${PROBE_PW} -@all +ping`,
  "appendonly yes",
  "maxmemory 200mb",
  "protected-mode yes",
].join("\n");

export const REDIS_PROBE = `REDISCLI_AUTH="$(cat ${PROBE_FILE})" redis-cli --no-auth-warning --user probe -h 127.0.0.1 -p 6379 ping | grep -qx PONG`;

export function res(
  type: string,
  name: string,
  properties: Record<string, unknown>,
  extra: Partial<Omit<ResourceRecord, "type" | "name" | "properties" | "urn">> = {},
): ResourceRecord {
  return { urn: urnOf(type, name), type, name, properties, ...extra };
}

export const urn = (type: string, name: string): string => urnOf(type, name);

export const redisPassword = res(T.password, "redis-password", {
  length: 32,
  special: false,
  result: secret(REDIS_PW),
});
export const probePassword = res(T.password, "probe-password", {
  length: 32,
  special: false,
  result: secret(PROBE_PW),
});
export const secretKey = res(T.randomId, "secret-key", { byteLength: 32, hex: secret(SECRET_KEY) });
export const network = res(T.network, "internal", {
  name: "api-stack-prod-internal",
  internal: true,
});
/** The API's second network: Docker publishes no port of a container on internal ones only. */
export const edge = res(T.network, "edge", { name: "api-stack-prod-edge", internal: false });

const logOpts = { "max-size": "10m", "max-file": "3" };

export function redisProps(image = "redis:7.4-alpine"): Record<string, unknown> {
  const server = image.includes("valkey") ? "valkey-server" : "redis-server";
  return {
    name: "api-stack-prod-redis",
    image,
    command: [server, CONF],
    uploads: [
      { file: CONF, content: secret(REDIS_CONF) },
      { file: PROBE_FILE, content: secret(PROBE_PW) },
    ],
    healthcheck: {
      tests: ["CMD-SHELL", REDIS_PROBE],
      interval: "10s",
      timeout: "3s",
      startPeriod: "20s",
      retries: 5,
    },
    networksAdvanced: [{ name: "api-stack-prod-internal", aliases: ["redis"] }],
    // As components/local-redis-server.ts: the image's redis uid, no capability, no privilege
    // escalation.
    user: "999",
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    restart: "unless-stopped",
    logDriver: "json-file",
    logOpts,
    memory: 256,
    stopTimeout: 30,
    destroyGraceSeconds: 30,
    wait: true,
    waitTimeout: 90,
  };
}

export function apiProps(): Record<string, unknown> {
  return {
    name: "api-stack-prod-api",
    image: "ghcr.io/acme/api:1.4.2",
    envs: secret([
      `REDIS_URL=redis://:${REDIS_PW}@redis:6379`,
      `REDIS_PASSWORD=${REDIS_PW}`,
      `SECRET_KEY=${SECRET_KEY}`,
      "PORT=3003",
      "NODE_ENV=production",
    ]),
    ports: [{ internal: 3003, external: 3003, ip: "127.0.0.1", protocol: "tcp" }],
    healthcheck: {
      tests: ["CMD-SHELL", "curl -fsS http://localhost:3003/health || exit 1"],
      interval: "10s",
      timeout: "3s",
      startPeriod: "30s",
      retries: 5,
    },
    networksAdvanced: [
      { name: "api-stack-prod-internal", aliases: ["api"] },
      { name: "api-stack-prod-edge" },
    ],
    // As components/api-service.ts.
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    restart: "unless-stopped",
    logOpts,
    memory: 512,
    stopTimeout: 30,
    destroyGraceSeconds: 30,
    wait: true,
    waitTimeout: 180,
  };
}

export function redisContainer(
  props = redisProps(),
  extra: Partial<ResourceRecord> = {},
): ResourceRecord {
  return res(T.container, "redis", props, {
    dependencies: [redisPassword.urn, probePassword.urn, network.urn],
    propertyDependencies: {
      uploads: [redisPassword.urn, probePassword.urn],
      networksAdvanced: [network.urn],
    },
    ...extra,
  });
}

export function apiContainer(
  props = apiProps(),
  extra: Partial<ResourceRecord> = {},
): ResourceRecord {
  const redisUrn = urn(T.container, "redis");
  return res(T.container, "api", props, {
    dependencies: [redisPassword.urn, secretKey.urn, redisUrn, network.urn, edge.urn],
    propertyDependencies: {
      envs: [redisPassword.urn, secretKey.urn, redisUrn],
      networksAdvanced: [network.urn, edge.urn],
    },
    ...extra,
  });
}

/**
 * Prometheus or Alertmanager as components/monitoring.ts runs them (issue 24): a production
 * stack without both draws docker-stack-monitored's advisory, so the good stacks have them.
 */
export function monitoringProps(role: "prometheus" | "alertmanager"): Record<string, unknown> {
  const port = role === "prometheus" ? 9090 : 9093;
  return {
    image: role === "prometheus" ? "prom/prometheus:v2.53.3" : "prom/alertmanager:v0.28.1",
    command: [`--config.file=/etc/${role}/${role}.yml`],
    user: "65534",
    uploads: [{ file: `/etc/${role}/${role}.yml`, content: "global: {}\n" }],
    networksAdvanced: [{ name: "api-stack-prod-monitoring", aliases: [role] }],
    ports: [],
    healthcheck: {
      tests: ["CMD", "wget", "-q", "--spider", `http://127.0.0.1:${port}/-/ready`],
      interval: "15s",
      timeout: "5s",
      startPeriod: "30s",
      retries: 3,
    },
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    restart: "unless-stopped",
    logOpts,
    memory: role === "prometheus" ? 512 : 64,
    stopTimeout: 30,
    destroyGraceSeconds: 30,
    wait: true,
    waitTimeout: 95,
  };
}

export const monitoringContainers = (): ResourceRecord[] => [
  res(T.container, "prometheus", monitoringProps("prometheus")),
  res(T.container, "alertmanager", monitoringProps("alertmanager")),
];

/** The whole Docker stack, values known (as at `pulumi up`). */
export function dockerStack(
  opts: { redis?: ResourceRecord | null; api?: ResourceRecord } = {},
): ResourceRecord[] {
  const redis = opts.redis === undefined ? redisContainer() : opts.redis;
  return [
    redisPassword,
    probePassword,
    secretKey,
    network,
    edge,
    ...(redis ? [redis] : []),
    opts.api ?? apiContainer(),
    ...monitoringContainers(),
  ];
}

/** The same stack at first preview: passwords unknown, secrets still marked secret. */
export function dockerStackAtPreview(): ResourceRecord[] {
  const unknownPw = (r: ResourceRecord): ResourceRecord => ({
    ...r,
    properties: {
      ...r.properties,
      result: secret(UNKNOWN),
      hex: r.type === T.randomId ? secret(UNKNOWN) : undefined,
    },
  });
  const redis = redisProps();
  redis.uploads = [
    { file: CONF, content: secret(UNKNOWN) },
    { file: PROBE_FILE, content: secret(UNKNOWN) },
  ];
  const api = apiProps();
  api.envs = secret(UNKNOWN);
  return [
    unknownPw(redisPassword),
    unknownPw(probePassword),
    unknownPw(secretKey),
    network,
    edge,
    redisContainer(redis),
    apiContainer(api),
    ...monitoringContainers(),
  ];
}

export const vpc = res(T.vpc, "vpc", { cidrBlock: "10.20.0.0/16" });
export const subnetA = res(T.subnet, "private-a", {
  cidrBlock: "10.20.1.0/24",
  vpcId: "vpc-123",
  mapPublicIpOnLaunch: false,
});
export const subnetB = res(T.subnet, "private-b", {
  cidrBlock: "10.20.2.0/24",
  vpcId: "vpc-123",
  mapPublicIpOnLaunch: false,
});
export const subnetGroup = res(T.subnetGroup, "cache-subnets", {
  name: "api-cache-subnets",
  subnetIds: ["subnet-a", "subnet-b"],
});
export const cacheToken = res(T.password, "cache-token", {
  length: 48,
  special: false,
  result: secret("Zr8Kq3Wm7Tn2Vx6Pb1Lc5Hy9Jd4Fs0GaZr8Kq3Wm7Tn2Vx6"),
});

export function cacheSg(ingress?: unknown[]): ResourceRecord {
  return res(T.sg, "cache-sg", {
    vpcId: "vpc-123",
    description: "cache",
    ingress: ingress ?? [
      {
        protocol: "tcp",
        fromPort: 6379,
        toPort: 6379,
        cidrBlocks: ["10.20.0.0/16"],
        ipv6CidrBlocks: [],
      },
    ],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
  });
}

/** The replication group as the program registers it (ElastiCacheValkey component). */
export function replicationGroupProps(): Record<string, unknown> {
  return {
    description: "api cache",
    engine: "valkey",
    engineVersion: "8.0",
    nodeType: "cache.t4g.small",
    port: 6379,
    numCacheClusters: 2,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    authToken: secret("Zr8Kq3Wm7Tn2Vx6Pb1Lc5Hy9Jd4Fs0GaZr8Kq3Wm7Tn2Vx6"),
    authTokenUpdateStrategy: "ROTATE",
    subnetGroupName: "api-cache-subnets",
    securityGroupIds: ["sg-123"],
    parameterGroupName: "default.valkey8",
    snapshotRetentionLimit: 7,
    snapshotWindow: "03:00-04:00",
    maintenanceWindow: "sun:05:00-sun:06:00",
    finalSnapshotIdentifier: "api-cache-final",
    autoMinorVersionUpgrade: true,
    applyImmediately: false,
    logDeliveryConfigurations: [
      {
        destination: "/api-stack/prod/valkey-slow-log",
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType: "slow-log",
      },
    ],
  };
}

export function replicationGroup(
  props = replicationGroupProps(),
  extra: Partial<ResourceRecord> = {},
): ResourceRecord {
  return res(T.replicationGroup, "cache", props, {
    dependencies: [cacheToken.urn, subnetGroup.urn],
    propertyDependencies: { authToken: [cacheToken.urn], subnetGroupName: [subnetGroup.urn] },
    ...extra,
  });
}

export function elasticacheStack(
  opts: { cache?: ResourceRecord; sg?: ResourceRecord; extra?: ResourceRecord[] } = {},
): ResourceRecord[] {
  return [
    vpc,
    subnetA,
    subnetB,
    subnetGroup,
    cacheToken,
    opts.sg ?? cacheSg(),
    opts.cache ?? replicationGroup(),
    ...(opts.extra ?? []),
  ];
}
