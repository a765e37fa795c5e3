import { BadCase, withApi, withRedis } from "./types";

type HC = Record<string, unknown>;
const hcApi = (change: HC): ReturnType<typeof withApi> =>
  withApi((p) => {
    p.healthcheck = { ...(p.healthcheck as HC), ...change };
  });
const hcRedis = (change: HC): ReturnType<typeof withRedis> =>
  withRedis((p) => {
    p.healthcheck = { ...(p.healthcheck as HC), ...change };
  });

export const healthcheckCases: BadCase[] = [
  {
    name: "start_period 0s",
    lesson: "the API needed ~90s to warm caches; failing probes during boot restarted it forever",
    stack: hcApi({ startPeriod: "0s" }),
    expect: [{ policy: "healthcheck-timing", message: /startPeriod "0s"/ }],
  },
  {
    name: "start_period 5s (below the 10s minimum)",
    lesson: "too short for the app to boot",
    stack: hcApi({ startPeriod: "5s" }),
    expect: [{ policy: "healthcheck-timing", message: /outside the allowed 10s–600s/ }],
  },
  {
    name: "start_period unset",
    lesson: "the default is 0s",
    stack: hcApi({ startPeriod: undefined }),
    expect: [{ policy: "healthcheck-timing", message: /startPeriod unset/ }],
  },
  {
    name: 'start_period "sixty"',
    lesson: "a hand-edited value Docker rejects at run time",
    stack: hcApi({ startPeriod: "sixty" }),
    expect: [{ policy: "healthcheck-timing", message: /not a Docker duration/ }],
  },
  {
    name: "retries 1",
    lesson: "one slow probe under load killed a healthy container",
    stack: hcApi({ retries: 1 }),
    expect: [{ policy: "healthcheck-timing", message: /retries 1/ }],
  },
  {
    name: "timeout equal to interval (both unset means 30s/30s)",
    lesson: "a hung probe held each check for timeout + interval, so a dead API was reported late",
    stack: hcApi({ interval: undefined, timeout: undefined }),
    expect: [{ policy: "healthcheck-timing", message: /timeout 30s >= interval 30s/ }],
  },
  {
    name: "wait with waitTimeout unset (60s) < 120s + 30s × 5",
    lesson: "the deploy failed while the container was still inside its start period",
    stack: hcApi({ startPeriod: "120s", interval: "30s", timeout: "5s", retries: 5 }).map((r) =>
      r.name === "api" ? { ...r, properties: { ...r.properties, waitTimeout: undefined } } : r,
    ),
    expect: [{ policy: "healthcheck-timing", message: /waits only 60s.*= 4m30s/ }],
  },
  {
    name: "redis-cli --raw incr ping as the Redis probe",
    lesson:
      "the probe wrote a key every 10s; with maxmemory noeviction it started failing and took Redis down",
    stack: hcRedis({ tests: ["CMD-SHELL", "redis-cli --raw incr ping"] }),
    expect: [{ policy: "redis-healthcheck-read-only", message: /redis-cli incr/ }],
  },
  {
    name: "redis-cli ping without checking for PONG",
    lesson:
      "redis-cli printed NOAUTH and exited 0; the container looked healthy while every client failed",
    stack: hcRedis({ tests: ["CMD", "redis-cli", "ping"] }),
    expect: [{ policy: "redis-healthcheck-checks-reply", message: /NOAUTH/ }],
  },
  {
    name: 'healthcheck tests ["NONE"]',
    lesson: "the image's check was disabled to make a flaky deploy pass",
    stack: hcApi({ tests: ["NONE"] }),
    expect: [{ policy: "container-healthcheck-required", message: /disables the check/ }],
  },
  {
    name: "API without a healthcheck",
    lesson: "a hung event loop served nothing for hours while Docker reported it running",
    stack: withApi((p) => {
      delete p.healthcheck;
      delete p.wait;
      delete p.waitTimeout;
    }),
    expect: [{ policy: "container-healthcheck-required", message: /no `healthcheck`/ }],
  },
];
