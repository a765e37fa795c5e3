/**
 * The good IAM stacks (issue 22, classes 2 and 3) every bad case in aws-iam.ts is one setting
 * away from, and the helpers those cases are written with. The good stack is the
 * ECS stack of ecs-base.ts with the roles our EcsService creates (an execution role with
 * AmazonECSTaskExecutionRolePolicy and GetSecretValue on its own secrets, an empty task role), a
 * CI deploy policy, a third party's audit role behind sts:ExternalId, and a secret shared with
 * one role. Each bad case changes one setting of a good variant, named in `twin`;
 * test/policy/rules/aws-iam.test.ts checks that every twin is a good case and differs in one
 * resource. Sources for each belief are in policy/rules/aws-iam*.ts and policy/lib/iam*.ts.
 */
import { ResourceRecord, UNKNOWN } from "../../../gate";
import { res } from "./base";
import { ecsStack } from "./ecs-base";
import { BadCase, GoodCase } from "./types";

type Props = Record<string, unknown>;
type Mutate = (p: Props) => void;
export type Doc = { Version: string; Statement: Props[] };

export const I = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attach: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
} as const;

export const ACCT = "123456789012";
const OTHER = "210987654321";
const roleArn = (n: string) => `arn:aws:iam::${ACCT}:role/${n}`;
export const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCT}:secret:api-stack-prod`;
const KEY = `arn:aws:kms:eu-west-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const LOGS = `arn:aws:logs:eu-west-1:${ACCT}:log-group:/ecs/api-stack-prod/api`;
export const EXEC_MANAGED = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

export const doc = (...Statement: Props[]): Doc => ({ Version: "2012-10-17", Statement });

/** ECS may assume it, from this account only (confused-deputy guard for a service principal). */
const ecsTrust = () =>
  doc({
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": ACCT } },
  });

export interface IamOpts {
  /** First preview: role ARNs unknown, links carried by propertyDependencies. */
  readonly preview?: boolean;
  /** Pass documents as objects (the PolicyDocument input type) instead of JSON strings. */
  readonly objects?: boolean;
  readonly execRole?: Mutate;
  readonly execPolicy?: (d: Doc) => void;
  readonly taskRole?: Mutate;
  readonly deploy?: (d: Doc) => void;
  readonly deployProps?: Mutate;
  readonly audit?: Mutate;
  readonly auditTrust?: (d: Doc) => void;
  readonly secretPolicy?: (d: Doc) => void;
  readonly extra?: () => ResourceRecord[];
}

/** The good ECS + IAM stack, one setting changed by `opts`. */
export function iamStack(o: IamOpts = {}): ResourceRecord[] {
  const pv = o.preview;
  const enc = (d: Doc): unknown => (o.objects ? d : JSON.stringify(d));
  const execProps: Props = {
    name: "api-stack-prod-exec",
    arn: pv ? UNKNOWN : roleArn("api-stack-prod-exec"),
    assumeRolePolicy: enc(ecsTrust()),
  };
  o.execRole?.(execProps);
  const exec = res(I.role, "api-exec", execProps);
  const taskProps: Props = {
    name: "api-stack-prod-task",
    arn: pv ? UNKNOWN : roleArn("api-stack-prod-task"),
    assumeRolePolicy: enc(ecsTrust()),
  };
  o.taskRole?.(taskProps);
  const task = res(I.role, "api-task-role", taskProps);
  const link = (r: ResourceRecord) =>
    pv
      ? {
          role: UNKNOWN,
          deps: { dependencies: [r.urn], propertyDependencies: { role: [r.urn] } },
        }
      : { role: String(r.properties.name), deps: {} };
  const e = link(exec);
  const managed = res(
    I.attach,
    "api-exec-managed",
    { role: e.role, policyArn: EXEC_MANAGED },
    e.deps,
  );
  const execDoc = doc(
    {
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: ["redis-url", "redis-password", "secret-key"].map((s) => `${SECRET}/${s}-AbCdEf`),
    },
    { Effect: "Allow", Action: "kms:Decrypt", Resource: KEY },
  );
  o.execPolicy?.(execDoc);
  const execPolicy = res(
    I.rolePolicy,
    "api-exec-secrets",
    { role: e.role, policy: enc(execDoc) },
    e.deps,
  );

  const deployDoc = doc(
    { Sid: "Login", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "Push",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:UploadLayerPart"],
      Resource: `arn:aws:ecr:eu-west-1:${ACCT}:repository/api`,
    },
    {
      Sid: "Deploy",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: [roleArn("api-stack-prod-exec"), roleArn("api-stack-prod-task")],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
  );
  o.deploy?.(deployDoc);
  const deployProps: Props = { name: "api-stack-prod-deploy", policy: enc(deployDoc) };
  o.deployProps?.(deployProps);
  const deploy = res(I.policy, "deploy", deployProps);

  const auditTrust = doc({
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": "acme-audit-7f3c2a" } },
  });
  o.auditTrust?.(auditTrust);
  const auditProps: Props = {
    name: "api-stack-prod-audit",
    arn: pv ? UNKNOWN : roleArn("api-stack-prod-audit"),
    assumeRolePolicy: enc(auditTrust),
    inlinePolicies: [
      {
        name: "read-config",
        policy: enc(
          doc({
            Effect: "Allow",
            Action: ["ecs:DescribeServices", "ecs:DescribeTaskDefinition"],
            Resource: `arn:aws:ecs:eu-west-1:${ACCT}:service/api-stack-prod/*`,
          }),
        ),
      },
    ],
  };
  o.audit?.(auditProps);
  const audit = res(I.role, "audit", auditProps);

  const secretDoc = doc({
    Effect: "Allow",
    Principal: { AWS: roleArn("api-stack-prod-exec") },
    Action: "secretsmanager:GetSecretValue",
    Resource: "*",
  });
  o.secretPolicy?.(secretDoc);
  const secretPolicy = res(I.secretPolicy, "shared-secret-policy", {
    secretArn: `${SECRET}/shared-AbCdEf`,
    policy: JSON.stringify(secretDoc),
    blockPublicPolicy: true,
  });

  const ecs = ecsStack({
    preview: pv,
    taskDef: (p) => {
      p.executionRoleArn = pv ? UNKNOWN : roleArn("api-stack-prod-exec");
      p.taskRoleArn = pv ? UNKNOWN : roleArn("api-stack-prod-task");
    },
  }).map((r) =>
    r.name === "api-task"
      ? {
          ...r,
          dependencies: [exec.urn, task.urn],
          propertyDependencies: { executionRoleArn: [exec.urn], taskRoleArn: [task.urn] },
        }
      : r,
  );
  return [
    exec,
    task,
    managed,
    execPolicy,
    deploy,
    audit,
    secretPolicy,
    ...ecs,
    ...(o.extra?.() ?? []),
  ];
}

export const IAM_GOOD: Record<string, IamOpts> = {
  base: {},
  preview: { preview: true },
  objects: { objects: true },
  mfa: {
    auditTrust: (d) =>
      (d.Statement[0]!.Condition = { Bool: { "aws:MultiFactorAuthPresent": "true" } }),
  },
  org: {
    secretPolicy: (d) => {
      d.Statement[0]!.Principal = "*";
      d.Statement[0]!.Condition = { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } };
    },
  },
  "inline-exec": {
    execPolicy: (d) =>
      d.Statement.push(
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${LOGS}:*`,
        },
        { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      ),
  },
};

export const iamGoodCases: GoodCase[] = Object.entries({
  base: "IAM: ECS roles, a deploy policy, an ExternalId audit role and a secret shared with one role",
  preview: "IAM: the same at first preview, role ARNs unknown and linked by dependencies",
  objects: "IAM: every document passed as an object (PolicyDocument) instead of a JSON string",
  mfa: "IAM: the cross-account trust guarded by aws:MultiFactorAuthPresent instead of ExternalId",
  org: 'IAM: a secret policy with Principal "*" pinned by aws:PrincipalOrgID',
  "inline-exec": "IAM: the execution role's log and ECR statements written inline",
}).map(([k, name]) => ({ name, stack: iamStack(IAM_GOOD[k]) }));

export interface IamCase extends BadCase {
  readonly twin: readonly ResourceRecord[];
}

export function iam(
  name: string,
  lesson: string,
  good: keyof typeof IAM_GOOD,
  change: IamOpts,
  expect: BadCase["expect"],
): IamCase {
  const g = IAM_GOOD[good]!;
  return { name, lesson, stack: iamStack({ ...g, ...change }), twin: iamStack(g), expect };
}

export const P = {
  wild: "iam-no-wildcard-permissions",
  pass: "iam-no-passrole-wildcard",
  trust: "iam-trust-policy-restricted",
  secret: "secretsmanager-policy-restricted",
  ecs: "ecs-task-roles-least-privilege",
};

export const deployStmt = (i: number, k: string, v: unknown) => (d: Doc) =>
  (d.Statement[i]![k] = v);
