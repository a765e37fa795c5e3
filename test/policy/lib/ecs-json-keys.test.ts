/**
 * containerDefinitions keys as terraform-provider-aws decodes them (Go encoding/json into the
 * AWS SDK for Go v2 ecs types): case-insensitive, last key wins, nested structs and maps merged
 * (review 22b, F1). The expectations were checked against Go 1.19's encoding/json with structs
 * of the same shape (pointer fields, []struct, map[string]string).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ecsContainerHardening, ecsContainerHealthcheck } from "../../../policy/rules/ecs";
import { parseContainerDefinitions } from "../../../policy/lib/ecs";
import { CONTAINER_DEFINITION, goFoldKey } from "../../../policy/lib/ecs-json";
import { resourceMessages } from "../rules/ecs-helpers";

type Props = Record<string, unknown>;
const defOf = (json: string): Props => {
  const r = parseContainerDefinitions(json);
  if (r.state !== "known") throw new Error(r.state);
  return r.containers[0]!.def;
};

describe("policy/lib/ecs-json: keys as Go encoding/json matches them", () => {
  it("folds ASCII case, ſ (U+017F) and the Kelvin sign (U+212A), nothing else", () => {
    expect(goFoldKey("Image")).toBe(goFoldKey("image"));
    expect(goFoldKey("\u017Fecrets")).toBe(goFoldKey("secrets"));
    expect(goFoldKey("wor\u212AingDirectory")).toBe(goFoldKey("workingDirectory"));
    expect(goFoldKey("\u0131mage")).not.toBe(goFoldKey("image"));
    expect(goFoldKey("\u0130mage")).not.toBe(goFoldKey("image"));
  });

  it("reads a key in any case under its canonical name, the last one winning", () => {
    expect(defOf('[{"image":"x:1.2","Image":"nginx:latest"}]').image).toBe("nginx:latest");
    expect(defOf('[{"Image":"nginx:latest","image":"x:1.2"}]').image).toBe("x:1.2");
    expect(defOf('[{"Privileged":true}]').privileged).toBe(true);
    expect(defOf('[{"privileged":true,"PRIVILEGED":null}]').privileged).toBeNull();
    expect(defOf('[{"\u017Fecrets":[{"Name":"A","VALUEFROM":"arn"}]}]').secrets).toEqual([
      { name: "A", valueFrom: "arn" },
    ]);
  });

  it("keeps document order across an exact duplicate (JSON.parse would keep the first slot)", () => {
    expect(defOf('[{"image":"nginx:latest","Image":"x:1.2","image":"nginx:latest"}]').image).toBe(
      "nginx:latest",
    );
  });

  it("merges a repeated struct, map or struct list into the earlier one, as Go does", () => {
    const d = defOf(
      JSON.stringify([
        {
          healthCheck: { command: ["x"], startPeriod: 30 },
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-create-group": "true" } },
          environment: [
            { name: "A", value: "x" },
            { name: "B", value: "y" },
          ],
        },
      ]).replace(
        /}]$/,
        ',"HealthCheck":{"StartPeriod":0},"LogConfiguration":{"options":{"a":"2"}},' +
          '"Environment":[{"value":"z"}]}]',
      ),
    );
    expect(d.healthCheck).toEqual({ command: ["x"], startPeriod: 0 });
    expect(d.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: { "awslogs-create-group": "true", a: "2" },
    });
    expect(d.environment).toEqual([{ name: "A", value: "z" }]);
  });

  it("keeps map keys as written and drops keys ECS has no field for", () => {
    const d = defOf(
      '[{"logConfiguration":{"options":{"Awslogs-Group":"g"}},"dockerLabels":{"A":"1"},"nope":1}]',
    );
    expect(d).toEqual({
      logConfiguration: { options: { "Awslogs-Group": "g" } },
      dockerLabels: { A: "1" },
    });
  });

  it("judges the folded container: a PascalCase privileged and a late StartPeriod 0", async () => {
    const hard = await resourceMessages(ecsContainerHardening, {
      container: (c) => (c.Privileged = true),
    });
    expect(hard.join("\n")).toMatch(/`privileged` is true/);
    const hc = await resourceMessages(ecsContainerHealthcheck, {
      container: (c) => (c.HealthCheck = { StartPeriod: 0 }),
    });
    expect(hc.join("\n")).toMatch(/`healthCheck.startPeriod` is 0 s/);
  });
});

describe("policy/lib/ecs-json: the table covers every field the pack reads", () => {
  const has = (path: string): boolean => {
    let shape = CONTAINER_DEFINITION;
    const parts = path.split(".");
    for (const [i, p] of parts.entries()) {
      const kind = shape[p];
      if (kind === undefined) return false;
      if (i === parts.length - 1) return true;
      if (typeof kind !== "object") return false;
      shape = "struct" in kind ? kind.struct : kind.list;
    }
    return true;
  };

  it("has every `def.<field>` the rules and libs read", () => {
    const files = [
      "policy/lib/ecs.ts",
      "policy/rules/containers.ts",
      "policy/rules/ecs.ts",
      "policy/rules/ecs-alb.ts",
      "policy/rules/ecs-basics.ts",
      "policy/rules/aws-iam-ecs.ts",
    ];
    const read = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(f, "utf8").matchAll(/\bdef\.([A-Za-z]+)/g)) read.add(m[1]!);
    }
    expect(read.size).toBeGreaterThan(5);
    for (const field of read) expect(has(field), field).toBe(true);
  });

  it.each([
    "healthCheck.command",
    "healthCheck.interval",
    "healthCheck.timeout",
    "healthCheck.retries",
    "healthCheck.startPeriod",
    "logConfiguration.logDriver",
    "logConfiguration.options",
    "environment.name",
    "environment.value",
    "secrets.name",
    "secrets.valueFrom",
    "repositoryCredentials.credentialsParameter",
    "environmentFiles.type",
    "environmentFiles.value",
    "linuxParameters.capabilities.add",
    "portMappings.containerPort",
  ])("has %s", (path) => expect(has(path)).toBe(true));
});
