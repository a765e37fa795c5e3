/**
 * `npm run gate -- --stack <name>` (or `--all`): the offline policy gate for pull requests.
 * `node scripts/run.cjs gate --help` lists the options. The gate itself is the `gate/` package
 * (gate/index.ts); this file is only its command line.
 *
 * Exits 0 when the stack passes, 1 on any mandatory violation, 2 when the stack could not be
 * judged at all (or on an internal error).
 */
import { gateMain } from "../gate";

gateMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Only an unforeseen failure gets here; its stack helps whoever reports it.
    console.error(
      `gate: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    process.exit(2);
  },
);
