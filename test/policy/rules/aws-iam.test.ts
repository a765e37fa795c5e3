/**
 * IAM and Secrets Manager resource policies (policy/rules/aws-iam*.ts, policy/lib/iam*.ts):
 * document parsing in every form, the rules on the edges the corpus does not reach, and the
 * corpus's own shape (each bad case one resource away from a good twin).
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../gate";
import { iamCases, iamGoodCases } from "../corpus/aws-iam";
import {
  globMatch,
  grantsAction,
  hasExternalIdOrMfa,
  parsePolicyDocument,
  restrictsPrincipal,
  Statement,
} from "../../../policy/lib/iam";
import {
  iamNoPassroleWildcard,
  iamNoWildcardPermissions,
  iamTrustPolicyRestricted,
  secretsmanagerPolicyRestricted,
} from "../../../policy/rules/aws-iam";
import { ecsTaskRolesLeastPrivilege } from "../../../policy/rules/aws-iam-ecs";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  createStackValidationArgs,
  runStackPolicy,
} from "../util";

const T = {
  policy: "aws:iam/policy:Policy",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
};
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
const first = (d: unknown): Statement => {
  const p = parsePolicyDocument(d);
  if (p.state !== "ok") throw new Error(p.state);
  return p.statements[0]!;
};

describe("parsePolicyDocument", () => {
  const d = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" });
  it("reads a JSON string, an object, a getPolicyDocument result and one Statement object", () => {
    for (const form of [JSON.stringify(d), d, { json: JSON.stringify(d), id: "x" }]) {
      expect(first(form)).toMatchObject({ effect: "Allow", action: ["s3:GetObject"] });
    }
    const single = { Version: "2012-10-17", Statement: { Effect: "Deny", NotAction: "iam:*" } };
    expect(first(single)).toMatchObject({ effect: "Deny", notAction: ["iam:*"] });
  });
  it("reports unknowns, absence and garbage distinctly", () => {
    expect(parsePolicyDocument(UNKNOWN).state).toBe("unknown");
    expect(parsePolicyDocument({ Version: "2012-10-17", Statement: UNKNOWN }).state).toBe(
      "unknown",
    );
    expect(parsePolicyDocument(undefined).state).toBe("absent");
    expect(parsePolicyDocument("{not json").state).toBe("invalid");
    expect(first(doc({ Effect: "Allow", Action: UNKNOWN })).unknown).toBe(true);
  });
  it("matches actions case-insensitively with * and ?", () => {
    expect(globMatch("IAM:Pass*", "iam:PassRole")).toBe(true);
    expect(globMatch("s3:Get?bject", "s3:GetObject")).toBe(true);
    expect(globMatch("s3:Get*", "iam:PassRole")).toBe(false);
    expect(grantsAction(first(doc({ Effect: "Allow", NotAction: "s3:*" })), "iam:PassRole")).toBe(
      true,
    );
  });
  it("accepts only StringEquals ExternalId and Bool MFA; restricting keys pin a * principal", () => {
    const cond = (Condition: unknown) => first(doc({ Effect: "Allow", Condition }));
    expect(hasExternalIdOrMfa(cond({ StringEquals: { "sts:ExternalId": "x1" } }))).toBe(true);
    expect(hasExternalIdOrMfa(cond({ StringLike: { "sts:ExternalId": "*" } }))).toBe(false);
    expect(hasExternalIdOrMfa(cond({ Bool: { "aws:MultiFactorAuthPresent": "true" } }))).toBe(true);
    expect(restrictsPrincipal(cond({ StringEquals: { "aws:PrincipalOrgID": "o-1" } }))).toBe(true);
    expect(restrictsPrincipal(cond({ StringLike: { "aws:PrincipalArn": "*" } }))).toBe(false);
  });
});

describe("resource rules", () => {
  const args = (type: string, props: Record<string, unknown>) =>
    createResourceValidationArgs(type, props, { name: "x" });
  it("refuses Action * in a GroupPolicy and on a Deny-free NotResource", async () => {
    await assertHasResourceViolation(
      iamNoWildcardPermissions,
      args(T.groupPolicy, { policy: JSON.stringify(doc({ Effect: "Allow", Action: "*" })) }),
      /GroupPolicy "x" allows `Action: "\*"`/,
    );
    await assertHasResourceViolation(
      iamNoWildcardPermissions,
      args(T.policy, {
        policy: doc({ Effect: "Allow", Action: "ec2:*", NotResource: "arn:aws:ec2:*:*:vpc/*" }),
      }),
      /wildcard action/,
    );
  });
  it("passes Deny statements, least privilege, and actions that need Resource *", async () => {
    await assertNoResourceViolations(
      iamNoWildcardPermissions,
      args(T.policy, {
        policy: JSON.stringify(
          doc(
            { Effect: "Deny", Action: "*", Resource: "*" },
            { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::assets/*" },
          ),
        ),
      }),
    );
  });
  it("reports a statement whose Action is unknown, not a known Resource ARN", async () => {
    await assertHasResourceViolation(
      iamNoWildcardPermissions,
      args(T.policy, { policy: doc({ Effect: "Allow", Action: UNKNOWN, Resource: "*" }) }),
      /Statement\[0\] of `policy` of Policy "x" \(its Effect, Action or Resource\) is unknown/,
    );
    await assertNoResourceViolations(
      iamNoWildcardPermissions,
      args(T.policy, {
        policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: UNKNOWN }),
      }),
    );
  });
  it("refuses PassRole granted by NotAction and by iam:*", async () => {
    await assertHasResourceViolation(
      iamNoPassroleWildcard,
      args(T.policy, { policy: doc({ Effect: "Allow", NotAction: "s3:*", Resource: "*" }) }),
    );
    await assertHasResourceViolation(
      iamNoPassroleWildcard,
      args(T.rolePolicy, {
        role: "r",
        policy: doc({ Effect: "Allow", Action: "iam:*", Resource: "*" }),
      }),
      /iam:PassRole/,
    );
  });
  it("trust: NotPrincipal, unknown principals, trusted own account", async () => {
    const trust = (s: Record<string, unknown>, config = {}) =>
      createResourceValidationArgs(
        T.role,
        {
          assumeRolePolicy: JSON.stringify(
            doc({ Effect: "Allow", Action: "sts:AssumeRole", ...s }),
          ),
        },
        { name: "x", config },
      );
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      trust({ NotPrincipal: { AWS: "arn:aws:iam::111122223333:root" } }),
      /NotPrincipal/,
    );
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      createResourceValidationArgs(T.role, { assumeRolePolicy: UNKNOWN }, { name: "x" }),
      /`assumeRolePolicy` of Role "x" is unknown at preview/,
    );
    const own = { Principal: { AWS: "arn:aws:iam::123456789012:role/ci" } };
    await assertHasResourceViolation(iamTrustPolicyRestricted, trust(own), /123456789012/);
    await assertNoResourceViolations(
      iamTrustPolicyRestricted,
      trust(own, { trustedAccountIds: ["123456789012"] }),
    );
    await assertNoResourceViolations(
      iamTrustPolicyRestricted,
      trust({ Principal: { Service: "ecs-tasks.amazonaws.com" } }),
    );
  });
  it("secret policy: an unknown document is reported, never passed", async () => {
    await assertHasResourceViolation(
      secretsmanagerPolicyRestricted,
      args(T.secretPolicy, { secretArn: "arn:x", policy: UNKNOWN }),
      /unknown at preview/,
    );
  });
});

describe("ecs-task-roles-least-privilege", () => {
  const td = (execRef: string) => ({
    type: T.taskDef,
    name: "td",
    props: {
      executionRoleArn: execRef,
      containerDefinitions: JSON.stringify([
        { name: "api", secrets: [{ name: "A", valueFrom: "arn:aws:secretsmanager:r:1:secret:a" }] },
      ]),
    },
    propertyDependencies: { executionRoleArn: ["exec"] },
  });
  const role = { type: T.role, name: "exec", props: { name: "exec", arn: UNKNOWN } };
  const pol = (Resource: unknown) => ({
    type: T.rolePolicy,
    name: "p",
    props: {
      role: UNKNOWN,
      policy: JSON.stringify(
        doc({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource }),
      ),
    },
    propertyDependencies: { role: ["exec"] },
  });
  it("accepts the partial ARN plus -?????? our component writes, found by dependency", async () => {
    const vs = await runStackPolicy(
      ecsTaskRolesLeastPrivilege,
      createStackValidationArgs([
        role,
        td(UNKNOWN),
        pol("arn:aws:secretsmanager:r:1:secret:a-??????"),
      ]),
    );
    expect(vs).toEqual([]);
  });
  it("refuses a secret wildcard and an unknown role reference with no Role behind it", async () => {
    const vs = await runStackPolicy(
      ecsTaskRolesLeastPrivilege,
      createStackValidationArgs([role, td(UNKNOWN), pol("arn:aws:secretsmanager:r:1:secret:*")]),
    );
    expect(vs.map((v) => v.message).join("\n")).toMatch(/secret:\*/);
    const lone = { ...td(UNKNOWN), propertyDependencies: {} };
    const vs2 = await runStackPolicy(ecsTaskRolesLeastPrivilege, createStackValidationArgs([lone]));
    expect(vs2.map((v) => v.message).join("\n")).toMatch(
      /`executionRoleArn` of TaskDefinition "td" is unknown/,
    );
  });
  it("does not judge a role outside the stack", async () => {
    const vs = await runStackPolicy(
      ecsTaskRolesLeastPrivilege,
      createStackValidationArgs([
        { ...td("arn:aws:iam::1:role/elsewhere"), propertyDependencies: {} },
      ]),
    );
    expect(vs).toEqual([]);
  });
});

describe("the IAM corpus", () => {
  it("has at least 16 bad and 5 good cases", () => {
    expect(iamCases.length).toBeGreaterThanOrEqual(16);
    expect(iamGoodCases.length).toBeGreaterThanOrEqual(5);
  });
  const goods = new Set(iamGoodCases.map((g) => JSON.stringify(g.stack)));
  it.each(iamCases.map((c) => [c.name, c] as const))(
    "%s: one resource from a good twin",
    (_, c) => {
      expect(goods.has(JSON.stringify(c.twin))).toBe(true);
      const twin = new Map(c.twin.map((r) => [r.urn, JSON.stringify(r)]));
      const changed = c.stack.filter((r) => twin.get(r.urn) !== JSON.stringify(r));
      expect(changed.length).toBe(1);
      expect(c.stack.length - c.twin.length).toBeLessThanOrEqual(1);
    },
  );
});

/** Review 22 (.wip/issue-22-review.md), IAM and Secrets Manager findings: each failed before. */
describe("review 22: IAM and Secrets Manager bypasses", () => {
  const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
  const args = (type: string, props: Record<string, unknown>) =>
    createResourceValidationArgs(type, props, { name: "x" });
  const allow = (s: Record<string, unknown>) =>
    args(T.policy, { policy: JSON.stringify(doc({ Effect: "Allow", ...s })) });
  const open = (Condition: unknown, type = T.role) =>
    type === T.role
      ? args(T.role, {
          assumeRolePolicy: JSON.stringify(
            doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition }),
          ),
        })
      : args(type, {
          secretArn: "arn:x",
          policy: JSON.stringify(
            doc({ Effect: "Allow", Principal: "*", Action: "secretsmanager:*", Condition }),
          ),
        });

  it("1. judges a Secret's own `policy` like a SecretPolicy", async () => {
    await assertHasResourceViolation(
      secretsmanagerPolicyRestricted,
      args("aws:secretsmanager/secret:Secret", {
        name: "s",
        policy: JSON.stringify(
          doc({
            Effect: "Allow",
            Principal: "*",
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
          }),
        ),
      }),
      /Statement\[0\] of `policy` of Secret "x" allows `Principal: "\*"`/,
    );
    await assertNoResourceViolations(
      secretsmanagerPolicyRestricted,
      args("aws:secretsmanager/secret:Secret", { name: "s" }),
    );
  });

  it("2. refuses AdministratorAccess through every attachment type", async () => {
    for (const [type, props, field] of [
      [
        "rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        { roleName: "r" },
        "policyArns[0]",
      ],
      [
        "userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
        { userName: "u" },
        "policyArns[0]",
      ],
      [
        "groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
        { groupName: "g" },
        "policyArns[0]",
      ],
      ["userPolicyAttachment:UserPolicyAttachment", { user: "u" }, "policyArn"],
      ["groupPolicyAttachment:GroupPolicyAttachment", { group: "g" }, "policyArn"],
      ["policyAttachment:PolicyAttachment", { users: ["u"], groups: ["g"] }, "policyArn"],
    ] as const) {
      const arns =
        field === "policyArn"
          ? { policyArn: ADMIN }
          : { policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", ADMIN] };
      const f = field === "policyArn" ? "policyArn" : "policyArns\\[1\\]";
      await assertHasResourceViolation(
        iamNoWildcardPermissions,
        args(`aws:iam/${type}`, { ...props, ...arns }),
        new RegExp(
          `\`${f}\` of ${type.split(":")[1]} "x" attaches the AWS managed policy AdministratorAccess`,
        ),
      );
    }
  });

  it("2. the ECS rule sees PolicyAttachment.roles[] and RolePolicyAttachmentsExclusive", async () => {
    const vs = await runStackPolicy(
      ecsTaskRolesLeastPrivilege,
      createStackValidationArgs([
        { type: T.role, name: "task", props: { name: "task", arn: "arn:aws:iam::1:role/task" } },
        {
          type: T.taskDef,
          name: "td",
          props: { taskRoleArn: "arn:aws:iam::1:role/task", containerDefinitions: "[]" },
        },
        {
          type: T.policy,
          name: "s3all",
          props: {
            arn: "arn:aws:iam::1:policy/s3all",
            policy: JSON.stringify(doc({ Effect: "Allow", Action: "s3:*", Resource: "*" })),
          },
        },
        {
          type: "aws:iam/policyAttachment:PolicyAttachment",
          name: "pa",
          props: { roles: ["task"], policyArn: "arn:aws:iam::1:policy/s3all" },
        },
        {
          type: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
          name: "ex",
          props: { roleName: "task", policyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] },
        },
      ]),
    );
    const text = vs.map((v) => v.message).join("\n");
    expect(text).toMatch(
      /\["s3:\*"\], not in `taskRoleAllowedActions`.*`policy` of Policy "s3all" \(via `policyArn` of PolicyAttachment "pa"\)/,
    );
    expect(text).toMatch(
      /AmazonS3FullAccess through `policyArns\[0\]` of RolePolicyAttachmentsExclusive "ex"/,
    );
  });

  it("3. any service-wide resource pattern counts as every resource; actions by any case", async () => {
    for (const [s, msg] of [
      [{ Action: "iam:*", Resource: "arn:aws:iam::*:*" }, /wildcard action\(s\) \["iam:\*"\]/],
      [{ Action: "**", Resource: "arn:*" }, /`Action: "\*\*"`/],
      [{ Action: "s3:*", Resource: "*:*" }, /wildcard action/],
      [{ Action: "ec2:*", Resource: "arn:*:*:*:*:*" }, /wildcard action/],
      [
        { Action: "iam:Pass*", Resource: ["arn:aws:s3:::b", "arn:aws:iam::*:*"] },
        /wildcard action/,
      ],
      [{ NotAction: "iam:*", Resource: "arn:*" }, /NotAction/],
      [{ Action: "S3:*", Resource: "arn:aws:s3:::*" }, /wildcard action/],
    ] as const) {
      await assertHasResourceViolation(iamNoWildcardPermissions, allow(s), msg);
    }
    // IAM documents Effect as case-sensitive; judged case-insensitively anyway (the safe side).
    await assertHasResourceViolation(
      iamNoWildcardPermissions,
      args(T.policy, {
        policy: JSON.stringify(doc({ Effect: "allow", Action: "*", Resource: "*" })),
      }),
      /`Action: "\*"`/,
    );
    await assertNoResourceViolations(
      iamNoWildcardPermissions,
      allow({ Action: "s3:Get*", Resource: "arn:aws:s3:::assets/*" }),
    );
  });

  it("4. refuses iam:PassRole on any pattern that matches every role", async () => {
    for (const r of [
      "arn:aws:iam::*:*",
      "arn:*",
      "arn:aws:iam::123456789012:role*",
      "arn:aws:iam::123456789012:role/**",
      "arn:aws:iam::*:role/*",
    ]) {
      await assertHasResourceViolation(
        iamNoPassroleWildcard,
        allow({ Action: "iam:PassRole", Resource: r }),
        /allows `iam:PassRole` on/,
      );
    }
    await assertNoResourceViolations(
      iamNoPassroleWildcard,
      allow({ Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/app-*" }),
    );
  });

  it("5. a wildcard condition value does not pin the caller; an unknown one is reported", async () => {
    for (const c of [
      { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:*" } },
      { StringLike: { "aws:PrincipalAccount": "????????????" } },
      { "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-*/*" } },
      { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/admin" } },
    ]) {
      await assertHasResourceViolation(iamTrustPolicyRestricted, open(c), /any AWS account/);
    }
    await assertHasResourceViolation(
      secretsmanagerPolicyRestricted,
      open({ StringLike: { "aws:PrincipalOrgID": "o-*" } }, T.secretPolicy),
      /no condition pinning the caller/,
    );
    await assertHasResourceViolation(
      secretsmanagerPolicyRestricted,
      open({ StringEquals: { "aws:PrincipalOrgID": UNKNOWN } }, T.secretPolicy),
      /Statement\[0\] of `policy` of SecretPolicy "x" \(its Condition\) is unknown at preview/,
    );
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      open({ StringEquals: { "aws:PrincipalOrgID": UNKNOWN } }),
      /\(its Condition\) is unknown at preview/,
    );
    // The pinned account is the stack's own (a foreign one needs sts:ExternalId: review 22b F3).
    const own = open({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*" } });
    await assertNoResourceViolations(iamTrustPolicyRestricted, {
      ...own,
      getConfig: <T extends object>() => ({ trustedAccountIds: ["123456789012"] }) as T,
    });
    await assertNoResourceViolations(
      secretsmanagerPolicyRestricted,
      open(
        { StringLike: { "aws:PrincipalOrgPaths": "o-a1b2c3/r-ab12/ou-ab12-11111111/*" } },
        T.secretPolicy,
      ),
    );
  });

  it("6. a refreshed managedPolicyArns naming the stack's own Policy is judged by its document", async () => {
    const stack = (action: string) =>
      createStackValidationArgs(
        [
          {
            type: T.role,
            name: "task",
            props: {
              name: "task",
              arn: "arn:aws:iam::123456789012:role/task",
              managedPolicyArns: ["arn:aws:iam::123456789012:policy/app-read"],
            },
          },
          {
            type: T.taskDef,
            name: "td",
            props: {
              taskRoleArn: "arn:aws:iam::123456789012:role/task",
              containerDefinitions: "[]",
            },
          },
          {
            type: T.policy,
            name: "app-read",
            props: {
              arn: "arn:aws:iam::123456789012:policy/app-read",
              policy: JSON.stringify(
                doc({ Effect: "Allow", Action: action, Resource: "arn:aws:s3:::b/*" }),
              ),
            },
          },
        ],
        { taskRoleAllowedActions: ["s3:GetObject"] },
      );
    expect(await runStackPolicy(ecsTaskRolesLeastPrivilege, stack("s3:GetObject"))).toEqual([]);
    const vs = await runStackPolicy(ecsTaskRolesLeastPrivilege, stack("s3:*"));
    expect(vs.map((v) => v.message).join("\n")).toMatch(
      /\["s3:\*"\], not in `taskRoleAllowedActions`.*`policy` of Policy "app-read" \(via `managedPolicyArns\[0\]` of Role "task"\)/,
    );
  });

  it("7. an unknown statement, PassRole Resource or set managedPolicyArns is reported", async () => {
    const unkStmt = { Version: "2012-10-17", Statement: [UNKNOWN] };
    await assertHasResourceViolation(
      iamNoWildcardPermissions,
      args(T.policy, { policy: unkStmt }),
      /Statement\[0\] of `policy` of Policy "x" \(its Effect, Action or Resource\) is unknown at preview/,
    );
    await assertHasResourceViolation(
      iamTrustPolicyRestricted,
      args(T.role, { assumeRolePolicy: unkStmt }),
      /Statement\[0\] of `assumeRolePolicy` of Role "x" \(its Effect or Principal\) is unknown/,
    );
    await assertHasResourceViolation(
      secretsmanagerPolicyRestricted,
      args(T.secretPolicy, { secretArn: "arn:x", policy: unkStmt }),
      /is unknown at preview/,
    );
    await assertHasResourceViolation(
      iamNoPassroleWildcard,
      allow({ Action: "iam:PassRole", Resource: UNKNOWN }),
      /`Resource` of Statement\[0\] of `policy` of Policy "x" \(granting iam:PassRole\) is unknown at preview/,
    );
    await assertHasResourceViolation(
      iamNoWildcardPermissions,
      args(T.role, { assumeRolePolicy: "{}", managedPolicyArns: UNKNOWN }),
      /`managedPolicyArns` of Role "x" is unknown at preview/,
    );
    await assertNoResourceViolations(
      iamNoWildcardPermissions,
      args(T.role, { managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }),
    );
  });
});
