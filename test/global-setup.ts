/**
 * Runs once per project that holds a layer's tests (layer 4's and layer 5's): one line per layer
 * this machine cannot run. Outside CI that layer's tests are skipped; under CI=true a missing
 * layer fails the run before any test.
 */
import { dockerEngineLayer, IN_CI, realBinariesLayer } from "./layers";

// Printed once though two projects run this; kept in this process, not in the environment, so
// that nothing set outside can turn the CI check off.
const PRINTED = Symbol.for("api-stack.layerLinesPrinted");

export default function setup(): void {
  const g = globalThis as Record<symbol, unknown>;
  const print = !g[PRINTED];
  g[PRINTED] = true;
  for (const layer of [realBinariesLayer(), dockerEngineLayer()]) {
    if (layer.ready) continue;
    if (IN_CI) throw new Error(`CI=true and ${layer.name} cannot run: ${layer.missing}`);
    if (print) console.log(`skipping ${layer.name}: ${layer.missing}`);
  }
}
