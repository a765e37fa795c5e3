/**
 * The worker's heartbeat probe (`CMD-SHELL test $(( now - heartbeat )) -lt N`) run by /bin/sh
 * as Docker runs a CMD-SHELL healthcheck: a fresh file passes; a stale, missing or garbled one
 * fails, so a worker whose loop stops goes unhealthy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, expect, test } from "vitest";
import { heartbeatProbe } from "../../components/lib/healthcheck";
import { describeReal } from "./layer";
import { runHealthcheck } from "./util";

describeReal("worker heartbeat probe (heartbeatProbe) in a real shell", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "heartbeat-"));
  const file = path.join(dir, "worker-heartbeat");
  const now = (): number => Math.floor(Date.now() / 1_000);
  const probe = heartbeatProbe(file, 10_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ["written just now", (): string => String(now()), 0],
    ["9 s old", (): string => String(now() - 8), 0],
    ["a minute old", (): string => String(now() - 60), "fail"],
    ["garbled", (): string => "not-a-time", "fail"],
    ["empty", (): string => "", "fail"],
  ] as const)("a heartbeat %s → %s", async (_what, content, expected) => {
    fs.writeFileSync(file, `${content()}\n`);
    const r = await runHealthcheck(probe);
    if (expected === 0) expect(r.code).toBe(0);
    else expect(r.code).not.toBe(0);
  });

  test("a missing heartbeat file fails", async () => {
    fs.rmSync(file, { force: true });
    const r = await runHealthcheck(probe);
    expect(r.code).not.toBe(0);
  });
});
