/**
 * AWS network exposure (issue 22, classes 1 and 4): no security group opens a sensitive port, or
 * every port, to the world (by address space), whatever it is attached to, and only a load balancer's own
 * group opens the public ports; a load balancer drops invalid headers, cannot be deleted by
 * mistake in production, and logs access where the config asks.
 */
import {
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { configOf, onlyFor, productionProperty } from "../lib/config";
import {
  DEFAULT_PUBLIC_PORTS,
  DEFAULT_SENSITIVE_PORTS,
  loadBalancerGroups,
  worldOpenProblems,
} from "../lib/aws-network";
import {
  ALB_LOAD_BALANCER,
  DEFAULT_SG,
  LB_LOAD_BALANCER,
  SECURITY_GROUP,
  SG_INGRESS_RULE,
  SG_RULE,
} from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";
import { isObj } from "../lib/obj";

const worldDefaults = {
  sensitivePorts: [...DEFAULT_SENSITIVE_PORTS],
  publicPorts: [...DEFAULT_PUBLIC_PORTS],
  trustedPrefixListIds: [] as string[],
};

/**
 * Judged on the whole stack (AnalyzeStack), since whether a group may open 80/443 depends on the
 * load balancer that uses it. AWS sources: Security Hub controls EC2.18 (unrestricted ingress
 * only on authorized ports, default 80 and 443), EC2.19 (high-risk ports), EC2.13/EC2.14 (22 and
 * 3389 from 0.0.0.0/0) and EC2.53/EC2.54 (remote administration ports from 0.0.0.0/0 and ::/0):
 * https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html. Those controls test
 * only the literals 0.0.0.0/0 and ::/0; this rule judges address space instead
 * (lib/network.ts `worldOpenCidrs`: 0.0.0.0/1 + 128.0.0.0/1 is the world too) and looks into the
 * stack's managed prefix lists. An unknown CIDR passes only when every resource it is computed
 * from is a VPC or subnet with a known private block; unknown ports or protocols on a world-open
 * entry are reported.
 */
export const awsIngressNotWorldOpen: StackValidationPolicy = {
  name: "aws-ingress-not-world-open",
  description:
    "No security group opens a sensitive port, every port or protocol -1 to the world (0.0.0.0/0, ::/0, or CIDRs and stack prefix lists together wider than a /8 of public IPv4 or a /16 of IPv6); only a load balancer's own group opens the public ports (80/443) to the world; a prefix list outside the stack, whose entries the pack cannot read, is refused on those openings unless listed in trustedPrefixListIds, and trusted on other ports.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      sensitivePorts: {
        type: "array",
        items: { type: "integer" },
        default: [...DEFAULT_SENSITIVE_PORTS],
        description: "Ports never open to the world, even on a load balancer's group.",
      },
      publicPorts: {
        type: "array",
        items: { type: "integer" },
        default: [...DEFAULT_PUBLIC_PORTS],
        description: "TCP ports a load balancer's own security group may open to the world.",
      },
      trustedPrefixListIds: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Ids of prefix lists outside the stack (AWS-managed, or reviewed) admitted on sensitive ports too; any other such id is admitted only on ports that are not sensitive.",
      },
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf(args, worldDefaults);
    const lbGroups = loadBalancerGroups(args.resources);
    for (const r of args.resources) {
      if (![SECURITY_GROUP, DEFAULT_SG, SG_INGRESS_RULE, SG_RULE].includes(r.type)) continue;
      worldOpenProblems(r, args.resources, lbGroups, cfg).forEach((m) => report(m, r.urn));
    }
  },
};

const lbDefaults = { production: true, requireAccessLogs: false };

/**
 * Provider defaults (@pulumi/aws 7.x lb/loadBalancer.d.ts): `loadBalancerType` "application",
 * `dropInvalidHeaderFields` false ("Only valid for Load Balancers of type application"),
 * `enableDeletionProtection` false, `accessLogs.enabled` false "even when `bucket` is specified".
 * AWS sources: Security Hub ELB.4 (an ALB drops invalid HTTP headers, against HTTP desync), ELB.6
 * (deletion protection on application, gateway and network load balancers), ELB.5 (ALB access
 * logging): https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html; the
 * attribute `routing.http.drop_invalid_header_fields.enabled` in the ALB guide,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes.
 */
const lbValidate: ResourceValidation = (args, report) => {
  const { production, requireAccessLogs } = configOf(args, lbDefaults);
  const p = raw(args.props);
  const label = `Load balancer "${args.name}"`;
  const field = (f: string, fix: string) => report(unknownAtPreview(`\`${f}\` of ${label}`, fix));
  if (isUnknown(p.loadBalancerType)) {
    field("loadBalancerType", 'set it to the literal "application" (or "network")');
    return;
  }
  const type = typeof p.loadBalancerType === "string" ? p.loadBalancerType : "application";
  if (type === "application") {
    if (isUnknown(p.dropInvalidHeaderFields)) {
      field("dropInvalidHeaderFields", "set dropInvalidHeaderFields: true");
    } else if (p.dropInvalidHeaderFields !== true) {
      report(
        `${label} has \`dropInvalidHeaderFields\` ${p.dropInvalidHeaderFields === false ? "false" : "unset (default false)"}, ` +
          "so headers with invalid characters reach the targets (HTTP desync and header smuggling, " +
          "Security Hub ELB.4). Fix: set dropInvalidHeaderFields: true.",
      );
    }
  }
  if (production) {
    if (isUnknown(p.enableDeletionProtection)) {
      field("enableDeletionProtection", "set enableDeletionProtection: true in production");
    } else if (p.enableDeletionProtection !== true) {
      report(
        `${label} has \`enableDeletionProtection\` ${p.enableDeletionProtection === false ? "false" : "unset (default false)"} ` +
          "in production, so a replacement or a stray destroy takes the public entry point (and its " +
          "DNS name) away (Security Hub ELB.6). Fix: set enableDeletionProtection: true.",
      );
    }
  }
  // terraform-provider-aws internal/service/elbv2/load_balancer.go resourceLoadBalancerCreate
  // (commit 00edc94): access_logs is applied only `if lbType == Application || lbType == Network`,
  // so a gateway load balancer cannot comply (review 22b, F5).
  if (requireAccessLogs && type !== "gateway") {
    const logs = p.accessLogs;
    // Whether logs are on is `enabled` alone; a new bucket's id is unknown at preview and never
    // empty (@pulumi/aws 7.48 lb/loadBalancer.d.ts's example: `bucket: lbLogs.id`; review 22b, F4).
    if (isUnknown(logs) || (isObj(logs) && isUnknown(logs.enabled))) {
      field(
        "accessLogs",
        "set accessLogs: { bucket, enabled: true } with enabled a literal (the bucket may be a new bucket's id)",
      );
    } else if (!isObj(logs) || logs.enabled !== true || (!logs.bucket && !isUnknown(logs.bucket))) {
      report(
        `${label} does not write access logs (\`accessLogs.enabled\` is ${isObj(logs) && logs.enabled === false ? "false" : "unset, default false even with a bucket"}), ` +
          "which this stack's config requires (Security Hub ELB.5). Fix: set accessLogs: " +
          "{ bucket: <an S3 bucket ELB may write to>, enabled: true }.",
      );
    }
  }
};

export const awsLoadBalancerHardening: ResourceValidationPolicy = {
  name: "aws-lb-hardening",
  description:
    "Load balancers drop invalid HTTP headers (ALB), have deletion protection in production, and write access logs where the config requires them.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...productionProperty,
      requireAccessLogs: {
        type: "boolean",
        default: false,
        description: "Require `accessLogs: { enabled: true, bucket }` on every load balancer.",
      },
    },
  },
  validateResource: [onlyFor(LB_LOAD_BALANCER, lbValidate), onlyFor(ALB_LOAD_BALANCER, lbValidate)],
};
