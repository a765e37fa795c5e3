/**
 * zod's issues, worded for a person editing Pulumi.<stack>.yaml: the key, what is wrong and
 * the fix, with a hint for the mistakes the CLI and YAML make easy. A value is quoted back
 * only when neither the key nor any part of its path looks secret, whatever the value's type.
 */
import { z } from "zod";
import { secretInValue, secretKindOfName } from "../../policy/lib/secrets";
import { PROJECT, REDIS_MODES } from "./fields";

export const SECRET_KEYS = [
  "redisPassword",
  "secretKey",
  "secretEnv",
  "redisUrl",
  "edgeCertificate",
  "edgePrivateKey",
  "backupAccessKeyId",
  "backupSecretAccessKey",
  "alertWebhookUrl",
] as const;
const SECRET_PATHS = new Set<string>(SECRET_KEYS);

function looksLikeCredential(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  return secretInValue(typeof v === "string" ? v : JSON.stringify(v)) !== undefined;
}

/** True when a value at this path must never be printed. */
function secretPath(path: readonly string[]): boolean {
  return path.some(
    (p) =>
      SECRET_PATHS.has(p) ||
      secretKindOfName(p) !== undefined ||
      /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|(^|_)KEY$|API_?KEY|AUTH/i.test(p),
  );
}

/**
 * One issue as the problems it reports, one line each: several unknown keys in one object come
 * as one zod issue but are several problems, so the count matches the list. `topLevel` are the
 * stack file's keys (`api`, `redis`, …), taken from the schema so a new service's key gets the
 * same hints.
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  input: Record<string, unknown>,
  topLevel: readonly string[],
  secureKeys: ReadonlySet<string> = new Set(),
): string[] {
  if (issue.code === "unrecognized_keys") {
    const path = issue.path.map(String);
    const where = path.length ? `${PROJECT}:${path.join(".")}.` : `${PROJECT}:`;
    return issue.keys.map(
      (k) => `\`${where}${k}\` is not a known key: ${unknownKeyHint(path, k, topLevel)}`,
    );
  }
  return [describeOne(issue, input, secureKeys)];
}

function describeOne(
  issue: z.core.$ZodIssue,
  input: Record<string, unknown>,
  secureKeys: ReadonlySet<string>,
): string {
  const path = issue.path.map(String);
  const key = `${PROJECT}:${path.join(".")}`;
  // Never quoted: a value under a secret-looking path, under a key the stack file holds as
  // `secure:` (set with --secret, whatever its name), or one that itself looks like a credential
  // (a rediss:// URL with its password typed where an object belongs).
  const secret =
    secretPath(path) ||
    secureKeys.has(`${PROJECT}:${path[0] ?? ""}`) ||
    looksLikeCredential(valueAt(input, issue.path));
  switch (issue.code) {
    case "invalid_key": {
      // A record's key (an env var name): zod's own "Invalid key in record" says nothing.
      const inner = issue.issues[0]?.message;
      return `\`${key}\` is not a valid name: ${inner && !inner.startsWith("Invalid") ? inner : "fix the name"}`;
    }
    case "invalid_type": {
      const got = valueAt(input, issue.path);
      if (got === undefined) return required(key, path);
      const shown = secret ? "a value" : JSON.stringify(got);
      const what = issue.message.startsWith("Invalid input")
        ? `must be ${article(issue.expected)}`
        : issue.message;
      return `\`${key}\` ${what}, got ${shown} (${typeof got}): ${typeHint(path, issue.expected, got, secret)}`;
    }
    case "invalid_union":
      if (path[path.length - 1] === "mode") {
        return `\`${key}\` is ${JSON.stringify(valueAt(input, issue.path))}: must be one of ${REDIS_MODES.map((m) => JSON.stringify(m)).join(", ")}`;
      }
      return `\`${key}\` ${issue.message}`;
    case "invalid_value": {
      const got = valueAt(input, issue.path);
      if (got === undefined) return required(key, path);
      const onFailure = typeof got === "string" ? /^on-failure:(\d+)$/.exec(got) : null;
      if (path[path.length - 1] === "restart" && onFailure) {
        const role = path.slice(0, -1).join(".");
        return `\`${key}\` is ${JSON.stringify(got)}, Docker CLI syntax that the stack does not take: write \`restart: on-failure\` and \`maxRetryCount: ${onFailure[1]}\` under \`${role}\``;
      }
      return `\`${key}\` ${secret ? "has an invalid value" : `is ${JSON.stringify(got)}`}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    case "too_small":
    case "too_big":
      if (/^Too (small|big)/.test(issue.message)) return sizeMessage(key, issue, secret, input);
      return `\`${key}\` ${issue.message}`;
    default:
      return `\`${key}\` ${issue.message}`;
  }
}

/** `pulumi config set api.image x` without `--path` stores a key literally named `api.image`. */
function unknownKeyHint(path: readonly string[], k: string, topLevel: readonly string[]): string {
  const [head] = k.split(".");
  if (path.length === 2 && path[0] === "workers" && ["port", "hostPort", "hostIp"].includes(k)) {
    return `a worker publishes nothing and listens on no port (only \`api\` serves HTTP, behind \`edge\`); remove \`${k}\` from \`workers.${path[1]}\``;
  }
  if (path.length === 0 && k.includes(".") && head !== undefined && topLevel.includes(head)) {
    return `it was set without \`--path\`, so Pulumi stored a key literally named "${k}": run \`pulumi config rm '${k}'\` and then \`pulumi config set --path ${k} <value>\``;
  }
  return "remove it or fix the spelling (see the config reference in docs/configuration.md)";
}

function typeHint(
  path: readonly string[],
  expected: string,
  got: unknown,
  secret: boolean,
): string {
  if (expected === "string" && typeof got === "number" && !secret) {
    // YAML reads an unquoted 8.0 as the number 8 (YAML 1.2 core schema, float), and the
    // engine hands the program 8.
    const typed = Number.isInteger(got) ? got.toFixed(1) : String(got);
    return `YAML read an unquoted number; quote it: ${path[path.length - 1]}: "${typed}"`;
  }
  return "fix the value in the stack file";
}

function required(key: string, path: string[]): string {
  return `\`${key}\` is required: set it with \`pulumi config set --path ${path.join(".")} <value>\``;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Every problem a stack file has, each naming its key and the fix; thrown before any resource. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file} has ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** zod's "Too small: expected number to be >=1" as the key, the bound, the value and the fix. */
function sizeMessage(
  key: string,
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  secret: boolean,
  input: Record<string, unknown>,
): string {
  const small = issue.code === "too_small";
  const bound = small
    ? (issue as z.core.$ZodIssueTooSmall).minimum
    : (issue as z.core.$ZodIssueTooBig).maximum;
  const got = valueAt(input, issue.path);
  const shown = secret || got === undefined ? "" : ` (got ${JSON.stringify(got)})`;
  if (issue.origin === "array" || issue.origin === "set") {
    const n = Number(bound);
    return small
      ? `\`${key}\` must list at least ${n} entr${n === 1 ? "y" : "ies"}${shown}: add ${n === 1 ? "one" : "more"}`
      : `\`${key}\` must list at most ${n} entr${n === 1 ? "y" : "ies"}${shown}: remove some`;
  }
  if (issue.origin === "string")
    return `\`${key}\` must be ${small ? "at least" : "at most"} ${String(bound)} characters long${shown}`;
  return small
    ? `\`${key}\` must be at least ${String(bound)}${shown}: raise it to ${String(bound)} or more`
    : `\`${key}\` must be at most ${String(bound)}${shown}: lower it to ${String(bound)} or less`;
}
