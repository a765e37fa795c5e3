import { describe, it } from "vitest";
import {
  elasticacheBackups,
  elasticacheHighAvailability,
} from "../../../policy/rules/elasticache-resilience";
import { UNKNOWN } from "../../../gate";
import { replicationGroupProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
} from "../util";

type Opts = Parameters<typeof args>[2];
const rg = (change: Record<string, unknown> = {}, opts?: Opts): ReturnType<typeof args> =>
  args(T.replicationGroup, { ...replicationGroupProps(), ...change }, opts);
const dev = { config: { production: false } };
const serverless = (change: Record<string, unknown> = {}, opts?: Opts): ReturnType<typeof args> =>
  args(T.serverless, { engine: "valkey", snapshotRetentionLimit: 3, ...change }, opts);

describe("elasticache-backups", () => {
  it("passes retention + final snapshot in prod, retention without final snapshot in dev", async () => {
    await assertNoResourceViolations(elasticacheBackups, rg());
    await assertNoResourceViolations(elasticacheBackups, serverless());
    await assertNoResourceViolations(
      elasticacheBackups,
      rg({ finalSnapshotIdentifier: undefined }, dev),
    );
    await assertNoResourceViolations(elasticacheBackups, rg({ finalSnapshotIdentifier: UNKNOWN }));
    await assertNoResourceViolations(
      elasticacheBackups,
      args(T.cluster, { replicationGroupId: "rg-1" }),
    );
  });
  it("refuses missing or zero retention (in dev too) and honours the configured minimum", async () => {
    await assertHasResourceViolation(
      elasticacheBackups,
      rg({ snapshotRetentionLimit: undefined }),
      /keeps no days/,
    );
    await assertHasResourceViolation(
      elasticacheBackups,
      rg({ snapshotRetentionLimit: 0 }, dev),
      /keeps 0 days/,
    );
    await assertHasResourceViolation(
      elasticacheBackups,
      serverless({ snapshotRetentionLimit: undefined }),
      /keeps no days/,
    );
    await assertHasResourceViolation(
      elasticacheBackups,
      serverless({}, { config: { minSnapshotRetentionDays: 7 } }),
      />= 7/,
    );
    await assertHasResourceViolation(
      elasticacheBackups,
      rg({ snapshotRetentionLimit: UNKNOWN }),
      /unknown at preview/,
    );
  });
  it("refuses a production replication group without a final snapshot", async () => {
    for (const finalSnapshotIdentifier of [undefined, "", "  "]) {
      await assertHasResourceViolation(
        elasticacheBackups,
        rg({ finalSnapshotIdentifier }),
        /no finalSnapshotIdentifier in production/,
      );
    }
  });
});

describe("elasticache-high-availability", () => {
  const devHa = { config: { minReplicas: 0, requireMultiAz: false } };
  it("passes 2 nodes with failover + Multi-AZ, cluster mode with replicas, and dev's single node", async () => {
    await assertNoResourceViolations(elasticacheHighAvailability, rg());
    await assertNoResourceViolations(
      elasticacheHighAvailability,
      rg({ numCacheClusters: undefined, numNodeGroups: 2, replicasPerNodeGroup: 1 }),
    );
    await assertNoResourceViolations(
      elasticacheHighAvailability,
      rg({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false }, devHa),
    );
    await assertNoResourceViolations(
      elasticacheHighAvailability,
      rg({ multiAzEnabled: false }, devHa),
    );
    await assertNoResourceViolations(elasticacheHighAvailability, serverless());
  });
  it("refuses a single node, missing failover and missing Multi-AZ in prod", async () => {
    await assertHasResourceViolation(
      elasticacheHighAvailability,
      rg({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false }),
      /0 replica\(s\).*at least 1/,
    );
    await assertHasResourceViolation(
      elasticacheHighAvailability,
      rg({ numCacheClusters: undefined, automaticFailoverEnabled: undefined }),
      /0 replica/,
    );
    await assertHasResourceViolation(
      elasticacheHighAvailability,
      rg({ automaticFailoverEnabled: false }),
      /automaticFailoverEnabled is not true/,
    );
    await assertHasResourceViolation(
      elasticacheHighAvailability,
      rg({ multiAzEnabled: undefined }),
      /does not set multiAzEnabled/,
    );
    await assertHasResourceViolation(
      elasticacheHighAvailability,
      rg({ numCacheClusters: undefined, numNodeGroups: 3 }),
      /0 replica/,
    );
    await assertHasResourceViolation(
      elasticacheHighAvailability,
      rg({ numCacheClusters: 2 }, { config: { minReplicas: 2 } }),
      /at least 2/,
    );
  });
  it("refuses unknown node counts or failover flags", async () => {
    for (const f of ["numCacheClusters", "automaticFailoverEnabled", "multiAzEnabled"]) {
      await assertHasResourceViolation(
        elasticacheHighAvailability,
        rg({ [f]: UNKNOWN }),
        new RegExp(`\`${f}\`.*unknown at preview`),
      );
    }
  });
});
