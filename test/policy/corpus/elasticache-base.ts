/**
 * ElastiCache stacks shaped like the program's `elasticache` and `external` Redis modes: the
 * resources the ElastiCacheValkey / ExternalRedis components register, and the API container
 * reaching them over TLS with no local Redis container. Each comes in three forms: values known
 * (`pulumi up`), and at a first preview as Analyze sees the inputs and as AnalyzeStack sees the
 * outputs (computed properties unknown).
 */
import { ResourceRecord, secret, UNKNOWN } from "../../../gate";
import {
  apiProps,
  network,
  replicationGroupProps,
  res,
  SECRET_KEY,
  secretKey,
  subnetA,
  subnetB,
  T,
  vpc,
} from "./base";

/** The overrideSpecial the program uses: no / " @ or space. */
export const SAFE_SPECIAL = "!#$%^&*()-_=+[]{}<>:?";
export const EC_TOKEN = "Qm7#Xv2(Lp9]Tz4{Hc8<Nw3-Rb6=Kd1?Fs5:Gy0^Jx7&Pn2*Ua8)Wq4[Ce9}Vt3K";
export const APP_PW = "Hb4!Zk8$Mq2%Rv6^Tw0&Yc3*Ld7(Pf1)Sg5-Xj9_Nn2+Bh6=Ck0[Dm4]Fr8{Gs1}";
export const DEFAULT_PW = "Wt3<Ka7>Ue1:Ob5?Iz9#Ep2$Ay6%Sl0^Dq4&Fh8*Gm2(Hn6)Jr0-Kv4_Lx8+Mb1=";
const ENDPOINT = "master.api-stack-prod-cache.x1y2z3.use1.cache.amazonaws.com";
const SERVERLESS_ENDPOINT = "api-stack-prod-x1y2z3.serverless.use1.cache.amazonaws.com";
const COMPONENT = "api-stack:components:ElastiCacheValkey";
const EXTERNAL = "api-stack:components:ExternalRedis";

type Mode = "up" | "preview-inputs" | "preview-outputs";
type Props = Record<string, unknown>;

/** `value` when known; a secret unknown at preview. */
const sv = (mode: Mode, value: unknown): unknown =>
  mode === "up" ? secret(value) : secret(UNKNOWN);
/** `value` when known; unknown at preview (an id or name computed by AWS). */
const v = (mode: Mode, value: unknown): unknown => (mode === "up" ? value : UNKNOWN);
/** Adds the properties the provider computes: unknown in preview outputs, known otherwise. */
const computed = (mode: Mode, props: Props, outs: Props): Props =>
  mode === "preview-inputs"
    ? props
    : {
        ...props,
        ...Object.fromEntries(
          Object.entries(outs).map(([k, x]) => [k, mode === "preview-outputs" ? UNKNOWN : x]),
        ),
      };

export function tokenGenerator(
  name: string,
  mode: Mode,
  value: string,
  props: Props = { special: true, overrideSpecial: SAFE_SPECIAL },
  parent?: string,
): ResourceRecord {
  return res(
    T.password,
    name,
    computed(
      mode,
      { length: 64, lower: true, upper: true, numeric: true, minSpecial: 0, ...props },
      { result: secret(value), bcryptHash: secret("$2a$10$abc"), id: "none" },
    ),
    parent ? { parent } : {},
  );
}

export function apiEnvs(mode: Mode, url: string, host: string, password: string): unknown {
  const known = [
    `REDIS_URL=${url}`,
    `REDIS_HOST=${host}`,
    "REDIS_PORT=6379",
    `REDIS_PASSWORD=${password}`,
    "REDIS_TLS=true",
    `SECRET_KEY=${SECRET_KEY}`,
    "PORT=3003",
    "NODE_ENV=production",
  ];
  // The program builds envs as one Output: unknown as a whole while any input is unknown.
  return mode === "up" ? secret(known) : secret(UNKNOWN);
}

function apiOn(mode: Mode, envs: unknown, deps: string[]): ResourceRecord {
  const p = { ...apiProps(), envs };
  return res(T.container, "api", p, {
    dependencies: [...deps, secretKey.urn, network.urn],
    propertyDependencies: { envs: [...deps, secretKey.urn] },
  });
}

/** The program's elasticache mode with a ReplicationGroup. */
export function replicationGroupStack(mode: Mode): ResourceRecord[] {
  const component = res(COMPONENT, "cache", {});
  const parent = component.urn;
  const child = (type: string, name: string, props: Props, extra: Partial<ResourceRecord> = {}) =>
    res(type, `cache-${name}`, props, { parent, ...extra });
  const token = tokenGenerator("cache-auth-token", mode, EC_TOKEN, undefined, parent);
  const subnets = child(
    T.subnetGroup,
    "subnets",
    computed(
      mode,
      {
        subnetIds: mode === "up" ? ["subnet-a", "subnet-b"] : [UNKNOWN, UNKNOWN],
        description: "api cache",
      },
      { name: "cache-subnets-1a2b3c", arn: "arn:aws:elasticache:subnetgroup", vpcId: "vpc-123" },
    ),
    { propertyDependencies: { subnetIds: [subnetA.urn, subnetB.urn] } },
  );
  const sg = child(
    T.sg,
    "sg",
    computed(
      mode,
      { vpcId: v(mode, "vpc-123"), description: "api cache", egress: [] },
      // The provider fills `ingress` from the separate rules; unknown at preview.
      {
        ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: ["sg-app"] }],
        id: "sg-cache",
        arn: "arn:aws:ec2:sg",
        name: "cache-sg-1a2b3c",
      },
    ),
  );
  const appSg = res(
    T.sg,
    "api-sg",
    computed(
      mode,
      { vpcId: v(mode, "vpc-123"), description: "api" },
      { id: "sg-app", ingress: [] },
    ),
  );
  const ingress = child(
    T.sgIngress,
    "from-api",
    computed(
      mode,
      {
        securityGroupId: v(mode, "sg-cache"),
        ipProtocol: "tcp",
        fromPort: 6379,
        toPort: 6379,
        referencedSecurityGroupId: v(mode, "sg-app"),
      },
      { arn: "arn:aws:ec2:sgr", securityGroupRuleId: "sgr-1" },
    ),
    { propertyDependencies: { securityGroupId: [sg.urn], referencedSecurityGroupId: [appSg.urn] } },
  );
  const logs = child(
    T.logGroup,
    "slow-log",
    computed(
      mode,
      { retentionInDays: 30 },
      { name: "/api-stack/prod/valkey-slow-log", arn: "arn:aws:logs" },
    ),
  );
  const rgProps: Props = {
    ...replicationGroupProps(),
    authToken: sv(mode, EC_TOKEN),
    subnetGroupName: v(mode, "cache-subnets-1a2b3c"),
    securityGroupIds: [v(mode, "sg-cache")],
    parameterGroupName: "default.valkey8",
    logDeliveryConfigurations: [
      {
        destination: v(mode, "/api-stack/prod/valkey-slow-log"),
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType: "slow-log",
      },
    ],
  };
  const rg = child(
    T.replicationGroup,
    "group",
    computed(mode, rgProps, {
      primaryEndpointAddress: ENDPOINT,
      readerEndpointAddress: ENDPOINT.replace("master.", "replica."),
      memberClusters: ["cache-001", "cache-002"],
      arn: "arn:aws:elasticache:rg",
      clusterEnabled: false,
      engineVersionActual: "8.0.1",
    }),
    {
      dependencies: [token.urn, subnets.urn, sg.urn, logs.urn],
      propertyDependencies: {
        authToken: [token.urn],
        subnetGroupName: [subnets.urn],
        securityGroupIds: [sg.urn],
        logDeliveryConfigurations: [logs.urn],
      },
    },
  );
  const url = `rediss://:${encodeURIComponent(EC_TOKEN)}@${ENDPOINT}:6379`;
  return [
    vpc,
    subnetA,
    subnetB,
    network,
    secretKey,
    component,
    token,
    subnets,
    sg,
    appSg,
    ingress,
    logs,
    rg,
    apiOn(mode, apiEnvs(mode, url, ENDPOINT, EC_TOKEN), [rg.urn, token.urn]),
  ];
}

/** The program's elasticache mode with a ServerlessCache and RBAC users. */
export function serverlessStack(mode: Mode): ResourceRecord[] {
  const component = res(COMPONENT, "cache", {});
  const parent = component.urn;
  const child = (type: string, name: string, props: Props, extra: Partial<ResourceRecord> = {}) =>
    res(type, `cache-${name}`, props, { parent, ...extra });
  const appPw = tokenGenerator("cache-app-password", mode, APP_PW, undefined, parent);
  const defaultPw = tokenGenerator("cache-default-password", mode, DEFAULT_PW, undefined, parent);
  const sg = child(
    T.sg,
    "sg",
    computed(
      mode,
      { vpcId: v(mode, "vpc-123"), description: "api cache", egress: [] },
      { ingress: [], id: "sg-cache" },
    ),
  );
  const ingress = child(
    T.sgIngress,
    "from-api",
    {
      securityGroupId: v(mode, "sg-cache"),
      ipProtocol: "tcp",
      fromPort: 6379,
      toPort: 6380,
      cidrIpv4: v(mode, "10.20.0.0/16"),
    },
    { propertyDependencies: { securityGroupId: [sg.urn], cidrIpv4: [vpc.urn] } },
  );
  const user = (name: string, pw: ResourceRecord, props: Props, value: string) =>
    child(
      T.user,
      name,
      computed(
        mode,
        { engine: "valkey", passwords: [sv(mode, value)], ...props },
        {
          authenticationMode: { type: "password", passwordCount: 1 },
          arn: "arn:aws:elasticache:user",
        },
      ),
      { dependencies: [pw.urn], propertyDependencies: { passwords: [pw.urn] } },
    );
  const defaultUser = user(
    "default-user",
    defaultPw,
    {
      userId: "api-stack-prod-default",
      userName: "default",
      accessString: "off -@all",
      noPasswordRequired: false,
    },
    DEFAULT_PW,
  );
  const appUser = user(
    "app-user",
    appPw,
    { userId: "api-stack-prod-app", userName: "api", accessString: "on ~* &* +@all -@dangerous" },
    APP_PW,
  );
  const group = child(
    T.userGroup,
    "users",
    computed(
      mode,
      {
        engine: "valkey",
        userGroupId: "api-stack-prod-users",
        userIds: ["api-stack-prod-default", "api-stack-prod-app"],
      },
      { arn: "arn:aws:elasticache:usergroup" },
    ),
    { dependencies: [defaultUser.urn, appUser.urn] },
  );
  const cache = child(
    T.serverless,
    "serverless",
    computed(
      mode,
      {
        engine: "valkey",
        majorEngineVersion: "8",
        name: "api-stack-prod",
        subnetIds: mode === "up" ? ["subnet-a", "subnet-b"] : [UNKNOWN, UNKNOWN],
        securityGroupIds: [v(mode, "sg-cache")],
        userGroupId: v(mode, "api-stack-prod-users"),
        snapshotRetentionLimit: 7,
        dailySnapshotTime: "03:00",
        cacheUsageLimits: {
          dataStorage: { maximum: 10, unit: "GB" },
          ecpuPerSeconds: [{ maximum: 5000 }],
        },
      },
      {
        endpoints: [{ address: SERVERLESS_ENDPOINT, port: 6379 }],
        readerEndpoints: [{ address: SERVERLESS_ENDPOINT, port: 6380 }],
        arn: "arn:aws:elasticache:serverless",
        fullEngineVersion: "8.0",
        status: "available",
      },
    ),
    {
      dependencies: [group.urn, sg.urn],
      propertyDependencies: {
        subnetIds: [subnetA.urn, subnetB.urn],
        securityGroupIds: [sg.urn],
        userGroupId: [group.urn],
      },
    },
  );
  const url = `rediss://api:${encodeURIComponent(APP_PW)}@${SERVERLESS_ENDPOINT}:6379`;
  return [
    vpc,
    subnetA,
    subnetB,
    network,
    secretKey,
    component,
    appPw,
    defaultPw,
    sg,
    ingress,
    defaultUser,
    appUser,
    group,
    cache,
    apiOn(mode, apiEnvs(mode, url, SERVERLESS_ENDPOINT, APP_PW), [cache.urn, appPw.urn]),
  ];
}

/** The program's external mode: a rediss:// URL from config (a secret), no Redis resource. */
export function externalStack(mode: Mode): ResourceRecord[] {
  const host = "redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com";
  const url = `rediss://default:${encodeURIComponent(APP_PW)}@${host}:12345`;
  const envs = mode === "up" ? apiEnvs(mode, url, host, APP_PW) : secret(UNKNOWN); // SECRET_KEY comes from a RandomId not created yet.
  return [network, secretKey, res(EXTERNAL, "redis", {}), apiOn(mode, envs, [])];
}
