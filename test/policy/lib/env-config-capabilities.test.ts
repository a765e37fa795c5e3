/**
 * Three small pieces of policy/lib on their own: Docker `envs` parsing (env.ts), rule config with
 * defaults (config.ts) and capability names (capabilities.ts). Written from Stryker's survivors
 * (docs/testing.md).
 */
import { describe, expect, it } from "vitest";
import {
  capName,
  dropsAll,
  ESCAPE_CAPABILITIES,
  escapeCapabilities,
} from "../../../policy/lib/capabilities";
import { configOf } from "../../../policy/lib/config";
import { envValue, parseEnvs } from "../../../policy/lib/env";
import { UNKNOWN } from "../../../policy/lib/unknown";

describe("parseEnvs and envValue", () => {
  it("a fully known list has no unknown marker", () => {
    expect(parseEnvs(["A=1", "B=x=y"])).toEqual({
      vars: [
        { name: "A", value: "1", index: 0 },
        { name: "B", value: "x=y", index: 1 },
      ],
    });
  });
  it("skips non-strings and entries without a name, keeps an empty value", () => {
    expect(parseEnvs([5, "=x", "NOEQ", "A="])).toEqual({
      vars: [{ name: "A", value: "", index: 3 }],
    });
  });
  it("marks a partly or wholly unknown list", () => {
    expect(parseEnvs(["A=1", UNKNOWN])).toEqual({
      vars: [{ name: "A", value: "1", index: 0 }],
      unknown: "partial",
    });
    expect(parseEnvs(UNKNOWN)).toEqual({ vars: [], unknown: "whole" });
    expect(parseEnvs("A=1")).toEqual({ vars: [] });
  });
  it("envValue finds the named variable, the last duplicate winning as in Docker", () => {
    const envs = parseEnvs(["A=1", "B=2", "A=3"]);
    expect(envValue(envs, "A")).toBe("3");
    expect(envValue(envs, "B")).toBe("2");
    expect(envValue(envs, "C")).toBeUndefined();
  });
});

describe("configOf", () => {
  it("fills keys the engine did not send, or sent as null, from the defaults", () => {
    const args = { getConfig: <T extends object>() => ({ a: null, b: undefined, c: 5 }) as T };
    expect(configOf(args, { a: 1, b: 2, c: 3, d: 4 })).toEqual({ a: 1, b: 2, c: 5, d: 4 });
  });
  it("keeps falsy values that were sent", () => {
    const args = { getConfig: <T extends object>() => ({ a: false, b: 0, c: "" }) as T };
    expect(configOf(args, { a: true, b: 9, c: "x" })).toEqual({ a: false, b: 0, c: "" });
  });
});

describe("capabilities", () => {
  it("capName trims, upper-cases and drops a leading CAP_ only", () => {
    expect(capName(" cap_sys_admin ")).toBe("SYS_ADMIN");
    expect(capName(" all ")).toBe("ALL");
    expect(capName("NET_CAP_X")).toBe("NET_CAP_X");
  });
  it("escapeCapabilities keeps the escape ones as written, with why", () => {
    expect(escapeCapabilities(["cap_sys_admin", 5, "CHOWN", "bpf"])).toEqual([
      { name: "cap_sys_admin", why: ESCAPE_CAPABILITIES.SYS_ADMIN },
      { name: "bpf", why: ESCAPE_CAPABILITIES.BPF },
    ]);
  });
  it("dropsAll needs ALL among the drops, in any spelling", () => {
    expect(dropsAll(["CHOWN", "cap_all"])).toBe(true);
    expect(dropsAll(["CHOWN"])).toBe(false);
    expect(dropsAll("ALL")).toBe(false);
  });
});
