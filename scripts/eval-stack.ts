/**
 * Evaluates one stack's program under Pulumi's mocks in a fresh process and prints what
 * it registered. Used by `npm run bench`; handy on its own to see what a stack declares:
 *   npx tsx scripts/eval-stack.ts prod
 */
import { parseArgs } from "node:util";
import { loadStackConfig, runProgram } from "../gate";

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { json: { type: "boolean" } },
  });
  const stack = positionals[0] ?? "dev";
  const cfg = loadStackConfig(stack);
  const run = await runProgram({ stack, values: cfg.values, secretKeys: cfg.secretKeys });
  if (values.json) {
    console.log(
      JSON.stringify(
        run.resources.map((r) => ({ urn: r.urn, options: r.options })),
        null,
        2,
      ),
    );
  } else {
    console.log(`${stack}: ${run.resources.length} resources`);
    for (const r of run.resources) console.log(`  ${r.type}  ${r.name}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
