/**
 * ElastiCache facts shared by the resource rules and the provenance stack rule: what an AUTH
 * token / RBAC password may contain, which characters a random generator can emit, whether an
 * RBAC user is disabled, and how many replicas a replication group has.
 */
import { PolicyResource } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { Props } from "./docker";
import { RANDOM_BYTES, RANDOM_ID, RANDOM_PASSWORD, RANDOM_STRING } from "./types";
import { isUnknown, raw } from "./unknown";

/**
 * Which characters a token may contain besides letters and digits.
 * - "provider": printable ASCII except `/`, `"`, `@` and space — what terraform-provider-aws
 *   validates (`validReplicationGroupAuthToken`, `^[^@"\/]+$`, 16–128 chars) and what this pack
 *   was asked to enforce.
 * - "aws-docs": only `!&#$^<>-` — the stricter list in the current AWS ElastiCache AUTH docs
 *   ("Nonalphanumeric characters are restricted to (!, &, #, $, ^, <, >, -)"). Users have reported
 *   "InvalidParameterValue: Invalid AuthToken provided" for tokens the provider rule accepts.
 */
export type TokenCharset = "provider" | "aws-docs";

export const TOKEN_CHARSETS: readonly TokenCharset[] = ["provider", "aws-docs"];

/** Config property shared by elasticache-auth-token-format and unknown-value-provenance. */
export const authTokenCharsetProperty: Record<string, PolicyConfigJSONSchema> = {
  authTokenCharset: {
    type: "string",
    enum: [...TOKEN_CHARSETS],
    default: "provider",
    description:
      'Characters allowed besides letters and digits: "provider" = printable ASCII except / " @ and space (terraform-provider-aws); "aws-docs" = only !&#$^<>- (AWS AUTH docs).',
  },
};

/** @pulumi/random's default special characters (terraform-provider-random `CreateString`). */
export const RANDOM_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

export const TOKEN_MIN_LENGTH = 16;
export const TOKEN_MAX_LENGTH = 128;

const AWS_DOCS_SPECIAL = "!&#$^<>-";

/** True if `c` (one character) may appear in an ElastiCache token under `charset`. */
export function tokenCharAllowed(c: string, charset: TokenCharset): boolean {
  if (/^[A-Za-z0-9]$/.test(c)) {
    return true;
  }
  if (charset === "aws-docs") {
    return AWS_DOCS_SPECIAL.includes(c);
  }
  const code = c.charCodeAt(0);
  return c.length === 1 && code > 0x20 && code < 0x7f && !'/"@'.includes(c);
}

/** Shows a character in a message; space and non-printables by name or code. */
export function showChar(c: string): string {
  if (c === " ") {
    return "space";
  }
  const code = c.charCodeAt(0);
  return code < 0x21 || code > 0x7e ? `U+${code.toString(16).padStart(4, "0")}` : `'${c}'`;
}

export function allowedDescription(charset: TokenCharset): string {
  return charset === "aws-docs"
    ? `letters, digits and ${AWS_DOCS_SPECIAL.split("").join(" ")}`
    : `printable ASCII except / " @ and space`;
}

/** Why `value` is not a valid ElastiCache AUTH token / RBAC password, or undefined. */
export function tokenFormatProblem(value: string, charset: TokenCharset): string | undefined {
  const bad = [...new Set([...value].filter((c) => !tokenCharAllowed(c, charset)))];
  const problems: string[] = [];
  if (value.length < TOKEN_MIN_LENGTH || value.length > TOKEN_MAX_LENGTH) {
    problems.push(
      `is ${value.length} characters long (ElastiCache accepts ${TOKEN_MIN_LENGTH}–${TOKEN_MAX_LENGTH})`,
    );
  }
  if (bad.length > 0) {
    problems.push(
      `contains ${bad.map(showChar).join(", ")}, which ElastiCache refuses (allowed: ${allowedDescription(charset)})`,
    );
  }
  return problems.length > 0 ? problems.join(" and ") : undefined;
}

/**
 * Why a random generator feeding an ElastiCache token could produce an invalid token, or
 * undefined if every value it can emit is valid. Undefined also for non-generators.
 */
export function generatorTokenProblem(
  r: PolicyResource,
  charset: TokenCharset,
): string | undefined {
  const p = raw(r.props);
  const label = `${r.type.split(":").pop()} "${r.name}"`;
  if (r.type === RANDOM_ID || r.type === RANDOM_BYTES) {
    return (
      `${label} has base64 outputs that contain '/' and '+', and the pack cannot see which ` +
      "output feeds the token"
    );
  }
  if (r.type !== RANDOM_PASSWORD && r.type !== RANDOM_STRING) {
    return undefined;
  }
  const problems: string[] = [];
  if (typeof p.length === "number" && p.length > TOKEN_MAX_LENGTH) {
    problems.push(`has length ${p.length} > ${TOKEN_MAX_LENGTH}`);
  }
  // terraform-provider-random always draws `minSpecial` characters from the special set,
  // even with special: false; an empty overrideSpecial means the default set.
  const minSpecial = p.minSpecial;
  const specialUsed =
    p.special !== false ||
    (typeof minSpecial === "number" && minSpecial > 0) ||
    isUnknown(minSpecial);
  if (specialUsed) {
    const override = p.overrideSpecial;
    if (isUnknown(override) || isUnknown(p.special)) {
      problems.push("has special characters whose set is unknown at preview");
    } else {
      const set =
        typeof override === "string" && override !== "" ? override : RANDOM_DEFAULT_SPECIAL;
      const bad = [...new Set([...set].filter((c) => !tokenCharAllowed(c, charset)))];
      if (bad.length > 0) {
        const where =
          typeof override === "string" && override !== ""
            ? `overrideSpecial "${override}"`
            : `the default special set ${RANDOM_DEFAULT_SPECIAL} (overrideSpecial is unset)`;
        problems.push(`can emit ${bad.map(showChar).join(", ")} from ${where}`);
      }
    }
  }
  return problems.length > 0 ? `${label} ${problems.join(" and ")}` : undefined;
}

/** Passwords of an RBAC user: `passwords` and `authenticationMode.passwords`. */
export function userPasswordLists(p: Props): unknown[] {
  const mode = p.authenticationMode as Props | undefined;
  return [p.passwords, mode && !isUnknown(mode) ? mode.passwords : undefined];
}

/**
 * True when an RBAC access string leaves the user disabled: Redis applies ACL rules left to
 * right, so the last `on`/`off` wins. A string with neither counts as enabled (fail closed).
 */
export function accessStringDisabled(accessString: string): boolean {
  const states = accessString
    .trim()
    .split(/\s+/)
    .filter((t) => t === "on" || t === "off");
  return states[states.length - 1] === "off";
}

export type Count = number | "unknown";

/**
 * Replicas per shard of a replication group: `replicasPerNodeGroup` in cluster mode, else
 * `numCacheClusters - 1` (the provider and the API default to one node).
 */
export function replicasOf(p: Props): Count {
  const clusterMode = p.numNodeGroups !== undefined || p.replicasPerNodeGroup !== undefined;
  if (clusterMode) {
    const r = p.replicasPerNodeGroup;
    if (isUnknown(r) || isUnknown(p.numNodeGroups)) {
      return "unknown";
    }
    return typeof r === "number" ? r : 0;
  }
  const n = p.numCacheClusters;
  if (isUnknown(n)) {
    return "unknown";
  }
  return (typeof n === "number" ? n : 1) - 1;
}
