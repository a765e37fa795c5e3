/**
 * `npm run verify`'s checks as a module: is a deployed stack actually working, judged from
 * outside over the URLs the stack exports (API health, Redis PING with auth and TLS, Redis
 * persistence). No secret is ever printed: every line goes through {@link maskSecrets}.
 * Everything not exported here is internal.
 *
 * @example
 * const outputs = await readOutputsFile("outputs.json");
 * const report = await runChecks({ target: resolveTarget(outputs), secrets: secretsIn(outputs) });
 * console.log(formatTable(report.checks));
 */
export { verifyMain } from "./cli";
export { runChecks } from "./checks";
export {
  checkContainers,
  diagnose,
  engineSource,
  formatDiagnostics,
  unhealthyReason,
  type ContainerDiagnosis,
  type ContainerSource,
  type Diagnostics,
} from "./diagnose";
export { formatTable } from "./format";
export { MASK, maskPatterns, maskSecrets } from "./mask";
export {
  containerNamesIn,
  OutputsError,
  parseOutputs,
  readOutputsFile,
  readStackOutputs,
  secretsIn,
  urlPassword,
  type StackOutputs,
} from "./outputs";
export {
  healthUrl,
  resolveTarget,
  type CheckResult,
  type CheckStatus,
  type TargetOverrides,
  type VerifyOptions,
  type VerifyReport,
  type VerifyTarget,
} from "./target";
