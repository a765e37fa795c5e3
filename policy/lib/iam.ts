/**
 * IAM policy documents as the engine sends them, and the few facts the IAM rules judge them by.
 *
 * A `policy`/`assumeRolePolicy` arrives as a JSON string (JSON.stringify, pulumi.jsonStringify,
 * `aws.iam.getPolicyDocument(...).json`), as an object (@pulumi/aws 7.x iam/policy.d.ts,
 * rolePolicy.d.ts, role.d.ts type it `string | PolicyDocument`), or, for a program that passed
 * the whole invoke result, an object with a `json` string. A string built from another
 * resource's output is wholly unknown at preview (lib/unknown.ts, point 2): it is reported as
 * `unknown`, never passed.
 *
 * Grammar: AWS IAM User Guide, "IAM JSON policy element reference"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html):
 * `Statement` is one object or a list; `Action`/`NotAction`/`Resource`/`NotResource` a string or
 * a list; action names are case-insensitive and may hold `*` (the Action page documents only `*`;
 * `?` is matched as a wildcard too, the strict side); `NotAction` with
 * Allow grants every action not listed ("reference_policies_elements_notaction.html"); only
 * Allow statements grant anything.
 */
import { containsUnknown, isUnknown } from "./unknown";
import { isObj, Obj } from "./obj";

export interface Statement {
  readonly index: number;
  readonly effect: string;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly principal?: unknown;
  readonly notPrincipal?: unknown;
  readonly condition?: Obj;
  /** `Condition`, or one of its operator blocks, is unknown at preview. */
  readonly conditionUnknown: boolean;
  /** The statement holds a value unknown at preview. */
  readonly unknown: boolean;
}

export type ParsedDocument =
  | { readonly state: "ok"; readonly statements: readonly Statement[] }
  | { readonly state: "unknown" }
  | { readonly state: "absent" }
  | { readonly state: "invalid"; readonly why: string };

const list = (v: unknown): string[] | undefined =>
  v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map((x) => String(x));

/**
 * `Effect`, "Allow"/"Deny" whatever the case. IAM documents the value as case-sensitive
 * (reference_policies_elements_effect.html: "The Effect value is case sensitive"), so IAM
 * should refuse "allow"; judging it as Allow anyway costs nothing and is the safe side if some
 * service's parser is lenient.
 */
function effectOf(v: unknown): string {
  const e = String(v ?? "");
  if (isUnknown(e)) return e;
  const l = e.toLowerCase();
  return l === "allow" ? "Allow" : l === "deny" ? "Deny" : e;
}

/** Parses a policy document in any form the provider accepts. */
export function parsePolicyDocument(v: unknown): ParsedDocument {
  if (v === undefined || v === null || v === "") return { state: "absent" };
  if (isUnknown(v)) return { state: "unknown" };
  let doc: unknown = v;
  if (isObj(v) && typeof v.json === "string" && v.Statement === undefined) doc = v.json;
  if (isUnknown(doc)) return { state: "unknown" };
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc);
    } catch (e) {
      return { state: "invalid", why: `not JSON (${(e as Error).message})` };
    }
  }
  if (!isObj(doc)) return { state: "invalid", why: "not a JSON object" };
  const raw = doc.Statement;
  if (isUnknown(raw)) return { state: "unknown" };
  if (raw === undefined) return { state: "invalid", why: "no `Statement`" };
  const items = Array.isArray(raw) ? raw : [raw];
  const bad = items.findIndex((s) => !isObj(s) && !isUnknown(s));
  if (bad >= 0) return { state: "invalid", why: `\`Statement[${bad}]\` is not an object` };
  const statements = items.map((s, index): Statement => {
    // A statement that is itself unknown (an Output inside an object-form document): its
    // Effect is the sentinel, so every rule reports it as unknown instead of skipping it.
    if (!isObj(s)) return { index, effect: String(s), unknown: true, conditionUnknown: true };
    return {
      index,
      effect: effectOf(s.Effect),
      action: list(s.Action),
      notAction: list(s.NotAction),
      resource: list(s.Resource),
      notResource: list(s.NotResource),
      principal: s.Principal,
      notPrincipal: s.NotPrincipal,
      condition: isObj(s.Condition) ? s.Condition : undefined,
      conditionUnknown:
        isUnknown(s.Condition) ||
        (isObj(s.Condition) && Object.values(s.Condition).some((b) => isUnknown(b))),
      unknown: containsUnknown(s),
    };
  });
  return { state: "ok", statements };
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as for actions. */
export function globMatch(pattern: string, value: string, caseInsensitive = true): boolean {
  const esc = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${esc}$`, caseInsensitive ? "i" : "").test(value);
}

export const hasWildcard = (s: string): boolean => /[*?]/.test(s);

/** Any resource name after a service's `arn:partition:service:region:account:` prefix. */
const ANY_RESOURCE = "zz-probe-any/zz-probe:x";

/**
 * A resource pattern that matches every resource of its service, which IAM treats as `"*"`
 * for that service: `"*"`, `"*:*"`, `"arn:*"`, `"arn:*:*:*:*:*"`, `"arn:aws:iam::*:*"`,
 * `"arn:aws:s3:::*"`, and short forms whose last `*` spans the remaining fields
 * (`"arn:aws:s3*"`, `"arn:aws:iam::123456789012*"`). ARNs are
 * `arn:partition:service:region:account-id:resource` (IAM User Guide, reference-arns.html); the
 * resource part may hold `/` and `:`, and "if the * wildcard is the last character of a resource
 * ARN segment, it can expand to match beyond the colon boundaries"
 * (reference_policies_elements_resource.html). So the pattern is service-wide when it matches a
 * probe ARN built from its own first five fields (each wildcard filled in) and a resource name
 * nobody has (the probe takes the pattern's own case, so case cannot hide a match).
 */
export function allResourcesPattern(r: string): boolean {
  if (!hasWildcard(r)) return false;
  return globMatch(r, `${probePrefix(r, ["aws", "zzsvc", "", ""])}:${ANY_RESOURCE}`, false);
}

/**
 * `arn:<partition>:<service>:<region>:<account>` from a pattern's first five fields, each
 * wildcard filled in (`*` with nothing, `?` with "0") so the pattern's own glob matches it;
 * fields the pattern lacks take `defaults` (partition, service, region, account).
 */
function probePrefix(r: string, defaults: readonly string[]): string {
  const f = r.split(":");
  const fill = (v: string | undefined, d: string) =>
    v === undefined ? d : v.replace(/\*/g, "").replace(/\?/g, "0");
  return ["arn", ...defaults.map((d, i) => fill(f[i + 1], d))].join(":");
}

/** The statement grants on every resource of a service, or on all: see allResourcesPattern. */
export function onAllResources(s: Statement): boolean {
  return (
    s.notResource !== undefined ||
    (s.resource ?? []).some((r) => !isUnknown(r) && allResourcesPattern(r))
  );
}

/** Actions of two made-up services: a pattern matching both matches every action there is. */
const ACTION_PROBES = ["zz1:Zz9", "qq:Q", "iam:PassRole", "s3:GetObject"];

/** An action pattern that matches every action of every service (`*`, `*:*`, `**`, …). */
export const allActionsPattern = (a: string): boolean =>
  ACTION_PROBES.every((p) => globMatch(a, p));

/**
 * A pattern matching every role of some account: `*`, `arn:*`, `arn:aws:iam::*:*`, `…:role*`,
 * and a wildcard inside the account field (`arn:aws:iam::12345678901?:role/*` is every role of
 * ten accounts): IAM allows `*` and `?` within any ARN segment
 * (reference_policies_elements_resource.html), so the probe account is the pattern's own
 * account field with its wildcards filled in.
 */
export function allRolesPattern(r: string): boolean {
  if (!hasWildcard(r)) return false;
  const prefix = probePrefix(r, ["aws", "iam", "", "000000000000"]).split(":");
  const arn = (name: string) => `arn:${prefix[1]}:iam::${prefix[4]}:${name}`;
  return [`role/zz-probe-role`, `role/zz/probe/path/zz-role`].every((name) =>
    globMatch(r, arn(name), false),
  );
}

/** Whether an Allow statement grants `action` (exact name, e.g. "iam:PassRole"). */
export function grantsAction(s: Statement, action: string): boolean {
  if (s.effect !== "Allow") return false;
  if (s.notAction) return !s.notAction.some((p) => globMatch(p, action));
  return (s.action ?? []).some((p) => globMatch(p, action));
}

/** The text of a statement for messages: `Statement[1]` (Sid-less documents are common). */
export const stmtLabel = (s: Statement): string => `Statement[${s.index}]`;

/**
 * AWS managed policies that grant administrator-equivalent access: AdministratorAccess
 * (`*` on `*`), PowerUserAccess (NotAction iam/organizations/account on `*`), IAMFullAccess
 * (`iam:*`, which can grant itself anything). AWS Managed Policy Reference Guide.
 */
export const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/** The managed policy's name if `arn` is an AWS managed policy (any partition). */
export function awsManagedPolicyName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

/** The account ids an AWS principal names (`123…`, `arn:aws:iam::123…:root`, a role ARN). */
export function principalAccount(p: string): string | undefined {
  if (/^\d{12}$/.test(p)) return p;
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(p);
  return m?.[1];
}

/** `Principal` as kind → identifiers; `"*"` is `{ AWS: ["*"] }` (IAM: "Principal": "*"). */
export function principals(p: unknown): Record<string, string[]> {
  if (p === "*") return { AWS: ["*"] };
  if (!isObj(p)) return {};
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(p)) out[k] = list(v) ?? [];
  return out;
}

/** Condition keys (lower-case) a statement tests with one of `operators`, and their values. */
export function conditionValues(s: Statement, operators: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [op, block] of Object.entries(s.condition ?? {})) {
    if (!operators.includes(op) || !isObj(block)) continue;
    for (const [k, v] of Object.entries(block)) out.set(k.toLowerCase(), list(v) ?? []);
  }
  return out;
}

/**
 * What restricts who may use a statement with a broad principal. The confused-deputy keys:
 * `sts:ExternalId` (IAM User Guide, "The confused deputy problem",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html, and "Access to AWS
 * accounts owned by third parties", id_roles_create_for-user_externalid.html) or MFA
 * (`aws:MultiFactorAuthPresent` true under `Bool`; `BoolIfExists` also matches requests without
 * the key, so it does not count: IAM User Guide, "AWS global condition context keys").
 */
export type Guard = "yes" | "no" | "unknown";

export function externalIdOrMfa(s: Statement): Guard {
  const ext = conditionValues(s, ["StringEquals"]).get("sts:externalid");
  const mfa = conditionValues(s, ["Bool"]).get("aws:multifactorauthpresent");
  if (ext && ext.length > 0 && ext.every((x) => x !== "" && !hasWildcard(x) && !isUnknown(x)))
    return "yes";
  if (mfa !== undefined && mfa.length > 0 && mfa.every((x) => x.toLowerCase() === "true"))
    return "yes";
  // An unknown value is not a guard until it is known: report it (lib/unknown.ts).
  return s.conditionUnknown || [...(ext ?? []), ...(mfa ?? [])].some(isUnknown) ? "unknown" : "no";
}

export const hasExternalIdOrMfa = (s: Statement): boolean => externalIdOrMfa(s) === "yes";

/**
 * Conditions that pin a `*` principal to known callers: the principal's organization, account
 * or ARN, or (for a service acting on the caller's behalf) the source account/ARN/VPC endpoint.
 * IAM User Guide, "AWS global condition context keys"; Secrets Manager User Guide,
 * "Resource-based policies" (manage_secret-policy.html).
 */
const RESTRICTING_KEYS = [
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
  "aws:sourcevpce",
  "aws:sourcevpc",
];

/**
 * Operators under which a restricting key pins the caller. `ForAnyValue:` over a key the
 * request lacks evaluates to false, so it still pins; `ForAllValues:` and `…IfExists` match a
 * request without the key and do not (IAM User Guide, "Multivalued context keys" and
 * "…IfExists condition operators"). aws:PrincipalOrgPaths is documented with
 * `ForAnyValue:StringEquals` and `ForAnyValue:StringLike` (reference_policies_condition-keys.html).
 */
const PIN_OPERATORS = [
  "StringEquals",
  "StringEqualsIgnoreCase",
  "StringLike",
  "ArnEquals",
  "ArnLike",
  "ForAnyValue:StringEquals",
  "ForAnyValue:StringEqualsIgnoreCase",
  "ForAnyValue:StringLike",
  "ForAnyValue:ArnEquals",
  "ForAnyValue:ArnLike",
];

/**
 * Operators under which `*` and `?` are wildcards: the *Like ones, and ArnEquals too: "The
 * ArnEquals and ArnLike condition operators behave identically" (IAM User Guide,
 * reference_policies_elements_condition_operators.html, ARN condition operators).
 */
const wildcardOperator = (op: string): boolean => /Like$|(^|:)Arn(Equals|Like)$/.test(op);

/**
 * Whether one condition value pins the caller. Under the *Like and Arn* operators `*` and `?`
 * are wildcards (wildcardOperator), so
 * `aws:PrincipalArn "arn:aws:iam::*:*"`, `aws:PrincipalAccount "????????????"` or
 * `aws:PrincipalOrgID "o-*"` admit every account. A wildcard value still pins when the part
 * naming the account or organization is literal: an ARN whose first five fields are literal
 * with a non-empty account (`arn:aws:iam::123456789012:role/ci-*`; an S3 source ARN has no
 * account and bucket names are anyone's, so it does not pin), or an org path whose `o-…` root
 * is literal (`o-a1b2c3/r-ab12/*`).
 */
function pins(op: string, key: string, v: string): boolean {
  if (v === "" || v === "*") return false;
  if (!wildcardOperator(op) || !hasWildcard(v)) return true;
  if (key === "aws:principalarn" || key === "aws:sourcearn") {
    const f = v.split(":");
    return f.length >= 6 && f[4] !== "" && !f.slice(0, 5).some(hasWildcard);
  }
  if (key === "aws:principalorgpaths") return /^o-[a-z0-9]+\//.test(v);
  return false;
}

/** Whether conditions pin a broad principal: "unknown" when only an unknown value might. */
export function principalRestriction(s: Statement): Guard {
  let unknown = s.conditionUnknown;
  for (const [op, block] of Object.entries(s.condition ?? {})) {
    if (!PIN_OPERATORS.includes(op) || !isObj(block)) continue;
    for (const [k, v] of Object.entries(block)) {
      const key = k.toLowerCase();
      if (!RESTRICTING_KEYS.includes(key)) continue;
      const vals = list(v) ?? [];
      if (vals.some(isUnknown)) unknown = true;
      else if (vals.length > 0 && vals.every((x) => pins(op, key, x))) return "yes";
    }
  }
  return unknown ? "unknown" : "no";
}

export const restrictsPrincipal = (s: Statement): boolean => principalRestriction(s) === "yes";

/** The values a pinning operator tests `key` (lower-case) against, or undefined if none does. */
export function pinValues(s: Statement, key: string): string[] | undefined {
  const vals = conditionValues(s, PIN_OPERATORS).get(key);
  return vals;
}

/**
 * The accounts the conditions of a `*`-principal statement name: aws:PrincipalAccount and
 * aws:SourceAccount values, and the account field of aws:PrincipalArn / aws:SourceArn. A `*`
 * principal pinned to account X admits exactly X's principals, as `Principal: { AWS: "X" }`
 * does, so the same confused-deputy guard applies to it (IAM User Guide, "AWS global
 * condition context keys").
 */
export function pinnedAccounts(s: Statement): string[] {
  const out: string[] = [];
  for (const [op, block] of Object.entries(s.condition ?? {})) {
    if (!PIN_OPERATORS.includes(op) || !isObj(block)) continue;
    for (const [k, v] of Object.entries(block)) {
      const key = k.toLowerCase();
      for (const x of list(v) ?? []) {
        if (isUnknown(x)) continue;
        if (key === "aws:principalaccount" || key === "aws:sourceaccount") out.push(x);
        if (key === "aws:principalarn" || key === "aws:sourcearn") {
          const account = x.split(":")[4];
          if (account !== undefined && account !== "") out.push(account);
        }
      }
    }
  }
  return [...new Set(out)];
}
