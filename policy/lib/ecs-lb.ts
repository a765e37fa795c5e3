/**
 * Elastic Load Balancing v2 facts for the ECS rules: which listener security policies are modern
 * enough, what a listener must do on HTTP, and the target-group health-check ranges. Sources are
 * @pulumi/aws 7.48 `lb/listener.d.ts` and `types/input.d.ts` (TargetGroupHealthCheck), which
 * quote the ELB API reference, and the ALB guide "Security policies for your Application Load
 * Balancer".
 */
import { isUnknown } from "./unknown";
import { isObj, Obj } from "./obj";

/**
 * Accepted by default: the TLS 1.3 policies (TLS 1.2 minimum, forward secrecy only), the floor
 * being `ELBSecurityPolicy-TLS13-1-2-2021-06`, and their FIPS and post-quantum variants.
 * Not accepted: `ELBSecurityPolicy-2016-08` (TLS 1.0 and 1.1, and what the API, the CLI,
 * CloudFormation and so the provider use when `sslPolicy` is unset — ALB guide, "Considerations"),
 * and the other pre-2021 policies.
 */
export const DEFAULT_ACCEPTED_SSL_POLICIES: readonly string[] = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
];

/** A listener's problems; "unknown:<field>" entries name a field unknown at preview. */
export function listenerProblems(p: Obj, accepted: readonly string[]): string[] {
  // "For Application Load Balancers, valid values are HTTP and HTTPS, with a default of HTTP"
  // (lb/listener.d.ts `protocol`).
  if (isUnknown(p.protocol)) return ["unknown:protocol"];
  const protocol = String(p.protocol ?? "HTTP").toUpperCase();
  if (protocol === "HTTPS" || protocol === "TLS") {
    const out: string[] = [];
    if (p.certificateArn === undefined || p.certificateArn === null || p.certificateArn === "") {
      out.push(
        "`certificateArn` is unset; an HTTPS listener needs exactly one certificate. Fix: set it to the ACM certificate's ARN",
      );
    }
    if (isUnknown(p.sslPolicy)) {
      out.push("unknown:sslPolicy");
    } else if (typeof p.sslPolicy !== "string" || p.sslPolicy === "") {
      out.push(
        "`sslPolicy` is unset, so ELB applies ELBSecurityPolicy-2016-08 (TLS 1.0 and 1.1). " +
          `Fix: set \`sslPolicy: "${accepted[0] ?? DEFAULT_ACCEPTED_SSL_POLICIES[0]}"\``,
      );
    } else if (!accepted.includes(p.sslPolicy)) {
      out.push(
        `\`sslPolicy\` is ${p.sslPolicy}, below the floor. Fix: use one of ${accepted.join(", ")}`,
      );
    }
    return out;
  }
  if (protocol !== "HTTP") return []; // TCP/UDP/QUIC: a Network Load Balancer, out of scope.
  if (isUnknown(p.defaultActions)) return ["unknown:defaultActions"];
  const actions = Array.isArray(p.defaultActions) ? p.defaultActions : [];
  if (actions.some((a) => isUnknown(a))) return ["unknown:defaultActions"];
  const redirects = (a: unknown): boolean => {
    if (!isObj(a) || a.type !== "redirect" || !isObj(a.redirect)) return false;
    return String(a.redirect.protocol ?? "").toUpperCase() === "HTTPS";
  };
  if (actions.length > 0 && actions.every(redirects)) return [];
  const types = actions.map((a) => (isObj(a) ? String(a.type) : "?")).join(", ") || "none";
  return [
    `it serves plain HTTP (\`protocol\` HTTP, \`defaultActions\` type ${types}) instead of only ` +
      'redirecting. Fix: `defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", ' +
      'port: "443", statusCode: "HTTP_301" } }]`',
  ];
}

/**
 * TargetGroupHealthCheck ranges and defaults (types/input.d.ts): interval 5–300 (30), timeout
 * 2–120 (6 for HTTP targets, 10 for HTTPS), healthy/unhealthy thresholds 2–10 (3).
 */
export const TG_HEALTHCHECK = {
  interval: { min: 5, max: 300, default: 30 },
  timeout: { min: 2, max: 120, default: 6 },
  healthyThreshold: { min: 2, max: 10, default: 3 },
  unhealthyThreshold: { min: 2, max: 10, default: 3 },
} as const;

/** `deregistrationDelay` range 0–3600 s, default 300 (lb/targetGroup.d.ts). */
export const DEFAULT_DEREGISTRATION_DELAY = 300;

export interface TargetGroupHealth {
  readonly enabled: boolean;
  readonly path: string;
  readonly interval: number;
  readonly timeout: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly deregistrationDelay: number;
  /** Fields unknown at preview. */
  readonly unknown: readonly string[];
}

const num = (v: unknown): number | undefined =>
  typeof v === "number"
    ? v
    : typeof v === "string" && /^\d+$/.test(v.trim())
      ? Number(v)
      : undefined;

/** A target group's health check and deregistration delay, provider defaults filled in. */
export function targetGroupHealth(p: Obj): TargetGroupHealth {
  const unknown: string[] = [];
  const h = isObj(p.healthCheck) ? p.healthCheck : {};
  if (isUnknown(p.healthCheck)) unknown.push("healthCheck");
  const pick = (k: keyof typeof TG_HEALTHCHECK): number => {
    if (isUnknown(h[k])) unknown.push(`healthCheck.${k}`);
    const dflt =
      k === "timeout" && String(p.protocol ?? "").toUpperCase() === "HTTPS"
        ? 10
        : TG_HEALTHCHECK[k].default;
    return num(h[k]) ?? dflt;
  };
  if (isUnknown(h.path)) unknown.push("healthCheck.path");
  if (isUnknown(p.deregistrationDelay)) unknown.push("deregistrationDelay");
  return {
    enabled: h.enabled !== false,
    path: typeof h.path === "string" && !isUnknown(h.path) && h.path !== "" ? h.path : "/",
    interval: pick("interval"),
    timeout: pick("timeout"),
    healthyThreshold: pick("healthyThreshold"),
    unhealthyThreshold: pick("unhealthyThreshold"),
    deregistrationDelay: num(p.deregistrationDelay) ?? DEFAULT_DEREGISTRATION_DELAY,
    unknown,
  };
}

/** The target group's own timing problems. */
export function targetGroupProblems(t: TargetGroupHealth): string[] {
  if (!t.enabled) {
    return [
      "`healthCheck.enabled` is false, so the ALB sends traffic to tasks that cannot serve. Fix: remove it",
    ];
  }
  const out: string[] = [];
  for (const k of Object.keys(TG_HEALTHCHECK) as (keyof typeof TG_HEALTHCHECK)[]) {
    const { min, max } = TG_HEALTHCHECK[k];
    if (t[k] < min || t[k] > max) {
      out.push(`\`healthCheck.${k}\` is ${t[k]}, outside ELB's ${min}–${max}`);
    }
  }
  if (t.timeout >= t.interval) {
    out.push(
      `\`healthCheck.timeout\` (${t.timeout} s) is not shorter than \`healthCheck.interval\` ` +
        `(${t.interval} s), so probes overlap. Fix: lower the timeout below the interval`,
    );
  }
  return out;
}
