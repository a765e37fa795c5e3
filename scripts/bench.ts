/**
 * `npm run bench`: prints the figures our speed targets are stated in. It is a
 * benchmark, not a test: nothing here fails the build, it reports against the targets.
 *
 *   - bare `node -e "require('@pulumi/pulumi')"`, the baseline every figure is divided by
 *   - each stack's program evaluated under mocks, in a fresh process (target <= 1.5x)
 *   - `tsc --noEmit` for the whole repo (target < 15 s)
 *   - the offline gate for prod, wall time (target <= 2.5x), when scripts/gate.ts exists
 *   - protocol analysis per resource for 10..1000 containers (target <= 2 ms), when available
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(__dirname, "..");
const TSX = ["--import", "tsx"];

function timeOnce(cmd: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`,
    );
  return ms;
}

/** Median of `runs` after one warm-up (which fills tsx's and the OS's caches). */
function median(cmd: string, args: string[], runs: number): number {
  timeOnce(cmd, args);
  const samples = Array.from({ length: runs }, () => timeOnce(cmd, args)).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

function row(name: string, ms: number, target: string, ok?: boolean): void {
  const verdict = ok === undefined ? "" : ok ? "  ok" : "  OVER TARGET";
  console.log(`${name.padEnd(46)} ${ms.toFixed(0).padStart(7)} ms   ${target}${verdict}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
  const runs = Number(values.runs);
  console.log(
    `api-stack benchmark (${runs} runs each, median; node ${process.version}, ${os.cpus().length} cores)\n`,
  );

  const bare = median(process.execPath, ["-e", "require('@pulumi/pulumi')"], runs);
  row("bare require('@pulumi/pulumi')", bare, "baseline");

  // The program compiled once to bin/ (`npm run build`), as a deploy would run it with
  // `main: bin/stacks/index.js`; and through tsx, as the tests and `pulumi up` with
  // ts-node do, where the TypeScript loader itself costs about as much as Pulumi.
  timeOnce(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"]);
  for (const stack of ["dev", "prod"]) {
    const ms = median(process.execPath, ["bin/scripts/eval-stack.js", stack], runs);
    const ratio = ms / bare;
    row(
      `${stack} program under mocks (compiled JS)`,
      ms,
      `${ratio.toFixed(2)}x baseline, target <= 1.5x`,
      ratio <= 1.5,
    );
    const viaTsx = median(process.execPath, [...TSX, "scripts/eval-stack.ts", stack], runs);
    row(
      `${stack} program under mocks (through tsx)`,
      viaTsx,
      `${(viaTsx / bare).toFixed(2)}x baseline, for reference`,
    );
  }

  const start = process.hrtime.bigint();
  const tscRun = spawnSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "--noEmit", "-p", "tsconfig.json"],
    { cwd: ROOT },
  );
  const tsc = Number(process.hrtime.bigint() - start) / 1e6;
  row(
    `tsc --noEmit (whole repo${tscRun.status === 0 ? "" : ", WITH ERRORS"})`,
    tsc,
    "target < 15000 ms",
    tsc < 15_000,
  );

  if (fs.existsSync(path.join(ROOT, "scripts", "gate.ts"))) {
    const gate = median(
      process.execPath,
      [...TSX, "scripts/gate.ts", "--stack", "prod", "--quiet"],
      1,
    );
    const ratio = gate / bare;
    row(
      "gate --stack prod (wall)",
      gate,
      `${ratio.toFixed(2)}x baseline, target <= 2.5x`,
      ratio <= 2.5,
    );
  }

  const analyzerBench = path.join(ROOT, "scripts", "lib", "analyzer-bench.ts");
  if (fs.existsSync(analyzerBench)) {
    const mod = (await import(analyzerBench)) as {
      benchmarkPolicyPack(
        dir: string,
        sizes: number[],
      ): Promise<
        { containers: number; resources: number; totalMs: number; msPerResource: number }[]
      >;
    };
    const results = await mod.benchmarkPolicyPack(path.join(ROOT, "policy"), [10, 100, 1000]);
    for (const r of results) {
      row(
        `protocol analysis, ${r.containers} containers (${r.resources} resources)`,
        r.totalMs,
        `${r.msPerResource.toFixed(3)} ms/resource, target <= 2`,
        r.msPerResource <= 2,
      );
    }
    const first = results[0];
    const last = results[results.length - 1];
    if (first && last) {
      const growth = last.totalMs / first.totalMs;
      const size = last.resources / first.resources;
      console.log(
        `  growth: ${growth.toFixed(1)}x the time for ${size.toFixed(0)}x the resources (linear = ${size.toFixed(0)}x)`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
