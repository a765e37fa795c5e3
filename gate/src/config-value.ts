/**
 * Config keys and typed config values as the Pulumi engine reads them from Pulumi.yaml and
 * Pulumi.<stack>.yaml. Pure; used by ./engine-config.ts. Upstream is pulumi/pulumi (v3.203.0 and
 * later; the files moved from sdk/go/common/workspace to pkg/workspace in v3.25x).
 */

/** A declared config type: `type: array` needs `items` (sdk/go/common/workspace/project.go). */
export interface ConfigItemsType {
  readonly type: string;
  readonly items?: ConfigItemsType;
}

/** One `config:` entry of Pulumi.yaml after the engine's rewrites (project.go ProjectConfigType). */
export interface ProjectConfigType {
  readonly type?: string;
  readonly items?: ConfigItemsType;
  readonly default?: unknown;
  readonly value?: unknown;
  readonly secret?: boolean;
  readonly description?: string;
}

/** The type names project.json allows (`$defs.simpleConfigType`; `object` since v3.187.0). */
export const CONFIG_TYPE_NAMES = ["string", "integer", "boolean", "array", "object"] as const;

export interface ConfigKey {
  readonly namespace: string;
  readonly name: string;
}

/**
 * sdk/go/common/resource/config/key.go, ParseKey: `ns:name`, or the old `ns:config:name`;
 * anything else is refused with this message.
 */
export function parseKey(s: string): ConfigKey {
  const parts = s.split(":");
  if (parts.length === 2) return { namespace: parts[0] as string, name: parts[1] as string };
  if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "")
    return { namespace: parts[0] as string, name: parts[2] as string };
  throw new Error(
    `could not parse ${s} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
  );
}

/** pkg/workspace/config.go, parseConfigKey: a key without a namespace is the project's. */
export function parseConfigKey(projectName: string, key: string): ConfigKey {
  return key.includes(":") ? parseKey(key) : { namespace: projectName, name: key };
}

/** project.go, configKeyIsNamespacedByProject. */
export function namespacedByProject(projectName: string, key: string): boolean {
  return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/**
 * project.go, isPrimitiveValue (string, int, bool): what RewriteShorthandConfigValues turns
 * into a `default` and createConfigValue into a plain (not object) value.
 */
export function isPrimitive(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "boolean" || Number.isInteger(v);
}

/** project.go, InferFullTypeName: `array<array<string>>` for nested items. */
export function inferFullTypeName(type: string, items?: ConfigItemsType): string {
  return items ? `array<${inferFullTypeName(items.type, items.items)}>` : type;
}

/**
 * project.go, ValidateConfigValue. `value` is what the engine compares: a scalar stack value
 * arrives as its text (a YAML `3003` is the string "3003", so it passes `type: string`); an
 * object or array arrives parsed from JSON.
 */
export function validateConfigValue(
  type: string,
  items: ConfigItemsType | undefined,
  value: unknown,
): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      // Whole numbers, and text that strconv.Atoi accepts (optional sign, digits, int64).
      if (typeof value === "number") return Number.isInteger(value);
      if (typeof value !== "string" || !/^[+-]?\d+$/.test(value)) return false;
      return BigInt(value) >= -(2n ** 63n) && BigInt(value) < 2n ** 63n;
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    default:
      // Everything else is treated as an array of `items` (so an unknown type never validates).
      return (
        Array.isArray(value) &&
        items !== undefined &&
        value.every((v) => validateConfigValue(items.type, items.items, v))
      );
  }
}

/** A stack-file value marked `secure:` (sdk/go/common/resource/config/object.go, isSecureValue). */
export function isSecure(v: unknown): v is { secure: string } {
  return (
    typeof v === "object" &&
    v !== null &&
    Object.keys(v).length === 1 &&
    typeof (v as { secure?: unknown }).secure === "string"
  );
}

/** object.go, object.Secure: a value is secure when any part of it is. */
export function containsSecure(v: unknown): boolean {
  if (isSecure(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecure);
  if (v && typeof v === "object") return Object.values(v).some(containsSecure);
  return false;
}

/** Replaces every `secure:` part with what `decrypt` gives for its ciphertext. */
export function decryptAll(v: unknown, decrypt: (c: string) => string): unknown {
  if (isSecure(v)) return decrypt(v.secure);
  if (Array.isArray(v)) return v.map((x) => decryptAll(x, decrypt));
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decryptAll(x, decrypt)]));
  return v;
}

/**
 * What validateStackConfigValue type-checks for a stack value: object.go MarshalString makes a
 * scalar its text (numbers and booleans as JSON) and an array or map a JSON "object" value,
 * which validateStackConfigValue parses back (numbers become float64, i.e. JS numbers).
 */
export function typedContent(decrypted: unknown): unknown {
  if (decrypted === null || typeof decrypted === "object") return decrypted;
  return typeof decrypted === "string" ? decrypted : JSON.stringify(decrypted);
}

/**
 * config.Map.Get(key, path=true): a name such as `db.port` is a property path into the value of
 * `ns:db`. Only dotted paths are followed here (no `["a.b"]` or `[0]` segments).
 */
export function getByPath(
  stackConfig: Readonly<Record<string, unknown>>,
  key: ConfigKey,
): { found: boolean; value?: unknown } {
  const [head, ...rest] = key.name.split(".");
  const top = `${key.namespace}:${head}`;
  if (!(top in stackConfig)) return { found: false };
  let v: unknown = stackConfig[top];
  for (const seg of rest) {
    if (v === null || typeof v !== "object" || isSecure(v) || !(seg in v)) return { found: false };
    v = (v as Record<string, unknown>)[seg];
  }
  return { found: true, value: v };
}

/** Go's sort.Strings order (bytes of UTF-8), which the engine's messages follow. */
export function goSorted(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
