/**
 * Unit-test helpers in the style of pulumi-policy-aws `src/tests/util.ts`: build the args the
 * policy SDK would pass, run one policy, assert on its violations.
 *
 * Props are wrapped in the SDK's real `unknownCheckingProxy`, so a rule that reads an unknown
 * through `args.props` throws `UnknownValueError` here exactly as in the server — where it would
 * be silently downgraded to advisory. The helpers surface that as a test failure.
 */
import {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  unknownCheckingProxy,
  UnknownValueError,
} from "@pulumi/policy";
import { expect } from "vitest";
import { ResourceRecord, toWire, urnOf } from "../../gate";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../policy/lib/unknown";

/**
 * Props as a rule sees them after the SDK's deserializeProperties(…, proxySecrets=false):
 * engine wire format, then secrets unwrapped to their plain values.
 */
export function asPolicySees(props: Record<string, unknown>): Record<string, unknown> {
  const unwrap = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.map(unwrap);
    }
    if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o[SECRET_SIG_KEY] === SECRET_SIG) {
        return unwrap(o.value);
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
    }
    return v;
  };
  return unwrap(toWire(props)) as Record<string, unknown>;
}

export interface Violation {
  readonly message: string;
  readonly urn?: string;
}

const notApplicable = (reason?: string): never => {
  throw new Error(`notApplicable: ${reason ?? ""}`);
};

export function createResourceValidationArgs(
  type: string,
  props: Record<string, unknown>,
  opts: { name?: string; config?: Record<string, unknown>; urn?: string } = {},
): ResourceValidationArgs {
  const name = opts.name ?? "test";
  return {
    type,
    name,
    urn: opts.urn ?? urnOf(type, name),
    props: unknownCheckingProxy(asPolicySees(props)),
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      additionalSecretOutputs: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => (opts.config ?? {}) as T,
    notApplicable,
  };
}

async function collect(
  run: (report: (m: string, urn?: string) => void) => unknown,
): Promise<Violation[]> {
  const out: Violation[] = [];
  try {
    await run((message, urn) => out.push({ message, urn }));
  } catch (e) {
    if (e instanceof UnknownValueError) {
      throw new Error(
        `policy touched an unknown through the SDK proxy (would become advisory): ${(e as Error).message}`,
      );
    }
    throw e;
  }
  return out;
}

export function runResourcePolicy(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<Violation[]> {
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  return collect(async (report) => {
    for (const v of validations) {
      await v?.(args, report);
    }
  });
}

function check(vs: readonly Violation[], message?: RegExp | string): void {
  expect(vs.length, "expected at least one violation").toBeGreaterThan(0);
  if (message !== undefined) {
    expect(vs.map((v) => v.message).join("\n---\n")).toMatch(message);
  }
}

export async function assertHasResourceViolation(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
  message?: RegExp | string,
): Promise<void> {
  check(await runResourcePolicy(policy, args), message);
}

export async function assertNoResourceViolations(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<void> {
  const vs = await runResourcePolicy(policy, args);
  expect(vs.map((v) => v.message)).toEqual([]);
}

/** A stack resource for unit tests; dependencies name other resources by `name`. */
export interface StackResourceInput {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export function createStackValidationArgs(
  resources: readonly StackResourceInput[],
  config: Record<string, unknown> = {},
): StackValidationArgs {
  const byName = new Map<string, PolicyResource>();
  const built = resources.map((r) => {
    const res: PolicyResource = {
      type: r.type,
      name: r.name,
      urn: urnOf(r.type, r.name),
      props: unknownCheckingProxy(asPolicySees(r.props)),
      opts: {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      },
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    byName.set(r.name, res);
    return res;
  });
  const lookup = (n: string): PolicyResource => {
    const r = byName.get(n);
    if (!r) {
      throw new Error(`unknown resource ${n} in test stack`);
    }
    return r;
  };
  resources.forEach((r, i) => {
    const res = built[i] as PolicyResource;
    if (r.parent) {
      res.parent = lookup(r.parent);
    }
    res.dependencies = (r.dependencies ?? []).map(lookup);
    for (const [k, v] of Object.entries(r.propertyDependencies ?? {})) {
      res.propertyDependencies[k] = v.map(lookup);
    }
  });
  return {
    resources: built,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

/** Records as AnalyzeStack args: dependencies by resource name, URNs outside the stack dropped. */
export function stackArgsOf(
  records: readonly ResourceRecord[],
  config: Record<string, unknown> = {},
): StackValidationArgs {
  const nameOf = new Map(records.map((r) => [r.urn, r.name]));
  const names = (urns: readonly string[] = []) =>
    urns.map((u) => nameOf.get(u)).filter((n): n is string => n !== undefined);
  return createStackValidationArgs(
    records.map((r) => ({
      type: r.type,
      name: r.name,
      props: r.properties,
      dependencies: names(r.dependencies),
      propertyDependencies: Object.fromEntries(
        Object.entries(r.propertyDependencies ?? {}).map(([k, v]) => [k, names(v)]),
      ),
    })),
    config,
  );
}

export function runStackPolicy(
  policy: StackValidationPolicy,
  args: StackValidationArgs,
): Promise<Violation[]> {
  return collect((report) => policy.validateStack(args, report));
}

export async function assertHasStackViolation(
  policy: StackValidationPolicy,
  args: StackValidationArgs,
  message?: RegExp | string,
): Promise<void> {
  check(await runStackPolicy(policy, args), message);
}

export async function assertNoStackViolations(
  policy: StackValidationPolicy,
  args: StackValidationArgs,
): Promise<void> {
  const vs = await runStackPolicy(policy, args);
  expect(vs.map((v) => v.message)).toEqual([]);
}

/** The messages one resource policy reports for one resource of `type` with `props`. */
export async function messagesOf(
  policy: ResourceValidationPolicy,
  type: string,
  props: Record<string, unknown>,
  opts: { name?: string; config?: Record<string, unknown> } = {},
): Promise<string[]> {
  return (await runResourcePolicy(policy, createResourceValidationArgs(type, props, opts))).map(
    (v) => v.message,
  );
}
