/**
 * The pack the corpus tests judge with: run-policy-pack on the gate's transpiled copy
 * (gate/src/pack-build.ts). They judge the rules, not run-policy-pack's ts-node start-up, which
 * protocol.test.ts keeps (about 4 s of CPU per start here, issue 23).
 */
import * as path from "path";
import { buildPackCopy, PolicyPackClient, startPolicyPack } from "../../../gate";

export const POLICY_DIR = path.resolve(__dirname, "../../../policy");

export function startCorpusPack(): Promise<PolicyPackClient> {
  return startPolicyPack(
    buildPackCopy(POLICY_DIR, path.resolve(__dirname, "../../../.gate/policy-pack")),
  );
}
