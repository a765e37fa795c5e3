/**
 * IAM and Secrets Manager resource policies (issue 22, classes 2 and 3): each bad case changes
 * one setting of a good variant in aws-iam-good.ts, named in `twin`;
 * test/policy/rules/aws-iam.test.ts checks that every twin is a good case and differs in one
 * resource. Sources for each belief are in policy/rules/aws-iam*.ts and policy/lib/iam*.ts.
 */
import { UNKNOWN } from "../../../gate";
import { res } from "./base";
import {
  ACCT,
  deployStmt,
  doc,
  I,
  iam,
  IAM_GOOD,
  IamCase,
  iamStack,
  P,
  SECRET,
} from "./aws-iam-good";

export { iamGoodCases } from "./aws-iam-good";
export type { IamCase } from "./aws-iam-good";

type Props = Record<string, unknown>;

export const iamCases: IamCase[] = [
  iam(
    'Action "*" as a string',
    "a CI policy widened to '*' to unblock a deploy, never narrowed",
    "base",
    { deploy: deployStmt(1, "Action", "*") },
    [
      {
        policy: P.wild,
        message: /Statement\[1\] of `policy` of Policy "deploy" allows `Action: "\*"`/,
      },
    ],
  ),
  iam(
    'Action "*" inside a list',
    "'*' hidden among named actions",
    "base",
    { deploy: deployStmt(1, "Action", ["ecr:PutImage", "*"]) },
    [{ policy: P.wild, message: /`Action: "\*"`/ }],
  ),
  iam(
    "NotAction with Allow on every resource",
    "'everything but IAM' is still admin of every service",
    "base",
    {
      deploy: (d) => {
        delete d.Statement[0]!.Action;
        d.Statement[0]!.NotAction = ["iam:*"];
      },
    },
    [{ policy: P.wild, message: /Allow with `NotAction` \["iam:\*"\] on every resource/ }],
  ),
  iam(
    'Action "*" inline on a role',
    "the third party's role got admin 'temporarily'",
    "base",
    {
      audit: (p) =>
        ((p.inlinePolicies as Props[])[0]!.policy = JSON.stringify(
          doc({ Effect: "Allow", Action: "*", Resource: "*" }),
        )),
    },
    [{ policy: P.wild, message: /inlinePolicies\[0\]\.policy` of Role "audit"/ }],
  ),
  iam(
    "AdministratorAccess attached",
    "AWS managed admin policy attached to an app role",
    "base",
    {
      extra: () => [
        res(I.attach, "audit-admin", {
          role: "api-stack-prod-audit",
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
      ],
    },
    [
      {
        policy: P.wild,
        message:
          /`policyArn` of RolePolicyAttachment "audit-admin" attaches the AWS managed policy AdministratorAccess/,
      },
    ],
  ),
  iam(
    "PowerUserAccess in managedPolicyArns",
    "the deprecated role argument still attaches",
    "base",
    { audit: (p) => (p.managedPolicyArns = ["arn:aws:iam::aws:policy/PowerUserAccess"]) },
    [{ policy: P.wild, message: /managedPolicyArns\[0\]` of Role "audit".*PowerUserAccess/ }],
  ),
  iam(
    'iam:PassRole on "*"',
    "CI could hand an admin role to a task it launched",
    "base",
    { deploy: deployStmt(2, "Resource", "*") },
    [{ policy: P.pass, message: /allows `iam:PassRole` on \["\*"\]/ }],
  ),
  iam(
    "iam:PassRole on every role by ARN pattern",
    "role/* is every role of the account",
    "base",
    { deploy: deployStmt(2, "Resource", `arn:aws:iam::${ACCT}:role/*`) },
    [{ policy: P.pass, message: /iam:PassRole/ }],
  ),
  iam(
    's3:* on Resource "*"',
    "a service wildcard on every bucket of the account",
    "base",
    {
      deploy: (d) => {
        deployStmt(1, "Action", ["s3:*"])(d);
        deployStmt(1, "Resource", "*")(d);
      },
    },
    [{ policy: P.wild, message: /wildcard action\(s\) \["s3:\*"\] on `Resource: "\*"`/ }],
  ),
  iam(
    'trust Principal "*"',
    "a role any AWS account could assume",
    "base",
    {
      auditTrust: (d) => {
        d.Statement[0]!.Principal = "*";
        delete d.Statement[0]!.Condition;
      },
    },
    [{ policy: P.trust, message: /trusts `Principal: "\*"`/ }],
  ),
  iam(
    'trust {"AWS": "*"} with only an ExternalId',
    "an ExternalId is no substitute for naming the caller",
    "base",
    { auditTrust: (d) => (d.Statement[0]!.Principal = { AWS: "*" }) },
    [{ policy: P.trust, message: /trusts `Principal: \{"AWS":"\*"\}`/ }],
  ),
  iam(
    "cross-account trust without sts:ExternalId",
    "the vendor's other customers could make it assume our role",
    "base",
    { auditTrust: (d) => delete d.Statement[0]!.Condition },
    [
      {
        policy: P.trust,
        message: /account\(s\) 210987654321 assume the role without an `sts:ExternalId`/,
      },
    ],
  ),
  iam(
    "MFA only under BoolIfExists",
    "IfExists also matches requests with no MFA key at all",
    "mfa",
    {
      auditTrust: (d) =>
        (d.Statement[0]!.Condition = { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }),
    },
    [{ policy: P.trust, message: /210987654321/ }],
  ),
  iam(
    'trust "*" pinned by ArnEquals to every account',
    "ArnEquals takes wildcards exactly as ArnLike does (review 22b, F1)",
    "base",
    {
      auditTrust: (d) => {
        d.Statement[0]!.Principal = "*";
        d.Statement[0]!.Condition = { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } };
      },
    },
    [{ policy: P.trust, message: /any AWS account can assume the role/ }],
  ),
  iam(
    'trust "*" pinned to the vendor\'s account, without sts:ExternalId',
    "aws:PrincipalAccount names the same principals as Principal would (review 22b, F3)",
    "base",
    {
      auditTrust: (d) => {
        d.Statement[0]!.Principal = "*";
        d.Statement[0]!.Condition = { StringEquals: { "aws:PrincipalAccount": "210987654321" } };
      },
    },
    [{ policy: P.trust, message: /account\(s\) 210987654321 assume the role without/ }],
  ),
  iam(
    "iam:PassRole with a wildcard in the account field",
    "every role of ten accounts, ours among them (review 22b, F2)",
    "base",
    { deploy: deployStmt(2, "Resource", "arn:aws:iam::12345678901?:role/*") },
    [
      {
        policy: P.pass,
        message: /allows `iam:PassRole` on \["arn:aws:iam::12345678901\?:role\/\*"\]/,
      },
    ],
  ),
  iam(
    "s3:* on a short ARN whose last * spans the rest",
    "arn:aws:s3* is every S3 resource (review 22b, F5)",
    "base",
    {
      deploy: (d) => {
        deployStmt(1, "Action", ["s3:*"])(d);
        deployStmt(1, "Resource", "arn:aws:s3*")(d);
      },
    },
    [{ policy: P.wild, message: /\["s3:\*"\] on `Resource: "arn:aws:s3\*"`/ }],
  ),
  iam(
    "execution role reads every secret",
    "GetSecretValue on '*' let one service read all of them",
    "base",
    { execPolicy: (d) => (d.Statement[0]!.Resource = "*") },
    [
      {
        policy: P.ecs,
        message: /execution role "api-exec".*`secretsmanager:GetSecretValue` on \["\*"\]/,
      },
    ],
  ),
  iam(
    "execution role with extra actions",
    "s3 access granted to the agent instead of the app",
    "base",
    {
      execPolicy: (d) =>
        d.Statement.push({
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::api-assets/*",
        }),
    },
    [{ policy: P.ecs, message: /`s3:GetObject` on \["arn:aws:s3:::api-assets\/\*"\]/ }],
  ),
  iam(
    "execution role reads another service's secret",
    "copy-pasted ARN of the billing service's key",
    "base",
    {
      execPolicy: (d) =>
        (d.Statement[0]!.Resource as string[]).push(`${SECRET}/billing-key-XyZ123`),
    },
    [{ policy: P.ecs, message: /billing-key/ }],
  ),
  iam(
    "task role with an action when config allows none",
    "the app got SQS rights nobody listed",
    "base",
    {
      extra: () => [
        res(I.rolePolicy, "api-task-sqs", {
          role: "api-stack-prod-task",
          policy: JSON.stringify(
            doc({
              Effect: "Allow",
              Action: "sqs:SendMessage",
              Resource: `arn:aws:sqs:eu-west-1:${ACCT}:jobs`,
            }),
          ),
        }),
      ],
    },
    [
      {
        policy: P.ecs,
        message:
          /task role "api-task-role".*\["sqs:SendMessage"\], not in `taskRoleAllowedActions`/,
      },
    ],
  ),
  iam(
    "task role with a managed policy",
    "AmazonS3ReadOnlyAccess on the app 'for now'",
    "base",
    {
      extra: () => [
        res(I.attach, "api-task-s3", {
          role: "api-stack-prod-task",
          policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        }),
      ],
    },
    [{ policy: P.ecs, message: /AmazonS3ReadOnlyAccess/ }],
  ),
  iam(
    'SecretPolicy Principal "*" without a condition',
    "a secret readable from any AWS account",
    "base",
    { secretPolicy: (d) => (d.Statement[0]!.Principal = "*") },
    [{ policy: P.secret, message: /SecretPolicy "shared-secret-policy" allows `Principal: "\*"`/ }],
  ),
  iam(
    'SecretPolicy {"AWS": "*"} once the org condition is gone',
    "the condition was dropped in a refactor",
    "org",
    {
      secretPolicy: (d) => {
        d.Statement[0]!.Principal = { AWS: "*" };
      },
    },
    [{ policy: P.secret }],
  ),
  iam(
    'Action "*" in a policy passed as an object',
    "the object form is judged like the string",
    "objects",
    { deploy: deployStmt(1, "Action", "*") },
    [{ policy: P.wild, message: /`Action: "\*"`/ }],
  ),
  iam(
    'Action "*" in a UserPolicy',
    "a user policy is an identity policy too",
    "base",
    {
      extra: () => [
        res(I.userPolicy, "ci-user", {
          user: "ci",
          policy: JSON.stringify(doc({ Effect: "Allow", Action: "*", Resource: "*" })),
        }),
      ],
    },
    [{ policy: P.wild }],
  ),
  iam(
    "a policy unknown at preview",
    "a document interpolated from an ARN output cannot be judged",
    "preview",
    { deployProps: (p) => (p.policy = UNKNOWN) },
    [{ policy: P.wild, message: /`policy` of Policy "deploy" is unknown at preview/ }],
  ),
  iam(
    "a Secret's own policy open to every principal",
    "Secret.policy is the same resource policy SecretPolicy sets (review 22, 1c)",
    "base",
    {
      extra: () => [
        res("aws:secretsmanager/secret:Secret", "open-secret", {
          name: "api-stack-prod-open",
          policy: JSON.stringify(
            doc({
              Effect: "Allow",
              Principal: "*",
              Action: "secretsmanager:GetSecretValue",
              Resource: "*",
            }),
          ),
        }),
      ],
    },
    [{ policy: P.secret, message: /`policy` of Secret "open-secret" allows `Principal: "\*"`/ }],
  ),
  iam(
    "AdministratorAccess through RolePolicyAttachmentsExclusive",
    "the exclusive attachment's policyArns is a list of attachments too (review 22, 1c)",
    "base",
    {
      extra: () => [
        res(
          "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
          "audit-exclusive",
          {
            roleName: "api-stack-prod-audit",
            policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
          },
        ),
      ],
    },
    [
      {
        policy: P.wild,
        message:
          /`policyArns\[0\]` of RolePolicyAttachmentsExclusive "audit-exclusive" attaches the AWS managed policy AdministratorAccess/,
      },
    ],
  ),
  iam(
    'iam:* on "arn:aws:iam::*:*"',
    'every IAM resource of the account is Resource "*" for IAM (review 22, 3b)',
    "base",
    {
      deploy: (d) => {
        d.Statement[2]!.Action = "iam:*";
        d.Statement[2]!.Resource = "arn:aws:iam::*:*";
        delete d.Statement[2]!.Condition;
      },
    },
    [
      {
        policy: P.wild,
        message: /wildcard action\(s\) \["iam:\*"\] on `Resource: "arn:aws:iam::\*:\*"`/,
      },
      { policy: P.pass, message: /allows `iam:PassRole` on \["arn:aws:iam::\*:\*"\]/ },
    ],
  ),
  iam(
    'iam:PassRole on "arn:*"',
    "a pattern matching every ARN matches every role (review 22, 3c)",
    "base",
    { deploy: deployStmt(2, "Resource", "arn:*") },
    [{ policy: P.pass, message: /allows `iam:PassRole` on \["arn:\*"\]/ }],
  ),
  iam(
    'SecretPolicy Principal "*" pinned by aws:PrincipalOrgID "o-*" under StringLike',
    "a wildcard condition value pins nobody (review 22, 3d)",
    "org",
    {
      secretPolicy: (d) => {
        d.Statement[0]!.Principal = "*";
        d.Statement[0]!.Condition = { StringLike: { "aws:PrincipalOrgID": "o-*" } };
      },
    },
    [{ policy: P.secret, message: /no condition pinning the caller/ }],
  ),
  iam(
    "an unknown statement in an object-form policy",
    "Statement: [someOutput] must be reported, not skipped (review 22, 4)",
    "objects",
    { deployProps: (p) => ((p.policy as { Statement: unknown[] }).Statement[1] = UNKNOWN) },
    [
      {
        policy: P.wild,
        message:
          /Statement\[1\] of `policy` of Policy "deploy" \(its Effect, Action or Resource\) is unknown/,
      },
    ],
  ),
  execUnknown(),
];

/** The execution role's policy unknown at preview, as jsonStringify over full ARNs makes it. */
function execUnknown(): IamCase {
  const twin = iamStack(IAM_GOOD.preview);
  const stack = twin.map((r) =>
    r.name === "api-exec-secrets" ? { ...r, properties: { ...r.properties, policy: UNKNOWN } } : r,
  );
  return {
    name: "execution-role policy unknown at preview",
    lesson: "pulumi.jsonStringify over the secrets' full ARNs, unknown until they exist",
    stack,
    twin,
    expect: [
      { policy: P.ecs, message: /`policy` of RolePolicy "api-exec-secrets" is unknown at preview/ },
      { policy: P.wild, message: /unknown at preview/ },
    ],
  };
}
