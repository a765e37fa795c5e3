/**
 * Encodes plain resource records into the protobuf messages the Pulumi engine sends a policy
 * pack, mirroring pulumi/pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`
 * (Analyze / AnalyzeStack / marshalResourceOptions) and `rpc.go` (MarshalPropertyValue with
 * KeepUnknowns, KeepSecrets and SkipInternalKeys).
 */
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { ProviderRecord, ResourceRecord } from "./records";
import { toWire } from "./wire";

/** Properties as the protobuf Struct the engine sends (see {@link toWire}). */
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
