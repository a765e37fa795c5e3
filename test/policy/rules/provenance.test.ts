import { describe, expect, it } from "vitest";
import { deferredUnknowns } from "../../../policy/lib/provenance";
import { allPolicies } from "../../../policy/policies";
import { unknownValueProvenance } from "../../../policy/rules/provenance";
import { secret, UNKNOWN } from "../../../gate";
import { apiProps, CONF, redisProps, replicationGroupProps, T } from "../corpus/base";
import {
  asPolicySees,
  assertHasStackViolation,
  assertNoStackViolations,
  createResourceValidationArgs,
  createStackValidationArgs as stack,
  runResourcePolicy,
  StackResourceInput,
} from "../util";

const redisUnknownConf = { ...redisProps(), uploads: [{ file: CONF, content: secret(UNKNOWN) }] };
const pw = (length: number, name = "pw"): StackResourceInput => ({
  type: T.password,
  name,
  props: { length, special: false, result: UNKNOWN },
});

describe("unknown-value-provenance: secrets", () => {
  it("passes an unknown config computed from a RandomPassword of length >= 32", () =>
    assertNoStackViolations(
      unknownValueProvenance,
      stack([
        pw(32),
        {
          type: T.container,
          name: "redis",
          props: redisUnknownConf,
          propertyDependencies: { uploads: ["pw"] },
        },
      ]),
    ));
  it("passes a RandomId of 32 bytes for SECRET_KEY", () =>
    assertNoStackViolations(
      unknownValueProvenance,
      stack([
        { type: T.randomId, name: "key", props: { byteLength: 32 } },
        {
          type: T.container,
          name: "api",
          props: { ...apiProps(), envs: UNKNOWN },
          propertyDependencies: { envs: ["key"] },
        },
      ]),
    ));
  it("refuses no generator, or a weak one", async () => {
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([{ type: T.container, name: "redis", props: redisUnknownConf }]),
      /depends on no resource/,
    );
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([
        pw(12),
        {
          type: T.container,
          name: "redis",
          props: redisUnknownConf,
          propertyDependencies: { uploads: ["pw"] },
        },
      ]),
      /length 12 < 32/,
    );
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([
        {
          type: T.password,
          name: "pw",
          props: { length: 40, lower: false, upper: false, numeric: false, special: false },
        },
        {
          type: T.replicationGroup,
          name: "rg",
          props: { authToken: UNKNOWN },
          dependencies: ["pw"],
        },
      ]),
      /disables every character class/,
    );
  });
  it("accepts configured trusted source types", () =>
    assertNoStackViolations(
      unknownValueProvenance,
      stack(
        [
          { type: "aws:secretsmanager/secretVersion:SecretVersion", name: "sv", props: {} },
          {
            type: T.replicationGroup,
            name: "rg",
            props: { authToken: UNKNOWN },
            dependencies: ["sv"],
          },
        ],
        { trustedSourceTypes: ["aws:secretsmanager/secretVersion:SecretVersion"] },
      ),
    ));
});

describe("unknown-value-provenance: images, subnets, CIDRs", () => {
  it("judges an unknown image by its RemoteImage", async () => {
    const c = (name: string): StackResourceInput[] => [
      { type: T.remoteImage, name: "img", props: { name } },
      {
        type: T.container,
        name: "app",
        props: { image: UNKNOWN },
        propertyDependencies: { image: ["img"] },
      },
    ];
    await assertNoStackViolations(unknownValueProvenance, stack(c("ghcr.io/acme/api:1.2")));
    await assertHasStackViolation(unknownValueProvenance, stack(c("ghcr.io/acme/api")), /no tag/);
  });
  it("accepts an unknown subnet group only from an aws.elasticache.SubnetGroup", async () => {
    const rg = {
      type: T.replicationGroup,
      name: "rg",
      props: { ...replicationGroupProps(), subnetGroupName: UNKNOWN },
    };
    await assertNoStackViolations(
      unknownValueProvenance,
      stack([
        { type: T.subnetGroup, name: "sg", props: {} },
        { ...rg, propertyDependencies: { subnetGroupName: ["sg"] } },
      ]),
    );
    await assertHasStackViolation(unknownValueProvenance, stack([rg]), /SubnetGroup/);
  });
  it("accepts an unknown CIDR on 6379 only from a VPC/subnet with a known, non-world block", async () => {
    const rule = {
      type: T.sgIngress,
      name: "r",
      props: { ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv4: UNKNOWN },
      propertyDependencies: { cidrIpv4: ["vpc"] },
    };
    await assertNoStackViolations(
      unknownValueProvenance,
      stack([{ type: T.vpc, name: "vpc", props: { cidrBlock: "10.0.0.0/16" } }, rule]),
    );
    await assertHasStackViolation(
      unknownValueProvenance,
      stack([{ type: T.vpc, name: "vpc", props: { cidrBlock: UNKNOWN } }, rule]),
      /known cidrBlock/,
    );
  });
  it("runs the Redis checks on a container whose image is only known to be Redis via RemoteImage", () =>
    assertHasStackViolation(
      unknownValueProvenance,
      stack([
        { type: T.remoteImage, name: "img", props: { name: "redis:7.4" } },
        {
          type: T.container,
          name: "cache",
          props: { image: "sha256:" + "9".repeat(64), restart: "always" },
          propertyDependencies: { image: ["img"] },
        },
      ]),
      /without a password/,
    ));
});

describe("deferral contract", () => {
  const resourcePolicies = allPolicies.filter((p) => "validateResource" in p);
  it.each([
    ["Redis config upload", T.container, redisUnknownConf],
    ["API envs", T.container, { ...apiProps(), envs: secret(UNKNOWN) }],
    ["authToken", T.replicationGroup, { ...replicationGroupProps(), authToken: secret(UNKNOWN) }],
    [
      "subnetGroupName",
      T.replicationGroup,
      { ...replicationGroupProps(), subnetGroupName: UNKNOWN },
    ],
    [
      "securityGroupIds",
      T.replicationGroup,
      { ...replicationGroupProps(), securityGroupIds: [UNKNOWN] },
    ],
    [
      "user passwords",
      T.user,
      { userName: "app", accessString: "on ~* +@all", passwords: [secret(UNKNOWN)] },
    ],
    [
      "serverless subnets and security groups",
      T.serverless,
      {
        engine: "valkey",
        userGroupId: UNKNOWN,
        subnetIds: [UNKNOWN],
        securityGroupIds: [UNKNOWN],
        snapshotRetentionLimit: 1,
      },
    ],
    [
      "SecurityGroupIngressRule cidrIpv6",
      T.sgIngress,
      { ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv6: UNKNOWN },
    ],
    [
      "SecurityGroupRule ipv6CidrBlocks",
      T.sgRule,
      { type: "ingress", protocol: "tcp", fromPort: 6379, toPort: 6379, ipv6CidrBlocks: [UNKNOWN] },
    ],
  ])(
    "resource rules stay silent on a deferred unknown (%s), and the stack rule owns it",
    async (_, type, props) => {
      const resourceArgs = createResourceValidationArgs(type, props);
      for (const p of resourcePolicies) {
        expect(await runResourcePolicy(p, resourceArgs), p.name).toEqual([]);
      }
      expect(
        deferredUnknowns(type, asPolicySees(props), { redisPorts: [6379] }).length,
      ).toBeGreaterThan(0);
      await assertHasStackViolation(
        unknownValueProvenance,
        stack([{ type, name: "x", props }]),
        /unknown at preview/,
      );
    },
  );
});
