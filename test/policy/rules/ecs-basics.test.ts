import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../gate";
import { containerImagePinned } from "../../../policy/rules/containers";
import { ecsContainerHealthcheck } from "../../../policy/rules/ecs";
import {
  ecsContainerInsights,
  ecsServiceNoIamRole,
  ecsTaskNetworkMode,
  logGroupRetention,
} from "../../../policy/rules/ecs-basics";
import { healthcheckTiming } from "../../../policy/rules/healthchecks";
import { BASICS_GOOD, ecsBasicsCases, ecsBasicsGoodCases } from "../corpus/ecs-basics";
import { changedSettings } from "../corpus/one-setting";
import { createResourceValidationArgs, runResourcePolicy } from "../util";
import { devCfg, Props, resourceMessages } from "./ecs-helpers";

const base = BASICS_GOOD.platform!;
const CONFIG = join(__dirname, "../../../policy/config");

async function messages(
  p: Parameters<typeof runResourcePolicy>[0],
  type: string,
  props: Props,
  config: Props = {},
) {
  const args = createResourceValidationArgs(type, props, { name: "x", config });
  return (await runResourcePolicy(p, args)).map((v) => v.message);
}

describe("the ECS basics corpus", () => {
  const good = new Set(ecsBasicsGoodCases.map((c) => JSON.stringify(c.stack)));
  it("has at least 12 bad and 4 good cases", () => {
    expect(ecsBasicsCases.length).toBeGreaterThanOrEqual(12);
    expect(ecsBasicsGoodCases.length).toBeGreaterThanOrEqual(4);
  });
  it.each(ecsBasicsCases.map((c) => [c.name, c] as const))(
    "%s changes one setting of a good stack",
    (_, c) => {
      expect(good.has(JSON.stringify(c.twin)), "its twin is a good case").toBe(true);
      expect(changedSettings(c.stack, c.twin)).toHaveLength(1);
    },
  );
});

describe("ecs-task-network-mode", () => {
  it("says why per launch type and reports an unknown mode", async () => {
    const ec2 = await resourceMessages(ecsTaskNetworkMode, {
      ...base,
      taskDef: (t) => Object.assign(t, { networkMode: "bridge", requiresCompatibilities: ["EC2"] }),
    });
    expect(ec2.join()).toMatch(/"bridge": its tasks share the instance's network/);
    const pv = await resourceMessages(ecsTaskNetworkMode, {
      ...base,
      taskDef: (t) => (t.networkMode = UNKNOWN),
    });
    expect(pv.join()).toMatch(/`networkMode` of ECS task definition "api-task" is unknown/);
  });
});

describe("ecs-service-no-iam-role", () => {
  const T = "aws:ecs/service:Service";
  it("leaves a bridge-mode EC2 service behind a load balancer alone", async () => {
    expect(await messages(ecsServiceNoIamRole, T, { launchType: "EC2", iamRole: "r" })).toEqual([]);
  });
  it("knows a Fargate service is awsvpc without a networkConfiguration", async () => {
    expect(
      (await messages(ecsServiceNoIamRole, T, { launchType: "FARGATE", iamRole: "r" })).join(),
    ).toMatch(/\(it runs on Fargate\)/);
  });
  it("passes an awsvpc service without a role", async () => {
    expect(await resourceMessages(ecsServiceNoIamRole, base)).toEqual([]);
    expect(
      await messages(ecsServiceNoIamRole, T, { networkConfiguration: UNKNOWN, iamRole: "" }),
    ).toEqual([]);
  });
});

describe("ecs-container-insights", () => {
  const T = "aws:ecs/cluster:Cluster";
  const off = { settings: [{ name: "containerInsights", value: "disabled" }] };
  it("is production-only", async () => {
    expect(await messages(ecsContainerInsights, T, off, devCfg)).toEqual([]);
    expect(await messages(ecsContainerInsights, T, off)).toHaveLength(1);
  });
  it("reports unknown settings rather than passing them", async () => {
    expect((await messages(ecsContainerInsights, T, { settings: UNKNOWN })).join()).toMatch(
      /unknown at preview/,
    );
  });
});

describe("log-group-retention", () => {
  const T = "aws:cloudwatch/logGroup:LogGroup";
  it("passes any positive period and DELIVERY log groups (forced to 2 days)", async () => {
    expect(await messages(logGroupRetention, T, { retentionInDays: 7 })).toEqual([]);
    expect(await messages(logGroupRetention, T, { logGroupClass: "DELIVERY" })).toEqual([]);
  });
  it("reports a retention unknown at preview", async () => {
    expect((await messages(logGroupRetention, T, { retentionInDays: UNKNOWN })).join()).toMatch(
      /`retentionInDays` of CloudWatch log group "x" is unknown at preview/,
    );
  });
});

// Review 22b, F7: a log group ECS creates itself (awslogs-create-group) never expires.
describe("log-group-retention on ECS task definitions", () => {
  const createGroup = (v: unknown) => (c: Props) =>
    ((c.logConfiguration as { options: Props }).options["awslogs-create-group"] = v);
  it.each(["true", "True", "1", "t"])("refuses awslogs-create-group %j", async (v) => {
    const ms = await resourceMessages(logGroupRetention, { ...base, container: createGroup(v) });
    expect(ms.join("\n")).toMatch(
      /container "api" of ECS task definition "api-task".*awslogs-create-group.*never expire.*aws\.cloudwatch\.LogGroup.*retentionInDays.*awslogs-group/,
    );
  });
  it.each(["false", "0", undefined])("passes awslogs-create-group %j", async (v) => {
    expect(
      await resourceMessages(logGroupRetention, { ...base, container: createGroup(v) }),
    ).toEqual([]);
  });
  it("reads the option under a folded key (Go decoding, review 22b F1)", async () => {
    const pascal = (c: Props) => {
      const { options, ...log } = c.logConfiguration as Props;
      delete c.logConfiguration;
      c.LogConfiguration = {
        ...log,
        Options: { ...(options as Props), "awslogs-create-group": "true" },
      };
    };
    expect(
      (await resourceMessages(logGroupRetention, { ...base, container: pascal })).join(),
    ).toMatch(/awslogs-create-group/);
  });
  it("reports containerDefinitions unknown at preview", async () => {
    const unknown = { ...base, taskDef: (p: Props) => (p.containerDefinitions = UNKNOWN) };
    expect((await resourceMessages(logGroupRetention, unknown)).join()).toMatch(
      /`containerDefinitions` of ECS task definition "api-task" is unknown at preview/,
    );
  });
  it("is one untyped validation that judges both types", () => {
    expect(typeof logGroupRetention.validateResource).toBe("function");
    expect((logGroupRetention.validateResource as { __pulumiType?: string }).__pulumiType).toBe(
      undefined,
    );
  });
});

describe("container-image-pinned on ECS", () => {
  it("reads the same floatingTags as for Docker containers", async () => {
    const stable = {
      ...base,
      container: (c: Props) => (c.image = "ghcr.io/acme/api:stable"),
    };
    expect(await resourceMessages(containerImagePinned, stable)).toEqual([]);
    const ms = await resourceMessages(containerImagePinned, stable, { floatingTags: ["stable"] });
    expect(ms.join()).toMatch(/container "api".*floating tag ":stable"/);
    const docker = await messages(
      containerImagePinned,
      "docker:index/container:Container",
      { image: "redis:stable" },
      { floatingTags: ["stable"] },
    );
    expect(docker.join()).toMatch(/floating tag ":stable"/);
  });
  it("asks for an image when a container has none", async () => {
    const ms = await resourceMessages(containerImagePinned, {
      ...base,
      container: (c) => delete c.image,
    });
    expect(ms.join()).toMatch(/container "api" of ECS task definition "api-task" has no `image`/);
  });
});

describe("the start-period floor holds on both platforms", () => {
  it("ecs-container-healthcheck's floor defaults to healthcheck-timing's and both configs agree", () => {
    const dockerDefault = (
      healthcheckTiming.configSchema!.properties!.startPeriod as { default: { default: Props } }
    ).default.default.min;
    const ecsDefault = (
      ecsContainerHealthcheck.configSchema!.properties!.minStartPeriod as { default: string }
    ).default;
    expect(ecsDefault).toBe(dockerDefault);
    for (const f of ["prod.json", "dev.json"]) {
      const cfg = JSON.parse(readFileSync(join(CONFIG, f), "utf8")) as Record<string, Props>;
      const docker = (cfg["healthcheck-timing"]!.startPeriod as Record<string, Props>).default!.min;
      expect(cfg["ecs-container-healthcheck"]!.minStartPeriod, f).toBe(docker);
    }
  });
  it("follows its config, and leaves values outside ECS's range to the range check", async () => {
    const twenty = {
      ...base,
      container: (c: Props) => ((c.healthCheck as Props).startPeriod = 20),
    };
    expect(await resourceMessages(ecsContainerHealthcheck, twenty)).toEqual([]);
    expect(
      (await resourceMessages(ecsContainerHealthcheck, twenty, { minStartPeriod: "30s" })).join(),
    ).toMatch(/is 20 s, below the 30s floor.*at least 30/);
    const negative = await resourceMessages(ecsContainerHealthcheck, {
      ...base,
      container: (c) => ((c.healthCheck as Props).startPeriod = -1),
    });
    expect(negative).toEqual([expect.stringMatching(/startPeriod` is -1, outside ECS's 0–300/)]);
  });
  it("skips containers without a health check (non-essential sidecars)", async () => {
    const quiet = (c: Props) => {
      const s: Props = { ...c, name: "sidecar", essential: false };
      delete s.healthCheck;
      return s;
    };
    expect(
      await resourceMessages(ecsContainerHealthcheck, {
        ...base,
        containers: (api) => [api, quiet(api)],
      }),
    ).toEqual([]);
  });
});
