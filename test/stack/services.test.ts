/**
 * Issue 13 under mocks: what prod registers now (the edge proxy alone publishing, two API
 * replicas behind it, two `jobs` workers, a generated certificate) and that dev registers
 * exactly what it did before.
 */
import { CONFIG_CERTIFICATE, CONFIG_CERTIFICATE_NOT_AFTER } from "../helpers/certificate";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun } from "../../gate";
import { heartbeatProbe } from "../../components/lib/healthcheck";
import { EDGE_SCRIPT_PATH, EDGE_STATE, renderEdgeLiveScript } from "../../components/lib/edge-live";
import { byType, isSecretWire, one, promiseOf, reveal, runStack } from "../helpers/program";
import { merge, stackObject } from "../helpers/stack-blocks";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";
const KEY = "tls:index/privateKey:PrivateKey";
const CERT = "tls:index/selfSignedCert:SelfSignedCert";
type Props = Record<string, unknown>;
type Net = { name: string; aliases?: string[] };

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
  runs.dev = await runStack("dev");
  runs.prod = await runStack("prod");
});
const run = (stack: string) => runs[stack] as ProgramRun;
const props = (stack: string, name: string) =>
  reveal(one(run(stack), CONTAINER, name).properties) as Props;
const netName = (stack: string, name: string) =>
  (reveal(one(run(stack), NETWORK, name).state) as Props).name as string;
const envOf = (p: Props) =>
  Object.fromEntries((p.envs as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)));

describe("prod: the edge proxy is the only publisher", () => {
  it("edge-proxy publishes 80 and 443 on 0.0.0.0, and no other container publishes anything", () => {
    const containers = byType(run("prod"), CONTAINER).map((c) => c.name);
    expect(containers.sort()).toEqual([
      "api-server",
      "api-server-2",
      "cache-backup-snapshotter",
      "cache-server",
      "edge-config",
      "edge-proxy",
      "jobs-worker",
      "jobs-worker-2",
      "monitoring-alertmanager",
      "monitoring-prometheus",
      "monitoring-redis-exporter",
    ]);
    for (const name of containers) {
      const ports = (props("prod", name).ports ?? []) as Props[];
      if (name === "edge-proxy")
        expect(ports.map((p) => [p.external, p.ip])).toEqual([
          [80, "0.0.0.0"],
          [443, "0.0.0.0"],
        ]);
      else expect(ports, name).toEqual([]);
    }
  });

  it("routes to the API's alias on the frontend network, at the API's port and health path", () => {
    const edge = props("prod", "edge-proxy");
    expect(edge.networksAdvanced).toEqual([
      { name: netName("prod", "app-edge"), aliases: ["edge"] },
      // Prometheus scrapes HAProxy's exporter there (issue 24); that port is not published.
      { name: netName("prod", "app-monitoring"), aliases: ["edge"] },
    ]);
    const cfg = (props("prod", "edge-config").uploads as { file: string; content: string }[]).find(
      (u) => u.file.endsWith("haproxy.cfg"),
    );
    expect(cfg?.content).toMatch(/^ {2}server-template api- 4 api:3003\b/m);
    expect(cfg?.content).toContain("uri /health ");
    expect(cfg?.content).toContain("ssl-min-ver TLSv1.2");
    // A GET whose replica reset the connection before answering is retried on another one;
    // other methods are not replayed.
    expect(cfg?.content).toMatch(/^ {2}retry-on conn-failure empty-response$/m);
    expect(cfg?.content).toMatch(/^ {2}http-request disable-l7-retry if !METH_GET$/m);
    // Issue 26: a replica that is down (Redis away) is checked every 250 ms, not every 2 s, so
    // it is back in rotation within a quarter second of its /health passing again.
    expect(cfg?.content).toMatch(/^ {2}default-server check inter 2000ms downinter 250ms /m);
  });

  // Issue 25: a changed config, certificate or maintenance switch reloads HAProxy in place.
  it("uploads no config, certificate or maintenance file: only the reload script, which it runs", () => {
    const edge = props("prod", "edge-proxy");
    expect((edge.uploads as Props[]).map((u) => [u.file, u.content])).toEqual([
      [EDGE_SCRIPT_PATH, renderEdgeLiveScript()],
    ]);
    expect(edge.command).toEqual(["bash", EDGE_SCRIPT_PATH, "run"]);
    expect(edge.envs).toEqual([`EDGE_LIVE=${EDGE_STATE.live}`]);
  });

  it("the installer and the proxy share the state volume at /var/lib/haproxy; the installer has no network and uploads the files", () => {
    const volume = (reveal(one(run("prod"), VOLUME, "edge-state").state) as Props).name;
    const [edge, installer] = [props("prod", "edge-proxy"), props("prod", "edge-config")];
    for (const c of [edge, installer])
      expect(c.volumes).toEqual([{ volumeName: volume, containerPath: "/var/lib/haproxy" }]);
    expect(installer.networkMode).toBe("none");
    expect(installer.ports ?? []).toEqual([]);
    expect(installer.command).toEqual(["bash", EDGE_SCRIPT_PATH, "install"]);
    expect(installer.image).toBe(edge.image);
    expect((installer.uploads as Props[]).map((u) => u.file)).toEqual([
      EDGE_SCRIPT_PATH,
      "/usr/local/etc/haproxy/next/haproxy.cfg",
      "/usr/local/etc/haproxy/next/edge.pem",
      "/usr/local/etc/haproxy/next/maintenance.flag",
      "/usr/local/etc/haproxy/next/maintenance.html",
    ]);
    const flag = (installer.uploads as Props[]).find((u) => String(u.file).endsWith(".flag"));
    expect(flag?.content).toBe("");
  });

  it("the proxy starts after the installer; the installer is replaced delete-first", () => {
    const edge = one(run("prod"), CONTAINER, "edge-proxy");
    const installer = one(run("prod"), CONTAINER, "edge-config");
    expect(edge.dependencies).toContain(installer.urn);
    expect(installer.options.deleteBeforeReplace).toBe(true);
    expect(edge.options.deleteBeforeReplace).toBe(true);
  });

  it("starts after the API replicas it routes to", () => {
    const edge = one(run("prod"), CONTAINER, "edge-proxy");
    const component = byType(run("prod"), "api-stack:components:EdgeProxy")[0];
    const deps = [...(component?.dependencies ?? []), ...edge.dependencies];
    for (const name of ["api-server", "api-server-2"])
      expect(deps).toContain(one(run("prod"), CONTAINER, name).urn);
  });
});

describe("prod: two API replicas behind the proxy", () => {
  it.each(["api-server", "api-server-2"])(
    "%s joins the frontend network as `api`, publishes nothing and is replaced create-first",
    (name) => {
      const c = one(run("prod"), CONTAINER, name);
      const p = reveal(c.properties) as Props;
      expect(p.networksAdvanced as Net[]).toEqual([
        { name: netName("prod", "app-backend") },
        { name: netName("prod", "app-edge"), aliases: ["api"] },
        // Prometheus finds every replica by this alias through Docker's DNS (issue 24).
        { name: netName("prod", "app-monitoring"), aliases: ["api"] },
      ]);
      expect(p.ports).toEqual([]);
      expect(c.options.deleteBeforeReplace).toBe(false);
      expect(c.options.replaceOnChanges).toContain("healthcheck");
      expect(isSecretWire(c.properties.envs)).toBe(true);
    },
  );

  it("both replicas run the same image, env and probe", () => {
    const [a, b] = [props("prod", "api-server"), props("prod", "api-server-2")];
    for (const key of ["image", "envs", "healthcheck", "memory", "cpus", "user", "restart"])
      expect(b[key], key).toEqual(a[key]);
  });
});

describe("prod: the jobs worker", () => {
  it.each(["jobs-worker", "jobs-worker-2"])(
    "%s runs the worker command with the heartbeat probe and no port",
    (name) => {
      const c = one(run("prod"), CONTAINER, name);
      const p = reveal(c.properties) as Props;
      expect(p.image).toBe("ghcr.io/acme/api:1.4.2");
      expect(p.command).toEqual(["node", "/app/server.js", "worker"]);
      const hc = p.healthcheck as Props & { tests: string[] };
      expect(hc.tests).toEqual(heartbeatProbe("/tmp/worker-heartbeat", 10_000));
      expect(hc.tests[1]).toContain("/tmp/worker-heartbeat");
      expect(hc.tests[1]).toMatch(/-lt 10$/);
      expect(hc).toMatchObject({ interval: "10s", timeout: "5s", retries: 3, startPeriod: "30s" });
      expect(p.wait).toBe(true);
      expect(p.ports).toEqual([]);
      // Backend for Redis, the edge network for outbound traffic only: no alias on either;
      // the monitoring network as `worker-jobs`, its scrape job (issue 24).
      expect(p.networksAdvanced as Net[]).toEqual([
        { name: netName("prod", "app-backend") },
        { name: netName("prod", "app-edge") },
        { name: netName("prod", "app-monitoring"), aliases: ["worker-jobs"] },
      ]);
      expect(c.options.deleteBeforeReplace).toBe(false);
      expect(c.options.replaceOnChanges).toContain("healthcheck");
      expect(p).toMatchObject({
        restart: "always",
        memory: 256,
        memorySwap: 256,
        cpus: "0.25",
        user: "10001:10001",
        stopSignal: "SIGTERM",
        stopTimeout: 30,
        destroyGraceSeconds: 30,
        logDriver: "json-file",
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
      });
      expect(c.dependencies).toContain(one(run("prod"), CONTAINER, "cache-server").urn);
    },
  );

  it("gets the API's Redis env and secrets, as a secret, and no WORKER_ID", () => {
    const raw = one(run("prod"), CONTAINER, "jobs-worker").properties;
    expect(isSecretWire(raw.envs)).toBe(true);
    const worker = envOf(props("prod", "jobs-worker"));
    const api = envOf(props("prod", "api-server"));
    // The same connection and secrets; `api.env` (LOG_LEVEL) is the API's own.
    const { LOG_LEVEL, ...shared } = api;
    expect(LOG_LEVEL).toBe("warning");
    expect(worker).toEqual(shared);
    expect(worker.REDIS_URL).toMatch(/^redis:\/\/default:[A-Za-z0-9]{32,}@redis:6379$/);
    expect(worker.WORKER_ID).toBeUndefined();
  });

  it("keeps every secret out of every container's command and healthcheck", () => {
    const env = envOf(props("prod", "api-server"));
    const secrets = [env.REDIS_PASSWORD, env.SECRET_KEY] as string[];
    for (const s of secrets) expect(s.length).toBeGreaterThanOrEqual(32);
    for (const c of byType(run("prod"), CONTAINER)) {
      const p = reveal(c.properties) as Props;
      const visible = JSON.stringify([p.command, p.entrypoints, p.healthcheck, p.labels]);
      for (const s of secrets) expect(visible, c.name).not.toContain(s);
    }
  });
});

describe("prod: the generated certificate", () => {
  it("is an ECDSA P-256 key and a one-year server certificate for localhost", () => {
    const key = reveal(one(run("prod"), KEY, "edge-key").properties) as Props;
    expect(key).toMatchObject({ algorithm: "ECDSA", ecdsaCurve: "P256" });
    const cert = reveal(one(run("prod"), CERT, "edge-cert").properties) as Props;
    expect(cert).toMatchObject({
      dnsNames: ["localhost"],
      subject: { commonName: "localhost" },
      validityPeriodHours: 8760,
    });
    expect([...(cert.allowedUses as string[])].sort()).toEqual(
      ["digitalSignature", "keyEncipherment", "serverAuth"].sort(),
    );
  });

  it("reaches the proxy only as a secret upload: the certificate, then the generated key", () => {
    const raw = one(run("prod"), CONTAINER, "edge-config").properties;
    const uploads = raw.uploads as Props[];
    const pemUpload = uploads.find((u) => String(reveal(u.file)).endsWith(".pem")) as Props;
    expect(isSecretWire(pemUpload.content)).toBe(true);
    const pem = String(reveal(pemUpload.content));
    const keyPem = (reveal(one(run("prod"), KEY, "edge-key").state) as Props).privateKeyPem;
    const certPem = (reveal(one(run("prod"), CERT, "edge-cert").state) as Props).certPem;
    expect(keyPem).toMatch(/-----BEGIN EC PRIVATE KEY-----/);
    expect(pem).toBe(`${String(certPem).trimEnd()}\n${String(keyPem).trimEnd()}\n`);
    // The certificate generator gets the key as a secret too.
    const certRaw = one(run("prod"), CERT, "edge-cert").properties;
    expect(isSecretWire(certRaw.privateKeyPem)).toBe(true);
  });
});

describe("outputs", () => {
  it("prod: apiUrl is the edge URL, and the replicas' names are exported", async () => {
    const out = run("prod").outputs as Record<string, pulumi.Output<unknown>>;
    const name = (n: string) => (reveal(one(run("prod"), CONTAINER, n).state) as Props).name;
    expect(await promiseOf(out.edgeUrl as pulumi.Output<string>)).toBe("https://localhost");
    expect(await promiseOf(out.apiUrl as pulumi.Output<string>)).toBe("https://localhost");
    expect(await promiseOf(out.apiContainerNames as pulumi.Output<string[]>)).toEqual([
      name("api-server"),
      name("api-server-2"),
    ]);
    expect(await promiseOf(out.apiContainerName as pulumi.Output<string>)).toBe(name("api-server"));
    expect(await promiseOf(out.workerContainerNames as pulumi.Output<unknown>)).toEqual({
      jobs: [name("jobs-worker"), name("jobs-worker-2")],
    });
    expect(await promiseOf(out.edgeContainerName as pulumi.Output<string>)).toBe(
      name("edge-proxy"),
    );
    // npm run verify shows the installer's log when a new edge config was refused.
    expect(await promiseOf(out.edgeConfigContainerName as pulumi.Output<string>)).toBe(
      name("edge-config"),
    );
  });

  it("dev: no edge, no workers", async () => {
    const out = run("dev").outputs as Record<string, pulumi.Output<unknown>>;
    expect(out.edgeUrl).toBeUndefined();
    expect(out.edgeContainerName).toBeUndefined();
    expect(out.edgeConfigContainerName).toBeUndefined();
    expect(await promiseOf(out.workerContainerNames as pulumi.Output<unknown>)).toEqual({});
    expect(await promiseOf(out.apiContainerNames as pulumi.Output<string[]>)).toHaveLength(1);
  });
});

describe("dev registers what it did before issue 13", () => {
  it("the same resources, with the same replacement options", () => {
    const seen = run("dev").resources.map((r) => `${r.type} ${r.name}`);
    expect(seen.sort()).toEqual(
      [
        "api-stack:components:StackSecrets app",
        "api-stack:components:Networks app",
        "api-stack:components:ApiService api",
        "api-stack:components:LocalRedis cache",
        "random:index/randomId:RandomId app-secret-key",
        `${NETWORK} app-backend`,
        `${NETWORK} app-edge`,
        `${NETWORK} app-debug`,
        "random:index/randomPassword:RandomPassword app-redis-password",
        "random:index/randomPassword:RandomPassword app-redis-probe-password",
        "random:index/randomPassword:RandomPassword app-redis-admin-password",
        "docker:index/volume:Volume cache-data",
        `${CONTAINER} cache-server`,
        `${CONTAINER} api-server`,
      ].sort(),
    );
    const api = one(run("dev"), CONTAINER, "api-server");
    expect(api.options.deleteBeforeReplace).toBe(true);
    expect((reveal(api.properties) as Props).networksAdvanced).toEqual([
      { name: netName("dev", "app-backend") },
      { name: netName("dev", "app-edge") },
    ]);
  });
});

describe("other shapes", () => {
  it("tls: config serves the two secrets, generates nothing and uploads them as a secret", async () => {
    const cert = CONFIG_CERTIFICATE;
    const key =
      "-----BEGIN PRIVATE KEY-----\nMIGHkeyFromConfigQk9Lm2Xz9Vb4\n-----END PRIVATE KEY-----\n";
    const edge = merge(stackObject("prod", "edge"), { tls: "config" });
    const r = await runStack("prod", {
      overrides: { "api-stack:edge": edge },
      secrets: { "api-stack:edgeCertificate": cert, "api-stack:edgePrivateKey": key },
    });
    expect(byType(r, KEY)).toEqual([]);
    expect(byType(r, CERT)).toEqual([]);
    const uploads = one(r, CONTAINER, "edge-config").properties.uploads as Props[];
    const pem = uploads.find((u) => String(reveal(u.file)).endsWith(".pem")) as Props;
    expect(isSecretWire(pem.content)).toBe(true);
    expect(reveal(pem.content)).toBe(`${cert.trimEnd()}\n${key.trimEnd()}\n`);
    // EdgeCertificateExpiring's date is this certificate's notAfter (issue 24).
    const rules = (
      reveal(one(r, CONTAINER, "monitoring-prometheus").properties.uploads) as Props[]
    ).find((u) => String(u.file).endsWith("api-stack.yml"));
    expect(String(rules?.content)).toContain(`vector(${CONFIG_CERTIFICATE_NOT_AFTER})`);
  });

  it("dev with the optional edge block: three replicas api-server … api-server-3, none publishing", async () => {
    const r = await runStack("dev", {
      overrides: {
        "api-stack:api": merge(stackObject("dev", "api"), { hostIp: undefined, replicas: 3 }),
        "api-stack:edge": {
          tls: "selfSigned",
          hostIp: "127.0.0.1",
          httpPort: 8080,
          httpsPort: 8443,
        },
      },
    });
    const apis = byType(r, CONTAINER).filter((c) => c.name.startsWith("api-server"));
    expect(apis.map((c) => c.name)).toEqual(["api-server", "api-server-2", "api-server-3"]);
    for (const c of apis) {
      expect((reveal(c.properties) as Props).ports).toEqual([]);
      expect(c.options.deleteBeforeReplace).toBe(false);
    }
    const edgePorts = (reveal(one(r, CONTAINER, "edge-proxy").properties) as Props).ports;
    expect(edgePorts).toEqual([
      expect.objectContaining({ external: 8080, ip: "127.0.0.1" }),
      expect.objectContaining({ external: 8443, ip: "127.0.0.1" }),
    ]);
    expect(await promiseOf(r.outputs.apiUrl as pulumi.Output<string>)).toBe(
      "https://127.0.0.1:8443",
    );
  });
});
