/**
 * Layer 5 harness: the real program under mocks (the same capture the gate uses), applied
 * to the private engine by the applier, plus what a user does afterwards (curl, redis-cli).
 */
import * as fs from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import * as path from "node:path";
import Docker from "dockerode";
import { priorOf, type CapturedResource, type ProgramRun } from "../../gate";
import { DOCKER_SOCKET } from "../layers";
import { promiseOf, runStack } from "../helpers/program";
import { reveal } from "../helpers/wire";
import { freeLoopback, freePort, run as runBinary, tempDir } from "../real/util";
import { DockerApplier } from "./applier";
import { configFor, type Obj } from "./config";
import { startLoad, type LoadRun } from "./load";

export { configFor, stackBlock } from "./config";

export const IMAGES = [
  "haproxy:3.0.11",
  "redis:7.4-alpine",
  "redis:7.4.2-alpine",
  "valkey/valkey:8.1-alpine",
  "ghcr.io/acme/api:1.4.2",
  "ghcr.io/acme/api:1.4.3",
  "ghcr.io/acme/api:1.4.4-never-healthy",
  "amazon/aws-cli:2.36.7",
  "prom/prometheus:v2.53.3",
  "prom/alertmanager:v0.28.1",
  "oliver006/redis_exporter:v1.69.0",
  "oliver006/redis_exporter:v1.69.0-alpine",
  "goacme/lego:v4.9.1",
  // Not a stand-in: layer 5's ACME CA (test/docker/edge-acme.test.ts).
  "api-stack-test/pebble:2.6.0",
];

export function engine(): Docker {
  return new Docker({ socketPath: DOCKER_SOCKET });
}

/** Fails with the way out when the stand-in images were not built on this engine. */
export async function requireImages(docker: Docker): Promise<void> {
  const missing: string[] = [];
  for (const image of IMAGES) {
    await docker
      .getImage(image)
      .inspect()
      .catch(() => missing.push(image));
  }
  if (missing.length > 0) {
    throw new Error(
      `the private engine lacks ${missing.join(", ")}: run DOCKER_HOST=unix://${DOCKER_SOCKET} test/docker/images/build.sh`,
    );
  }
}

/** Probes every 2–3 s instead of 10–30 s: the same rules, a shorter wait for CI. */
export const FAST: DeployOptions = {
  api: { healthcheck: { interval: "3s", timeout: "2s" } },
  redis: { healthcheck: { interval: "2s", timeout: "1s" } },
};

/**
 * FAST on today's single-API design: no edge proxy, no workers, the API publishing its own
 * port. For the scenarios about the API and Redis containers themselves (graceful stop, start
 * period, protection, replacement), which the edge proxy would only stand in front of.
 */
export const SINGLE_API: DeployOptions = { ...FAST, edge: null };

export interface Deployment {
  readonly stack: string;
  readonly applier: DockerApplier;
  run: ProgramRun;
  /** Host ports picked for this test, so test files can run side by side. */
  readonly apiPort: number;
  readonly debugPort: number;
  readonly httpPort: number;
  readonly httpsPort: number;
  /**
   * Prod's edge publishes 80 and 443, as config and the pack require there, so each test file
   * gets a loopback address of its own (any of 127.0.0.0/8) on which both are free.
   */
  readonly edgeIp: string;
  /** The CA (PEM) that issued the edge proxy's certificate, when the stack has one: what a client trusts. */
  readonly edgeCa?: string;
  /** Where a client reaches the API: the edge proxy over HTTPS, or the API's own port. */
  readonly apiBase: string;
  /** Deployed with `edge: null`: later ups keep the single-API design unless told otherwise. */
  readonly singleApi: boolean;
}

export interface DeployOptions {
  readonly api?: Obj;
  readonly redis?: Obj;
  /** A patch of the edge block; `null` removes the edge proxy and workers (the single-API design). */
  readonly edge?: Obj | null;
  readonly workers?: Obj | null;
  /** A patch of the monitoring block (the test's `for`s and intervals). */
  readonly monitoring?: Obj;
  readonly secrets?: Obj;
  readonly log?: (line: string) => void;
  /**
   * Edits the captured resources before they are applied, as a temporary branch of the
   * components would (e.g. the capability set from before a fix).
   */
  readonly mutate?: (r: CapturedResource) => void;
  /** A new edge certificate (the same test CA): a renewal, or a new one set in config. */
  readonly newEdgeCertificate?: boolean;
}

/**
 * Runs the program for a first `up` without applying it. Programs run one at a time (the
 * SDK's mocks and config are process-wide); the applies may then run side by side.
 */
export async function prepare(stack: string, o: DeployOptions = {}): Promise<Deployment> {
  const docker = engine();
  const ports = {
    apiPort: await freePort(),
    debugPort: await freePort(),
    httpPort: 80,
    httpsPort: 443,
    edgeIp: await freeLoopback([80, 443]),
  };
  const run = await runStack(stack, {
    overrides: await configFor(stack, ports, o),
    secrets: o.secrets,
  });
  const edge = run.resources.some(isEdgeProxy);
  const edgeCa = edge ? await layEdgeCertificate(run, ports.edgeIp, true) : undefined;
  if (o.mutate) run.resources.forEach(o.mutate);
  return {
    stack,
    applier: new DockerApplier(docker, o.log),
    run,
    ...ports,
    edgeCa,
    apiBase: edge ? `https://${ports.edgeIp}` : `http://127.0.0.1:${ports.apiPort}`,
    singleApi: o.edge === null,
  };
}

const isEdgeProxy = (r: CapturedResource) =>
  r.type === "docker:index/container:Container" &&
  String(r.properties.image).startsWith("haproxy:");

/** The edge's containers that upload its PEM: the installer (components/edge-proxy.ts). */
const uploadsEdgePem = (r: CapturedResource) =>
  isEdgeProxy(r) &&
  (reveal(r.properties.uploads) as { file: string }[] | undefined)?.some((u) =>
    u.file.endsWith(".pem"),
  ) === true;

/** A test CA per deployment, so a new edge certificate is trusted by a client started before it. */
const edgeCas = new Map<string, { dir: string; ca: string; caKey: string; pem?: string }>();

/**
 * Under the gate's mocks @pulumi/tls gives a real key but only a PEM-shaped stand-in for the
 * certificate (gate/src/mock-state.ts: Node cannot sign one; on a real `up` the provider's
 * SelfSignedCert.certPem is a signed certificate, pulumi/pulumi-tls schema), so the edge's PEM
 * upload holds no usable pair. A real one takes its place, as the provider's would on a real
 * `up`: a leaf for the proxy's address, issued by a test CA the clients trust. `fresh` issues a
 * new leaf (a renewal or a new certificate from config); otherwise the last one is laid again,
 * as the provider keeps its state between ups. Returns the CA's certificate.
 */
async function layEdgeCertificate(run: ProgramRun, ip: string, fresh: boolean): Promise<string> {
  let ca = edgeCas.get(ip);
  const openssl = async (args: string[]) => {
    const r = await runBinary("openssl", args);
    if (r.code !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  if (ca === undefined) {
    const dir = tempDir("api-stack-edge-cert-");
    const [caKey, caCert] = [path.join(dir, "ca.key"), path.join(dir, "ca.pem")];
    await openssl(
      ["req", "-x509", ...ec, "-keyout", caKey, "-out", caCert, "-days", "2"].concat([
        "-subj",
        "/CN=api-stack test CA",
      ]),
    );
    ca = { dir, ca: caCert, caKey };
    edgeCas.set(ip, ca);
  }
  if (fresh || ca.pem === undefined) {
    const n = Date.now();
    const [key, csr, cert, ext] = ["key", "csr", "crt", "ext"].map((e) =>
      path.join(ca!.dir, `leaf-${n}.${e}`),
    ) as [string, string, string, string];
    fs.writeFileSync(ext, `subjectAltName=DNS:localhost,IP:${ip}\n`);
    await openssl(["req", "-new", ...ec, "-keyout", key, "-out", csr, "-subj", `/CN=edge-${n}`]);
    await openssl(
      ["x509", "-req", "-in", csr, "-CA", ca.ca, "-CAkey", ca.caKey].concat([
        "-CAcreateserial",
        "-out",
        cert,
        "-days",
        "1",
        "-extfile",
        ext,
      ]),
    );
    ca.pem = fs.readFileSync(cert, "utf8") + fs.readFileSync(key, "utf8");
  }
  const edges = run.resources.filter(uploadsEdgePem);
  if (edges.length === 0) throw new Error("no edge container uploads a PEM");
  for (const res of edges) {
    const uploads = reveal(res.properties.uploads) as { file: string; content?: unknown }[];
    const slot = uploads.find((u) => u.file.endsWith(".pem"));
    if (slot) slot.content = ca.pem;
    res.properties.uploads = uploads;
  }
  return fs.readFileSync(ca.ca, "utf8");
}

export async function firstUp(stack: string, o: DeployOptions = {}): Promise<Deployment> {
  const d = await prepare(stack, o);
  await d.applier.up(d.run);
  return d;
}

/** A later `pulumi up` of the same stack with changed config. */
export async function nextUp(d: Deployment, options: DeployOptions = {}): Promise<void> {
  const o: DeployOptions =
    d.singleApi && options.edge === undefined ? { ...options, edge: null } : options;
  d.run = await runStack(d.stack, {
    overrides: await configFor(d.stack, d, o),
    secrets: o.secrets,
    prior: priorOf(d.run),
  });
  // The same certificate as the last up, as the provider keeps its state between ups, or a
  // new one from the same CA when the test asks for it.
  if (d.edgeCa !== undefined && d.run.resources.some(isEdgeProxy))
    await layEdgeCertificate(d.run, d.edgeIp, o.newEdgeCertificate === true);
  if (o.mutate) d.run.resources.forEach(o.mutate);
  await d.applier.up(d.run);
}

/**
 * 50 requests/s of `GET /counter` (it reads Redis) through the deployment's front door: the
 * edge over HTTPS, trusting its certificate, or the API's own port. Bounded in count and time.
 */
export function loadCounter(
  d: Deployment,
  o: { maxRequests?: number; maxMs?: number } = {},
): LoadRun {
  return startLoad({
    url: `${d.apiBase}/counter`,
    ca: d.edgeCa,
    rate: 50,
    maxRequests: o.maxRequests ?? 12_000,
    maxMs: o.maxMs ?? 240_000,
    timeoutMs: 10_000,
  });
}

/** A request to the deployment's API, through the edge proxy (trusting its CA) or directly. */
export function request(
  d: Deployment,
  pathAndQuery: string,
  init: { method?: string; body?: string } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  const url = new URL(pathAndQuery, d.apiBase);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: init.method ?? "GET",
        ca: d.edgeCa,
        headers: init.body === undefined ? {} : { "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

/** The program's stack outputs, resolved (secrets revealed: this is a test). */
export async function outputsOf(run: ProgramRun): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(run.outputs)) out[k] = await promiseOf(v as never);
  return out;
}

/** Tears a deployment down even when protected, as `pulumi destroy` after `state unprotect`. */
export async function teardown(d: Deployment | undefined): Promise<void> {
  if (!d) return;
  d.applier.unprotectAll();
  await d.applier.destroy();
}
