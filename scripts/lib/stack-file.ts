/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml into the flat config map the engine hands
 * a program: `project:key` to string, objects as JSON, secret keys listed apart.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "./project-dir";
import { passphraseDecrypter } from "./passphrase";

export interface StackFileConfig {
  readonly stack: string;
  readonly file: string;
  readonly values: Record<string, string>;
  readonly secretKeys: string[];
  /** Keys whose value is `secure:` ciphertext that was not decrypted. */
  readonly encryptedKeys: string[];
}

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

export function loadStackConfig(stack: string, opts: LoadOptions = {}): StackFileConfig {
  const dir = opts.dir ?? PROJECT_DIR;
  const project = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, { default?: unknown } | unknown>;
  };
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  const stackDoc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as {
    config?: Record<string, unknown>;
    encryptionsalt?: string;
  };
  const decrypt =
    opts.decrypt ??
    (opts.passphrase !== undefined && stackDoc.encryptionsalt
      ? passphraseDecrypter(stackDoc.encryptionsalt, opts.passphrase)
      : undefined);

  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const encryptedKeys: string[] = [];
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    if (decl && typeof decl === "object" && "default" in decl)
      values[qualify(project.name, key)] = encode((decl as { default: unknown }).default);
  }
  for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
    const k = qualify(project.name, key);
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
  return { stack, file: path.basename(file), values, secretKeys, encryptedKeys };
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

function encode(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function isSecure(v: unknown): v is { secure: string } {
  return (
    typeof v === "object" &&
    v !== null &&
    Object.keys(v).length === 1 &&
    typeof (v as { secure?: unknown }).secure === "string"
  );
}

function containsSecure(v: unknown): boolean {
  if (isSecure(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecure);
  if (v && typeof v === "object") return Object.values(v).some(containsSecure);
  return false;
}

function decryptAll(v: unknown, decrypt: (c: string) => string): unknown {
  if (isSecure(v)) return decrypt(v.secure);
  if (Array.isArray(v)) return v.map((x) => decryptAll(x, decrypt));
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decryptAll(x, decrypt)]));
  return v;
}
