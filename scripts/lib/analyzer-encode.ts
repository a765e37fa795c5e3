/**
 * Encodes plain resource records into the protobuf messages the Pulumi engine sends a policy
 * pack, mirroring pulumi/pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`
 * (Analyze / AnalyzeStack / marshalResourceOptions) and `rpc.go` (MarshalPropertyValue with
 * KeepUnknowns, KeepSecrets and SkipInternalKeys).
 */
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { SECRET_SIG, SECRET_SIG_KEY, UNKNOWN, UNKNOWN_SENTINELS } from "../../policy/lib/unknown";

export { UNKNOWN, UNKNOWN_SENTINELS };

/** A value the engine would send as a secret. Build with {@link secret}. */
export class SecretValue {
  public constructor(public readonly value: unknown) {}
}

/** Marks a value as secret: it is sent as `{<sig key>: <secret sig>, value}`. */
export function secret<T>(value: T): SecretValue {
  return new SecretValue(value);
}

/** Resource options as the engine sends them (AnalyzerResourceOptions). */
export interface ResourceOptionsRecord {
  readonly protect?: boolean;
  readonly ignoreChanges?: readonly string[];
  /** Undefined means "not set" (deleteBeforeReplaceDefined = false). */
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs?: readonly string[];
  readonly aliases?: readonly string[];
  /** Seconds, like the engine's CustomTimeouts. */
  readonly customTimeouts?: { create?: number; update?: number; delete?: number; read?: number };
  /** Defaults to the record's `parent`. */
  readonly parent?: string;
}

export interface ProviderRecord {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties?: Record<string, unknown>;
}

/** One resource, as the offline gate and the tests describe it. */
export interface ResourceRecord {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Plain values; {@link secret} for secrets, {@link UNKNOWN} for unknowns. */
  readonly properties: Record<string, unknown>;
  readonly options?: ResourceOptionsRecord;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  /** Top-level property → URNs it was computed from. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly provider?: ProviderRecord;
}

/** Builds a URN the way the engine does: urn:pulumi:stack::project::[parentType$]type::name. */
export function urnOf(
  type: string,
  name: string,
  opts: { stack?: string; project?: string; parentType?: string } = {},
): string {
  const qualified = opts.parentType ? `${opts.parentType}$${type}` : type;
  return `urn:pulumi:${opts.stack ?? "prod"}::${opts.project ?? "api-stack"}::${qualified}::${name}`;
}

/** JS value → the JSON shape MarshalPropertyValue produces (secrets signed, "__" keys dropped). */
export function toWire(v: unknown): unknown {
  if (v instanceof SecretValue) {
    return { [SECRET_SIG_KEY]: SECRET_SIG, value: toWire(v.value) ?? null };
  }
  if (v === undefined) {
    return undefined;
  }
  if (v === null || typeof v === "string" || typeof v === "boolean") {
    return v;
  }
  if (typeof v === "number") {
    return v;
  }
  if (Array.isArray(v)) {
    return v.map((e) => toWire(e) ?? null);
  }
  if (typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const w = toWire(x);
      if (w !== undefined && !k.startsWith("__")) {
        out[k] = w;
      }
    }
    return out;
  }
  throw new Error(`cannot encode a ${typeof v} as a resource property`);
}

export function toStruct(props: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(toWire(props) as Record<string, never>);
}

function encodeOptions(r: ResourceRecord): analyzerPb.AnalyzerResourceOptions {
  const o = r.options ?? {};
  const t = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
  t.setCreate(o.customTimeouts?.create ?? 0);
  t.setUpdate(o.customTimeouts?.update ?? 0);
  t.setDelete(o.customTimeouts?.delete ?? 0);
  t.setRead(o.customTimeouts?.read ?? 0);
  const opts = new analyzerPb.AnalyzerResourceOptions();
  opts.setProtect(o.protect ?? false);
  opts.setIgnorechangesList([...(o.ignoreChanges ?? [])]);
  opts.setDeletebeforereplace(o.deleteBeforeReplace ?? false);
  opts.setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined);
  opts.setAdditionalsecretoutputsList([...(o.additionalSecretOutputs ?? [])]);
  opts.setAliasesList([...(o.aliases ?? [])]);
  opts.setCustomtimeouts(t); // The engine always sends this message, zeros when unset.
  opts.setParent(o.parent ?? r.parent ?? "");
  return opts;
}

function encodeProvider(
  p: ProviderRecord | undefined,
): analyzerPb.AnalyzerProviderResource | undefined {
  if (!p) {
    return undefined;
  }
  const out = new analyzerPb.AnalyzerProviderResource();
  out.setUrn(p.urn);
  out.setType(p.type);
  out.setName(p.name);
  out.setProperties(toStruct(p.properties ?? {}));
  return out;
}

/** The fields AnalyzeRequest and AnalyzerResource share. */
type CommonFields = Pick<
  analyzerPb.AnalyzeRequest,
  "setUrn" | "setType" | "setName" | "setProperties" | "setOptions" | "setProvider"
>;

function setCommon<M extends CommonFields>(m: M, r: ResourceRecord): M {
  m.setUrn(r.urn);
  m.setType(r.type);
  m.setName(r.name);
  m.setProperties(toStruct(r.properties));
  m.setOptions(encodeOptions(r));
  const provider = encodeProvider(r.provider);
  if (provider) m.setProvider(provider);
  return m;
}

/** AnalyzeRequest: inputs, options and provider; the engine sends no dependencies here. */
export function toAnalyzeRequest(r: ResourceRecord): analyzerPb.AnalyzeRequest {
  return setCommon(new analyzerPb.AnalyzeRequest(), r);
}

/** AnalyzerResource for AnalyzeStack: adds parent, dependencies and propertyDependencies. */
export function toAnalyzerResource(r: ResourceRecord): analyzerPb.AnalyzerResource {
  const res = setCommon(new analyzerPb.AnalyzerResource(), r);
  res.setParent(r.parent ?? "");
  res.setDependenciesList([...(r.dependencies ?? [])]);
  const map = res.getPropertydependenciesMap();
  for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
    if (urns.length > 0) {
      const deps = new analyzerPb.AnalyzerPropertyDependencies();
      deps.setUrnsList([...urns]);
      map.set(k, deps);
    }
  }
  return res;
}
