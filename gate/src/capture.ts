/**
 * Runs the real program under Pulumi's mock monitor and records every resource it
 * registers: its inputs as the engine would receive them (secrets and unknowns still
 * marked), its options and its dependencies. Used by the stack tests and `npm run gate`.
 */
import * as pulumi from "@pulumi/pulumi";
import { fromPrior, mockCall, mockState, priorKey, withoutUndefined } from "./mock-state";
import { ProgramError, type CapturedResource, type ProgramRun, type RunOptions } from "./records";

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
  getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
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
              // Unset stays undefined: the engine then keeps the provider's own choice
              // (pulumi/pulumi step_generator.go: `if goal.DeleteBeforeReplace != nil`), and the
              // Node SDK says which with deleteBeforeReplaceDefined (runtime/resource.ts).
              deleteBeforeReplace: req.getDeletebeforereplacedefined()
                ? req.getDeletebeforereplace()
                : undefined,
              ignoreChanges: req.getIgnorechangesList(),
              additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
              replaceOnChanges: req.getReplaceonchangesList(),
            },
            replacementTrigger: req.getReplacementTrigger()?.toJavaScript(),
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
