/**
 * World-open security-group ingress, in every shape a program can write it, judged together with
 * what the group is attached to. Shapes: @pulumi/aws 7.x ec2/securityGroup.d.ts and
 * ec2/defaultSecurityGroup.d.ts (inline `ingress[]`: protocol, fromPort, toPort, cidrBlocks,
 * ipv6CidrBlocks), vpc/securityGroupIngressRule.d.ts (ipProtocol, fromPort, toPort, cidrIpv4,
 * cidrIpv6) and ec2/securityGroupRule.d.ts (type "ingress", protocol, fromPort, toPort,
 * cidrBlocks, ipv6CidrBlocks). Protocol `-1` (or "all") opens every protocol and port, whatever
 * the ports say (EC2 API, IpPermission.IpProtocol). Sources may also be managed prefix lists
 * (`prefixListIds` inline and on ec2.SecurityGroupRule, `prefixListId` on
 * vpc.SecurityGroupIngressRule): a list of the stack (ec2/managedPrefixList.d.ts `entries[].cidr`,
 * plus ec2/managedPrefixListEntry.d.ts resources) is judged by its CIDRs.
 */
import { PolicyResource } from "@pulumi/policy";
import { isWorldCidr, worldOpenCidrs } from "./network";
import { sourcesOf } from "./provenance";
import {
  ALB_LOAD_BALANCER,
  DEFAULT_SG,
  LB_LOAD_BALANCER,
  SECURITY_GROUP,
  SG_INGRESS_RULE,
  SG_RULE,
  SUBNET,
  VPC,
} from "./types";
import { isUnknown, raw, unknownAtPreview } from "./unknown";
import { isObj, Obj } from "./obj";

/** Type tokens (@pulumi/aws 7.48 ec2/managedPrefixList.js, managedPrefixListEntry.js, vpcEndpoint.js). */
export const PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList";
export const PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry";
const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";

const list = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v === undefined || v === null || v === "" ? [] : [v];

/**
 * Ports never to open to the world, by default. AWS Security Hub EC2.19 ("Security groups should
 * not allow unrestricted access to ports with high risk": 20, 21, 22, 23, 25, 110, 135, 143, 445,
 * 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300), plus
 * SQL Server Analysis Services 2383, Redis 6379/6380, memcached 11211 (also UDP amplification),
 * MongoDB 27017 and the Docker daemon 2375/2376.
 */
export const DEFAULT_SENSITIVE_PORTS: readonly number[] = [
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 2375, 2376, 2383, 3000, 3306, 3389, 4333,
  5000, 5432, 5500, 5601, 6379, 6380, 8080, 8088, 8888, 9200, 9300, 11211, 27017,
];

/**
 * Ports a load balancer's own group may open to the world. Security Hub EC2.18 ("Security groups
 * should only allow unrestricted incoming traffic for authorized ports") defaults its
 * `authorizedTcpPorts` to 80 and 443.
 */
export const DEFAULT_PUBLIC_PORTS: readonly number[] = [80, 443];

const PORT_NAMES: Record<number, string> = {
  21: "FTP",
  22: "SSH",
  23: "Telnet",
  445: "SMB",
  1433: "SQL Server",
  2375: "Docker API",
  2383: "SQL Server Analysis Services",
  3306: "MySQL",
  3389: "RDP",
  5432: "PostgreSQL",
  6379: "Redis",
  9200: "Elasticsearch",
  11211: "memcached",
  27017: "MongoDB",
};

const showPort = (p: number): string => (PORT_NAMES[p] ? `${p} (${PORT_NAMES[p]})` : String(p));

/** One ingress permission, with the fields its CIDRs came from (propertyDependencies keys). */
export interface Entry {
  readonly where: string;
  readonly unknown?: boolean;
  readonly protocol: unknown;
  readonly fromPort: unknown;
  readonly toPort: unknown;
  readonly cidrs: readonly { readonly value: unknown; readonly field: string }[];
  readonly prefixLists: readonly { readonly value: unknown; readonly field: string }[];
}

const cidrsOf = (e: Obj, keys: readonly [string, string], fields?: readonly [string, string]) =>
  keys.flatMap((k, i) => list(e[k]).map((value) => ({ value, field: fields?.[i] ?? k })));

/** The ingress entries of a group or rule; "unknown" when the inline list itself is unknown. */
export function entriesOf(r: PolicyResource): Entry[] | "unknown" {
  const p = raw(r.props);
  if (r.type === SECURITY_GROUP || r.type === DEFAULT_SG) {
    if (isUnknown(p.ingress)) {
      // At preview a group whose program set no inline ingress reports the optional+computed
      // property as unknown (lib/ingress.ts); only one the program computed is unknown to us.
      return (r.propertyDependencies.ingress ?? []).length > 0 ? "unknown" : [];
    }
    return list(p.ingress).map((e, i) => {
      const x = isObj(e) ? e : {};
      return {
        where: `\`ingress[${i}]\``,
        unknown: isUnknown(e),
        protocol: x.protocol,
        fromPort: x.fromPort,
        toPort: x.toPort,
        cidrs: cidrsOf(x, ["cidrBlocks", "ipv6CidrBlocks"], ["ingress", "ingress"]),
        prefixLists: list(x.prefixListIds).map((value) => ({ value, field: "ingress" })),
      };
    });
  }
  if (r.type === SG_INGRESS_RULE) {
    return [
      {
        where: "the rule",
        protocol: p.ipProtocol,
        fromPort: p.fromPort,
        toPort: p.toPort,
        cidrs: cidrsOf(p, ["cidrIpv4", "cidrIpv6"]),
        prefixLists: list(p.prefixListId).map((value) => ({ value, field: "prefixListId" })),
      },
    ];
  }
  if (r.type === SG_RULE) {
    if (isUnknown(p.type)) return "unknown";
    if (p.type !== "ingress") return [];
    return [
      {
        where: "the rule",
        protocol: p.protocol,
        fromPort: p.fromPort,
        toPort: p.toPort,
        cidrs: cidrsOf(p, ["cidrBlocks", "ipv6CidrBlocks"]),
        prefixLists: list(p.prefixListIds).map((value) => ({ value, field: "prefixListIds" })),
      },
    ];
  }
  return [];
}

export type Opening =
  | { readonly kind: "none" } // ICMP: no ports (path-MTU discovery needs ICMP from anywhere)
  | { readonly kind: "all"; readonly what: string }
  | { readonly kind: "range"; readonly proto: string; readonly from: number; readonly to: number }
  | { readonly kind: "unknown" };

/** What an entry opens: every port, a TCP/UDP range, nothing port-shaped, or unknown. */
export function openingOf(e: Entry): Opening {
  if (isUnknown(e.protocol) || isUnknown(e.fromPort) || isUnknown(e.toPort)) {
    return { kind: "unknown" };
  }
  const proto = String(e.protocol ?? "").toLowerCase();
  if (proto === "-1" || proto === "all") return { kind: "all", what: "protocol -1 (all traffic)" };
  if (["icmp", "1", "icmpv6", "58"].includes(proto)) return { kind: "none" };
  if (!["tcp", "6", "udp", "17"].includes(proto)) {
    return { kind: "all", what: `protocol ${proto} (no ports: the whole protocol)` };
  }
  const name = proto === "tcp" || proto === "6" ? "TCP" : "UDP";
  const from = typeof e.fromPort === "number" ? e.fromPort : 0;
  const to = typeof e.toPort === "number" ? e.toPort : 65535;
  if (from <= 1 && to >= 65535) return { kind: "all", what: `${name} ${from}-${to} (every port)` };
  return { kind: "range", proto: name, from, to };
}

export interface WorldConfig {
  readonly sensitivePorts: readonly number[];
  readonly publicPorts: readonly number[];
  /** Prefix lists outside the stack trusted on sensitive ports too (AWS-managed, reviewed). */
  readonly trustedPrefixListIds: readonly string[];
}

const rangeOf = (o: { proto: string; from: number; to: number }) =>
  o.from === o.to ? `${o.proto} ${o.from}` : `${o.proto} ${o.from}-${o.to}`;

/** What an opening opens that is sensitive: every port or protocol, or a `sensitivePorts` port. */
export function sensitiveProblem(o: Opening, cfg: WorldConfig): string | undefined {
  if (o.kind === "all") return `opens ${o.what}`;
  if (o.kind !== "range") return undefined;
  const sensitive = cfg.sensitivePorts.filter((p) => o.from <= p && p <= o.to);
  if (sensitive.length === 0) return undefined;
  return `opens ${rangeOf(o)}, which includes sensitive port ${sensitive.map(showPort).join(", ")}`;
}

/** Why this opening may not face the world, or undefined if it may (on a load balancer's group). */
export function worldProblem(
  o: Opening,
  onLoadBalancer: boolean,
  cfg: WorldConfig,
): string | undefined {
  if (o.kind === "none" || o.kind === "unknown") return undefined;
  const sensitive = sensitiveProblem(o, cfg);
  if (sensitive !== undefined) return sensitive;
  if (o.kind === "all") return `opens ${o.what}`; // unreachable: sensitiveProblem said so
  const range = rangeOf(o);
  const allPublic =
    o.proto === "TCP" && o.to - o.from < 65536 && cfg.publicPorts.length > 0
      ? Array.from({ length: o.to - o.from + 1 }, (_, i) => o.from + i).every((p) =>
          cfg.publicPorts.includes(p),
        )
      : false;
  if (!allPublic) {
    return `opens ${range}, which is not a public port (publicPorts: ${cfg.publicPorts.join(", ") || "none"})`;
  }
  return onLoadBalancer
    ? undefined
    : `opens ${range} on a group no load balancer uses (public ports are for a load balancer's own group)`;
}

/** True for a VPC/subnet whose block is known and not the world (lib/provenance's CIDR test). */
function safeNetwork(r: PolicyResource): boolean {
  if (r.type !== VPC && r.type !== SUBNET) return false;
  const p = raw(r.props);
  const ok = (c: unknown) => typeof c === "string" && !isUnknown(c) && c !== "" && !isWorldCidr(c);
  return ok(p.cidrBlock) || ok(p.ipv6CidrBlock) || p.assignGeneratedIpv6CidrBlock === true;
}

/**
 * A source that only groups others: a component resource (its type has no `module/name` part,
 * e.g. "api-stack:components:Network") whose children sourcesOf has visited and judges one by one.
 */
const isContainer = (s: PolicyResource, sources: readonly PolicyResource[]) =>
  !(s.type.split(":")[1] ?? "").includes("/") && sources.some((x) => x.parent?.urn === s.urn);

/**
 * True if an unknown CIDR in `field` comes only from VPCs/subnets with known private blocks:
 * *every* source must be one (review 22, 3a: a private VPC next to any other resource proved
 * nothing). The inline `ingress` field gathers the dependencies of every entry, so there the
 * security groups and prefix lists that entries name are tolerated (`tolerate`).
 */
export function cidrProvenanced(
  r: PolicyResource,
  field: string,
  all: readonly PolicyResource[],
  tolerate: (s: PolicyResource) => boolean = () => false,
): boolean {
  const sources = sourcesOf(r, field, all);
  const nets = sources.filter((s) => s.type === VPC || s.type === SUBNET);
  return (
    nets.length > 0 &&
    sources.every(
      (s) => safeNetwork(s) || isContainer(s, sources) || (tolerate(s) && !nets.includes(s)),
    )
  );
}

/** What the inline `ingress` of a group names besides CIDRs, so its dependencies may include them. */
function inlineTolerance(r: PolicyResource): (s: PolicyResource) => boolean {
  const entries = list(raw(r.props).ingress).filter(isObj);
  const groups = entries.some((e) => list(e.securityGroups).length > 0);
  const lists = entries.some((e) => list(e.prefixListIds).length > 0);
  return (s) =>
    (groups && isGroup(s)) || (lists && (s.type === PREFIX_LIST || s.type === VPC_ENDPOINT));
}

/** The CIDR sources a prefix-list reference stands for, or why it cannot be judged. */
interface ListCidrs {
  readonly cidrs: readonly { readonly cidr: string; readonly label: string }[];
  readonly unknown: readonly string[]; // fields (or list names) unknown at preview
  /** Known ids of no list in the stack and not in trustedPrefixListIds: entries unreadable. */
  readonly foreign?: readonly string[];
}

/** The CIDRs of one managed prefix list of the stack: its `entries` and its entry resources. */
function prefixListCidrs(pl: PolicyResource, all: readonly PolicyResource[]): ListCidrs {
  const p = raw(pl.props);
  const label = `in prefix list "${pl.name}"`;
  const unknown: string[] = [];
  const values: unknown[] = [];
  if (isUnknown(p.entries)) {
    // Optional+computed: unknown at preview when the program sets no inline entries.
    if ((pl.propertyDependencies.entries ?? []).length > 0) unknown.push(`\`entries\` of ${label}`);
  } else {
    for (const e of list(p.entries)) values.push(isObj(e) ? e.cidr : e);
  }
  const id = p.id;
  for (const x of all.filter((x) => x.type === PREFIX_LIST_ENTRY)) {
    const ref = raw(x.props).prefixListId;
    const mine =
      typeof id === "string" && !isUnknown(id) && ref === id
        ? true
        : isUnknown(ref) && sourcesOf(x, "prefixListId", all).some((s) => s.urn === pl.urn);
    if (mine) values.push(raw(x.props).cidr);
  }
  if (values.some(isUnknown)) unknown.push(`a CIDR ${label}`);
  const cidrs = values
    .filter((v): v is string => typeof v === "string" && !isUnknown(v))
    .map((cidr) => ({ cidr, label }));
  return { cidrs, unknown };
}

/**
 * The CIDRs behind an entry's prefix lists. A list id found in the stack (by `id`, or at preview
 * through the field's dependencies) is judged by its entries. A known id of no list in the stack
 * is `foreign`: AWS-managed (com.amazonaws.global.cloudfront.origin-facing, the S3/DynamoDB
 * gateway lists: AWS service ranges, not the internet) or customer-managed elsewhere (another
 * stack's, RAM-shared, made in the console, or read with ec2.getManagedPrefixList, whose result
 * is a literal at preview and no resource). The id does not say which, and a customer-managed
 * list may hold 0.0.0.0/0 (ec2/managedPrefixList.d.ts: entries are any CIDRs; review 22b, F2):
 * the caller trusts it on ports that are not sensitive (the usual "ALB 443 only from
 * CloudFront" group) and refuses it on sensitive ones unless it is in `trusted`. An unknown id
 * is accepted only when computed from lists of the stack (judged) or a VPC endpoint
 * (vpcEndpoint.d.ts `prefixListId`: the AWS-managed list of its service).
 */
function entryListCidrs(
  r: PolicyResource,
  e: Entry,
  all: readonly PolicyResource[],
  trusted: readonly string[],
): ListCidrs {
  const lists = all.filter((x) => x.type === PREFIX_LIST);
  const found = new Map<string, PolicyResource>();
  const unknown: string[] = [];
  const foreign: string[] = [];
  for (const ref of e.prefixLists) {
    if (typeof ref.value === "string" && !isUnknown(ref.value)) {
      const mine = lists.filter((l) => raw(l.props).id === ref.value);
      mine.forEach((l) => found.set(l.urn, l));
      if (mine.length === 0 && !trusted.includes(ref.value)) foreign.push(ref.value);
    } else if (isUnknown(ref.value)) {
      const sources = sourcesOf(r, ref.field, all);
      const pls = sources.filter((s) => s.type === PREFIX_LIST);
      pls.forEach((l) => found.set(l.urn, l));
      // The inline `ingress` gathers every entry's dependencies: there one list or endpoint
      // must be among them; a rule's own field must come from lists and endpoints only.
      const listLike = (s: PolicyResource) => s.type === PREFIX_LIST || s.type === VPC_ENDPOINT;
      const ok =
        ref.field === "ingress"
          ? sources.some(listLike)
          : sources.length > 0 && sources.every((s) => listLike(s) || isContainer(s, sources));
      if (!ok) unknown.push(`\`${ref.field}\``);
    }
  }
  const parts = [...found.values()].map((l) => prefixListCidrs(l, all));
  return {
    cidrs: parts.flatMap((x) => x.cidrs),
    unknown: [...new Set([...unknown, ...parts.flatMap((x) => x.unknown)])],
    foreign: [...new Set(foreign)],
  };
}

const isLb = (r: PolicyResource) => r.type === LB_LOAD_BALANCER || r.type === ALB_LOAD_BALANCER;
const isGroup = (r: PolicyResource) => r.type === SECURITY_GROUP || r.type === DEFAULT_SG;

/** URNs of the security groups some load balancer of the stack uses (by id or by dependency). */
export function loadBalancerGroups(all: readonly PolicyResource[]): Set<string> {
  const out = new Set<string>();
  for (const lb of all.filter(isLb)) {
    const refs = list(raw(lb.props).securityGroups);
    for (const ref of refs) {
      if (isUnknown(ref)) continue;
      all.filter((g) => isGroup(g) && raw(g.props).id === ref).forEach((g) => out.add(g.urn));
    }
    if (isUnknown(raw(lb.props).securityGroups) || refs.some(isUnknown)) {
      sourcesOf(lb, "securityGroups", all)
        .filter(isGroup)
        .forEach((g) => out.add(g.urn));
    }
  }
  return out;
}

/** The group a standalone rule belongs to, by its `securityGroupId` or that field's dependency. */
export function groupOfRule(
  r: PolicyResource,
  all: readonly PolicyResource[],
): PolicyResource | undefined {
  const id = raw(r.props).securityGroupId;
  if (typeof id === "string" && !isUnknown(id)) {
    return all.find((g) => isGroup(g) && raw(g.props).id === id);
  }
  const groups = sourcesOf(r, "securityGroupId", all).filter(isGroup);
  return groups.length === 1 ? groups[0] : undefined;
}

const FIX =
  "Fix: admit a security group instead (`securityGroups` inline, `referencedSecurityGroupId`, " +
  "`sourceSecurityGroupId`) or a private CIDR; reach admin ports through SSM Session Manager or " +
  "a VPN, and put web traffic behind a load balancer whose group alone opens the public ports.";

/** Violations for one group or standalone rule. */
export function worldOpenProblems(
  r: PolicyResource,
  all: readonly PolicyResource[],
  lbGroups: ReadonlySet<string>,
  cfg: WorldConfig,
): string[] {
  const entries = entriesOf(r);
  const group = isGroup(r) ? r : groupOfRule(r, all);
  const label = isGroup(r)
    ? `Security group "${r.name}"`
    : `Ingress rule "${r.name}" (of ${group ? `security group "${group.name}"` : "a security group the pack cannot identify"})`;
  if (entries === "unknown") {
    return [
      unknownAtPreview(
        `The ingress of ${label}`,
        "declare ingress entries as literals (only CIDRs may come from a VPC/subnet)",
      ),
    ];
  }
  const onLb = group !== undefined && lbGroups.has(group.urn);
  const out: string[] = [];
  for (const e of entries) {
    if (e.unknown) {
      out.push(unknownAtPreview(`${e.where} of ${label}`, "declare it as a literal object"));
      continue;
    }
    const o = openingOf(e);
    const tolerate = isGroup(r) ? inlineTolerance(r) : undefined;
    const lists = entryListCidrs(r, e, all, cfg.trustedPrefixListIds);
    const foreign = lists.foreign ?? [];
    const sources = [
      ...e.cidrs
        .map((c) => c.value)
        .filter((c): c is string => typeof c === "string" && !isUnknown(c))
        .map((cidr) => ({ cidr, label: "" })),
      ...lists.cidrs,
    ];
    const open = new Set(worldOpenCidrs(sources.map((x) => x.cidr)));
    const world = sources
      .filter((x) => open.has(x.cidr))
      .map((x) => (x.label ? `${x.cidr} (${x.label})` : x.cidr));
    const unprovenanced = [
      ...new Set([
        ...e.cidrs
          .filter((c) => isUnknown(c.value) && !cidrProvenanced(r, c.field, all, tolerate))
          .map((c) => `\`${c.field}\``),
        ...lists.unknown,
      ]),
    ];
    if (world.length === 0 && unprovenanced.length === 0 && foreign.length === 0) continue;
    const foreignText = foreign.map((id) => `prefix list ${id}`).join(" and ");
    if (o.kind === "unknown") {
      out.push(
        unknownAtPreview(
          `The protocol or ports of ${e.where} of ${label} (open to ${[...world, ...(foreignText ? [foreignText] : [])].join(", ") || "an unknown CIDR"})`,
          "use literal protocol and ports",
        ),
      );
      continue;
    }
    const onSensitive = foreign.length > 0 ? sensitiveProblem(o, cfg) : undefined;
    if (onSensitive !== undefined) {
      out.push(
        `${label}: ${e.where} ${onSensitive} to ${foreignText}, which is not a ManagedPrefixList ` +
          "of this stack: its entries cannot be read from the stack, and a customer-managed list " +
          "may hold 0.0.0.0/0 (such ids are trusted only on ports that are not sensitive). Fix: " +
          "admit a security group or a prefix list declared in this stack; if the list is " +
          "AWS-managed or reviewed, add its id to this rule's `trustedPrefixListIds` policy config.",
      );
    }
    if (world.length === 0 && unprovenanced.length === 0) continue;
    const problem = worldProblem(o, onLb, cfg);
    if (problem === undefined) continue;
    if (world.length > 0) {
      const bySpace = [...open].some((c) => !isWorldCidr(c))
        ? " (together more public addresses than a /8 of IPv4 or a /16 of IPv6: the internet, " +
          "whatever the prefix lengths)"
        : "";
      out.push(`${label}: ${e.where} ${problem} to ${world.join(" and ")}${bySpace}. ${FIX}`);
    } else {
      out.push(
        unknownAtPreview(
          `${unprovenanced.join(", ")} of ${label} (${e.where}, which ${problem})`,
          "compute the CIDR only from an aws.ec2.Vpc or Subnet with a known private block, take prefix lists from an aws.ec2.ManagedPrefixList of the stack, or admit a security group",
        ),
      );
    }
  }
  return out;
}
