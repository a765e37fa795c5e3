/**
 * Address and port helpers for the exposure rules.
 *
 * Addresses are parsed with ipaddr.js (a maintained parser; our hand-rolled regexes treated
 * `::ffff:127.0.0.2` as non-loopback), held to what Docker itself accepts for a published port's
 * host address. Docker parses that field with Go's `net.ParseIP` (recent Engine API types hold
 * it as a `netip.Addr`, parsed with `netip.ParseAddr`): an IPv4 literal is exactly four decimal
 * parts without leading zeros, an IPv6 literal has no brackets. ipaddr.js alone is looser: its
 * `parse` accepts the inet_aton forms `127.1` and `0x7f.1`, which Go refuses, so IPv4 goes
 * through `IPv4.isValidFourPartDecimal` instead. A zone (`fe80::1%eth0`) is refused too:
 * `net.ParseIP` has no zones.
 */
import ipaddr from "ipaddr.js";

/** The host IP of a published port as Docker reads it, or undefined where Docker refuses it. */
export function parseHostIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes(":") || text.includes("%") || !ipaddr.IPv6.isValid(text)) return undefined;
  const groups = text.split(":"); // ipaddr.js has already refused a group of 5+ hex digits
  const last = groups.pop() as string;
  if (!last.includes(".")) return ipaddr.IPv6.parse(text);
  // An embedded IPv4 tail follows the IPv4 rule, and is rewritten as two hex groups: ipaddr.js
  // parses "::127.0.0.1" as if it were "::ffff:127.0.0.1", Go as "::7f00:1".
  if (!ipaddr.IPv4.isValidFourPartDecimal(last)) return undefined;
  const [a, b, c, d] = ipaddr.IPv4.parse(last).octets as [number, number, number, number];
  const tail = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  return ipaddr.IPv6.parse(`${groups.join(":")}:${tail}`);
}

/**
 * Loopback as the kernel routes it: 127.0.0.0/8, ::1, and IPv4-mapped `::ffff:127.x.y.z` (a
 * socket bound there is an IPv4 loopback socket). IPv4-compatible `::127.0.0.1` is not mapped
 * (see {@link parseHostIp}).
 */
export function isLoopbackAddress(addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (addr.kind() === "ipv4") return addr.range() === "loopback";
  const b = addr.toByteArray();
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? b[12] === 127 : addr.range() === "loopback";
}

/** Docker publishes on every interface when a port's `ip` is unset. */
export function isLoopback(ip: string | undefined): boolean {
  if (ip === undefined || ip === "") return false;
  const addr = parseHostIp(ip);
  return addr !== undefined && isLoopbackAddress(addr);
}

/** Why Docker would refuse `ip` as a published port's host address, or undefined if it takes it. */
export function hostIpProblem(ip: string): string | undefined {
  if (parseHostIp(ip) !== undefined) return undefined;
  return (
    `"${ip}" is not an IP address Docker accepts (an IPv4 literal of four decimal parts such as ` +
    '"127.0.0.1", or an IPv6 literal such as "::1"; no host names, brackets, zones or short ' +
    'forms like "127.1")'
  );
}

/** A CIDR's address and prefix length, with the address held to {@link parseHostIp}'s rules. */
export function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const parts = cidr.trim().split("/");
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1] as string)) return undefined;
  const addr = parseHostIp(parts[0] as string);
  const prefix = Number(parts[1]);
  if (addr === undefined || prefix > (addr.kind() === "ipv4" ? 32 : 128)) return undefined;
  return [addr, prefix];
}

/** True for a CIDR that matches every address: 0.0.0.0/0, ::/0 (any spelling). */
export function isWorldCidr(cidr: string): boolean {
  return parseCidr(cidr)?.[1] === 0;
}

/** Whether an ingress rule (protocol, from/to port) lets traffic reach `port`. */
export function ruleCoversPort(
  protocol: unknown,
  fromPort: unknown,
  toPort: unknown,
  port: number,
): boolean {
  const proto = String(protocol ?? "").toLowerCase();
  if (proto === "-1" || proto === "all") {
    return true;
  }
  if (proto !== "tcp" && proto !== "6") {
    return false;
  }
  const from = typeof fromPort === "number" ? fromPort : 0;
  const to = typeof toPort === "number" ? toPort : 65535;
  return from <= port && port <= to;
}

/*
 * World-open by address space. Security Hub EC2.18/EC2.19 test only the literals 0.0.0.0/0 and
 * ::/0, so 0.0.0.0/1 + 128.0.0.0/1 (or 64.0.0.0/2, or 2000::/3) passes them while admitting the
 * same internet. We count the *public* addresses a set of CIDRs covers (their union, so overlaps
 * count once) and call the set world-open above one /8 of public IPv4 (2^24 addresses, e.g. a
 * single RIR allocation to one organisation) or one /16 of global-unicast IPv6 (2^112): a single
 * public /8 or a list of office /24s still passes, any CIDR with prefix < 8 over public space, or
 * halves and quarters of it, does not. Private space (RFC 1918, CGNAT 100.64/10, loopback,
 * link-local, 0/8, multicast and reserved 224/3; IPv6 outside 2000::/3, e.g. ULA fc00::/7) is not
 * counted. Known limit: the union is per ingress entry, so the internet split across many entries
 * or rules of at most a /8 each is not summed.
 */
const NON_PUBLIC_V4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/3",
];
const PUBLIC_V6 = "2000::/3";
/** More public addresses than this (a /8 of IPv4, a /16 of IPv6) make a set of CIDRs world-open. */
export const WORLD_THRESHOLD = { ipv4: 2n ** 24n, ipv6: 2n ** 112n } as const;

type Span = readonly [bigint, bigint]; // [first, last] address, inclusive

function spanOf(addr: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): Span {
  const bits = addr.kind() === "ipv4" ? 32 : 128;
  const value = addr.toByteArray().reduce((a, b) => (a << 8n) | BigInt(b), 0n);
  const size = 1n << BigInt(bits - prefix);
  const first = value - (value % size); // AWS keeps the network part only
  return [first, first + size - 1n];
}

const cidrSpan = (c: string): Span => {
  const [a, p] = parseCidr(c) as [ipaddr.IPv4 | ipaddr.IPv6, number];
  return spanOf(a, p);
};

function merge(spans: readonly Span[]): Span[] {
  const out: [bigint, bigint][] = [];
  for (const [a, b] of [...spans].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) last[1] = b > last[1] ? b : last[1];
    else out.push([a, b]);
  }
  return out;
}

const overlap = (x: Span, y: Span): bigint => {
  const lo = x[0] > y[0] ? x[0] : y[0];
  const hi = x[1] < y[1] ? x[1] : y[1];
  return hi >= lo ? hi - lo + 1n : 0n;
};

const nonPublicV4 = merge(NON_PUBLIC_V4.map(cidrSpan));
const publicV6 = cidrSpan(PUBLIC_V6);

/** How many public addresses the union of these spans (all of one family) covers. */
function publicCount(spans: readonly Span[], family: "ipv4" | "ipv6"): bigint {
  let n = 0n;
  for (const s of merge(spans)) {
    if (family === "ipv6") n += overlap(s, publicV6);
    else n += s[1] - s[0] + 1n - nonPublicV4.reduce((a, r) => a + overlap(s, r), 0n);
  }
  return n;
}

/**
 * The CIDRs that make this set world-open: for each family whose union covers more public
 * addresses than {@link WORLD_THRESHOLD}, its CIDRs that hold any public address; [] if none.
 * Unparseable strings are ignored (AWS refuses them at deploy).
 */
export function worldOpenCidrs(cidrs: readonly string[]): string[] {
  const parsed = cidrs
    .map((c) => ({ c, p: parseCidr(c) }))
    .filter((x): x is { c: string; p: [ipaddr.IPv4 | ipaddr.IPv6, number] } => !!x.p);
  const out: string[] = [];
  for (const family of ["ipv4", "ipv6"] as const) {
    const mine = parsed.map((x) => ({ c: x.c, s: spanOf(...x.p), k: x.p[0].kind() }));
    const fam = mine.filter((x) => x.k === family);
    if (
      publicCount(
        fam.map((x) => x.s),
        family,
      ) <= WORLD_THRESHOLD[family]
    )
      continue;
    out.push(...fam.filter((x) => publicCount([x.s], family) > 0n).map((x) => x.c));
  }
  return cidrs.filter((c) => out.includes(c));
}
