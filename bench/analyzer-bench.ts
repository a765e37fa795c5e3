/**
 * Times protocol analysis of synthetic stacks: Analyze per resource, then one AnalyzeStack,
 * against a running policy pack, so regressions in rule cost show up as ms/resource.
 */
import { performance } from "perf_hooks";
import {
  PolicyPackClient,
  PreparedRequest,
  ResourceRecord,
  secret,
  startPolicyPack,
  UNKNOWN,
  urnOf,
} from "../gate";

/** The timings for one synthetic stack. */
export interface BenchResult {
  readonly containers: number;
  /** Secrets unknown (first preview), judged through propertyDependencies. */
  readonly preview: boolean;
  readonly resources: number;
  readonly analyzeMs: number;
  readonly analyzeStackMs: number;
  readonly totalMs: number;
  readonly msPerResource: number;
}

/**
 * `containers` hardened containers alternating Redis/API, plus the password they use. With
 * `preview`, the secrets are unknown, as on a first `pulumi preview`.
 */
export function syntheticStack(containers: number, preview = false): ResourceRecord[] {
  const pw = urnOf("random:index/randomPassword:RandomPassword", "bench-password");
  const hidden = <T>(v: T): unknown => (preview ? secret(UNKNOWN) : secret(v));
  const out: ResourceRecord[] = [
    {
      urn: pw,
      type: "random:index/randomPassword:RandomPassword",
      name: "bench-password",
      properties: {
        length: 32,
        special: false,
        result: hidden("Q7fK2mZp9LwR4tVb8NcY3hJd6sXe1Ua5"),
      },
    },
  ];
  for (let i = 0; i < containers; i++) {
    const redis = i % 2 === 0;
    const name = `${redis ? "redis" : "api"}-${i}`;
    const password = "Q7fK2mZp9LwR4tVb8NcY3hJd6sXe1Ua5";
    out.push({
      urn: urnOf("docker:index/container:Container", name),
      type: "docker:index/container:Container",
      name,
      dependencies: redis
        ? [pw]
        : [pw, urnOf("docker:index/container:Container", `redis-${i - 1}`)],
      propertyDependencies: {
        [redis ? "uploads" : "envs"]: redis
          ? [pw]
          : [pw, urnOf("docker:index/container:Container", `redis-${i - 1}`)],
      },
      properties: {
        name,
        image: redis ? "valkey/valkey:8.1-alpine" : "ghcr.io/acme/api:1.4.2",
        command: redis ? ["valkey-server", "/etc/valkey/valkey.conf"] : undefined,
        uploads: redis
          ? [
              {
                file: "/etc/valkey/valkey.conf",
                content: hidden(`user default on >${password} ~* &* +@all\n`),
              },
            ]
          : undefined,
        envs: redis
          ? []
          : hidden([
              `REDIS_URL=redis://:${password}@redis-${i - 1}:6379`,
              `SECRET_KEY=${"ab".repeat(32)}`,
            ]),
        restart: "unless-stopped",
        memory: 256,
        stopTimeout: 30,
        destroyGraceSeconds: 30,
        // Hardened as our components are (components/api-service.ts, local-redis-server.ts).
        user: redis ? "999" : undefined,
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        logOpts: { "max-size": "10m", "max-file": "3" },
        wait: true,
        waitTimeout: 120,
        healthcheck: {
          tests: redis
            ? ["CMD-SHELL", "valkey-cli ping | grep -qx PONG"]
            : ["CMD-SHELL", "curl -fsS http://localhost:3003/health"],
          interval: "10s",
          timeout: "3s",
          startPeriod: "20s",
          retries: 5,
        },
      },
    });
  }
  return out;
}

/** How to send the synthetic stack. */
export interface BenchOptions {
  /** Send the stack as at a first preview (secrets unknown). Default false. */
  readonly preview?: boolean;
  /**
   * Analyze requests in flight at once. 1 (default) is how the engine sends them: one at a
   * time (pulumi/pulumi pkg/resource/deploy/deployment_executor.go handles one event at a time,
   * and step_generator.go calls the analyzers inline). More is for reference: the pack's
   * throughput when client and pack overlap.
   */
  readonly concurrency?: number;
  /**
   * Marshal each request inside the timed loop, as `analyze()` does, instead of before the clock
   * starts. The engine marshals in Go; this client's google-protobuf encoder cost 0.24-0.26 ms
   * of CPU per resource (docs/testing.md, "How protocol analysis is timed"), which is not the
   * pack's. Default false; the bench prints both.
   */
  readonly encodeInLoop?: boolean;
}

/** Times one synthetic stack of `containers` containers against a running, configured pack. */
export async function benchAnalysis(
  pack: PolicyPackClient,
  containers: number,
  opts: BenchOptions = {},
): Promise<BenchResult> {
  const preview = opts.preview ?? false;
  const stack = syntheticStack(containers, preview);
  const inLoop = opts.encodeInLoop ?? false;
  const prepared = inLoop ? [] : stack.map((r) => pack.prepareAnalyze(r));
  const preparedStack = inLoop ? undefined : pack.prepareAnalyzeStack(stack);
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < stack.length) {
      const i = next++;
      await (inLoop
        ? pack.analyze(stack[i] as ResourceRecord)
        : pack.sendPrepared(prepared[i] as PreparedRequest));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, worker));
  const t1 = performance.now();
  await (preparedStack ? pack.sendPrepared(preparedStack) : pack.analyzeStack(stack));
  const t2 = performance.now();
  return {
    containers,
    preview,
    resources: stack.length,
    analyzeMs: t1 - t0,
    analyzeStackMs: t2 - t1,
    totalMs: t2 - t0,
    msPerResource: (t2 - t0) / stack.length,
  };
}

/**
 * Starts the pack once (prod config), warms it up, and times each stack size (default 10, 100
 * and 1000 containers): Analyze per resource, then one AnalyzeStack.
 */
export async function benchmarkPolicyPack(
  dir = "policy",
  sizes: readonly number[] = [10, 100, 1000],
  configFile = `${dir}/config/prod.json`,
  opts: BenchOptions = {},
): Promise<BenchResult[]> {
  const pack = await startPolicyPack(dir);
  try {
    await pack.configureFile(configFile);
    await benchAnalysis(pack, 200, opts); // warm-up: JIT and gRPC channel
    const results: BenchResult[] = [];
    for (const n of sizes) {
      results.push(await benchAnalysis(pack, n, opts));
    }
    return results;
  } finally {
    await pack.stop();
  }
}
