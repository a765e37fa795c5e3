import { describe, it } from "vitest";
import { elasticacheSecurityGroups } from "../../../policy/rules/elasticache-network";
import { UNKNOWN } from "../../../gate";
import { replicationGroupProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
} from "../util";

const rg = (change: Record<string, unknown> = {}): ReturnType<typeof args> =>
  args(T.replicationGroup, { ...replicationGroupProps(), ...change });
const serverless = (change: Record<string, unknown> = {}): ReturnType<typeof args> =>
  args(T.serverless, { engine: "valkey", securityGroupIds: ["sg-1"], ...change });

describe("elasticache-security-groups", () => {
  it("passes literal ids, and unknown ids (deferred to unknown-value-provenance)", async () => {
    await assertNoResourceViolations(elasticacheSecurityGroups, rg());
    await assertNoResourceViolations(elasticacheSecurityGroups, serverless());
    await assertNoResourceViolations(
      elasticacheSecurityGroups,
      rg({ securityGroupIds: [UNKNOWN] }),
    );
    await assertNoResourceViolations(
      elasticacheSecurityGroups,
      serverless({ securityGroupIds: UNKNOWN }),
    );
    await assertNoResourceViolations(
      elasticacheSecurityGroups,
      args(T.cluster, { replicationGroupId: "rg-1" }),
    );
  });
  it("refuses missing or empty security groups (the VPC default group) on every cache type", async () => {
    await assertHasResourceViolation(
      elasticacheSecurityGroups,
      rg({ securityGroupIds: undefined }),
      /no securityGroupIds.*default security group/,
    );
    await assertHasResourceViolation(
      elasticacheSecurityGroups,
      serverless({ securityGroupIds: [] }),
      /no securityGroupIds/,
    );
    await assertHasResourceViolation(
      elasticacheSecurityGroups,
      args(T.cluster, { engine: "valkey" }),
      /no securityGroupIds/,
    );
    await assertHasResourceViolation(
      elasticacheSecurityGroups,
      rg({ securityGroupIds: ["default"] }),
      /"default" security group/,
    );
  });
  it("refuses an unknown cache port, which the exposure rules could not check", () =>
    assertHasResourceViolation(
      elasticacheSecurityGroups,
      rg({ port: UNKNOWN }),
      /`port`.*unknown at preview/,
    ));
});
