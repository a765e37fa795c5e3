/**
 * Issue 21's corpus (first part): values Docker or AWS refuses part-way through a deploy, or
 * that read back differently (issue 19), for the keys added with workers, the edge and ECS.
 * Each starts from a committed Pulumi.<stack>.yaml and changes one setting.
 */
import { merge, stackObject } from "../helpers/stack-blocks";
import type { BadConfigCase } from "./bad-config.cases";

type Obj = Record<string, unknown>;

const jobs = (patch: Obj): Obj => ({
  "api-stack:workers": { jobs: merge((stackObject("prod", "workers").jobs ?? {}) as Obj, patch) },
});
const edge = (patch: Obj): Obj => ({ "api-stack:edge": merge(stackObject("prod", "edge"), patch) });
const ecs = (patch: Obj): Obj => ({
  "api-stack:ecs": merge(stackObject("prod-ecs", "ecs"), patch),
});

// Made up, shaped like the real ones, never real.
const OFFSITE = { bucket: "acme-redis-backups", region: "eu-central-1", prefix: "prod/" };
const OFFSITE_SECRETS = {
  "api-stack:backupAccessKeyId": "AKIAEXAMPLE000000001",
  "api-stack:backupSecretAccessKey": "example-secret-key-not-real-000000000000",
};
const SLACK = "https://hooks.slack.com/services/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";
const DISCORD =
  "https://discord.com/api/webhooks/112233445566778899/Xy7-Ab3_Cd9Ef2Gh5Ij8Kl1Mn4Op7Qr0St3Uv6Wx9";
const TEAMS =
  "https://contoso.webhook.office.com/webhookb2/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab@0a1b2c3d/IncomingWebhook/4f5e6d7c8b9a/0a1b2c3d";

export const VALUE_CASES: BadConfigCase[] = [
  // Worker commands (exec form: no shell splits the words).
  {
    name: "worker command as one string with spaces",
    stack: "prod",
    overrides: jobs({ command: ["node /app/server.js worker"] }),
    expect: [
      '`api-stack:workers.jobs.command` starts with "node /app/server.js worker", one word holding spaces',
      'split it, e.g. ["node","/app/server.js","worker"]',
    ],
  },
  {
    name: "worker command whose program word holds a flag",
    stack: "prod",
    overrides: jobs({ command: ["node --enable-source-maps", "/app/server.js", "worker"] }),
    expect: [
      '`api-stack:workers.jobs.command` starts with "node --enable-source-maps"',
      '["node","--enable-source-maps","/app/server.js","worker"]',
    ],
  },
  // Stop signals Docker does not know (moby/sys SignalMap).
  {
    name: "a misspelt stop signal on the API",
    stack: "prod",
    api: { stopSignal: "SIGTREM" },
    expect: ['`api-stack:api.stopSignal` ("SIGTREM") is not a signal Docker knows', '"SIGTERM"'],
  },
  {
    name: "a stop signal Linux does not have on a worker",
    stack: "prod",
    overrides: jobs({ stopSignal: "SIGINFO" }),
    expect: ['`api-stack:workers.jobs.stopSignal` ("SIGINFO") is not a signal Docker knows'],
  },
  {
    name: "a real-time signal past RTMIN+15",
    stack: "prod",
    api: { stopSignal: "SIGRTMIN+16" },
    expect: ['`api-stack:api.stopSignal` ("SIGRTMIN+16") is not a signal Docker knows'],
  },
  // cpus that the provider reads back as another value (issue 19).
  {
    name: "cpus 0.05, which reads back as 0.1",
    stack: "prod",
    api: { cpus: 0.05 },
    expect: [
      '`api-stack:api.cpus` (0.05) reads back from Docker as "0.1"',
      "e.g. 0.1, 0.25 or 1.5",
    ],
  },
  {
    name: "worker cpus 0.02, which reads back as 0.0",
    stack: "prod",
    overrides: jobs({ cpus: 0.02 }),
    expect: ['`api-stack:workers.jobs.cpus` (0.02) reads back from Docker as "0.0"'],
  },
  // Edge certificate names.
  {
    name: "an IPv4 address in edge.dnsNames",
    stack: "prod",
    overrides: edge({ dnsNames: ["api.example.com", "203.0.113.7"] }),
    expect: ['("203.0.113.7") is an IP address', "list the DNS name clients use instead"],
  },
  // What AWS refuses part-way through a deploy.
  {
    name: "an ingress CIDR with host bits set",
    stack: "prod-ecs",
    overrides: ecs({ ingressCidrs: ["203.0.113.7/24"] }),
    expect: [
      '`api-stack:ecs.ingressCidrs.0` ("203.0.113.7/24") has host bits set',
      'use its network, "203.0.113.0/24"',
    ],
  },
  {
    name: "an IPv6 ingress CIDR with host bits set",
    stack: "prod-ecs",
    overrides: ecs({ ingressCidrs: ["2001:db8::1/64"] }),
    expect: ['has host bits set: AWS refuses it; use its network, "2001:db8::/64"'],
  },
  {
    name: "an availability zone as aws:region, on ECS",
    stack: "prod-ecs",
    overrides: { "aws:region": "eu-central-1a" },
    expect: [
      '`aws:region` ("eu-central-1a") is an availability zone, not a region',
      "pulumi config set aws:region eu-central-1",
    ],
  },
  {
    name: "an availability zone as aws:region, with ElastiCache on Docker",
    stack: "prod-elasticache",
    overrides: { "aws:region": "eu-central-1b" },
    expect: ['`aws:region` ("eu-central-1b") is an availability zone, not a region'],
  },
  {
    name: "a made-up aws:region",
    stack: "prod-ecs",
    overrides: { "aws:region": "europe-central" },
    expect: ['`aws:region` ("europe-central") is not an AWS region'],
  },
  {
    name: "autoscaling that may scale a production service in to one task",
    stack: "prod-ecs",
    api: { scaling: { min: 1, max: 6 }, replicas: 2 },
    expect: [
      "`api-stack:api.scaling.min` (1) must be at least 2 on ECS in production",
      "autoscaling would scale the service in to one task",
    ],
  },
  {
    name: "scaling.min above scaling.max, blamed on the range",
    stack: "prod-ecs",
    api: { scaling: { min: 5, max: 3 } },
    expect: ["`api-stack:api.scaling.min` (5) is above `api.scaling.max` (3)"],
  },
  {
    name: "a worker command that carries a password",
    stack: "prod",
    overrides: jobs({
      command: [
        "node",
        "/app/server.js",
        "worker",
        "--redis=redis://default:Zx9kQ2mW7vB4nR8tY3pL@cache:6379",
      ],
    }),
    secretValues: ["Zx9kQ2mW7vB4nR8tY3pL"],
    expect: [
      "`api-stack:workers.jobs.command` holds",
      "`docker inspect` shows a container's command",
    ],
  },
  {
    name: "an edge certificate on ECS, where the ALB serves ACM's",
    stack: "prod-ecs",
    secrets: {
      "api-stack:edgeCertificate":
        "-----BEGIN CERTIFICATE-----\nMIIBfake0certificate0body\n-----END CERTIFICATE-----\n",
    },
    expect: [
      "`api-stack:edgeCertificate` does not apply to `platform: ecs`",
      "pulumi config rm edgeCertificate",
    ],
  },
  {
    name: "secretEnv names that differ only in case, on ECS",
    stack: "prod-ecs",
    secrets: {
      "api-stack:secretEnv": {
        HTTPS_PROXY: "http://proxy-user:Qm7vX2kP9rT4wZ8n@proxy.example.com:3128",
        https_proxy: "http://proxy-user:Qm7vX2kP9rT4wZ8n@proxy.example.com:3128",
      },
    },
    expect: ["`api-stack:secretEnv.https_proxy` differs from `HTTPS_PROXY` only in case"],
  },
  {
    name: 'api.user "0:0" on ECS, refused before any resource exists',
    stack: "prod-ecs",
    api: { user: "0:0" },
    expect: ['`api-stack:api.user` ("0:0") runs the task as root', '"10001:10001"'],
  },
  {
    name: "a worker as root on ECS",
    stack: "prod-ecs",
    overrides: {
      "api-stack:workers": {
        jobs: merge((stackObject("prod-ecs", "workers").jobs ?? {}) as Obj, { user: "root" }),
      },
    },
    expect: ['`api-stack:workers.jobs.user` ("root") runs the task as root'],
  },
  // Values of the wrong type are quoted back only when nothing says they are secret.
  {
    name: "a rediss:// URL with its password typed where the redis block belongs",
    stack: "prod-external",
    overrides: {
      "api-stack:redis": "rediss://default:Zx9kQ2mW7vB4nR8tY3pL@cache.example.com:6380",
    },
    secretValues: ["Zx9kQ2mW7vB4nR8tY3pL", "rediss://default:"],
    expect: ["`api-stack:redis`", "got a value"],
  },
  {
    name: "a key set with --secret whose value has the wrong type",
    stack: "prod",
    secrets: { "api-stack:workers": "jobs-Qm7vX2kP9rT4wZ8n" },
    secretValues: ["jobs-Qm7vX2kP9rT4wZ8n"],
    expect: ["`api-stack:workers`", "got a value"],
  },
  // zod's own wording, and counts, made readable.
  {
    name: "two unknown keys in one block are two problems",
    stack: "prod",
    api: { colour: "red", flavour: "vanilla" },
    expect: [
      "Pulumi.prod.yaml has 2 configuration problems",
      "`api-stack:api.colour` is not a known key",
      "`api-stack:api.flavour` is not a known key",
    ],
  },
  {
    name: "scaling.max of 0",
    stack: "prod-ecs",
    api: { scaling: { min: 2, max: 0 } },
    expect: ["`api-stack:api.scaling.max` must be at least 1 (got 0): raise it to 1 or more"],
  },
  {
    name: "an empty ingressCidrs",
    stack: "prod-ecs",
    overrides: ecs({ ingressCidrs: [] }),
    expect: ["`api-stack:ecs.ingressCidrs` must list at least 1 entry (got []): add one"],
  },
  {
    name: "an ALB idle timeout above AWS's 4000 s",
    stack: "prod-ecs",
    overrides: ecs({ idleTimeoutSeconds: 5000 }),
    expect: ["`api-stack:ecs.idleTimeoutSeconds` must be at most 4000 (got 5000): lower it"],
  },
  {
    name: "a CPU target above 100 %",
    stack: "prod-ecs",
    api: { scaling: { min: 2, max: 6, cpuTargetPercent: 150 } },
    expect: ["`api-stack:api.scaling.cpuTargetPercent` must be at most 100 (got 150)"],
  },
  {
    name: 'an external URL whose password has a "%" that is not an escape',
    stack: "prod-external",
    secrets: {
      "api-stack:redisUrl": "rediss://default:Zx9kQ2mW%ZZ7vB4nR8tY3pL@valkey.example.com:6380",
    },
    secretValues: ["Zx9kQ2mW", "7vB4nR8tY3pL"],
    expect: ['`api-stack:redisUrl` has a password with a "%" that is not an escape', "%25"],
  },
  // Wrong blame: the message must name what is wrong where it is wrong.
  {
    name: "restart: on-failure on ECS, which has no restart policy",
    stack: "prod-ecs",
    api: { restart: "on-failure" },
    expect: [
      '`api-stack:api.restart` ("on-failure") does not apply to `platform: ecs`',
      "the stack does not use ECS's container restart policy",
    ],
  },
  // Provider settings with typos: the provider would refuse them only after resources exist.
  {
    name: "docker:hots instead of docker:host",
    stack: "prod",
    overrides: { "docker:hots": "ssh://deploy@api-1.example.com" },
    expect: [
      "`docker:hots` is not a setting of the docker provider",
      "did you mean `docker:host`? Rename the key in Pulumi.prod.yaml",
    ],
  },
  {
    name: "aws:regoin instead of aws:region",
    stack: "prod-elasticache",
    overrides: { "aws:regoin": "eu-central-1" },
    expect: ["`aws:regoin` is not a setting of the aws provider", "did you mean `aws:region`?"],
  },
  {
    name: "an aws: key nothing resembles",
    stack: "prod-ecs",
    overrides: { "aws:flavour": "vanilla" },
    expect: [
      "`aws:flavour` is not a setting of the aws provider",
      "remove it from Pulumi.prod-ecs.yaml",
    ],
  },
  // Edge images that cannot run what the stack renders.
  {
    name: "haproxy:2.0, older than the rendered haproxy.cfg's floor",
    stack: "prod",
    overrides: edge({ image: "haproxy:2.0.33" }),
    expect: [
      '`api-stack:edge.image` ("haproxy:2.0.33") is HAProxy 2.0',
      "`http-after-response`",
      "need HAProxy 2.2 or newer",
    ],
  },
  {
    name: "haproxy:2.1, the last minor before the floor",
    stack: "prod",
    overrides: edge({ image: "haproxy:2.1" }),
    expect: ['("haproxy:2.1") is HAProxy 2.1'],
  },
  {
    name: "an Alpine haproxy tag, which has no bash for the probe",
    stack: "prod",
    overrides: edge({ image: "haproxy:3.0.11-alpine" }),
    expect: ['("haproxy:3.0.11-alpine") is an Alpine tag, which has no bash'],
  },
  // AWS ids and lists AWS refuses part-way through.
  {
    name: "a subnet id of the wrong length",
    stack: "prod-ecs",
    overrides: ecs({ privateSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-12345"] }),
    expect: [
      '`api-stack:ecs.privateSubnetIds.1` ("subnet-12345") must be subnet ids such as "subnet-0abc1234"',
      "8 or 17 lower-case hex digits",
    ],
  },
  {
    name: "an upper-case VPC id",
    stack: "prod-ecs",
    overrides: ecs({ vpcId: "vpc-0A1B2C3D4E5F60718" }),
    expect: ['`api-stack:ecs.vpcId` ("vpc-0A1B2C3D4E5F60718") must be a VPC id'],
  },
  {
    name: "a malformed security group id for the cache",
    stack: "prod-elasticache",
    redis: { allowedSecurityGroupIds: ["sg-xyz"] },
    expect: ['`api-stack:redis.allowedSecurityGroupIds.0` ("sg-xyz") must be security group ids'],
  },
  {
    name: "the same security group twice for the cache",
    stack: "prod-elasticache",
    redis: { allowedSecurityGroupIds: ["sg-0123456789abcdef0", "sg-0123456789abcdef0"] },
    expect: ['`api-stack:redis.allowedSecurityGroupIds` lists "sg-0123456789abcdef0" twice'],
  },
  {
    name: "the same tags for private and public subnets",
    stack: "prod-ecs",
    overrides: ecs({
      publicSubnetIds: undefined,
      privateSubnetIds: undefined,
      publicSubnetTags: { Tier: "app" },
      privateSubnetTags: { Tier: "app" },
    }),
    expect: ["`api-stack:ecs.privateSubnetTags` is the same as `ecs.publicSubnetTags`"],
  },
  // Credentials under names that look harmless: judged by value.
  {
    name: "a Slack webhook in plain env under a *_URL name",
    stack: "prod",
    api: { env: { NOTIFY_URL: SLACK } },
    secretValues: [SLACK, "Qz8fKx3mPw7vR2tY9nLc4bHd"],
    expect: ["`api-stack:api.env.NOTIFY_URL` holds a Slack webhook URL", "secretEnv.NOTIFY_URL"],
  },
  {
    name: "a Discord webhook in a worker's env",
    stack: "prod",
    overrides: jobs({ env: { ALERTS_HOOK: DISCORD } }),
    secretValues: [DISCORD],
    expect: ["`api-stack:workers.jobs.env.ALERTS_HOOK` holds a Discord webhook URL"],
  },
  {
    name: "a Teams webhook in plain env",
    stack: "prod",
    api: { env: { TEAMS_URL: TEAMS } },
    secretValues: [TEAMS],
    expect: ["`api-stack:api.env.TEAMS_URL` holds a Microsoft Teams webhook URL"],
  },
  {
    name: "a token in a URL's query under a *_URL name",
    stack: "dev",
    api: { env: { SEARCH_URL: "https://search.example.com/v1?api_key=Qm7vX2kP9rT4wZ8nB5cD" } },
    secretValues: ["Qm7vX2kP9rT4wZ8nB5cD"],
    expect: ["`api-stack:api.env.SEARCH_URL` holds a credential in a URL's query (api_key=…)"],
  },
  {
    name: "the same ingress CIDR twice",
    stack: "prod-ecs",
    overrides: ecs({ ingressCidrs: ["198.51.100.0/24", "198.51.100.0/24"] }),
    expect: ['`api-stack:ecs.ingressCidrs` lists "198.51.100.0/24" twice', "list it once"],
  },
  // Restoring ElastiCache from a snapshot replaces the replication group (ForceNew upstream).
  {
    name: "a restore in production without the replacement confirmed",
    stack: "prod-elasticache",
    redis: { restoreFrom: { snapshotName: "api-stack-before-upgrade" } },
    expect: [
      "`api-stack:redis.restoreFrom.confirmReplace` is required in production",
      "everything written since that snapshot is gone from it",
      "aws elasticache create-snapshot --replication-group-id",
      "pulumi config set --path redis.restoreFrom.confirmReplace prod-elasticache",
      "`redis.protectData: false`",
    ],
  },
  {
    name: "a restore confirmed with another stack's name, as copied from its stack file",
    stack: "prod-elasticache",
    redis: { restoreFrom: { snapshotName: "api-stack-before-upgrade", confirmReplace: "prod" } },
    expect: [
      '`api-stack:redis.restoreFrom.confirmReplace` is "prod", but this stack is "prod-elasticache"',
    ],
  },
  {
    name: "an S3 URL where the restore takes an ARN",
    stack: "prod-elasticache",
    redis: {
      restoreFrom: {
        snapshotArns: ["s3://acme-cache-backups/valkey/dump.rdb"],
        confirmReplace: "prod-elasticache",
      },
    },
    expect: [
      '`api-stack:redis.restoreFrom.snapshotArns.0` ("s3://acme-cache-backups/valkey/dump.rdb") is an S3 URL',
      '"arn:aws:s3:::acme-cache-backups/valkey/dump.rdb"',
    ],
  },
  {
    name: "a restore from both a snapshot and S3",
    stack: "prod-elasticache",
    redis: {
      restoreFrom: {
        snapshotName: "api-stack-before-upgrade",
        snapshotArns: ["arn:aws:s3:::acme-cache-backups/valkey/dump.rdb"],
        confirmReplace: "prod-elasticache",
      },
    },
    expect: ["`api-stack:redis.restoreFrom` has both `snapshotName` and `snapshotArns`"],
  },
  {
    name: "a snapshot ARN where the restore takes the snapshot's name",
    stack: "prod-elasticache",
    redis: {
      restoreFrom: {
        snapshotName: "arn:aws:elasticache:eu-central-1:123456789012:snapshot:before-upgrade",
        confirmReplace: "prod-elasticache",
      },
    },
    expect: [
      "`api-stack:redis.restoreFrom.snapshotName`",
      "is an ARN: give only the snapshot's name",
    ],
  },
  {
    name: "a restore on a serverless cache",
    stack: "prod-serverless",
    redis: {
      restoreFrom: { snapshotName: "api-stack-before-upgrade", confirmReplace: "prod-serverless" },
    },
    expect: ["`api-stack:redis.restoreFrom` applies to replication groups only"],
  },
  // Backups (issue 20).
  {
    name: "production with a local Redis and no backups",
    stack: "prod",
    redis: { backup: undefined },
    expect: [
      "`api-stack:redis.backup` is required in production with `redis.mode: local`",
      "docs/backups.md",
    ],
  },
  {
    name: "snapshots more often than every 5 s",
    stack: "prod",
    redis: { backup: { every: "3s" } },
    expect: ["`api-stack:redis.backup.every`", 'at least "5s"'],
  },
  {
    name: "an offsite bucket without its credentials",
    stack: "prod",
    redis: { backup: { offsite: OFFSITE } },
    expect: [
      "`api-stack:backupAccessKeyId` is required with `redis.backup.offsite`",
      "pulumi config set --secret backupSecretAccessKey",
    ],
  },
  {
    name: "an offsite bucket name with capitals and an underscore",
    stack: "prod",
    redis: { backup: { offsite: { ...OFFSITE, bucket: "Acme_Backups" } } },
    secrets: OFFSITE_SECRETS,
    expect: ["`api-stack:redis.backup.offsite.bucket` must be an S3 bucket name"],
  },
  {
    name: "a KMS key with S3-managed encryption",
    stack: "prod",
    redis: { backup: { offsite: { ...OFFSITE, kmsKeyId: "alias/redis-backups" } } },
    secrets: OFFSITE_SECRETS,
    expect: [
      '`api-stack:redis.backup.offsite.kmsKeyId` is used only with `serverSideEncryption: "aws:kms"`',
    ],
  },
  {
    name: "an offsite secret key stored in plain text",
    stack: "prod",
    redis: { backup: { offsite: OFFSITE } },
    secrets: { "api-stack:backupAccessKeyId": "AKIAEXAMPLE000000001" },
    overrides: { "api-stack:backupSecretAccessKey": "plain-text-secret-key-0000000000000000000" },
    secretValues: ["plain-text-secret-key-0000000000000000000"],
    expect: ["`api-stack:backupSecretAccessKey` is stored in plain text"],
  },
  {
    name: "offsite credentials without an offsite block",
    stack: "prod",
    secrets: OFFSITE_SECRETS,
    expect: ["`api-stack:backupAccessKeyId` is set but there is no `redis.backup.offsite` block"],
  },
];

/** Valid twins: each differs from a bad case above by the one setting that makes it right. */
export const VALUE_TWINS: {
  name: string;
  stack: BadConfigCase["stack"];
  overrides: Obj;
  secrets?: Obj;
}[] = [
  {
    name: "worker command split into words",
    stack: "prod",
    overrides: jobs({ command: ["node", "/app/server.js", "worker"] }),
  },
  {
    name: "a numeric uid, as `pulumi config set --path api.user 10001` stores it",
    stack: "prod",
    overrides: { "api-stack:api": merge(stackObject("prod", "api"), { user: 10001 }) },
  },
  {
    name: "a real-time stop signal Docker knows",
    stack: "prod",
    overrides: { "api-stack:api": merge(stackObject("prod", "api"), { stopSignal: "SIGRTMIN+3" }) },
  },
  {
    name: "cpus 0.1",
    stack: "prod",
    overrides: { "api-stack:api": merge(stackObject("prod", "api"), { cpus: 0.1 }) },
  },
  {
    name: "case-distinct secretEnv names on Docker, where each is its own env entry",
    stack: "prod",
    overrides: {},
    secrets: {
      "api-stack:secretEnv": {
        HTTPS_PROXY: "http://proxy-user:Qm7vX2kP9rT4wZ8n@proxy.example.com:3128",
        https_proxy: "http://proxy-user:Qm7vX2kP9rT4wZ8n@proxy.example.com:3128",
      },
    },
  },
  {
    name: "a plain URL with a harmless query under a *_URL name",
    stack: "prod",
    overrides: {
      "api-stack:api": merge(stackObject("prod", "api"), {
        env: { STATUS_URL: "https://status.example.com/api/v2/summary.json?page=1" },
      }),
    },
  },
  {
    name: "an IPv6 network written in capitals and with a leading zero",
    stack: "prod-ecs",
    overrides: ecs({ ingressCidrs: ["2001:0DB8::/32"] }),
  },
  {
    name: "a provider version pinned in the stack file",
    stack: "prod",
    overrides: { "docker:version": "4.5.0" },
  },
  {
    name: "haproxy:2.2, the floor itself",
    stack: "prod",
    overrides: edge({ image: "haproxy:2.2.34" }),
  },
  {
    name: "the network address of the CIDR",
    stack: "prod-ecs",
    overrides: ecs({ ingressCidrs: ["203.0.113.0/24"] }),
  },
  {
    name: "a restore in production confirmed with this stack's own name",
    stack: "prod-elasticache",
    overrides: {
      "api-stack:redis": merge(stackObject("prod-elasticache", "redis"), {
        restoreFrom: {
          snapshotName: "api-stack-before-upgrade",
          confirmReplace: "prod-elasticache",
        },
      }),
    },
  },
  {
    name: "a restore from an RDB file's S3 ARN, in the GovCloud partition",
    stack: "prod-elasticache",
    overrides: {
      "api-stack:redis": merge(stackObject("prod-elasticache", "redis"), {
        restoreFrom: {
          snapshotArns: ["arn:aws-us-gov:s3:::acme-cache-backups/valkey/dump.rdb"],
          confirmReplace: "prod-elasticache",
        },
      }),
    },
  },
  {
    name: "production with backups that take every default",
    stack: "prod",
    overrides: { "api-stack:redis": merge(stackObject("prod", "redis"), { backup: {} }) },
  },
  {
    name: "snapshots every 5 s",
    stack: "prod",
    overrides: {
      "api-stack:redis": merge(stackObject("prod", "redis"), { backup: { every: "5s" } }),
    },
  },
  {
    name: "an offsite bucket with its credentials as secrets",
    stack: "prod",
    overrides: {
      "api-stack:redis": merge(stackObject("prod", "redis"), { backup: { offsite: OFFSITE } }),
    },
    secrets: OFFSITE_SECRETS,
  },
  {
    name: "a KMS key with aws:kms encryption",
    stack: "prod",
    overrides: {
      "api-stack:redis": merge(stackObject("prod", "redis"), {
        backup: {
          offsite: { ...OFFSITE, serverSideEncryption: "aws:kms", kmsKeyId: "alias/redis-backups" },
        },
      }),
    },
    secrets: OFFSITE_SECRETS,
  },
  {
    // The twin of "a webhook receiver without its URL" (bad-config-ecs.cases.ts).
    name: "an ECS webhook receiver with its URL as a secret",
    stack: "prod-ecs",
    overrides: {
      "api-stack:monitoring": merge(stackObject("prod-ecs", "monitoring"), {
        receiver: "webhook",
        email: undefined,
      }),
    },
    secrets: { "api-stack:alertWebhookUrl": "https://hooks.example.com/alerts/3Yt8Kq2Vn7Lp" },
  },
];
