/**
 * Runs once before the suite: one line per layer this machine cannot run. Outside CI that
 * layer's tests are skipped; under CI=true a missing layer fails the run before any test.
 */
import { dockerEngineLayer, IN_CI, realBinariesLayer } from "./layers";

export default function setup(): void {
  // Two projects (layer 4's and layer 5's) name this file; one line per layer is enough.
  if (process.env.API_STACK_LAYERS_CHECKED) return;
  process.env.API_STACK_LAYERS_CHECKED = "1";
  for (const layer of [realBinariesLayer(), dockerEngineLayer()]) {
    if (layer.ready) continue;
    if (IN_CI) throw new Error(`CI=true and ${layer.name} cannot run: ${layer.missing}`);
    console.log(`skipping ${layer.name}: ${layer.missing}`);
  }
}
