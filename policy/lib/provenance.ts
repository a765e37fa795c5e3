/**
 * Deferred unknowns. Per-resource rules (Analyze) cannot judge a value that is unknown at
 * preview, and Analyze requests carry no dependency information. For the fields listed by
 * {@link deferredUnknowns} the resource rules therefore skip the unknown value and the
 * `unknown-value-provenance` stack rule (AnalyzeStack, which does carry dependencies and
 * propertyDependencies) judges where it comes from. Every other unknown is reported by the
 * resource rule that needs it, at that rule's level.
 */
import { PolicyResource } from "@pulumi/policy";
import { ruleCoversPort } from "./network";
import {
  CACHE_CLUSTER,
  CACHE_USER,
  CONTAINER,
  IAM_GROUP_POLICY_ATTACHMENT,
  IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE,
  IAM_POLICY_ATTACHMENT,
  IAM_ROLE,
  IAM_ROLE_POLICY_ATTACHMENT,
  IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
  IAM_USER_POLICY_ATTACHMENT,
  IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE,
  RANDOM_BYTES,
  RANDOM_ID,
  RANDOM_PASSWORD,
  TLS_PRIVATE_KEY,
  RANDOM_STRING,
  REPLICATION_GROUP,
  SECURITY_GROUP,
  SERVERLESS_CACHE,
  SG_INGRESS_RULE,
  SG_RULE,
} from "./types";
import { containsUnknown, isUnknown, raw } from "./unknown";

/**
 * - secret: a password/key, judged by the random generator it comes from;
 * - auth-token: an ElastiCache AUTH token or RBAC password: a secret whose generator must also
 *   emit only characters ElastiCache accepts, at most 128 of them;
 * - image, subnet-group, subnets, security-groups, user-group, cidr: judged by the resource type
 *   they come from (and, for CIDRs, that resource's known block);
 * - iam-policy: a managed policy ARN attached to a role, user or group, accepted only when it is
 *   the `arn` of an aws.iam.Policy of the stack, whose document iam-no-wildcard-permissions
 *   judges itself. Anything else may be AdministratorAccess computed at `up`
 *   (`bucket.arn.apply(() => "arn:aws:iam::aws:policy/AdministratorAccess")`).
 */
export type DeferralKind =
  | "secret"
  | "auth-token"
  | "image"
  | "subnet-group"
  | "subnets"
  | "security-groups"
  | "user-group"
  | "cidr"
  | "iam-policy";

export interface Deferral {
  /** Top-level property, the key of propertyDependencies. */
  readonly field: string;
  readonly kind: DeferralKind;
}

export interface DeferralContext {
  /** Ports whose world-open ingress the exposure rules refuse. */
  readonly redisPorts: readonly number[];
}

function ingressCidrsUnknown(
  entry: unknown,
  ports: readonly number[],
  cidrKeys: readonly string[],
): boolean {
  if (entry === null || typeof entry !== "object" || isUnknown(entry)) {
    return false;
  }
  const e = entry as Record<string, unknown>;
  const protocol = e.protocol ?? e.ipProtocol;
  const portsUnknown = isUnknown(protocol) || isUnknown(e.fromPort) || isUnknown(e.toPort);
  const covers =
    portsUnknown || ports.some((p) => ruleCoversPort(protocol, e.fromPort, e.toPort, p));
  return covers && cidrKeys.some((k) => containsUnknown(e[k]));
}

/** The unknown fields of a resource that resource rules defer to the provenance stack rule. */
export function deferredUnknowns(
  type: string,
  props: Record<string, unknown>,
  ctx: DeferralContext,
): Deferral[] {
  const out: Deferral[] = [];
  const defer = (kind: DeferralKind) => (field: string) => {
    if (containsUnknown(props[field])) {
      out.push({ field, kind });
    }
  };
  switch (type) {
    case CONTAINER:
      ["envs", "uploads", "command", "entrypoints"].forEach(defer("secret"));
      if (isUnknown(props.image)) {
        out.push({ field: "image", kind: "image" });
      }
      break;
    case REPLICATION_GROUP:
    case CACHE_CLUSTER:
      ["authToken", "authTokenWo"].forEach(defer("auth-token"));
      if (isUnknown(props.subnetGroupName)) {
        out.push({ field: "subnetGroupName", kind: "subnet-group" });
      }
      defer("security-groups")("securityGroupIds");
      // Only a list the program built with unknown entries: a wholly unknown list is reported on
      // the inputs, and in AnalyzeStack may be the provider computing a property left unset.
      if (Array.isArray(props.userGroupIds) && containsUnknown(props.userGroupIds)) {
        out.push({ field: "userGroupIds", kind: "user-group" });
      }
      break;
    case SERVERLESS_CACHE:
      defer("subnets")("subnetIds");
      defer("security-groups")("securityGroupIds");
      defer("user-group")("userGroupId");
      break;
    case CACHE_USER: {
      defer("auth-token")("passwords");
      // A wholly unknown authenticationMode is reported on the inputs by
      // elasticache-auth-required; in AnalyzeStack it is merely the provider computing the
      // block the program did not set. Only unknown passwords inside it are deferred.
      const mode = props.authenticationMode;
      if (mode !== null && typeof mode === "object" && !Array.isArray(mode)) {
        if (containsUnknown((mode as Record<string, unknown>).passwords)) {
          out.push({ field: "authenticationMode", kind: "auth-token" });
        }
      }
      break;
    }
    case SECURITY_GROUP:
      if (Array.isArray(props.ingress)) {
        if (
          props.ingress.some((e) =>
            ingressCidrsUnknown(e, ctx.redisPorts, ["cidrBlocks", "ipv6CidrBlocks"]),
          )
        ) {
          out.push({ field: "ingress", kind: "cidr" });
        }
      }
      break;
    case IAM_ROLE_POLICY_ATTACHMENT:
    case IAM_USER_POLICY_ATTACHMENT:
    case IAM_GROUP_POLICY_ATTACHMENT:
    case IAM_POLICY_ATTACHMENT:
      defer("iam-policy")("policyArn");
      break;
    case IAM_ROLE:
    case IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE:
    case IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE:
    case IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE: {
      // Only unknown elements of a list the program built: a wholly unknown list is reported on
      // the inputs by iam-no-wildcard-permissions (and in AnalyzeStack may be the provider's).
      const field = type === IAM_ROLE ? "managedPolicyArns" : "policyArns";
      const arns = props[field];
      if (Array.isArray(arns) && arns.some(isUnknown)) out.push({ field, kind: "iam-policy" });
      break;
    }
    case SG_INGRESS_RULE:
      for (const k of ["cidrIpv4", "cidrIpv6"]) {
        if (ingressCidrsUnknown(props, ctx.redisPorts, [k])) {
          out.push({ field: k, kind: "cidr" });
        }
      }
      break;
    case SG_RULE:
      for (const k of ["cidrBlocks", "ipv6CidrBlocks"]) {
        if (props.type === "ingress" && ingressCidrsUnknown(props, ctx.redisPorts, [k])) {
          out.push({ field: k, kind: "cidr" });
        }
      }
      break;
  }
  return out;
}

/** True if a resource rule should stay silent on this unknown field (see module docs). */
export function isDeferred(
  type: string,
  props: Record<string, unknown>,
  field: string,
  ctx: DeferralContext,
): boolean {
  return deferredUnknowns(type, props, ctx).some((d) => d.field === field);
}

const childIndex = new WeakMap<readonly PolicyResource[], Map<string, PolicyResource[]>>();

/** Parent URN → children, computed once per AnalyzeStack call. */
function childrenOf(all: readonly PolicyResource[]): Map<string, PolicyResource[]> {
  let children = childIndex.get(all);
  if (!children) {
    children = new Map();
    for (const x of all) {
      if (x.parent) {
        const list = children.get(x.parent.urn) ?? [];
        list.push(x);
        children.set(x.parent.urn, list);
      }
    }
    childIndex.set(all, children);
  }
  return children;
}

/** The resources a property was computed from, with components expanded to their children. */
export function sourcesOf(
  r: PolicyResource,
  field: string,
  all: readonly PolicyResource[],
  withDependsOn = false,
): PolicyResource[] {
  const own = r.propertyDependencies[field] ?? [];
  const direct = own.length === 0 || withDependsOn ? [...own, ...r.dependencies] : own;
  const children = childrenOf(all);
  const seen = new Map<string, PolicyResource>();
  const visit = (x: PolicyResource, depth: number): void => {
    if (seen.has(x.urn) || depth > 6) {
      return;
    }
    seen.set(x.urn, x);
    for (const c of children.get(x.urn) ?? []) {
      visit(c, depth + 1);
    }
  };
  direct.forEach((d) => visit(d, 0));
  return [...seen.values()];
}

export interface GeneratorThresholds {
  /** Minimum `length` of RandomPassword/RandomString feeding an unknown secret. */
  readonly minGeneratedLength: number;
  /** Minimum `byteLength` of RandomId (and `length` of RandomBytes). */
  readonly minRandomIdBytes: number;
}

export type GeneratorVerdict = { readonly strong: boolean; readonly why: string } | undefined;

/** Judges a random generator resource; undefined when the resource is not a generator. */
export function judgeGenerator(r: PolicyResource, t: GeneratorThresholds): GeneratorVerdict {
  const p = raw(r.props);
  const label = `${r.type.split(":").pop()} "${r.name}"`;
  if (r.type === RANDOM_PASSWORD || r.type === RANDOM_STRING) {
    const length = p.length;
    if (typeof length !== "number") {
      return { strong: false, why: `${label} has no known length` };
    }
    const classes = ["lower", "upper", "numeric", "special"].filter((k) => p[k] !== false);
    if (classes.length === 0) {
      return { strong: false, why: `${label} disables every character class` };
    }
    if (length < t.minGeneratedLength) {
      return { strong: false, why: `${label} has length ${length} < ${t.minGeneratedLength}` };
    }
    return { strong: true, why: `${label} (length ${length})` };
  }
  if (r.type === RANDOM_ID || r.type === RANDOM_BYTES) {
    const bytes = r.type === RANDOM_ID ? p.byteLength : p.length;
    if (typeof bytes !== "number" || bytes < t.minRandomIdBytes) {
      return { strong: false, why: `${label} has ${String(bytes)} bytes < ${t.minRandomIdBytes}` };
    }
    return { strong: true, why: `${label} (${bytes} bytes)` };
  }
  if (r.type === TLS_PRIVATE_KEY) return judgeKey(p, label);
  return undefined;
}

/**
 * A generated private key (the edge proxy's self-signed pair) is a generator like a random
 * password. Its inputs and defaults, per pulumi/pulumi-tls's PrivateKey (the docs in
 * @pulumi/tls privateKey.d.ts): `algorithm` RSA, ECDSA or ED25519; `rsaBits` default 2048;
 * `ecdsaCurve` default P224: 112-bit strength, which NIST SP 800-57 Part 1 accepts only through 2030.
 */
function judgeKey(p: Record<string, unknown>, label: string): GeneratorVerdict {
  const algorithm = p.algorithm;
  if (algorithm === "ED25519") return { strong: true, why: `${label} (ED25519)` };
  if (algorithm === "ECDSA") {
    const curve = p.ecdsaCurve ?? "P224";
    return ["P256", "P384", "P521"].includes(String(curve))
      ? { strong: true, why: `${label} (ECDSA ${String(curve)})` }
      : { strong: false, why: `${label} uses ECDSA curve ${String(curve)}; use P256 or larger` };
  }
  if (algorithm === "RSA") {
    const bits = p.rsaBits ?? 2048;
    return typeof bits === "number" && bits >= 2048
      ? { strong: true, why: `${label} (RSA ${bits})` }
      : { strong: false, why: `${label} has rsaBits ${String(bits)} < 2048` };
  }
  return { strong: false, why: `${label} has no known algorithm` };
}
