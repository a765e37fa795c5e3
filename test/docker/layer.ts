import { describe } from "vitest";
import { dockerEngineLayer } from "../layers";

/**
 * `describe` for layer 5: skipped, with the one line test/global-setup.ts prints, on a
 * machine without the private engine; under CI=true the run has already failed instead.
 */
export const describeDocker = describe.skipIf(!dockerEngineLayer().ready);
