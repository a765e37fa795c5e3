/**
 * The managed Redis back ends' part of the stack schema: AWS ElastiCache (Valkey) and an
 * external `rediss://` URL such as Aiven's. Composed into the one schema in schema.ts. The
 * defaults are the component's (components/elasticache-valkey.ts); those that depend on the
 * environment (`numCacheClusters`, `snapshotRetentionLimit`, `protectData`) stay unset here and
 * the component resolves them from `production`.
 */
import { z } from "zod";
import { ELASTICACHE_VALKEY_DEFAULTS as D } from "../../components/elasticache-valkey";
import { quietWeakSecretReason as weakSecretReason } from "../../policy/lib/secrets";
import { cidrsCoverEverything, engineFamily, windowProblems } from "../../policy/lib/aws-limits";
import { awsId, cliNumber, distinct, logRetentionDays, port } from "./fields";

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
    allowedSecurityGroupIds: distinct(
      z.array(awsId("sg", "sg-0abc1234", "security group ids")),
      "security group rule",
    ).default([]),
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
