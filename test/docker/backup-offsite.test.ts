/**
 * Offsite copies on the real engine, against an S3 endpoint on this machine (s3rver behind a
 * SigV4 check, test/docker/s3.ts): every snapshot and its manifest reach the bucket with
 * server-side encryption asked for, a restore from the offsite copy works, and wrong
 * credentials fail the deploy loudly without touching the local snapshots.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { OFFSITE_PATHS } from "../../components/lib/backup-script";
import {
  admin as adminCli,
  backupNow,
  listSnapshots,
  restore,
  type Containers,
} from "../../backup";
import { execIn } from "../../backup/docker";
import { ApplyError } from "./applier";
import {
  engine,
  FAST,
  firstUp,
  nextUp,
  outputsOf,
  requireImages,
  teardown,
  type Deployment,
} from "./harness";
import { describeDocker } from "./layer";
import { start, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, type S3Endpoint } from "./s3";

describeDocker("offsite backups to S3 (prod, layer 5)", () => {
  let d: Deployment | undefined;
  let s3: S3Endpoint;
  let c: Containers;
  let adminPassword: string;
  const docker = engine();
  const options = (secret: string) => ({
    ...FAST,
    workers: null,
    redis: {
      ...FAST.redis,
      backup: {
        every: "5s",
        // Enough that pruning removes nothing while the failed deploy waits (about 80 s).
        keep: 50,
        offsite: {
          bucket: s3.bucket,
          region: s3.region,
          endpoint: s3.endpointFromContainers,
          prefix: "prod/",
        },
      },
    },
    secrets: {
      "api-stack:backupAccessKeyId": S3_ACCESS_KEY_ID,
      "api-stack:backupSecretAccessKey": secret,
    },
  });
  const admin = async (args: string[]) =>
    (await adminCli(docker, c.redis, "redis", adminPassword, args)).trim();
  const local = async () => (await listSnapshots(docker, c.backup)).map((r) => r.name);

  beforeAll(async () => {
    await requireImages(docker);
    s3 = await start();
    d = await firstUp("prod", options(S3_SECRET_ACCESS_KEY));
    c = {
      redis: d.applier.physicalName("cache-server"),
      backup: d.applier.physicalName("cache-backup-snapshotter"),
      offsite: d.applier.physicalName("cache-backup-offsite"),
      writers: [d.applier.physicalName("api-server"), d.applier.physicalName("api-server-2")],
    };
    adminPassword = new URL((await outputsOf(d.run)).redisAdminUrl as string).password;
  }, 300_000);

  afterAll(async () => {
    await teardown(d);
    await s3?.stop();
  }, 180_000);

  test("every snapshot and its manifest reach the bucket, byte for byte, with SSE asked for", async () => {
    await backupNow(docker, c, () => undefined);
    // The loop uploads what the schedule takes within its next pass (every 10 s).
    const names = await local();
    const want = names.flatMap((n) => [`prod/${n}.rdb`, `prod/${n}.json`]);
    let keys: string[] = [];
    for (let i = 0; i < 60; i++) {
      keys = await s3.listKeys("prod/");
      if (want.every((k) => keys.includes(k))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const n of names) {
      expect(keys).toContain(`prod/${n}.rdb`);
      expect(keys).toContain(`prod/${n}.json`);
    }
    const newest = names[0] as string;
    const manifest = JSON.parse(String(await s3.getObject(`prod/${newest}.json`))) as {
      sha256: string;
    };
    const rdb = (await s3.getObject(`prod/${newest}.rdb`)) as Buffer;
    expect(createHash("sha256").update(rdb).digest("hex")).toBe(manifest.sha256);
    const puts = s3.requests.filter((r) => r.method === "PUT" && r.path.endsWith(".rdb"));
    expect(puts.length).toBeGreaterThan(0);
    for (const p of puts) {
      expect(p.refused).toBeNull();
      expect(p.headers["x-amz-server-side-encryption"]).toBe("AES256");
    }
    console.log(`[offsite] ${names.length} local snapshot(s), ${keys.length} objects under prod/`);
  }, 120_000);

  test("restore from an offsite copy brings back what it holds", async () => {
    await admin(["SET", "marker", "before-offsite-backup"]);
    // Named: the schedule (every 5 s) may upload a newer copy, with "after", meanwhile.
    const name = (await backupNow(docker, c, () => undefined)).replace(/\.rdb$/, "");
    await admin(["SET", "marker", "after"]);
    // What offsite:latest checks for a drop: each copy's keys and bytes, from its manifest.
    const listed = await execIn(docker, c.offsite!, ["sh", OFFSITE_PATHS.script, "manifests", "5"]);
    expect(listed.stdout.trim().split("\n")[0]).toMatch(/^redis-\d{8}T\d{6}Z \d+ \d+$/);
    const out: string[] = [];
    await restore(docker, c, { from: `offsite:${name}`, adminPassword, log: (l) => out.push(l) });
    console.log(`[offsite restore] ${out.join("\n[offsite restore] ")}`);
    expect(out[0]).toMatch(/locate .* offsite\/redis-/);
    expect(await admin(["GET", "marker"])).toBe("before-offsite-backup");
  }, 300_000);

  test("after a FLUSHALL, offsite:latest is refused and names the copy from before it", async () => {
    expect(Number(await admin(["DBSIZE"]))).toBeGreaterThan(0);
    await admin(["FLUSHALL"]);
    await backupNow(docker, c, () => undefined);
    const attempt = restore(docker, c, {
      from: "offsite:latest",
      adminPassword,
      log: () => undefined,
    });
    await expect(attempt).rejects.toThrow(
      /latest is offsite:redis-\S+ \(0 keys.*under a tenth of offsite:redis-\S+ before it.*nothing was changed/s,
    );
  }, 120_000);

  test("wrong credentials fail the deploy loudly and delete no local snapshot", async () => {
    const before = await local();
    const attempt = nextUp(d!, options("wrong-secret-wrong-secret-wrong-secret-0"));
    await expect(attempt).rejects.toThrow(ApplyError);
    await expect(attempt).rejects.toThrow(/cache-backup-offsite.*healthy state/s);
    const offsite = d!.applier.physicalName("cache-backup-offsite");
    const logs = String(await docker.getContainer(offsite).logs({ stdout: true, stderr: true }));
    expect(logs).toMatch(/cannot list s3:\/\/.*SignatureDoesNotMatch/s);
    const after = await local();
    for (const n of before) expect(after).toContain(n);
  }, 300_000);
});
