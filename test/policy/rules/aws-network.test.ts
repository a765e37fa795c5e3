/**
 * Issue 22 classes 1, 4, 6 (rules/aws-network.ts, elasticache-engine's Redis versions): each bad
 * corpus case is refused at mandatory level under prod.json, differs from its twin by one setting,
 * and the twin passes every policy clean. Also what prod.json leaves to config: access logs.
 */
import { describe, expect, it } from "vitest";
import { ResourceRecord, UNKNOWN } from "../../../gate";
import { parseEngineVersion, versionBelow } from "../../../policy/lib/engine-version";
import { worldOpenCidrs } from "../../../policy/lib/network";
import { awsLoadBalancerHardening } from "../../../policy/rules/aws-network";
import { analyzeCase, summary } from "../corpus/analyze";
import { awsNetworkCases, awsNetworkGoodCases, webStack } from "../corpus/aws-network";
import { createResourceValidationArgs, runResourcePolicy } from "../util";

/** Top-level properties, dependencies and whole resources that differ between two stacks. */
function changed(a: readonly ResourceRecord[], b: readonly ResourceRecord[]): string[] {
  const out: string[] = [];
  const byUrn = new Map(a.map((r) => [r.urn, r]));
  for (const r of b) {
    const t = byUrn.get(r.urn);
    if (!t) {
      out.push(`+${r.name}`);
      continue;
    }
    const keys = new Set([...Object.keys(t.properties), ...Object.keys(r.properties)]);
    for (const k of keys) {
      if (JSON.stringify(t.properties[k]) !== JSON.stringify(r.properties[k])) {
        out.push(`${r.name}.${k}`);
      }
    }
    if (
      JSON.stringify(t.propertyDependencies ?? {}) !== JSON.stringify(r.propertyDependencies ?? {})
    )
      out.push(`${r.name}.propertyDependencies`);
  }
  return out;
}

describe("issue 22 corpus (classes 1, 4, 6)", () => {
  it("has at least 18 bad and 5 good cases", () => {
    expect(awsNetworkCases.length).toBeGreaterThanOrEqual(18);
    expect(awsNetworkGoodCases.length).toBeGreaterThanOrEqual(5);
  });
  for (const c of awsNetworkCases) {
    it(`bad: ${c.name}`, async () => {
      const found = await analyzeCase(c);
      for (const e of c.expect) {
        const hits = found.filter((f) => f.policy === e.policy && f.level === "mandatory");
        expect(hits.length, `no mandatory ${e.policy}; got:\n${summary(found)}`).toBeGreaterThan(0);
        if (e.message) expect(hits.map((h) => h.message).join("\n")).toMatch(e.message);
      }
    });
    if (c.twin) {
      const twin = c.twin;
      it(`twin of "${c.name}" is one setting away and clean`, async () => {
        expect(changed(twin, c.stack)).toHaveLength(1);
        const found = await analyzeCase({ stack: twin });
        expect(summary(found)).toBe("");
      });
    }
  }
  for (const g of awsNetworkGoodCases) {
    it(`good: ${g.name}`, async () => {
      expect(summary(await analyzeCase(g))).toBe("");
    });
  }
});

describe("aws-lb-hardening config", () => {
  const lb = (mutate: (p: Record<string, unknown>) => void, config: Record<string, unknown>) => {
    const r = webStack({ lb: mutate })[1]!;
    return runResourcePolicy(
      awsLoadBalancerHardening,
      createResourceValidationArgs(r.type, r.properties, { name: r.name, config }),
    );
  };
  it("requires access logs only when requireAccessLogs is true", async () => {
    const off = (p: Record<string, unknown>) =>
      (p.accessLogs = { bucket: "api-stack-prod-alb-logs" });
    const required = await lb(off, { production: true, requireAccessLogs: true });
    expect(required.map((v) => v.message).join("\n")).toMatch(
      /"web-alb" does not write access logs \(`accessLogs.enabled` is unset/,
    );
    expect(await lb(off, { production: true, requireAccessLogs: false })).toEqual([]);
  });
  it("reports unknown accessLogs when they are required", async () => {
    const vs = await lb((p) => (p.accessLogs = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"), {
      requireAccessLogs: true,
    });
    expect(vs.map((v) => v.message).join("\n")).toMatch(/`accessLogs` of .* unknown at preview/);
  });
  // Review 22b, F4: @pulumi/aws 7.48 lb/loadBalancer.d.ts's own example logs to `lbLogs.id`,
  // unknown at preview for a new bucket; whether logs are on is `enabled` alone.
  it("accepts a bucket unknown at preview when enabled is a literal true", async () => {
    const newBucket = (enabled: unknown) => (p: Record<string, unknown>) =>
      (p.accessLogs = { bucket: UNKNOWN, prefix: "web", enabled });
    expect(await lb(newBucket(true), { requireAccessLogs: true })).toEqual([]);
    const unknownEnabled = await lb(newBucket(UNKNOWN), { requireAccessLogs: true });
    expect(unknownEnabled.map((v) => v.message).join("\n")).toMatch(/unknown at preview/);
    const off = await lb(newBucket(false), { requireAccessLogs: true });
    expect(off.map((v) => v.message).join("\n")).toMatch(/does not write access logs/);
  });
  // Review 22b, F5: terraform-provider-aws internal/service/elbv2/load_balancer.go applies
  // access_logs to application and network load balancers only.
  it("does not ask a gateway load balancer for access logs", async () => {
    const gwlb = (p: Record<string, unknown>) => {
      p.loadBalancerType = "gateway";
      delete p.dropInvalidHeaderFields;
      delete p.accessLogs;
    };
    expect(await lb(gwlb, { requireAccessLogs: true })).toEqual([]);
    const nlb = (p: Record<string, unknown>) => {
      p.loadBalancerType = "network";
      delete p.dropInvalidHeaderFields;
      delete p.accessLogs;
    };
    expect((await lb(nlb, { requireAccessLogs: true })).map((v) => v.message).join("\n")).toMatch(
      /does not write access logs/,
    );
  });
  it("leaves deletion protection to production (dev.json)", async () => {
    const off = (p: Record<string, unknown>) => (p.enableDeletionProtection = false);
    expect(await lb(off, { production: false })).toEqual([]);
    expect((await lb(off, { production: true })).length).toBe(1);
  });
  it("does not ask a network load balancer for dropInvalidHeaderFields", async () => {
    const nlb = (p: Record<string, unknown>) => {
      p.loadBalancerType = "network";
      delete p.dropInvalidHeaderFields;
    };
    expect(await lb(nlb, { production: true })).toEqual([]);
  });
});

describe("Redis OSS engine versions", () => {
  it.each([
    ["5.0.6", true],
    ["6.0", true],
    ["6.x", false],
    ["6.2", false],
    ["7.1", false],
    ["4.0.10", true],
  ])("%s below 6.2: %s", (v, below) => {
    expect(versionBelow(v, "6.2")).toBe(below);
  });
  it("does not judge what it cannot parse", () => {
    expect(parseEngineVersion("latest")).toBeUndefined();
    expect(versionBelow("latest", "6.2")).toBe(false);
  });
});

describe("world-open by address space (review 22, 3a)", () => {
  it.each([
    [["0.0.0.0/0"], ["0.0.0.0/0"]],
    [
      ["0.0.0.0/1", "128.0.0.0/1"],
      ["0.0.0.0/1", "128.0.0.0/1"],
    ],
    [["64.0.0.0/2"], ["64.0.0.0/2"]],
    [["8.0.0.0/7"], ["8.0.0.0/7"]],
    [["1.2.3.4/0"], ["1.2.3.4/0"]],
    [["0::/0"], ["0::/0"]],
    [["::0/0"], ["::0/0"]],
    [["2000::/3"], ["2000::/3"]],
    [
      ["0.0.0.0/0", "10.0.0.0/8", "::/0"],
      ["0.0.0.0/0", "::/0"],
    ],
    [["11.0.0.0/8"], []],
    [["10.0.0.0/7", "192.168.0.0/16", "100.64.0.0/10"], []],
    [["224.0.0.0/3"], []],
    [["203.0.113.0/24", "198.51.100.0/24"], []],
    [["fc00::/7", "2001:db8::/32"], []],
    [["2400::/16"], []],
  ])("%j -> %j", (cidrs, open) => {
    expect(worldOpenCidrs(cidrs)).toEqual(open);
  });
});
