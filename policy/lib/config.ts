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
 * Restricts a validation to one resource type. The tag (`__pulumiType`, as the SDK's
 * `validateResourceOfType` sets it) lets the server skip other types without deserializing
 * their properties once per policy; the guard keeps direct calls (unit tests) to that type too.
 */
export function onlyFor(type: string, validate: ResourceValidation): ResourceValidation {
  const guarded: ResourceValidation = (args, report) =>
    args.type === type ? validate(args, report) : undefined;
  return Object.assign(guarded, { __pulumiType: type });
}
