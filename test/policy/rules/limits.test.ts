import { describe, it } from "vitest";
import { elasticacheAwsLimits } from "../../../policy/rules/elasticache-limits";
import { containerDockerLimits } from "../../../policy/rules/lifecycle";
import { UNKNOWN } from "../../../gate";
import { apiProps, replicationGroupProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
} from "../util";

const api = (change: Record<string, unknown>) => ({ ...apiProps(), ...change });
const rg = (change: Record<string, unknown>) => ({ ...replicationGroupProps(), ...change });

describe("container-docker-limits", () => {
  it("passes a real stop timeout and cpus from 0.01 up", async () => {
    await assertNoResourceViolations(
      containerDockerLimits,
      args(T.container, api({ cpus: "0.5" })),
    );
    await assertNoResourceViolations(
      containerDockerLimits,
      args(T.container, api({ cpus: "0.01" })),
    );
  });
  it("refuses stopTimeout 0 (unset to the provider) and cpus under the CFS minimum", async () => {
    await assertHasResourceViolation(
      containerDockerLimits,
      args(T.container, api({ stopTimeout: 0 })),
      /reads as unset, so Docker's 10 s/,
    );
    await assertHasResourceViolation(
      containerDockerLimits,
      args(T.container, api({ cpus: "0.005" })),
      /1 ms minimum per 100 ms period/,
    );
  });
});

describe("elasticache-aws-limits", () => {
  it("passes the program's replication group and subnet group", async () => {
    await assertNoResourceViolations(elasticacheAwsLimits, args(T.replicationGroup, rg({})));
    await assertNoResourceViolations(
      elasticacheAwsLimits,
      args(T.subnetGroup, { subnetIds: ["subnet-a", "subnet-b"] }),
    );
  });
  it.each([
    [{ snapshotWindow: "25:00-26:00" }, /snapshotWindow .*hour 25 is not 00-23/],
    [{ snapshotWindow: "03:00-03:30" }, /30 minutes long/],
    [{ maintenanceWindow: "sun:05:00-sun:05:30" }, /maintenanceWindow .*30 minutes long/],
    [{ snapshotWindow: "05:30-06:30" }, /overlaps the maintenance window/],
    [{ engineVersion: "6.2" }, /"valkey6", which ElastiCache does not have/],
  ])("refuses %j", async (change, message) => {
    await assertHasResourceViolation(
      elasticacheAwsLimits,
      args(T.replicationGroup, rg(change)),
      message,
    );
  });
  it("refuses a subnet listed twice, and reports an unknown window instead of going silent", async () => {
    await assertHasResourceViolation(
      elasticacheAwsLimits,
      args(T.subnetGroup, { subnetIds: ["subnet-a", "subnet-a"] }),
      /lists subnet-a more than once/,
    );
    await assertHasResourceViolation(
      elasticacheAwsLimits,
      args(T.replicationGroup, rg({ snapshotWindow: UNKNOWN })),
      /snapshotWindow/,
    );
  });
});
