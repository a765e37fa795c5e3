import { describe, it } from "vitest";
import {
  containerHealthcheckRequired,
  healthcheckTiming,
} from "../../../policy/rules/healthchecks";
import {
  redisHealthcheckChecksReply,
  redisHealthcheckReadOnly,
} from "../../../policy/rules/redis-healthchecks";
import { UNKNOWN } from "../../../gate";
import { apiProps, redisProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
} from "../util";

const C = T.container;
const withHc = (
  base: Record<string, unknown>,
  hc: Record<string, unknown>,
): Record<string, unknown> => ({
  ...base,
  healthcheck: { ...(base.healthcheck as object), ...hc },
});

describe("container-healthcheck-required", () => {
  it("passes real probes and skips one-shot containers", async () => {
    await assertNoResourceViolations(containerHealthcheckRequired, args(C, apiProps()));
    await assertNoResourceViolations(
      containerHealthcheckRequired,
      args(C, { image: "app:1", rm: true }),
    );
  });
  it.each([
    [{ image: "app:1" }, /no `healthcheck`/],
    [withHc(apiProps(), { tests: ["NONE"] }), /disables/],
    [withHc(apiProps(), { tests: [] }), /empty/],
    [withHc(apiProps(), { tests: ["curl", "-f", "x"] }), /needs "CMD"/],
    [withHc(apiProps(), { tests: UNKNOWN }), /unknown at preview/],
  ])("refuses %#", (props, message) =>
    assertHasResourceViolation(containerHealthcheckRequired, args(C, props), message),
  );
});

describe("healthcheck-timing", () => {
  it("passes the good API and Redis timings", async () => {
    await assertNoResourceViolations(healthcheckTiming, args(C, apiProps()));
    await assertNoResourceViolations(healthcheckTiming, args(C, redisProps()));
  });
  it.each([
    [{ startPeriod: "0s" }, /startPeriod "0s"/],
    [{ startPeriod: undefined }, /unset/],
    [{ startPeriod: "sixty" }, /not a Docker duration/],
    [{ startPeriod: "11m" }, /outside/],
    [{ interval: "5s", timeout: "5s" }, /timeout 5s >= interval 5s/],
    [{ retries: 1 }, /retries 1/],
    [{ interval: "bogus" }, /not a Docker duration/],
    [{ startPeriod: UNKNOWN }, /unknown at preview/],
  ])("refuses %j", (hc, message) =>
    assertHasResourceViolation(healthcheckTiming, args(C, withHc(apiProps(), hc)), message),
  );
  it("checks waitTimeout (default 60) against startPeriod + interval × retries", async () => {
    const p = {
      ...withHc(apiProps(), { startPeriod: "60s", interval: "10s", retries: 5 }),
      waitTimeout: undefined,
    };
    await assertHasResourceViolation(healthcheckTiming, args(C, p), /waits only 60s.*1m50s/);
    await assertNoResourceViolations(healthcheckTiming, args(C, { ...p, waitTimeout: 110 }));
  });
  it("uses per-role start period ranges from config", async () => {
    const config = { startPeriod: { redis: { min: "1s", max: "15s" } } };
    await assertHasResourceViolation(
      healthcheckTiming,
      args(C, redisProps(), { config }),
      /"redis" role/,
    );
    await assertNoResourceViolations(healthcheckTiming, args(C, apiProps(), { config }));
  });
});

describe("redis-healthcheck-read-only", () => {
  it("passes ping/info probes", async () => {
    await assertNoResourceViolations(redisHealthcheckReadOnly, args(C, redisProps()));
    await assertNoResourceViolations(
      redisHealthcheckReadOnly,
      args(C, withHc(redisProps(), { tests: ["CMD", "redis-cli", "info", "replication"] })),
    );
  });
  it.each([
    ["CMD-SHELL", "redis-cli --raw incr ping"],
    ["CMD-SHELL", "redis-cli -h 127.0.0.1 SET health ok && redis-cli get health"],
    ["CMD", "valkey-cli", "--eval", "/probe.lua"],
  ])("refuses %s %s", (...tests) =>
    assertHasResourceViolation(redisHealthcheckReadOnly, args(C, withHc(redisProps(), { tests }))),
  );
});

describe("redis-healthcheck-checks-reply", () => {
  it("passes probes that check PONG or use -e", async () => {
    await assertNoResourceViolations(redisHealthcheckChecksReply, args(C, redisProps()));
    await assertNoResourceViolations(
      redisHealthcheckChecksReply,
      args(C, withHc(redisProps(), { tests: ["CMD", "redis-cli", "-e", "ping"] })),
    );
  });
  it("refuses trusting the exit code", async () => {
    await assertHasResourceViolation(
      redisHealthcheckChecksReply,
      args(C, withHc(redisProps(), { tests: ["CMD", "redis-cli", "ping"] })),
      /NOAUTH/,
    );
    await assertHasResourceViolation(
      redisHealthcheckChecksReply,
      args(C, withHc(redisProps(), { tests: ["CMD-SHELL", "redis-cli ping || exit 1"] })),
    );
  });
});

describe("issue #10: probes that cannot fail or can never pass", () => {
  it.each([
    [["CMD", "curl", "-s", "http://127.0.0.1:3003/health"], /curl without --fail/],
    [["CMD-SHELL", "curl -s http://localhost:3003/health || exit 1"], /curl without --fail/],
    [["CMD-SHELL", ""], /can never fail/],
    [["CMD", " "], /can never pass/],
    [["CMD", "curl", "-fsS", "http://127.0.0.1:8080/health"], /probes port 8080 .*listens on 3003/],
  ])("refuses %j", (tests, message) =>
    assertHasResourceViolation(
      containerHealthcheckRequired,
      args(C, withHc(apiProps(), { tests })),
      message,
    ),
  );
  it.each([
    [["CMD", "curl", "-fsS", "http://127.0.0.1:3003/health"]],
    [["CMD", "curl", "--fail", "-s", "http://127.0.0.1:3003/health"]],
    [["CMD", "wget", "-qO-", "http://127.0.0.1:3003/health"]],
  ])("accepts %j", (tests) =>
    assertNoResourceViolations(
      containerHealthcheckRequired,
      args(C, withHc(apiProps(), { tests })),
    ),
  );
});

describe("issue #10: timings that mean something else to Docker", () => {
  it.each([
    [{ interval: "10ms", timeout: "5ms" }, /interval 10ms, under 1s/],
    [{ interval: "2h" }, /interval 2h, over 10m/],
    [{ timeout: "0s", interval: "10s" }, /timeout 30s >= interval 10s/],
  ])("refuses %j", (hc, message) =>
    assertHasResourceViolation(healthcheckTiming, args(C, withHc(apiProps(), hc)), message),
  );
});
