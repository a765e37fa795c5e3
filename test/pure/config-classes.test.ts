/**
 * The pure knowledge behind issue #10's config checks, each belief next to the behaviour it
 * encodes: AWS windows and families, CIDR unions, credentials by value, contained defaults,
 * probes that cannot fail, CLI numeric strings, per-leaf secrecy, quiet component guards.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  blankProbe,
  curlWithoutFail,
  loopbackProbePorts,
  parseProbe,
} from "../../policy/lib/healthcheck";
import { quietWeakSecretReason, secretInValue, weakSecretReason } from "../../policy/lib/secrets";
import { cidrsCoverEverything, engineFamily, windowProblems } from "../../policy/lib/aws-limits";
import { fromCli, plainLeavesOfSecretKeys } from "../../stacks/config";
import { mayHoldSecureKey, readPlainSecretLeaves } from "../../stacks/config/stack-file-secrets";
import { weakSecretReason as programWeakSecretReason } from "../../components/lib/weak-secrets";

describe("ElastiCache windows (AWS CreateReplicationGroup: 60 minutes, hh24:mi, no overlap)", () => {
  it("accepts the defaults", () =>
    expect(windowProblems("03:00-04:00", "sun:05:00-sun:06:00")).toEqual([]));
  it.each([
    ["25:00-26:00", "sun:05:00-sun:06:00", /hour 25 is not 00-23/],
    ["03:00-03:59", "sun:05:00-sun:06:00", /59 minutes long/],
    ["05:30-06:30", "sun:05:00-sun:06:00", /overlaps/],
    ["23:30-00:30", "mon:00:00-mon:01:00", /overlaps/],
    ["03:00-04:00", "sat:23:30-sun:00:15", /45 minutes long/],
    ["03:00-04:00", "sun:24:00-mon:01:00", /hour 24/],
  ])("%s / %s", (s, m, message) =>
    expect(
      windowProblems(s, m)
        .map((p) => p.message)
        .join("\n"),
    ).toMatch(message),
  );
  it("wraps past midnight and the week's end", () => {
    expect(windowProblems("23:30-00:30", "sat:23:00-sun:00:00")).toEqual([
      expect.objectContaining({
        key: "snapshotWindow",
        message: expect.stringMatching(/overlaps/),
      }),
    ]);
    expect(windowProblems("22:00-23:00", "sat:23:30-sun:00:30")).toEqual([]);
  });
  it("serverless takes only the start time", () =>
    expect(windowProblems("05:30-05:45", "sun:05:00-sun:06:00", false)).toEqual([]));
});

describe("parameter group families", () => {
  it.each([
    ["7.2", "valkey7"],
    ["8.0", "valkey8"],
    ["8.1", "valkey8"],
  ])("%s → %s", (v, f) => expect(engineFamily(v)).toEqual({ family: f }));
  it("6.2 would need valkey6, which does not exist", () =>
    expect(engineFamily("6.2").problem).toMatch(/"valkey6"/));
});

describe("CIDR unions", () => {
  it.each([
    [["0.0.0.0/1", "128.0.0.0/1"], true],
    [["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"], true],
    [["::/1", "8000::/1"], true],
    [["0.0.0.0/1", "10.0.0.0/8"], false],
    [["10.0.0.0/8", "172.16.0.0/12"], false],
  ])("%j covers everything: %s", (cidrs, all) => expect(cidrsCoverEverything(cidrs)).toBe(all));
});

describe("credentials recognised by value", () => {
  it.each([
    ["postgres://app:Hq7rT2vLx9pW4mZk@db/app", /password in a URL/],
    ["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln", /bearer token/],
    ["sk_live_51HqLp2Kx9Vb3Nm7Qw4Er8Ty", /Stripe/],
    ["sk-proj-4fGh8JkL2mNp6QrS9tUv3WxY7zAb1CdE5fGh", /sk-/],
    ["ghp_R2d4F6h8J0l2N4p6R8t0V2x4Z6b8D0f2H4j6", /GitHub/],
    ["AKIAZ7QW3ERT5YUI9OPA", /AWS access key/],
    ["q8Zr3XvN1mT7bLw9KpD2sF6hJ4gY0cV5aE8uR1iO", /random/],
  ])("%s", (v, what) => expect(secretInValue(v)).toMatch(what));
  it.each([
    "postgres://db/app",
    "http://127.0.0.1:3003/health",
    "postgres://app:$DB_PASSWORD@db/app",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "debug",
    "/var/lib/app/data",
  ])("leaves %j alone", (v) => expect(secretInValue(v)).toBeUndefined());
});

describe("one weak-secret list for config and pack", () => {
  it("the program's name is the pack's quiet wording", () =>
    expect(programWeakSecretReason).toBe(quietWeakSecretReason));
  it.each([
    "novita_redis_password_2024_prod_ready",
    "your-super-secret-key-change-this-in-production-0123456789abcdef",
    "secret-example-secret-example-change-your-secret-now-secret-example-token",
    "Xy7-changeme-Qw2-ChangeMe-Zz9-abcdef",
  ])("%j is weak for both, and config never quotes it", (v) => {
    expect(weakSecretReason(v, "secret-key")).toBeDefined();
    const quiet = quietWeakSecretReason(v, 16) ?? "";
    expect(quiet).not.toBe("");
    expect(quiet).not.toContain(v);
    expect(quiet).not.toMatch(/novita|changeme|super-secret/i);
  });
  it("accepts a generated value", () =>
    expect(quietWeakSecretReason("Zx9kQ2mW7vB4nR8tY3pL6sD1fG5hJ0aC", 32)).toBeUndefined());
});

describe("probes that cannot fail or never pass", () => {
  it.each([
    [["CMD", "curl", "-s", "http://127.0.0.1:3003/health"], true],
    [["CMD-SHELL", "curl -s http://x/health || exit 1"], true],
    [["CMD", "curl", "-fsS", "http://x"], false],
    [["CMD", "curl", "--fail-with-body", "http://x"], false],
    [["CMD", "/usr/bin/curl", "-sf", "http://x"], false],
    [["CMD", "wget", "-qO-", "http://x"], false],
  ])("%j runs curl without --fail: %s", (tests, yes) =>
    expect(curlWithoutFail(parseProbe(tests))).toBe(yes),
  );
  it("blank commands", () => {
    expect(blankProbe(["CMD-SHELL", ""])).toMatch(/never fail/);
    expect(blankProbe(["CMD", " "])).toMatch(/never pass/);
    expect(blankProbe(["CMD", "true"])).toBeUndefined();
  });
  it("loopback ports", () =>
    expect(
      loopbackProbePorts(
        parseProbe(["CMD-SHELL", "curl -f http://localhost:3003/h && curl -f https://127.0.0.1/x"]),
      ),
    ).toEqual([3003, 443]));
});

describe("numbers as `pulumi config set --path` stores them", () => {
  it.each([
    ["0.5", 0.5],
    ["512", 512],
    [" 3 ", 3],
    [".25", 0.25],
  ])("%j → %s", (s, n) => expect(fromCli(s)).toBe(n));
  it.each(["3003x", "0x10", "", "1e3", "8.0.1"])("%j stays a string", (s) =>
    expect(fromCli(s)).toBe(s),
  );
});

describe("per-leaf secrecy in a stack file", () => {
  const doc = parse(`config:
  api-stack:secretEnv:
    A:
      secure: v1:abc
    B: typed-by-hand
  api-stack:secretKey:
    secure: v1:def
  api-stack:api:
    env: { X: y }
`) as { config: Record<string, unknown> };
  it("finds the plain leaf beside a secure one, and nothing else", () =>
    expect(plainLeavesOfSecretKeys(doc.config, "api-stack", ["secretEnv", "secretKey"])).toEqual([
      "secretEnv.B",
    ]));
});

describe("per-leaf secrecy, read from the stack file", () => {
  const write = (text: string): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-secrets-"));
    fs.writeFileSync(path.join(dir, "Pulumi.t.yaml"), text);
    return dir;
  };
  const read = (text: string) =>
    readPlainSecretLeaves(write(text), "t", "api-stack", ["secretEnv"]);
  const file = (key: string) => `config:
  api-stack:secretEnv:
    A:
      ${key}: v1:abc
    B: typed-by-hand
`;
  it("finds the plain leaf beside a secure one", () =>
    expect(read(file("secure"))).toEqual(["secretEnv.B"]));
  // The file is not parsed when no key can be `secure`; an escaped spelling must still count.
  it("and beside a secure key spelled with an escape", () =>
    expect(read(file('"\\u0073ecure"'))).toEqual(["secretEnv.B"]));
  it("a file with neither the word nor an escape holds no secure key", () => {
    expect(mayHoldSecureKey(file("other"))).toBe(false);
    expect(read(file("other"))).toEqual([]);
  });
});

describe("component guards are quiet", () => {
  // @pulumi/pulumi cmd/run/run.js: a ResourceError without hideStack prints its stack trace.
  const dir = path.join(__dirname, "../../components");
  it.each(fs.readdirSync(dir).filter((f) => f.endsWith(".ts")))("%s", (file) => {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const calls = text.split("new pulumi.ResourceError(").slice(1);
    for (const call of calls) {
      // Up to the call's closing paren: on its own line, or ending a one-line call.
      const args = call.slice(0, call.search(/\n\s*\);|\);\n/));
      expect(args.trim().endsWith("true,") || args.trim().endsWith("true"), args).toBe(true);
    }
  });
});

describe("AWS region names (terraform-provider-aws's own pattern)", () => {
  it("accepts every partition's regions and refuses zones", async () => {
    const { AWS_REGION } = await import("../../stacks/config/platform");
    for (const r of [
      "eu-central-1",
      "us-gov-west-1",
      "cn-north-1",
      "ap-southeast-4",
      "eusc-de-east-1",
      "us-isob-east-1",
      "il-central-1",
    ])
      expect(AWS_REGION.test(r), r).toBe(true);
    for (const z of ["eu-central-1a", "use1-az1", "europe-central"])
      expect(AWS_REGION.test(z), z).toBe(false);
  });
});
