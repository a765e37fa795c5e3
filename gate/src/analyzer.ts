/**
 * Runs a policy pack the way the Pulumi CLI does and talks to it over the Analyzer gRPC protocol.
 *
 * Start-up mirrors pulumi-language-nodejs `RunPlugin` for kind=analyzer (pulumi/pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go): `node <@pulumi/pulumi/cmd/run-policy-pack>
 * <engine-address> <policy-pack-dir>` with the working directory set to the pack. That script
 * (cmd/run-policy-pack/run.ts, tsutils.ts) registers ts-node with `typeCheck: true`: the
 * project's ts-node if one resolves (the root has ts-node 10.9.2), else the vendored 7.0.1,
 * with the project's `typescript` and policy/tsconfig.json. PULUMI_NODEJS_TRANSPILE_ONLY is not
 * honoured there, so the pack is type-checked exactly as in `pulumi preview --policy-pack
 * policy`; a type error makes the pack exit before it reports a port. No tsx is involved, and
 * NODE_OPTIONS is dropped so a test runner's loaders cannot leak in. The pack prints its port
 * on stdout; a small fake Engine service receives whatever it logs.
 *
 * @example
 * const pack = await startPolicyPack("policy");
 * await pack.configureFile("policy/config/prod.json");
 * const diags = await pack.analyze({ urn, type, name, properties: { image: "redis:latest" } });
 * await pack.stop();
 */
import * as grpc from "@grpc/grpc-js";
import { spawn } from "child_process";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";
import {
  PolicyConfigError,
  PolicyPackConfigFile,
  readPolicyConfigFile,
  ReconciledPolicyConfig,
  reconcilePolicyConfig,
} from "./analyzer-config";
import {
  convertDiagnostics,
  decodeAnalyzerInfo,
  LEVEL_VALUES,
  waitForPort,
  type AnalyzerInfo,
  type Diagnostic,
} from "./analyzer-decode";
import { toAnalyzeRequest, toAnalyzerResource } from "./analyzer-encode";
import { EngineLog, startFakeEngine } from "./analyzer-engine";
import type { ResourceRecord } from "./records";

export type { EngineLog } from "./analyzer-engine";
export type { AnalyzerInfo, Diagnostic } from "./analyzer-decode";

/** A running policy pack, driven over the analyzer protocol as the engine drives it. */
export interface PolicyPackClient {
  readonly pid: number;
  /** Where the pack listens (`127.0.0.1:<port>`), for a second client. */
  readonly address: string;
  info(): Promise<AnalyzerInfo>;
  /** Sends a --policy-pack-config object after the CLI's reconciliation; returns what was sent. */
  configure(config?: PolicyPackConfigFile): Promise<Map<string, ReconciledPolicyConfig>>;
  configureFile(file: string): Promise<Map<string, ReconciledPolicyConfig>>;
  configureStack(opts: {
    stack: string;
    project: string;
    organization?: string;
    dryRun?: boolean;
    tags?: Record<string, string>;
  }): Promise<void>;
  analyze(resource: ResourceRecord): Promise<Diagnostic[]>;
  analyzeStack(resources: readonly ResourceRecord[]): Promise<Diagnostic[]>;
  /**
   * The same two calls in two steps: marshal first, send later. The engine marshals its
   * requests in Go (pkg/resource/plugin/analyzer_plugin.go, `Analyze` builds the request with
   * `MarshalProperties`), at a cost that is not the pack's; `npm run bench` marshals before its
   * clock starts so that its per-resource figure is the transport and the pack, not this
   * client's google-protobuf encoder (bench/analyzer-bench.ts). The bytes sent are the ones
   * `analyze`/`analyzeStack` send.
   */
  prepareAnalyze(resource: ResourceRecord): PreparedRequest;
  prepareAnalyzeStack(resources: readonly ResourceRecord[]): PreparedRequest;
  sendPrepared(request: PreparedRequest): Promise<Diagnostic[]>;
  /** Output the pack wrote to stderr, and the logs it sent to the engine. */
  stderr(): string;
  logs(): readonly EngineLog[];
  stop(): Promise<void>;
}

/** A marshalled Analyze or AnalyzeStack request (PolicyPackClient.prepareAnalyze). */
export interface PreparedRequest {
  readonly method: "Analyze" | "AnalyzeStack";
  readonly bytes: Uint8Array;
  /** The URN diagnostics are attributed to (Analyze), or "" (AnalyzeStack). */
  readonly urn: string;
}

/** How to start the pack: extra environment and timeouts. */
export interface StartOptions {
  readonly env?: Record<string, string>;
  readonly startTimeoutMs?: number;
  readonly callTimeoutMs?: number;
  /** Called once the pack's process exists, before it is ready; lets a caller start other work. */
  readonly onSpawned?: () => void;
  /** Extra flags for the pack's node process, e.g. `--cpu-prof` to profile the pack. */
  readonly nodeArgs?: readonly string[];
}

const MAX_MESSAGE = 400 * 1024 * 1024;

/** Starts `dir` as the CLI would and connects to it. Always `stop()` it. */
export async function startPolicyPack(
  dir: string,
  opts: StartOptions = {},
): Promise<PolicyPackClient> {
  const packDir = path.resolve(dir);
  const engine = await startFakeEngine();
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env.NODE_OPTIONS; // Test runners' loaders must not leak into the pack.
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), runPolicyPack, engine.address, packDir],
    {
      cwd: packDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  opts.onSpawned?.();
  let err = "";
  child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  let port: number;
  try {
    port = await waitForPort(child, () => err, opts.startTimeoutMs ?? 60_000);
  } catch (e) {
    child.kill("SIGKILL");
    engine.stop();
    throw e;
  }
  const client = new analyzerGrpc.AnalyzerClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
    {
      "grpc.max_receive_message_length": MAX_MESSAGE,
      "grpc.max_send_message_length": MAX_MESSAGE,
    },
  );
  const callTimeout = opts.callTimeoutMs ?? 120_000;
  const unary = <Req, Res>(method: string, req: Req): Promise<Res> =>
    new Promise((resolve, reject) => {
      type Unary = (
        this: analyzerGrpc.AnalyzerClient,
        req: Req,
        md: grpc.Metadata,
        o: Partial<grpc.CallOptions>,
        cb: (e: grpc.ServiceError | null, res: Res) => void,
      ) => grpc.ClientUnaryCall;
      const fn = (client as unknown as Record<string, Unary>)[method] as Unary;
      fn.call(
        client,
        req,
        new grpc.Metadata(),
        { deadline: Date.now() + callTimeout },
        (e: grpc.ServiceError | null, res: Res) =>
          e
            ? reject(new Error(`${method} failed: ${e.message}\n--- pack stderr ---\n${err}`))
            : resolve(res),
      );
    });

  // Declarations, not arrows: the names show in CPU profiles (bench/profile.ts).
  function prepareAnalyze(r: ResourceRecord): PreparedRequest {
    return { method: "Analyze", bytes: toAnalyzeRequest(r).serializeBinary(), urn: r.urn };
  }
  function prepareAnalyzeStack(rs: readonly ResourceRecord[]): PreparedRequest {
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList(rs.map(toAnalyzerResource));
    return { method: "AnalyzeStack", bytes: req.serializeBinary(), urn: "" };
  }
  const sendPrepared = (p: PreparedRequest): Promise<Diagnostic[]> =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        `/pulumirpc.Analyzer/${p.method}`,
        (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength),
        (b: Buffer) => analyzerPb.AnalyzeResponse.deserializeBinary(b),
        p.bytes,
        new grpc.Metadata(),
        { deadline: Date.now() + callTimeout },
        (e, res) =>
          e || !res
            ? reject(new Error(`${p.method} failed: ${e?.message}\n--- pack stderr ---\n${err}`))
            : resolve(convertDiagnostics(res, p.urn)),
      );
    });

  let cachedInfo: AnalyzerInfo | undefined;
  const info = async (): Promise<AnalyzerInfo> => {
    if (cachedInfo) {
      return cachedInfo;
    }
    const res = await unary<Empty, analyzerPb.AnalyzerInfo>("getAnalyzerInfo", new Empty());
    cachedInfo = decodeAnalyzerInfo(res);
    return cachedInfo;
  };

  const configure = async (
    config: PolicyPackConfigFile = {},
  ): Promise<Map<string, ReconciledPolicyConfig>> => {
    const i = await info();
    let reconciled: Map<string, ReconciledPolicyConfig>;
    try {
      reconciled = reconcilePolicyConfig(i.policies, i.initialConfig, config);
    } catch (e) {
      // Worded as the engine reports it (pkg/engine/update.go, loadPolicyPlugins).
      throw e instanceof PolicyConfigError ? new Error(e.forPack(i.name, i.version)) : e;
    }
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of reconciled) {
      const pc = new analyzerPb.PolicyConfig();
      pc.setEnforcementlevel(LEVEL_VALUES[c.enforcementLevel] as analyzerPb.EnforcementLevel);
      pc.setProperties(Struct.fromJavaScript(c.properties as Record<string, never>));
      map.set(name, pc);
    }
    await unary("configure", req);
    return reconciled;
  };

  return {
    pid: child.pid ?? -1,
    address: `127.0.0.1:${port}`,
    info,
    configure,
    configureFile: (file) => configure(readPolicyConfigFile(file)),
    configureStack: async (o) => {
      const req = new analyzerPb.AnalyzerStackConfigureRequest();
      req.setStack(o.stack);
      req.setProject(o.project);
      req.setOrganization(o.organization ?? "organization");
      req.setDryRun(o.dryRun ?? true);
      Object.entries(o.tags ?? {}).forEach(([k, v]) => req.getTagsMap().set(k, v));
      await unary("configureStack", req);
    },
    analyze: (r) => sendPrepared(prepareAnalyze(r)),
    analyzeStack: (rs) => sendPrepared(prepareAnalyzeStack(rs)),
    prepareAnalyze,
    prepareAnalyzeStack,
    sendPrepared,
    stderr: () => err,
    logs: () => engine.logs,
    stop: async () => {
      client.close();
      process.removeListener("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      engine.stop();
    },
  };
}

/** Runs Analyze on every resource, then AnalyzeStack on all of them, like a preview. */
export async function analyzeAll(
  pack: PolicyPackClient,
  resources: readonly ResourceRecord[],
): Promise<Diagnostic[]> {
  const diags: Diagnostic[] = [];
  for (const r of resources) {
    diags.push(...(await pack.analyze(r)));
  }
  diags.push(...(await pack.analyzeStack(resources)));
  return diags;
}
