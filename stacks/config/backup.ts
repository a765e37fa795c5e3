/**
 * `redis.backup` (a local Redis's scheduled snapshots) and `redis.backup.offsite` (their copies
 * in an S3-compatible bucket). The output is `LocalRedisBackupArgs`' shape less the offsite
 * credentials, which are the secrets `backupAccessKeyId` and `backupSecretAccessKey`. The
 * defaults are the component's (components/redis-backup.ts).
 */
import { z } from "zod";
import { REDIS_BACKUP_DEFAULTS as D } from "../../components/redis-backup";
import { cliNumber, duration, image, seconds, type Issue } from "./fields";

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const offsiteSchema = z
  .strictObject({
    // Amazon S3 User Guide, "General purpose bucket naming rules": 3–63 of a-z, 0-9, "." and
    // "-", a letter or digit at each end, no "..".
    bucket: z
      .string({ error: 'is required: the bucket\'s name, e.g. "acme-redis-backups"' })
      .refine((b) => BUCKET.test(b) && !b.includes(".."), {
        error:
          "must be an S3 bucket name: 3–63 characters of a-z, 0-9, . and -, starting and ending with a letter or digit",
      }),
    prefix: z
      .string()
      .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, {
        error: 'must be "" or folders ending in "/", e.g. "prod/redis/"',
      })
      .default(D.offsite.prefix),
    region: z
      .string({ error: 'is required: the bucket\'s region, e.g. "eu-central-1"' })
      .regex(/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$|^auto$/, {
        error: 'must be a region such as "eu-central-1" (or "auto" for stores that use it)',
      }),
    endpoint: z
      .url({
        protocol: /^https?$/,
        error: 'must be an http(s) URL such as "https://s3.example.com"',
      })
      .optional(),
    serverSideEncryption: z
      .enum(["AES256", "aws:kms", "none"], {
        error: 'must be "AES256" (S3-managed keys), "aws:kms" or "none"',
      })
      .default(D.offsite.serverSideEncryption),
    kmsKeyId: z
      .string()
      .regex(/^[A-Za-z0-9:/_-]+$/, { error: "must be a KMS key id, alias or ARN" })
      .optional(),
    image: image().prefault(D.offsite.image),
  })
  .superRefine((o, ctx) => {
    if (o.kmsKeyId !== undefined && o.serverSideEncryption !== "aws:kms") {
      ctx.addIssue({
        code: "custom",
        path: ["kmsKeyId"],
        message: `is used only with \`serverSideEncryption: "aws:kms"\`, not "${o.serverSideEncryption}": set that, or remove the key`,
      });
    }
  });

export const backupSchema = z
  .strictObject({
    every: duration(seconds(D.everyMs))
      .prefault(seconds(D.everyMs))
      .refine((ms) => ms >= 5_000 && ms % 1_000 === 0, {
        error: 'must be whole seconds, at least "5s"',
      }),
    keep: cliNumber(z.number().int().min(1).max(10_000)).default(D.keep),
    memoryMb: cliNumber(z.number().int().min(16)).default(D.memoryMb),
    offsite: offsiteSchema.optional(),
  })
  .transform(({ every, ...rest }) => ({ ...rest, everyMs: every }));

export type BackupConfig = z.output<typeof backupSchema>;

/** The secrets an offsite copy needs, by key. */
export const OFFSITE_SECRET_KEYS = ["backupAccessKeyId", "backupSecretAccessKey"] as const;

/**
 * The rules that span keys: production keeps snapshots of a local Redis; the offsite
 * credentials are set exactly when there is an offsite block.
 */
export function checkBackup(
  redis: { mode: string; backup?: BackupConfig },
  present: Readonly<Record<(typeof OFFSITE_SECRET_KEYS)[number], boolean>>,
  prod: boolean,
  issue: Issue,
): void {
  if (redis.mode !== "local") {
    return;
  }
  if (prod && redis.backup === undefined) {
    issue(
      ["redis", "backup"],
      'is required in production with `redis.mode: local`: a protected volume does not survive a lost disk or a FLUSHALL; add `backup: { every: "4m", keep: 48, offsite: { bucket: …, region: … } }` (docs/backups.md)',
    );
  }
  const offsite = redis.backup?.offsite !== undefined;
  for (const key of OFFSITE_SECRET_KEYS) {
    if (offsite && !present[key]) {
      issue(
        [key],
        `is required with \`redis.backup.offsite\`: run \`pulumi config set --secret ${key} <value>\``,
      );
    } else if (!offsite && present[key]) {
      issue(
        [key],
        "is set but there is no `redis.backup.offsite` block: add one, or remove the key",
      );
    }
  }
}
