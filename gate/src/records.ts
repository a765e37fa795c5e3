/**
 * The records the gate passes between its halves: what the program registered (captured under
 * Pulumi's mock monitor) and what the engine sends a policy pack. Plain types and one error class,
 * with no imports, so that loading them costs nothing.
 */

/**
 * A resource's options, defined once for both directions the gate carries them:
 * - what the SDK sent RegisterResource, as the mock monitor records it ({@link CapturedOptions});
 * - what the engine forwards to a policy pack as AnalyzerResourceOptions: pulumi/pulumi
 *   sdk/go/common/resource/plugin/analyzer_plugin.go, marshalResourceOptions, and
 *   proto/pulumi/analyzer.proto. That message has no `retainOnDelete` and no `replaceOnChanges`,
 *   so the encoder leaves them out, as the engine does.
 */
export interface ResourceOptionsRecord {
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly ignoreChanges?: string[];
  /** Undefined means "not set" (the engine's deleteBeforeReplaceDefined = false). */
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs?: string[];
  readonly replaceOnChanges?: string[];
  readonly aliases?: string[];
  /** Seconds, like the engine's CustomTimeouts. */
  readonly customTimeouts?: { create?: number; update?: number; delete?: number; read?: number };
  /** Defaults to the record's `parent`. */
  readonly parent?: string;
}

/**
 * The options the mock monitor records for every registration: each one always set, except
 * `deleteBeforeReplace`, which is undefined when the program left it unset (the provider decides).
 */
export type CapturedOptions = Required<
  Pick<
    ResourceOptionsRecord,
    "protect" | "retainOnDelete" | "ignoreChanges" | "additionalSecretOutputs" | "replaceOnChanges"
  >
> &
  Pick<ResourceOptionsRecord, "deleteBeforeReplace">;

/** A resource's provider, as the engine sends it with Analyze. */
export interface ProviderRecord {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties?: Record<string, unknown>;
}

/** One resource, as the offline gate and the tests describe it to a policy pack. */
export interface ResourceRecord {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Plain values; `secret(v)` for secrets, `UNKNOWN` for unknowns. */
  readonly properties: Record<string, unknown>;
  readonly options?: ResourceOptionsRecord;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  /** Top-level property → URNs it was computed from. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly provider?: ProviderRecord;
}

/** One resource the program registered under the mock monitor. */
export interface CapturedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string;
  readonly provider: string;
  /** Inputs in wire form: secrets as `{4dabf…: 1b47…, value}`, unknowns as the sentinel string. */
  readonly properties: Record<string, unknown>;
  /** The mocked provider's outputs (e.g. the auto-generated `name`). */
  readonly state: Record<string, unknown>;
  /**
   * What a component passed to `registerOutputs` (wire form), if it did. The engine makes these a
   * component's outputs: pulumi/pulumi pkg/resource/deploy/step_executor.go,
   * executeRegisterResourceOutputs ("Unconditionally set the resource's outputs to what was provided").
   */
  readonly registeredOutputs?: Record<string, unknown>;
  readonly options: CapturedOptions;
  /**
   * The `replacementTrigger` option as the SDK serialised it (@pulumi/pulumi runtime/resource.ts,
   * `req.setReplacementTrigger`), if set. The engine replaces the resource when it differs from
   * the last recorded one; no analyzer message carries it, so only the tests read it.
   */
  readonly replacementTrigger?: unknown;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
}

/** What one run of the program under mocks produced. */
export interface ProgramRun {
  readonly resources: CapturedResource[];
  /** The program module's exports (its stack outputs), as Outputs. */
  readonly outputs: Record<string, unknown>;
}

/** How to run the program under mocks (see `runProgram`). */
export interface RunOptions {
  readonly stack: string;
  /** The project name the program sees (pulumi.getProject()). @default "api-stack" */
  readonly project?: string;
  readonly values: Record<string, string>;
  readonly secretKeys: readonly string[];
  /** Preview: computed outputs of the mocks are unknown, as in `pulumi preview`. @default false */
  readonly preview?: boolean;
  /** Loads the program; tests pass a vitest-aware importer. @default require of stacks/index.ts */
  readonly load?: () => Promise<Record<string, unknown>>;
  /**
   * Secret config keys (`project:key`) whose value cannot be known, e.g. `secure:` values
   * without the passphrase: the program's `requireSecret` & co. get an unknown secret
   * Output for them, as a preview would hand it a value computed later.
   */
  readonly unknownSecretKeys?: readonly string[];
  /**
   * The outputs of a previous run, by `type::name` (see `priorOf`), for a second `up`:
   * a resource whose inputs did not change keeps its outputs, as the engine's same-step
   * carries the old state (pulumi/pulumi pkg/resource/deploy/step.go, SameStep), so generated
   * passwords survive; a Docker resource keeps its auto-name.
   */
  readonly prior?: Readonly<Record<string, Record<string, unknown>>>;
}

const PROGRAM_ERROR = Symbol.for("api-stack-gate:ProgramError");

/**
 * The program failed; `resources` says what it had registered by then (it should be nothing).
 *
 * `instanceof` checks a registered symbol rather than the class's identity: the SDK half of the
 * gate is imported lazily, so after a test runner's `vi.resetModules()` it may come with its own
 * copy of this module, and its errors must still count as this class.
 */
export class ProgramError extends Error {
  readonly [PROGRAM_ERROR] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && PROGRAM_ERROR in value;
  }

  constructor(
    override readonly cause: unknown,
    readonly resources: CapturedResource[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "ProgramError";
  }
}
