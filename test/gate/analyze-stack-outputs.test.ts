/**
 * Analyze gets a resource's inputs; AnalyzeStack gets its outputs (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go AnalyzeResources: "Unlike Analyze, AnalyzeStack is called
 * on the final outputs of each resource"). A test pack echoes what it was sent for a program
 * whose outputs differ from its inputs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { runGate, UNKNOWN, type GateResult } from "../../gate";

const PACK = path.join(__dirname, "fixtures", "outputs-pack");

async function gate(preview: boolean): Promise<GateResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-outputs-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: outputs-test\nruntime: nodejs\n");
  fs.writeFileSync(path.join(dir, "Pulumi.test.yaml"), "config: {}\n");
  return runGate({
    stack: "test",
    dir,
    policyPack: PACK,
    preview,
    load: () => {
      vi.resetModules();
      return import("./fixtures/outputs-program");
    },
  });
}

/** What the pack echoed for `name` (a resource's URN ends with ::name), by policy. */
function echoed(r: GateResult, name: string, policy: "echo-inputs" | "echo-outputs") {
  const d = r.diagnostics.find((x) => x.policyName === policy && x.urn.endsWith(`::${name}`));
  if (!d) throw new Error(`${policy} reported nothing for ${name}: ${JSON.stringify(r)}`);
  // The policy SDK puts the policy's description first, then the reported message.
  const line = d.message.split("\n").find((l) => /^(inputs|outputs) /.test(l)) as string;
  return JSON.parse(line.replace(/^(inputs|outputs) /, "")) as Record<string, unknown>;
}

describe("AnalyzeStack gets outputs, Analyze inputs", () => {
  let up: GateResult;
  let preview: GateResult;
  beforeAll(async () => {
    up = await gate(false);
    preview = await gate(true);
  });

  it("runs the program and the test pack", () => {
    expect(up.programError).toBeUndefined();
    expect(up.resources).toBe(3);
  });

  it("a provider output (the Docker network's generated name) reaches AnalyzeStack only", () => {
    expect(echoed(up, "thing-net", "echo-inputs")).not.toHaveProperty("name");
    expect(echoed(up, "thing-net", "echo-outputs")).toMatchObject({
      internal: true,
      name: expect.stringMatching(/^thing-net-[0-9a-f]{7}$/),
    });
  });

  it("a component's registerOutputs reaches AnalyzeStack as its properties", () => {
    const outputs = echoed(up, "thing", "echo-outputs");
    expect(outputs).toEqual({
      endpoint: expect.stringMatching(/^tcp:\/\/thing-net-[0-9a-f]{7}:6379$/),
    });
    expect(echoed(up, "thing", "echo-inputs")).not.toHaveProperty("endpoint");
  });

  it("a generated value is known after `up` and unknown in a preview, as the provider's preview returns it", () => {
    expect(echoed(up, "pw", "echo-outputs").result).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(echoed(preview, "pw", "echo-outputs").result).toBe(UNKNOWN);
    expect(echoed(preview, "pw", "echo-inputs")).not.toHaveProperty("result");
  });
});
