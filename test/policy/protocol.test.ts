/**
 * The pack over the Analyzer gRPC protocol, started as the CLI starts it (run-policy-pack with
 * ts-node type-checking). Checks metadata, CLI-style config reconciliation, dev vs prod
 * config, and how secrets, unknowns and dependencies arrive.
 */
import * as grpc from "@grpc/grpc-js";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertDiagnostics } from "../../gate/src/analyzer-decode";
import { toAnalyzeRequest, toAnalyzerResource } from "../../gate/src/analyzer-encode";
import {
  analyzeAll,
  Diagnostic,
  PolicyPackClient,
  readPolicyConfigFile,
  secret,
  startPolicyPack,
  UNKNOWN,
  UNKNOWN_SENTINELS,
} from "../../gate";
import { benchAnalysis, syntheticStack } from "../../bench";
import {
  apiProps,
  CONF,
  dockerStack,
  redisContainer,
  redisPassword,
  redisProps,
  res,
  T,
} from "./corpus/base";
import { change } from "./corpus/elasticache-auth";
import { replicationGroupStack } from "./corpus/elasticache-base";
import { withRedis } from "./corpus/types";

const POLICY_DIR = path.resolve(__dirname, "../../policy");
const PROD = path.join(POLICY_DIR, "config/prod.json");
const DEV = path.join(POLICY_DIR, "config/dev.json");

let pack: PolicyPackClient;

beforeAll(async () => {
  pack = await startPolicyPack(POLICY_DIR);
}, 60_000);

afterAll(async () => {
  await pack?.stop();
});

const byPolicy = (ds: readonly Diagnostic[], name: string): Diagnostic[] =>
  ds.filter((d) => d.policyName === name);

describe("GetAnalyzerInfo", () => {
  it("describes the pack and every policy", async () => {
    const info = await pack.info();
    expect(info.name).toBe("api-stack-guardrails");
    expect(info.version).toBe("0.1.0");
    expect(info.policies.length).toBeGreaterThanOrEqual(20);
    for (const p of info.policies) {
      expect(p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(p.description.length).toBeGreaterThan(10);
    }
    const stack = info.policies.filter((p) => p.policyType === "stack").map((p) => p.name);
    expect(stack).toEqual(
      expect.arrayContaining(["unknown-value-provenance", "redis-backend-defined"]),
    );
    const timing = info.policies.find((p) => p.name === "healthcheck-timing");
    expect(timing?.configSchema?.properties.minRetries).toMatchObject({
      type: "integer",
      default: 3,
    });
  });

  it("config files name only existing policies; prod.json keeps every policy mandatory", async () => {
    const names = new Set((await pack.info()).policies.map((p) => p.name));
    for (const file of [PROD, DEV]) {
      expect(Object.keys(readPolicyConfigFile(file)).filter((k) => !names.has(k))).toEqual([]);
    }
    const prod = await pack.configureFile(PROD);
    // Advisory by design: a read-only /var/log for a log shipper is legitimate in prod too, and
    // a Redis's backups may be taken outside the stack (a host's cron, volume snapshots),
    // which no resource shows; and a stack may be monitored from outside it (docs/policies.md).
    const advisoryByDesign = new Set([
      "container-read-only-host-mounts",
      "redis-has-backups",
      "docker-stack-monitored",
    ]);
    expect(
      [...prod.entries()]
        .filter(([name]) => !advisoryByDesign.has(name))
        .every(([, c]) => c.enforcementLevel === "mandatory"),
    ).toBe(true);
    expect(prod.size).toBe(names.size);
  });
});

describe("Configure, the way the CLI reconciles --policy-pack-config", () => {
  it("applies schema defaults, then `all`, then per-policy entries", async () => {
    const sent = await pack.configure({ all: "advisory", "redis-requires-auth": "mandatory" });
    expect(sent.get("container-log-rotation")?.enforcementLevel).toBe("advisory");
    expect(sent.get("redis-requires-auth")?.enforcementLevel).toBe("mandatory");
    expect(sent.get("no-weak-secrets")?.properties).toMatchObject({
      minPasswordLength: 16,
      minSecretKeyLength: 32,
    });
    const ds = await pack.analyze(
      withRedis((p) => delete p.logOpts).find((r) => r.name === "redis")!,
    );
    expect(byPolicy(ds, "container-log-rotation")[0]?.enforcementLevel).toBe("advisory");
  });

  it("rejects config that does not match a policy's schema", async () => {
    await expect(pack.configure({ "healthcheck-timing": { minRetries: "three" } })).rejects.toThrow(
      /Invalid type/,
    );
  });

  it("dev allows a loopback Redis port, restart unset and no log rotation as advisory; prod refuses them", async () => {
    const stack = withRedis((p) => {
      p.ports = [{ internal: 6379, external: 6379, ip: "127.0.0.1" }];
      // Docker publishes no port of a container on internal networks only (moby/moby#36174).
      (p.networksAdvanced as unknown[]).push({ name: "api-stack-prod-edge" });
      delete p.restart;
      delete p.logOpts;
    });
    await pack.configureFile(DEV);
    const dev = await analyzeAll(pack, stack);
    expect(dev.filter((d) => d.enforcementLevel === "mandatory")).toEqual([]);
    expect(byPolicy(dev, "container-log-rotation").map((d) => d.enforcementLevel)).toEqual([
      "advisory",
    ]);

    await pack.configureFile(PROD);
    const prod = await analyzeAll(pack, stack);
    for (const name of [
      "redis-not-exposed",
      "container-restart-policy",
      "container-log-rotation",
    ]) {
      expect(byPolicy(prod, name).map((d) => d.enforcementLevel)).toContain("mandatory");
    }
  });

  it("dev downgrades only the production-only ElastiCache rules to advisory", async () => {
    const stack = change(replicationGroupStack("up"), "cache-group", (p) => {
      p.numCacheClusters = 1;
      p.automaticFailoverEnabled = false;
      p.multiAzEnabled = false;
      p.snapshotRetentionLimit = 0;
      p.transitEncryptionMode = "preferred";
      delete p.finalSnapshotIdentifier;
      delete p.securityGroupIds;
    });
    const levels = (ds: readonly Diagnostic[]) =>
      Object.fromEntries(
        [
          "elasticache-backups",
          "elasticache-high-availability",
          "elasticache-encryption",
          "elasticache-security-groups",
        ].map((n) => [n, [...new Set(byPolicy(ds, n).map((d) => d.enforcementLevel))]]),
      );
    await pack.configureFile(DEV);
    const dev = await analyzeAll(pack, stack);
    expect(levels(dev)).toEqual({
      "elasticache-backups": ["advisory"],
      "elasticache-high-availability": [], // minReplicas 0, no replica: nothing to say
      "elasticache-encryption": ["mandatory"],
      "elasticache-security-groups": ["mandatory"],
    });
    expect(
      byPolicy(dev, "elasticache-backups")
        .map((d) => d.message)
        .join(),
    ).not.toMatch(/finalSnapshotIdentifier/);
    await pack.configureFile(PROD);
    expect(levels(await analyzeAll(pack, stack))).toEqual({
      "elasticache-backups": ["mandatory"],
      "elasticache-high-availability": ["mandatory"],
      "elasticache-encryption": ["mandatory"],
      "elasticache-security-groups": ["mandatory"],
    });
  });

  it("dev and prod judge ElastiCache tokens with the same charset in both rules", () => {
    for (const file of [DEV, PROD]) {
      const cfg = readPolicyConfigFile(file) as Record<string, { authTokenCharset?: string }>;
      expect(cfg["elasticache-auth-token-format"]?.authTokenCharset).toBe(
        cfg["unknown-value-provenance"]?.authTokenCharset,
      );
    }
  });

  it("dev still refuses a Redis published on 0.0.0.0", async () => {
    await pack.configureFile(DEV);
    const ds = await analyzeAll(
      pack,
      withRedis((p) => (p.ports = [{ internal: 6379, external: 6379 }])),
    );
    expect(byPolicy(ds, "redis-not-exposed").map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
  });
});

describe("how values arrive", () => {
  beforeAll(async () => {
    await pack.configureFile(PROD);
    await pack.configureStack({ stack: "prod", project: "api-stack", dryRun: true });
  });

  it("secret-wrapped values are unwrapped by the SDK and still judged", async () => {
    const api = { ...apiProps(), envs: secret(["REDIS_PASSWORD=novita_redis_password"]) };
    const ds = await pack.analyze(res(T.container, "api", api));
    expect(byPolicy(ds, "no-weak-secrets")[0]?.message).toMatch(/novita_redis_password/);
  });

  it.each([
    ["plain string sentinel", UNKNOWN],
    ["secret-wrapped sentinel", secret(UNKNOWN)],
    ["bool sentinel", UNKNOWN_SENTINELS.bool],
  ])(
    "an unknown (%s) fails a mandatory rule instead of becoming an advisory 'can't run'",
    async (_, value) => {
      const ds = await pack.analyze(res(T.container, "redis", { ...redisProps(), restart: value }));
      const hits = byPolicy(ds, "container-restart-policy");
      expect(hits.map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
      expect(hits[0]?.message).toMatch(/unknown at preview/);
      expect(ds.filter((d) => /can't run policy/.test(d.message))).toEqual([]);
    },
  );

  it("deferred unknowns pass Analyze and are judged by AnalyzeStack from propertyDependencies", async () => {
    const p = { ...redisProps(), uploads: [{ file: CONF, content: secret(UNKNOWN) }] };
    const withDeps = redisContainer(p);
    expect(await pack.analyze(withDeps)).toEqual([]);
    expect(await pack.analyzeStack(dockerStack({ redis: withDeps }))).toEqual([]);
    const orphan = redisContainer(p, { dependencies: [], propertyDependencies: {} });
    const ds = await pack.analyzeStack(dockerStack({ redis: orphan }));
    expect(byPolicy(ds, "unknown-value-provenance")[0]).toMatchObject({
      enforcementLevel: "mandatory",
      urn: orphan.urn,
    });
  });

  it("follows a component parent to the RandomPassword it owns", async () => {
    const component = res("api-stack:components:RedisService", "cache", {});
    const pw = { ...redisPassword, parent: component.urn, options: { parent: component.urn } };
    const p = { ...redisProps(), uploads: [{ file: CONF, content: secret(UNKNOWN) }] };
    const redis = redisContainer(p, {
      parent: component.urn,
      propertyDependencies: { uploads: [component.urn] },
    });
    const stack = [
      component,
      pw,
      ...dockerStack({ redis }).filter((r) => r.name !== "redis-password"),
    ];
    expect(byPolicy(await pack.analyzeStack(stack), "unknown-value-provenance")).toEqual([]);
  });

  it("accepts every resource option and a provider, as the engine sends them", async () => {
    const r = redisContainer(redisProps(), {
      options: {
        protect: true,
        ignoreChanges: ["envs"],
        deleteBeforeReplace: true,
        additionalSecretOutputs: ["envs"],
        aliases: ["urn:pulumi:prod::api-stack::docker:index/container:Container::old"],
        customTimeouts: { create: 300, update: 60, delete: 30 },
      },
      provider: {
        urn: "urn:pulumi:prod::api-stack::pulumi:providers:docker::default_4_5_0",
        type: "pulumi:providers:docker",
        name: "default_4_5_0",
        properties: { host: "unix:///var/run/docker.sock", __internal: "dropped" },
      },
    });
    expect(await pack.analyze(r)).toEqual([]);
    expect(await pack.analyzeStack([r])).toEqual([]);
  });
});

describe("benchmark helper", () => {
  it.each([false, true])("its synthetic stack is clean (preview: %s)", async (preview) => {
    await pack.configureFile(PROD);
    expect(await analyzeAll(pack, syntheticStack(6, preview))).toEqual([]);
  });

  // sendPrepared sends marshalled bytes with grpc-js's makeUnaryRequest and an identity
  // serializer; analyze() is sendPrepared(prepareAnalyze()). The generated stub
  // (@pulumi/pulumi/proto/analyzer_grpc_pb.js) is a second, independent way to send the same
  // resource: both must be judged alike.
  it("a prepared request is judged as the generated stub's request is", async () => {
    await pack.configureFile(PROD);
    const [pw, redis, api] = syntheticStack(2);
    // One setting apart from the clean synthetic container: privileged.
    const bad = { ...api!, properties: { ...api!.properties, privileged: true } };
    const stub = new analyzerGrpc.AnalyzerClient(pack.address, grpc.credentials.createInsecure());
    const viaStub = <Req>(method: "analyze" | "analyzeStack", req: Req) =>
      new Promise<Diagnostic[]>((resolve, reject) =>
        (
          stub[method] as (
            r: Req,
            cb: (e: grpc.ServiceError | null, res: analyzerPb.AnalyzeResponse) => void,
          ) => void
        ).call(stub, req, (e, res) =>
          e ? reject(e) : resolve(convertDiagnostics(res, method === "analyze" ? bad.urn : "")),
        ),
      );
    try {
      const prepared = await pack.sendPrepared(pack.prepareAnalyze(bad));
      expect(byPolicy(prepared, "container-not-privileged")).toHaveLength(1);
      expect(prepared).toEqual(await viaStub("analyze", toAnalyzeRequest(bad)));
      // A stack rule fires on the API without its Redis, and not with it; each as the stub sends it.
      for (const [stack, expected] of [
        [[pw!, bad], ["redis-backend-defined"]],
        [[redis!, bad], []],
      ] as const) {
        const req = new analyzerPb.AnalyzeStackRequest();
        req.setResourcesList(stack.map(toAnalyzerResource));
        const prepared = await pack.sendPrepared(pack.prepareAnalyzeStack(stack));
        expect(prepared.map((d) => d.policyName)).toEqual(expected);
        expect(prepared).toEqual(await viaStub("analyzeStack", req));
      }
    } finally {
      stub.close();
    }
  });

  it("times a small synthetic stack", async () => {
    await pack.configureFile(PROD);
    const r = await benchAnalysis(pack, 10);
    expect(r.resources).toBe(11);
    expect(r.msPerResource).toBeGreaterThan(0);
  });
});
