/**
 * `npm run maintenance`'s argument handling: each mistake is one line naming the fix, exit 2,
 * before any Docker call. The switch itself runs against a real proxy in
 * test/docker/edge-reload.test.ts and test/real/edge-live.test.ts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { maintenanceMain } from "../../backup/maintenance-cli";

function outputs(o: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), "api-stack-maint-")), "outputs.json");
  writeFileSync(file, JSON.stringify(o));
  return file;
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await maintenanceMain(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("npm run maintenance", () => {
  const withEdge = () => outputs({ apiUrl: "https://localhost", edgeContainerName: "prod-edge" });

  it.each([
    [["on"], "pass --stack <name> or --outputs <file.json>"],
    [
      ["--outputs", "x.json", "--stack", "prod", "on"],
      "pass --stack <name> or --outputs <file.json>",
    ],
    [["--outputs", "OUT"], "say on, off or status"],
    [["--outputs", "OUT", "enable"], "say on, off or status"],
    [["--outputs", "OUT", "on", "off"], "say on, off or status"],
    [["--outputs", "OUT", "--force", "on"], "Unknown option '--force'"],
  ])("%j: exit 2, one line naming the fix, then the usage", async (argv, message) => {
    const file = withEdge();
    const r = await run(argv.map((a) => (a === "OUT" ? file : a)));
    expect(r.code).toBe(2);
    expect(r.err.split("\n")[0]).toContain(message);
    expect(r.err).toContain("usage: npm run maintenance");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("a stack without an edge proxy: exit 2, the edge block named", async () => {
    const r = await run(["--outputs", outputs({ apiUrl: "http://127.0.0.1:3003" }), "on"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("the stack has no edge proxy (output edgeContainerName)");
  });

  it("a Docker host that does not answer: exit 1, one line, no stack trace", async () => {
    const r = await run(["--outputs", withEdge(), "--docker-host", "tcp://127.0.0.1:1", "status"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^maintenance failed: /);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
