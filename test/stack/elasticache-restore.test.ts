/**
 * `redis.restoreFrom` under mocks: the snapshot reaches the replication group, the final
 * snapshot's name moves with the restore source, removing the block is ignored, and a production
 * stack refuses an unconfirmed restore before it registers anything.
 */
import { describe, expect, it } from "vitest";
import { RESTORE_FIELDS } from "../../components/elasticache-caches";
import { TYPES } from "../../components/types";
import { ProgramError, runProgram, type CapturedResource, type ProgramRun } from "../../gate";
import { one, reveal, runStack } from "../helpers/program";
import { printedByCli } from "./bad-config.helpers";
import { merge, stackObject } from "../helpers/stack-blocks";

type Props = Record<string, unknown>;
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const RANDOM_ID = "random:index/randomId:RandomId";
const SNAPSHOT = "api-stack-prod-elasticache-before-upgrade";
const ARN = "arn:aws:s3:::acme-cache-backups/valkey/dump.rdb";

/** prod-elasticache with its `redis` block changed by `patch`. */
function withRedis(patch: Props, more: Props = {}) {
  return runStack("prod-elasticache", {
    overrides: {
      "api-stack:redis": merge(stackObject("prod-elasticache", "redis"), patch),
      ...more,
    },
  });
}
const group = (run: ProgramRun): CapturedResource => one(run, RG, "cache-valkey");
const finalSnapshotId = (run: ProgramRun): CapturedResource =>
  one(run, RANDOM_ID, "cache-final-snapshot");

describe("restoring a replication group from a snapshot", () => {
  it("passes snapshotName to the ReplicationGroup and does not ignore it", async () => {
    const run = await withRedis({
      restoreFrom: { snapshotName: SNAPSHOT, confirmReplace: "prod-elasticache" },
    });
    const props = reveal(group(run).properties) as Props;
    expect(props.snapshotName).toBe(SNAPSHOT);
    expect(props.snapshotArns).toBeUndefined();
    expect(group(run).options.ignoreChanges).toEqual([]);
    // The component itself keeps `protect`: the user unprotects with `protectData: false`.
    expect(group(run).options.protect).toBe(true);
  });

  it("passes snapshotArns to the ReplicationGroup", async () => {
    const run = await withRedis({
      restoreFrom: { snapshotArns: [ARN], confirmReplace: "prod-elasticache" },
    });
    const props = reveal(group(run).properties) as Props;
    expect(props.snapshotArns).toEqual([ARN]);
    expect(props.snapshotName).toBeUndefined();
  });

  it("gives the final snapshot a suffix tied to the restore source", async () => {
    const run = await withRedis({
      restoreFrom: { snapshotArns: [ARN], confirmReplace: "prod-elasticache" },
    });
    const id = finalSnapshotId(run);
    expect(id.properties.keepers).toEqual({ restoreFrom: `snapshotArns:${ARN}` });
    expect(id.options.ignoreChanges).toEqual([]);
    expect((reveal(group(run).properties) as Props).finalSnapshotIdentifier).toBe(
      `api-stack-prod-elasticache-final-${String(id.state.hex)}`,
    );
  });

  it("without restoreFrom, sends no source and ignores the create-time fields", async () => {
    const run = await runStack("prod-elasticache");
    const props = reveal(group(run).properties) as Props;
    expect(props.snapshotName).toBeUndefined();
    expect(props.snapshotArns).toBeUndefined();
    expect(group(run).options.ignoreChanges).toEqual(RESTORE_FIELDS);
    expect(finalSnapshotId(run).properties.keepers).toBeUndefined();
    expect(finalSnapshotId(run).options.ignoreChanges).toEqual(["keepers"]);
  });

  it("takes a restore in development without confirmation", async () => {
    const run = await withRedis(
      { restoreFrom: { snapshotName: SNAPSHOT } },
      { "api-stack:environment": "development" },
    );
    expect((reveal(group(run).properties) as Props).snapshotName).toBe(SNAPSHOT);
  });
});

describe("an unconfirmed restore in production", () => {
  it("is refused by the config before any resource is registered", async () => {
    const error = await withRedis({ restoreFrom: { snapshotName: SNAPSHOT } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProgramError);
    const e = error as ProgramError;
    expect(e.resources).toEqual([]);
    const printed = printedByCli(e.cause);
    expect(printed).toContain("Pulumi.prod-elasticache.yaml has 1 configuration problem");
    expect(printed).toContain("`api-stack:redis.restoreFrom.confirmReplace` is required");
    expect(printed).toContain("aws elasticache create-snapshot --replication-group-id");
  });

  it("is refused by the component too, for programs that skip the config", async () => {
    const error = await runProgram({
      stack: "prod-elasticache",
      values: {},
      secretKeys: [],
      load: async () => {
        const { ElastiCacheValkey } = await import("../../components/elasticache-valkey");
        new ElastiCacheValkey("cache", {
          vpcId: "vpc-0abc",
          subnetIds: ["subnet-a", "subnet-b"],
          allowedSecurityGroupIds: ["sg-0api"],
          production: true,
          stack: "prod-elasticache",
          restoreFrom: { snapshotName: SNAPSHOT, confirmReplace: "prod" },
        });
        return {};
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProgramError);
    const e = error as ProgramError;
    expect(printedByCli(e.cause)).toContain(
      '`restoreFrom.confirmReplace` is "prod", but this stack is "prod-elasticache"',
    );
    // The check runs before the component creates its children: no cache, no security group.
    expect(e.resources.filter((r) => r.type !== TYPES.ElastiCacheValkey)).toEqual([]);
  });
});
