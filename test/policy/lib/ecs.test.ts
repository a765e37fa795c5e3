import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../gate";
import {
  Container,
  ECS_HEALTHCHECK,
  hardeningProblems,
  healthCheckOf,
  healthCheckProblems,
  httpProbePath,
  isEssential,
  isRootUser,
  parseContainerDefinitions,
  seconds,
  secretEnvironment,
  stopTimeoutOf,
} from "../../../policy/lib/ecs";
import {
  DEFAULT_ACCEPTED_SSL_POLICIES,
  listenerProblems,
  targetGroupHealth,
  targetGroupProblems,
} from "../../../policy/lib/ecs-lb";
import { familyOf } from "../../../policy/lib/ecs-stack";
import { apiContainer } from "../corpus/ecs-base";

type Props = Record<string, unknown>;
const container = (change: (c: Props) => void = () => {}): Container => {
  const def = apiContainer();
  change(def);
  return { name: String(def.name), def };
};
const hc = (change: Props) =>
  healthCheckOf(container((c) => Object.assign(c.healthCheck as Props, change)))!;

describe("policy/lib/ecs: containerDefinitions", () => {
  it("parses the JSON string the provider types, and a list", () => {
    const one = parseContainerDefinitions(JSON.stringify([apiContainer()]));
    expect(one.state === "known" && one.containers.map((c) => c.name)).toEqual(["api"]);
    const list = parseContainerDefinitions([{ image: "x" }]);
    expect(list.state === "known" && list.containers[0]!.name).toBe("#0");
  });
  it("knows unknown whole strings and sentinels inside JSON", () => {
    expect(parseContainerDefinitions(UNKNOWN).state).toBe("unknown");
    expect(parseContainerDefinitions(JSON.stringify([{ name: "a", image: UNKNOWN }])).state).toBe(
      "unknown",
    );
  });
  it.each([
    ["{not json", /not valid JSON/],
    [JSON.stringify({ name: "a" }), /not a JSON list/],
    [JSON.stringify([1]), /not an object/],
    [42, /not a JSON list/],
  ])("refuses %s", (v, why) => {
    const r = parseContainerDefinitions(v);
    expect(r.state).toBe("invalid");
    expect(r.state === "invalid" && r.why).toMatch(why);
  });
  it("reads seconds from numbers and numeric strings only", () => {
    expect([seconds(5), seconds("30"), seconds(" 7 "), seconds("5s"), seconds(NaN)]).toEqual([
      5,
      30,
      7,
      undefined,
      undefined,
    ]);
  });
});

describe("policy/lib/ecs: health checks", () => {
  it("fills ECS's defaults", () => {
    const h = healthCheckOf(container((c) => (c.healthCheck = { command: ["CMD", "true"] })))!;
    expect(h).toEqual({
      command: ["CMD", "true"],
      interval: 30,
      timeout: 5,
      retries: 3,
      startPeriod: 0,
    });
    expect(healthCheckOf(container((c) => delete c.healthCheck))).toBeUndefined();
  });
  it("accepts the ranges' bounds and refuses one past them", () => {
    for (const k of ["interval", "timeout", "retries", "startPeriod"] as const) {
      const { min, max } = ECS_HEALTHCHECK[k];
      const base = { interval: 300, timeout: 2, retries: 3, startPeriod: 0 };
      expect(healthCheckProblems({ ...hc({}), ...base, [k]: k === "timeout" ? 60 : min })).toEqual(
        [],
      );
      if (k !== "timeout")
        expect(healthCheckProblems({ ...hc({}), ...base, [k]: max })).toEqual([]);
      expect(healthCheckProblems({ ...hc({}), ...base, [k]: max + 1 }).join()).toMatch(
        new RegExp(`${k}\` is ${max + 1}, outside ECS's ${min}–${max}`),
      );
      if (min > 0)
        expect(healthCheckProblems({ ...hc({}), ...base, [k]: min - 1 }).join()).toMatch(
          `outside ECS's ${min}–${max}`,
        );
    }
  });
  it("refuses timeout ≥ interval and an empty command", () => {
    expect(healthCheckProblems(hc({ timeout: 10, interval: 10 })).join()).toMatch(
      /timeout` \(10 s\) is not shorter/,
    );
    expect(healthCheckProblems(hc({ timeout: 9, interval: 10 }))).toEqual([]);
    expect(healthCheckProblems(hc({ command: [] })).join()).toMatch(/command` is empty/);
  });
  it.each([
    [["CMD-SHELL", "curl -fsS http://localhost:3003/health || exit 1"], "/health"],
    [["CMD", "wget", "-qO-", "http://127.0.0.1:3003/ready?x=1"], "/ready"],
    [["CMD-SHELL", "curl -f http://localhost:3003 || exit 1"], "/"],
    [["CMD-SHELL", "curl -f https://[::1]:8443/live"], "/live"],
    [["CMD", "node", "dist/health.js"], undefined],
    [["CMD-SHELL", "curl -f http://example.com/health"], undefined],
  ])("httpProbePath(%j) is %s", (command, path) =>
    expect(httpProbePath({ ...hc({}), command })).toBe(path),
  );
  it("reads stopTimeout with the Fargate default, and essential by default", () => {
    expect(stopTimeoutOf(container())).toBe(30);
    expect(stopTimeoutOf(container((c) => delete c.stopTimeout))).toBe(30);
    expect(stopTimeoutOf(container((c) => (c.stopTimeout = 90)))).toBe(90);
    expect(isEssential(container((c) => delete c.essential))).toBe(true);
    expect(isEssential(container((c) => (c.essential = false)))).toBe(false);
  });
});

describe("policy/lib/ecs: environment and hardening", () => {
  const envOf = (name: string, value: string) =>
    secretEnvironment(container((c) => (c.environment = [{ name, value }])));
  it("finds secrets by name, by Redis URL and by value, never quoting them", () => {
    expect(envOf("REDIS_PASSWORD", "Vq7mK2pX9rT4")[0]!.why).toMatch(/marks a password/);
    expect(envOf("API_TOKEN", "abc")[0]!.why).toMatch(/marks a secret/);
    const url = envOf("CACHE", "redis://:Vq7mK2pX9rT4@cache:6379")[0]!.why;
    expect(url).toMatch(/redis:\/\/:\*\*\*@cache/);
    expect(url).not.toMatch(/Vq7m/);
    expect(envOf("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")[0]!.why).toMatch(/AWS access key/);
  });
  it("passes plain settings and an empty secret-named value", () => {
    expect(secretEnvironment(container())).toEqual([]);
    expect(envOf("REDIS_URL", "redis://cache:6379")).toEqual([]);
    expect(envOf("SECRET_KEY_FILE", "/run/secrets/key")).toEqual([]);
    expect(envOf("REDIS_PASSWORD", "")).toEqual([]);
    expect(secretEnvironment(container((c) => (c.environment = [null, { value: "x" }])))).toEqual(
      [],
    );
  });
  it.each([
    ["root", true],
    ["0", true],
    ["0:0", true],
    ["000", true],
    ["root:1000", true],
    ["", true],
    ["1000", false],
    ["node:node", false],
    ["1000:0", false],
  ])("isRootUser(%s) is %s", (u, root) => expect(isRootUser(u)).toBe(root));
  it("names each hardening gap", () => {
    expect(hardeningProblems(container())).toEqual([]);
    const all = hardeningProblems(
      container((c) => {
        delete c.user;
        c.privileged = true;
        delete c.logConfiguration;
        delete c.readonlyRootFilesystem;
      }),
    ).join("\n");
    expect(all).toMatch(/`user` is unset/);
    expect(all).toMatch(/`privileged` is true/);
    expect(all).toMatch(/no `logConfiguration`/);
    expect(all).toMatch(/readonlyRootFilesystem` is not true/);
    expect(hardeningProblems(container((c) => (c.user = "root"))).join()).toMatch(
      /`user` is "root" \(root\)/,
    );
    expect(
      hardeningProblems(container((c) => (c.logConfiguration = { options: {} }))).join(),
    ).toMatch(/no `logConfiguration`/);
  });
});

describe("policy/lib/ecs-lb", () => {
  const https = (change: Props = {}) => ({
    protocol: "HTTPS",
    certificateArn: "arn:aws:acm:eu-west-1:1:certificate/x",
    sslPolicy: DEFAULT_ACCEPTED_SSL_POLICIES[0],
    ...change,
  });
  const A = DEFAULT_ACCEPTED_SSL_POLICIES;
  it("accepts the floor and refuses the 2016 default, unset or unknown policies", () => {
    expect(listenerProblems(https(), A)).toEqual([]);
    expect(listenerProblems(https({ protocol: "tls" }), A)).toEqual([]);
    expect(listenerProblems(https({ sslPolicy: "ELBSecurityPolicy-2016-08" }), A).join()).toMatch(
      /below the floor/,
    );
    expect(listenerProblems(https({ sslPolicy: undefined }), A).join()).toMatch(/unset.*2016-08/);
    expect(listenerProblems(https({ sslPolicy: UNKNOWN }), A)).toEqual(["unknown:sslPolicy"]);
    expect(listenerProblems(https({ certificateArn: "" }), A).join()).toMatch(/certificateArn/);
    expect(listenerProblems(https({ certificateArn: UNKNOWN }), A)).toEqual([]);
    expect(listenerProblems(https({ sslPolicy: "Custom" }), ["Custom"])).toEqual([]);
    expect(listenerProblems({ protocol: UNKNOWN }, A)).toEqual(["unknown:protocol"]);
    expect(listenerProblems({ protocol: "TCP" }, A)).toEqual([]);
  });
  it("lets HTTP only redirect to HTTPS (HTTP is the default protocol)", () => {
    const redirect = { type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } };
    expect(listenerProblems({ defaultActions: [redirect] }, A)).toEqual([]);
    expect(listenerProblems({ protocol: "HTTP", defaultActions: [] }, A).join()).toMatch(
      /type none/,
    );
    expect(
      listenerProblems(
        { defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP" } }] },
        A,
      ).length,
    ).toBe(1);
    expect(listenerProblems({ defaultActions: [{ type: "fixed-response" }] }, A).join()).toMatch(
      /type fixed-response/,
    );
    expect(listenerProblems({ defaultActions: UNKNOWN }, A)).toEqual(["unknown:defaultActions"]);
    expect(listenerProblems({ defaultActions: [UNKNOWN] }, A)).toEqual(["unknown:defaultActions"]);
  });
  it("fills target-group defaults (timeout 10 for HTTPS) and notes unknowns", () => {
    const t = targetGroupHealth({});
    expect([t.interval, t.timeout, t.healthyThreshold, t.unhealthyThreshold, t.path]).toEqual([
      30,
      6,
      3,
      3,
      "/",
    ]);
    expect(t.deregistrationDelay).toBe(300);
    expect(targetGroupHealth({ protocol: "HTTPS" }).timeout).toBe(10);
    expect(targetGroupHealth({ deregistrationDelay: "45" }).deregistrationDelay).toBe(45);
    expect(
      targetGroupHealth({
        healthCheck: { path: UNKNOWN, interval: UNKNOWN },
        deregistrationDelay: UNKNOWN,
      })
        .unknown.slice()
        .sort(),
    ).toEqual(["deregistrationDelay", "healthCheck.interval", "healthCheck.path"]);
    expect(targetGroupHealth({ healthCheck: UNKNOWN }).unknown).toContain("healthCheck");
  });
  it("judges target-group timing", () => {
    const t = targetGroupHealth({});
    expect(targetGroupProblems(t)).toEqual([]);
    expect(targetGroupProblems({ ...t, enabled: false }).join()).toMatch(/enabled` is false/);
    expect(targetGroupProblems({ ...t, timeout: 30 }).join()).toMatch(/not shorter/);
    expect(targetGroupProblems({ ...t, interval: 301, timeout: 5 }).join()).toMatch(/5–300/);
    expect(targetGroupProblems({ ...t, healthyThreshold: 11 }).join()).toMatch(/2–10/);
    expect(targetGroupProblems({ ...t, unhealthyThreshold: 2, healthyThreshold: 10 })).toEqual([]);
  });
  it("reads a task definition's family from an ARN or a family:revision", () => {
    expect(familyOf("arn:aws:ecs:eu-west-1:1:task-definition/api:7")).toBe("api");
    expect(familyOf("api:3")).toBe("api");
    expect(familyOf("api")).toBe("api");
  });
});
