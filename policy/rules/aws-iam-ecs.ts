/**
 * The two roles of an ECS task (issue 22, class 2): the execution role, which the ECS agent uses
 * to pull the image, fetch the container's `secrets` and write its awslogs stream, and the task
 * role, which the application's AWS SDK gets. AWS docs, "Amazon ECS task execution IAM role"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html:
 * AmazonECSTaskExecutionRolePolicy; secretsmanager:GetSecretValue / ssm:GetParameters on the
 * referenced secrets and kms:Decrypt for a customer key) and "Amazon ECS task IAM role"
 * (task-iam-roles.html). A stack rule, because only AnalyzeStack shows which role a task
 * definition names and which RolePolicy/attachment grants it what (lib/iam-roles.ts).
 *
 * Execution role: the AWS managed policy (`executionRoleManagedPolicies`), and inline
 * statements only for this task's own secrets (no wildcard but the `-??????` suffix Secrets
 * Manager adds), a KMS key, its own log groups, and ECR pulls (`ecr:GetAuthorizationToken`
 * takes only `Resource: "*"`: Service Authorization Reference, "Actions, resources, and
 * condition keys for Amazon Elastic Container Registry", list_amazonelasticcontainerregistry.html).
 * Task role: nothing but `taskRoleAllowedActions` and `taskRoleManagedPolicies` from config.
 * A role outside the stack (a literal ARN no Role here has) cannot be read and is not judged.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { parseContainerDefinitions } from "../lib/ecs";
import {
  awsManagedPolicyName,
  globMatch,
  hasWildcard,
  parsePolicyDocument,
  pinValues,
  principalRestriction,
  principals,
  Statement,
} from "../lib/iam";
import { sourcesOf } from "../lib/provenance";
import { goParseBool } from "../lib/security-opts";
import { SECRET, SECRET_POLICY } from "../lib/types";
import { grantsOf, isTaskDefinition, roleOf } from "../lib/iam-roles";
import { isUnknown, raw } from "../lib/unknown";
import { isObj } from "../lib/obj";

const EXEC_MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

interface Config {
  taskRoleAllowedActions: string[];
  taskRoleManagedPolicies: string[];
  executionRoleManagedPolicies: string[];
}

const defaults: Config = {
  taskRoleAllowedActions: [],
  taskRoleManagedPolicies: [],
  executionRoleManagedPolicies: [EXEC_MANAGED],
};

/**
 * What the task's containers make the agent fetch: `secrets[].valueFrom` and the private
 * registry's `repositoryCredentials.credentialsParameter` (secretsmanager:GetSecretValue, ECS
 * guide "Private registry authentication", private-auth.html), awslogs groups (and those it
 * creates, `awslogs-create-group`: logs:CreateLogGroup, using_awslogs.html), and S3
 * `environmentFiles` (s3:GetObject on the object, s3:GetBucketLocation on its bucket,
 * taskdef-envfiles.html).
 */
interface TaskNeeds {
  readonly known: boolean;
  readonly secrets: string[];
  readonly logGroups: string[];
  readonly createdLogGroups: string[];
  readonly envFiles: string[];
}

function needsOf(td: PolicyResource): TaskNeeds {
  const needs: TaskNeeds = {
    known: false,
    secrets: [],
    logGroups: [],
    createdLogGroups: [],
    envFiles: [],
  };
  const parsed = parseContainerDefinitions(raw(td.props).containerDefinitions);
  if (parsed.state !== "known") return needs;
  for (const { def } of parsed.containers) {
    for (const s of Array.isArray(def.secrets) ? def.secrets : []) {
      if (isObj(s) && typeof s.valueFrom === "string") needs.secrets.push(s.valueFrom);
    }
    const creds = isObj(def.repositoryCredentials) ? def.repositoryCredentials : {};
    if (typeof creds.credentialsParameter === "string")
      needs.secrets.push(creds.credentialsParameter);
    for (const f of Array.isArray(def.environmentFiles) ? def.environmentFiles : []) {
      if (isObj(f) && f.type === "s3" && typeof f.value === "string") needs.envFiles.push(f.value);
    }
    const log = isObj(def.logConfiguration) ? def.logConfiguration : {};
    const options = isObj(log.options) ? log.options : {};
    const group = options["awslogs-group"];
    if (typeof group === "string") {
      needs.logGroups.push(group);
      // The awslogs driver reads it with strconv.ParseBool (moby cloudwatchlogs.go `New`).
      if (goParseBool(options["awslogs-create-group"]) === true) needs.createdLogGroups.push(group);
    }
  }
  return { ...needs, known: true };
}

/** The secret ARN a valueFrom names, without a JSON key/version (`…:secret:name:key::`). */
const secretBase = (v: string): string => v.split(":").slice(0, 7).join(":");

/**
 * `resource` names only secrets the task references: exactly, or with the `-??????` that
 * stands for the six characters Secrets Manager appends (Secrets Manager User Guide,
 * auth-and-access_examples.html). No other wildcard: `secret:????????????????????` matches
 * every secret whose name has that length.
 */
function ownSecret(resource: string, needs: TaskNeeds): boolean {
  if (hasWildcard(resource.replace(/-\?{6}$/, ""))) return false;
  if (!needs.known) return true;
  return needs.secrets.some((v) => {
    const base = v.startsWith("arn:") ? secretBase(v) : v;
    return (
      globMatch(resource, base, false) ||
      globMatch(resource, `${base}-XXXXXX`, false) ||
      (resource.startsWith(`${base}-`) && resource.length === base.length + 7) ||
      resource.endsWith(`:parameter/${base.replace(/^\//, "")}`)
    );
  });
}

function ownLogGroup(resource: string, groups: readonly string[], known: boolean): boolean {
  const group = /:log-group:([^:]+)(?::|$)/.exec(resource)?.[1];
  if (group === undefined || hasWildcard(group)) return false;
  return !known || groups.includes(group);
}

/** An S3 object the task's environmentFiles name, or (for `bucket`) that object's bucket. */
function ownEnvFile(resource: string, needs: TaskNeeds, bucket: boolean): boolean {
  if (hasWildcard(resource)) return false;
  if (!needs.known) return true;
  return needs.envFiles.some((f) => (bucket ? resource === f.split("/")[0] : resource === f));
}

const ECR_PULL = [
  "ecr:batchchecklayeravailability",
  "ecr:getdownloadurlforlayer",
  "ecr:batchgetimage",
];

/** Why an execution-role action on `resources` exceeds what the agent needs, or undefined. */
function execExcess(
  action: string,
  resources: readonly string[],
  needs: TaskNeeds,
): string | undefined {
  const a = action.toLowerCase();
  const bad = (ok: (r: string) => boolean) => {
    const off = resources.filter((r) => !ok(r));
    return off.length > 0 ? `\`${action}\` on ${JSON.stringify(off)}` : undefined;
  };
  if (hasWildcard(a)) return `the wildcard action \`${action}\``;
  if (a === "secretsmanager:getsecretvalue" || a === "ssm:getparameters")
    return bad((r) => ownSecret(r, needs));
  if (a === "kms:decrypt")
    return bad((r) => /^arn:aws[a-z-]*:kms:[^:]+:\d{12}:key\/[^*?]+$/.test(r));
  if (a === "logs:createlogstream" || a === "logs:putlogevents")
    return bad((r) => ownLogGroup(r, needs.logGroups, needs.known));
  if (a === "logs:createloggroup")
    return bad((r) => ownLogGroup(r, needs.createdLogGroups, needs.known));
  if (a === "s3:getobject") return bad((r) => ownEnvFile(r, needs, false));
  if (a === "s3:getbucketlocation") return bad((r) => ownEnvFile(r, needs, true));
  if (a === "ecr:getauthorizationtoken" || ECR_PULL.includes(a)) return undefined;
  return `\`${action}\`, which this task definition does not need the agent to call`;
}

/**
 * Whether a `Principal: "*"` statement grants a role specifically: with no condition pinning the
 * caller, or with an aws:PrincipalArn value that matches the role's ARN (ArnEquals/ArnLike
 * wildcards included). A pin to an organization or an account shares the secret broadly; that
 * decision is secretsmanager-policy-restricted's, and it is not counted as the task role's grant.
 */
function starReaches(s: Statement, roleArn: unknown): boolean {
  const arns = pinValues(s, "aws:principalarn");
  if (arns !== undefined) {
    return arns.some(
      (p) =>
        isUnknown(p) ||
        typeof roleArn !== "string" ||
        isUnknown(roleArn) ||
        globMatch(p, roleArn, false),
    );
  }
  return principalRestriction(s) !== "yes";
}

/**
 * Statements of Secrets Manager resource policies (SecretPolicy, Secret.policy) whose principal
 * is `role`: by its known ARN, or, unknown at preview, by a dependency on it. In the same account
 * "if an action is allowed by an identity-based policy, a resource-based policy, or both, then
 * AWS allows the action" (IAM User Guide, reference_policies_evaluation-logic.html), so for the
 * task role these are grants like any other, and so is a `"*"` principal its conditions do not
 * keep from the role (starReaches). Other resource-policy types are not gathered.
 */
function resourcePolicyGrants(
  role: PolicyResource,
  all: readonly PolicyResource[],
): { s: Statement; where: string }[] {
  const arn = raw(role.props).arn;
  const out: { s: Statement; where: string }[] = [];
  for (const r of all) {
    if (r.type !== SECRET_POLICY && r.type !== SECRET) continue;
    const parsed = parsePolicyDocument(raw(r.props).policy);
    if (parsed.state !== "ok") continue;
    const dependsOnRole = () => sourcesOf(r, "policy", all).some((d) => d.urn === role.urn);
    for (const s of parsed.statements) {
      if (s.effect !== "Allow") continue;
      const aws = principals(s.principal).AWS ?? [];
      const names = aws.some((a) =>
        isUnknown(a)
          ? dependsOnRole()
          : a === "*"
            ? starReaches(s, arn)
            : typeof arn === "string" && !isUnknown(arn) && a.toLowerCase() === arn.toLowerCase(),
      );
      if (names) out.push({ s, where: `\`policy\` of ${r.type.split(":").pop()} "${r.name}"` });
    }
  }
  return out;
}

const managedMatches = (arn: string, allowed: readonly string[]): boolean =>
  allowed.some((x) => x === arn || x === awsManagedPolicyName(arn));

function judgeStatement(
  s: Statement,
  kind: "execution" | "task",
  needs: TaskNeeds,
  cfg: Config,
): string[] {
  if (s.notAction) return ["Allow with `NotAction`, which grants every other action"];
  if (isUnknown(s.effect) || (s.action ?? []).some(isUnknown))
    return ["an Effect or Action unknown at preview"];
  const actions = s.action ?? [];
  if (kind === "task") {
    const allowed = cfg.taskRoleAllowedActions.map((x) => x.toLowerCase());
    const extra = actions.filter((x) => !allowed.includes(x.toLowerCase()));
    return extra.length > 0
      ? [
          `${JSON.stringify(extra)}, not in \`taskRoleAllowedActions\` (${JSON.stringify(cfg.taskRoleAllowedActions)})`,
        ]
      : [];
  }
  const resources = s.notResource ? ["NotResource"] : (s.resource ?? []);
  if (resources.some(isUnknown)) return ["a Resource unknown at preview"];
  return actions.map((x) => execExcess(x, resources, needs)).filter((m) => m !== undefined);
}

export const ecsTaskRolesLeastPrivilege: StackValidationPolicy = {
  name: "ecs-task-roles-least-privilege",
  description:
    "An ECS task's execution role reads only its own secrets, key and log group, and its task role grants only the actions config allows.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      taskRoleAllowedActions: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: 'Actions a task role may allow, e.g. ["s3:GetObject"]; none by default.',
      },
      taskRoleManagedPolicies: { type: "array", items: { type: "string" }, default: [] },
      executionRoleManagedPolicies: {
        type: "array",
        items: { type: "string" },
        default: [EXEC_MANAGED],
      },
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf(args, defaults);
    for (const td of args.resources.filter(isTaskDefinition)) {
      const needs = needsOf(td);
      for (const [field, kind] of [
        ["executionRoleArn", "execution"],
        ["taskRoleArn", "task"],
      ] as const) {
        const link = roleOf(td, field, args.resources);
        if (link === undefined || "outside" in link) continue;
        if ("problem" in link) {
          report(link.problem, td.urn);
          continue;
        }
        const role = link.role;
        const head = `The ${kind} role "${role.name}" of TaskDefinition "${td.name}"`;
        const g = grantsOf(role, args.resources);
        g.problems.forEach((m) => report(`${head}: ${m}`, role.urn));
        const allowedManaged =
          kind === "task" ? cfg.taskRoleManagedPolicies : cfg.executionRoleManagedPolicies;
        for (const m of g.managed) {
          if (!managedMatches(m.arn, allowedManaged)) {
            report(
              `${head} gets the managed policy ${m.arn} through ${m.where}, more than the task needs. Fix: detach it${kind === "task" ? "; list what the app calls in `taskRoleAllowedActions` and grant exactly that inline" : ` (only ${JSON.stringify(allowedManaged)} is needed)`}.`,
              role.urn,
            );
          }
        }
        const messages = new Set<string>();
        const granted =
          kind === "task"
            ? [...g.statements, ...resourcePolicyGrants(role, args.resources)]
            : g.statements;
        for (const { s, where } of granted) {
          for (const why of judgeStatement(s, kind, needs, cfg)) {
            messages.add(
              kind === "task"
                ? `${head} allows ${why} in Statement[${s.index}] of ${where}. Fix: remove it, or add the actions the app calls to \`taskRoleAllowedActions\` in policy/config/<env>.json.`
                : `${head} allows ${why} in Statement[${s.index}] of ${where}: the execution role only pulls the image, reads the task's own secrets (${needs.known ? JSON.stringify(needs.secrets) : "unknown"}) and writes its log group. Fix: grant secretsmanager:GetSecretValue on those secrets' ARNs (or partial ARN + "-??????"), kms:Decrypt on their key, and keep the rest in AmazonECSTaskExecutionRolePolicy.`,
            );
          }
        }
        messages.forEach((m) => report(m, role.urn));
      }
    }
  },
};
