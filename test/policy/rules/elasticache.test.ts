import { describe, it } from "vitest";
import {
  elasticacheAuthRequired,
  elasticacheBackups,
  elasticacheEncryption,
  elasticacheEngine,
  elasticacheNoStandaloneCluster,
} from "../../../policy/rules/elasticache";
import { UNKNOWN } from "../../../scripts/lib/analyzer-encode";
import { replicationGroupProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
} from "../util";

const rg = (change: Record<string, unknown> = {}): ReturnType<typeof args> =>
  args(T.replicationGroup, { ...replicationGroupProps(), ...change });

describe("elasticache-encryption", () => {
  it("passes at-rest + required TLS, and valkey's default at-rest", async () => {
    await assertNoResourceViolations(elasticacheEncryption, rg());
    await assertNoResourceViolations(
      elasticacheEncryption,
      rg({ atRestEncryptionEnabled: undefined, transitEncryptionMode: undefined }),
    );
  });
  it.each([
    [{ transitEncryptionEnabled: false }, /does not use TLS/],
    [{ transitEncryptionMode: "preferred" }, /"preferred"/],
    [{ engine: "redis", atRestEncryptionEnabled: undefined }, /at rest/],
    [{ atRestEncryptionEnabled: false }, /at rest/],
    [{ transitEncryptionEnabled: UNKNOWN }, /unknown at preview/],
  ])("refuses %j", (change, message) =>
    assertHasResourceViolation(elasticacheEncryption, rg(change), message),
  );
});

describe("elasticache-auth-required", () => {
  it("passes authToken, user groups, unknown tokens and password users", async () => {
    await assertNoResourceViolations(elasticacheAuthRequired, rg());
    await assertNoResourceViolations(
      elasticacheAuthRequired,
      rg({ authToken: undefined, userGroupIds: ["ug-1"] }),
    );
    await assertNoResourceViolations(elasticacheAuthRequired, rg({ authToken: UNKNOWN }));
    await assertNoResourceViolations(
      elasticacheAuthRequired,
      args(T.user, { authenticationMode: { type: "iam" } }),
    );
  });
  it("refuses no auth, serverless without user group, passwordless users", async () => {
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      rg({ authToken: undefined }),
      /neither authToken nor userGroupIds/,
    );
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      args(T.serverless, { engine: "valkey" }),
      /no userGroupId/,
    );
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      args(T.user, { noPasswordRequired: true }),
      /needs no password/,
    );
  });
});

describe("elasticache-backups", () => {
  it("passes retention in prod and none in dev", async () => {
    await assertNoResourceViolations(elasticacheBackups, rg());
    await assertNoResourceViolations(
      elasticacheBackups,
      args(T.replicationGroup, { snapshotRetentionLimit: 0 }, { config: { production: false } }),
    );
  });
  it("refuses missing retention in prod and honours the configured minimum", async () => {
    await assertHasResourceViolation(
      elasticacheBackups,
      rg({ snapshotRetentionLimit: undefined }),
      /keeps no days/,
    );
    await assertHasResourceViolation(
      elasticacheBackups,
      args(
        T.serverless,
        { snapshotRetentionLimit: 3 },
        { config: { minSnapshotRetentionDays: 7 } },
      ),
      />= 7/,
    );
  });
});

describe("elasticache-engine", () => {
  it("passes valkey, redis and the replication group default", async () => {
    await assertNoResourceViolations(elasticacheEngine, rg());
    await assertNoResourceViolations(elasticacheEngine, rg({ engine: undefined }));
    await assertNoResourceViolations(elasticacheEngine, args(T.serverless, { engine: "redis" }));
  });
  it("refuses memcached and a missing serverless engine", async () => {
    await assertHasResourceViolation(elasticacheEngine, rg({ engine: "memcached" }), /memcached/);
    await assertHasResourceViolation(elasticacheEngine, args(T.serverless, {}), /unset/);
  });
});

describe("elasticache-no-standalone-cluster", () => {
  it("passes replication-group members", () =>
    assertNoResourceViolations(
      elasticacheNoStandaloneCluster,
      args(T.cluster, { replicationGroupId: "rg-1" }),
    ));
  it("refuses a standalone redis/valkey node", async () => {
    await assertHasResourceViolation(
      elasticacheNoStandaloneCluster,
      args(T.cluster, { engine: "valkey" }),
      /standalone valkey/,
    );
    await assertHasResourceViolation(
      elasticacheNoStandaloneCluster,
      args(T.cluster, { engine: "redis", replicationGroupId: UNKNOWN }),
      /unknown at preview/,
    );
  });
});
