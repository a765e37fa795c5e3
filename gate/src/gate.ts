/**
 * The offline gate: what `pulumi preview --policy-pack policy` does, without a backend or
 * providers.
 * 1. the engine's config stage (./engine-config): Pulumi.yaml and Pulumi.<stack>.yaml are
 *    refused with the engine's messages where the CLI would refuse them;
 * 2. the real program runs with that config under Pulumi's mock monitor, and every registered
 *    resource is captured (inputs in wire form, options, dependencies, the mocked provider's
 *    outputs, a component's registerOutputs);
 * 3. the real policy pack gets Analyze for each resource (its inputs), then AnalyzeStack (every
 *    resource's outputs), with policy/config/<stack>.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
// Only light modules load up front, so the policy pack can start while Pulumi's SDK and the
// program load (./capture is imported inside runGate).
import { PROJECT_DIR } from "./project-dir";
import { buildPackCopy } from "./pack-build";
import { startPolicyPack, type Diagnostic, type PolicyPackClient } from "./analyzer";
import { passphraseDecrypter } from "./passphrase";
import { warmSchemaValidator } from "./policy-config-errors";
import { ProgramError, type CapturedResource, type ResourceRecord } from "./records";
import { UNKNOWN } from "./wire";
import {
  configOf,
  discoverStacks,
  loadStackConfig,
  readStackFiles,
  type StackFiles,
} from "./stack-file";
import {
  checkStackConfig,
  environmentError,
  stackKeyError,
  validateProject,
} from "./engine-config";
import type { GateResult, GateStage } from "./gate-format";

/** What to gate and how; only `stack` is required. */
export interface GateOptions {
  readonly stack: string;
  /** The folder holding Pulumi.yaml and the stack files. @default the project's */
  readonly dir?: string;
  /** Policy pack config; @default <pack>/config/<stack>.json, else the file for its environment */
  readonly policyConfig?: string;
  /** The policy pack's folder. @default policy/ */
  readonly policyPack?: string;
  /** Simulate a first `pulumi preview`: generated values are unknown. @default false */
  readonly preview?: boolean;
  /** Replace top-level config keys (`api-stack:api` etc.), as `pulumi config set` would. */
  readonly overrides?: Record<string, unknown>;
  /** Add secret config keys, as `pulumi config set --secret` would. */
  readonly secrets?: Record<string, unknown>;
  /** @default PULUMI_CONFIG_PASSPHRASE, else the contents of PULUMI_CONFIG_PASSPHRASE_FILE */
  readonly passphrase?: string;
  /** Start the TypeScript pack itself (type-checked by run-policy-pack, ~2 s slower). @default false */
  readonly typecheckPack?: boolean;
  /** Loads the program module; tests pass a loader their runner understands. */
  readonly load?: () => Promise<Record<string, unknown>>;
  /**
   * A running pack ({@link startPolicyPack}) to judge with instead of starting one: the gate
   * configures it (Configure replaces the pack's whole config, ConfigureStack its stack) and
   * leaves it running. Tests share one across gates; `policyPack` and `typecheckPack` are then
   * not used.
   */
  readonly pack?: PolicyPackClient;
}

/** What Analyze gets: the resource's inputs (step_generator.go, analyzeAll: `new.Inputs`). */
export function toAnalyzeRecord(r: CapturedResource): ResourceRecord {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    properties: r.properties,
    // The same options type both ways; the encoder sends what AnalyzerResourceOptions holds.
    options: { ...r.options, parent: r.parent || undefined },
    parent: r.parent || undefined,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
  };
}

/**
 * What AnalyzeStack gets: pulumi/pulumi pkg/resource/deploy/step_generator.go AnalyzeResources,
 * "Unlike Analyze, AnalyzeStack is called on the final outputs of each resource": `v.Outputs`,
 * i.e. a custom resource's provider outputs (here the mock's returned state; step.go
 * CreateStep.Apply) and a component's registerOutputs (step_executor.go
 * executeRegisterResourceOutputs), nothing when it never registered any (generateSteps starts a
 * new state with `Outputs: nil`).
 */
export function toStackRecord(r: CapturedResource): ResourceRecord {
  return { ...toAnalyzeRecord(r), properties: r.custom ? r.state : (r.registeredOutputs ?? {}) };
}

/**
 * <pack>/config/<stack>.json when there is one; otherwise the file for the stack's
 * environment, so a variant such as prod-elasticache is judged as production.
 */
export function policyConfigFor(
  stack: string,
  values: Record<string, string>,
  opts: { project?: string; pack?: string } = {},
): string | undefined {
  const dir = path.join(opts.pack ?? path.join(PROJECT_DIR, "policy"), "config");
  const own = path.join(dir, `${stack}.json`);
  if (fs.existsSync(own)) return own;
  const env =
    values[`${opts.project ?? "api-stack"}:environment`] === "production" ? "prod" : "dev";
  const byEnv = path.join(dir, `${env}.json`);
  return fs.existsSync(byEnv) ? byEnv : undefined;
}

/** pkg/secrets/passphrase/manager.go readPassphrase: the variable, else the file (trimmed). */
function passphraseFromEnv(): string | undefined {
  if (process.env.PULUMI_CONFIG_PASSPHRASE) return process.env.PULUMI_CONFIG_PASSPHRASE;
  const file = process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
  return file ? fs.readFileSync(path.resolve(file), "utf8").trim() : undefined;
}

/**
 * Starts the pack in `dir` and resolves once its process exists, with the promise of its
 * readiness: loading the SDK for the program blocks the event loop, so the spawn must come first.
 */
async function spawnPack(dir: string): Promise<{ ready: Promise<PolicyPackClient> }> {
  let ready!: Promise<PolicyPackClient>;
  await new Promise<void>((spawned, failed) => {
    ready = startPolicyPack(dir, { onSpawned: spawned });
    ready.catch(failed);
  });
  return { ready };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] as string;
}

/**
 * Gates one stack: the engine's config stage, the program under mocks, then the policy pack over
 * the analyzer protocol. Never throws for a bad stack: the result names the stage that refused it.
 */
export async function runGate(o: GateOptions): Promise<GateResult> {
  const dir = o.dir ?? PROJECT_DIR;
  const packSource = o.policyPack ?? path.join(PROJECT_DIR, "policy");
  const copyName = o.policyPack ? `policy-pack-${path.basename(packSource)}` : "policy-pack";
  const notes: string[] = [];
  const refuse = (stage: GateStage, message: string): GateResult => {
    const empty = { resources: 0, diagnostics: [], mandatory: 0, advisory: 0 };
    return { stack: o.stack, ...empty, programError: message, stage, notes };
  };

  // 1. The engine's config stage, in the CLI's order (see ./engine-config).
  let files: StackFiles;
  try {
    files = readStackFiles(o.stack, dir);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    const found = discoverStacks(dir).map((s) => `Pulumi.${s}.yaml`);
    return refuse(
      "config",
      missing
        ? `no stack file Pulumi.${o.stack}.yaml beside Pulumi.yaml; stack files found: ${found.join(", ") || "none"}`
        : firstLine(e),
    );
  }
  const { project, stackDoc, file } = files;
  const refused = validateProject(project) ?? stackKeyError(configOf(stackDoc), file);
  if (refused) return refuse("config", refused);
  let decrypt: ((c: string) => string) | undefined;
  try {
    const passphrase = (o.passphrase ?? passphraseFromEnv()) || undefined;
    const salt = typeof stackDoc.encryptionsalt === "string" ? stackDoc.encryptionsalt : undefined;
    decrypt = passphrase !== undefined && salt ? passphraseDecrypter(salt, passphrase) : undefined;
  } catch (e) {
    return refuse("config", `${file}: ${firstLine(e)}`);
  }
  const envRefused = environmentError(stackDoc, file);
  if (envRefused) return refuse("config", envRefused);
  const checked = checkStackConfig({
    stack: o.stack,
    project,
    ...withTestValues(configOf(stackDoc), String(project.name ?? ""), o, decrypt),
  });
  notes.push(...checked.notes);
  if (checked.error) return refuse("config", checked.error);

  let cfg: ReturnType<typeof loadStackConfig>;
  try {
    cfg = loadStackConfig(o.stack, {
      dir,
      decrypt,
      overrides: o.overrides,
      secrets: o.secrets,
      undecrypted: UNKNOWN,
    });
  } catch (e) {
    return refuse("config", `${file}: ${firstLine(e)}`);
  }
  const { values, secretKeys } = cfg;
  if (cfg.encryptedKeys.length > 0) {
    notes.push(
      `${cfg.encryptedKeys.length} secure value(s) (${cfg.encryptedKeys.join(", ")}) were not decrypted because PULUMI_CONFIG_PASSPHRASE is not set: they were judged as secret unknowns, as in a preview that cannot read them; their strength was not checked.`,
    );
  }
  // A value that cannot be decrypted is only ever unknown, as in a preview.
  const preview = o.preview || cfg.encryptedKeys.length > 0;
  if (preview)
    notes.push(
      "Preview mode: generated and computed values (passwords, ARNs, ids, endpoints) were unknown and auto-names known, as in a first `pulumi preview`.",
    );

  // The pack starts once the config stage has passed (a refused config never needs it), and
  // loads while the program runs: they are independent until Analyze.
  const starting = o.pack
    ? Promise.resolve(o.pack)
    : (
        await spawnPack(
          o.typecheckPack
            ? packSource
            : buildPackCopy(packSource, path.join(PROJECT_DIR, ".gate", copyName)),
        )
      ).ready;
  // A later stage that refuses the stack stops the pack the gate started.
  const fail = async (stage: GateStage, message: string): Promise<GateResult> => {
    if (!o.pack)
      await starting.then(
        (p) => p.stop(),
        () => undefined,
      );
    return refuse(stage, message);
  };

  // 2. The program.
  const { runProgram } = await import("./capture");
  let resources: CapturedResource[];
  try {
    resources = (
      await runProgram({
        stack: o.stack,
        project: cfg.project,
        values,
        secretKeys,
        preview,
        load: o.load,
        unknownSecretKeys: cfg.encryptedKeys,
      })
    ).resources;
  } catch (err) {
    return fail("program", err instanceof ProgramError ? err.message : String(err));
  }

  // 3. The policy pack. It usually starts after the program has run (its SDK loads more than
  // the program does); reconciling the policy config needs Ajv, whose set-up fills that wait.
  warmSchemaValidator();
  let pack: PolicyPackClient;
  try {
    pack = await starting;
  } catch (e) {
    return fail("policy-pack", `the policy pack could not start: ${(e as Error).message}`);
  }
  try {
    const policyConfig =
      o.policyConfig ??
      policyConfigFor(o.stack, values, { project: cfg.project, pack: packSource });
    notes.unshift(
      policyConfig
        ? `Policy config: ${path.relative(PROJECT_DIR, policyConfig)}.`
        : "Policy config: none (the pack's defaults).",
    );
    try {
      await (policyConfig ? pack.configureFile(policyConfig) : pack.configure({}));
    } catch (e) {
      return await fail("policy-pack", (e as Error).message);
    }
    await pack.configureStack({ stack: o.stack, project: cfg.project, dryRun: true });
    // One Analyze at a time, in registration order, as the engine sends them: its deployment
    // executor handles one event at a time and step generation calls the analyzers inline
    // (pulumi/pulumi pkg/resource/deploy/deployment_executor.go, the event loop calling
    // handleSingleEvent; step_generator.go continueStepsFromImport -> analyzeAll).
    const diagnostics: Diagnostic[] = [];
    for (const r of resources) diagnostics.push(...(await pack.analyze(toAnalyzeRecord(r))));
    diagnostics.push(...(await pack.analyzeStack(resources.map(toStackRecord))));
    return {
      stack: o.stack,
      resources: resources.length,
      diagnostics,
      mandatory: diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
      advisory: diagnostics.filter((d) => d.enforcementLevel === "advisory").length,
      notes,
    };
  } finally {
    if (!o.pack) await pack.stop();
  }
}

/**
 * The stack file's config with a test's `overrides` (plain values) and `secrets` (secure values,
 * decrypted by a stand-in) applied, as `pulumi config set [--secret]` would have written them.
 */
function withTestValues(
  config: Record<string, unknown>,
  projectName: string,
  o: GateOptions,
  decrypt: ((c: string) => string) | undefined,
): { stackConfig: Record<string, unknown>; decrypt?: (c: string) => string } {
  const stackConfig = { ...config };
  const plain = new Map<string, string>();
  const set = (k: string, v: unknown) => {
    // The file may spell a project key without its namespace.
    if (k.startsWith(`${projectName}:`)) delete stackConfig[k.slice(projectName.length + 1)];
    if (v === undefined) delete stackConfig[k];
    else stackConfig[k] = v;
  };
  for (const [k, v] of Object.entries(o.overrides ?? {})) set(k, v);
  for (const [k, v] of Object.entries(o.secrets ?? {})) {
    const id = `gate-test-secret:${plain.size}`;
    plain.set(id, typeof v === "string" ? v : JSON.stringify(v));
    set(k, { secure: id });
  }
  if (!decrypt) return { stackConfig };
  return { stackConfig, decrypt: (c) => plain.get(c) ?? decrypt(c) };
}
