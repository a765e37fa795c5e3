/**
 * Which leaves of a secret key the stack file stores in plain text.
 *
 * `pulumi config set --secret --path secretEnv.A x` writes `secretEnv: {A: {secure: …}}`; a
 * hand-typed `B: plain` beside it stays plain in the file, yet the engine hands the program the
 * whole object as one secret key (pulumi/pulumi sdk/go/common/resource/config/map.go, Map.Get:
 * an object with any `secure:` leaf becomes NewSecureObjectValue, and `pulumi.runtime` only
 * exposes `isConfigSecret(key)`). So the program cannot see per-leaf secrecy in the config it is given;
 * it reads the stack file itself, the way the gate does. Without a
 * file (config kept elsewhere), nothing is reported and the key-level check still applies.
 */
import * as fs from "node:fs";
import * as path from "node:path";

function isSecure(v: unknown): boolean {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as Record<string, unknown>).secure === "string"
  );
}

function hasSecure(v: unknown): boolean {
  if (isSecure(v)) return true;
  if (Array.isArray(v)) return v.some(hasSecure);
  if (v && typeof v === "object") return Object.values(v).some(hasSecure);
  return false;
}

function plainLeaves(v: unknown, at: string, out: string[]): void {
  if (isSecure(v)) return;
  if (v && typeof v === "object") {
    for (const [k, child] of Object.entries(v)) plainLeaves(child, `${at}.${k}`, out);
  } else out.push(at);
}

/**
 * Plain leaves (`secretEnv.B`) of the given keys in a stack file's `config:` block, for each key
 * that holds at least one `secure:` leaf. `project` qualifies bare keys (`secretEnv`).
 */
export function plainLeavesOfSecretKeys(
  config: Record<string, unknown>,
  project: string,
  keys: readonly string[],
): string[] {
  const out: string[] = [];
  for (const [fullKey, value] of Object.entries(config)) {
    const name = fullKey.includes(":") ? fullKey.slice(fullKey.indexOf(":") + 1) : fullKey;
    const ns = fullKey.includes(":") ? fullKey.slice(0, fullKey.indexOf(":")) : project;
    if (ns !== project || !keys.includes(name) || !hasSecure(value)) continue;
    plainLeaves(value, name, out);
  }
  return out.sort();
}

/** The same, read from `Pulumi.<stack>.yaml` in `dir`; [] when the file is absent or unreadable. */
export function readPlainSecretLeaves(
  dir: string,
  stack: string,
  project: string,
  keys: readonly string[],
): string[] {
  try {
    const text = fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8");
    if (!mayHoldSecureKey(text)) return [];
    // Loaded here, not at the top: parsing YAML costs the program 40 ms of CPU (`yaml` is not
    // among the modules @pulumi/pulumi loads), and most stack files have no `secure:` leaf.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require("yaml") as typeof import("yaml");
    const doc = parse(text) as { config?: Record<string, unknown> } | null;
    return plainLeavesOfSecretKeys(doc?.config ?? {}, project, keys);
  } catch {
    return [];
  }
}

/**
 * False only when no mapping key in `text` can be `secure`: the word is nowhere in the file and
 * nothing is escaped (a double-quoted key could spell it `"\u0073ecure"`). Anchors, aliases and
 * merge keys repeat a key that is written out somewhere in the file, so the word is there too.
 */
export function mayHoldSecureKey(text: string): boolean {
  return text.includes("secure") || text.includes("\\");
}
