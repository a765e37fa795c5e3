import { describe, it } from "vitest";
import { unknownValueProvenance } from "../../../policy/rules/provenance";
import { secret, UNKNOWN } from "../../../gate";
import { replicationGroupProps, T } from "../corpus/base";
import {
  assertHasStackViolation,
  assertNoStackViolations,
  createStackValidationArgs as stack,
  StackResourceInput,
} from "../util";

describe("unknown-value-provenance: ElastiCache auth tokens", () => {
  const gen = (props: Record<string, unknown>, type: string = T.password): StackResourceInput => ({
    type,
    name: "token",
    props: { result: secret(UNKNOWN), ...props },
  });
  const group = (token: StackResourceInput, cfg: Record<string, unknown> = {}) =>
    stack(
      [
        token,
        {
          type: T.replicationGroup,
          name: "rg",
          props: { ...replicationGroupProps(), authToken: secret(UNKNOWN) },
          propertyDependencies: { authToken: ["token"] },
        },
      ],
      cfg,
    );
  const OVERRIDE = "!#$%^&*()-_=+[]{}<>:?";
  it("passes a RandomPassword of length >= 32 whose specials are restricted to legal ones", async () => {
    await assertNoStackViolations(
      unknownValueProvenance,
      group(gen({ length: 64, special: true, overrideSpecial: OVERRIDE })),
    );
    await assertNoStackViolations(
      unknownValueProvenance,
      group(gen({ length: 32, special: false })),
    );
    await assertNoStackViolations(
      unknownValueProvenance,
      group(gen({ length: 128, special: true, overrideSpecial: "!&#$^<>-" }), {
        authTokenCharset: "aws-docs",
      }),
    );
  });
  it.each([
    ["special on, default set (has @)", { length: 64, special: true }, /'@'.*default special set/],
    ["special unset = on", { length: 64 }, /'@'/],
    ["empty overrideSpecial = default set", { length: 64, overrideSpecial: "" }, /'@'/],
    ['overrideSpecial with / and "', { length: 64, overrideSpecial: '!/"' }, /'\/', '"'/],
    ["overrideSpecial with a space", { length: 64, overrideSpecial: "! #" }, /space/],
    ["special off but minSpecial > 0", { length: 64, special: false, minSpecial: 2 }, /'@'/],
    ["length > 128", { length: 200, special: false }, /length 200 > 128/],
    ["length < 32", { length: 20, special: false }, /length 20 < 32/],
  ])("refuses a generator that can make an invalid or weak token: %s", (_, props, message) =>
    assertHasStackViolation(unknownValueProvenance, group(gen(props)), message),
  );
  it("refuses the brief's specials under the stricter aws-docs charset, and RandomId outputs", async () => {
    await assertHasStackViolation(
      unknownValueProvenance,
      group(gen({ length: 64, special: true, overrideSpecial: OVERRIDE }), {
        authTokenCharset: "aws-docs",
      }),
      /'%'/,
    );
    await assertHasStackViolation(
      unknownValueProvenance,
      group(gen({ byteLength: 32 }, T.randomId)),
      /base64 outputs/,
    );
  });
  it("judges RBAC user passwords the same way, and ignores a computed authenticationMode", async () => {
    const user = (props: Record<string, unknown>): StackResourceInput => ({
      type: T.user,
      name: "app",
      props: { userName: "app", accessString: "on ~* +@all", ...props },
      dependencies: ["token"],
    });
    const bad = gen({ length: 64, special: true });
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([bad, { ...user({ passwords: [secret(UNKNOWN)] }) }]),
      /`passwords`.*'@'/,
    );
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([bad, user({ authenticationMode: { type: "password", passwords: [UNKNOWN] } })]),
      /`authenticationMode`/,
    );
    await assertNoStackViolations(
      unknownValueProvenance,
      stack([
        {
          ...user({
            userName: "default",
            accessString: "off -@all",
            noPasswordRequired: true,
            authenticationMode: UNKNOWN,
          }),
          dependencies: [],
        },
      ]),
    );
  });
});

describe("unknown-value-provenance: ElastiCache network", () => {
  const cache = (type: string, field: string, deps: string[]): StackResourceInput => ({
    type,
    name: "cache",
    props: { [field]: [UNKNOWN] },
    propertyDependencies: { [field]: deps },
  });
  it("accepts unknown securityGroupIds only from an aws.ec2.SecurityGroup", async () => {
    for (const type of [T.replicationGroup, T.serverless]) {
      await assertNoStackViolations(
        unknownValueProvenance,
        stack([{ type: T.sg, name: "sg", props: {} }, cache(type, "securityGroupIds", ["sg"])]),
      );
      await assertHasStackViolation(
        unknownValueProvenance,
        stack([cache(type, "securityGroupIds", [])]),
        /`securityGroupIds`.*not an aws.ec2.SecurityGroup/,
      );
      await assertHasStackViolation(
        unknownValueProvenance,
        stack([
          { type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", name: "dsg", props: {} },
          cache(type, "securityGroupIds", ["dsg"]),
        ]),
        /default security group/,
      );
    }
  });
  it("accepts an unknown userGroupId / userGroupIds entry only from an aws.elasticache.UserGroup", async () => {
    const ug = { type: T.userGroup, name: "ug", props: { userGroupId: "api-users" } };
    const sc = (deps: string[]): StackResourceInput => ({
      type: T.serverless,
      name: "sc",
      props: { userGroupId: UNKNOWN },
      propertyDependencies: { userGroupId: deps },
    });
    await assertNoStackViolations(unknownValueProvenance, stack([ug, sc(["ug"])]));
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([sc([])]),
      /`userGroupId`.*not an aws.elasticache.UserGroup/,
    );
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([cache(T.replicationGroup, "userGroupIds", [])]),
      /`userGroupIds`/,
    );
    // A wholly unknown list in AnalyzeStack may be computed by the provider: not deferred.
    await assertNoStackViolations(
      unknownValueProvenance,
      stack([{ type: T.replicationGroup, name: "rg", props: { userGroupIds: UNKNOWN } }]),
    );
  });
  it("accepts serverless subnetIds with unknown entries only from subnets", async () => {
    await assertNoStackViolations(
      unknownValueProvenance,
      stack([
        { type: T.subnet, name: "a", props: { cidrBlock: "10.0.1.0/24" } },
        cache(T.serverless, "subnetIds", ["a"]),
      ]),
    );
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([cache(T.serverless, "subnetIds", [])]),
      /`subnetIds`.*not aws.ec2.Subnet/,
    );
  });
  const vpc4 = { type: T.vpc, name: "vpc", props: { cidrBlock: "10.0.0.0/16" } };
  const vpc6 = {
    type: T.vpc,
    name: "vpc",
    props: { cidrBlock: "10.0.0.0/16", assignGeneratedIpv6CidrBlock: true, ipv6CidrBlock: UNKNOWN },
  };
  const rules: [string, string, Record<string, unknown>, string][] = [
    [
      "SecurityGroup ingress IPv6",
      T.sg,
      { ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, ipv6CidrBlocks: [UNKNOWN] }] },
      "ingress",
    ],
    [
      "SecurityGroupIngressRule cidrIpv6",
      T.sgIngress,
      { ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv6: UNKNOWN },
      "cidrIpv6",
    ],
    [
      "SecurityGroupRule ipv6CidrBlocks",
      T.sgRule,
      { type: "ingress", protocol: "tcp", fromPort: 6379, toPort: 6379, ipv6CidrBlocks: [UNKNOWN] },
      "ipv6CidrBlocks",
    ],
    [
      "SecurityGroupRule cidrBlocks",
      T.sgRule,
      { type: "ingress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [UNKNOWN] },
      "cidrBlocks",
    ],
  ];
  it.each(rules)(
    "defers an unknown CIDR on 6379 (%s) and judges it by its VPC",
    async (_, type, props, field) => {
      const rule = (deps: string[]): StackResourceInput => ({
        type,
        name: "r",
        props,
        propertyDependencies: { [field]: deps },
      });
      await assertNoStackViolations(unknownValueProvenance, stack([vpc6, rule(["vpc"])]));
      await assertHasStackViolation(
        unknownValueProvenance,
        stack([rule([])]),
        new RegExp(`\`${field}\`.*provenance could not be established`),
      );
      if (field !== "cidrBlocks" && field !== "ingress") {
        await assertHasStackViolation(unknownValueProvenance, stack([vpc4, rule(["vpc"])]), /IPv6/);
      }
    },
  );
  it("defers an unknown CIDR on a serverless cache's port 6380", () =>
    assertHasStackViolation(
      unknownValueProvenance,
      stack([
        { type: T.serverless, name: "sc", props: { engine: "valkey" } },
        {
          type: T.sgIngress,
          name: "r",
          props: { ipProtocol: "tcp", fromPort: 6380, toPort: 6380, cidrIpv4: UNKNOWN },
        },
      ]),
      /`cidrIpv4`/,
    ));
});
