/**
 * One deserialisation of a resource's properties per request, instead of one per policy.
 *
 * @pulumi/policy 1.21.0, server.js `makeAnalyzeRpcFun` (lines 253-255): for every policy that
 * does not skip the resource by its `__pulumiType`, and again for every element of an array of
 * validations, it calls `deserialize_1.deserializeProperties(req.getProperties(), false)` and
 * wraps the result in `unknownCheckingProxy`. `makeAnalyzeStackRpcFun` (line 351) does the same
 * for every resource, once per stack policy. `getProviderResource` (line 501) deserialises the
 * provider's properties each time it is called: in Analyze it
 * runs once per validation (line 275, inside the same loop), and in AnalyzeStack once per
 * resource and stack policy (line 371). A Docker container is judged by about 25 policies
 * here, so the profile of `npm run bench` showed `deserializeProperties` at 71 % of Analyze
 * (docs/testing.md).
 *
 * The Struct that `req.getProperties()` returns identifies the request: google-protobuf's
 * `jspb.Message.getWrapperField` builds the wrapper once per message and caches it in
 * `msg.wrappers_`, and `getRepeatedWrapperField` does the same for AnalyzeStack's resource list.
 * So a WeakMap keyed by the Struct gives every policy of one request the same plain object, and
 * lets it go with the request. Each policy still gets its own `unknownCheckingProxy` (that is
 * where unknowns throw), built by the server over this shared object.
 *
 * The shared object is not frozen: the proxy returns frozen (non-writable, non-configurable)
 * values unwrapped (proxy.js `proxyHelper`), so a frozen tree would stop unknown checks below the
 * first level. Instead no policy may write to `args.props`; test/policy/shared-props.test.ts runs
 * every policy over the whole corpus on one shared object per resource and fails on any write,
 * and asserts that the server of the pinned SDK really calls through this export.
 */

/** The part of @pulumi/policy's `deserialize` module we replace (deserialize.js line 35). */
interface DeserializeModule {
  deserializeProperties(outputsStruct: object, proxySecrets: boolean): Record<string, unknown>;
}

const INSTALLED = Symbol.for("api-stack.sharedProps");

/**
 * Replaces `deserializeProperties` in the SDK module the policy server calls, with one that
 * returns the same object for the same Struct when secrets are not proxied (the server never
 * proxies them). Returns whether the SDK had the shape this relies on; if not, nothing changes
 * and the pack is only slower. Idempotent.
 */
export function installSharedProps(
  // The module object itself: an `import` would give a copy whose assignment the server never sees.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mod: DeserializeModule = require("@pulumi/policy/deserialize") as DeserializeModule,
): boolean {
  const current = mod.deserializeProperties as DeserializeModule["deserializeProperties"] & {
    [INSTALLED]?: true;
  };
  if (typeof current !== "function") return false;
  if (current[INSTALLED]) return true;
  const seen = new WeakMap<object, Record<string, unknown>>();
  const shared = Object.assign(
    (outputsStruct: object, proxySecrets: boolean): Record<string, unknown> => {
      if (proxySecrets || typeof outputsStruct !== "object" || outputsStruct === null) {
        return current(outputsStruct, proxySecrets);
      }
      let props = seen.get(outputsStruct);
      if (props === undefined) {
        props = current(outputsStruct, false);
        seen.set(outputsStruct, props);
      }
      return props;
    },
    { [INSTALLED]: true as const },
  );
  try {
    mod.deserializeProperties = shared;
  } catch {
    return false;
  }
  return mod.deserializeProperties === shared;
}
