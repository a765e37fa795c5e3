/**
 * Resource properties in the engine's wire form, as pulumi/pulumi
 * `sdk/go/common/resource/plugin/rpc.go` MarshalPropertyValue produces them with KeepUnknowns,
 * KeepSecrets and SkipInternalKeys: secrets signed, unknowns as the sentinel string, "__" keys
 * dropped. Plain data; the protobuf encoding is in ./analyzer-encode.
 */
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
