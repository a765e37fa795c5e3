/**
 * What an IAM role of the stack may do, gathered from the identity policies that grant it
 * something (AnalyzeStack, outputs): its own `inlinePolicies` and `managedPolicyArns`, RolePolicy resources
 * and RolePolicyAttachments whose `role` names it (by name/id/ARN, or, unknown at preview, by
 * the propertyDependencies lib/ecs-stack.ts also follows), and the documents of customer
 * Policies of the stack those attachments name. And the role an ECS task definition runs as.
 * Resource-based policies that name the role (a SecretPolicy, a bucket policy) also grant it
 * access in the same account (IAM User Guide, reference_policies_evaluation-logic.html) and
 * are not gathered here; docs/policies.md says so.
 */
import { PolicyResource } from "@pulumi/policy";
import { parsePolicyDocument, Statement } from "./iam";
import { sourcesOf } from "./provenance";
import {
  ECS_TASK_DEFINITION,
  IAM_POLICY,
  IAM_POLICY_ATTACHMENT,
  IAM_ROLE,
  IAM_ROLE_POLICY,
  IAM_ROLE_POLICY_ATTACHMENT,
  IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
} from "./types";
import { isUnknown, raw, unknownAtPreview } from "./unknown";
import { isObj } from "./obj";

export interface Grants {
  /** Allow statements, each with where it comes from for messages. */
  readonly statements: { readonly s: Statement; readonly where: string }[];
  /** Managed policy ARNs attached (AWS managed, or customer ones not in the stack). */
  readonly managed: { readonly arn: string; readonly where: string }[];
  /** What could not be read (unknown at preview, unparseable): reported, never passed. */
  readonly problems: string[];
  /** The stack Policies whose documents are in `statements`, each added once. */
  readonly policyUrns: Set<string>;
}

const LITERAL_FIX =
  "build the policy with literal structure (JSON.stringify/pulumi.jsonStringify of literal Effect, Action and known Resource strings); for secrets use their partial ARN plus `-??????`, which is known at preview";

/** Does `r`'s field `field` refer to `role` (a name, id or ARN; or a dependency)? */
function refersTo(
  r: PolicyResource,
  field: string,
  role: PolicyResource,
  all: readonly PolicyResource[],
) {
  const v = raw(r.props)[field];
  const rp = raw(role.props);
  // Role names are "not distinguished by case" (IAM User Guide, reference_iam-quotas.html), so
  // a reference in another case is taken to name the role: the strict side.
  const names = (x: unknown) =>
    typeof x === "string" &&
    !isUnknown(x) &&
    [rp.name, rp.id, rp.arn].some(
      (n) => typeof n === "string" && !isUnknown(n) && n.toLowerCase() === x.toLowerCase(),
    );
  // PolicyAttachment.roles is a list: any known element naming the role, or an unknown one
  // whose dependency is the role.
  const vals = Array.isArray(v) ? v : [v];
  if (vals.some(names)) return true;
  if (vals.every((x) => typeof x === "string" && !isUnknown(x))) return false;
  return sourcesOf(r, field, all).some((d) => d.urn === role.urn);
}

function addDocument(out: Grants, doc: unknown, where: string): void {
  const parsed = parsePolicyDocument(doc);
  if (parsed.state === "unknown") out.problems.push(unknownAtPreview(where, LITERAL_FIX));
  else if (parsed.state === "invalid") out.problems.push(`${where} cannot be read: ${parsed.why}`);
  else if (parsed.state === "ok") {
    for (const s of parsed.statements) {
      if (s.effect === "Allow" || isUnknown(s.effect)) out.statements.push({ s, where });
    }
  }
}

/**
 * The customer Policies of the stack an ARN names: by the ARN when it is known, whether or not
 * an attachment names it (after a refresh the provider reads every attached policy back into
 * the role's `managedPolicyArns`: terraform-provider-aws internal/service/iam/role.go, Read,
 * `d.Set("managed_policy_arns", ...)`), else by the dependencies of the attachment's field.
 */
function stackPolicies(
  arn: unknown,
  att: { readonly r: PolicyResource; readonly field: string } | undefined,
  all: readonly PolicyResource[],
): PolicyResource[] {
  if (typeof arn === "string" && !isUnknown(arn)) {
    const byArn = all.filter((r) => r.type === IAM_POLICY && raw(r.props).arn === arn);
    if (byArn.length > 0) return byArn;
    // At a first preview a Policy's own `arn` is unknown while a program may already write its
    // ARN from the account id and the Policy's name: `arn:aws:iam::<account>:policy<path><name>`
    // (IAM User Guide, reference_identifiers.html; `path` defaults to "/").
    return all.filter((r) => {
      if (r.type !== IAM_POLICY) return false;
      const p = raw(r.props);
      const path = typeof p.path === "string" && !isUnknown(p.path) ? p.path : "/";
      return (
        isUnknown(p.arn) &&
        typeof p.name === "string" &&
        !isUnknown(p.name) &&
        arn.endsWith(`:policy${path}${p.name}`)
      );
    });
  }
  return att ? sourcesOf(att.r, att.field, all).filter((r) => r.type === IAM_POLICY) : [];
}

function addManaged(
  out: Grants,
  arn: unknown,
  where: string,
  att: { readonly r: PolicyResource; readonly field: string } | undefined,
  all: readonly PolicyResource[],
): void {
  const policies = stackPolicies(arn, att, all);
  if (policies.length > 0) {
    for (const policy of policies) {
      if (out.policyUrns.has(policy.urn)) continue;
      out.policyUrns.add(policy.urn);
      addDocument(
        out,
        raw(policy.props).policy,
        `\`policy\` of Policy "${policy.name}" (via ${where})`,
      );
    }
  } else if (typeof arn === "string" && !isUnknown(arn)) {
    out.managed.push({ arn, where });
  } else {
    out.problems.push(
      unknownAtPreview(
        where,
        "attach a Policy declared in the program, or a literal AWS managed policy ARN",
      ),
    );
  }
}

/** Everything that grants `role` permissions in this stack. */
export function grantsOf(role: PolicyResource, all: readonly PolicyResource[]): Grants {
  const out: Grants = { statements: [], managed: [], problems: [], policyUrns: new Set() };
  const p = raw(role.props);
  const label = `Role "${role.name}"`;
  // Wholly unknown in a preview's outputs: the provider computing what the program left unset
  // (inline policies then come from RolePolicy resources, judged below).
  if (Array.isArray(p.inlinePolicies)) {
    p.inlinePolicies.forEach((e, i) => {
      if (isObj(e) && (e.policy === undefined || e.policy === "")) return; // `{}` clears them.
      addDocument(out, isObj(e) ? e.policy : e, `\`inlinePolicies[${i}].policy\` of ${label}`);
    });
  }
  for (const r of all) {
    if (r.type === IAM_ROLE_POLICY && refersTo(r, "role", role, all)) {
      addDocument(out, raw(r.props).policy, `\`policy\` of RolePolicy "${r.name}"`);
    } else if (
      (r.type === IAM_ROLE_POLICY_ATTACHMENT && refersTo(r, "role", role, all)) ||
      (r.type === IAM_POLICY_ATTACHMENT && refersTo(r, "roles", role, all))
    ) {
      const kind = r.type === IAM_POLICY_ATTACHMENT ? "PolicyAttachment" : "RolePolicyAttachment";
      const where = `\`policyArn\` of ${kind} "${r.name}"`;
      addManaged(out, raw(r.props).policyArn, where, { r, field: "policyArn" }, all);
    } else if (
      r.type === IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE &&
      refersTo(r, "roleName", role, all)
    ) {
      const arns = raw(r.props).policyArns;
      const label = `RolePolicyAttachmentsExclusive "${r.name}"`;
      const att = { r, field: "policyArns" };
      if (Array.isArray(arns)) {
        arns.forEach((arn, i) =>
          addManaged(out, arn, `\`policyArns[${i}]\` of ${label}`, att, all),
        );
      } else if (arns !== undefined && arns !== null) {
        addManaged(out, arns, `\`policyArns\` of ${label}`, att, all);
      }
    }
  }
  // Last, so that a grant the attachments already showed is named by its attachment.
  if (Array.isArray(p.managedPolicyArns)) {
    p.managedPolicyArns.forEach((arn, i) =>
      addManaged(out, arn, `\`managedPolicyArns[${i}]\` of ${label}`, undefined, all),
    );
  }
  // The provider reads attached and inline policies back into the role's outputs: one grant
  // may be seen twice, so keep each managed ARN, and each stack Policy's document, once.
  const seen = new Set<string>();
  out.managed.splice(
    0,
    out.managed.length,
    ...out.managed.filter((m) => (seen.has(m.arn) ? false : (seen.add(m.arn), true))),
  );
  return out;
}

export type RoleLink =
  | { readonly role: PolicyResource }
  | { readonly outside: string }
  | { readonly problem: string }
  | undefined;

/** The role a task definition's `executionRoleArn` / `taskRoleArn` names. */
export function roleOf(
  td: PolicyResource,
  field: "executionRoleArn" | "taskRoleArn",
  all: readonly PolicyResource[],
): RoleLink {
  const ref = raw(td.props)[field];
  if (ref === undefined || ref === null || ref === "") return undefined;
  const label = `\`${field}\` of TaskDefinition "${td.name}"`;
  if (typeof ref === "string" && !isUnknown(ref)) {
    const name = /:role\/(?:.*\/)?([^/]+)$/.exec(ref)?.[1];
    const hit = all.filter((r) => {
      if (r.type !== IAM_ROLE) return false;
      const rp = raw(r.props);
      return rp.arn === ref || (name !== undefined && rp.name === name);
    });
    return hit.length === 1 ? { role: hit[0]! } : { outside: ref };
  }
  const sources = sourcesOf(td, field, all).filter((r) => r.type === IAM_ROLE);
  if (sources.length === 1) return { role: sources[0]! };
  return {
    problem: unknownAtPreview(
      label,
      "pass the `arn` of one Role declared in the program, so its dependency shows which role it is",
    ),
  };
}

export const isTaskDefinition = (r: PolicyResource): boolean => r.type === ECS_TASK_DEFINITION;
