/**
 * JSON Schema validation of one policy's config, worded like the CLI's. The CLI validates with
 * xeipuuv/gojsonschema v1.2.0 (pulumi/pulumi pkg/go.mod); this uses Ajv and rewrites each error
 * into gojsonschema's "<field>: <description>" (result.go ResultErrorFields.String with
 * locales.go ErrorFormat and DefaultLocale), the field being the JSON path below "(root)".
 */
import type { default as Ajv, ErrorObject } from "ajv";

export interface PolicyConfigSchema {
  readonly properties: Record<string, unknown>;
  readonly required: readonly string[];
}

/** pkg/resource/analyzer/config.go convertSchema: the policy's schema as one object schema. */
export function convertSchema(schema: PolicyConfigSchema): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "object" };
  if (Object.keys(schema.properties).length > 0) out.properties = schema.properties;
  if (schema.required.length > 0) out.required = [...schema.required];
  return out;
}

let ajv: Ajv | undefined;

/** Ajv, loaded on first use: it takes tens of ms to load, and only a policy config needs it. */
function validator(): Ajv {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: AjvClass } = require("ajv") as typeof import("ajv");
  // allErrors: gojsonschema reports every error; verbose: the failing schema and data, for wording.
  return (ajv ??= new AjvClass({ allErrors: true, strict: false, verbose: true }));
}

/**
 * Loads Ajv and compiles the draft-07 meta-schema it checks every policy schema against (about
 * 50 ms, the larger part of a first compile). The gate calls it while it waits for the pack to
 * start, when it has nothing else to do.
 */
export function warmSchemaValidator(): void {
  void validator().validateSchema({ type: "object" });
}

/**
 * Compiled validators by the schema's JSON. Ajv caches by the schema object, and every policy's
 * schema is a new object (convertSchema); most of the pack's 63 policies share a handful of
 * schemas (`production` alone is the commonest), and compiling each again was 136 of the gate's
 * 146 ms in Configure (docs/testing.md).
 */
const compiled = new Map<string, ReturnType<Ajv["compile"]>>();

/** Errors for `value` against `schema`, worded as gojsonschema words them. */
export function schemaErrors(schema: Record<string, unknown>, value: unknown): string[] {
  const key = JSON.stringify(schema);
  let check = compiled.get(key);
  if (check === undefined) {
    try {
      check = validator().compile(schema);
    } catch (e) {
      // gojsonschema.Validate fails on a bad schema; ReconcilePolicyPackConfig returns that error.
      throw new Error(`unable to validate schema: ${(e as Error).message}`);
    }
    compiled.set(key, check);
  }
  if (check(value)) return [];
  const errors = check.errors ?? [];
  // gojsonschema stops at a type mismatch (validation.go validateRecursive returns), so the
  // other keywords on that value are not reported.
  const mistyped = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === "type" || !mistyped.has(e.instancePath)).map(describe);
}

/** "(root).a.0" → "a.0" (result.go Field), "(root)" for the document itself. */
function field(instancePath: string): string {
  if (instancePath === "") return "(root)";
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
}

/** Go's json.Marshal of a JSON value: HTML-safe escapes (encoding/json, HTMLEscape). */
function goJSON(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** validation.go: the type gojsonschema says it was given. */
function givenType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function description(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  const f = field(e.instancePath);
  switch (e.keyword) {
    case "required":
      return `${String(p.missingProperty)} is required`;
    case "type": {
      // schemaType.go jsonSchemaType.String: one type by name, several as [a,b].
      const t = (e.parentSchema as { type?: unknown } | undefined)?.type ?? p.type;
      const expected = Array.isArray(t) ? `[${t.join(",")}]` : String(t);
      return `Invalid type. Expected: ${expected}, given: ${givenType(e.data)}`;
    }
    case "enum":
      return `${f} must be one of the following: ${(p.allowedValues as unknown[]).map(goJSON).join(", ")}`;
    case "const":
      return `${f} does not match: ${goJSON(p.allowedValue)}`;
    case "minimum":
      return `Must be greater than or equal to ${String(p.limit)}`;
    case "exclusiveMinimum":
      return `Must be greater than ${String(p.limit)}`;
    case "maximum":
      return `Must be less than or equal to ${String(p.limit)}`;
    case "exclusiveMaximum":
      return `Must be less than ${String(p.limit)}`;
    case "minLength":
      return `String length must be greater than or equal to ${String(p.limit)}`;
    case "maxLength":
      return `String length must be less than or equal to ${String(p.limit)}`;
    case "minItems":
      return `Array must have at least ${String(p.limit)} items`;
    case "maxItems":
      return `Array must have at most ${String(p.limit)} items`;
    case "minProperties":
      return `Must have at least ${String(p.limit)} properties`;
    case "maxProperties":
      return `Must have at most ${String(p.limit)} properties`;
    case "pattern":
      return `Does not match pattern '${String(p.pattern)}'`;
    case "format":
      return `Does not match format '${String(p.format)}'`;
    case "multipleOf":
      return `Must be a multiple of ${String(p.multipleOf)}`;
    case "additionalProperties":
      return `Additional property ${String(p.additionalProperty)} is not allowed`;
    case "anyOf":
      return "Must validate at least one schema (anyOf)";
    case "oneOf":
      return "Must validate one and only one schema (oneOf)";
    case "not":
      return "Must not validate the schema (not)";
    default:
      return e.message ?? e.keyword;
  }
}

/** One error as gojsonschema's String(), with the "(root): " validatePolicyConfig trims. */
function describe(e: ErrorObject): string {
  const text = `${field(e.instancePath)}: ${description(e)}`;
  return text.startsWith("(root): ") ? text.slice("(root): ".length) : text;
}
