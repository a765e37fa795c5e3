/**
 * Values that are unknown at preview. Resource rules defer the fields listed in
 * lib/provenance.ts `deferredUnknowns` to this stack rule, which judges where each value comes
 * from using the dependencies the engine sends only with AnalyzeStack. A deferred value passes
 * only when its provenance is established; otherwise this rule reports it as mandatory.
 */
import { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { configOf, productionProperty } from "../lib/config";
import { containerLabel, redisIdentity } from "../lib/docker";
import { isRedisImage, unpinnedReason } from "../lib/image";
import { cachePorts } from "../lib/ingress";
import { isWorldCidr } from "../lib/network";
import {
  allowedDescription,
  authTokenCharsetProperty,
  generatorTokenProblem,
  TOKEN_MAX_LENGTH,
  TOKEN_MIN_LENGTH,
  TokenCharset,
} from "../lib/elasticache";
import {
  Deferral,
  deferredUnknowns,
  GeneratorThresholds,
  judgeGenerator,
  sourcesOf,
} from "../lib/provenance";
import {
  BUILT_IMAGE,
  CONTAINER,
  DEFAULT_SG,
  IAM_POLICY,
  REMOTE_IMAGE,
  SECURITY_GROUP,
  SUBNET,
  SUBNET_GROUP,
  TLS_SELF_SIGNED_CERT,
  USER_GROUP,
  VPC,
} from "../lib/types";
import { isUnknown, raw } from "../lib/unknown";
import { checkRedisAuth, checkRedisExposure } from "../lib/redis-checks";

interface ProvenanceConfig extends GeneratorThresholds {
  production: boolean;
  redisPorts: number[];
  trustedSourceTypes: string[];
  floatingTags: string[];
  authTokenCharset: TokenCharset;
}

const defaults: ProvenanceConfig = {
  production: true,
  minGeneratedLength: 32,
  minRandomIdBytes: 16,
  redisPorts: [6379],
  trustedSourceTypes: [],
  floatingTags: ["latest"],
  authTokenCharset: "provider",
};

const knownSafe = (c: unknown): boolean =>
  typeof c === "string" && c !== "" && !isUnknown(c) && !isWorldCidr(c);

/**
 * Whether a VPC/subnet's block can be trusted as an ingress source. An Amazon-provided IPv6
 * block (`assignGeneratedIpv6CidrBlock`) is unknown at preview but is always a /56, never ::/0.
 */
function netCidrSafe(p: Record<string, unknown>, family: "v4" | "v6" | "any"): boolean {
  const v4 = knownSafe(p.cidrBlock);
  const v6 = knownSafe(p.ipv6CidrBlock) || p.assignGeneratedIpv6CidrBlock === true;
  return family === "v4" ? v4 : family === "v6" ? v6 : v4 || v6;
}

function describe(sources: readonly PolicyResource[]): string {
  if (sources.length === 0) {
    return "it depends on no resource";
  }
  const types = [...new Set(sources.map((s) => s.type))].slice(0, 5);
  return `it depends only on ${types.join(", ")}`;
}

function imageSourceName(sources: readonly PolicyResource[]): {
  name?: unknown;
  from?: PolicyResource;
} {
  for (const s of sources) {
    if (s.type === REMOTE_IMAGE || s.type === BUILT_IMAGE) {
      const p = raw(s.props);
      return { name: s.type === REMOTE_IMAGE ? p.name : p.imageName, from: s };
    }
  }
  return {};
}

function judge(
  r: PolicyResource,
  d: Deferral,
  all: readonly PolicyResource[],
  cfg: ProvenanceConfig,
): string | undefined {
  const what = `\`${d.field}\` of ${r.type.split(":").pop()} "${r.name}"`;
  const head = `${what} is unknown at preview and its provenance could not be established`;
  const sources = sourcesOf(r, d.field, all);
  switch (d.kind) {
    case "secret":
    case "auth-token": {
      // A self-signed certificate is public material made from its key: a value computed from
      // one (its PEM, its validityEndTime) is judged by the key behind it, one hop further.
      const judged = sources.flatMap((s) =>
        s.type === TLS_SELF_SIGNED_CERT ? [s, ...sourcesOf(s, "privateKeyPem", all)] : [s],
      );
      const verdicts = judged.map((s) => judgeGenerator(s, cfg)).filter((v) => v !== undefined);
      const weak = verdicts.filter((v) => !v.strong);
      if (weak.length > 0) {
        return (
          `${what} is unknown at preview and is computed from a weak generator: ` +
          `${weak.map((w) => w.why).join("; ")}. Fix: use random.RandomPassword length >= ` +
          (d.kind === "auth-token"
            ? `${cfg.minGeneratedLength} (at most ${TOKEN_MAX_LENGTH} for ElastiCache).`
            : `${cfg.minGeneratedLength} (or RandomId byteLength >= ${cfg.minRandomIdBytes}).`)
        );
      }
      if (d.kind === "auth-token") {
        const bad = sources
          .map((s) => generatorTokenProblem(s, cfg.authTokenCharset))
          .filter((m) => m !== undefined);
        if (bad.length > 0) {
          return (
            `${what} is unknown at preview and may not be a valid ElastiCache token: ${bad.join("; ")}. ` +
            `ElastiCache accepts ${TOKEN_MIN_LENGTH}–${TOKEN_MAX_LENGTH} characters of ` +
            `${allowedDescription(cfg.authTokenCharset)}, so the deploy (or a later token ` +
            `rotation) would fail. Fix: random.RandomPassword with length ${cfg.minGeneratedLength}–` +
            `${TOKEN_MAX_LENGTH} and special: false, ` +
            `or overrideSpecial "${cfg.authTokenCharset === "aws-docs" ? "!&#$^<>-" : "!#$%^&*()-_=+[]{}<>:?"}".`
          );
        }
      }
      if (verdicts.length > 0 || sources.some((s) => cfg.trustedSourceTypes.includes(s.type))) {
        return undefined;
      }
      return (
        `${head}: ${describe(sources)} and on no random generator, so it may hold a weak or ` +
        `default secret. Fix: derive secrets from random.RandomPassword (length >= ` +
        `${cfg.minGeneratedLength}) or random.RandomId, or make the value known at preview.`
      );
    }
    case "image": {
      const { name, from } = imageSourceName(sources);
      if (!from) {
        return `${head}: ${describe(sources)}, not a docker.RemoteImage/Image. Fix: use a literal image reference.`;
      }
      if (typeof name !== "string" || isUnknown(name)) {
        return `${head}: the name of ${from.type.split(":").pop()} "${from.name}" is unknown too. Fix: use a literal image name.`;
      }
      const why = unpinnedReason(name, cfg.floatingTags);
      return why ? `${what} comes from ${from.name}: ${why}. Fix: pin a tag or digest.` : undefined;
    }
    case "subnet-group":
      return sources.some((s) => s.type === SUBNET_GROUP && raw(s.props).name !== "default")
        ? undefined
        : `${head}: ${describe(sources)}, not an aws.elasticache.SubnetGroup. Fix: create a SubnetGroup over private subnets and pass its name.`;
    case "subnets":
      return sources.some((s) => s.type === SUBNET || s.type === VPC)
        ? undefined
        : `${head}: ${describe(sources)}, not aws.ec2.Subnet resources. Fix: pass the private subnets' ids.`;
    case "security-groups":
      if (sources.some((s) => s.type === DEFAULT_SG)) {
        return `${what} comes from the VPC's default security group, which every unassigned resource shares. Fix: create a dedicated aws.ec2.SecurityGroup for the cache.`;
      }
      return sources.some((s) => s.type === SECURITY_GROUP)
        ? undefined
        : `${head}: ${describe(sources)}, not an aws.ec2.SecurityGroup. Fix: pass the id of a SecurityGroup created for the cache.`;
    case "user-group":
      return sources.some((s) => s.type === USER_GROUP)
        ? undefined
        : `${head}: ${describe(sources)}, not an aws.elasticache.UserGroup, so it may name no group and leave the default user open. Fix: pass the userGroupId of a UserGroup created with the cache.`;
    case "iam-policy":
      return sources.length > 0 && sources.every((s) => s.type === IAM_POLICY)
        ? undefined
        : `${head}: ${describe(sources)}, not an aws.iam.Policy of the stack, so it may attach an administrator policy. Fix: attach the \`arn\` of an aws.iam.Policy declared in the program, or a literal AWS managed policy ARN.`;
    case "cidr": {
      const nets = sources.filter((s) => s.type === VPC || s.type === SUBNET);
      const family = /ipv6|cidrIpv6/i.test(d.field) ? "v6" : d.field === "ingress" ? "any" : "v4";
      const ok = nets.length > 0 && nets.every((n) => netCidrSafe(raw(n.props), family));
      return ok
        ? undefined
        : `${head}: ${describe(sources)}; only a VPC/subnet with a ${family === "v6" ? "known ipv6CidrBlock (not ::/0) or an Amazon-provided IPv6 block" : "known cidrBlock (not a world CIDR)"} is accepted for a Redis port. Fix: allow the app's security group instead of a CIDR.`;
    }
  }
  return undefined;
}

/** Containers whose image is opaque (unknown/ID) but whose image resource is Redis. */
function redisByImageSource(
  r: PolicyResource,
  all: readonly PolicyResource[],
  cfg: ProvenanceConfig,
  report: ReportViolation,
): void {
  const p = raw(r.props);
  const id = redisIdentity(p);
  if (id.redis || !id.imageOpaque) {
    return; // Already judged by the resource rules.
  }
  const { name, from } = imageSourceName(sourcesOf(r, "image", all));
  if (!from || typeof name !== "string" || !isRedisImage(name)) {
    return;
  }
  const label = `${containerLabel(r.name, p)} (image ${name} via ${from.name})`;
  [...checkRedisAuth(label, p), ...checkRedisExposure(label, p, cfg.production)].forEach((m) =>
    report(m, r.urn),
  );
}

export const unknownValueProvenance: StackValidationPolicy = {
  name: "unknown-value-provenance",
  description:
    "Values unknown at preview must come from a verifiable source (random generator, pinned image, subnet group, VPC CIDR).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...productionProperty,
      minGeneratedLength: { type: "integer", minimum: 16, default: 32 },
      minRandomIdBytes: { type: "integer", minimum: 8, default: 16 },
      redisPorts: { type: "array", items: { type: "integer" }, default: [6379] },
      trustedSourceTypes: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Extra resource types accepted as secret sources, e.g. aws:secretsmanager/secretVersion:SecretVersion.",
      },
      floatingTags: { type: "array", items: { type: "string" }, default: ["latest"] },
      ...authTokenCharsetProperty,
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf(args, defaults);
    const ctx = { redisPorts: [...new Set([...cfg.redisPorts, ...cachePorts(args.resources)])] };
    for (const r of args.resources) {
      for (const d of deferredUnknowns(r.type, raw(r.props), ctx)) {
        const message = judge(r, d, args.resources, cfg);
        if (message) {
          report(message, r.urn);
        }
      }
      if (r.type === CONTAINER) {
        redisByImageSource(r, args.resources, cfg, report);
      }
    }
  },
};
