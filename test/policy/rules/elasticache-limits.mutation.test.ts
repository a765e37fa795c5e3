/**
 * elasticache-aws-limits on single fields: each unknown field at preview, a Valkey version AWS
 * does not offer against the same version on another engine, windows only when both are set,
 * and a subnet group with a subnet listed twice against the same group without the duplicate.
 */
import { describe, expect, it } from "vitest";
import { elasticacheAwsLimits } from "../../../policy/rules/elasticache-limits";
import { REPLICATION_GROUP, SUBNET_GROUP } from "../../../policy/lib/types";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { messagesOf } from "../util";

const good = {
  engine: "valkey",
  engineVersion: "8.0",
  snapshotWindow: "03:00-04:00",
  maintenanceWindow: "sun:05:00-sun:06:00",
};
const rg = (patch: Record<string, unknown>) =>
  messagesOf(elasticacheAwsLimits, REPLICATION_GROUP, { ...good, ...patch }, { name: "cache" });

describe("elasticache-aws-limits on a replication group", () => {
  it("passes the good group", async () => {
    expect(await rg({})).toEqual([]);
  });

  it.each(["engineVersion", "snapshotWindow", "maintenanceWindow"])(
    "asks for a literal %s when it is unknown at preview, once",
    async (field) => {
      const found = await rg({ [field]: UNKNOWN });
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(`\`${field}\` of ElastiCache replication group "cache"`);
      expect(found[0]).toContain(`set ${field} as a literal`);
    },
  );

  it("refuses a Valkey version AWS does not offer, and leaves other engines' versions alone", async () => {
    const valkey = await rg({ engineVersion: "6.2" });
    expect(valkey).toHaveLength(1);
    expect(valkey[0]).toMatch(/^ElastiCache replication group "cache": engineVersion .+\.$/);
    expect(await rg({ engine: "redis", engineVersion: "6.2" })).toEqual([]);
    expect(await rg({ engineVersion: 8 })).toEqual([]);
  });

  it("refuses overlapping windows only when both are set", async () => {
    const overlap = await rg({ snapshotWindow: "05:00-06:00" });
    expect(overlap.length).toBeGreaterThan(0);
    expect(overlap[0]).toMatch(
      /^ElastiCache replication group "cache": (snapshotWindow|maintenanceWindow) .+\.$/,
    );
    expect(await rg({ snapshotWindow: "05:00-06:00", maintenanceWindow: undefined })).toEqual([]);
    expect(
      await rg({ snapshotWindow: undefined, maintenanceWindow: "sun:03:00-sun:04:00" }),
    ).toEqual([]);
  });
});

describe("elasticache-aws-limits on a subnet group", () => {
  const sg = (subnetIds: unknown) =>
    messagesOf(elasticacheAwsLimits, SUBNET_GROUP, { subnetIds }, { name: "subnets" });

  it("refuses a subnet listed twice, naming it once, and passes the same group without it", async () => {
    expect(await sg(["subnet-a", "subnet-b", "subnet-a", "subnet-a"])).toEqual([
      'ElastiCache subnet group "subnets" lists subnet-a more than once, so it counts as two subnets while giving one AZ (and AWS refuses the duplicate). Fix: list each subnet once, from at least two AZs.',
    ]);
    expect(await sg(["subnet-a", "subnet-b"])).toEqual([]);
  });

  it("waits for known ids: an unknown entry or list is not judged", async () => {
    expect(await sg(["subnet-a", UNKNOWN, "subnet-a"])).toEqual([]);
    expect(await sg(UNKNOWN)).toEqual([]);
  });
});
