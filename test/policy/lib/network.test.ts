/**
 * Address beliefs of the exposure rules (policy/lib/network.ts): ipaddr.js parses, held to what
 * Docker accepts for a published port's host IP (Go `net.ParseIP` / `netip.ParseAddr`: four
 * decimal IPv4 parts without leading zeros, IPv6 without brackets; no zones, no `127.1`).
 */
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { cidrsCoverEverything } from "../../../policy/lib/aws-limits";
import {
  hostIpProblem,
  isLoopback,
  isWorldCidr,
  parseCidr,
  parseHostIp,
  ruleCoversPort,
} from "../../../policy/lib/network";
import { checkRedisExposure } from "../../../policy/lib/redis-checks";

describe("ipaddr.js on its own is looser than Docker (why parseHostIp narrows it)", () => {
  it.each(["127.1", "0x7f.1", "127.000.0.1", "017.0.0.1"])(
    "ipaddr.parse accepts the inet_aton form %j, which Go refuses",
    (text) => {
      expect(ipaddr.isValid(text)).toBe(true);
      expect(ipaddr.IPv4.isValidFourPartDecimal(text)).toBe(false);
      expect(parseHostIp(text)).toBeUndefined();
    },
  );
  it("ipaddr.js reads IPv4-compatible ::127.0.0.1 as mapped ::ffff:127.0.0.1; Go does not", () => {
    expect(ipaddr.parse("::127.0.0.1").toNormalizedString()).toBe("0:0:0:0:0:ffff:7f00:1");
    expect(parseHostIp("::127.0.0.1")?.toNormalizedString()).toBe("0:0:0:0:0:0:7f00:1");
    expect(parseHostIp("::ffff:1.2.3.4")?.toNormalizedString()).toBe("0:0:0:0:0:ffff:102:304");
    expect(isLoopback("::127.0.0.1")).toBe(false);
  });
});

describe("loopback", () => {
  it.each([
    "127.0.0.1",
    "127.0.0.2",
    "127.255.255.254",
    "::1",
    "0:0:0:0:0:0:0:1",
    "0000::1",
    "::ffff:127.0.0.1",
    "::ffff:127.0.0.2", // the hand-rolled check missed every mapped address but 127.0.0.1
    "::FFFF:7f00:2",
    "0:0:0:0:0:ffff:127.0.0.1",
  ])("%j is loopback", (ip) => expect(isLoopback(ip)).toBe(true));

  it.each([
    undefined,
    "",
    "0.0.0.0",
    "::",
    "10.0.0.1",
    "128.0.0.1",
    "::2",
    "::ffff:10.0.0.1",
    "::ffff:128.0.0.1",
    // Docker refuses these, so they are not loopback either:
    "127.1",
    "0x7f.1",
    "127.000.0.1",
    "localhost",
    "[::1]",
    " 127.0.0.1",
    "::1%lo",
    "::ffff:127.00.0.1",
    "00000::1",
    "1::2::3",
    // only ::ffff:0:0/96 is mapped; these put 127 in the same place without being mapped
    "::7f00:1",
    "::ff00:7f00:1",
    "::ff:7f00:1",
    "1::ffff:7f00:1",
  ])("%j is not loopback", (ip) => expect(isLoopback(ip)).toBe(false));
});

describe("host IPs Docker refuses are named as such", () => {
  it.each(["127.1", "localhost", "[::1]", "fe80::1%eth0", "127.0.0.1 ", "1.2.3.4.5", "300.0.0.1"])(
    "%j is refused, with the way to write it",
    (ip) =>
      expect(hostIpProblem(ip)).toMatch(/is not an IP address Docker accepts .*"127\.0\.0\.1"/),
  );
  it.each(["127.0.0.1", "0.0.0.0", "::", "::1", "::ffff:127.0.0.2", "192.168.1.10"])(
    "%j is accepted",
    (ip) => expect(hostIpProblem(ip)).toBeUndefined(),
  );
  it("names the fix in full", () => {
    expect(hostIpProblem("127.1")).toBe(
      '"127.1" is not an IP address Docker accepts (an IPv4 literal of four decimal parts such as ' +
        '"127.0.0.1", or an IPv6 literal such as "::1"; no host names, brackets, zones or short ' +
        'forms like "127.1")',
    );
  });
  it("the exposure rule reports such a published port, in dev too, and says why", () => {
    const redis = (ip: string) => ({ ports: [{ internal: 6379, external: 6379, ip }] });
    expect(checkRedisExposure('"r"', redis("127.1"), false)).toEqual([
      expect.stringMatching(
        /publishes port 127\.1:6379->6379 on an address Docker will not bind as loopback: "127\.1" is not an IP address Docker accepts/,
      ),
    ]);
    expect(checkRedisExposure('"r"', redis("::ffff:127.0.0.2"), false)).toEqual([]);
    expect(checkRedisExposure('"r"', redis("10.0.0.5"), false)).toEqual([
      expect.stringMatching(/on a non-loopback address\. Fix:/),
    ]);
    expect(checkRedisExposure('"r"', redis("127.0.0.1"), true)).toEqual([
      expect.stringMatching(
        /127\.0\.0\.1:6379->6379 in production, where Redis must not be published/,
      ),
    ]);
  });
});

describe("CIDRs", () => {
  it.each(["0.0.0.0/0", "::/0", "0::0/0", " 0.0.0.0/0 ", "0:0:0:0:0:0:0:0/0", "10.0.0.0/0"])(
    "%j is the world",
    (cidr) => expect(isWorldCidr(cidr)).toBe(true),
  );
  it.each([
    "10.0.0.0/8",
    "0.0.0.0/1",
    "0/0",
    "0.0.0.0",
    "0.0.0.0/",
    "::/x",
    "zz::/0",
    "0.0.0.0/00x",
  ])("%j is not", (cidr) => expect(isWorldCidr(cidr)).toBe(false));
  it.each(["10.0.0.0/8x", "10.0.0.0/x8", "10.0.0.0/0008", "0.0.0.0/0/0", "10.0.0.0"])(
    "%j is no CIDR",
    (cidr) => expect(parseCidr(cidr)).toBeUndefined(),
  );
  it("bounds the prefix by the family", () => {
    expect(parseCidr("10.0.0.0/32")?.[1]).toBe(32);
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("::/128")?.[1]).toBe(128);
    expect(parseCidr("::/129")).toBeUndefined();
  });
  it.each([
    [["0.0.0.0/1", "128.0.0.0/1"], true],
    [["::/1", "8000::/1"], true],
    [["::ffff:0.0.0.0/1", "8000::/1"], true], // an embedded IPv4 tail is still an IPv6 block
    [["0.0.0.0/1", "127.1/1"], false], // 127.1 is no address AWS or Docker reads
    [["0.0.0.0/1", "128.0.0.0/1", "::/1"], true],
    [["::/1"], false],
  ])("%j covers everything: %s", (cidrs, all) => expect(cidrsCoverEverything(cidrs)).toBe(all));
});

describe("ruleCoversPort", () => {
  it.each([
    ["-1", undefined, undefined, true],
    ["all", 1, 2, true],
    ["ALL", 1, 2, true],
    ["tcp", 6379, 6379, true],
    ["TCP", 6000, 7000, true],
    ["6", 6379, 6380, true],
    ["tcp", 6380, 6390, false],
    ["tcp", 6000, 6378, false],
    ["tcp", undefined, undefined, true], // unset ports: the whole range
    ["tcp", undefined, 6378, false],
    ["tcp", 6380, undefined, false],
    ["tcp", "6379", "6379", true], // a non-number is read as unset
    ["udp", 0, 65535, false],
    ["17", 0, 65535, false],
    [undefined, 0, 65535, false],
    ["icmp", -1, -1, false],
  ])("protocol %j, ports %j–%j reach 6379: %s", (protocol, from, to, reaches) =>
    expect(ruleCoversPort(protocol, from, to, 6379)).toBe(reaches),
  );
});
