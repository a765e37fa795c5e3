/**
 * A secret rotated through `pulumi up` reaches the ECS tasks (issue 25, item 6): the task
 * definition carries a replacementTrigger, the SHA-256 of its secrets' version ids, so a new
 * value replaces the definition (a new revision, and ECS deploys the service) while the
 * container definitions stay the same and known at preview.
 */
import { describe, expect, it } from "vitest";
import { priorOf, type ProgramRun } from "../../gate";
import { UNKNOWN } from "../../policy/lib/unknown";
import { one, reveal, runStack } from "../helpers/program";

const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
// A strong key, different from the one the tests' stack file decrypts to.
const ROTATED = "Vd8Qm3Lx7Rk2Tz9Wc4Np6Hs1Bf5Gj0Ya8Ue3Ko7Ri2Mt9Xw4Ln6Pb1Dq5Sh0Zc2Fv";

const trigger = (run: ProgramRun, task: string) => one(run, TASK, task).replacementTrigger;
const definitions = (run: ProgramRun, task: string) =>
  reveal(one(run, TASK, task).properties.containerDefinitions);
const versionId = (run: ProgramRun, name: string) => one(run, VERSION, name).state.versionId;

describe("prod-ecs: rotating a secret rolls the tasks", () => {
  it("keeps the trigger and the container definitions when no secret changed", async () => {
    const first = await runStack("prod-ecs");
    const second = await runStack("prod-ecs", { prior: priorOf(first) });
    for (const task of ["api-task", "jobs-task"]) {
      expect(trigger(first, task)).toMatch(/^[0-9a-f]{64}$/);
      expect(trigger(second, task)).toBe(trigger(first, task));
      expect(definitions(second, task)).toEqual(definitions(first, task));
    }
  });

  it("changes the trigger, and nothing in the container definitions, when secretKey changes", async () => {
    const first = await runStack("prod-ecs");
    const rotated = await runStack("prod-ecs", {
      prior: priorOf(first),
      secrets: { "api-stack:secretKey": ROTATED },
    });
    // The provider's behaviour the mock follows: a new value is a new version, the others stay.
    expect(versionId(rotated, "api-secret-secret-key")).not.toBe(
      versionId(first, "api-secret-secret-key"),
    );
    expect(versionId(rotated, "api-secret-redis-url")).toBe(
      versionId(first, "api-secret-redis-url"),
    );
    for (const task of ["api-task", "jobs-task"]) {
      expect(trigger(rotated, task)).not.toBe(trigger(first, task));
      expect(definitions(rotated, task)).toEqual(definitions(first, task));
      expect(JSON.stringify(one(rotated, TASK, task))).not.toContain(ROTATED);
    }
  });

  it("keeps the container definitions known at preview, where the trigger is unknown", async () => {
    const run = await runStack("prod-ecs", { preview: true });
    for (const task of ["api-task", "jobs-task"]) {
      expect(definitions(run, task)).not.toBe(UNKNOWN);
      expect(JSON.parse(definitions(run, task) as string)).toHaveLength(1);
      expect(trigger(run, task)).toBe(UNKNOWN);
    }
  });
});
