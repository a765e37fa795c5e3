/**
 * The Docker figures for `npm run bench` (run by scripts/bench.ts, outside the test runner):
 * a dev `up` from empty on the private engine, and a replacement (the API's image bump), as
 * the applier performs them. Nothing is asserted; the numbers are printed.
 *   node --import tsx test/docker/bench.ts
 */
import Docker from "dockerode";
import { TARGETS } from "../../bench/targets";
import { loadStackConfig, priorOf, runProgram, type ProgramRun } from "../../gate";
import { DOCKER_SOCKET } from "../layers";
import { freePort } from "../real/util";
import { DockerApplier } from "./applier";
import { configFor } from "./config";

async function program(stack: string, overrides: Record<string, unknown>, prior?: ProgramRun) {
  const cfg = loadStackConfig(stack, { overrides });
  return runProgram({
    stack,
    values: cfg.values,
    secretKeys: cfg.secretKeys,
    prior: prior ? priorOf(prior) : undefined,
    // A second run in this process must execute the program again, as a second `up` does:
    // drop the cached program module (the SDK's own state is reset by runProgram).
    load: async () => {
      const entry = require.resolve("../../stacks/index");
      delete require.cache[entry];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(entry) as Record<string, unknown>;
    },
  });
}

async function main(): Promise<void> {
  const applier = new DockerApplier(
    new Docker({ socketPath: DOCKER_SOCKET }),
    process.env.BENCH_LOG ? console.log : undefined,
  );
  const ports = {
    apiPort: await freePort(),
    debugPort: await freePort(),
    httpPort: 80,
    httpsPort: 443,
    edgeIp: "127.0.0.1", // dev has no edge proxy
  };
  try {
    const first = await program("dev", await configFor("dev", ports));
    let t = performance.now();
    await applier.up(first);
    const up = performance.now() - t;
    const bumped = await program(
      "dev",
      await configFor("dev", ports, { api: { image: "ghcr.io/acme/api:1.4.3" } }),
      first,
    );
    t = performance.now();
    await applier.up(bumped);
    const replace = performance.now() - t;
    const row = (name: string, ms: number, note: string) =>
      console.log(`${name.padEnd(46)} ${ms.toFixed(0).padStart(7)} ms   ${note}`);
    // The API's first probe comes after its 2 s startInterval (Docker >= 25), not its interval.
    const ok = up <= TARGETS.devUpMs ? "  ok" : "  OVER TARGET";
    row(
      "docker: dev up from empty (real engine)",
      up,
      `both containers healthy; target <= ${TARGETS.devUpMs} ms${ok}`,
    );
    row(
      "docker: dev API replacement (image bump)",
      replace,
      "stop within destroyGraceSeconds, start, healthy",
    );
  } finally {
    await applier.destroy().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
