/**
 * policy/lib/shared-props.ts: every policy of one request gets the same deserialised props.
 * Two beliefs, each tested here against the pinned SDK rather than our reading of it:
 *   - the policy server calls `deserializeProperties` through the module's export, once per
 *     policy, with the Struct google-protobuf caches on the request (so the WeakMap hits);
 *   - no policy writes to `args.props`, so sharing one object cannot change a verdict.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { installSharedProps } from "../../policy/lib/shared-props";
import { asPolicySees } from "./util";
import { analyzeCase, PropsOf, Record_ } from "./corpus/analyze";
import { BAD_FAMILIES } from "./corpus/families";
import { goodCases } from "./corpus/good";

/* eslint-disable @typescript-eslint/no-require-imports -- the SDK's CommonJS modules themselves */
const deserialize = require("@pulumi/policy/deserialize") as {
  deserializeProperties: (s: object, proxySecrets: boolean) => Record<string, unknown>;
};
const server = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun: (
    ...a: unknown[]
  ) => (call: unknown, cb: (e: unknown, r: unknown) => void) => Promise<void>;
  makeAnalyzeStackRpcFun: (
    ...a: unknown[]
  ) => (call: unknown, cb: (e: unknown, r: unknown) => void) => Promise<void>;
};
const { getSpecialProxyTarget } = require("@pulumi/policy/proxy") as {
  getSpecialProxyTarget: string;
};
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const original = deserialize.deserializeProperties;
afterAll(() => {
  deserialize.deserializeProperties = original;
});

const PROPS = { image: "redis:7.4.1", envs: ["A=1"], ports: [{ internal: 6379 }] };

function analyzeRequest(): unknown {
  const req = new pb.AnalyzeRequest();
  req.setType("docker:index/container:Container");
  req.setUrn("urn:pulumi:prod::api-stack::docker:index/container:Container::redis");
  req.setName("redis");
  req.setProperties(Struct.fromJavaScript(PROPS));
  req.setOptions(new pb.AnalyzerResourceOptions());
  return req;
}

/** The plain objects behind `args.props` that three untyped policies saw for one Analyze. */
async function targetsSeenByThreePolicies(): Promise<unknown[]> {
  const seen: unknown[] = [];
  const policy = (name: string) => ({
    name,
    description: name,
    enforcementLevel: "mandatory",
    validateResource: (args: { props: Record<string, unknown> }) => {
      seen.push(args.props[getSpecialProxyTarget]);
    },
  });
  const analyze = server.makeAnalyzeRpcFun("p", "1.0.0", "mandatory", [
    policy("a"),
    policy("b"),
    policy("c"),
  ]);
  await new Promise<void>((resolve, reject) =>
    analyze({ request: analyzeRequest() }, (e) => (e ? reject(e) : resolve())),
  );
  return seen;
}

describe("shared props, against @pulumi/policy's own server", () => {
  it("google-protobuf hands out one Struct per request (what the WeakMap keys on)", () => {
    const req = analyzeRequest() as { getProperties(): object };
    expect(req.getProperties()).toBe(req.getProperties());
  });

  it("without it, each policy deserialises the resource again", async () => {
    deserialize.deserializeProperties = original;
    const [a, b, c] = await targetsSeenByThreePolicies();
    expect(a).toEqual(PROPS);
    expect(a).not.toBe(b);
    expect(b).not.toBe(c);
  });

  it("with it, the three policies see one object, equal to a fresh deserialisation", async () => {
    deserialize.deserializeProperties = original;
    expect(installSharedProps()).toBe(true);
    const [a, b, c] = await targetsSeenByThreePolicies();
    expect(a).toEqual(PROPS);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(installSharedProps()).toBe(true); // idempotent: not wrapped twice
  });

  it("passes secret-proxying calls through, as the SDK's remediation path makes them", () => {
    deserialize.deserializeProperties = original;
    installSharedProps();
    const s = Struct.fromJavaScript(PROPS);
    expect(deserialize.deserializeProperties(s, true)).not.toBe(
      deserialize.deserializeProperties(s, true),
    );
    expect(deserialize.deserializeProperties(s, false)).toBe(
      deserialize.deserializeProperties(s, false),
    );
  });

  it("leaves a module without the export alone", () => {
    expect(installSharedProps({} as never)).toBe(false);
  });
});

/**
 * Every policy over every corpus case, with one plain object per resource and request, as the
 * server now hands them out; afterwards each object must still equal a fresh deserialisation.
 */
// Review 22b, F8: the comment's line references must name the pinned server.js's lines.
describe("shared-props.ts cites the pinned server.js by the right lines", () => {
  const serverLines = readFileSync(require.resolve("@pulumi/policy/server"), "utf8").split("\n");
  const comment = readFileSync(join(__dirname, "../../policy/lib/shared-props.ts"), "utf8");
  it.each([
    [
      "`makeAnalyzeStackRpcFun` (line ",
      "deserialize_1.deserializeProperties(r.getProperties(), false)",
    ],
    [
      "`getProviderResource` (line ",
      "deserialize_1.deserializeProperties(prov.getProperties(), false)",
    ],
    ["runs once per validation (line ", "getProviderResource(req)"],
  ])("%s… names a line holding %s", (cite, code) => {
    const at = comment.indexOf(cite);
    expect(at, cite).toBeGreaterThan(-1);
    const line = Number(/^\d+/.exec(comment.slice(at + cite.length))![0]);
    expect(serverLines[line - 1]).toContain(code);
  });
});

describe("no policy writes to args.props (one object per resource and request)", () => {
  const cases = [...Object.values(BAD_FAMILIES).flat(), ...goodCases];
  it(`holds over the corpus (${cases.length} cases)`, async () => {
    const written: string[] = [];
    for (const c of cases) {
      const shared = new Map<string, { r: Record_; props: Record<string, unknown> }>();
      const propsOf: PropsOf = (r, request) => {
        const key = `${request} ${r.urn}`;
        let entry = shared.get(key);
        if (!entry) {
          entry = { r, props: asPolicySees(r.properties) };
          shared.set(key, entry);
        }
        return entry.props;
      };
      await analyzeCase(c, undefined, propsOf);
      for (const [key, { r, props }] of shared) {
        try {
          expect(props).toEqual(asPolicySees(r.properties));
        } catch {
          written.push(`${c.name}: ${key}`);
        }
      }
    }
    expect(written).toEqual([]);
  }, 120_000);
});
