/**
 * `Redis` became `LocalRedis` (issue 12). Stacks created before the rename hold a component of
 * type api-stack:components:Redis named `cache`, with children `cache-server` and `cache-data`.
 * The new class must carry an alias for the old token and keep every name, or the next `up`
 * would replace the Redis container and its data volume.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { FORMER_TYPES, TYPES } from "../../components/types";
import { byType, runStack } from "../helpers/program";

interface AliasSpec {
  getName(): string;
  getType(): string;
  getStack(): string;
  getProject(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}
interface Registered {
  readonly type: string;
  readonly name: string;
  readonly aliases: { urn: string; spec?: AliasSpec }[];
}

/** What the SDK sends the engine for each resource, aliases included, under the public mocks. */
async function registrations(): Promise<Registered[]> {
  const seen: Registered[] = [];
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
    "api-stack",
    "dev",
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: unknown, cb: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const r = req as {
      getType(): string;
      getName(): string;
      getAliasesList(): { getUrn(): string; getSpec(): AliasSpec | undefined }[];
    };
    seen.push({
      type: r.getType(),
      name: r.getName(),
      aliases: r.getAliasesList().map((a) => ({ urn: a.getUrn(), spec: a.getSpec() })),
    });
    return register(req, cb);
  };
  const { LocalRedis } = await import("../../components/local-redis");
  const redis = new LocalRedis("cache", {
    networkName: "backend",
    password: "p".repeat(40),
    probePassword: "q".repeat(40),
    adminPassword: "r".repeat(40),
    production: false,
    stack: "dev",
  });
  // Wait for the container's registration, which follows the component's.
  await new Promise<void>((resolve) => redis.container.urn.apply(() => resolve()));
  return seen;
}

describe("LocalRedis keeps the resources of stacks made by the old Redis component", () => {
  let seen: Registered[] = [];
  beforeAll(async () => {
    seen = await registrations();
  });

  it("registers under the new token with an alias for the old one, same name", () => {
    const component = seen.filter((r) => r.type === TYPES.LocalRedis);
    expect(component.map((r) => r.name)).toEqual(["cache"]);
    const specs = component[0]?.aliases.map((a) => a.spec) ?? [];
    expect(specs.map((s) => s?.getType())).toEqual([FORMER_TYPES.LocalRedis]);
    // An empty name, stack and project mean "the current one" to the engine (pulumi/pulumi
    // pkg/resource/deploy/step_generator.go, collapseAliasToUrn), so only the type differs.
    expect(specs[0]?.getName()).toBe("");
    expect(specs[0]?.getNoparent()).toBe(false);
    expect(FORMER_TYPES.LocalRedis).toBe("api-stack:components:Redis");
    expect(TYPES.LocalRedis).not.toBe(FORMER_TYPES.LocalRedis);
  });

  it("sends no per-child aliases: the engine derives them from the parent's", () => {
    // With alias specs the SDK leaves children alone (@pulumi/pulumi runtime/resource.ts,
    // prepareResource: allAliases only when !supportsAliasSpecs) and the engine builds each
    // child's old URN from its parent's alias (step_generator.go, generateAliases →
    // inheritedChildAlias), keeping the child's own type and name.
    const children = seen.filter((r) => r.type.startsWith("docker:"));
    expect(children.map((r) => r.name).sort()).toEqual(["cache-data", "cache-server"]);
    for (const child of children) expect(child.aliases).toEqual([]);
  });
});

describe("the program still names the component and its children as before", () => {
  it("dev: one LocalRedis `cache`, parent of `cache-server` and `cache-data`", async () => {
    const run = await runStack("dev");
    const [component, ...more] = byType(run, TYPES.LocalRedis);
    expect(more).toEqual([]);
    expect(component?.name).toBe("cache");
    const children = run.resources.filter((r) => r.parent === component?.urn);
    expect(children.map((r) => r.name).sort()).toEqual(["cache-data", "cache-server"]);
  });
});
