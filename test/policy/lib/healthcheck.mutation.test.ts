/**
 * policy/lib/healthcheck.ts directly: the probe forms, curl with and without --fail across
 * shell segments, env prefixes and paths, blank probes, loopback ports, durations that may be
 * unset, and where a container's healthcheck is.
 */
import { describe, expect, it } from "vitest";
import {
  blankProbe,
  curlWithoutFail,
  durationField,
  healthcheckOf,
  loopbackProbePorts,
  parseProbe,
} from "../../../policy/lib/healthcheck";
import { UNKNOWN } from "../../../policy/lib/unknown";

const shell = (script: string) => parseProbe(["CMD-SHELL", script]);

describe("parseProbe", () => {
  it("joins CMD-SHELL words into one trimmed script, and refuses a blank one", () => {
    expect(parseProbe(["CMD-SHELL", " curl ", "-f x "])).toEqual({
      form: "shell",
      script: "curl  -f x",
    });
    expect(parseProbe(["CMD-SHELL", "  "])).toEqual({
      form: "invalid",
      reason: '`healthcheck.tests` is ["CMD-SHELL"] with no command',
    });
    expect(parseProbe(["CMD"])).toEqual({
      form: "invalid",
      reason: '`healthcheck.tests` is ["CMD"] with no command',
    });
  });
});

describe("curlWithoutFail", () => {
  it.each([
    ["curl http://127.0.0.1:3003/health", true],
    ["curl -fsS http://127.0.0.1:3003/health", false],
    ["curl -sSf http://x", false],
    ["curl --fail http://x", false],
    ["curl --fail-with-body http://x", false],
    ["curl -s -S http://x", true],
    ["curl --silent http://x", true],
    ["/usr/bin/curl http://x", true],
    ["A=1 B=2 curl http://x", true],
    ["A=1 curl -f http://x", false],
    ["curl -f http://a && curl http://b", true],
    ["curl -f http://a || exit 1", false],
    ["true; curl 'http://x'", true],
    ["wget -q http://x", false],
    ["A=1", false],
  ])("%s: %s", (script, without) => {
    expect(curlWithoutFail(shell(script))).toBe(without);
  });

  it("reads exec form as one command, and nothing else", () => {
    expect(curlWithoutFail(parseProbe(["CMD", "curl", "http://x"]))).toBe(true);
    expect(curlWithoutFail(parseProbe(["CMD", "curl", "-f", "http://x"]))).toBe(false);
    expect(curlWithoutFail(parseProbe(["NONE"]))).toBe(false);
  });
});

describe("blankProbe", () => {
  it.each([
    [
      ["CMD-SHELL", ""],
      '["CMD-SHELL", ""] runs `/bin/sh -c ""`, which exits 0, so the check can never fail',
    ],
    [
      ["cmd-shell", " ", ""],
      '["CMD-SHELL", ""] runs `/bin/sh -c ""`, which exits 0, so the check can never fail',
    ],
    [["CMD", ""], '["CMD", ""] has no program to run, so the check can never pass'],
    [["CMD"], '["CMD", ""] has no program to run, so the check can never pass'],
    [["CMD", "true"], undefined],
    [["CMD-SHELL", "exit 0"], undefined],
    [["NONE"], undefined],
    [[], undefined],
  ])("%j", (tests, why) => {
    expect(blankProbe(tests)).toBe(why);
  });
});

describe("loopbackProbePorts", () => {
  it.each([
    ["curl -f http://127.0.0.1:3003/health", [3003]],
    ["curl -f http://localhost/health", [80]],
    ["curl -f HTTPS://localhost/health", [443]],
    ["curl -f http://user:pw@0.0.0.0:8080/", [8080]],
    ['curl -f "http://[::1]:9000/h"', [9000]],
    ["curl -f http://api:3003/ && curl -f http://127.0.0.1:3003/", [3003]],
    ["curl -f http://127.0.0.1:1/ ; curl -f http://127.0.0.1:1/", [1]],
    ["curl -f http://example.com:3003/", []],
  ])("%s: %j", (script, ports) => {
    expect(loopbackProbePorts(shell(script))).toEqual(ports);
  });
});

describe("durationField", () => {
  it("is undefined when unset, NaN when garbage, ms otherwise", () => {
    expect(durationField(undefined)).toBeUndefined();
    expect(durationField(null)).toBeUndefined();
    expect(durationField("")).toBeUndefined();
    expect(durationField("garbage")).toBeNaN();
    expect(durationField("1m30s")).toBe(90_000);
  });
});

describe("healthcheckOf", () => {
  it("is unknown, none or the parsed probe", () => {
    expect(healthcheckOf({ healthcheck: UNKNOWN })).toEqual({ probe: { form: "unknown" } });
    for (const healthcheck of [undefined, null, "curl"])
      expect(healthcheckOf({ healthcheck })).toEqual({
        probe: { form: "none", reason: "no `healthcheck`" },
      });
    const hc = { tests: ["CMD", "true"] };
    expect(healthcheckOf({ healthcheck: hc })).toEqual({
      hc,
      probe: { form: "exec", argv: ["true"] },
    });
  });
});
