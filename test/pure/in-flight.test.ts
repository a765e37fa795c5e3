/**
 * gate/src/gate.ts inFlight: the gate's Analyze calls, several at once as the engine makes them,
 * with the diagnostics in the resources' order.
 */
import { describe, expect, it } from "vitest";
import { inFlight } from "../../gate/src/gate";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("inFlight", () => {
  it("keeps the items' order when later calls finish first", async () => {
    const delays = [30, 1, 20, 1, 10, 1];
    const out = await inFlight(delays, 3, async (d) => {
      await tick(d);
      return d;
    });
    expect(out).toEqual(delays);
  });

  it("never has more than n calls pending, and uses n", async () => {
    let pending = 0;
    let most = 0;
    await inFlight([...Array(20).keys()], 4, async () => {
      most = Math.max(most, ++pending);
      await tick(2);
      pending--;
    });
    expect(most).toBe(4);
  });

  it("a failing call fails the whole", async () => {
    await expect(
      inFlight([1, 2, 3], 2, async (i) => {
        if (i === 2) throw new Error("boom");
        return i;
      }),
    ).rejects.toThrow("boom");
  });
});
