/**
 * policy/lib/elasticache.ts (token format, random generators feeding a token, RBAC access
 * strings, replica counts) and policy/lib/healthcheck.ts (probe forms, loopback ports) on their
 * own. Written from Stryker's survivors (docs/testing.md).
 */
import { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import {
  accessStringDisabled,
  allowedDescription,
  generatorTokenProblem,
  replicasOf,
  showChar,
  tokenCharAllowed,
  tokenFormatProblem,
} from "../../../policy/lib/elasticache";
import { loopbackProbePorts, parseProbe, probeText } from "../../../policy/lib/healthcheck";
import { RANDOM_ID, RANDOM_PASSWORD, RANDOM_STRING } from "../../../policy/lib/types";
import { UNKNOWN } from "../../../policy/lib/unknown";

const gen = (type: string, props: Record<string, unknown>) =>
  ({ type, name: "tok", urn: "u", props }) as unknown as PolicyResource;

describe("ElastiCache token characters", () => {
  it('the provider charset is printable ASCII without / " @ and space', () => {
    expect(tokenCharAllowed("!", "provider")).toBe(true);
    expect(tokenCharAllowed("~", "provider")).toBe(true);
    for (const c of [" ", "/", '"', "@", "\u007f", "\u0001", "é"]) {
      expect(tokenCharAllowed(c, "provider"), c).toBe(false);
    }
  });
  it("the aws-docs charset is letters, digits and !&#$^<>-", () => {
    expect(tokenCharAllowed("^", "aws-docs")).toBe(true);
    expect(tokenCharAllowed("~", "aws-docs")).toBe(false);
    expect(allowedDescription("aws-docs")).toBe("letters, digits and ! & # $ ^ < > -");
    expect(allowedDescription("provider")).toBe('printable ASCII except / " @ and space');
  });
  it("showChar names space and non-printables, quotes the rest", () => {
    expect(showChar(" ")).toBe("space");
    expect(showChar("\t")).toBe("U+0009");
    expect(showChar("\u007f")).toBe("U+007f");
    expect(showChar("!")).toBe("'!'");
    expect(showChar("~")).toBe("'~'");
  });
  it("tokenFormatProblem: 16 to 128 characters, and each bad character once", () => {
    expect(tokenFormatProblem("a".repeat(16), "provider")).toBeUndefined();
    expect(tokenFormatProblem("a".repeat(128), "provider")).toBeUndefined();
    expect(tokenFormatProblem("a".repeat(15), "provider")).toBe(
      "is 15 characters long (ElastiCache accepts 16–128)",
    );
    expect(tokenFormatProblem("a".repeat(129), "provider")).toMatch(/^is 129 characters/);
    expect(tokenFormatProblem("a/b/c@ d", "provider")).toBe(
      "is 8 characters long (ElastiCache accepts 16–128) and contains '/', '@', space, which ElastiCache refuses (allowed: printable ASCII except / \" @ and space)",
    );
  });
});

describe("generatorTokenProblem", () => {
  it("RandomId/RandomBytes are refused, named by their type and name", () => {
    expect(generatorTokenProblem(gen(RANDOM_ID, {}), "provider")).toBe(
      `${RANDOM_ID.split(":").pop()} "tok" has base64 outputs that contain '/' and '+', and the pack cannot see which output feeds the token`,
    );
  });
  it("other resources are not generators", () => {
    expect(
      generatorTokenProblem(gen("aws:ec2/vpc:Vpc", { length: 500 }), "provider"),
    ).toBeUndefined();
  });
  it("a length over 128 is refused, exactly 128 is fine", () => {
    const ok = { length: 128, special: false };
    expect(generatorTokenProblem(gen(RANDOM_PASSWORD, ok), "provider")).toBeUndefined();
    expect(generatorTokenProblem(gen(RANDOM_STRING, { ...ok, length: 129 }), "provider")).toBe(
      'RandomString "tok" has length 129 > 128',
    );
  });
  it("the default special set has characters ElastiCache refuses", () => {
    expect(generatorTokenProblem(gen(RANDOM_PASSWORD, { length: 32 }), "provider")).toBe(
      "RandomPassword \"tok\" can emit '@' from the default special set !@#$%&*()-_=+[]{}<>:? (overrideSpecial is unset)",
    );
    // An empty overrideSpecial means the default set too.
    const empty = { length: 32, overrideSpecial: "" };
    expect(generatorTokenProblem(gen(RANDOM_PASSWORD, empty), "provider")).toMatch(
      /default special set/,
    );
  });
  it("a safe overrideSpecial passes; an unsafe one is quoted", () => {
    const p = (overrideSpecial: string) => gen(RANDOM_PASSWORD, { length: 32, overrideSpecial });
    expect(generatorTokenProblem(p("!&#"), "provider")).toBeUndefined();
    expect(generatorTokenProblem(p("!/"), "provider")).toBe(
      `RandomPassword "tok" can emit '/' from overrideSpecial "!/"`,
    );
  });
  it("special: false uses no special characters, unless minSpecial asks for some", () => {
    const off = { length: 32, special: false };
    expect(generatorTokenProblem(gen(RANDOM_PASSWORD, off), "provider")).toBeUndefined();
    expect(
      generatorTokenProblem(gen(RANDOM_PASSWORD, { ...off, minSpecial: 0 }), "provider"),
    ).toBeUndefined();
    expect(
      generatorTokenProblem(gen(RANDOM_PASSWORD, { ...off, minSpecial: 1 }), "provider"),
    ).toMatch(/can emit '@'/);
    expect(
      generatorTokenProblem(gen(RANDOM_PASSWORD, { ...off, minSpecial: UNKNOWN }), "provider"),
    ).toMatch(/can emit '@'/);
  });
  it("an unknown special set, or unknown special flag, is unknown at preview", () => {
    const msg = 'RandomPassword "tok" has special characters whose set is unknown at preview';
    const p = { length: 32 };
    expect(
      generatorTokenProblem(gen(RANDOM_PASSWORD, { ...p, overrideSpecial: UNKNOWN }), "provider"),
    ).toBe(msg);
    expect(
      generatorTokenProblem(gen(RANDOM_PASSWORD, { ...p, special: UNKNOWN }), "provider"),
    ).toBe(msg);
  });
});

describe("accessStringDisabled and replicasOf", () => {
  it("the last on/off wins; neither counts as enabled", () => {
    expect(accessStringDisabled("on ~* +@all off")).toBe(true);
    expect(accessStringDisabled("  off\t~*  on ")).toBe(false);
    expect(accessStringDisabled("off\ton")).toBe(false);
    expect(accessStringDisabled("on\toff")).toBe(true);
    expect(accessStringDisabled("~* +@all")).toBe(false);
  });
  it("cluster mode counts replicasPerNodeGroup (default 0); else numCacheClusters - 1 (default 1)", () => {
    expect(replicasOf({ numNodeGroups: 2, replicasPerNodeGroup: 1 })).toBe(1);
    expect(replicasOf({ numNodeGroups: 2 })).toBe(0);
    expect(replicasOf({ replicasPerNodeGroup: 2, numCacheClusters: 9 })).toBe(2);
    expect(replicasOf({ numNodeGroups: 1, numCacheClusters: 3 })).toBe(0);
    expect(replicasOf({ numCacheClusters: 3 })).toBe(2);
    expect(replicasOf({})).toBe(0);
  });
  it("an unknown count is unknown", () => {
    expect(replicasOf({ numNodeGroups: UNKNOWN })).toBe("unknown");
    expect(replicasOf({ numNodeGroups: 2, replicasPerNodeGroup: UNKNOWN })).toBe("unknown");
    expect(replicasOf({ numCacheClusters: UNKNOWN })).toBe("unknown");
  });
});

describe("parseProbe and loopbackProbePorts", () => {
  it("names each form that runs nothing", () => {
    expect(parseProbe(undefined)).toEqual({ form: "none", reason: "no `healthcheck.tests`" });
    expect(parseProbe(null)).toEqual({ form: "none", reason: "no `healthcheck.tests`" });
    expect(parseProbe("CMD true")).toEqual({
      form: "invalid",
      reason: "`healthcheck.tests` is not a list of strings",
    });
    expect(parseProbe(["CMD", 1])).toEqual({
      form: "invalid",
      reason: "`healthcheck.tests` is not a list of strings",
    });
    expect(parseProbe(["cmd"])).toEqual({
      form: "invalid",
      reason: '`healthcheck.tests` is ["CMD"] with no command',
    });
    expect(parseProbe(["cmd-shell", "true"])).toEqual({ form: "shell", script: "true" });
  });
  it("probeText is the script, or the argv joined, or nothing", () => {
    expect(probeText(parseProbe(["CMD-SHELL", "a | b"]))).toBe("a | b");
    expect(probeText(parseProbe(["CMD", "a", "b"]))).toBe("a b");
    expect(probeText(parseProbe(["NONE"]))).toBe("");
  });
  it("loopback URLs give their port, or 80/443 by scheme", () => {
    const ports = (tests: string[]) => loopbackProbePorts(parseProbe(tests));
    expect(ports(["CMD", "curl", "-f", "http://localhost/health"])).toEqual([80]);
    expect(ports(["CMD", "curl", "-f", "HTTPS://127.0.0.1/health"])).toEqual([443]);
    expect(
      ports(["CMD-SHELL", "curl -f 'http://[::1]:8080/x' && wget http://0.0.0.0:9000"]),
    ).toEqual([8080, 9000]);
    expect(ports(["CMD", "curl", "-f", "http://api.internal:8080/"])).toEqual([]);
    expect(ports(["NONE"])).toEqual([]);
  });
});
