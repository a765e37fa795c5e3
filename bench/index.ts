/**
 * `npm run bench` as a module: the figures our speed targets are stated in (program under mocks,
 * `tsc`, the gate's wall time, protocol analysis per resource, the Docker engine when it runs),
 * and the synthetic stacks the protocol figures and tests send a policy pack. It uses only the
 * gate's public index. Everything not exported here is internal.
 *
 * @example
 * const [r] = await benchmarkPolicyPack("policy", [100]);
 * console.log(`${r.msPerResource.toFixed(3)} ms/resource`);
 */
export { benchMain } from "./run";
export {
  benchAnalysis,
  benchmarkPolicyPack,
  syntheticStack,
  type BenchOptions,
  type BenchResult,
} from "./analyzer-bench";
