/**
 * Times protocol analysis of synthetic stacks: Analyze per resource, then one AnalyzeStack,
 * against a running policy pack, so regressions in rule cost show up as ms/resource.
 */
import { performance } from "perf_hooks";
import { PolicyPackClient, ResourceRecord, secret, startPolicyPack, urnOf } from "./analyzer";

export interface BenchResult {
    readonly containers: number;
    readonly resources: number;
    readonly analyzeMs: number;
    readonly analyzeStackMs: number;
    readonly totalMs: number;
    readonly msPerResource: number;
}

/** N hardened Redis/API container pairs' worth of containers, plus the passwords they use. */
export function syntheticStack(containers: number): ResourceRecord[] {
    const pw = urnOf("random:index/randomPassword:RandomPassword", "bench-password");
    const out: ResourceRecord[] = [
        { urn: pw, type: "random:index/randomPassword:RandomPassword", name: "bench-password", properties: { length: 32, special: false, result: secret("x".repeat(8) + "Q7fK2mZp9LwR4tVb8NcY3hJd") } },
    ];
    for (let i = 0; i < containers; i++) {
        const redis = i % 2 === 0;
        const name = `${redis ? "redis" : "api"}-${i}`;
        const password = "Q7fK2mZp9LwR4tVb8NcY3hJd6sXe1Ua5";
        out.push({
            urn: urnOf("docker:index/container:Container", name),
            type: "docker:index/container:Container",
            name,
            dependencies: [pw],
            propertyDependencies: { [redis ? "uploads" : "envs"]: [pw] },
            properties: {
                name,
                image: redis ? "valkey/valkey:8.1-alpine" : "ghcr.io/acme/api:1.4.2",
                command: redis ? ["valkey-server", "/etc/valkey/valkey.conf"] : undefined,
                uploads: redis ? [{ file: "/etc/valkey/valkey.conf", content: secret(`user default on >${password} ~* &* +@all\n`) }] : undefined,
                envs: redis ? [] : secret([`REDIS_URL=redis://:${password}@redis-${i - 1}:6379`, `SECRET_KEY=${"ab".repeat(32)}`]),
                restart: "unless-stopped",
                memory: 256,
                logOpts: { "max-size": "10m", "max-file": "3" },
                wait: true,
                waitTimeout: 120,
                healthcheck: {
                    tests: redis ? ["CMD-SHELL", "valkey-cli ping | grep -qx PONG"] : ["CMD-SHELL", "curl -fsS http://localhost:3003/health"],
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

export async function benchAnalysis(pack: PolicyPackClient, containers: number): Promise<BenchResult> {
    const stack = syntheticStack(containers);
    const t0 = performance.now();
    for (const r of stack) {
        await pack.analyze(r);
    }
    const t1 = performance.now();
    await pack.analyzeStack(stack);
    const t2 = performance.now();
    return {
        containers,
        resources: stack.length,
        analyzeMs: t1 - t0,
        analyzeStackMs: t2 - t1,
        totalMs: t2 - t0,
        msPerResource: (t2 - t0) / stack.length,
    };
}

/** Starts the pack once (prod config) and times each stack size; default 10, 100, 1000 containers. */
export async function benchmarkPolicyPack(
    dir = "policy",
    sizes: readonly number[] = [10, 100, 1000],
    configFile = `${dir}/config/prod.json`,
): Promise<BenchResult[]> {
    const pack = await startPolicyPack(dir);
    try {
        await pack.configureFile(configFile);
        await benchAnalysis(pack, 5); // warm-up
        const results: BenchResult[] = [];
        for (const n of sizes) {
            results.push(await benchAnalysis(pack, n));
        }
        return results;
    } finally {
        await pack.stop();
    }
}
