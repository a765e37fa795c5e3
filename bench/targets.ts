/**
 * The speed targets `npm run bench` reports against (issue 23). A benchmark, never a test:
 * the bench prints ok or OVER TARGET for each and exits 0.
 */
export const TARGETS = {
  /** Program under mocks, compiled, as a multiple of the baseline. */
  program: 1.3,
  /** `npm run gate`, wall, as a multiple of the baseline. */
  gate: 2.0,
  tscMs: 6_000,
  tscRssMb: 512,
  /** `npm test` without the Docker layer, wall. */
  npmTestMs: 45_000,
  /** Protocol analysis, 1,000 containers, sequential, per resource. */
  analysisMs: 1,
  /** A dev `up` from empty on the private engine (test/docker/bench.ts prints it). */
  devUpMs: 15_000,
} as const;
