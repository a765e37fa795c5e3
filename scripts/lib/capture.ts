/**
 * Runs the real program under Pulumi's mock monitor and records every resource it
 * registers: its inputs as the engine would receive them (secrets and unknowns still
 * marked), its options and its dependencies. Used by the stack tests and `npm run gate`.
 */
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../policy/lib/unknown";

// The SDK's mock monitor and runtime settings are not part of its typed surface, but
// they are the public mocks' own building blocks; subclassing keeps the request.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mocksModule = require("@pulumi/pulumi/runtime/mocks") as {
  MockMonitor: new (mocks: pulumi.runtime.Mocks) => {
    registerResource(
      req: RegisterRequest,
      cb: (err: unknown, res?: unknown) => void,
    ): Promise<void>;
    registerResourceOutputs(req: RegisterOutputsRequest, cb: (err: unknown) => void): void;
  };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
  setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean): void;
  waitForRPCs(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void;
  };
  getAdditionalsecretoutputsList(): string[];
  getReplaceonchangesList(): string[];
}

interface RegisterOutputsRequest {
  getUrn(): string;
  getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

export interface ResourceOptionsRecord {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
  readonly ignoreChanges: string[];
  readonly additionalSecretOutputs: string[];
  readonly replaceOnChanges: string[];
}

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
  readonly options: ResourceOptionsRecord;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
}

export interface ProgramRun {
  readonly resources: CapturedResource[];
  /** The program module's exports (its stack outputs), as Outputs. */
  readonly outputs: Record<string, unknown>;
}

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
   * The outputs of a previous run, by `type::name` (see {@link priorOf}), for a second `up`:
   * a resource whose inputs did not change keeps its outputs, as the engine's same-step
   * carries the old state (pulumi/pulumi pkg/resource/deploy/step.go, SameStep), so generated
   * passwords survive; a Docker resource keeps its auto-name.
   */
  readonly prior?: Readonly<Record<string, Record<string, unknown>>>;
}

/** The key {@link RunOptions.prior} uses; the mocks see no URN, only type and logical name. */
export function priorKey(type: string, name: string): string {
  return `${type}::${name}`;
}

/** A run's outputs as the `prior` of the next run. */
export function priorOf(run: ProgramRun): Record<string, Record<string, unknown>> {
  return Object.fromEntries(run.resources.map((r) => [priorKey(r.type, r.name), r.state]));
}

function fromPrior(
  prior: Record<string, unknown> | undefined,
  type: string,
  inputs: Record<string, unknown>,
  fresh: Record<string, unknown>,
): Record<string, unknown> {
  if (!prior) return fresh;
  const same = Object.entries(inputs).every(
    ([k, v]) => v === undefined || JSON.stringify(prior[k]) === JSON.stringify(v),
  );
  if (same) return prior;
  // Changed inputs: a new result, but an auto-named Docker resource keeps its name.
  return type.startsWith("docker:") && typeof prior.name === "string" && inputs.name === undefined
    ? { ...fresh, name: prior.name }
    : fresh;
}

export { PROJECT_DIR } from "./project-dir";

/** Realistic provider outputs, so the program sees what `pulumi up` would hand it. */
export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  preview: boolean,
): Record<string, unknown> {
  const suffix = randomBytes(4).toString("hex").slice(0, 7);
  // A provider's preview (Create with preview=true) returns the outputs it cannot know yet as
  // unknowns, which the SDK hands the program as unknown Outputs and the engine keeps in the
  // resource's outputs for AnalyzeStack (pulumi/pulumi pkg/resource/deploy/step.go CreateStep.Apply:
  // `outs = resp.Properties`).
  const known = (v: unknown) => (preview ? UNKNOWN : v);
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: known(randomPasswordLike(inputs)) };
    case "random:index/randomId:RandomId": {
      const bytes = randomBytes(Number(inputs.byteLength ?? 32));
      return {
        ...inputs,
        hex: known(bytes.toString("hex")),
        b64Std: known(bytes.toString("base64")),
      };
    }
    case "docker:index/network:Network":
    case "docker:index/volume:Volume":
    case "docker:index/container:Container":
      return { ...inputs, name: inputs.name ?? `${name}-${suffix}` };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { ...inputs, id: known(`sg-0${suffix}`), name: `${name}-${suffix}` };
    case "aws:elasticache/subnetGroup:SubnetGroup":
    case "aws:elasticache/parameterGroup:ParameterGroup":
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...inputs, name: `${name}-${suffix}` };
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      return {
        ...inputs,
        primaryEndpointAddress: known(`master.${name}-${suffix}.abcdef.euc1.cache.amazonaws.com`),
        readerEndpointAddress: known(`replica.${name}-${suffix}.abcdef.euc1.cache.amazonaws.com`),
      };
    case "aws:elasticache/serverlessCache:ServerlessCache":
      return {
        ...inputs,
        endpoints: known([
          { address: `${name}-${suffix}.serverless.euc1.cache.amazonaws.com`, port: 6379 },
        ]),
      };
    default:
      return { ...inputs };
  }
}

/** Inputs that were unknown arrive as `undefined` outside a preview; state may not hold them. */
function withoutUndefined(state: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined));
}

/** Provider functions the program calls: a VPC's private subnets. */
export function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (token === "aws:ec2/getSubnets:getSubnets") {
    return {
      ...inputs,
      id: "eu-central-1",
      ids: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
    };
  }
  return inputs;
}

/** @pulumi/random's special characters when `overrideSpecial` is not set. */
const RANDOM_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/**
 * A value shaped like RandomPassword's: its length, and its special characters (the
 * override or the provider's default set) when `special` is on, at least `minSpecial` of
 * them, so tests on generated values see what the provider could really produce.
 */
function randomPasswordLike(inputs: Record<string, unknown>): string {
  const length = Number(inputs.length ?? 32);
  const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const specials =
    inputs.special === true ? String(inputs.overrideSpecial || RANDOM_DEFAULT_SPECIAL) : "";
  const pick = (alphabet: string, n: number) =>
    Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join("");
  const minSpecial = specials ? Math.max(1, Number(inputs.minSpecial ?? 0)) : 0;
  const chars = [...pick(specials, minSpecial), ...pick(alnum + specials, length - minSpecial)];
  // Shuffled, as the provider does, so a special character can come first.
  const order = randomBytes(chars.length);
  return chars
    .map((c, i) => [order[i] as number, c] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, c]) => c)
    .join("");
}

/**
 * Installs the mocks and config, runs the program, and waits until every resource it
 * registers has been recorded. The program throws (and nothing is recorded) on bad config.
 */
export async function runProgram(opts: RunOptions): Promise<ProgramRun> {
  const preview = opts.preview ?? false;
  const resources: CapturedResource[] = [];
  const registered = new Map<string, Record<string, unknown>>();
  const pending: Promise<unknown>[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource: (args) => {
      const state = withoutUndefined(
        fromPrior(
          opts.prior?.[priorKey(args.type, args.name)],
          args.type,
          args.inputs,
          mockState(args.type, args.name, args.inputs, preview),
        ),
      );
      // Providers whose ids users see (sg-…) get one of that shape; others a readable stand-in.
      const id = typeof state.id === "string" ? state.id : `${args.name}-id`;
      return { id: preview ? undefined : id, state };
    },
    call: (args) => mockCall(args.token, args.inputs),
  };

  class RecordingMonitor extends mocksModule.MockMonitor {
    override async registerResource(
      req: RegisterRequest,
      cb: (err: unknown, res?: unknown) => void,
    ): Promise<void> {
      const done = super.registerResource(req, (err: unknown, res?: unknown) => {
        if (!err && res) {
          const propertyDependencies: Record<string, string[]> = {};
          req
            .getPropertydependenciesMap()
            .forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
          resources.push({
            urn: (res as { getUrn(): string }).getUrn(),
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent(),
            provider: req.getProvider(),
            properties: req.getObject()?.toJavaScript() ?? {},
            state:
              (res as { getObject(): { toJavaScript(): Record<string, unknown> } | undefined })
                .getObject()
                ?.toJavaScript() ?? {},
            options: {
              protect: req.getProtect() ?? false,
              retainOnDelete: req.getRetainondelete() ?? false,
              deleteBeforeReplace: req.getDeletebeforereplace(),
              ignoreChanges: req.getIgnorechangesList(),
              additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
              replaceOnChanges: req.getReplaceonchangesList(),
            },
            dependencies: req.getDependenciesList(),
            propertyDependencies,
          });
        }
        cb(err, res);
      });
      pending.push(done);
      return done;
    }

    override registerResourceOutputs(
      req: RegisterOutputsRequest,
      cb: (err: unknown) => void,
    ): void {
      registered.set(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
      super.registerResourceOutputs(req, cb);
    }
  }

  settings.setMockOptions(
    new RecordingMonitor(mocks),
    opts.project ?? "api-stack",
    opts.stack,
    preview,
  );
  const store = state.getStore();
  store.supportsSecrets = true;
  store.supportsResourceReferences = true;
  pulumi.runtime.setAllConfig(opts.values, [...opts.secretKeys]);

  let outputs: Record<string, unknown>;
  const restore = unknownSecretConfig(opts.unknownSecretKeys ?? []);
  try {
    outputs = await (opts.load ?? loadProgram)();
  } catch (cause) {
    await Promise.allSettled(pending);
    throw new ProgramError(cause, resources);
  } finally {
    restore();
  }
  await settle(outputs, pending);
  return {
    resources: resources.map((r) =>
      registered.has(r.urn) ? { ...r, registeredOutputs: registered.get(r.urn) } : r,
    ),
    outputs,
  };
}

/** An Output that is secret and not known: `apply` callbacks never run on it. */
function unknownSecretOutput(): pulumi.Output<never> {
  // The SDK's own constructor, as its deserializer builds outputs for unknown values.
  const OutputCtor = pulumi.Output as unknown as new (
    resources: Set<pulumi.Resource>,
    value: Promise<unknown>,
    isKnown: Promise<boolean>,
    isSecret: Promise<boolean>,
    allResources: Promise<Set<pulumi.Resource>>,
  ) => pulumi.Output<never>;
  return new OutputCtor(
    new Set(),
    Promise.resolve(undefined),
    Promise.resolve(false),
    Promise.resolve(true),
    Promise.resolve(new Set()),
  );
}

/** Makes `Config`'s secret getters return unknowns for `keys`; returns the undo. */
function unknownSecretConfig(keys: readonly string[]): () => void {
  if (keys.length === 0) return () => undefined;
  const proto = pulumi.Config.prototype as unknown as Record<
    string,
    (this: pulumi.Config, key: string) => unknown
  >;
  const names = ["requireSecret", "getSecret", "requireSecretObject", "getSecretObject"] as const;
  const saved = names.map((n) => proto[n]);
  for (const n of names) {
    const original = proto[n] as (this: pulumi.Config, key: string) => unknown;
    proto[n] = function (this: pulumi.Config, key: string) {
      return keys.includes(`${this.name}:${key}`)
        ? unknownSecretOutput()
        : original.call(this, key);
    };
  }
  return () =>
    names.forEach((n, i) => (proto[n] = saved[i] as (this: pulumi.Config, key: string) => unknown));
}

/** The CLI's way in: a plain require of the entry in Pulumi.yaml (tsx or ts-node compiles it). */
async function loadProgram(): Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../../stacks/index") as Record<string, unknown>;
}

/** The program failed; `resources` says what it had registered by then (it should be nothing). */
export class ProgramError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly resources: CapturedResource[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "ProgramError";
  }
}

/** Waits for every exported Output and for registrations still in flight. */
async function settle(
  outputs: Record<string, unknown>,
  pending: Promise<unknown>[],
): Promise<void> {
  // `apply` never runs for an unknown value in preview; the SDK's own promise (with
  // unknowns allowed) resolves either way.
  await Promise.all(
    Object.values(outputs).map((v) =>
      pulumi.Output.isInstance(v)
        ? (v as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(true)
        : v,
    ),
  );
  for (let seen = -1; seen !== pending.length;) {
    seen = pending.length;
    await Promise.all(pending);
    await new Promise((r) => setImmediate(r));
  }
  // A component's registerOutputs is an RPC the SDK sends once the outputs resolve, outside
  // the registrations above. The language host waits for every outstanding RPC before it exits
  // (@pulumi/pulumi runtime/settings.ts disconnect → waitForRPCs); so does this.
  await settings.waitForRPCs();
}
