/**
 * healthcheck-timing's timeout >= interval message says what Docker does: moby/moby
 * daemon/health.go, monitor, runs one probe at a time and waits the interval after each probe
 * returns, so probes never overlap; a long timeout delays detection instead.
 */
import { describe, expect, it } from "vitest";
import { healthcheckTiming } from "../../../policy/rules/healthchecks";
import { apiProps, T } from "../corpus/base";
import { createResourceValidationArgs as args, runResourcePolicy } from "../util";

describe("healthcheck-timing: timeout >= interval", () => {
  it("does not claim that probes overlap", async () => {
    const p = apiProps();
    p.healthcheck = { ...(p.healthcheck as object), interval: "5s", timeout: "5s" };
    const text = (await runResourcePolicy(healthcheckTiming, args(T.container, p)))
      .map((v) => v.message)
      .join("\n");
    expect(text).toMatch(/timeout 5s >= interval 5s/);
    expect(text).toMatch(/probes never overlap/);
    expect(text).toMatch(/timeout \+ interval/);
    expect(text).not.toMatch(/so probes overlap/);
  });
});
