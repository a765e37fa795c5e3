/**
 * What AWS refuses half-way through an `up`, checked before the first resource: ElastiCache
 * windows, engine versions without a parameter group family, and CIDR sets that add up to
 * the whole internet. Pure, in the pack's lib so the config schema (stacks/config/managed.ts)
 * and the pack (policy/rules/elasticache-limits.ts) share one copy.
 */
import { parseCidr } from "./network";

/**
 * Parameter group families ElastiCache offers for Valkey (the engine the stack runs):
 * AWS ElastiCache User Guide, "Parameter management" / ParameterGroups: valkey7, valkey8
 * (and redis2.6 … redis7 for Redis OSS). Valkey on ElastiCache starts at 7.2.
 * components/elasticache-valkey.ts derives the family as `valkey${major}`.
 */
export const VALKEY_FAMILIES = ["valkey7", "valkey8"] as const;

export function engineFamily(version: string): { family: string; problem?: string } {
  const major = version.split(".")[0] ?? "";
  const family = `valkey${major}`;
  if ((VALKEY_FAMILIES as readonly string[]).includes(family)) return { family };
  return {
    family,
    problem: `"${version}" would need the parameter group family "${family}", which ElastiCache does not have (it has ${VALKEY_FAMILIES.join(", ")}): use "7.2", "8.0" or "8.1"`,
  };
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const WEEK = 7 * 1440;

/** Minutes since 00:00 for "hh:mm", or a problem naming the bad part. */
function clock(hhmm: string): number | string {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  if (!(h >= 0 && h <= 23)) return `the hour ${hhmm.slice(0, 2)} is not 00-23`;
  if (!(m >= 0 && m <= 59)) return `the minute ${hhmm.slice(3, 5)} is not 00-59`;
  return h * 60 + m;
}

/** Length of a window in minutes, wrapping past midnight (or the week's end). */
function span(start: number, end: number, period: number): number {
  return (((end - start) % period) + period) % period;
}

/**
 * The windows' rules. Formats: AWS ElastiCache API Reference, CreateReplicationGroup:
 * SnapshotWindow "hh24:mi-hh24:mi" and PreferredMaintenanceWindow "ddd:hh24:mi-ddd:hh24:mi"
 * (UTC). Lengths: the Pulumi AWS provider's ReplicationGroup docs, snapshotWindow: "The minimum
 * snapshot window is a 60 minute period"; the ElastiCache User Guide, maintenance-window.html,
 * assigns 60-minute maintenance windows and the API Reference gives 60 minutes as the minimum.
 * No overlap: the brief's reading of the ElastiCache docs; the explicit wording found so far is
 * the same AWS rule for RDS and DocumentDB ("Must not conflict with the preferred maintenance
 * window", CreateDBInstance / ModifyDBCluster PreferredBackupWindow) — unverified for
 * ElastiCache, so the message says what AWS refuses without quoting an ElastiCache page.
 */
export function windowProblems(
  snapshot: string,
  maintenance: string,
  /** Serverless caches take only the snapshot's start time and have no maintenance window. */
  replicationGroup = true,
): { key: "snapshotWindow" | "maintenanceWindow"; message: string }[] {
  const out: { key: "snapshotWindow" | "maintenanceWindow"; message: string }[] = [];
  const [s1, s2] = snapshot.split("-") as [string, string];
  const a = clock(s1);
  const b = clock(s2);
  let snap: [number, number] | undefined;
  if (typeof a === "string" || typeof b === "string") {
    out.push({
      key: "snapshotWindow",
      message: `"${snapshot}": ${typeof a === "string" ? a : b}; AWS expects hh:mm in 24-hour UTC, hours 00-23`,
    });
  } else if (replicationGroup && span(a, b, 1440) < 60) {
    out.push({
      key: "snapshotWindow",
      message: `"${snapshot}" is ${span(a, b, 1440)} minutes long: ElastiCache needs at least 60 minutes, e.g. "03:00-04:00"`,
    });
  } else snap = [a, b];

  const [m1, m2] = maintenance.split("-") as [string, string];
  const c = clock(m1.slice(4));
  const d = clock(m2.slice(4));
  let maint: [number, number] | undefined;
  if (typeof c === "string" || typeof d === "string") {
    out.push({
      key: "maintenanceWindow",
      message: `"${maintenance}": ${typeof c === "string" ? c : d}; AWS expects ddd:hh:mm in 24-hour UTC, hours 00-23`,
    });
  } else {
    const start = DAYS.indexOf(m1.slice(0, 3)) * 1440 + c;
    const end = DAYS.indexOf(m2.slice(0, 3)) * 1440 + d;
    const len = span(start, end, WEEK);
    if (replicationGroup && len < 60)
      out.push({
        key: "maintenanceWindow",
        message: `"${maintenance}" is ${len} minutes long: ElastiCache needs at least 60 minutes, e.g. "sun:05:00-sun:06:00"`,
      });
    else maint = [start, end];
  }

  if (replicationGroup && snap && maint) {
    // The daily snapshot window recurs on every day of the week; compare each day's copy.
    const [ms, me] = maint;
    const mLen = span(ms, me, WEEK);
    const overlaps = DAYS.some((_, day) => {
      const ss = day * 1440 + snap[0];
      const sLen = span(snap[0], snap[1], 1440);
      return span(ms, ss, WEEK) < mLen || span(ss, ms, WEEK) < sLen;
    });
    if (overlaps)
      out.push({
        key: "snapshotWindow",
        message: `"${snapshot}" overlaps the maintenance window ("${maintenance}"), which AWS refuses: move the snapshot window, e.g. "03:00-04:00"`,
      });
  }
  return out;
}

/** True when the union of the CIDR blocks (IPv4 or IPv6) is every address of its family. */
export function cidrsCoverEverything(cidrs: readonly string[]): boolean {
  for (const bits of [32, 128]) {
    const ranges: [bigint, bigint][] = [];
    for (const c of cidrs) {
      const parsed = parseCidr(c); // ipaddr.js, as Docker/AWS read addresses (./network.ts)
      if (parsed === undefined || (parsed[0].kind() === "ipv6") !== (bits === 128)) continue;
      const [addr, n] = parsed;
      const start = addr.toByteArray().reduce((acc, byte) => (acc << 8n) + BigInt(byte), 0n);
      const size = 1n << BigInt(bits - n);
      const base = (start / size) * size;
      ranges.push([base, base + size - 1n]);
    }
    ranges.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    let next = 0n;
    for (const [s, e] of ranges) {
      if (s > next) break;
      if (e + 1n > next) next = e + 1n;
    }
    if (ranges.length > 0 && next >= 1n << BigInt(bits)) return true;
  }
  return false;
}
