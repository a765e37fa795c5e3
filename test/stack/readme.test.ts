import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { configKeyPaths } from "../../stacks/config";
import { PROJECT_DIR } from "../../scripts/lib/capture";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
const section = readme.slice(
  readme.indexOf("## Configuration reference"),
  readme.indexOf("## Stack outputs"),
);
const documented = [...section.matchAll(/^\| `([A-Za-z.]+)`\s+\|/gm)].map((m) => m[1]);

describe("README configuration reference", () => {
  it("lists exactly the keys the schema accepts", () => {
    const keys = configKeyPaths();
    expect(keys.length).toBeGreaterThan(30);
    expect([...documented].sort()).toEqual([...keys].sort());
  });

  it("gives the two commands a new user runs", () => {
    expect(readme).toContain("npm ci\nnpm test");
  });
});
