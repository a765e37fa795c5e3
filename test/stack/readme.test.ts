import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_DIR } from "../../gate";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
const docs = fs
  .readdirSync(path.join(PROJECT_DIR, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => path.join("docs", f));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

describe("README", () => {
  it("gives the two commands a new user runs", () => {
    expect(readme).toContain("npm ci\nnpm test");
  });

  it("stays a first page: about 10 KB, the reference in docs/", () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(12_000);
    for (const doc of docs) expect(readme).toContain(`](${doc})`);
  });
});

describe.each(["README.md", ...docs])("relative links in %s", (file) => {
  const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
  const withoutCode = text.replace(/```[\s\S]*?```/g, "");
  const links = [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((href) => !/^[a-z]+:/.test(href));

  it.each(links.length > 0 ? links : ["(none)"])("%s resolves", (href) => {
    if (href === "(none)") return;
    const [target = "", hash] = href.split("#");
    const resolved = target === "" ? file : path.join(path.dirname(file), target);
    expect(fs.existsSync(path.join(PROJECT_DIR, resolved)), `${resolved} exists`).toBe(true);
    if (hash !== undefined) {
      const targetText = fs.readFileSync(path.join(PROJECT_DIR, resolved), "utf8");
      const headings = [...targetText.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!));
      expect(headings).toContain(hash);
    }
  });
});
