/**
 * The pack as the gate starts it: run-policy-pack on its transpiled copy (gate/src/pack-build.ts).
 * For tests that judge the rules or the gate, not run-policy-pack's ts-node start-up, which
 * protocol.test.ts keeps (about 4 s of CPU per start here, against about 1 s, issue 23).
 */
import * as path from "path";
import { buildPackCopy, PolicyPackClient, startPolicyPack } from "../../gate";

export const POLICY_DIR = path.resolve(__dirname, "../../policy");

export function startPackCopy(): Promise<PolicyPackClient> {
  return startPolicyPack(
    buildPackCopy(POLICY_DIR, path.resolve(__dirname, "../../.gate/policy-pack")),
  );
}
