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
