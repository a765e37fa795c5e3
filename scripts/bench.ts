/**
 * `npm run bench`: prints the figures our speed targets are stated in. It is a
 * benchmark, not a test: nothing here fails the build, it reports against the targets.
 *
 *   - bare `node -e "require('@pulumi/pulumi')"`, the baseline every ratio is divided by
 *   - each stack's program evaluated under mocks, in a fresh process (target <= 1.3x)
 *   - a cold `tsc --noEmit` for the whole repo (targets <= 6 s, peak RSS <= 512 MB)
 *   - the offline gate for prod and prod-ecs as `npm run gate` runs it, wall time (target <= 2.0x)
 *   - protocol analysis per resource for 10..1000 containers (target <= 1 ms at 1,000,
 *     sequential), with 8 calls in flight and with in-loop marshalling for reference
 *   - `npm test` without the Docker layer, wall (target <= 45 s)
 *   - on the private Docker engine, when it runs: a dev `up` from empty (target <= 15 s) and
 *     a replacement
 *
 * The targets are in bench/targets.ts (issue 23).
 *
 * The measurements live in bench/ (bench/index.ts); this file is only the command line.
 */
import { benchMain } from "../bench";

benchMain(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
