import { describe, expect, it } from "vitest";
import { changedSettings } from "../corpus/one-setting";
import { UNKNOWN } from "../../../gate";
import {
  ecsContainerHardening,
  ecsContainerHealthcheck,
  ecsDeploymentCircuitBreaker,
  ecsDesiredCount,
  ecsExecDisabled,
  ecsNoSecretsInEnvironment,
} from "../../../policy/rules/ecs";
import { ecsCases, ecsGoodCases } from "../corpus/ecs";
import { devCfg, Props, resourceMessages } from "./ecs-helpers";

describe("the ECS corpus", () => {
  const good = new Set(ecsGoodCases.map((c) => JSON.stringify(c.stack)));
  it("has at least 25 bad and 8 good cases", () => {
    expect(ecsCases.length).toBeGreaterThanOrEqual(25);
    expect(ecsGoodCases.length).toBeGreaterThanOrEqual(8);
  });
  it.each(ecsCases.map((c) => [c.name, c] as const))(
    "%s changes one setting of a good ECS stack",
    (_, c) => {
      expect(good.has(JSON.stringify(c.twin)), "its twin is an ECS good case").toBe(true);
      expect(changedSettings(c.stack, c.twin)).toHaveLength(1);
    },
  );
});

describe("task-definition rules", () => {
  it("report unreadable and unknown container definitions, each rule on its own", async () => {
    for (const p of [ecsContainerHardening, ecsContainerHealthcheck, ecsNoSecretsInEnvironment]) {
      expect(
        (await resourceMessages(p, { taskDef: (t) => (t.containerDefinitions = "[{") })).join(),
      ).toMatch(/cannot be read: it is not valid JSON.*Fix: pass JSON.stringify/);
      expect(
        (await resourceMessages(p, { taskDef: (t) => (t.containerDefinitions = UNKNOWN) })).join(),
      ).toMatch(/unknown at preview/);
      expect(await resourceMessages(p, {})).toEqual([]);
    }
  });
  it("judge every container, sidecars included", async () => {
    const sidecar = (c: Props) => ({ ...c, name: "log-router", essential: false, user: "0" });
    const ms = await resourceMessages(ecsContainerHardening, {
      containers: (api) => [api, sidecar(api)],
    });
    expect(ms).toEqual([
      expect.stringMatching(
        /container "log-router" of ECS task definition "api-task": `user` is "0"/,
      ),
    ]);
  });
  it("ask a health check of essential containers only", async () => {
    const quiet = (c: Props) => {
      const s: Props = { ...c, name: "sidecar", essential: false };
      delete s.healthCheck;
      return s;
    };
    expect(
      await resourceMessages(ecsContainerHealthcheck, { containers: (api) => [api, quiet(api)] }),
    ).toEqual([]);
  });
  it("hold stopTimeout to 120 s on Fargate only", async () => {
    const long = { container: (c: Props) => (c.stopTimeout = 180) };
    expect((await resourceMessages(ecsContainerHealthcheck, long)).join()).toMatch(/at most 120/);
    expect(
      await resourceMessages(ecsContainerHealthcheck, {
        ...long,
        taskDef: (t) => (t.requiresCompatibilities = ["EC2"]),
      }),
    ).toEqual([]);
  });
  it("never quote a secret found in environment", async () => {
    const pw = "Vq7mK2pX9rT4wL8zN3cF6hJ1sD5gB0aY";
    const ms = await resourceMessages(ecsNoSecretsInEnvironment, {
      container: (c) => (c.environment as Props[]).push({ name: "DB_PASSWORD", value: pw }),
    });
    expect(ms).toHaveLength(1);
    expect(ms[0]).not.toContain(pw);
  });
});

describe("service rules", () => {
  it("circuit breaker: other deployment controllers are out of scope; unknowns are reported", async () => {
    const off = (p: Props) => (p.deploymentCircuitBreaker = { enable: false, rollback: false });
    const codeDeploy = (p: Props) => {
      off(p);
      p.deploymentController = { type: "CODE_DEPLOY" };
    };
    expect(await resourceMessages(ecsDeploymentCircuitBreaker, { service: codeDeploy })).toEqual(
      [],
    );
    for (const v of [UNKNOWN, { enable: UNKNOWN, rollback: true }]) {
      expect(
        (
          await resourceMessages(ecsDeploymentCircuitBreaker, {
            service: (p) => (p.deploymentCircuitBreaker = v),
          })
        ).join(),
      ).toMatch(/deploymentCircuitBreaker` of ECS service "api-service" is unknown at preview/);
    }
  });
  it("desired count: prod only, configurable, unset is 0, daemons skipped", async () => {
    const one = { service: (p: Props) => (p.desiredCount = 1) };
    expect(await resourceMessages(ecsDesiredCount, one, devCfg)).toEqual([]);
    expect((await resourceMessages(ecsDesiredCount, {}, { minDesiredCount: 3 })).join()).toMatch(
      /desiredCount` 2 < 3/,
    );
    expect(
      (await resourceMessages(ecsDesiredCount, { service: (p) => delete p.desiredCount })).join(),
    ).toMatch(/desiredCount` 0 < 2/);
    expect(
      await resourceMessages(ecsDesiredCount, {
        service: (p) => Object.assign(p, { desiredCount: 1, schedulingStrategy: "DAEMON" }),
      }),
    ).toEqual([]);
    expect(
      (
        await resourceMessages(ecsDesiredCount, { service: (p) => (p.desiredCount = UNKNOWN) })
      ).join(),
    ).toMatch(/unknown at preview/);
  });
  it("ECS Exec: refused in prod only; unknown reported", async () => {
    const on = { service: (p: Props) => (p.enableExecuteCommand = true) };
    expect(await resourceMessages(ecsExecDisabled, on, devCfg)).toEqual([]);
    expect((await resourceMessages(ecsExecDisabled, on)).join()).toMatch(/Fix: remove it/);
    expect(
      (
        await resourceMessages(ecsExecDisabled, {
          service: (p) => (p.enableExecuteCommand = UNKNOWN),
        })
      ).join(),
    ).toMatch(/enableExecuteCommand` of ECS service "api-service" is unknown/);
  });
});
