/**
 * The second upstream review of the IAM rules (issue 22): each finding as a bad case and, where
 * the finding was a false positive, the good case it refused. Every bad case differs from its
 * twin in one setting. The review's sources are cited next to the code each test covers.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../gate";
import {
  iamNoPassroleWildcard,
  iamNoWildcardPermissions,
  iamTrustPolicyRestricted,
  secretsmanagerPolicyRestricted,
} from "../../../policy/rules/aws-iam";
import { ecsTaskRolesLeastPrivilege } from "../../../policy/rules/aws-iam-ecs";
import { unknownValueProvenance } from "../../../policy/rules/provenance";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  createStackValidationArgs,
  runStackPolicy,
  StackResourceInput,
} from "../util";

const T = {
  policy: "aws:iam/policy:Policy",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rpa: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  rpax: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  secret: "aws:secretsmanager/secret:Secret",
  secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  bucket: "aws:s3/bucket:Bucket",
};
const ACCOUNT = "123456789012";
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
const args = (type: string, props: Record<string, unknown>, config?: Record<string, unknown>) =>
  createResourceValidationArgs(type, props, { name: "x", config });
const allow = (s: Record<string, unknown>) =>
  args(T.policy, { policy: JSON.stringify(doc({ Effect: "Allow", ...s })) });
const trust = (s: Record<string, unknown>, config?: Record<string, unknown>) =>
  args(
    T.role,
    { assumeRolePolicy: JSON.stringify(doc({ Effect: "Allow", Action: "sts:AssumeRole", ...s })) },
    config,
  );
const secretPolicy = (s: Record<string, unknown>) =>
  args(T.secretPolicy, {
    secretArn: "arn:x",
    policy: JSON.stringify(
      doc({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", ...s }),
    ),
  });

/** The ECS stack the task-role cases share: roles by name, one task definition. */
const IMAGE = `x@sha256:${"a".repeat(64)}`;
const role = (name: string) => ({
  type: T.role,
  name,
  props: { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` },
});
const taskDef = (
  container: Record<string, unknown> = { name: "api", image: IMAGE },
  task = "task",
) => ({
  type: T.taskDef,
  name: "td",
  props: {
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec`,
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${task}`,
    containerDefinitions: JSON.stringify([container]),
  },
});
/** A SecretPolicy on another service's secret whose one statement reads it, plus `s`. */
const dbSecretPolicy = (s: Record<string, unknown>) => ({
  type: T.secretPolicy,
  name: "sp",
  props: {
    secretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod-db-AbCdEf`,
    policy: JSON.stringify(
      doc({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", ...s }),
    ),
  },
});
const taskRoleMessages = async (rs: StackResourceInput[], cfg: Record<string, unknown> = {}) =>
  (await runStackPolicy(ecsTaskRolesLeastPrivilege, createStackValidationArgs(rs, cfg))).map(
    (v) => v.message,
  );

describe("F1: ArnEquals takes wildcards as ArnLike does", () => {
  it("a `*` principal pinned by ArnEquals to every account is refused; a literal ARN pins", async () => {
    const pin = (v: string) => ({
      Principal: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": v } },
    });
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      trust(pin("arn:aws:iam::*:*")),
      /any AWS account can assume/,
    );
    await assertNoResourceViolations(
      iamTrustPolicyRestricted,
      trust(pin(`arn:aws:iam::${ACCOUNT}:role/ci`), { trustedAccountIds: [ACCOUNT] }),
    );
    await assertHasResourceViolation(
      secretsmanagerPolicyRestricted,
      secretPolicy(pin("arn:aws:iam::*:role/*")),
      /no condition pinning the caller/,
    );
    await assertNoResourceViolations(
      secretsmanagerPolicyRestricted,
      secretPolicy(pin(`arn:aws:iam::${ACCOUNT}:role/*`)),
    );
  });
});

describe("F2 and F5: a wildcard in the account field, and short ARNs ending in `*`", () => {
  it("PassRole on every role of some account is refused", async () => {
    for (const r of [
      "arn:aws:iam::12345678901?:role/*",
      "arn:aws:iam::1234567890*:role/*",
      `arn:aws:iam::${ACCOUNT}*`,
    ]) {
      await assertHasResourceViolation(
        iamNoPassroleWildcard,
        allow({ Action: "iam:PassRole", Resource: r }),
        /allows `iam:PassRole` on/,
      );
    }
    await assertNoResourceViolations(
      iamNoPassroleWildcard,
      allow({ Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/app-*` }),
    );
  });
  it("a wildcard action on an ARN whose trailing `*` spans the rest is refused", async () => {
    for (const [a, r] of [
      ["s3:*", "arn:aws:s3*"],
      ["iam:*", `arn:aws:iam::${ACCOUNT}*`],
    ] as const) {
      await assertHasResourceViolation(
        iamNoWildcardPermissions,
        allow({ Action: a, Resource: r }),
        /on every resource in the account/,
      );
    }
    await assertNoResourceViolations(
      iamNoWildcardPermissions,
      allow({ Action: "s3:*", Resource: "arn:aws:s3:::assets/*" }),
    );
  });
});

describe("F3: a `*` principal pinned to a foreign account still needs the confused-deputy guard", () => {
  for (const [label, Condition] of [
    ["PrincipalAccount", { StringEquals: { "aws:PrincipalAccount": "999999999999" } }],
    ["PrincipalArn", { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::999999999999:role/*" } }],
  ] as const) {
    it(`through ${label}`, async () => {
      await assertHasResourceViolation(
        iamTrustPolicyRestricted,
        trust({ Principal: "*", Condition }),
        /lets account\(s\) 999999999999 assume the role without an `sts:ExternalId`/,
      );
      await assertNoResourceViolations(
        iamTrustPolicyRestricted,
        trust({ Principal: "*", Condition }, { trustedAccountIds: ["999999999999"] }),
      );
    });
  }
});

describe("F4: an OIDC trust must pin the token's subject", () => {
  const gh = "token.actions.githubusercontent.com";
  const oidc = (Condition: unknown) =>
    trust({
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${gh}` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition,
    });
  it("aud alone, or a sub of wildcards, lets any repository assume the role", async () => {
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      oidc({ StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" } }),
      /token\.actions\.githubusercontent\.com:sub/,
    );
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      oidc({
        StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" },
        StringLike: { [`${gh}:sub`]: "repo:*" },
      }),
      /token\.actions\.githubusercontent\.com:sub/,
    );
    await assertNoResourceViolations(
      iamTrustPolicyRestricted,
      oidc({
        StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" },
        StringLike: { [`${gh}:sub`]: "repo:acme/api:ref:refs/heads/main" },
      }),
    );
  });
});

describe("F9 and F10: AWS's own documented shapes are accepted", () => {
  it("ForAnyValue:StringEquals on aws:PrincipalOrgPaths pins the caller", async () => {
    const c = (op: string) => ({
      Principal: "*",
      Condition: { [op]: { "aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"] } },
    });
    await assertNoResourceViolations(
      iamTrustPolicyRestricted,
      trust(c("ForAnyValue:StringEquals")),
    );
    await assertNoResourceViolations(
      secretsmanagerPolicyRestricted,
      secretPolicy(c("ForAnyValue:StringEquals")),
    );
    // ForAllValues matches a request without the key at all (IAM User Guide, multi-valued keys).
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      trust(c("ForAllValues:StringEquals")),
      /any AWS account/,
    );
  });
  it('Secret.policy "{}" deletes the policy (@pulumi/aws secretsmanager/secret.d.ts)', async () => {
    await assertNoResourceViolations(
      secretsmanagerPolicyRestricted,
      args(T.secret, { policy: "{}" }),
    );
    await assertHasResourceViolation(
      secretsmanagerPolicyRestricted,
      args(T.secret, { policy: '{"Version":"2012-10-17"}' }),
      /cannot be read: no `Statement`/,
    );
  });
});

describe("F6: an attached policy ARN unknown at preview is judged by where it came from", () => {
  const admin = { type: T.bucket, name: "b", props: { bucket: "b" } };
  const policy = { type: T.policy, name: "app", props: { policy: UNKNOWN, arn: UNKNOWN } };
  const cases: [string, StackResourceInput][] = [
    [
      "RolePolicyAttachment.policyArn",
      { type: T.rpa, name: "att", props: { role: "r", policyArn: UNKNOWN } },
    ],
    [
      "Role.managedPolicyArns",
      {
        type: T.role,
        name: "att",
        props: { assumeRolePolicy: "{}", managedPolicyArns: [UNKNOWN] },
      },
    ],
    [
      "RolePolicyAttachmentsExclusive.policyArns",
      { type: T.rpax, name: "att", props: { roleName: "r", policyArns: [UNKNOWN] } },
    ],
  ];
  for (const [label, att] of cases) {
    const field = Object.keys(att.props).find((k) => /olicyArns?$/.test(k)) as string;
    it(label, async () => {
      const from = (dep: string) =>
        createStackValidationArgs([
          admin,
          policy,
          { ...att, propertyDependencies: { [field]: [dep] } },
        ]);
      const vs = await runStackPolicy(unknownValueProvenance, from("b"));
      expect(vs.map((v) => v.message).join("\n")).toMatch(
        new RegExp(`\`${field}\` of \\w+ "att" is unknown at preview.*not an aws.iam.Policy`),
      );
      expect(await runStackPolicy(unknownValueProvenance, from("app"))).toEqual([]);
    });
  }
});

describe("F8, F11, F12, F13: the ECS roles", () => {
  const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:api-a-1234567`;
  const base = {
    name: "api",
    image: IMAGE,
    secrets: [{ name: "A", valueFrom: SECRET }],
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": "/ecs/api", "awslogs-region": "us-east-1" },
    },
  };
  const rp = (name: string, roleRef: string, ...s: Record<string, unknown>[]) => ({
    type: T.rolePolicy,
    name,
    props: {
      role: roleRef,
      policy: JSON.stringify(doc(...s.map((x) => ({ Effect: "Allow", ...x })))),
    },
  });
  it("F8: the execution role may read the task's environment files (ECS guide, taskdef-envfiles)", async () => {
    const withFiles = {
      ...base,
      environmentFiles: [{ type: "s3", value: "arn:aws:s3:::cfg/api.env" }],
    };
    const grant = (object: string) =>
      rp(
        "p",
        "exec",
        { Action: "s3:GetObject", Resource: object },
        { Action: "s3:GetBucketLocation", Resource: "arn:aws:s3:::cfg" },
      );
    expect(
      await taskRoleMessages([
        role("exec"),
        role("task"),
        taskDef(withFiles),
        grant("arn:aws:s3:::cfg/api.env"),
      ]),
    ).toEqual([]);
    expect(
      (
        await taskRoleMessages([
          role("exec"),
          role("task"),
          taskDef(withFiles),
          grant("arn:aws:s3:::cfg/other.env"),
        ])
      ).join("\n"),
    ).toMatch(/s3:GetObject.*other\.env/);
  });
  it("F8: and the private registry's credentials secret (ECS guide, private-auth)", async () => {
    const creds = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:dockerhub-AbCdEf`;
    const withCreds = { ...base, repositoryCredentials: { credentialsParameter: creds } };
    const grant = rp("p", "exec", { Action: "secretsmanager:GetSecretValue", Resource: creds });
    expect(await taskRoleMessages([role("exec"), role("task"), taskDef(withCreds), grant])).toEqual(
      [],
    );
    expect(
      (await taskRoleMessages([role("exec"), role("task"), taskDef(base), grant])).join("\n"),
    ).toMatch(/secretsmanager:GetSecretValue.*dockerhub/);
  });
  it("F8: and logs:CreateLogGroup on its own group when awslogs-create-group is set", async () => {
    const creating = {
      ...base,
      logConfiguration: {
        ...base.logConfiguration,
        options: { ...base.logConfiguration.options, "awslogs-create-group": "true" },
      },
    };
    const grant = rp("p", "exec", {
      Action: "logs:CreateLogGroup",
      Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/api:*`,
    });
    expect(await taskRoleMessages([role("exec"), role("task"), taskDef(creating), grant])).toEqual(
      [],
    );
    // The awslogs driver reads the option with Go's strconv.ParseBool.
    for (const v of ["True", "1"]) {
      const o = { ...creating.logConfiguration.options, "awslogs-create-group": v };
      const c = { ...creating, logConfiguration: { ...creating.logConfiguration, options: o } };
      expect(await taskRoleMessages([role("exec"), role("task"), taskDef(c), grant])).toEqual([]);
    }
    expect(
      (await taskRoleMessages([role("exec"), role("task"), taskDef(base), grant])).join("\n"),
    ).toMatch(/logs:CreateLogGroup/);
  });
  it("F12: a pattern of `?` only is not the task's own secret", async () => {
    const grant = (r: string) =>
      rp("p", "exec", { Action: "secretsmanager:GetSecretValue", Resource: r });
    expect(
      await taskRoleMessages([
        role("exec"),
        role("task"),
        taskDef(base),
        grant(`${SECRET}-??????`),
      ]),
    ).toEqual([]);
    for (const r of [
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${"?".repeat("api-a-1234567-XXXXXX".length)}`,
      `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:api-?-1234567-??????`,
    ]) {
      expect(
        (await taskRoleMessages([role("exec"), role("task"), taskDef(base), grant(r)])).join("\n"),
      ).toMatch(/secretsmanager:GetSecretValue/);
    }
  });
  it("F13: a RolePolicy names its role in any case (IAM role names are case-insensitive)", async () => {
    const grant = (roleRef: string) =>
      rp("p", roleRef, { Action: "s3:GetObject", Resource: "arn:aws:s3:::o/*" });
    for (const ref of ["task-role", "TASK-ROLE"]) {
      expect(
        (
          await taskRoleMessages([
            role("exec"),
            role("task-role"),
            taskDef(base, "task-role"),
            grant(ref),
          ])
        ).join("\n"),
      ).toMatch(/The task role "task-role".*s3:GetObject/);
    }
  });
  it("F11: a stack Policy attached by a literal ARN is read even while its own arn is unknown", async () => {
    const policy = (action: string) => ({
      type: T.policy,
      name: "app-read",
      props: {
        name: "app-read",
        arn: UNKNOWN,
        policy: JSON.stringify(
          doc({ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::b/*" }),
        ),
      },
    });
    const att = {
      type: T.rpa,
      name: "att",
      props: { role: "task", policyArn: `arn:aws:iam::${ACCOUNT}:policy/app-read` },
    };
    const cfg = { taskRoleAllowedActions: ["s3:GetObject"] };
    const base_ = [role("exec"), role("task"), taskDef(base)];
    expect(await taskRoleMessages([...base_, policy("s3:GetObject"), att], cfg)).toEqual([]);
    expect(
      (await taskRoleMessages([...base_, policy("s3:PutObject"), att], cfg)).join("\n"),
    ).toMatch(/\["s3:PutObject"\], not in `taskRoleAllowedActions`/);
  });
});

describe("F7: a Secrets Manager resource policy naming the task role grants it too", () => {
  it("is refused when config allows the task role nothing; another role's grant is not its", async () => {
    const stack = (principal: string) => [
      role("exec"),
      role("task"),
      role("other"),
      taskDef(),
      dbSecretPolicy({ Principal: { AWS: principal } }),
    ];
    expect((await taskRoleMessages(stack(`arn:aws:iam::${ACCOUNT}:role/task`))).join("\n")).toMatch(
      /The task role "task".*secretsmanager:GetSecretValue.*SecretPolicy "sp"/,
    );
    expect(await taskRoleMessages(stack(`arn:aws:iam::${ACCOUNT}:role/other`))).toEqual([]);
  });
});

describe("review 22c: OIDC subjects (G2, G4)", () => {
  const gh = "token.actions.githubusercontent.com";
  const eks = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  const oidc = (federated: unknown, Condition: unknown) =>
    createResourceValidationArgs(
      T.role,
      {
        assumeRolePolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: federated },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition,
            },
          ],
        },
      },
      { name: "x" },
    );
  it("G2: a provider ARN unknown at preview needs a literal pinned `…:sub`", async () => {
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      oidc(UNKNOWN, { StringEquals: { [`${gh}:aud`]: "sts.amazonaws.com" } }),
      /is unknown at preview/,
    );
    await assertNoResourceViolations(
      iamTrustPolicyRestricted,
      oidc(UNKNOWN, { StringLike: { [`${gh}:sub`]: "repo:acme/api:*" } }),
    );
  });
  it("G4: an EKS namespace, GitHub's owner-id subject and ANDed operators pin", async () => {
    const arn = (host: string) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}`;
    for (const [host, c] of [
      [eks, { StringLike: { [`${eks}:sub`]: "system:serviceaccount:prod:*" } }],
      [gh, { StringLike: { [`${gh}:sub`]: "repository_owner_id:1234:*" } }],
      [
        gh,
        {
          StringEquals: { [`${gh}:sub`]: "repo:acme/api:ref:refs/heads/main" },
          StringLike: { [`${gh}:sub`]: "repo:*" },
        },
      ],
    ] as const) {
      await assertNoResourceViolations(iamTrustPolicyRestricted, oidc(arn(host), c));
    }
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      oidc(arn(eks), { StringLike: { [`${eks}:sub`]: "*" } }),
      /no condition pinning/,
    );
  });
});

describe("review 22c, G3: a `*` principal pinned by condition to the task role grants it too", () => {
  const run = (Condition: unknown) =>
    taskRoleMessages([
      role("exec"),
      role("task"),
      taskDef(),
      dbSecretPolicy({ Principal: "*", Condition }),
    ]);
  it("by aws:PrincipalArn; a pin to another role, or to the account, is not its grant", async () => {
    for (const c of [
      { StringEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/task` } },
      { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/t*` } },
    ]) {
      expect((await run(c)).join("\n"), JSON.stringify(c)).toMatch(
        /The task role "task".*SecretPolicy "sp"/,
      );
    }
    expect(
      await run({ StringEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/other` } }),
    ).toEqual([]);
    // A pin to the account or the organization shares the secret broadly: judged by
    // secretsmanager-policy-restricted, not counted as the task role's own grant.
    expect(await run({ StringEquals: { "aws:PrincipalAccount": ACCOUNT } })).toEqual([]);
  });
});
