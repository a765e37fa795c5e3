/**
 * policy/rules/healthchecks.ts, the boundaries the table-driven tests in healthchecks.test.ts
 * leave open: each timing bound exactly at and beyond its edge, the defaults Docker and the
 * provider apply to unset fields, the role's start-period range, and the exact wording of each
 * finding. Written from Stryker's survivors (docs/testing.md).
 */
import { describe, expect, it } from "vitest";
import {
  checkTimings,
  containerHealthcheckRequired,
  healthcheckTiming,
  probeProblems,
} from "../../../policy/rules/healthchecks";
import {
  redisHealthcheckChecksReply,
  redisHealthcheckReadOnly,
  writingProbeCommands,
} from "../../../policy/rules/redis-healthchecks";
import { parseProbe } from "../../../policy/lib/healthcheck";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { T } from "../corpus/base";
import { createResourceValidationArgs as args, runResourcePolicy } from "../util";

const L = 'container "x"';
const cfg = {
  startPeriod: {
    default: { min: "10s", max: "600s" },
    redis: { min: "20s", max: "60s" },
  },
  minRetries: 3,
};
const good = {
  tests: ["CMD", "true"],
  startPeriod: "30s",
  interval: "10s",
  timeout: "3s",
  retries: 3,
};
const timings = (hc: Record<string, unknown>, p: Record<string, unknown> = {}, role = "default") =>
  checkTimings(L, role, p, { ...good, ...hc }, cfg);

describe("checkTimings: startPeriod", () => {
  it("a good healthcheck has no findings", () => expect(timings({})).toEqual([]));
  it("unset and zero are named differently", () => {
    expect(timings({ startPeriod: undefined })).toEqual([
      `${L} has healthcheck.startPeriod unset, so failed probes during boot count immediately and a slow start restarts or fails the deploy. Fix: set startPeriod between 10s and 600s ("default" role), e.g. "30s".`,
    ]);
    expect(timings({ startPeriod: "0s" })[0]).toMatch(
      /^container "x" has healthcheck.startPeriod "0s", so/,
    );
  });
  it("garbage is not a Docker duration", () => {
    expect(timings({ startPeriod: "soon" })).toEqual([
      `${L} has healthcheck.startPeriod "soon", which is not a Docker duration. Fix: use Go duration syntax such as "30s", "1m30s" or "500ms".`,
    ]);
  });
  it("the bounds are inclusive, per role, and the default role is the fallback", () => {
    expect(timings({ startPeriod: "10s" })).toEqual([]);
    expect(timings({ startPeriod: "600s" })).toEqual([]);
    expect(timings({ startPeriod: "9s" })).toEqual([
      `${L} has healthcheck.startPeriod 9s, outside the allowed 10s–600s for the "default" role. Fix: choose a start period within the range (or change the range in the policy config).`,
    ]);
    expect(timings({ startPeriod: "601s" })).toHaveLength(1);
    expect(timings({ startPeriod: "20s" }, {}, "redis")).toEqual([]);
    expect(timings({ startPeriod: "60s" }, {}, "redis")).toEqual([]);
    expect(timings({ startPeriod: "61s" }, {}, "redis")[0]).toMatch(/20s–60s for the "redis"/);
    expect(timings({ startPeriod: "19s" }, {}, "redis")).toHaveLength(1);
    expect(timings({ startPeriod: "9s" }, {}, "worker")[0]).toMatch(/10s–600s for the "worker"/);
  });
  it("an unparseable range falls back to 10s–600s", () => {
    const bad = { ...cfg, startPeriod: { default: { min: "x", max: "y" } } };
    expect(checkTimings(L, "default", {}, { ...good, startPeriod: "10s" }, bad)).toEqual([]);
    expect(checkTimings(L, "default", {}, { ...good, startPeriod: "9s" }, bad)).toHaveLength(1);
    expect(checkTimings(L, "default", {}, { ...good, startPeriod: "600s" }, bad)).toEqual([]);
    expect(checkTimings(L, "default", {}, { ...good, startPeriod: "601s" }, bad)).toHaveLength(1);
  });
  it("unknown at preview is reported as such", () => {
    expect(timings({ startPeriod: UNKNOWN })).toEqual([
      expect.stringMatching(/`healthcheck.startPeriod` of container "x".*unknown at preview/s),
    ]);
  });
});

describe("checkTimings: interval and timeout", () => {
  it("1s is the smallest interval and timeout; below it is named as a unit typo", () => {
    expect(timings({ interval: "1s", timeout: "999ms" })).toEqual([
      `${L} has healthcheck.timeout 999ms, under 1s: Docker would kill a probe every 999ms (a unit typo such as "10ms" for "10s"?). Fix: use seconds, e.g. "10s".`,
    ]);
    expect(timings({ interval: "999ms", timeout: "1s" })).toEqual([
      `${L} has healthcheck.interval 999ms, under 1s: Docker would probe every 999ms (a unit typo such as "10ms" for "10s"?). Fix: use seconds, e.g. "10s".`,
      expect.stringContaining("timeout 1s >= interval 999ms"),
    ]);
    expect(timings({ interval: "2s", timeout: "1s" })).toEqual([]);
  });
  it("10m is the longest interval", () => {
    expect(timings({ interval: "10m" })).toEqual([]);
    expect(timings({ interval: "601s" })).toEqual([
      `${L} has healthcheck.interval 10m1s, over 10m, so a dead container goes unnoticed for interval × retries. Fix: probe at most every 10m, e.g. "30s".`,
    ]);
    expect(timings({ timeout: "11m", interval: "12m" })).toHaveLength(1); // only the interval
  });
  it("timeout must be strictly shorter than interval; unset or 0 means Docker's 30s", () => {
    expect(timings({ timeout: "10s" })[0]).toMatch(
      /^container "x" has healthcheck.timeout 10s >= interval 10s .*retries × 20s/,
    );
    expect(timings({ timeout: "9s" })).toEqual([]);
    expect(timings({ interval: undefined, timeout: undefined })[0]).toMatch(
      /timeout 30s >= interval 30s/,
    );
    expect(timings({ interval: "0s", timeout: "5s" })).toEqual([]);
    expect(timings({ interval: "40s", timeout: "0s" })).toEqual([]);
    expect(timings({ interval: "20s", timeout: undefined })[0]).toMatch(
      /timeout 30s >= interval 20s/,
    );
  });
  it("garbage and unknowns are reported, and skip the comparison", () => {
    expect(timings({ interval: "often" })).toEqual([
      `${L} has healthcheck.interval "often", which is not a Docker duration. Fix: use e.g. "10s".`,
    ]);
    expect(timings({ timeout: UNKNOWN, interval: "1s" })).toEqual([
      expect.stringMatching(/`healthcheck.timeout` of container "x"/),
    ]);
  });
});

describe("checkTimings: retries and wait", () => {
  it("retries at the minimum pass; 0 or unset means Docker's 3; negative never passes", () => {
    expect(timings({ retries: 3 })).toEqual([]);
    expect(timings({ retries: 0 })).toEqual([]);
    expect(timings({ retries: undefined })).toEqual([]);
    expect(timings({ retries: 2 })).toEqual([
      `${L} has healthcheck.retries 2, so one slow probe marks it unhealthy. Fix: set retries to at least 3.`,
    ]);
    expect(timings({ retries: -1 })).toHaveLength(1);
    const strict = { ...cfg, minRetries: 5 };
    expect(checkTimings(L, "default", {}, { ...good, retries: 0 }, strict)).toHaveLength(1);
    expect(timings({ retries: UNKNOWN })[0]).toMatch(/`healthcheck.retries`/);
  });
  it("waitTimeout must cover startPeriod + interval × retries, exactly enough passes", () => {
    // 30s + 10s × 3 = 60s.
    expect(timings({}, { wait: true, waitTimeout: 60 })).toEqual([]);
    expect(timings({}, { wait: true, waitTimeout: 59 })).toEqual([
      `${L} waits only 59s for healthy, but startPeriod + interval × retries = 30s + 10s × 3 = 1m, so a slow but healthy start fails the deploy. Fix: set waitTimeout to at least 60.`,
    ]);
    expect(timings({ retries: 0 }, { wait: true, waitTimeout: 60 })).toEqual([]);
  });
  it("an unset waitTimeout is the provider's 60s, and the message says so", () => {
    expect(timings({}, { wait: true })).toEqual([]);
    expect(timings({ startPeriod: "31s" }, { wait: true })[0]).toMatch(
      /^container "x" waits only 60s for healthy \(the provider default when waitTimeout is unset\), .*at least 61\.$/,
    );
  });
  it("without wait, or when a timing is already wrong, waitTimeout is not judged", () => {
    expect(timings({ startPeriod: "600s" }, { wait: false, waitTimeout: 1 })).toEqual([]);
    expect(timings({ startPeriod: "5s" }, { wait: true, waitTimeout: 1 })).toHaveLength(1);
    expect(timings({ interval: UNKNOWN }, { wait: true, waitTimeout: 1 })).toHaveLength(1);
    expect(timings({ retries: UNKNOWN }, { wait: true, waitTimeout: 1 })).toHaveLength(1);
  });
  it("unknown wait or waitTimeout is reported", () => {
    expect(timings({}, { wait: UNKNOWN })[0]).toMatch(/`wait` of container "x"/);
    expect(timings({}, { wait: true, waitTimeout: UNKNOWN })[0]).toMatch(/`waitTimeout` of/);
  });
});

describe("probeProblems", () => {
  const probe = (tests: string[], p: Record<string, unknown> = {}) =>
    probeProblems({ ...p, healthcheck: { tests } }, parseProbe(tests));
  it("a blank probe is one finding, whatever else is wrong", () => {
    expect(probe(["CMD-SHELL", " "])).toEqual([
      'healthcheck.tests is empty: ["CMD-SHELL", ""] runs `/bin/sh -c ""`, which exits 0, so the check can never fail. Fix: a real probe such as ["CMD", "curl", "-fsS", "http://127.0.0.1:PORT/health"].',
    ]);
  });
  it("a loopback port the container does not listen on; PORT and published ports count", () => {
    const curl = ["CMD", "curl", "-f", "http://127.0.0.1:8080/health"];
    expect(probe(curl, { ports: [{ internal: 3000 }, { internal: 3000 }, null] })).toEqual([
      "the healthcheck probes port 8080 but the container listens on 3000 (its published ports and PORT), so the check can never pass. Fix: point the probe at the port the app listens on.",
    ]);
    expect(probe(curl, { ports: [{ internal: 3000 }], envs: ["PORT=8080"] })).toEqual([]);
    expect(probe(curl, { envs: ["PORT=80x"] })).toEqual([]); // nothing known: not judged
    expect(probe(curl, { envs: ["PORT=3000"] })).toHaveLength(1);
  });
});

describe("the rules end to end", () => {
  const C = T.container;
  const run = (policy: Parameters<typeof runResourcePolicy>[0], p: Record<string, unknown>) =>
    runResourcePolicy(policy, args(C, p, { name: "x" })).then((vs) => vs.map((v) => v.message));
  it("only containers are judged", async () => {
    const vs = await runResourcePolicy(
      containerHealthcheckRequired,
      args("docker:index/network:Network", { image: "app:1" }),
    );
    expect(vs).toEqual([]);
  });
  it("a healthcheck that is not an object counts as none", async () => {
    expect(await run(containerHealthcheckRequired, { image: "app:1", healthcheck: "x" })).toEqual([
      expect.stringMatching(/^container "x" \(app:1\) has no `healthcheck`, so Docker/),
    ]);
  });
  it("a blank test list is reported as a blank probe, prefixed with the label", async () => {
    const p = { image: "app:1", healthcheck: { tests: ["CMD", ""] } };
    expect(await run(containerHealthcheckRequired, p)).toEqual([
      expect.stringMatching(/^container "x" \(app:1\): healthcheck.tests is empty: \["CMD", ""\]/),
    ]);
  });
  it("timing uses the redis role for Redis and merges the configured ranges", async () => {
    const p = { image: "redis:7.4", healthcheck: { ...good, startPeriod: "15s" } };
    const config = { startPeriod: { redis: { min: "20s", max: "60s" } } };
    const vs = await runResourcePolicy(healthcheckTiming, args(C, p, { name: "x", config }));
    expect(vs.map((v) => v.message)).toEqual([expect.stringMatching(/20s–60s for the "redis"/)]);
    expect(
      await run(healthcheckTiming, { image: "app:1", rm: true, healthcheck: { tests: ["NONE"] } }),
    ).toEqual([]);
  });
  it("writing probes are listed by what they run", () => {
    const probe = parseProbe([
      "CMD-SHELL",
      "redis-cli incr hc && redis-cli --eval x.lua && redis-cli",
    ]);
    expect(writingProbeCommands(probe)).toEqual([
      "redis-cli incr",
      "redis-cli --eval",
      "redis-cli (interactive, no command)",
    ]);
    expect(writingProbeCommands(parseProbe(["CMD", "redis-cli", "-x", "set", "k"]))).toEqual([
      "redis-cli -x",
    ]);
    expect(writingProbeCommands(parseProbe(["CMD", "redis-cli", "info"]))).toEqual([]);
  });
  it("read-only: quotes every writing command in one finding", async () => {
    const p = {
      image: "redis:7.4",
      healthcheck: { tests: ["CMD-SHELL", "redis-cli set a 1; redis-cli del a"] },
    };
    expect(await run(redisHealthcheckReadOnly, p)).toEqual([
      expect.stringMatching(
        /^The healthcheck of container "x" \(redis:7.4\) runs "redis-cli set", "redis-cli del": every probe writes/,
      ),
    ]);
  });
  it("checks-reply: a bare ping is trusted; -e or a PONG check is not", async () => {
    const hc = (tests: string[]) => ({ image: "redis:7.4", healthcheck: { tests } });
    expect(await run(redisHealthcheckChecksReply, hc(["CMD", "redis-cli", "ping"]))).toEqual([
      expect.stringMatching(
        /^The healthcheck of container "x" \(redis:7.4\) trusts the exit code of "redis-cli ping"/,
      ),
    ]);
    expect(await run(redisHealthcheckChecksReply, hc(["CMD", "redis-cli", "-e", "ping"]))).toEqual(
      [],
    );
    expect(
      await run(redisHealthcheckChecksReply, hc(["CMD-SHELL", "redis-cli ping | grep -q pong"])),
    ).toEqual([]);
  });
});

describe("wording and odd inputs found by the mutation run", () => {
  const run = (policy: Parameters<typeof runResourcePolicy>[0], p: Record<string, unknown>) =>
    runResourcePolicy(policy, args(T.container, p, { name: "x" })).then((vs) =>
      vs.map((v) => v.message),
    );
  it("a missing healthcheck's fix gives both example probes", async () => {
    const [m] = await run(containerHealthcheckRequired, { image: "app:1", healthcheck: null });
    expect(m).toBe(
      'container "x" (app:1) has no `healthcheck`, so Docker and `wait` cannot tell a hung service from a healthy one. Fix: add healthcheck.tests, e.g. ["CMD-SHELL", "curl -fsS http://localhost:PORT/health"] or, for Redis, ["CMD-SHELL", "redis-cli ping | grep -qx PONG"].',
    );
  });
  it("a whole healthcheck unknown at preview is named as the healthcheck of the container", async () => {
    const [m] = await run(containerHealthcheckRequired, { image: "app:1", healthcheck: UNKNOWN });
    expect(m).toMatch(
      /^The healthcheck of container "x" \(app:1\).*declare `healthcheck.tests` as literals/s,
    );
  });
  it("tests that are not all strings, or not a list, are not a blank probe", async () => {
    for (const tests of [["CMD-SHELL", null], "CMD true"]) {
      const [m] = await run(containerHealthcheckRequired, {
        image: "app:1",
        healthcheck: { tests },
      });
      expect(m).toMatch(/is not a list of strings/);
    }
  });
  it("the curl and port findings end with their fixes", () => {
    const tests = ["CMD", "curl", "http://127.0.0.1:8080/"];
    const found = probeProblems(
      { ports: [{ internal: 3000 }], healthcheck: { tests } },
      parseProbe(tests),
    );
    expect(found).toEqual([
      'the healthcheck runs curl without --fail (-f); curl exits 0 on an HTTP 500, so the check cannot fail. Fix: add -f, e.g. ["CMD", "curl", "-fsS", "http://127.0.0.1:PORT/health"].',
      expect.stringMatching(
        /^the healthcheck probes port 8080 but the container listens on 3000 \(/,
      ),
    ]);
  });
  it("the timeout finding ends with its fix", () => {
    expect(timings({ timeout: "10s" })[0]).toMatch(
      /\(unset or 0s means Docker's 30s for both\): .* Fix: make timeout shorter than interval, e\.g\. interval "10s", timeout "3s"\.$/,
    );
  });
  it("the read-only and checks-reply findings end with their fixes", async () => {
    const w = await run(redisHealthcheckReadOnly, {
      image: "redis:7.4",
      healthcheck: { tests: ["CMD", "redis-cli", "incr", "x"] },
    });
    expect(w[0]).toMatch(
      /Fix: probe with a read-only command: "redis-cli ping \| grep -qx PONG"\.$/,
    );
    const c = await run(redisHealthcheckChecksReply, {
      image: "redis:7.4",
      healthcheck: { tests: ["CMD", "redis-cli", "ping"] },
    });
    expect(c[0]).toMatch(
      /looks healthy\. Fix: \["CMD-SHELL", "redis-cli ping \| grep -qx PONG"\] \(with REDISCLI_AUTH for auth\)\.$/,
    );
  });
  it("an interval over 10m is judged on interval only, a sub-second timeout on timeout only", () => {
    expect(timings({ interval: "11m", timeout: "10m" })).toEqual([
      expect.stringMatching(/interval 11m, over 10m/),
    ]);
    expect(timings({ timeout: "500ms", interval: "2s" })).toEqual([
      expect.stringMatching(/timeout 500ms, under 1s: Docker would kill a probe/),
    ]);
  });
  it("non-number retries count as unset (Docker's 3)", () => {
    expect(timings({ retries: "1" })).toEqual([]);
  });
});
