/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml into the flat config map the engine hands
 * a program: `project:key` to string, objects as JSON, secret keys listed apart.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "./project-dir";
import { passphraseDecrypter } from "./passphrase";
import { containsSecure, decryptAll, parseConfigKey } from "./config-value";
import { projectConfigTypes, type ProjectDoc, type StackDoc } from "./engine-config";

/** A stack's config as the program sees it: plain values by `project:key`, and which are secret. */
export interface StackFileConfig {
  readonly stack: string;
  /** The project's name, from Pulumi.yaml. */
  readonly project: string;
  readonly file: string;
  readonly values: Record<string, string>;
  readonly secretKeys: string[];
  /** Keys whose value is `secure:` ciphertext that was not decrypted. */
  readonly encryptedKeys: string[];
}

/** Where to read the stack file and how to treat its secure values. */
export interface LoadOptions {
  readonly dir?: string;
  /** Decrypts a `secure:` value, e.g. with the passphrase provider; absent, such keys are left out. */
  readonly decrypt?: (ciphertext: string) => string;
  /** PULUMI_CONFIG_PASSPHRASE, to decrypt `secure:` values with the stack's encryptionsalt. */
  readonly passphrase?: string;
  /**
   * Without a way to decrypt, `secure:` values are left out, or, when this is set, replaced
   * by it (the gate passes the engine's unknown) and still marked secret.
   */
  readonly undecrypted?: string;
  /** Replace or add top-level keys (`project:key` to a JS value) after loading. */
  readonly overrides?: Record<string, unknown>;
  /** Secret values to add, as if set with `pulumi config set --secret`. */
  readonly secrets?: Record<string, unknown>;
}

export interface StackFiles {
  readonly project: ProjectDoc;
  readonly stackDoc: StackDoc;
  /** The stack file's name relative to the project folder, e.g. `Pulumi.dev.yaml`. */
  readonly file: string;
}

export function readProject(dir: string = PROJECT_DIR): ProjectDoc {
  return (parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) ?? {}) as ProjectDoc;
}

/**
 * Where a stack's file lives: pulumi/pulumi sdk/go/common/workspace/paths.go ProjectStackPath,
 * `Pulumi.<stack>` plus the project file's extension, in `stackConfigDir` when Pulumi.yaml sets one
 * (or, the old way, a string `config:`; project.go RewriteConfigPathIntoStackConfigDir).
 */
export function stackConfigDir(dir: string, project: ProjectDoc): string {
  const sub = project.stackConfigDir ?? (typeof project.config === "string" ? project.config : "");
  return path.join(dir, typeof sub === "string" ? sub : "");
}

export function stackFilePath(dir: string, project: ProjectDoc, stack: string): string {
  return path.join(stackConfigDir(dir, project), `Pulumi.${stack}.yaml`);
}

/** The stacks that have a file: every `Pulumi.<name>.yaml` beside Pulumi.yaml (or in stackConfigDir). */
export function discoverStacks(dir: string = PROJECT_DIR): string[] {
  const where = stackConfigDir(dir, readProject(dir));
  if (!fs.existsSync(where)) return [];
  return fs
    .readdirSync(where)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

export function readStackFiles(stack: string, dir: string = PROJECT_DIR): StackFiles {
  const project = readProject(dir);
  const file = stackFilePath(dir, project, stack);
  const stackDoc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as StackDoc;
  return { project, stackDoc, file: path.relative(dir, file) };
}

/** The stack file's `config:` block as an object (an empty file has none). */
export function configOf(doc: StackDoc): Record<string, unknown> {
  const c = doc.config;
  return c && typeof c === "object" && !Array.isArray(c) ? (c as Record<string, unknown>) : {};
}

/** Reads Pulumi.<stack>.yaml as the CLI hands it to the program (see {@link StackFileConfig}). */
export function loadStackConfig(stack: string, opts: LoadOptions = {}): StackFileConfig {
  const dir = opts.dir ?? PROJECT_DIR;
  const { project, stackDoc, file } = readStackFiles(stack, dir);
  const projectName = String(project.name ?? "");
  const salt = typeof stackDoc.encryptionsalt === "string" ? stackDoc.encryptionsalt : undefined;
  const decrypt =
    opts.decrypt ??
    (opts.passphrase !== undefined && salt
      ? passphraseDecrypter(salt, opts.passphrase)
      : undefined);

  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const encryptedKeys: string[] = [];
  // pulumi/pulumi pkg/workspace/config.go mergeConfig: a project `default` (or `value`) applies
  // when the stack file has no value for the key; it reaches the program as a plain value.
  for (const [key, t] of Object.entries(projectConfigTypes(project))) {
    const v = t.default !== undefined ? t.default : t.value;
    if (v !== undefined) values[qualify(projectName, key)] = encode(v);
  }
  for (const [key, value] of Object.entries(configOf(stackDoc))) {
    const k = qualify(projectName, key);
    if (containsSecure(value)) {
      if (!decrypt) {
        encryptedKeys.push(k);
        if (opts.undecrypted === undefined) continue;
        // Keep the shape (a secret object's names), with each ciphertext replaced.
        const stand = opts.undecrypted;
        values[k] = encode(decryptAll(value, () => stand));
      } else {
        values[k] = encode(decryptAll(value, decrypt));
      }
      secretKeys.push(k);
    } else {
      values[k] = encode(value);
    }
  }
  for (const [k, v] of Object.entries(opts.overrides ?? {})) {
    if (v === undefined) delete values[k];
    else values[k] = encode(v);
  }
  for (const [k, v] of Object.entries(opts.secrets ?? {})) {
    values[k] = encode(v);
    secretKeys.push(k);
  }
  return { stack, project: projectName, file, values, secretKeys, encryptedKeys };
}

function qualify(project: string, key: string): string {
  const k = parseConfigKey(project, key);
  return `${k.namespace}:${k.name}`;
}

function encode(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}
