/**
 * policy/lib/aws-limits.ts on its own: ElastiCache's window formats, lengths and overlap, the
 * Valkey parameter group families, and CIDR sets that cover a whole address family. The config
 * tests (test/pure) reach these through the schema; this file pins each bound directly so the
 * mutation run (which runs only the policy tests) sees them. Written from Stryker's survivors.
 */
import { describe, expect, it } from "vitest";
import { cidrsCoverEverything, engineFamily, windowProblems } from "../../../policy/lib/aws-limits";

const MAINT = "sun:05:00-sun:06:00";

describe("engineFamily", () => {
  it("Valkey 7 and 8 have families; others are named with the fix", () => {
    expect(engineFamily("7.2")).toEqual({ family: "valkey7" });
    expect(engineFamily("8.1")).toEqual({ family: "valkey8" });
    expect(engineFamily("9.0")).toEqual({
      family: "valkey9",
      problem:
        '"9.0" would need the parameter group family "valkey9", which ElastiCache does not have (it has valkey7, valkey8): use "7.2", "8.0" or "8.1"',
    });
  });
});

describe("windowProblems: formats", () => {
  it("good windows have no problems", () => {
    expect(windowProblems("03:00-04:00", MAINT)).toEqual([]);
  });
  it("hours are 00-23 and minutes 00-59, both ends inclusive", () => {
    expect(windowProblems("00:00-01:00", MAINT)).toEqual([]);
    expect(windowProblems("22:59-23:59", MAINT)).toEqual([]);
    expect(windowProblems("24:00-01:00", MAINT)).toEqual([
      {
        key: "snapshotWindow",
        message:
          '"24:00-01:00": the hour 24 is not 00-23; AWS expects hh:mm in 24-hour UTC, hours 00-23',
      },
    ]);
    expect(windowProblems("03:00-04:60", MAINT)).toEqual([
      {
        key: "snapshotWindow",
        message:
          '"03:00-04:60": the minute 60 is not 00-59; AWS expects hh:mm in 24-hour UTC, hours 00-23',
      },
    ]);
    expect(windowProblems("03:59-05:00", MAINT)).toEqual([]);
    expect(windowProblems("03:xx-05:00", MAINT)[0]?.message).toMatch(/the minute xx/);
  });
  it("the maintenance window's clock parts are checked after the day", () => {
    expect(windowProblems("03:00-04:00", "sun:25:00-sun:26:00")).toEqual([
      {
        key: "maintenanceWindow",
        message:
          '"sun:25:00-sun:26:00": the hour 25 is not 00-23; AWS expects ddd:hh:mm in 24-hour UTC, hours 00-23',
      },
    ]);
    expect(windowProblems("03:00-04:00", "sun:05:00-sun:06:61")[0]?.message).toMatch(
      /^"sun:05:00-sun:06:61": the minute 61 is not 00-59; AWS expects ddd:hh:mm/,
    );
  });
});

describe("windowProblems: lengths", () => {
  it("60 minutes is the shortest snapshot window, wrapping past midnight", () => {
    expect(windowProblems("23:30-00:30", MAINT)).toEqual([]);
    expect(windowProblems("03:00-03:59", MAINT)).toEqual([
      {
        key: "snapshotWindow",
        message:
          '"03:00-03:59" is 59 minutes long: ElastiCache needs at least 60 minutes, e.g. "03:00-04:00"',
      },
    ]);
  });
  it("60 minutes is the shortest maintenance window, wrapping past the week's end", () => {
    expect(windowProblems("03:00-04:00", "sat:23:30-sun:00:30")).toEqual([]);
    expect(windowProblems("03:00-04:00", "tue:05:00-tue:05:59")).toEqual([
      {
        key: "maintenanceWindow",
        message:
          '"tue:05:00-tue:05:59" is 59 minutes long: ElastiCache needs at least 60 minutes, e.g. "sun:05:00-sun:06:00"',
      },
    ]);
    // Days count: mon 05:00 to tue 05:30 is a day and half an hour long, not 30 minutes.
    const long = windowProblems("03:00-04:00", "mon:05:00-tue:05:30");
    expect(long.filter((p) => /minutes long/.test(p.message))).toEqual([]);
  });
  it("serverless caches only check the formats", () => {
    expect(windowProblems("03:00-03:10", "sun:05:00-sun:05:10", false)).toEqual([]);
    expect(windowProblems("05:00-06:00", MAINT, false)).toEqual([]);
    expect(windowProblems("25:00-03:10", MAINT, false)).toHaveLength(1);
  });
});

describe("windowProblems: overlap", () => {
  const overlap = (snapshot: string, maintenance: string) =>
    windowProblems(snapshot, maintenance).filter((p) => /overlaps/.test(p.message));
  it("the daily snapshot overlapping the weekly maintenance on any day is refused", () => {
    expect(overlap("05:30-06:30", MAINT)).toEqual([
      {
        key: "snapshotWindow",
        message:
          '"05:30-06:30" overlaps the maintenance window ("sun:05:00-sun:06:00"), which AWS refuses: move the snapshot window, e.g. "03:00-04:00"',
      },
    ]);
    expect(overlap("04:30-05:30", "wed:05:00-wed:06:00")).toHaveLength(1);
    expect(overlap("04:30-05:30", "sat:05:00-sat:06:00")).toHaveLength(1);
  });
  it("touching windows do not overlap", () => {
    expect(overlap("04:00-05:00", "thu:05:00-thu:06:00")).toEqual([]);
    expect(overlap("06:00-07:00", "thu:05:00-thu:06:00")).toEqual([]);
  });
  it("a snapshot window that wraps midnight is compared on each day", () => {
    expect(overlap("23:30-00:30", "mon:00:00-mon:01:00")).toHaveLength(1);
    expect(overlap("22:00-23:00", "mon:00:00-mon:01:00")).toEqual([]);
  });
  it("not judged when either window is already wrong", () => {
    expect(windowProblems("05:30-05:40", MAINT)).toHaveLength(1);
    expect(windowProblems("05:30-06:30", "sun:05:00-sun:05:10")).toHaveLength(1);
  });
});

describe("cidrsCoverEverything", () => {
  it.each([
    [["0.0.0.0/0"], true],
    [["0.0.0.0/1", "128.0.0.0/1"], true],
    [["128.0.0.0/1", "0.0.0.0/1"], true],
    [["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"], true],
    [["0.0.0.0/1", "128.0.0.0/2"], false],
    [["0.0.0.0/1", "0.0.0.0/1"], false],
    [["::/0"], true],
    [["::/1", "8000::/1"], true],
    [["::/1"], false],
    [["0.0.0.0/1", "8000::/1"], false],
    [["10.0.0.0/8"], false],
    [["not-a-cidr"], false],
    [[], false],
  ])("%j → %s", (cidrs, expected) => {
    expect(cidrsCoverEverything(cidrs)).toBe(expected);
  });
  it("a block is widened to its network: 1.2.3.4/0 is the whole IPv4 space", () => {
    expect(cidrsCoverEverything(["1.2.3.4/0"])).toBe(true);
    expect(cidrsCoverEverything(["1.2.3.4/1", "200.0.0.0/1"])).toBe(true);
  });
});
