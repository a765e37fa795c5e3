/**
 * The one duration parser (policy/lib/duration.ts) against Go's own tables: golang/go
 * src/time/time_test.go `parseDurationTests` and `parseDurationErrorTests` (Go 1.17 and later,
 * after golang.org/issue/48629 made the smallest int64 parse), ported row for row. Go's
 * `time.ParseDuration` is what Docker and the Docker provider parse durations with, so a row
 * that fails here is a string we would judge differently from Docker.
 */
import { describe, expect, it } from "vitest";
import {
  formatMs,
  goDuration,
  parseDuration,
  parseGoDuration,
  parseWholeMs,
} from "../../../policy/lib/duration";
import { durationProblem, parseDuration as configDuration } from "../../../components/lib/duration";

const Nanosecond = 1n;
const Microsecond = 1_000n * Nanosecond;
const Millisecond = 1_000n * Microsecond;
const Second = 1_000n * Millisecond;
const Minute = 60n * Second;
const Hour = 60n * Minute;

// [in, want]; Go's comments are kept.
const parseDurationTests: [string, bigint][] = [
  // simple
  ["0", 0n],
  ["5s", 5n * Second],
  ["30s", 30n * Second],
  ["1478s", 1478n * Second],
  // sign
  ["-5s", -5n * Second],
  ["+5s", 5n * Second],
  ["-0", 0n],
  ["+0", 0n],
  // decimal
  ["5.0s", 5n * Second],
  ["5.6s", 5n * Second + 600n * Millisecond],
  ["5.s", 5n * Second],
  [".5s", 500n * Millisecond],
  ["1.0s", 1n * Second],
  ["1.00s", 1n * Second],
  ["1.004s", 1n * Second + 4n * Millisecond],
  ["1.0040s", 1n * Second + 4n * Millisecond],
  ["100.00100s", 100n * Second + 1n * Millisecond],
  // different units
  ["10ns", 10n * Nanosecond],
  ["11us", 11n * Microsecond],
  ["12µs", 12n * Microsecond], // U+00B5
  ["12μs", 12n * Microsecond], // U+03BC
  ["13ms", 13n * Millisecond],
  ["14s", 14n * Second],
  ["15m", 15n * Minute],
  ["16h", 16n * Hour],
  // composite durations
  ["3h30m", 3n * Hour + 30n * Minute],
  ["10.5s4m", 4n * Minute + 10n * Second + 500n * Millisecond],
  ["-2m3.4s", -(2n * Minute + 3n * Second + 400n * Millisecond)],
  [
    "1h2m3s4ms5us6ns",
    1n * Hour + 2n * Minute + 3n * Second + 4n * Millisecond + 5n * Microsecond + 6n * Nanosecond,
  ],
  ["39h9m14.425s", 39n * Hour + 9n * Minute + 14n * Second + 425n * Millisecond],
  // large value
  ["52763797000ns", 52763797000n * Nanosecond],
  // more than 9 digits after decimal point, see https://golang.org/issue/6617
  ["0.3333333333333333333h", 20n * Minute],
  // 9007199254740993 = 1<<53+1 cannot be stored precisely in a float64
  ["9007199254740993ns", ((1n << 53n) + 1n) * Nanosecond],
  // largest duration that can be represented by int64 in nanoseconds
  ["9223372036854775807ns", ((1n << 63n) - 1n) * Nanosecond],
  ["9223372036854775.807us", ((1n << 63n) - 1n) * Nanosecond],
  ["9223372036s854ms775us807ns", ((1n << 63n) - 1n) * Nanosecond],
  ["-9223372036854775808ns", -(1n << 63n) * Nanosecond],
  ["-9223372036854775.808us", -(1n << 63n) * Nanosecond],
  ["-9223372036s854ms775us808ns", -(1n << 63n) * Nanosecond],
  // largest negative value
  ["-9223372036854775808ns", -(1n << 63n) * Nanosecond],
  // largest negative round trip value, see https://golang.org/issue/48629
  ["-2562047h47m16.854775808s", -(1n << 63n) * Nanosecond],
  // huge string; issue 15011.
  ["0.100000000000000000000h", 6n * Minute],
  // This value tests the first overflow check in leadingFraction.
  ["0.830103483285477580700h", 49n * Minute + 48n * Second + 372539827n * Nanosecond],
];

// Go's rows are byte strings; "\x85\x85" and "\xffff" become the code points U+0085 and
// U+00FF here, which are no more a duration than Go's invalid UTF-8 bytes are.
const parseDurationErrorTests: string[] = [
  // invalid
  "",
  "3",
  "-",
  "s",
  ".",
  "-.",
  ".s",
  "+.s",
  "1d",
  "\x85\x85",
  "\xffff",
  "hello \xffff world",
  "\uFFFD", // utf8.RuneError
  "\uFFFD hello \uFFFD world", // utf8.RuneError
  // overflow
  "9223372036854775810ns",
  "9223372036854775808ns",
  "-9223372036854775809ns",
  "9223372036854776us",
  "3000000h",
  "9223372036854775.808us",
  "9223372036854ms775us808ns",
];

describe("parseGoDuration = Go's time.ParseDuration (time_test.go)", () => {
  it.each(parseDurationTests)("parseDurationTests: %j = %s ns", (input, want) => {
    expect(parseGoDuration(input)).toEqual({ ok: true, ns: want });
  });

  it.each(parseDurationErrorTests)("parseDurationErrorTests: %j fails, quoting it", (input) => {
    const r = parseGoDuration(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(JSON.stringify(input));
  });

  // Go's exact texts for those rows (test/real/go-duration.test.ts checks them against Go).
  it.each(parseDurationErrorTests.filter((input) => /^[\x20-\x7e]*$/.test(input)))(
    "%j fails with Go's exact error text",
    (input) => {
      const kind =
        input === "3"
          ? "missing unit in duration"
          : input === "1d"
            ? 'unknown unit "d" in duration'
            : "invalid duration";
      expect(parseGoDuration(input)).toEqual({
        ok: false,
        error: `time: ${kind} ${JSON.stringify(input)}`,
      });
    },
  );

  it("reads a unit up to the next digit or dot, as Go does", () => {
    expect(parseGoDuration("1s.5m")).toEqual({ ok: true, ns: Second + 30n * Second });
    expect(parseGoDuration("5days")).toEqual({
      ok: false,
      error: 'time: unknown unit "days" in duration "5days"',
    });
  });

  // Go's error texts (src/time/format.go ParseDuration), which config turns into its reasons.
  it.each([
    ["3", 'time: missing unit in duration "3"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["30S", 'time: unknown unit "S" in duration "30S"'],
    ["", 'time: invalid duration ""'],
    [" 10s", 'time: invalid duration " 10s"'],
    ["1m30", 'time: missing unit in duration "1m30"'],
    ["3000000h", 'time: invalid duration "3000000h"'],
  ])("%j fails with Go's message", (input, error) => {
    expect(parseGoDuration(input)).toEqual({ ok: false, error });
  });
});

describe("the pack's reading: non-negative, in (fractional) milliseconds", () => {
  it.each([
    ["300us", 0.3],
    ["0", 0],
    ["+5s", 5_000],
    ["-0", 0],
    [" 10s ", 10_000],
    ["1h2m3s4ms5us6ns", 3_723_004.005006],
    ["9223372036854775807ns", 9_223_372_036_854.775],
  ])("%j = %d ms", (text, want) => expect(parseDuration(text)).toBeCloseTo(want, 6));
  it.each(["-5s", "3000000h", "5", "1d", ""])("refuses %j", (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
  it("refuses a value that is not a string", () => {
    expect(parseDuration(30_000)).toBeUndefined();
    expect(parseDuration(undefined)).toBeUndefined();
  });
  it("formats sub-millisecond values as they are", () => expect(formatMs(0.3)).toBe("0.3ms"));
});

describe("config's reading: whole milliseconds, one reason per refusal", () => {
  it.each([
    ["0", 0],
    ["90s", 90_000],
    ["1.5s", 1_500],
    ["1000us", 1],
    ["2h", 7_200_000],
  ])("%j = %i ms", (text, want) => {
    expect(configDuration(text)).toBe(want);
    expect(durationProblem(text)).toBeUndefined();
  });
  it.each([
    [
      "300us",
      /"300us" is 0\.3 ms, not a whole number of milliseconds.*under 1ms; write e\.g\. "10s"/,
    ],
    ["1.0005s", /1000\.5 ms, not a whole number/],
    ["-5s", /"-5s" is negative/],
    [
      "60",
      /^"60" is not a duration \(no unit\): write a number with a unit \(ms, s, m, h\), e\.g\. "10s"$/,
    ],
    ["5d", /^"5d" is not a duration \(unknown unit "d"\): write a number/],
    ["sixty", /^"sixty" is not a duration: write a number with a unit/],
    ["99999999999h", /^"99999999999h" is not a duration: write/],
  ])("refuses %j", (text, why) => {
    expect(configDuration(text)).toBeUndefined();
    expect(durationProblem(text, "10s")).toMatch(why);
  });
  it("holds the longest Go duration in whole ms exactly (it is far below 2^53 ms)", () => {
    expect(parseWholeMs("9223372036854ms")).toEqual({ ok: true, ms: 9_223_372_036_854 });
    expect(parseWholeMs("9223372036855ms")).toMatchObject({ ok: false });
  });
  it("trims, and suggests 30s unless told otherwise", () => {
    expect(configDuration(" 10s ")).toBe(10_000);
    expect(parseWholeMs("x")).toEqual({
      ok: false,
      problem: '"x" is not a duration: write a number with a unit (ms, s, m, h), e.g. "30s"',
    });
    expect(durationProblem("5days")).toBe(
      '"5days" is not a duration (unknown unit "days"): write a number with a unit (ms, s, m, h), e.g. "30s"',
    );
  });
  it.each([
    [0, "0s"],
    [1, "1ms"],
    [999, "999ms"],
    [1_000, "1s"],
    [1_050, "1.05s"],
    [1_500, "1.5s"],
    [5_000, "5s"],
    [65_000, "1m5s"],
    [3_600_000, "1h0m0s"],
    [3_661_001, "1h1m1.001s"],
  ])("goDuration(%i) = %j (Go's Duration.String)", (ms, text) => expect(goDuration(ms)).toBe(text));
  it("goDuration refuses what Go's form cannot hold in whole ms", () => {
    expect(() => goDuration(-1)).toThrow(new RangeError("invalid duration: -1 ms"));
    expect(() => goDuration(1.5)).toThrow(RangeError);
  });
  it.each([
    [0, "0s"],
    [999, "999ms"],
    [1_000, "1s"],
    [1_500, "1500ms"],
    [60_000, "1m"],
    [3_661_000, "1h1m1s"],
  ])("formatMs(%d) = %j", (ms, text) => expect(formatMs(ms)).toBe(text));
  it("writes back what it read, in Go's Duration.String form", () => {
    for (const text of ["1m0s", "1h0m0s", "4m5.001s", "500ms", "0s"]) {
      expect(goDuration(configDuration(text) as number)).toBe(text);
    }
  });
});
