/**
 * CONVENTIONS rule 3: every field of a component's `XArgs` says what it takes, and an optional
 * field says what it defaults to. Read from the source with the TypeScript compiler, so a new
 * component or field is checked without being listed here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const DIR = path.join(__dirname, "../../components");

interface Field {
  readonly args: string;
  readonly name: string;
  readonly optional: boolean;
  readonly hasDefault: boolean;
}

function argsFields(file: string): Field[] {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(path.join(DIR, file), "utf8"),
    ts.ScriptTarget.ES2022,
    true,
  );
  const fields: Field[] = [];
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement) || !/Args$/.test(statement.name.text)) continue;
    for (const member of statement.members) {
      if (!ts.isPropertySignature(member)) continue;
      fields.push({
        args: statement.name.text,
        name: member.name.getText(source),
        optional: member.questionToken !== undefined,
        hasDefault: ts.getJSDocTags(member).some((t) => t.tagName.text === "default"),
      });
    }
  }
  return fields;
}

const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts"));
const all = files.flatMap(argsFields);

describe("components' args carry TSDoc", () => {
  it("finds the components' args interfaces", () => {
    const names = new Set(all.map((f) => f.args));
    for (const expected of ["ApiServiceArgs", "LocalRedisArgs", "ElastiCacheValkeyArgs"])
      expect(names).toContain(expected);
    expect(all.length).toBeGreaterThan(50);
  });

  it("every optional field has a @default", () => {
    const missing = all.filter((f) => f.optional && !f.hasDefault);
    expect(missing.map((f) => `${f.args}.${f.name}`)).toEqual([]);
    // The check can fail: the optional fields it judged are there to be judged.
    expect(all.filter((f) => f.optional && f.hasDefault).length).toBeGreaterThan(30);
  });
});
