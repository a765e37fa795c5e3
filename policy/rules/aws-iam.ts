/**
 * IAM and Secrets Manager resource policies (issue 22, classes 2 and 3), per resource: no
 * administrator-equivalent grants, no `iam:PassRole` on every role, no trust policy any
 * principal or a foreign account can use without a confused-deputy guard, no secret readable by
 * `Principal: "*"`. The ECS roles' least privilege needs the task definitions, so it is a stack
 * rule (rules/aws-iam-ecs.ts). Documents are parsed by lib/iam.ts; a document unknown at preview
 * is reported with unknownAtPreview, never passed (lib/unknown.ts).
 *
 * AWS IAM User Guide: "IAM JSON policy element reference" (reference_policies_elements.html),
 * "NotAction" (reference_policies_elements_notaction.html), "The confused deputy problem"
 * (confused-deputy.html); Secrets Manager User Guide, "Resource-based policies"
 * (manage_secret-policy.html): in a policy attached to a secret, `Resource: "*"` means that
 * secret, so only the principal is judged there.
 */
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import {
  ADMIN_MANAGED_POLICIES,
  allActionsPattern,
  allResourcesPattern,
  allRolesPattern,
  awsManagedPolicyName,
  externalIdOrMfa,
  grantsAction,
  Guard,
  hasWildcard,
  onAllResources,
  parsePolicyDocument,
  pinnedAccounts,
  principalAccount,
  principalRestriction,
  principals,
  Statement,
  stmtLabel,
} from "../lib/iam";
import {
  IAM_GROUP_POLICY,
  IAM_GROUP_POLICY_ATTACHMENT,
  IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE,
  IAM_POLICY,
  IAM_POLICY_ATTACHMENT,
  IAM_ROLE,
  IAM_ROLE_POLICY,
  IAM_ROLE_POLICY_ATTACHMENT,
  IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
  IAM_USER_POLICY,
  IAM_USER_POLICY_ATTACHMENT,
  IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE,
  SECRET,
  SECRET_POLICY,
} from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";
import { isObj } from "../lib/obj";

const short = (type: string): string => type.split(":").pop() ?? type;

const IDENTITY_DOCS = [IAM_POLICY, IAM_ROLE_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY];
const ATTACHMENTS = [
  IAM_ROLE_POLICY_ATTACHMENT,
  IAM_USER_POLICY_ATTACHMENT,
  IAM_GROUP_POLICY_ATTACHMENT,
  IAM_POLICY_ATTACHMENT,
];
/** `policyArns[]`, the whole set of managed policies of one role, user or group. */
const EXCLUSIVE_ATTACHMENTS = [
  IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
  IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE,
  IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE,
];
const LITERAL_FIX =
  "build the document with literal structure (JSON.stringify of an object whose Action, Effect and Principal are literals, or aws.iam.getPolicyDocument over literal statements); only resource ARNs may come from other resources when the action is not a wildcard";

/** Each identity-policy document of a resource, with the field that holds it. */
function identityDocuments(args: ResourceValidationArgs): { field: string; doc: unknown }[] {
  const p = raw(args.props);
  if (IDENTITY_DOCS.includes(args.type)) return [{ field: "policy", doc: p.policy }];
  if (args.type !== IAM_ROLE) return [];
  if (isUnknown(p.inlinePolicies)) return [{ field: "inlinePolicies", doc: p.inlinePolicies }];
  const inline = Array.isArray(p.inlinePolicies) ? p.inlinePolicies : [];
  return inline.map((e, i) => ({
    field: `inlinePolicies[${i}].policy`,
    doc: isObj(e) ? e.policy : e,
  }));
}

/** Runs `judge` on every statement of every identity document; reports what cannot be read. */
function eachStatement(
  args: ResourceValidationArgs,
  report: ReportViolation,
  judge: (s: Statement, where: string) => void,
): void {
  for (const { field, doc } of identityDocuments(args)) {
    const where = `\`${field}\` of ${short(args.type)} "${args.name}"`;
    const parsed = parsePolicyDocument(doc);
    if (parsed.state === "unknown") report(unknownAtPreview(where, LITERAL_FIX));
    else if (parsed.state === "invalid")
      report(`${where} cannot be read: ${parsed.why}. Fix: pass a JSON policy document.`);
    else if (parsed.state === "ok")
      for (const s of parsed.statements) judge(s, `${stmtLabel(s)} of ${where}`);
  }
}

/** Reports a statement whose effect or actions are unknown; true when it did. */
function unknownGrant(s: Statement, where: string, report: ReportViolation): boolean {
  const actions = [...(s.action ?? []), ...(s.notAction ?? [])];
  const res = [...(s.resource ?? []), ...(s.notResource ?? [])];
  const wild = (s.action ?? []).some(hasWildcard) || s.notAction !== undefined;
  if (isUnknown(s.effect) || actions.some(isUnknown) || (wild && res.some(isUnknown))) {
    report(unknownAtPreview(`${where} (its Effect, Action or Resource)`, LITERAL_FIX));
    return true;
  }
  return false;
}

interface WildcardConfig {
  deniedManagedPolicies: string[];
}

export const iamNoWildcardPermissions: ResourceValidationPolicy = {
  name: "iam-no-wildcard-permissions",
  description:
    'IAM policies grant no `Action: "*"`, no Allow with NotAction on every resource, no wildcard action on `Resource: "*"`, and no administrator managed policy.',
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      deniedManagedPolicies: {
        type: "array",
        items: { type: "string" },
        default: ADMIN_MANAGED_POLICIES,
        description: "AWS managed policy names refused on any role, user or group.",
      },
    },
  },
  validateResource: (args, report) => {
    const cfg = configOf<WildcardConfig>(args, { deniedManagedPolicies: ADMIN_MANAGED_POLICIES });
    eachStatement(args, report, (s, where) => {
      if (s.effect !== "Allow" && !isUnknown(s.effect)) return;
      if (unknownGrant(s, where, report)) return;
      const star = (s.action ?? []).find((a) => !isUnknown(a) && allActionsPattern(a));
      if (star !== undefined) {
        report(
          `${where} allows \`Action: "${star}"\`: every action of every AWS service, administrator access. Fix: list the actions the principal calls (e.g. "s3:GetObject") on the ARNs it needs.`,
        );
      } else if (s.notAction && onAllResources(s)) {
        report(
          `${where} uses Allow with \`NotAction\` ${JSON.stringify(s.notAction)} on every resource: it grants every other action of every service, including ones AWS adds later. Fix: replace NotAction with an explicit \`Action\` list.`,
        );
      } else if (onAllResources(s)) {
        const wild = (s.action ?? []).filter(hasWildcard);
        const every = (s.resource ?? []).filter((r) => !isUnknown(r) && allResourcesPattern(r));
        const on =
          every.length > 0
            ? `\`Resource: ${every.map((r) => JSON.stringify(r)).join(", ")}\``
            : "`NotResource`";
        if (wild.length > 0) {
          report(
            `${where} allows wildcard action(s) ${JSON.stringify(wild)} on ${on}: every matching action on every resource in the account. Fix: name the actions exactly and scope \`Resource\` to the ARNs they act on.`,
          );
        }
      }
    });
    const p = raw(args.props);
    // Inputs (Analyze): a list field absent here was left unset by the program; one that is
    // wholly unknown was set from another resource's output and may hide a literal admin ARN
    // (pulumi.all([policy.arn, "arn:aws:iam::aws:policy/AdministratorAccess"])): report it.
    const listField = EXCLUSIVE_ATTACHMENTS.includes(args.type)
      ? "policyArns"
      : args.type === IAM_ROLE
        ? "managedPolicyArns"
        : undefined;
    const arns: { field: string; arn: unknown }[] = [];
    if (ATTACHMENTS.includes(args.type)) arns.push({ field: "policyArn", arn: p.policyArn });
    else if (listField !== undefined && isUnknown(p[listField])) {
      report(
        unknownAtPreview(
          `\`${listField}\` of ${short(args.type)} "${args.name}"`,
          "pass a literal list whose elements are literal AWS managed policy ARNs or the `arn` of a Policy declared in the program",
        ),
      );
    } else if (listField !== undefined && Array.isArray(p[listField])) {
      (p[listField] as unknown[]).forEach((arn, i) =>
        arns.push({ field: `${listField}[${i}]`, arn }),
      );
    }
    for (const { field, arn } of arns) {
      // Unknown at preview: judged by where it comes from (unknown-value-provenance, lib/provenance.ts).
      if (typeof arn !== "string" || isUnknown(arn)) continue;
      const name = awsManagedPolicyName(arn);
      if (name !== undefined && cfg.deniedManagedPolicies.includes(name)) {
        report(
          `\`${field}\` of ${short(args.type)} "${args.name}" attaches the AWS managed policy ${name}, administrator-equivalent access. Fix: attach a customer policy listing only the actions needed.`,
        );
      }
    }
  },
};

export const iamNoPassroleWildcard: ResourceValidationPolicy = {
  name: "iam-no-passrole-wildcard",
  description: "IAM policies allow `iam:PassRole` only on named role ARNs, never on every role.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    eachStatement(args, report, (s, where) => {
      if (isUnknown(s.effect) || [...(s.action ?? []), ...(s.notAction ?? [])].some(isUnknown))
        return; // Reported by iam-no-wildcard-permissions.
      if (!grantsAction(s, "iam:PassRole")) return;
      const res = s.resource ?? [];
      // Analyze carries no dependencies, so an unknown Resource cannot be shown to be one
      // Role's `arn` (lib/unknown.ts, point 1): report it rather than pass it.
      if (res.some(isUnknown)) {
        return report(
          unknownAtPreview(
            `\`Resource\` of ${where} (granting iam:PassRole)`,
            "write the role ARNs as literals (arn:aws:iam::<account>:role/<name>, known at preview when the role's `name` is set)",
          ),
        );
      }
      const everyRole = res.filter(allRolesPattern);
      if (everyRole.length > 0 || s.notResource !== undefined) {
        report(
          `${where} allows \`iam:PassRole\` on ${everyRole.length > 0 ? JSON.stringify(everyRole) : "`NotResource`"}: the principal can hand any role, an admin one too, to a service it controls and act with its permissions. Fix: list the role ARNs it passes and add \`Condition: { StringEquals: { "iam:PassedToService": "<service>.amazonaws.com" } }\`.`,
        );
      }
    });
  },
};

/** Identifiers of principal kinds that name AWS principals ("*", accounts, roles, users). */
function awsPrincipals(s: Statement): string[] {
  return principals(s.principal).AWS ?? [];
}

/**
 * A web-identity (OIDC) principal must pin the token's subject, or every identity the provider
 * issues tokens for can assume the role: for GitHub Actions, any repository of anyone ("If you do
 * not include this condition, then GitHub Actions from organizations or repositories outside of
 * your control are able to assume roles", IAM User Guide, id_roles_create_for-idp_oidc.html;
 * IAM Access Analyzer's "Missing github repo condition key"). The key is `<provider>:sub`, the
 * provider's URL without `https://`, path included (EKS: `oidc.eks.<region>.amazonaws.com/id/<ID>:sub`).
 * Conditions are ANDed, so one operator block that pins is enough. A GitHub value pins when it
 * is literal, or when the text before its first wildcard names an owner (`repo:acme/*`) or a
 * claim's literal value (`repository_owner_id:1234:*`), not `*` or `repo:*`; another provider's
 * value pins unless it is wildcards only (`system:serviceaccount:prod:*` keeps one namespace).
 * A provider ARN unknown at preview (`Federated: provider.arn`) is accepted when some literal
 * `…:sub` condition pins, and reported otherwise. SAML and Cognito principals are not judged.
 */
const SUB_OPERATORS = [
  "StringEquals",
  "StringLike",
  "ForAnyValue:StringEquals",
  "ForAnyValue:StringLike",
];
const GITHUB = "token.actions.githubusercontent.com";

function subValuePins(v: string, github: boolean): boolean {
  if (v === "" || isUnknown(v)) return false;
  if (!hasWildcard(v)) return true;
  const head = v.split(/[*?]/)[0] ?? "";
  return github ? head.includes("/") || /^[^:]+:[^:]+:/.test(head) : head !== "";
}

/** Whether a condition on `<host>:sub` (any `…:sub` when host is unknown) pins the subject. */
function subjectPinned(s: Statement, host: string | undefined): Guard {
  let unknown = s.conditionUnknown;
  for (const [op, block] of Object.entries(s.condition ?? {})) {
    if (!SUB_OPERATORS.includes(op) || !isObj(block)) continue;
    for (const [k, v] of Object.entries(block)) {
      const key = k.toLowerCase();
      if (host !== undefined ? key !== `${host}:sub`.toLowerCase() : !key.endsWith(":sub"))
        continue;
      const vals = (Array.isArray(v) ? v : [v]).map((x) => String(x));
      if (vals.some(isUnknown)) unknown = true;
      else if (vals.length > 0 && vals.every((x) => subValuePins(x, key.startsWith(GITHUB))))
        return "yes";
    }
  }
  return unknown ? "unknown" : "no";
}

function oidcSubjectProblem(s: Statement): string | undefined | "unknown" {
  const federated = isUnknown(s.principal) ? [] : (principals(s.principal).Federated ?? []);
  for (const f of federated) {
    const marker = ":oidc-provider/";
    if (!isUnknown(f) && !f.includes(marker)) continue; // SAML, Cognito: not judged
    const host = isUnknown(f) ? undefined : f.slice(f.indexOf(marker) + marker.length);
    const pinned = subjectPinned(s, host);
    if (pinned === "unknown" || (pinned === "no" && host === undefined)) return "unknown";
    if (pinned === "no") {
      return `trusts the OIDC provider ${host} with no condition pinning \`${host}:sub\`: every identity it issues tokens for (for GitHub, any repository) can assume the role. Fix: add \`StringLike: { "${host}:sub": "repo:<owner>/<repo>:ref:refs/heads/main" }\` for GitHub, or the service account (\`system:serviceaccount:<namespace>:<name>\`) for EKS.`;
    }
  }
  return undefined;
}

interface TrustConfig {
  trustedAccountIds: string[];
}

export const iamTrustPolicyRestricted: ResourceValidationPolicy = {
  name: "iam-trust-policy-restricted",
  description:
    'Role trust policies let no `"*"` principal assume the role unrestricted, and another account only with an sts:ExternalId or MFA condition.',
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      trustedAccountIds: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "The stack's own account ids (and others trusted like it): their principals need no ExternalId/MFA.",
      },
    },
  },
  validateResource: (args, report) => {
    if (args.type !== IAM_ROLE) return;
    const cfg = configOf<TrustConfig>(args, { trustedAccountIds: [] });
    const where = `\`assumeRolePolicy\` of Role "${args.name}"`;
    const parsed = parsePolicyDocument(raw(args.props).assumeRolePolicy);
    if (parsed.state === "unknown") return report(unknownAtPreview(where, LITERAL_FIX));
    if (parsed.state === "invalid")
      return report(`${where} cannot be read: ${parsed.why}. Fix: pass a JSON trust policy.`);
    if (parsed.state !== "ok") return;
    for (const s of parsed.statements) {
      const at = `${stmtLabel(s)} of ${where}`;
      if (s.effect !== "Allow" && !isUnknown(s.effect)) continue;
      if (s.notPrincipal !== undefined) {
        report(
          `${at} uses Allow with \`NotPrincipal\`: every principal not listed, in any account, may assume the role. Fix: name the trusted principals in \`Principal\`.`,
        );
        continue;
      }
      const aws = awsPrincipals(s);
      if (isUnknown(s.effect) || isUnknown(s.principal) || aws.some(isUnknown)) {
        report(unknownAtPreview(`${at} (its Effect or Principal)`, LITERAL_FIX));
        continue;
      }
      const pinned = aws.includes("*") ? principalRestriction(s) : "yes";
      if (pinned === "unknown") {
        report(unknownAtPreview(`${at} (its Condition)`, LITERAL_FIX));
        continue;
      }
      if (pinned === "no") {
        report(
          `${at} trusts \`Principal: ${JSON.stringify(s.principal)}\` without a condition pinning the caller: any AWS account can assume the role. Fix: name the account or role ARN in \`Principal\`, or add a condition on aws:PrincipalOrgID / aws:PrincipalAccount / aws:PrincipalArn.`,
        );
        continue;
      }
      const oidc = oidcSubjectProblem(s);
      if (oidc === "unknown") report(unknownAtPreview(`${at} (its Condition)`, LITERAL_FIX));
      else if (oidc !== undefined) report(`${at} ${oidc}`);
      const named = [
        ...aws.map((a) => principalAccount(a)),
        ...(aws.includes("*") ? pinnedAccounts(s) : []),
      ];
      const foreign = named.filter(
        (a): a is string => a !== undefined && !cfg.trustedAccountIds.includes(a),
      );
      const guard = foreign.length > 0 ? externalIdOrMfa(s) : "yes";
      if (guard === "unknown") report(unknownAtPreview(`${at} (its Condition)`, LITERAL_FIX));
      else if (guard === "no") {
        report(
          `${at} lets account(s) ${[...new Set(foreign)].join(", ")} assume the role without an \`sts:ExternalId\` or MFA condition, the confused-deputy guard. Fix: add \`Condition: { StringEquals: { "sts:ExternalId": "<id agreed with the other party>" } }\` (or \`Bool: { "aws:MultiFactorAuthPresent": "true" }\` for people), or list the account in \`trustedAccountIds\` if it is the stack's own.`,
        );
      }
    }
  },
};

function emptyJsonObject(v: unknown): boolean {
  if (isObj(v)) return Object.keys(v).length === 0;
  if (typeof v !== "string" || isUnknown(v)) return false;
  try {
    const parsed: unknown = JSON.parse(v);
    return isObj(parsed) && Object.keys(parsed).length === 0;
  } catch {
    return false;
  }
}

export const secretsmanagerPolicyRestricted: ResourceValidationPolicy = {
  name: "secretsmanager-policy-restricted",
  description:
    'Secrets Manager resource policies grant no `Principal: "*"` (or NotPrincipal) without a condition pinning the caller.',
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    // A Secret's own `policy` input (@pulumi/aws secretsmanager/secret.d.ts) is the same
    // resource policy SecretPolicy sets.
    if (args.type !== SECRET_POLICY && args.type !== SECRET) return;
    const where = `\`policy\` of ${short(args.type)} "${args.name}"`;
    const policy = raw(args.props).policy;
    // "To delete the policy, set it to "{}" (an empty JSON document)": @pulumi/aws 7.x
    // secretsmanager/secret.d.ts, SecretArgs.policy.
    if (args.type === SECRET && emptyJsonObject(policy)) return;
    const parsed = parsePolicyDocument(policy);
    if (parsed.state === "unknown") return report(unknownAtPreview(where, LITERAL_FIX));
    if (parsed.state === "invalid")
      return report(`${where} cannot be read: ${parsed.why}. Fix: pass a JSON policy.`);
    if (parsed.state !== "ok") return;
    for (const s of parsed.statements) {
      const at = `${stmtLabel(s)} of ${where}`;
      if (s.effect !== "Allow" && !isUnknown(s.effect)) continue;
      const aws = awsPrincipals(s);
      const pinned = aws.includes("*") ? principalRestriction(s) : "yes";
      if (isUnknown(s.effect) || isUnknown(s.principal) || aws.some(isUnknown)) {
        report(unknownAtPreview(`${at} (its Effect or Principal)`, LITERAL_FIX));
      } else if (s.notPrincipal === undefined && pinned === "unknown") {
        report(unknownAtPreview(`${at} (its Condition)`, LITERAL_FIX));
      } else if (s.notPrincipal !== undefined || pinned === "no") {
        report(
          `${at} allows ${s.notPrincipal !== undefined ? "`NotPrincipal`" : `\`Principal: ${JSON.stringify(s.principal)}\``} with no condition pinning the caller: any AWS principal that can reach Secrets Manager may read the secret. Fix: name the role ARNs in \`Principal\`, or add \`Condition: { StringEquals: { "aws:PrincipalOrgID": "o-…" } }\` (or aws:PrincipalAccount / aws:SourceVpce), and set \`blockPublicPolicy: true\`.`,
        );
      }
    }
  },
};
