/**
 * The offline gate, `api-stack-gate`: runs the api-stack program and its policy pack the way the
 * Pulumi engine does, with no CLI, no backend and no credentials.
 *
 * Three entry points, one per half of a `pulumi preview --policy-pack policy`:
 * - {@link runGate}: the whole gate for one stack (config stage, program, policy pack);
 * - {@link runProgram}: the program alone under Pulumi's mock monitor, every registration captured;
 * - {@link startPolicyPack}: the pack alone, started with `@pulumi/pulumi/cmd/run-policy-pack` and
 *   driven over the analyzer gRPC protocol.
 *
 * The rest is what tests and the CLIs in `scripts/` need: the records the two halves exchange,
 * the stack-file reader, and the engine's config stage and passphrase crypto, which have their
 * own unit tests. Everything under `gate/src/` is internal.
 *
 * This index loads only light modules. Each entry point loads its half on first call: Pulumi's
 * SDK for the program, gRPC and the protocol for the pack. So the gate can start the pack while
 * the SDK loads, and a script that only runs the program (scripts/eval-stack.ts, timed by
 * `npm run bench`) pays for nothing else.
 *
 * @example
 * const result = await runGate({ stack: "dev" });
 * console.log(formatConsole(result));
 * process.exitCode = exitCodeOf(result);
 */
import type { AnalyzerInfo, Diagnostic } from "./src/analyzer-decode";
import type { PolicyPackClient, PreparedRequest, StartOptions } from "./src/analyzer";
import type { GateOptions } from "./src/gate";
import type { GateResult } from "./src/gate-format";
import type { ProgramRun, ResourceRecord, RunOptions } from "./src/records";

export type {
  AnalyzerInfo,
  Diagnostic,
  GateOptions,
  PolicyPackClient,
  PreparedRequest,
  StartOptions,
};
export type { EngineLog } from "./src/analyzer-engine";

// The gate.

/**
 * Gates one stack: the engine's config stage, the program under mocks, then the policy pack over
 * the analyzer protocol, as `pulumi preview --policy-pack policy` would. Never throws for a bad
 * stack: the result names the stage that refused it.
 */
export async function runGate(options: GateOptions): Promise<GateResult> {
  return (await import("./src/gate")).runGate(options);
}

/**
 * The `npm run gate` command: `argv` without node and the script; resolves with the exit code
 * (0 passed, 1 a mandatory violation, 2 not judged). `--all` re-runs the calling script once per
 * stack, so call it from a CLI file such as scripts/gate.ts.
 */
export async function gateMain(argv: readonly string[]): Promise<number> {
  return (await import("./src/gate-main")).gateMain(argv);
}

export {
  exitCodeOf,
  formatConsole,
  formatMarkdown,
  type GateResult,
  type GateStage,
} from "./src/gate-format";

// The program under mocks.

/**
 * Installs Pulumi's mock monitor and the stack's config, runs the program, and waits until every
 * resource it registers has been captured. Throws {@link ProgramError} when the program fails.
 * Pulumi's runtime state is per process: one program per process (vitest's `forks` pool).
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  return (await import("./src/capture")).runProgram(options);
}

export {
  ProgramError,
  type CapturedOptions,
  type CapturedResource,
  type ProgramRun,
  type ProviderRecord,
  type ResourceOptionsRecord,
  type ResourceRecord,
  type RunOptions,
} from "./src/records";
export { priorOf } from "./src/mock-state";
export { PROJECT_DIR } from "./src/project-dir";
export {
  discoverStacks,
  loadStackConfig,
  type LoadOptions,
  type StackFileConfig,
} from "./src/stack-file";

// The policy pack over the analyzer protocol.

/**
 * Starts the pack in `dir` as the CLI does (`node run-policy-pack <engine> <dir>`, type-checked
 * by ts-node unless `dir` is a transpiled copy) and connects to it. Always `stop()` the client.
 */
export async function startPolicyPack(
  dir: string,
  options: StartOptions = {},
): Promise<PolicyPackClient> {
  return (await import("./src/analyzer")).startPolicyPack(dir, options);
}

/** Analyze on every resource, then AnalyzeStack on all of them, as a preview sends them. */
export async function analyzeAll(
  pack: PolicyPackClient,
  resources: readonly ResourceRecord[],
): Promise<Diagnostic[]> {
  return (await import("./src/analyzer")).analyzeAll(pack, resources);
}

export { secret, toWire, UNKNOWN, UNKNOWN_SENTINELS, urnOf } from "./src/wire";
export {
  readPolicyConfigFile,
  type EnforcementLevel,
  type PolicyPackConfigFile,
} from "./src/analyzer-config";
export { schemaErrors } from "./src/policy-config-errors";
export { buildPackCopy } from "./src/pack-build";

// The engine's config stage and secrets provider, unit-tested on their own.
export {
  checkStackConfig,
  environmentError,
  missingKeysMessage,
  validateProject,
  type ProjectDoc,
} from "./src/engine-config";
export { validateConfigValue } from "./src/config-value";
export { encryptValue, makeEncryptionSalt, passphraseDecrypter } from "./src/passphrase";
