/**
 * The engine's config stage, emulated by the gate package (its engine-config module), against
 * stack files the real CLI refuses. Each expectation is the engine's own message; the comment
 * names the pulumi/pulumi function it comes from.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  checkStackConfig,
  environmentError,
  missingKeysMessage,
  validateConfigValue,
  validateProject,
  type ProjectDoc,
} from "../../gate";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");
/** Pulumi.yaml as it was before d0ac4c5: three secret keys declared with no default. */
const OLD_PROJECT = parse(fixture("Pulumi.before-d0ac4c5.yaml")) as ProjectDoc;
const project = (config: Record<string, unknown>): ProjectDoc => ({ name: "api-stack", config });
const check = (p: ProjectDoc, stackConfig: Record<string, unknown>, stack = "dev") =>
  checkStackConfig({ stack, project: p, stackConfig, decrypt: (c) => c.replace(/^cipher:/, "") });

describe("missing keys (pkg/workspace/config.go, mergeConfig → missingStackConfigurationKeysError)", () => {
  it("formats one, two and three keys as formatMissingKeys does", () => {
    expect(missingKeysMessage("dev", ["a"])).toBe("Stack 'dev' is missing configuration value 'a'");
    expect(missingKeysMessage("dev", ["b", "a"])).toBe(
      "Stack 'dev' is missing configuration values 'a' and 'b'",
    );
    expect(missingKeysMessage("dev", ["secretKey", "redisUrl", "redisPassword"])).toBe(
      "Stack 'dev' is missing configuration values 'redisPassword', 'redisUrl' and 'secretKey'",
    );
  });

  it("refuses the real Pulumi.dev.yaml under the old Pulumi.yaml, as pulumi preview did", () => {
    const dev = parse(fixture("Pulumi.dev.before-d0ac4c5.yaml")) as {
      config: Record<string, unknown>;
    };
    expect(check(OLD_PROJECT, dev.config).error).toBe(
      "validating stack config: Stack 'dev' is missing configuration values 'redisPassword', 'redisUrl' and 'secretKey'",
    );
  });

  it("counts a key as present when the stack sets it, or Pulumi.yaml gives a default or value", () => {
    const p = project({
      a: { type: "string" },
      b: { type: "string", default: "x" },
      c: "shorthand default",
      "aws:region": { value: "eu-central-1" },
    });
    expect(check(p, { "api-stack:a": "set" }).error).toBeUndefined();
    expect(check(p, { a: "set without the namespace" }).error).toBeUndefined();
    expect(check(p, {}).error).toBe(
      "validating stack config: Stack 'dev' is missing configuration value 'a'",
    );
  });

  it("reports missing keys before any type or secret error (order since v3.203.0, #20674)", () => {
    const p = project({ a: { type: "string" }, b: { type: "integer" } });
    expect(check(p, { b: "not a number" }).error).toContain("missing configuration value 'a'");
  });
});

describe("secret keys (pkg/workspace/config.go, validateStackConfigValue)", () => {
  const p = project({ redisPassword: { type: "string", secret: true } });

  it("refuses a plaintext stack value for a `secret: true` key", () => {
    expect(check(p, { "api-stack:redisPassword": "hunter2-hunter2-hunter2" }, "prod").error).toBe(
      "validating stack config: Stack 'prod' with configuration key 'redisPassword' must be encrypted as it's secret",
    );
  });

  it("accepts a secure value, decrypted or not", () => {
    expect(check(p, { redisPassword: { secure: "cipher:pw" } }).error).toBeUndefined();
    const undecrypted = checkStackConfig({
      stack: "dev",
      project: p,
      stackConfig: { redisPassword: { secure: "v1:abc" } },
    });
    expect(undecrypted).toEqual({ notes: [] });
  });

  it("refuses a plaintext default on a typed secret key: the default becomes a plain stack value", () => {
    const withDefault = project({ token: { type: "string", secret: true, default: "changeme" } });
    expect(check(withDefault, {}).error).toBe(
      "validating stack config: Stack 'dev' with configuration key 'token' must be encrypted as it's secret",
    );
  });

  it("does not enforce `secret: true` without a `type` (IsExplicitlyTyped), and says so", () => {
    const untyped = project({ token: { secret: true, default: "changeme" } });
    const r = check(untyped, {});
    expect(r.error).toBeUndefined();
    expect(r.notes.join(" ")).toContain("plaintext default and no type; the engine checks neither");
    expect(check(project({ token: { secret: true } }), { token: "plain" }).error).toBeUndefined();
  });
});

describe("typed keys (sdk/go/common/workspace/project.go, ValidateConfigValue)", () => {
  // A scalar stack value reaches the check as its text (config/object.go MarshalString).
  it.each([
    ["string", undefined, "abc", true],
    ["string", undefined, 3003, true],
    ["string", undefined, true, true],
    ["string", undefined, { a: 1 }, false],
    ["integer", undefined, 42, true],
    ["integer", undefined, "-7", true],
    ["integer", undefined, 4.5, false],
    ["integer", undefined, "abc", false],
    ["integer", undefined, "9223372036854775808", false],
    ["boolean", undefined, true, true],
    ["boolean", undefined, "false", true],
    ["boolean", undefined, "yes", false],
    ["array", { type: "integer" }, [1, "2"], true],
    ["array", { type: "integer" }, ["a"], false],
    ["array", { type: "integer" }, "1,2", false],
    ["object", undefined, { a: 1 }, true],
    ["object", undefined, "a=1", false],
  ] as const)("%s %j: %j → %s", (type, items, value, ok) => {
    const p = project({ k: { type, ...(items ? { items } : {}) } });
    const r = check(p, { k: value });
    if (ok) expect(r.error).toBeUndefined();
    else
      expect(r.error).toMatch(
        /^validating stack config: Stack 'dev' with configuration key 'k' must be of type '/,
      );
  });

  it("names an array type with its items (InferFullTypeName)", () => {
    const p = project({ ports: { type: "array", items: { type: "integer" } } });
    expect(check(p, { ports: ["http"] }).error).toBe(
      "validating stack config: Stack 'dev' with configuration key 'ports' must be of type 'array<integer>'",
    );
  });

  it("type-checks a secure value after decrypting it", () => {
    const p = project({ port: { type: "integer", secret: true } });
    expect(check(p, { port: { secure: "cipher:6379" } }).error).toBeUndefined();
    expect(check(p, { port: { secure: "cipher:six" } }).error).toContain(
      "must be of type 'integer'",
    );
  });

  it("agrees with the engine on Atoi's range", () => {
    expect(validateConfigValue("integer", undefined, "9223372036854775807")).toBe(true);
    expect(validateConfigValue("integer", undefined, "+1")).toBe(true);
    expect(validateConfigValue("integer", undefined, " 1")).toBe(false);
  });
});

describe("Pulumi.yaml itself (sdk/go/common/workspace/project.go, Project.Validate via LoadProjectBytes)", () => {
  it("refuses a default of the wrong type", () => {
    expect(validateProject(project({ port: { type: "integer", default: "http" } }))).toBe(
      "could not unmarshal 'Pulumi.yaml': The default value specified for configuration key 'port' is not of the expected type 'integer'",
    );
  });

  it("refuses an array without items, and a provider key without a value", () => {
    expect(validateProject(project({ hosts: { type: "array" } }))).toContain(
      "declares an array but does not specify the underlying type via the 'items' attribute",
    );
    expect(validateProject(project({ "aws:region": { description: "x" } }))).toBe(
      "could not unmarshal 'Pulumi.yaml': Configuration key 'aws:region' is namespaced and must provide an attribute 'value'",
    );
  });

  it("accepts the old Pulumi.yaml (its problem was the stack files, not itself)", () => {
    expect(validateProject(OLD_PROJECT)).toBeUndefined();
  });
});

describe("ESC environments (pkg/cmd/pulumi/config/io.go, openStackEnv)", () => {
  it.each([
    [["myorg/api-dev"], "the ESC environment(s) myorg/api-dev"],
    [
      { imports: ["myorg/base", "myorg/api-dev"] },
      "the ESC environment(s) myorg/base, myorg/api-dev",
    ],
  ])(
    "refuses %j, naming the file, rather than judge config it did not see",
    (environment, what) => {
      const error = environmentError({ environment, config: {} }, "Pulumi.dev.yaml");
      expect(error).toContain(`Pulumi.dev.yaml imports ${what} (\`environment:\`)`);
      expect(error).toContain("the offline gate cannot open ESC environments");
    },
  );

  it("has nothing to say without one", () => {
    expect(environmentError({ config: {} }, "Pulumi.dev.yaml")).toBeUndefined();
    expect(environmentError({ environment: [] }, "Pulumi.dev.yaml")).toBeUndefined();
  });
});
