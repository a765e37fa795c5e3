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

  it("reads a key in any case under its canonical name", () => {
    expect(defOf('[{"Image":"nginx:latest"}]').image).toBe("nginx:latest");
    expect(defOf('[{"Privileged":true}]').privileged).toBe(true);
    expect(defOf('[{"PRIVILEGED":null}]').privileged).toBeNull();
    expect(defOf('[{"\u017Fecrets":[{"Name":"A","VALUEFROM":"arn"}]}]').secrets).toEqual([
      { name: "A", valueFrom: "arn" },
    ]);
  });

  it("refuses a field written twice, which Go would merge (see the G1 tests below)", () => {
    for (const text of [
      '[{"image":"x:1.2","Image":"nginx:latest"}]',
      '[{"image":"nginx:latest","Image":"x:1.2","image":"nginx:latest"}]',
      '[{"healthCheck":{"command":["x"]},"HealthCheck":{"StartPeriod":0}}]',
    ]) {
      expect(parseContainerDefinitions(text).state, text).toBe("invalid");
    }
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

  it("judges the folded container: a PascalCase privileged and StartPeriod 0; refuses a second copy", async () => {
    const hard = await resourceMessages(ecsContainerHardening, {
      container: (c) => {
        delete c.privileged;
        c.Privileged = true;
      },
    });
    expect(hard.join("\n")).toMatch(/`privileged` is true/);
    const hc = await resourceMessages(ecsContainerHealthcheck, {
      container: (c) => {
        const hc: Record<string, unknown> = {
          ...(c.healthCheck as Record<string, unknown>),
          StartPeriod: 0,
        };
        delete hc.startPeriod;
        delete c.healthCheck;
        c.HealthCheck = hc;
      },
    });
    expect(hc.join("\n")).toMatch(/`healthCheck.startPeriod` is 0 s/);
    const twice = await resourceMessages(ecsContainerHardening, {
      container: (c) => (c.Privileged = true),
    });
    expect(twice.join("\n")).toMatch(/`\[0\]\.privileged` is written more than once/);
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

describe("a field written twice (review 22c, G1)", () => {
  // Go reuses a slice's old elements when a later copy of the key is longer than the one
  // before it, so `environment` written three times can send ECS a value the last copy lacks.
  const env = (...names: string[]) => names.map((name) => ({ name, value: "v" }));
  const def = (text: string) => parseContainerDefinitions(`[{"name":"api","image":"x:1",${text}}]`);
  it("is refused, in any case and at any depth, naming the field", () => {
    for (const text of [
      `"environment":${JSON.stringify(env("A", "B", "C"))},"environment":${JSON.stringify(env("A"))}`,
      `"environment":[],"Environment":[]`,
      `"healthCheck":{"command":["x"],"StartPeriod":30,"startPeriod":0}`,
    ]) {
      const p = def(text);
      expect(p.state, text).toBe("invalid");
      expect(p.state === "invalid" ? p.why : "").toMatch(/written more than once/);
    }
  });
  it("a map's keys and fields Go ignores may repeat", () => {
    expect(def(`"dockerLabels":{"a":"1","a":"2"}`).state).toBe("known");
    expect(def(`"comment":1,"comment":2`).state).toBe("known");
    expect(def(`"environment":${JSON.stringify(env("A"))}`).state).toBe("known");
  });
});
