/**
 * `npm run chaos`: the long chaos run on the private Docker engine (test/docker/chaos.ts),
 * six minutes of one fault every 20 s under 50 requests/s by default.
 *
 *   npm run chaos -- [--duration 6m] [--every 20s] [--rate 50] [--faults kill-redis,stop-api]
 *                    [--stop 15s] [--hold 10s] [--report chaos.md]
 *
 * It runs the same test file CI runs as one short cycle, with CHAOS_* set from the flags.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const FLAGS = ["duration", "every", "rate", "faults", "stop", "hold", "report"] as const;

function main(argv: string[]): number {
  let values: Partial<Record<(typeof FLAGS)[number], string>>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(FLAGS.map((f) => [f, { type: "string" }])) as Record<
        (typeof FLAGS)[number],
        { type: "string" }
      >,
      strict: true,
    }));
  } catch (e) {
    console.error(
      `chaos: ${(e as Error).message}; flags: ${FLAGS.map((f) => `--${f}`).join(", ")}`,
    );
    return 2;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CHAOS_FULL: "1" };
  for (const f of FLAGS) if (values[f] !== undefined) env[`CHAOS_${f.toUpperCase()}`] = values[f];
  const r = spawnSync("npx", ["vitest", "run", "test/docker/chaos.test.ts"], {
    stdio: "inherit",
    env,
  });
  return r.status ?? 1;
}

process.exit(main(process.argv.slice(2)));
