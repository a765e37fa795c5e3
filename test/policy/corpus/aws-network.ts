/**
 * Issue 22, classes 1, 4 and 6: world-open ingress on any security group, the load balancer's
 * own settings, and old Redis OSS engine versions. Every bad case is one setting away from its
 * `twin`, a good stack that must pass clean (test/policy/rules/aws-network.test.ts checks both).
 */
import { ResourceRecord, UNKNOWN } from "../../../gate";
import {
  cacheSg,
  elasticacheStack,
  replicationGroup,
  replicationGroupProps,
  res,
  T,
  vpc,
} from "./base";
import { BadCase, GoodCase } from "./types";

type Props = Record<string, unknown>;
type Mutate = (p: Props) => void;

export const LB = "aws:lb/loadBalancer:LoadBalancer";
export const ALB = "aws:alb/loadBalancer:LoadBalancer";
const WEB_SG_ID = "sg-0c1d2e3f4a5b60011";
const ADMIN_SG_ID = "sg-0c1d2e3f4a5b60012";
const PRIVATE = "10.20.0.0/16";

export interface NetworkCase extends BadCase {
  /** The good stack this case is one setting away from; none for a standalone Redis cluster. */
  readonly twin?: readonly ResourceRecord[];
}

const at = (preview: boolean | undefined, v: string) => (preview ? UNKNOWN : v);

/** A web ALB: its group opens 80/443 to the world, the load balancer uses that group. */
export function webStack(
  opts: { sg?: Mutate; lb?: Mutate; lbType?: string; preview?: boolean; extra?: Mutate } = {},
): ResourceRecord[] {
  const sgProps: Props = {
    id: at(opts.preview, WEB_SG_ID),
    vpcId: "vpc-123",
    description: "ALB: 443 and 80 in",
    ingress: [
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      { protocol: "tcp", fromPort: 80, toPort: 80, ipv6CidrBlocks: ["::/0"] },
    ],
  };
  opts.sg?.(sgProps);
  const sg = res(T.sg, "web-sg", sgProps);
  const lbProps: Props = {
    loadBalancerType: "application",
    internal: false,
    subnets: ["subnet-0public00000000a", "subnet-0public00000000b"],
    securityGroups: [at(opts.preview, WEB_SG_ID)],
    dropInvalidHeaderFields: true,
    enableDeletionProtection: true,
    accessLogs: { bucket: "api-stack-prod-alb-logs", prefix: "web", enabled: true },
  };
  opts.lb?.(lbProps);
  const lb = res(opts.lbType ?? LB, "web-alb", lbProps, {
    dependencies: [sg.urn],
    propertyDependencies: { securityGroups: [sg.urn] },
  });
  // A standalone rule on the ALB's group (vpc.SecurityGroupIngressRule), as our component writes.
  const ruleProps: Props = {
    securityGroupId: at(opts.preview, WEB_SG_ID),
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrIpv6: "::/0",
  };
  opts.extra?.(ruleProps);
  const rule = res(T.sgIngress, "web-443-v6", ruleProps, {
    dependencies: [sg.urn],
    propertyDependencies: { securityGroupId: [sg.urn] },
  });
  return [sg, lb, rule];
}

/** A group attached to nothing that admits SSH from the VPC only, in the three ingress shapes. */
export function adminStack(
  opts: { inline?: Mutate; sgRule?: Mutate; vpcRule?: Mutate; preview?: boolean } = {},
): ResourceRecord[] {
  const inline: Props = { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [PRIVATE] };
  opts.inline?.(inline);
  const sg = res(T.sg, "admin-sg", {
    id: at(opts.preview, ADMIN_SG_ID),
    vpcId: "vpc-123",
    description: "admin hosts",
    ingress: [inline],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
  });
  const sgRule: Props = {
    type: "ingress",
    securityGroupId: at(opts.preview, ADMIN_SG_ID),
    protocol: "tcp",
    fromPort: 3389,
    toPort: 3389,
    cidrBlocks: [PRIVATE],
  };
  opts.sgRule?.(sgRule);
  const vpcRule: Props = {
    securityGroupId: at(opts.preview, ADMIN_SG_ID),
    ipProtocol: "tcp",
    fromPort: 5432,
    toPort: 5432,
    cidrIpv4: PRIVATE,
  };
  opts.vpcRule?.(vpcRule);
  const deps = { dependencies: [sg.urn], propertyDependencies: { securityGroupId: [sg.urn] } };
  return [
    vpc,
    sg,
    res(T.sgRule, "admin-rdp", sgRule, deps),
    res(T.sgIngress, "admin-postgres", vpcRule, {
      dependencies: [sg.urn, vpc.urn],
      propertyDependencies: { securityGroupId: [sg.urn], cidrIpv4: [vpc.urn] },
    }),
  ];
}

/** A Redis OSS replication group (rather than the base's Valkey one). */
function redisStack(version: string): ResourceRecord[] {
  return elasticacheStack({
    cache: replicationGroup({
      ...replicationGroupProps(),
      engine: "redis",
      engineVersion: version,
      parameterGroupName: "default.redis7",
    }),
  });
}

export const PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList";
export const PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry";
const PL_ID = "pl-0a1b2c3d4e5f60011";

/**
 * A customer-managed prefix list of the stack (ec2/managedPrefixList.d.ts `entries[].cidr`)
 * admitted on SSH, in one of the three ingress shapes; at preview its id is unknown and the
 * rule names it only through propertyDependencies.
 */
function prefixListStack(
  cidrs: readonly string[],
  shape: "inline" | "sgRule" | "vpcRule",
  opts: { preview?: boolean; entries?: "resource" } = {},
): ResourceRecord[] {
  const id = at(opts.preview, PL_ID);
  const pl = res(PREFIX_LIST, "office-pl", {
    id,
    name: "office",
    addressFamily: "IPv4",
    maxEntries: 5,
    ...(opts.entries === "resource" ? {} : { entries: cidrs.map((cidr) => ({ cidr })) }),
  });
  const extra =
    opts.entries === "resource"
      ? cidrs.map((cidr, i) =>
          res(
            PREFIX_LIST_ENTRY,
            `office-pl-${i}`,
            { prefixListId: id, cidr },
            {
              dependencies: [pl.urn],
              propertyDependencies: { prefixListId: [pl.urn] },
            },
          ),
        )
      : [];
  const ssh = { protocol: "tcp", fromPort: 22, toPort: 22 };
  const sgProps: Props = {
    id: at(opts.preview, ADMIN_SG_ID),
    vpcId: "vpc-123",
    description: "admin hosts",
    ingress: shape === "inline" ? [{ ...ssh, prefixListIds: [id] }] : [],
  };
  const sg = res(T.sg, "admin-sg", sgProps, {
    dependencies: [pl.urn],
    propertyDependencies: shape === "inline" ? { ingress: [pl.urn] } : {},
  });
  const ruleDeps = (field: string) => ({
    dependencies: [sg.urn, pl.urn],
    propertyDependencies: { securityGroupId: [sg.urn], [field]: [pl.urn] },
  });
  const rules =
    shape === "sgRule"
      ? [
          res(
            T.sgRule,
            "admin-ssh",
            { type: "ingress", securityGroupId: sgProps.id, ...ssh, prefixListIds: [id] },
            ruleDeps("prefixListIds"),
          ),
        ]
      : shape === "vpcRule"
        ? [
            res(
              T.sgIngress,
              "admin-ssh",
              {
                securityGroupId: sgProps.id,
                ipProtocol: "tcp",
                fromPort: 22,
                toPort: 22,
                prefixListId: id,
              },
              ruleDeps("prefixListId"),
            ),
          ]
        : [];
  return [pl, ...extra, sg, ...rules];
}

/** An Elastic IP: a resource that is not a VPC/subnet, for CIDR provenance. */
const eip = res("aws:ec2/eip:Eip", "bastion-ip", { domain: "vpc" });

const world = (p: Props) => (p.cidrBlocks = ["0.0.0.0/0"]);
/** The admin group's entry admitting only a prefix list of no stack (review 22b, F2). */
const foreignList =
  (port: number, protocol = "tcp"): Mutate =>
  (p) => {
    delete p.cidrBlocks;
    Object.assign(p, { protocol, fromPort: port, toPort: port, prefixListIds: [FOREIGN_PL] });
  };
const FOREIGN_PL = "pl-0123456789abcdef0";
const I = "aws-ingress-not-world-open";
const L = "aws-lb-hardening";
const E = "elasticache-engine";

export const awsNetworkCases: NetworkCase[] = [
  // Class 1: world-open ingress, every shape.
  {
    name: "SSH 22 open to 0.0.0.0/0 inline, on a group attached to nothing",
    lesson: "issue 22 class 1: only ECS task groups and Redis ports were judged",
    stack: adminStack({ inline: world }),
    twin: adminStack(),
    expect: [{ policy: I, message: /"admin-sg".*22 \(SSH\).*0\.0\.0\.0\/0/ }],
  },
  {
    name: "RDP 3389 open to 0.0.0.0/0 through ec2.SecurityGroupRule",
    lesson: "issue 22 class 1",
    stack: adminStack({ sgRule: world }),
    twin: adminStack(),
    expect: [{ policy: I, message: /"admin-rdp".*3389 \(RDP\)/ }],
  },
  {
    name: "PostgreSQL 5432 open to 0.0.0.0/0 through vpc.SecurityGroupIngressRule cidrIpv4",
    lesson: "issue 22 class 1",
    stack: adminStack({ vpcRule: (p) => (p.cidrIpv4 = "0.0.0.0/0") }),
    twin: adminStack(),
    expect: [{ policy: I, message: /"admin-postgres".*5432 \(PostgreSQL\)/ }],
  },
  {
    name: "SSH open to ::/0 through inline ipv6CidrBlocks",
    lesson: "issue 22 class 1: IPv6 world",
    stack: adminStack({ inline: (p) => (p.ipv6CidrBlocks = ["::/0"]) }),
    twin: adminStack({ inline: (p) => (p.ipv6CidrBlocks = ["fd12:3456:789a::/48"]) }),
    expect: [{ policy: I, message: /22 \(SSH\) to ::\/0/ }],
  },
  {
    name: "protocol -1 (all traffic) open to 0.0.0.0/0",
    lesson: "issue 22 class 1: all ports",
    stack: adminStack({
      inline: (p) =>
        Object.assign(p, { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }),
    }),
    twin: adminStack({
      inline: (p) => Object.assign(p, { protocol: "-1", fromPort: 0, toPort: 0 }),
    }),
    expect: [{ policy: I, message: /protocol -1 \(all traffic\)/ }],
  },
  {
    name: "TCP 0-65535 open to 0.0.0.0/0 through vpc.SecurityGroupIngressRule",
    lesson: "issue 22 class 1: every port",
    stack: adminStack({
      vpcRule: (p) => Object.assign(p, { fromPort: 0, toPort: 65535, cidrIpv4: "0.0.0.0/0" }),
    }),
    twin: adminStack({ vpcRule: (p) => Object.assign(p, { fromPort: 0, toPort: 65535 }) }),
    expect: [{ policy: I, message: /TCP 0-65535 \(every port\)/ }],
  },
  {
    name: "TCP 20-30 (includes 22) open to 0.0.0.0/0 inline",
    lesson: "issue 22 class 1: a range that includes a sensitive port",
    stack: adminStack({
      inline: (p) => Object.assign(p, { fromPort: 20, toPort: 30, cidrBlocks: ["0.0.0.0/0"] }),
    }),
    twin: adminStack({ inline: (p) => Object.assign(p, { fromPort: 20, toPort: 30 }) }),
    expect: [
      { policy: I, message: /TCP 20-30, which includes sensitive port 20, 21 \(FTP\), 22 \(SSH\)/ },
    ],
  },
  {
    name: "UDP 11211 (memcached) open to 0.0.0.0/0 through ec2.SecurityGroupRule",
    lesson: "issue 22 class 1: memcached UDP amplification",
    stack: adminStack({
      sgRule: (p) =>
        Object.assign(p, {
          protocol: "udp",
          fromPort: 11211,
          toPort: 11211,
          cidrBlocks: ["0.0.0.0/0"],
        }),
    }),
    twin: adminStack({
      sgRule: (p) => Object.assign(p, { protocol: "udp", fromPort: 11211, toPort: 11211 }),
    }),
    expect: [
      { policy: I, message: /UDP 11211, which includes sensitive port 11211 \(memcached\)/ },
    ],
  },
  {
    name: "SSH open to 0.0.0.0/0 on the cache's security group",
    lesson: "issue 22 class 1: a group attached to the cache, on a non-Redis port",
    stack: elasticacheStack({
      sg: cacheSg([
        { protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: [PRIVATE] },
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
      ]),
    }),
    twin: elasticacheStack({
      sg: cacheSg([
        { protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: [PRIVATE] },
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [PRIVATE] },
      ]),
    }),
    expect: [{ policy: I, message: /"cache-sg".*22 \(SSH\)/ }],
  },
  {
    name: "HTTPS open to 0.0.0.0/0 and ::/0 on the cache's security group",
    lesson: "issue 22 class 1: 443 is public only on a load balancer's group (was a good case)",
    stack: elasticacheStack({
      sg: cacheSg([
        { protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: ["sg-app"] },
        {
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ["0.0.0.0/0"],
          ipv6CidrBlocks: ["::/0"],
        },
      ]),
    }),
    twin: elasticacheStack({
      sg: cacheSg([
        { protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: ["sg-app"] },
        {
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ["10.20.0.0/16"],
          ipv6CidrBlocks: ["fd12:3456:789a::/48"],
        },
      ]),
    }),
    expect: [{ policy: I, message: /"cache-sg".*TCP 443 on a group no load balancer uses/ }],
  },
  {
    name: "SSH open to 0.0.0.0/0 on the ALB's own group",
    lesson: "issue 22 class 1: a load balancer's group opens only the public ports",
    stack: webStack({
      sg: (p) =>
        (p.ingress = [
          ...(p.ingress as unknown[]),
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
        ]),
    }),
    twin: webStack({
      sg: (p) =>
        (p.ingress = [
          ...(p.ingress as unknown[]),
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [PRIVATE] },
        ]),
    }),
    expect: [{ policy: I, message: /"web-sg".*ingress\[2\].*22 \(SSH\)/ }],
  },
  {
    name: "8443 open to 0.0.0.0/0 on the ALB's group: not a public port",
    lesson: "issue 22 class 1: publicPorts",
    stack: webStack({
      sg: (p) =>
        (p.ingress = [
          { protocol: "tcp", fromPort: 8443, toPort: 8443, cidrBlocks: ["0.0.0.0/0"] },
          ...(p.ingress as unknown[]).slice(1),
        ]),
    }),
    twin: webStack(),
    expect: [{ policy: I, message: /TCP 8443, which is not a public port/ }],
  },
  {
    name: "443 open to the world on a group no load balancer uses",
    lesson: "issue 22 class 1: 80/443 only on a load balancer's group",
    stack: webStack({ lb: (p) => (p.securityGroups = ["sg-0c1d2e3f4a5b69999"]) }),
    twin: webStack(),
    expect: [{ policy: I, message: /on a group no load balancer uses/ }],
  },
  {
    name: "SSH open to 0.0.0.0/0 on the VPC's default security group",
    lesson: "issue 22 class 1: aws.ec2.DefaultSecurityGroup",
    stack: [
      res(T.defaultSg, "default-sg", {
        vpcId: "vpc-123",
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
      }),
    ],
    twin: [
      res(T.defaultSg, "default-sg", {
        vpcId: "vpc-123",
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [PRIVATE] }],
      }),
    ],
    expect: [{ policy: I, message: /"default-sg"/ }],
  },
  {
    name: "At preview: PostgreSQL rule's cidrIpv4 unknown and computed from no VPC",
    lesson: "pulumi-policy#258: an unknown CIDR must not silence a mandatory rule",
    stack: adminStack({ preview: true, vpcRule: (p) => (p.cidrIpv4 = UNKNOWN) }).map((r) =>
      r.name === "admin-postgres"
        ? {
            ...r,
            dependencies: r.propertyDependencies!.securityGroupId!,
            propertyDependencies: { securityGroupId: r.propertyDependencies!.securityGroupId! },
          }
        : r,
    ),
    twin: adminStack({ preview: true, vpcRule: (p) => (p.cidrIpv4 = UNKNOWN) }),
    expect: [
      { policy: I, message: /`cidrIpv4` of Ingress rule "admin-postgres".*unknown at preview/ },
    ],
  },
  {
    name: "At preview: a world-open rule's toPort unknown",
    lesson: "pulumi-policy#258: unknown ports on a world-open entry are reported",
    stack: webStack({ preview: true, extra: (p) => (p.toPort = UNKNOWN) }),
    twin: webStack({ preview: true }),
    expect: [{ policy: I, message: /protocol or ports of the rule of Ingress rule "web-443-v6"/ }],
  },
  {
    name: "At preview: the ALB's securityGroups unknown with no dependency to show which group",
    lesson: "pulumi-policy#258: an unknown link must not pass 0.0.0.0/0 as a load balancer's",
    stack: webStack({ preview: true }).map((r) =>
      r.type === LB ? { ...r, dependencies: [], propertyDependencies: {} } : r,
    ),
    twin: webStack({ preview: true }),
    expect: [{ policy: I, message: /no load balancer uses/ }],
  },

  // Review 22, belief 3a: world-open by address space, through prefix lists, and by provenance.
  {
    name: "SSH open to 0.0.0.0/1 and 128.0.0.0/1 inline (the world in two halves)",
    lesson:
      "review 22 3a: EC2.19 tests only the literal 0.0.0.0/0; the halves cover the same space",
    stack: adminStack({ inline: (p) => (p.cidrBlocks = ["0.0.0.0/1", "128.0.0.0/1"]) }),
    twin: adminStack(),
    expect: [{ policy: I, message: /"admin-sg".*22 \(SSH\) to 0\.0\.0\.0\/1 and 128\.0\.0\.0\/1/ }],
  },
  {
    name: "PostgreSQL open to 64.0.0.0/2 through vpc.SecurityGroupIngressRule",
    lesson: "review 22 3a: one short prefix is a quarter of the internet",
    stack: adminStack({ vpcRule: (p) => (p.cidrIpv4 = "64.0.0.0/2") }),
    twin: adminStack(),
    expect: [{ policy: I, message: /"admin-postgres".*5432 \(PostgreSQL\) to 64\.0\.0\.0\/2/ }],
  },
  {
    name: "SSH open to 2000::/3 (all IPv6 global unicast) through inline ipv6CidrBlocks",
    lesson: "review 22 3a: the IPv6 internet without ::/0",
    stack: adminStack({ inline: (p) => (p.ipv6CidrBlocks = ["2000::/3"]) }),
    twin: adminStack({ inline: (p) => (p.ipv6CidrBlocks = ["fd12:3456:789a::/48"]) }),
    expect: [{ policy: I, message: /22 \(SSH\) to 2000::\/3/ }],
  },
  {
    name: "SSH open to ::0/0 through inline ipv6CidrBlocks",
    lesson: "review 22 3a: another spelling of ::/0",
    stack: adminStack({ inline: (p) => (p.ipv6CidrBlocks = ["::0/0"]) }),
    twin: adminStack({ inline: (p) => (p.ipv6CidrBlocks = ["fd12:3456:789a::/48"]) }),
    expect: [{ policy: I, message: /22 \(SSH\) to ::0\/0/ }],
  },
  {
    name: "SSH from a stack prefix list holding 0.0.0.0/0 (inline prefixListIds)",
    lesson: "review 22 3a: a managed prefix list hid the world",
    stack: prefixListStack(["0.0.0.0/0"], "inline"),
    twin: prefixListStack(["203.0.113.0/24"], "inline"),
    expect: [
      {
        policy: I,
        message: /"admin-sg".*22 \(SSH\) to 0\.0\.0\.0\/0 \(in prefix list "office-pl"\)/,
      },
    ],
  },
  {
    name: "SSH from a stack prefix list holding both halves (ec2.SecurityGroupRule prefixListIds)",
    lesson: "review 22 3a",
    stack: prefixListStack(["0.0.0.0/1", "128.0.0.0/1"], "sgRule"),
    twin: prefixListStack(["203.0.113.0/24", "198.51.100.0/24"], "sgRule"),
    expect: [{ policy: I, message: /"admin-ssh".*22 \(SSH\).*prefix list "office-pl"/ }],
  },
  {
    name: "At preview: SSH from a prefix list holding 0.0.0.0/0, id unknown (vpc rule prefixListId)",
    lesson: "review 22 3a: the list is found by the rule's dependency",
    stack: prefixListStack(["0.0.0.0/0"], "vpcRule", { preview: true }),
    twin: prefixListStack(["203.0.113.0/24"], "vpcRule", { preview: true }),
    expect: [
      {
        policy: I,
        message: /"admin-ssh".*22 \(SSH\) to 0\.0\.0\.0\/0 \(in prefix list "office-pl"\)/,
      },
    ],
  },
  {
    name: "SSH from a prefix list whose 0.0.0.0/0 is a ManagedPrefixListEntry resource",
    lesson: "review 22 3a: entries may live in their own resources",
    stack: prefixListStack(["0.0.0.0/0"], "sgRule", { entries: "resource" }),
    twin: prefixListStack(["203.0.113.0/24"], "sgRule", { entries: "resource" }),
    expect: [{ policy: I, message: /"admin-ssh".*0\.0\.0\.0\/0 \(in prefix list "office-pl"\)/ }],
  },
  // Review 22b, F2: a list outside the stack may hold 0.0.0.0/0; trusted only off sensitive ports.
  {
    name: "SSH from a prefix list outside the stack (inline prefixListIds)",
    lesson: "review 22b F2: a console-made prefix list held 0.0.0.0/0",
    stack: adminStack({ inline: foreignList(22) }),
    twin: adminStack({ inline: foreignList(8443) }),
    expect: [
      {
        policy: I,
        message:
          /"admin-sg".*22 \(SSH\) to prefix list pl-0123456789abcdef0, which is not a ManagedPrefixList/,
      },
    ],
  },
  {
    name: "All traffic from a prefix list outside the stack (protocol -1)",
    lesson: "review 22b F2: every port from a list nobody in the stack can read",
    stack: adminStack({ inline: foreignList(0, "-1") }),
    twin: adminStack({ inline: foreignList(8443) }),
    expect: [{ policy: I, message: /protocol -1 \(all traffic\) to prefix list pl-0123/ }],
  },
  {
    name: "At preview: SSH rule's prefixListId unknown and computed from no prefix list",
    lesson: "pulumi-policy#258: an unknown source must not silence a mandatory rule",
    stack: prefixListStack(["203.0.113.0/24"], "vpcRule", { preview: true })
      .map((r) =>
        r.name === "admin-ssh"
          ? { ...r, propertyDependencies: { ...r.propertyDependencies, prefixListId: [eip.urn] } }
          : r,
      )
      .concat(eip),
    twin: prefixListStack(["203.0.113.0/24"], "vpcRule", { preview: true }).concat(eip),
    expect: [
      { policy: I, message: /`prefixListId` of Ingress rule "admin-ssh".*unknown at preview/ },
    ],
  },
  {
    name: "At preview: PostgreSQL rule's unknown cidrIpv4 computed from the VPC and an Elastic IP",
    lesson: "review 22 3a: every source of an unknown CIDR must be a private VPC/subnet",
    stack: [
      ...adminStack({ preview: true, vpcRule: (p) => (p.cidrIpv4 = UNKNOWN) }).map((r) =>
        r.name === "admin-postgres"
          ? {
              ...r,
              propertyDependencies: {
                ...r.propertyDependencies,
                cidrIpv4: [vpc.urn, eip.urn],
              },
            }
          : r,
      ),
      eip,
    ],
    twin: [...adminStack({ preview: true, vpcRule: (p) => (p.cidrIpv4 = UNKNOWN) }), eip],
    expect: [
      { policy: I, message: /`cidrIpv4` of Ingress rule "admin-postgres".*unknown at preview/ },
    ],
  },

  // Class 4: the load balancer itself.
  {
    name: "ALB with dropInvalidHeaderFields false",
    lesson: "issue 22 class 4: a hand-written ALB is held to ELB.4",
    stack: webStack({ lb: (p) => (p.dropInvalidHeaderFields = false) }),
    twin: webStack(),
    expect: [{ policy: L, message: /"web-alb".*`dropInvalidHeaderFields` false/ }],
  },
  {
    name: "ALB with dropInvalidHeaderFields unset (default false)",
    lesson: "issue 22 class 4",
    stack: webStack({ lb: (p) => delete p.dropInvalidHeaderFields }),
    twin: webStack(),
    expect: [{ policy: L, message: /unset \(default false\)/ }],
  },
  {
    name: "ALB under the aws:alb token with dropInvalidHeaderFields false",
    lesson: "issue 22 class 4: both type tokens",
    stack: webStack({ lbType: ALB, lb: (p) => (p.dropInvalidHeaderFields = false) }),
    twin: webStack({ lbType: ALB }),
    expect: [{ policy: L, message: /dropInvalidHeaderFields/ }],
  },
  {
    name: "ALB with enableDeletionProtection false in prod",
    lesson: "issue 22 class 4: ELB.6",
    stack: webStack({ lb: (p) => (p.enableDeletionProtection = false) }),
    twin: webStack(),
    expect: [{ policy: L, message: /`enableDeletionProtection` false in production/ }],
  },
  {
    name: "NLB with enableDeletionProtection unset in prod",
    lesson: "issue 22 class 4: ELB.6 covers network load balancers too",
    stack: webStack({
      lb: (p) => {
        p.loadBalancerType = "network";
        delete p.enableDeletionProtection;
      },
    }),
    twin: webStack({ lb: (p) => (p.loadBalancerType = "network") }),
    expect: [{ policy: L, message: /enableDeletionProtection` unset/ }],
  },
  {
    name: "At preview: ALB dropInvalidHeaderFields unknown",
    lesson: "pulumi-policy#258",
    stack: webStack({ preview: true, lb: (p) => (p.dropInvalidHeaderFields = UNKNOWN) }),
    twin: webStack({ preview: true }),
    expect: [
      { policy: L, message: /`dropInvalidHeaderFields` of Load balancer "web-alb" is unknown/ },
    ],
  },

  // Class 6: Redis OSS engine versions.
  {
    name: "Redis OSS 5.0.6 on a replication group",
    lesson: "issue 22 class 6: only Valkey versions were checked",
    stack: redisStack("5.0.6"),
    twin: redisStack("7.1"),
    expect: [{ policy: E, message: /engineVersion` 5\.0\.6, older than 6\.2/ }],
  },
  {
    name: "Redis OSS 6.0 on a replication group",
    lesson: "issue 22 class 6",
    stack: redisStack("6.0"),
    twin: redisStack("7.1"),
    expect: [{ policy: E, message: /6\.0, older than 6\.2/ }],
  },
  {
    name: "At preview: Redis engineVersion unknown",
    lesson: "pulumi-policy#258",
    stack: redisStack(UNKNOWN),
    twin: redisStack("7.1"),
    expect: [{ policy: E, message: /`engineVersion` of Redis ElastiCache "cache" is unknown/ }],
  },
  {
    // A standalone Redis cluster is refused anyway (elasticache-no-standalone-cluster), so it
    // has no clean twin; the version is judged on it as well.
    name: "Redis OSS 4.0.10 on a standalone cluster",
    lesson: "issue 22 class 6: clusters too",
    stack: elasticacheStack({
      cache: res(T.cluster, "old-cluster", {
        engine: "redis",
        engineVersion: "4.0.10",
        nodeType: "cache.t4g.small",
        numCacheNodes: 1,
        subnetGroupName: "api-cache-subnets",
        securityGroupIds: ["sg-123"],
      }),
    }),
    expect: [{ policy: E, message: /"old-cluster".*4\.0\.10, older than 6\.2/ }],
  },
];

export const awsNetworkGoodCases: GoodCase[] = [
  {
    name: "ALB group with 80/443 from 0.0.0.0/0 and ::/0, LB with every setting",
    stack: webStack(),
  },
  {
    name: "ALB at preview: ids unknown, the LB's group found by dependency",
    stack: webStack({ preview: true }),
  },
  { name: "SSH, RDP and PostgreSQL from a private /16 only", stack: adminStack() },
  {
    name: "An egress-only security group",
    stack: [
      res(T.sg, "egress-only", {
        vpcId: "vpc-123",
        description: "outbound only",
        ingress: [],
        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      }),
      res(T.sgRule, "egress-https", {
        type: "egress",
        securityGroupId: "sg-0c1d2e3f4a5b60013",
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ["0.0.0.0/0"],
      }),
    ],
  },
  { name: "Redis OSS 7.1 replication group", stack: redisStack("7.1") },
  {
    name: "SSH from public /24s and a /8, directly and through a stack prefix list",
    stack: [
      ...prefixListStack(["203.0.113.0/24", "198.51.100.0/24"], "inline"),
      res(T.sgRule, "office-rdp", {
        type: "ingress",
        securityGroupId: "sg-0c1d2e3f4a5b60019",
        protocol: "tcp",
        fromPort: 3389,
        toPort: 3389,
        cidrBlocks: ["11.0.0.0/8", "10.0.0.0/7", "192.168.0.0/16"],
        ipv6CidrBlocks: ["2001:db8::/32", "fc00::/7"],
      }),
    ],
  },
  {
    name: "ALB 443 from a prefix list outside the stack (CloudFront origin-facing)",
    stack: webStack({
      sg: (p) =>
        (p.ingress = [
          { protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: ["pl-3b927c52"] },
        ]),
    }),
  },
];
