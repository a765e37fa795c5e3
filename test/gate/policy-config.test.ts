/**
 * Policy config is validated against each policy's whole configSchema, as the CLI does for
 * --policy-pack-config (pulumi/pulumi pkg/resource/analyzer/config.go validatePolicyConfig, with
 * gojsonschema), and refused with the engine's lines (pkg/engine/update.go loadPolicyPlugins).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildPackCopy,
  exitCodeOf,
  formatConsole,
  PROJECT_DIR,
  runGate,
  schemaErrors,
  startPolicyPack,
  type PolicyPackClient,
} from "../../gate";

describe("gojsonschema's wording (xeipuuv/gojsonschema v1.2.0 locales.go)", () => {
  const schema = {
    type: "object",
    properties: {
      level: { type: "string", enum: ["low", "high"] },
      min: { type: "integer", minimum: 1 },
      range: {
        type: "object",
        properties: { min: { type: "string" } },
        required: ["min"],
        additionalProperties: false,
      },
      ports: { type: "array", items: { type: "integer" } },
    },
    required: ["level"],
  };

  it.each([
    [{ level: "mid" }, 'level: level must be one of the following: "low", "high"'],
    [{ level: 3 }, "level: Invalid type. Expected: string, given: integer"],
    [{ level: "low", min: 0 }, "min: Must be greater than or equal to 1"],
    [{ level: "low", min: 1.5 }, "min: Invalid type. Expected: integer, given: number"],
    [
      { level: "low", range: { min: 10 } },
      "range.min: Invalid type. Expected: string, given: integer",
    ],
    [{ level: "low", range: {} }, "range: min is required"],
    [
      { level: "low", range: { min: "1s", max: "2s" } },
      "range: Additional property max is not allowed",
    ],
    [
      { level: "low", ports: [6379, "6380"] },
      "ports.1: Invalid type. Expected: integer, given: string",
    ],
    [{}, "level is required"],
  ])("%j → %s", (value, message) => {
    expect(schemaErrors(schema, value)).toEqual([message]);
  });

  // Validators are kept by the schema's JSON (the gate's Configure compiled one per policy).
  it("a kept validator judges a good value after a bad one", () => {
    expect(schemaErrors(schema, {})).toEqual(["level is required"]);
    expect(schemaErrors({ ...schema }, { level: "low" })).toEqual([]);
  });
  it("and is not reused for a schema one setting apart", () => {
    expect(schemaErrors(schema, {})).toEqual(["level is required"]);
    expect(schemaErrors({ ...schema, required: [] }, {})).toEqual([]);
  });
});

describe("the real pack's config, over the analyzer protocol", () => {
  let pack: PolicyPackClient;
  beforeAll(async () => {
    const dir = buildPackCopy(
      path.join(PROJECT_DIR, "policy"),
      path.join(PROJECT_DIR, ".gate", "policy-pack"),
    );
    pack = await startPolicyPack(dir);
  });
  afterAll(() => pack?.stop());

  it("refuses a bad enum value, naming the pack, the policy and the property", async () => {
    await expect(
      pack.configure({ "elasticache-auth-token-format": { authTokenCharset: "aws" } }),
    ).rejects.toThrow(
      'validating policy config: api-stack-guardrails 0.1.0  elasticache-auth-token-format: authTokenCharset: authTokenCharset must be one of the following: "provider", "aws-docs"\nvalidating policy config',
    );
  });

  it("refuses a wrong type inside a nested object, which a top-level check let through", async () => {
    const error = await pack
      .configure({ "healthcheck-timing": { startPeriod: { redis: { min: 10 } } } })
      .then(
        () => "",
        (e: Error) => e.message,
      );
    expect(error.split("\n")).toEqual([
      "validating policy config: api-stack-guardrails 0.1.0  healthcheck-timing: startPeriod.redis.min: Invalid type. Expected: string, given: integer",
      "validating policy config: api-stack-guardrails 0.1.0  healthcheck-timing: startPeriod.redis: max is required",
      "validating policy config",
    ]);
  });

  it("accepts the repo's own config files", async () => {
    for (const f of ["dev.json", "prod.json"])
      await expect(
        pack.configureFile(path.join(PROJECT_DIR, "policy", "config", f)),
      ).resolves.toBeDefined();
  });
});

describe("through runGate", () => {
  it("a bad policy config stops the gate with exit 2 and the engine's lines", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gate-policy-")), "bad.json");
    fs.writeFileSync(file, JSON.stringify({ "container-memory-limit": { minMemoryMb: "16" } }));
    const r = await runGate({
      stack: "dev",
      policyConfig: file,
      load: () => {
        vi.resetModules();
        return import("../../stacks/index");
      },
    });
    expect(r.stage).toBe("policy-pack");
    expect(exitCodeOf(r)).toBe(2);
    expect(formatConsole(r)).toContain(
      "error: validating policy config: api-stack-guardrails 0.1.0  container-memory-limit: minMemoryMb: Invalid type. Expected: integer, given: string",
    );
  });
});
