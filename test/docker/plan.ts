/**
 * What `pulumi up` decides for one resource, as a pure function of the prior state and the
 * new inputs: the bridge's diff (pulumi-terraform-bridge over terraform-plugin-sdk v2) and the
 * engine's choice of step (pulumi/pulumi pkg/resource/deploy/step_generator.go). It decides
 * only from the provider table (facts/docker-provider.json); engine-steps.md cites the rest.
 */
import { CONTAINER, fieldFact, isSet, resourceFacts } from "./facts";

type Props = Record<string, unknown>;

export type PlanOp = "create" | "same" | "update" | "replace";

export interface Prior {
  /** What the provider's Read wrote to state after the last create or update. */
  readonly state: Props;
  /** The create's wait failed after the ID was set: the engine keeps the resource with these. */
  readonly initErrors?: readonly string[];
}

export interface PlanOptions {
  /** Undefined: the program left it unset, and the provider's choice stands. */
  readonly deleteBeforeReplace?: boolean;
  readonly replaceOnChanges?: readonly string[];
  readonly ignoreChanges?: readonly string[];
}

export interface Plan {
  readonly op: PlanOp;
  /** Top-level inputs whose planned value differs from state. */
  readonly changed: string[];
  /** Those that force a replacement (ForceNew, or named in replaceOnChanges). */
  readonly replaceBecause: string[];
  /** For a replace: delete the old resource first. */
  readonly deleteBeforeReplace: boolean;
}

/** terraform-plugin-sdk treats an unset primitive as its zero value, and an empty collection as unset. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v as object).length === 0;
  return false;
}

/** Sets compare as sets (TypeSet hashes its elements), lists and maps by value. */
function canonical(type: string, field: string, v: unknown): unknown {
  if (isEmpty(v)) return undefined;
  if (Array.isArray(v) && isSet(type, field)) {
    return v.map((e) => JSON.stringify(sortKeys(e))).sort();
  }
  return sortKeys(v);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Props)
        .filter(([, x]) => !isEmpty(x))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  }
  return v;
}

/**
 * The fields whose planned value differs from state. An input left unset plans the schema's
 * Default, and an Optional+Computed one keeps whatever state holds (no diff); an Optional one
 * without Computed plans "unset", so a value in state (for instance a key the daemon merged
 * into log_opts) is a change (terraform-plugin-sdk helper/schema schemaMap.Diff).
 */
const SUPPRESS_UNSET = /new value '' is treated as equal to old/;

/**
 * suppressIfPortsDidNotChangeForMigrationV0ToV1 (resource_docker_container.go:1192-1247): the
 * same number of ports, and each old one still there with the same protocol, external port and
 * ip. Unset sub-fields plan their schema defaults (ip "0.0.0.0", protocol "tcp").
 */
function portsUnchanged(old: unknown, planned: unknown): boolean {
  const norm = (v: unknown) =>
    (Array.isArray(v) ? (v as Props[]) : []).map((p) => ({
      internal: Number(p.internal),
      external: p.external === undefined ? undefined : Number(p.external),
      ip: String(p.ip ?? "0.0.0.0"),
      protocol: String(p.protocol ?? "tcp"),
    }));
  const [o, n] = [norm(old), norm(planned)];
  if (o.length !== n.length) return false;
  return o.every((p) =>
    n.some(
      (q) =>
        q.internal === p.internal &&
        q.protocol === p.protocol &&
        (q.external === undefined || q.external === p.external) &&
        q.ip === p.ip,
    ),
  );
}

export function changedFields(type: string, state: Props, inputs: Props): string[] {
  const fields = new Set([...Object.keys(inputs), ...Object.keys(state)]);
  const changed: string[] = [];
  for (const field of fields) {
    if (field === "name" && inputs.name === undefined) continue; // auto-named: kept from state
    const fact = fieldFact(type, field);
    if (fact.kind === "computed-only") continue;
    let planned = inputs[field];
    if (planned === undefined) {
      // Optional+Computed, or a DiffSuppressFunc that treats "" as the old value (user,
      // working_dir: resource_docker_container.go:187-193, 248-254): no diff when unset.
      if (fact.computed || SUPPRESS_UNSET.test(fact.diffSuppress ?? "")) continue;
      planned = fact.default ?? undefined;
    }
    if (type === CONTAINER && field === "ports" && portsUnchanged(state.ports, planned)) continue;
    const a = JSON.stringify(canonical(type, field, planned));
    const b = JSON.stringify(canonical(type, field, state[field]));
    if (a !== b) changed.push(field);
  }
  return changed.sort();
}

export function plan(
  type: string,
  prior: Prior | undefined,
  inputs: Props,
  options: PlanOptions = {},
): Plan {
  const facts = resourceFacts(type);
  // step_generator.go: the program's option wins when set (true or false); otherwise the
  // provider's DiffResponse.DeleteBeforeReplace, which the bridge takes from ResourceInfo
  // (pulumi-docker provider/resources.go) or, for a resource with an explicit `name`, sets
  // itself (bridge schema.go nameRequiresDeleteBeforeReplace).
  if (!prior) {
    return {
      op: "create",
      changed: [],
      replaceBecause: [],
      deleteBeforeReplace: options.deleteBeforeReplace ?? false,
    };
  }
  const ignored = new Set(options.ignoreChanges ?? []);
  const changed = changedFields(type, prior.state, inputs).filter((f) => !ignored.has(f));
  const forced = changed.filter((f) => fieldFact(type, f).kind === "forceNew");
  // The bridge asks for delete-before-replace only when a ForceNew field changed (bridge
  // provider.go Diff: `len(replaces) > 0 && (res.Schema.DeleteBeforeReplace || …)`); a
  // replacement that only replaceOnChanges asks for keeps the provider's false.
  const providerDbr =
    forced.length > 0 &&
    (facts.deleteBeforeReplace || (type !== CONTAINER && inputs.name !== undefined));
  const deleteBeforeReplace = options.deleteBeforeReplace ?? providerDbr;
  const replaceOn = options.replaceOnChanges ?? [];
  const hasInitErrors = (prior.initErrors?.length ?? 0) > 0;
  const replaceBecause = changed.filter(
    (f) => forced.includes(f) || replaceOn.includes(f) || replaceOn.includes("*"),
  );
  // applyReplaceOnChanges: a resource with init errors is replaced when replaceOnChanges
  // holds "*" or "#initerror", even with no change (SG L3233-3248).
  if (hasInitErrors && (replaceOn.includes("*") || replaceOn.includes("#initerror"))) {
    replaceBecause.push("#initerror");
  }
  if (replaceBecause.length > 0) {
    return { op: "replace", changed, replaceBecause, deleteBeforeReplace };
  }
  if (changed.length > 0 || hasInitErrors) {
    // A resource whose create failed its initialisation gets an update even with no change:
    // step_generator.go continues awaiting initialisation (engine-steps.md, section 4).
    return { op: "update", changed, replaceBecause, deleteBeforeReplace };
  }
  return { op: "same", changed, replaceBecause, deleteBeforeReplace };
}
