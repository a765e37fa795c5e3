/**
 * The backup scripts' renderers refuse what would break the shell, and the restore's `latest`
 * recognises a drop; the scripts themselves run on real binaries in test/real and test/docker.
 */
import { describe, expect, it } from "vitest";
import { dropBefore } from "../../backup/restore";
import { renderBackupScript, renderOffsiteScript } from "../../components/lib/backup-script";

const BACKUP = {
  engine: "redis" as const,
  host: "redis",
  port: 6379,
  user: "backup",
  everySeconds: 240,
  keep: 48,
};
const OFFSITE = {
  bucket: "acme-redis-backups",
  prefix: "prod/",
  region: "eu-central-1",
  serverSideEncryption: "AES256" as const,
  everySeconds: 240,
};

describe("renderBackupScript", () => {
  it("renders the schedule and names the engine's own tools", () => {
    const s = renderBackupScript(BACKUP);
    expect(s).toMatch(/^EVERY=240$/m);
    expect(s).toMatch(/^KEEP=48$/m);
    expect(s).toMatch(/^CLI=redis-cli$/m);
    expect(renderBackupScript({ ...BACKUP, engine: "valkey" })).toMatch(
      /^CHECK=valkey-check-rdb$/m,
    );
  });

  it.each([
    ["everySeconds 4", { everySeconds: 4 }, /everySeconds/],
    ["keep 0", { keep: 0 }, /keep/],
    ["a host with a space", { host: "redis; rm -rf /" }, /host/],
    ["a relative dir", { dir: "data" }, /path/],
  ])("refuses %s", (_label, patch, message) => {
    expect(() => renderBackupScript({ ...BACKUP, ...patch })).toThrow(message);
  });
});

describe("renderOffsiteScript", () => {
  it("asks for S3-managed encryption by default, and KMS with a key when told", () => {
    expect(renderOffsiteScript(OFFSITE)).toContain("--sse AES256");
    const kms = renderOffsiteScript({
      ...OFFSITE,
      serverSideEncryption: "aws:kms",
      kmsKeyId: "alias/x",
    });
    expect(kms).toContain("--sse aws:kms --sse-kms-key-id alias/x");
    expect(renderOffsiteScript({ ...OFFSITE, serverSideEncryption: "none" })).not.toContain(
      "--sse",
    );
  });

  it("sends checksums only when required to a store that is not AWS", () => {
    expect(renderOffsiteScript(OFFSITE)).not.toContain("AWS_REQUEST_CHECKSUM_CALCULATION");
    const other = renderOffsiteScript({ ...OFFSITE, endpoint: "https://s3.example.com" });
    expect(other).toMatch(/^export AWS_REQUEST_CHECKSUM_CALCULATION=when_required$/m);
    expect(other).toContain("--endpoint-url https://s3.example.com");
  });

  it.each([
    ["a bucket with capitals", { bucket: "Acme" }, /bucket/],
    ["a prefix without its slash", { prefix: "prod" }, /prefix/],
    ["a region with a quote", { region: "eu'west" }, /must match/],
  ])("refuses %s", (_label, patch, message) => {
    expect(() => renderOffsiteScript({ ...OFFSITE, ...patch })).toThrow(message);
  });
});

describe("dropBefore (restore --from latest)", () => {
  const rows = (...sizes: [number, number][]) =>
    sizes.map(([keys, bytes], i) => ({ name: `s${i}`, keys, bytes }));

  it("finds the newest older snapshot the latest holds under a tenth of", () => {
    expect(dropBefore(rows([0, 90], [0, 90], [530, 9e4], [530, 9e4]))?.before.name).toBe("s2");
    expect(dropBefore(rows([3, 200], [40, 800]))?.before.name).toBe("s1");
    // Against the latest, not the newest in between (docs/backups.md says so).
    expect(dropBefore(rows([100, 1e4], [500, 5e4], [2000, 2e5]))?.before.name).toBe("s2");
  });

  it("sees a queue in one hash emptied by its bytes, though its key count hardly moves", () => {
    expect(dropBefore(rows([2, 300], [3, 9_000_000]))?.before.name).toBe("s1");
  });

  it("ignores bytes under 4 KiB, where an RDB's header dominates", () => {
    expect(dropBefore(rows([1, 100], [1, 4000]))).toBeUndefined();
  });

  it("sees no drop in a steady or growing dataset, or a shrink to a tenth or more", () => {
    expect(dropBefore(rows([530, 9e4], [530, 9e4], [500, 8e4]))).toBeUndefined();
    expect(dropBefore(rows([600, 1e5], [530, 9e4], [0, 90]))).toBeUndefined();
    expect(dropBefore(rows([53, 9e3], [530, 9e4]))).toBeUndefined();
    expect(dropBefore(rows([0, 90]))).toBeUndefined();
  });
});
