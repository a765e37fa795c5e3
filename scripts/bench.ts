/**
 * `npm run bench`: prints the figures our speed targets are stated in. It is a
 * benchmark, not a test: nothing here fails the build, it reports against the targets.
 *
 *   - bare `node -e "require('@pulumi/pulumi')"`, the baseline every figure is divided by
 *   - each stack's program evaluated under mocks, in a fresh process (target <= 1.5x)
 *   - `tsc --noEmit` for the whole repo (target < 15 s)
 *   - the offline gate for prod and prod-ecs as `npm run gate` runs it, wall time (target <= 2.5x)
 *   - protocol analysis per resource for 10..1000 containers (target <= 2 ms)
 *   - on the private Docker engine, when it runs: a dev `up` from empty and a replacement
 *
 * The measurements live in bench/ (bench/index.ts); this file is only the command line.
 */
import { benchMain } from "../bench";

benchMain(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
