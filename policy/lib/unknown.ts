/**
 * How unknown and secret values reach this pack, and why every rule reads raw props.
 *
 * Findings (pulumi/pulumi @ 1b5949891b3c, pulumi/pulumi-policy @ 805bcbcd3a6d; the installed
 * @pulumi/policy 1.21.0 `server.js`/`deserialize.js`/`proxy.js` behave the same):
 *
 * 1. What the engine sends. `sdk/go/common/resource/plugin/analyzer_plugin.go`:
 *    `Analyze` and `AnalyzeStack` marshal properties with
 *    `MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipInternalKeys: true}`.
 *    - Analyze (per resource, step_generator.go `analyzeAll`) gets the resource's *inputs*, plus
 *      `options` (protect, ignoreChanges, deleteBeforeReplace(+Defined), additionalSecretOutputs,
 *      aliases, customTimeouts — always present, zeros when unset —, parent) and the `provider`
 *      resource (urn/type/name/inputs). It does NOT carry dependencies or propertyDependencies.
 *    - AnalyzeStack (step_generator.go `AnalyzeResources`, at the end of preview/update) gets every
 *      resource's *outputs* plus the same options, `parent`, `dependencies` and
 *      `propertyDependencies` (empty lists are skipped), and the provider.
 *    - Keys starting with "__" are dropped (SkipInternalKeys).
 * 2. Unknowns. `sdk/go/common/resource/plugin/rpc.go` `MarshalPropertyValue`/`marshalUnknownProperty`:
 *    a computed value becomes a *string sentinel chosen by the element type*: string
 *    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", bool "1c4a061d-…", number "3eeb2bf0-…",
 *    array "6a19a0b0-…", asset "030794c1-…", archive "e48ece36-…", object "dd056dcd-…".
 *    Unknown output values are re-marshalled as Computed(string), so in practice (Node SDK
 *    programs) almost every unknown is the *string* sentinel, whatever the property's type.
 * 3. Secrets. Same function: a secret becomes `{"4dabf18193072939515e22adb298388d":
 *    "1b47061264138c4ac30d75fd1eb44270", "value": <inner>}` (sig.Key / sig.Secret in
 *    `sdk/go/common/resource/sig/sig.go`). An unknown secret is that wrapper around a sentinel.
 * 4. What the policy SDK does with them. pulumi-policy `sdk/nodejs/policy/deserialize.ts`
 *    `deserializeProperties(struct, proxySecrets=false)` (server.ts, Analyze and AnalyzeStack)
 *    unwraps secrets to their plain value — rules see plaintext and cannot tell a secret from a
 *    literal — and leaves unknown sentinels as plain strings. `server.ts` then wraps the props in
 *    `unknownCheckingProxy` (`proxy.ts`): reading a property whose value is a sentinel throws
 *    `UnknownValueError`, which server.ts catches and turns into a diagnostic
 *    "can't run policy … during preview" with `enforcementLevel: "advisory"` — for mandatory
 *    rules too. An advisory diagnostic does not fail a preview.
 *
 * Consequence for this pack: a mandatory rule that touched an unknown through `args.props` would
 * silently become advisory. So every rule reads the *raw* object (the proxy exposes it under
 * `__getSpecialProxyTarget`) through {@link raw}, detects sentinels with {@link isUnknown}, and
 * then either reports at its own level or defers, explicitly, to the `unknown-value-provenance`
 * stack rule (see `rules/provenance.ts` and `lib/provenance.ts` for the deferred fields).
 */

/** Engine sentinels for unknown values, by the type the engine believed the value had. */
export const UNKNOWN_SENTINELS = {
  string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  bool: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  asset: "030794c1-ac77-496b-92df-f27374a8bd58",
  archive: "e48ece36-62e2-4504-bad9-02848725956a",
  object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

/** The sentinel a Node.js program's unknown Output arrives as. */
export const UNKNOWN = UNKNOWN_SENTINELS.string;

/** Signature key and value marking a secret in a marshalled property (engine side). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Property under which pulumi-policy's proxies expose their target (pulumi-policy proxy.ts). */
export const PROXY_TARGET = "__getSpecialProxyTarget";

const sentinels = new Set<string>(Object.values(UNKNOWN_SENTINELS));

export function isUnknown(v: unknown): boolean {
  return typeof v === "string" && sentinels.has(v);
}

/** True if the value is unknown or holds an unknown anywhere inside it. */
export function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) {
    return true;
  }
  if (Array.isArray(v)) {
    return v.some(containsUnknown);
  }
  if (v !== null && typeof v === "object") {
    return Object.values(v as Record<string, unknown>).some(containsUnknown);
  }
  return false;
}

/**
 * The plain object behind pulumi-policy's unknown-checking proxy (or the object itself when it
 * is not proxied, as in unit tests). Values read from it never throw `UnknownValueError`.
 */
export function raw(props: unknown): Record<string, unknown> {
  if (props === null || typeof props !== "object") {
    return {};
  }
  const target = (props as Record<string, unknown>)[PROXY_TARGET];
  if (target !== null && typeof target === "object") {
    return target as Record<string, unknown>;
  }
  return props as Record<string, unknown>;
}

/** Text used by every rule when it reports (rather than defers) an unknown value. */
export function unknownAtPreview(what: string, fix: string): string {
  return (
    `${what} is unknown at preview (computed from another resource's output), so this ` +
    `mandatory check cannot verify it and will not pass it blindly. Fix: ${fix}`
  );
}
