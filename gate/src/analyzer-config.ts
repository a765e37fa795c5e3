/**
 * Policy pack config the way the CLI sends it for `--policy-pack-config file.json`
 * (pulumi/pulumi pkg/resource/analyzer/config.go): every policy starts with its own
 * enforcement level and its configSchema defaults (createConfigWithDefaults), then the pack's
 * initialConfig and the file are applied on top ("all" first, then per policy), the properties
 * are validated against each schema, and the whole map goes out in one Configure call.
 */
import * as fs from "fs";
import { convertSchema, schemaErrors } from "./policy-config-errors";

/** A policy's enforcement level, as the engine and `--policy-pack-config` name it. */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** The --policy-pack-config file format: level string, or {enforcementLevel?, ...props}. */
export type PolicyPackConfigFile = Record<string, EnforcementLevel | Record<string, unknown>>;

export interface PolicyInfo {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly policyType: "resource" | "stack" | "unknown";
  readonly configSchema?: {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
  };
}

export interface ReconciledPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

/**
 * The policies' config does not satisfy their schemas. `errors` are "<policy>: <field>:
 * <description>"; the engine prints each as "validating policy config: <pack> <version>  <error>",
 * sorted (pkg/engine/update.go loadPolicyPlugins, appendValidationErrors).
 */
export class PolicyConfigError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`policy pack configuration is invalid:\n${errors.join("\n")}`);
    this.name = "PolicyConfigError";
  }

  /** The engine's lines for a pack, and its final "validating policy config". */
  forPack(name: string, version: string): string {
    const lines = [...this.errors]
      .sort()
      .map((e) => `validating policy config: ${name} ${version}  ${e}`);
    return [...lines, "validating policy config"].join("\n");
  }
}

const LEVELS = new Set(["advisory", "mandatory", "remediate", "disabled"]);

function split(
  v: unknown,
  key: string,
): { level?: EnforcementLevel; props: Record<string, unknown> } {
  if (typeof v === "string") {
    if (!LEVELS.has(v)) {
      throw new Error(
        `parsing enforcement level for "${key}": "${v}" is not a valid enforcement level`,
      );
    }
    return { level: v as EnforcementLevel, props: {} };
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new Error(`parsing "${key}": must be a string or object`);
  }
  const { enforcementLevel, ...props } = v as Record<string, unknown>;
  if (
    enforcementLevel !== undefined &&
    (typeof enforcementLevel !== "string" || !LEVELS.has(enforcementLevel))
  ) {
    throw new Error(
      `parsing enforcement level for "${key}": ${String(enforcementLevel)} is not valid`,
    );
  }
  return { level: enforcementLevel as EnforcementLevel | undefined, props };
}

function applyConfig(
  result: Map<string, ReconciledPolicyConfig>,
  given: PolicyPackConfigFile,
): void {
  const all = given.all !== undefined ? split(given.all, "all") : undefined;
  if (all?.level) {
    for (const c of result.values()) {
      c.enforcementLevel = all.level;
    }
  }
  for (const [name, v] of Object.entries(given)) {
    if (name === "environments") {
      continue;
    }
    const { level, props } = split(v, name);
    const current = result.get(name) ?? { enforcementLevel: level ?? "advisory", properties: {} };
    if (level) {
      current.enforcementLevel = level;
    }
    Object.assign(current.properties, props);
    result.set(name, current);
  }
}

/**
 * Validates each policy's properties against its full configSchema, as the CLI does:
 * pkg/resource/analyzer/config.go validatePolicyPackConfig → validatePolicyConfig runs
 * gojsonschema (xeipuuv/gojsonschema v1.2.0) on `{type: object, properties, required}`
 * (convertSchema) and reports each error as "<policy>: <field>: <description>", with a leading
 * "(root): " trimmed. Ajv does the validating here; ./policy-config-errors words its errors
 * the way gojsonschema does.
 */
function validate(policy: PolicyInfo, props: Record<string, unknown>): string[] {
  const schema = policy.configSchema;
  if (!schema) {
    return [];
  }
  return schemaErrors(convertSchema(schema), props).map((e) => `${policy.name}: ${e}`);
}

export function reconcilePolicyConfig(
  policies: readonly PolicyInfo[],
  initialConfig: PolicyPackConfigFile,
  config: PolicyPackConfigFile,
): Map<string, ReconciledPolicyConfig> {
  const result = new Map<string, ReconciledPolicyConfig>();
  for (const p of policies) {
    const properties: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
      if ("default" in s) {
        properties[k] = structuredClone(s.default);
      }
    }
    result.set(p.name, { enforcementLevel: p.enforcementLevel, properties });
  }
  applyConfig(result, initialConfig);
  applyConfig(result, config);
  const errors = policies.flatMap((p) => validate(p, result.get(p.name)?.properties ?? {}));
  if (errors.length > 0) {
    throw new PolicyConfigError(errors);
  }
  return result;
}

/** Reads a `--policy-pack-config` JSON file (e.g. policy/config/prod.json). */
export function readPolicyConfigFile(path: string): PolicyPackConfigFile {
  const text = fs.readFileSync(path, "utf8");
  return text.trim() === "" ? {} : (JSON.parse(text) as PolicyPackConfigFile);
}
