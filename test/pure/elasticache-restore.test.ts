/**
 * `redis.restoreFrom` in the config, without a program: which sources the schema takes, and
 * when a restore, which replaces an existing replication group, counts as confirmed.
 */
import { describe, expect, it } from "vitest";
import { restoreProblem } from "../../components/elasticache-valkey";
import { ConfigError, parseStackConfig, type StackConfig } from "../../stacks/config";
import { s3ArnProblem, snapshotNameProblem } from "../../stacks/config/managed";
import { MINIMAL_API, MINIMAL_ELASTICACHE } from "../helpers/minimal-config";

const API = MINIMAL_API;
const CACHE = MINIMAL_ELASTICACHE;

function parse(stack: string, production: boolean, redis: object): StackConfig {
  return parseStackConfig({
    stack,
    values: {
      "api-stack:environment": production ? "production" : "development",
      "api-stack:api": JSON.stringify(API),
      "api-stack:redis": JSON.stringify({ ...CACHE, ...redis }),
    },
    secretKeys: [],
  });
}

function problems(stack: string, production: boolean, redis: object): string[] {
  try {
    parse(stack, production, redis);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
}

describe("S3 ARNs of RDB files", () => {
  it.each([
    "arn:aws:s3:::acme-cache-backups/dump.rdb",
    "arn:aws:s3:::acme.cache.backups/valkey/2025-01-01/dump.rdb",
    "arn:aws-cn:s3:::acme-backups/dump.rdb",
    "arn:aws-us-gov:s3:::acme-backups/dump.rdb",
    "arn:aws-iso-b:s3:::acme-backups/dump.rdb",
    "arn:aws:s3:::abc/a",
  ])("accepts %s", (arn) => expect(s3ArnProblem(arn)).toBeUndefined());

  it.each([
    ["s3://acme-backups/dump.rdb", /is an S3 URL: write it as an ARN, "arn:aws:s3:::acme-backups/],
    ["arn:aws:elasticache:eu-central-1:123456789012:snapshot:nightly", /snapshotName/],
    ["arn:amazon:s3:::acme-backups/dump.rdb", /partition "amazon"/],
    ["arn:aws:s3:eu-central-1:123456789012:acme-backups/dump.rdb", /names a region or account/],
    ["arn:aws:s3:::Acme-Backups/dump.rdb", /bucket "Acme-Backups"/],
    ["arn:aws:s3:::acme..backups/dump.rdb", /bucket "acme..backups"/],
    ["arn:aws:s3:::ab/dump.rdb", /bucket "ab"/],
    ["arn:aws:s3:::acme-backups/", /names a bucket or a folder/],
    ["arn:aws:s3:::acme-backups/valkey/", /names a bucket or a folder/],
    ["arn:aws:s3:::acme-backups/dump,1.rdb", /comma/],
    ["arn:aws:s3:::acme-backups", /not an S3 object ARN/],
    ["acme-backups/dump.rdb", /not an S3 object ARN/],
  ])("refuses %s", (arn, why) => expect(s3ArnProblem(arn)).toMatch(why));
});

describe("snapshot names", () => {
  it.each([
    "api-stack-prod-before-upgrade",
    // No pattern is documented for snapshot names, so dots and digits are not refused.
    "automatic.cache-valkey-1a2b3c4-2025-01-01-03-00",
    "api-stack-prod-final-0a1b2c3d",
    "x".repeat(255),
  ])("accepts %s", (name) => expect(snapshotNameProblem(name)).toBeUndefined());

  it.each([
    ["", /is empty/],
    ["x".repeat(256), /256 characters long: ElastiCache snapshot names have 1–255/],
    ["arn:aws:elasticache:eu-central-1:123456789012:snapshot:nightly", /is an ARN/],
    ["arn:aws:s3:::acme-backups/dump.rdb", /snapshotArns/],
    ["s3://acme-backups/dump.rdb", /snapshotArns/],
    ["before upgrade", /whitespace/],
    ["nightly\n", /whitespace/],
  ])("refuses %j", (name, why) => expect(snapshotNameProblem(name)).toMatch(why));
});

describe("when a restore is confirmed", () => {
  const source = { snapshotName: "nightly" };
  it("needs exactly one source", () => {
    expect(restoreProblem({}, false, "dev")?.message).toMatch(/exactly one .* \(got neither\)/);
    expect(
      restoreProblem({ snapshotName: "a", snapshotArns: ["arn:aws:s3:::b/c"] }, false, "dev")
        ?.message,
    ).toMatch(/\(got both\)/);
  });
  it("needs nothing more in development", () => {
    expect(restoreProblem(source, false, "dev")).toBeUndefined();
  });
  it("needs the stack's own name in production", () => {
    const missing = restoreProblem(source, true, "prod");
    expect(missing?.key).toBe("restoreFrom.confirmReplace");
    expect(missing?.message).toMatch(/^is required in production, because `restoreFrom` replaces/);
    expect(missing?.message).toContain("confirmReplace prod`");
    expect(restoreProblem({ ...source, confirmReplace: "prod" }, true, "prod")).toBeUndefined();
  });
  it("never takes another stack's name, in any environment", () => {
    for (const production of [false, true])
      expect(
        restoreProblem({ ...source, confirmReplace: "prod" }, production, "prod-eu")?.message,
      ).toMatch(/^is "prod", but this stack is "prod-eu"/);
    // Case matters: stack names are case-sensitive, and a near miss is not a confirmation.
    expect(restoreProblem({ ...source, confirmReplace: "Prod" }, true, "prod")).toBeDefined();
  });
});

describe("redis.restoreFrom in a stack file", () => {
  it("reaches the component's args as written", () => {
    const restoreFrom = { snapshotName: "nightly", confirmReplace: "prod" };
    const cfg = parse("prod", true, { restoreFrom });
    if (cfg.redis.mode !== "elasticache") throw new Error("expected redis.mode elasticache");
    expect(cfg.redis.restoreFrom).toEqual(restoreFrom);
  });

  it("is refused in production without confirmation, naming the key and the fix", () => {
    expect(problems("prod", true, { restoreFrom: { snapshotName: "nightly" } })).toEqual([
      expect.stringMatching(
        /^`api-stack:redis\.restoreFrom\.confirmReplace` is required in production.*aws elasticache create-snapshot --replication-group-id.*pulumi config set --path redis\.restoreFrom\.confirmReplace prod`/s,
      ),
    ]);
  });

  it("takes an all-digit stack name that `pulumi config set --path` stored as a number", () => {
    expect(
      problems("2024", true, { restoreFrom: { snapshotName: "nightly", confirmReplace: 2024 } }),
    ).toEqual([]);
  });

  it.each([
    [{}, "`api-stack:redis.restoreFrom` needs a source"],
    [{ snapshotArns: [] }, "`api-stack:redis.restoreFrom.snapshotArns` must list at least 1 entry"],
    [
      { snapshotArns: ["arn:aws:s3:::b-1/x.rdb", "arn:aws:s3:::b-1/x.rdb"] },
      '`api-stack:redis.restoreFrom.snapshotArns` lists "arn:aws:s3:::b-1/x.rdb" twice',
    ],
    [{ snapshot: "nightly" }, "`api-stack:redis.restoreFrom.snapshot` is not a known key"],
  ])("refuses %j", (restoreFrom, expected) => {
    expect(problems("dev", false, { restoreFrom }).join("\n")).toContain(expected);
  });

  it("is refused on a serverless cache", () => {
    expect(
      problems("dev", false, { flavour: "serverless", restoreFrom: { snapshotName: "nightly" } }),
    ).toEqual([expect.stringContaining("`api-stack:redis.restoreFrom` applies to replication")]);
  });
});
