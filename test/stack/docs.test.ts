import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { Policy } from "@pulumi/policy";
import { configKeyPaths } from "../../stacks/config";
import { PROJECT_DIR } from "../../gate";

const read = (file: string): string => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");

/** The text of `doc` from the heading `from` up to the heading `to` (or the end). */
function section(doc: string, from: string, to?: string): string {
  const start = doc.indexOf(from);
  expect(start, `heading ${from}`).toBeGreaterThanOrEqual(0);
  const end = to === undefined ? doc.length : doc.indexOf(to, start);
  expect(end, `heading ${to}`).toBeGreaterThan(start);
  return doc.slice(start, end);
}

describe("docs/configuration.md", () => {
  const table = section(
    read("docs/configuration.md"),
    "## Configuration reference",
    "## Stack outputs",
  );
  const documented = [...table.matchAll(/^\| `([A-Za-z.]+)`\s+\|/gm)].map((m) => m[1]);

  it("lists exactly the keys the schema accepts", () => {
    const keys = configKeyPaths();
    expect(keys.length).toBeGreaterThan(30);
    expect([...documented].sort()).toEqual([...keys].sort());
  });
});

// The pack's policies are whatever policy/index.ts hands to `new PolicyPack`, however the rules
// are grouped into files and lists: the constructor is replaced by one that records them, since
// the real one starts the analyzer's gRPC server.
const registered = vi.hoisted(() => ({ policies: [] as Policy[] }));
vi.mock("@pulumi/policy", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@pulumi/policy")>()),
  PolicyPack: class {
    constructor(_name: string, args: { policies: Policy[] }) {
      registered.policies.push(...args.policies);
    }
  },
}));

type Level = "advisory" | "mandatory" | "remediate" | "disabled";
type PackConfig = Record<string, Level | { enforcementLevel?: Level }>;

/** The level a policy runs at under one config file; left out, it runs at its own default. */
function levelIn(config: PackConfig, policy: Policy): string {
  const entry = config[policy.name];
  if (typeof entry === "string") return entry;
  return entry?.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
}

describe("docs/policies.md", () => {
  const doc = read("docs/policies.md");
  const table = section(doc, "| Policy ");
  const rows = table
    .slice(0, table.search(/\n(?!\|)/))
    .split("\n")
    .slice(2)
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .map(([, names = "", dev = "", prod = ""]) => ({
      names: [...names.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]!),
      dev,
      prod,
    }));
  const documented = rows.flatMap((r) =>
    r.names.map((name) => ({ name, dev: r.dev, prod: r.prod })),
  );

  const pack = async (): Promise<Policy[]> => {
    if (registered.policies.length === 0) await import("../../policy/index");
    return registered.policies;
  };

  it("lists exactly the pack's policies, each once", async () => {
    const names = (await pack()).map((p) => p.name);
    expect(names.length).toBeGreaterThan(30);
    expect(documented.map((d) => d.name).sort()).toEqual([...names].sort());
  });

  it("reads a policy a config file leaves out at the policy's own default level", async () => {
    const [first] = await pack();
    expect(first).toBeDefined();
    expect(levelIn({}, first!)).toBe(first!.enforcementLevel ?? "advisory");
    expect(levelIn({ [first!.name]: {} }, first!)).toBe(first!.enforcementLevel ?? "advisory");
    expect(levelIn({ [first!.name]: "disabled" }, first!)).toBe("disabled");
  });

  it.each(["dev", "prod"] as const)(
    "gives each policy its level in policy/config/%s.json",
    async (env) => {
      const config = JSON.parse(read(`policy/config/${env}.json`)) as PackConfig;
      const byName = new Map((await pack()).map((p) => [p.name, p]));
      const actual = documented.map((d) => {
        const policy = byName.get(d.name);
        return { name: d.name, level: policy ? levelIn(config, policy) : "not in the pack" };
      });
      expect(documented.map((d) => ({ name: d.name, level: d[env] }))).toEqual(actual);
    },
  );
});
