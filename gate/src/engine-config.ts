/**
 * The engine's config stage, which runs before the program: what `pulumi preview` refuses in
 * Pulumi.yaml and Pulumi.<stack>.yaml, with the engine's own messages. Pure: parsed documents
 * in, an error and notes out. The order of the checks is the CLI's (pkg/cmd/pulumi/operations/
 * preview.go: load the project, load the stack and its secrets manager, open its ESC
 * environment, then ValidateStackConfigAndApplyProjectConfig).
 *
 * Upstream is pulumi/pulumi v3.203.0 or later (node_modules has @pulumi/pulumi 3.270): #20674
 * moved the type and secret checks after the missing-key check and made them cover values that
 * came from a project `default`.
 */
import {
  CONFIG_TYPE_NAMES,
  containsSecure,
  decryptAll,
  getByPath,
  goSorted,
  inferFullTypeName,
  isPrimitive,
  isSecure,
  namespacedByProject,
  parseConfigKey,
  parseKey,
  typedContent,
  validateConfigValue,
  type ProjectConfigType,
} from "./config-value";

export type { ProjectConfigType } from "./config-value";

/** Pulumi.yaml as parsed YAML; only what the config stage reads. */
export interface ProjectDoc {
  readonly name?: unknown;
  readonly config?: unknown;
  readonly stackConfigDir?: unknown;
}

/** Pulumi.<stack>.yaml as parsed YAML. */
export interface StackDoc {
  readonly config?: unknown;
  readonly environment?: unknown;
  readonly encryptionsalt?: unknown;
}

export interface ConfigStageResult {
  /** The engine's error, as `pulumi preview` prints it after "error: ". */
  readonly error?: string;
  /** What the engine accepts but a reader should know (e.g. a secret it does not enforce). */
  readonly notes: string[];
}

/**
 * Pulumi.yaml's `config:` after sdk/go/common/workspace/loaders.go LoadProjectBytes:
 * RewriteConfigPathIntoStackConfigDir drops a string `config:` (an old stack config dir), and
 * RewriteShorthandConfigValues turns `key: <string|int|bool|array>` into `{default: …}` for the
 * project's keys and `{value: …}` for other namespaces.
 */
export function projectConfigTypes(project: ProjectDoc): Record<string, ProjectConfigType> {
  const name = String(project.name ?? "");
  const raw = project.config;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return {};
  const out: Record<string, ProjectConfigType> = {};
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    if (isPrimitive(v) || Array.isArray(v))
      out[key] = namespacedByProject(name, key) ? { default: v } : { value: v };
    else out[key] = (v ?? {}) as ProjectConfigType;
  }
  return out;
}

/**
 * The project checks that make `pulumi preview` stop before it reads a stack:
 * sdk/go/common/workspace/project.go Project.Validate (wrapped by LoadProjectBytes as "could not
 * unmarshal '<path>': …"). The `type` enum comes from project.json's simpleConfigType, which the
 * engine checks with a JSON Schema library; that one message is worded here, not copied.
 */
export function validateProject(project: ProjectDoc, file = "Pulumi.yaml"): string | undefined {
  const name = String(project.name ?? "");
  if (name === "") return `could not validate '${file}': project is missing a 'name' attribute`;
  const types = projectConfigTypes(project);
  // Go ranges over a map (random order); sorted here so the first error is stable.
  for (const key of goSorted(Object.keys(types))) {
    const t = types[key] as ProjectConfigType;
    const fail = (msg: string) => `could not unmarshal '${file}': ${msg}`;
    if (t.type !== undefined && !(CONFIG_TYPE_NAMES as readonly string[]).includes(t.type))
      return `could not validate '${file}': config.${key}.type: '${String(t.type)}' is not one of ${CONFIG_TYPE_NAMES.join(", ")}`;
    if (t.default !== undefined && t.value !== undefined)
      return fail(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    if (namespacedByProject(name, key)) {
      if (t.type === "array" && t.items === undefined)
        return fail(
          `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`,
        );
      if (
        t.type !== undefined &&
        t.default !== undefined &&
        !validateConfigValue(t.type, t.items, t.default)
      )
        return fail(
          `The default value specified for configuration key '${key}' is not of the expected type '${inferFullTypeName(t.type, t.items)}'`,
        );
    } else if (t.type !== undefined) {
      return fail(
        `Configuration key '${key}' is not namespaced by the project and should not define a type`,
      );
    } else if (t.default !== undefined) {
      return fail(
        `Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`,
      );
    } else if (t.value === undefined) {
      return fail(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
    }
  }
  return undefined;
}

/** The ESC environments a stack file imports (project.go Environment.Definition / Imports). */
export function environmentImports(stack: StackDoc): string[] | undefined {
  const env = stack.environment;
  if (env === undefined || env === null) return undefined;
  if (Array.isArray(env)) return env.length === 0 ? undefined : env.map(String);
  const imports = (env as { imports?: unknown }).imports;
  return Array.isArray(imports)
    ? imports.map((i) => (typeof i === "string" ? i : JSON.stringify(i)))
    : [];
}

/**
 * An `environment:` block. pkg/cmd/pulumi/config/io.go, getStackConfigurationFromProjectStack →
 * openStackEnv opens it on the backend (Pulumi Cloud; a DIY backend refuses), and mergeConfig
 * merges its `pulumiConfig` under the stack file's values before the missing-key check, and
 * exports its `environmentVariables` to the program. None of that can be seen offline, so the gate
 * refuses rather than pass a stack on config it did not see.
 */
export function environmentError(stack: StackDoc, stackFile: string): string | undefined {
  const imports = environmentImports(stack);
  if (imports === undefined) return undefined;
  const what =
    imports.length > 0 ? `the ESC environment(s) ${imports.join(", ")}` : "an ESC environment";
  return (
    `${stackFile} imports ${what} (\`environment:\`), whose pulumiConfig the engine merges into this stack's config ` +
    "before the program runs; the offline gate cannot open ESC environments, so it does not judge a stack on config " +
    "it has not seen: gate this stack with `pulumi preview --policy-pack policy` instead"
  );
}

/** pkg/workspace/config.go, formatMissingKeys and missingStackConfigurationKeysError. */
export function missingKeysMessage(stack: string, keys: readonly string[]): string {
  if (keys.length === 1) return `Stack '${stack}' is missing configuration value '${keys[0]}'`;
  const sorted = goSorted(keys);
  const parts = sorted.map((k, i) =>
    i === sorted.length - 1 ? `and '${k}'` : i === sorted.length - 2 ? `'${k}' ` : `'${k}', `,
  );
  return `Stack '${stack}' is missing configuration values ${parts.join("")}`;
}

export interface StackConfigInput {
  readonly stack: string;
  readonly project: ProjectDoc;
  /** The stack file's `config:` (keys may lack the project namespace). */
  readonly stackConfig: Readonly<Record<string, unknown>>;
  /** Decrypts a `secure:` ciphertext; absent, secure values are unknown and their type unchecked. */
  readonly decrypt?: (ciphertext: string) => string;
}

/**
 * pkg/workspace/config.go, mergeConfig with validate=true (ValidateStackConfigAndApplyProjectConfig),
 * called from preview.go and wrapped there as "validating stack config: …":
 * 1. every project key (sorted) with no stack value, no `default`, no `value`, in the project's
 *    namespace is missing, reported all at once; the others get their default or value as a
 *    plain (not secure) stack value;
 * 2. then validateStackConfigValues checks each explicitly typed key (sorted), stopping at the
 *    first: a `secret: true` key whose value is not secure ("must be encrypted as it's secret",
 *    which also catches a plaintext `default` on a typed secret key), then its type.
 * Keys without `type:` are never checked, not even for `secret: true`: those become notes.
 */
export function checkStackConfig(input: StackConfigInput): ConfigStageResult {
  const projectName = String(input.project.name ?? "");
  const types = projectConfigTypes(input.project);
  const notes: string[] = [];
  // loaders.go, stackConfigNamespacedWithProject: stack keys without a namespace are the project's.
  const stackConfig: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.stackConfig)) {
    const key = parseConfigKey(projectName, k);
    stackConfig[`${key.namespace}:${key.name}`] = v;
  }
  const fromProject = new Map<string, unknown>();
  const missing: string[] = [];
  for (const pkey of goSorted(Object.keys(types))) {
    const t = types[pkey] as ProjectConfigType;
    const key = parseConfigKey(projectName, pkey);
    if (getByPath(stackConfig, key).found) continue;
    if (t.value === undefined && t.default === undefined) {
      if (key.namespace === projectName) missing.push(pkey);
      continue;
    }
    fromProject.set(pkey, t.default !== undefined ? t.default : t.value);
  }
  if (missing.length > 0)
    return { error: `validating stack config: ${missingKeysMessage(input.stack, missing)}`, notes };

  // validateStackConfigValues first decrypts every value (Map.Decrypt); a failure stops it there.
  const decrypted = new Map<string, unknown>();
  if (input.decrypt) {
    for (const pkey of goSorted(Object.keys(types))) {
      const onStack = getByPath(stackConfig, parseConfigKey(projectName, pkey));
      if (!onStack.found || !containsSecure(onStack.value)) continue;
      try {
        decrypted.set(pkey, decryptAll(onStack.value, input.decrypt));
      } catch (e) {
        return {
          error: `validating stack config: could not decrypt '${pkey}': ${(e as Error).message}`,
          notes,
        };
      }
    }
  }

  for (const pkey of goSorted(Object.keys(types))) {
    const t = types[pkey] as ProjectConfigType;
    if (t.type === undefined) {
      if (t.secret === true) notes.push(untypedSecretNote(pkey, fromProject.has(pkey)));
      continue;
    }
    const key = parseConfigKey(projectName, pkey);
    const onStack = getByPath(stackConfig, key);
    const raw = onStack.found ? onStack.value : fromProject.get(pkey);
    // createConfigValue makes a project default a plain value; only a stack value can be secure.
    const secure = onStack.found && containsSecure(raw);
    if (t.secret === true && !secure)
      return {
        error: `validating stack config: Stack '${input.stack}' with configuration key '${pkey}' must be encrypted as it's secret`,
        notes,
      };
    const ok =
      secure && !input.decrypt
        ? undecryptedVerdict(t, raw)
        : validateConfigValue(t.type, t.items, typedContent(secure ? decrypted.get(pkey) : raw));
    if (ok === undefined)
      notes.push(
        `The type of \`${pkey}\` (${t.type}) was not checked: its secure value was not decrypted.`,
      );
    if (ok === false)
      return {
        error: `validating stack config: Stack '${input.stack}' with configuration key '${pkey}' must be of type '${inferFullTypeName(t.type, t.items)}'`,
        notes,
      };
  }
  return { notes };
}

/**
 * The type check of a secure value that was not decrypted: a secure scalar is some text (always a
 * string); a map or array keeps its shape, so only its leaves are unknown.
 */
function undecryptedVerdict(t: ProjectConfigType, raw: unknown): boolean | undefined {
  const type = t.type as string;
  if (isSecure(raw)) return type === "string" ? true : undefined;
  if (type === "array") return Array.isArray(raw) ? undefined : false;
  return validateConfigValue(type, t.items, raw);
}

function untypedSecretNote(key: string, fromDefault: boolean): string {
  return fromDefault
    ? `Pulumi.yaml declares \`${key}\` secret: true with a plaintext default and no type; the engine checks neither, and passes the default to the program as a plain (not secret) value.`
    : `Pulumi.yaml declares \`${key}\` secret: true but no type, so the engine does not check that its stack value is encrypted.`;
}

/** Every stack-file key must parse (loaders.go → config.Map's UnmarshalYAML → ParseKey). */
export function stackKeyError(
  stackConfig: Readonly<Record<string, unknown>>,
  stackFile: string,
): string | undefined {
  for (const k of Object.keys(stackConfig)) {
    if (!k.includes(":")) continue;
    try {
      parseKey(k);
    } catch (e) {
      return `${stackFile}: ${(e as Error).message}`;
    }
  }
  return undefined;
}
