import { describe } from "vitest";
import { realBinariesLayer } from "../layers";

/**
 * `describe` for layer 4: skipped, with the one line test/global-setup.ts prints, on a
 * machine without the Debian binaries; under CI=true the run has already failed instead.
 */
export const describeReal = describe.skipIf(!realBinariesLayer().ready);
