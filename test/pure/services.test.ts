/**
 * Issue 13's pure pieces: the worker's heartbeat probe, replica names, the edge's config
 * defaults and the worker's defaults read from the component, as the API's are.
 */
import { describe, expect, it } from "vitest";
import { EDGE_PROXY_DEFAULTS } from "../../components/edge-proxy";
import { replicaNames } from "../../components/lib/container";
import { heartbeatProbe } from "../../components/lib/healthcheck";
import type { RedisConnectionOutputs } from "../../components/redis-connection";
import { resolveWorkerServiceArgs, WORKER_SERVICE_DEFAULTS } from "../../components/worker-service";
import { ConfigError, parseStackConfig, type StackConfig } from "../../stacks/config";

describe("heartbeatProbe", () => {
  it("compares the file's unix time with now, in whole seconds, as a shell command", () => {
    expect(heartbeatProbe("/tmp/worker-heartbeat", 10_000)).toEqual([
      "CMD-SHELL",
      "test $(( $(date +%s) - $(cat /tmp/worker-heartbeat 2>/dev/null || echo 0) )) -lt 10",
    ]);
    expect(heartbeatProbe("/run/hb", 1_500)[1]).toMatch(/cat \/run\/hb .* -lt 2$/);
  });

  it.each(["tmp/hb", "/tmp/a b", "/tmp/$(reboot)", "/tmp/`id`", "/tmp/x;rm", ""])(
    "refuses %j, which a shell would not read as one path",
    (file) => {
      expect(() => heartbeatProbe(file, 10_000)).toThrow(/absolute path/);
    },
  );

  it.each([0, 999, Number.NaN])("refuses a max age of %s ms", (ms) => {
    expect(() => heartbeatProbe("/tmp/hb", ms)).toThrow(/at least 1s/);
  });
});

describe("replicaNames", () => {
  it("keeps the first name and numbers the rest from 2", () => {
    expect(replicaNames("api-server", 1)).toEqual(["api-server"]);
    expect(replicaNames("jobs-worker", 3)).toEqual([
      "jobs-worker",
      "jobs-worker-2",
      "jobs-worker-3",
    ]);
  });

  it.each([0, -1, 1.5])("refuses %s replicas", (n) => {
    expect(() => replicaNames("x", n)).toThrow(/at least 1/);
  });
});

/** A dev stack file with only the keys that have no default, plus `extra`. */
function parse(extra: Record<string, unknown>): StackConfig {
  const values: Record<string, string> = {
    "api-stack:environment": "development",
    "api-stack:api": JSON.stringify({ image: "ghcr.io/acme/api:1.0.0" }),
  };
  for (const [k, v] of Object.entries(extra)) values[`api-stack:${k}`] = JSON.stringify(v);
  return parseStackConfig({ stack: "dev", values, secretKeys: [] });
}

describe("config defaults come from the components", () => {
  it("a worker gets WorkerService's own defaults", () => {
    const cfg = parse({ workers: { jobs: { image: "ghcr.io/acme/api:1.0.0", command: ["w"] } } });
    const runtime = {
      image: "ghcr.io/acme/api:1.0.0",
      command: ["w"],
      networkNames: ["n"],
      redis: {} as RedisConnectionOutputs,
      secretKey: "k",
      stack: "s",
    };
    const keys = [...Object.keys(WORKER_SERVICE_DEFAULTS), "env"] as const;
    const pick = (r: object) =>
      Object.fromEntries(keys.map((k) => [k, (r as Record<string, unknown>)[k]]));
    const jobs = cfg.workers.jobs;
    expect(jobs).toBeDefined();
    expect(pick(resolveWorkerServiceArgs({ ...jobs!, ...runtime }))).toEqual(
      pick(resolveWorkerServiceArgs(runtime)),
    );
  });

  it("the edge gets EdgeProxy's defaults, and dnsNames localhost", () => {
    const cfg = parse({ edge: { tls: "selfSigned" } });
    const d = EDGE_PROXY_DEFAULTS;
    expect(cfg.edge).toEqual({
      image: d.image,
      hostIp: d.hostIp,
      httpPort: d.httpPort,
      httpsPort: d.httpsPort,
      maxBodyBytes: d.maxBodyBytes,
      hstsMaxAgeSeconds: d.hstsMaxAgeSeconds,
      tls: "selfSigned",
      dnsNames: ["localhost"],
      maintenance: {
        enabled: d.maintenance.enabled,
        message: d.maintenance.message,
        allow: [],
        retryAfter: d.maintenance.retryAfterSeconds * 1_000,
      },
    });
  });

  it("edge.maintenance: on, with a message, allowed addresses and a Retry-After", () => {
    const cfg = parse({
      edge: {
        tls: "selfSigned",
        maintenance: {
          enabled: true,
          message: "Back at 14:00 UTC.",
          allow: ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32"],
          retryAfter: "10m",
        },
      },
    });
    expect(cfg.edge?.maintenance).toEqual({
      enabled: true,
      message: "Back at 14:00 UTC.",
      allow: ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32"],
      retryAfter: 600_000,
    });
  });

  it("no workers and no edge unless the stack file has them", () => {
    const cfg = parse({});
    expect(cfg.workers).toEqual({});
    expect(cfg.edge).toBeUndefined();
    expect(cfg.api.replicas).toBe(1);
    expect(cfg.api.hostIp).toBeUndefined();
  });

  it("a dev edge with two API replicas is accepted; without the edge they are refused", () => {
    const api = { image: "ghcr.io/acme/api:1.0.0", replicas: 2 };
    expect(parse({ api, edge: { tls: "selfSigned" } }).api.replicas).toBe(2);
    expect(() => parse({ api })).toThrow(ConfigError);
  });
});
