import { ResourceValidation } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/**
 * `production` is a per-rule config key (policy config is per rule). It defaults to true so a
 * stack run without `--policy-pack-config` gets the strict checks; dev.json sets it to false.
 */
export const productionProperty: Record<string, PolicyConfigJSONSchema> = {
  production: {
    type: "boolean",
    default: true,
    description: "Apply the production-only checks. Set false in policy/config/dev.json.",
  },
};

interface HasConfig {
  getConfig<T extends object>(): T;
}

/** The rule's config with defaults filled in for keys the engine did not send. */
export function configOf<T extends object>(args: HasConfig, defaults: T): T {
  const given = args.getConfig<Partial<T>>();
  const out = { ...defaults };
  for (const k of Object.keys(given) as (keyof T)[]) {
    const v = given[k];
    if (v !== undefined && v !== null) {
      out[k] = v as T[keyof T];
    }
  }
  return out;
}

export function isProduction(args: HasConfig): boolean {
  return configOf(args, { production: true }).production;
}

/**
 * Tags a validation with the one resource type it applies to, the way the SDK's
 * `validateResourceOfType` does (`__pulumiType`), so the server skips other types without
 * deserializing their properties once per policy.
 */
export function onlyFor(type: string, validate: ResourceValidation): ResourceValidation {
  return Object.assign(validate, { __pulumiType: type });
}
