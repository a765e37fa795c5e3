/**
 * The managed Redis back ends' part of the stack schema: AWS ElastiCache (Valkey) and an
 * external `rediss://` URL such as Aiven's. Composed into the one schema in schema.ts. The
 * defaults are the component's (components/elasticache-valkey.ts); those that depend on the
 * environment (`numCacheClusters`, `snapshotRetentionLimit`, `protectData`) stay unset here and
 * the component resolves them from `production`.
 */
import { z } from "zod";
import {
  ELASTICACHE_VALKEY_DEFAULTS as D,
  restoreProblem,
  type ElastiCacheRestoreArgs,
} from "../../components/elasticache-valkey";
import { quietWeakSecretReason as weakSecretReason } from "../../policy/lib/secrets";
import { cidrsCoverEverything, engineFamily, windowProblems } from "../../policy/lib/aws-limits";
import { awsId, cliNumber, distinct, logRetentionDays, port, PROJECT } from "./fields";

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

const cidr = z.string().superRefine((value, ctx) => {
  const [ip, bits, extra] = value.split("/");
  const v4 = z.ipv4().safeParse(ip).success;
  const v6 = z.ipv6().safeParse(ip).success;
  const n = Number(bits);
  if (extra !== undefined || !(v4 || v6) || !Number.isInteger(n) || n < 0 || n > (v4 ? 32 : 128)) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a CIDR block such as "10.0.0.0/16"`,
    });
  } else if (WORLD.has(`${ip}/${n}`) || n === 0) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" opens Redis to the whole internet: allow the API's security group or your VPC's CIDR instead`,
    });
  }
});

/**
 * An RDB file in S3 as ElastiCache takes it: "arn:<partition>:s3:::<bucket>/<key>". The partition
 * is terraform-provider-aws's (internal/verify, partitionRegexp `^aws(-[a-z]+)*$`, which
 * snapshot_arns' ValidARN applies); an S3 object's ARN has no region and no account; the bucket
 * follows the Amazon S3 User Guide's general purpose bucket naming rules (3–63 of a-z, 0-9, "."
 * and "-", a letter or digit at each end, no ".."); the key may hold no comma (the provider's
 * StringDoesNotContainAny(","); @pulumi/aws 7.48.0's snapshotArns: "The names object names cannot
 * contain any commas") and names a file, not a folder.
 */
export function s3ArnProblem(arn: string): string | undefined {
  const quoted = JSON.stringify(arn);
  if (/^s3:\/\//.test(arn))
    return `(${quoted}) is an S3 URL: write it as an ARN, "arn:aws:s3:::${arn.slice(5)}"`;
  if (/^arn:[^:]*:elasticache:/.test(arn))
    return `(${quoted}) is an ElastiCache snapshot's ARN: restore it by name with \`redis.restoreFrom.snapshotName\` instead`;
  const m = /^arn:([^:]*):s3:([^:]*):([^:]*):([^/]*)\/(.*)$/s.exec(arn);
  if (!m) return `(${quoted}) is not an S3 object ARN such as "arn:aws:s3:::my-bucket/backup.rdb"`;
  const [, partition = "", region = "", account = "", bucket = "", key = ""] = m;
  if (!/^aws(-[a-z]+)*$/.test(partition))
    return `(${quoted}) has the partition "${partition}": use "aws", "aws-cn", "aws-us-gov" or another "aws-…" partition`;
  if (region !== "" || account !== "")
    return `(${quoted}) names a region or account, which an S3 object's ARN does not: write "arn:${partition}:s3:::${bucket}/${key}"`;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes(".."))
    return `(${quoted}) has the bucket "${bucket}", which is not an S3 bucket name: 3–63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit`;
  if (key === "" || key.endsWith("/"))
    return `(${quoted}) names a bucket or a folder, not a file: give the .rdb object's key, e.g. "arn:${partition}:s3:::${bucket}/backup.rdb"`;
  if (key.includes(","))
    return `(${quoted}) has a comma in the object key, which ElastiCache does not accept: rename the object`;
  return undefined;
}

/**
 * ElastiCache's API reference gives node-based snapshot names no pattern (CreateSnapshot,
 * CreateReplicationGroup: SnapshotName "Type: String"); the only documented bound is a serverless
 * snapshot's "between 1 and 255 characters" (CreateServerlessCacheSnapshot). Nor are the names
 * ElastiCache gives automatic backups documented, so only what cannot be a name is refused: an
 * empty or over-long name, whitespace, an ARN or an S3 URL.
 */
export function snapshotNameProblem(name: string): string | undefined {
  const quoted = JSON.stringify(name);
  if (name.length === 0)
    return "is empty: give the snapshot's name, as `aws elasticache describe-snapshots` lists it";
  if (name.length > 255)
    return `is ${name.length} characters long: ElastiCache snapshot names have 1–255`;
  if (/^arn:[^:]*:s3:/.test(name) || /^s3:\/\//.test(name))
    return `(${quoted}) is a file in S3: put its ARN in \`redis.restoreFrom.snapshotArns\` instead`;
  if (/^arn:/.test(name))
    return `(${quoted}) is an ARN: give only the snapshot's name, the part after "snapshot:"`;
  if (/[\s\p{Cc}]/u.test(name))
    return `(${quoted}) contains whitespace or a control character, which no snapshot name has: copy the name from \`aws elasticache describe-snapshots\``;
  return undefined;
}

const problemCheck =
  (problem: (v: string) => string | undefined) => (v: string, ctx: z.RefinementCtx) => {
    const message = problem(v);
    if (message) ctx.addIssue({ code: "custom", message });
  };

/**
 * `redis.restoreFrom`: the snapshot a replication group is created from, the component's
 * `ElastiCacheRestoreArgs`. Whether production has confirmed the replacement depends on the stack's
 * name, which only parse.ts knows (`restoreConfirmationProblem`).
 */
const restoreFromSchema = z
  .strictObject({
    snapshotName: z.string().superRefine(problemCheck(snapshotNameProblem)).optional(),
    snapshotArns: z
      .array(z.string().superRefine(problemCheck(s3ArnProblem)))
      .min(1)
      .superRefine((arns, ctx) => {
        const twice = arns.find((a, i) => arns.indexOf(a) !== i);
        if (twice !== undefined)
          ctx.addIssue({ code: "custom", message: `lists "${twice}" twice: list it once` });
      })
      .optional(),
    // `pulumi config set --path` stores an all-digit stack name ("2024") as a number.
    confirmReplace: z
      .preprocess((v) => (typeof v === "number" ? String(v) : v), z.string())
      .optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.snapshotName === undefined) === (r.snapshotArns === undefined))
      ctx.addIssue({
        code: "custom",
        message:
          r.snapshotName === undefined
            ? "needs a source: set `snapshotName` (an ElastiCache snapshot) or `snapshotArns` (RDB files in S3)"
            : "has both `snapshotName` and `snapshotArns`: keep one, ElastiCache restores from one source",
      });
  });

/**
 * `redis.restoreFrom` against the stack it is in: parse.ts calls this with the stack's name once
 * the schema has passed. The rule is the component's own (`restoreProblem`), so the config and
 * the component cannot disagree.
 */
export function restoreConfirmationProblem(
  redis: { mode: string; restoreFrom?: ElastiCacheRestoreArgs },
  production: boolean,
  stack: string,
): string | undefined {
  if (redis.mode !== "elasticache" || redis.restoreFrom === undefined) return undefined;
  const problem = restoreProblem(redis.restoreFrom, production, stack);
  return problem && `\`${PROJECT}:redis.${problem.key}\` ${problem.message}`;
}

export const elasticacheSchema = z
  .strictObject({
    mode: z.literal("elasticache"),
    /** `replication-group`: nodes you size; `serverless`: pay per use, TLS always on. */
    flavour: z.enum(["replication-group", "serverless"]).default(D.flavour),
    engineVersion: z
      .string()
      .regex(/^\d+\.\d+$/, { error: 'must be "major.minor", e.g. "8.0"' })
      .superRefine((v, ctx) => {
        const problem = engineFamily(v).problem;
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .default(D.engineVersion),
    nodeType: z
      .string()
      .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, {
        error: 'must be a node type such as "cache.t4g.small"',
      })
      .default(D.nodeType),
    numCacheClusters: cliNumber(z.number().int().min(1).max(6)).optional(),
    port: port().default(D.port),
    vpcId: z
      .string({ error: "is required: the VPC the API runs in" })
      .pipe(awsId("vpc", "vpc-0abc1234", "a VPC id")),
    subnetIds: z
      .array(awsId("subnet", "subnet-0abc1234", "subnet ids"))
      .min(2, { error: "needs at least two private subnets, in different availability zones" })
      .optional(),
    subnetTags: z.record(z.string(), z.string()).optional(),
    allowedSecurityGroupIds: z
      .array(awsId("sg", "sg-0abc1234", "security group ids"))
      .superRefine(distinct("security group rule"))
      .default([]),
    allowedCidrs: z.array(cidr).default([]),
    snapshotRetentionLimit: cliNumber(
      z
        .number()
        .int()
        .min(1, { error: "must be at least 1: ElastiCache keeps no backups with 0" })
        .max(35),
    ).optional(),
    snapshotWindow: z
      .string()
      .regex(/^\d\d:\d\d-\d\d:\d\d$/, { error: 'must be "hh:mm-hh:mm" in UTC, e.g. "03:00-04:00"' })
      .default(D.snapshotWindow),
    maintenanceWindow: z
      .string()
      .regex(/^(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d-(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d$/, {
        error: 'must be "ddd:hh:mm-ddd:hh:mm" in UTC, e.g. "sun:05:00-sun:06:00"',
      })
      .default(D.maintenanceWindow),
    logRetentionDays: logRetentionDays(D.logRetentionDays),
    maxDataStorageGb: cliNumber(z.number().int().min(1).max(5000)).default(D.maxDataStorageGb),
    maxEcpuPerSecond: cliNumber(z.number().int().min(1000).max(15_000_000)).default(
      D.maxEcpuPerSecond,
    ),
    protectData: z.boolean().optional(),
    /** Create the replication group from a snapshot; on an existing group, a replacement. */
    restoreFrom: restoreFromSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.subnetIds === undefined && r.subnetTags === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["subnetIds"],
        message:
          "is required: list at least two private subnet ids, or set `redis.subnetTags` (e.g. { Tier: private }) to look them up in `redis.vpcId`; the default subnet group is never used",
      });
    }
    const seen = new Set<string>();
    for (const [i, id] of (r.subnetIds ?? []).entries()) {
      if (seen.has(id))
        ctx.addIssue({
          code: "custom",
          path: ["subnetIds"],
          message: `lists "${id}" twice (entry ${i}): two entries of one subnet are one availability zone, and ElastiCache needs subnets in at least two; list a second private subnet`,
        });
      seen.add(id);
    }
    if (r.allowedCidrs.length > 1 && cidrsCoverEverything(r.allowedCidrs)) {
      ctx.addIssue({
        code: "custom",
        path: ["allowedCidrs"],
        message: `together (${r.allowedCidrs.join(", ")}) cover every address, which opens Redis to the whole internet: allow the API's security group or your VPC's CIDR instead`,
      });
    }
    for (const w of windowProblems(
      r.snapshotWindow,
      r.maintenanceWindow,
      r.flavour === "replication-group",
    )) {
      ctx.addIssue({ code: "custom", path: [w.key], message: w.message });
    }
    if (r.subnetIds !== undefined && r.subnetTags !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["subnetTags"],
        message: "conflicts with `redis.subnetIds`: keep one of them",
      });
    }
    if (r.flavour === "serverless" && r.numCacheClusters !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["numCacheClusters"],
        message: "does not apply to serverless caches: remove it",
      });
    }
    if (r.flavour === "serverless" && r.restoreFrom !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["restoreFrom"],
        message:
          "applies to replication groups only: the stack does not restore serverless caches; remove it",
      });
    }
  });

export const externalSchema = z.strictObject({
  mode: z.literal("external"),
  protectData: z.boolean().optional(),
});

export type ElastiCacheConfig = z.output<typeof elasticacheSchema>;

/**
 * Why an external Redis URL is unacceptable, or `undefined`. The URL holds a password,
 * so the answer never quotes it; only the scheme may be named.
 */
export function externalUrlProblem(url: string, production: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "is not a URL: expected rediss://user:password@host:port";
  }
  const scheme = u.protocol.replace(/:$/, "");
  if (scheme !== "rediss" && scheme !== "redis")
    return `has the scheme "${scheme}": expected rediss://`;
  if (scheme === "redis" && production) {
    return "uses redis:// (no TLS) in a production stack: use the provider's rediss:// URL";
  }
  if (u.hostname === "") return "has no host";
  if (u.port === "") return "has no port: write it explicitly, e.g. :6380";
  let password: string;
  try {
    password = decodeURIComponent(u.password);
  } catch {
    // A "%" not followed by two hex digits: decodeURIComponent throws a bare "URI malformed".
    return 'has a password with a "%" that is not an escape: write a literal "%" as %25 (percent-encode the password) and set it again with --secret';
  }
  if (password === "") return "has no password: the cache must require auth";
  const weak = weakSecretReason(password, 16);
  if (weak) return `has a password that ${weak}: rotate it at the provider`;
  return undefined;
}
