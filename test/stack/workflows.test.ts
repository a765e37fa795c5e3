/**
 * The GitHub workflows cannot run here, so the facts they rely on are checked as data:
 * the Node they install, which stacks they gate, and where a deploy is verified.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../gate";

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  name?: string;
}
interface Job {
  steps: Step[];
  strategy?: { matrix?: Record<string, unknown> };
}
const read = (f: string) => fs.readFileSync(path.join(PROJECT_DIR, f), "utf8");
const workflow = (f: string) =>
  parse(read(`.github/workflows/${f}`)) as { jobs: Record<string, Job> };
const FILES = fs.readdirSync(path.join(PROJECT_DIR, ".github/workflows"));

describe("Node", () => {
  const pkg = JSON.parse(read("package.json")) as { engines: { node: string } };
  const sdk = JSON.parse(read("node_modules/@pulumi/pulumi/package.json")) as {
    engines?: { node?: string };
  };

  it("engines and .nvmrc ask for at least what @pulumi/pulumi declares", () => {
    const floor = (range: string | undefined) => Number(/>=\s*(\d+)/.exec(range ?? "")?.[1]);
    expect(floor(pkg.engines.node)).toBeGreaterThanOrEqual(floor(sdk.engines?.node) || 0);
    expect(Number(read(".nvmrc").trim())).toBeGreaterThanOrEqual(floor(pkg.engines.node));
  });

  it.each(FILES)("%s installs Node from .nvmrc, never a hard-coded version", (f) => {
    for (const job of Object.values(workflow(f).jobs))
      for (const step of job.steps.filter((s) => s.uses?.startsWith("actions/setup-node"))) {
        expect(step.with?.["node-version"]).toBeUndefined();
        expect(step.with?.["node-version-file"]).toBe(".nvmrc");
      }
  });
});

describe("every stack file is gated", () => {
  it("the pull-request gate's matrix comes from the stack files, not a list", () => {
    const matrix = workflow("pull-request.yml").jobs.gate?.strategy?.matrix?.stack;
    expect(matrix).toBe("${{ fromJSON(needs.stacks.outputs.list) }}");
  });

  it(".ci/run loops over Pulumi.*.yaml", () => {
    const ci = read(".ci/run");
    expect(ci).toMatch(/for file in Pulumi\.\*\.yaml/);
    expect(ci).not.toMatch(/for stack in dev prod/);
  });
});

describe("deploys", () => {
  const jobs = workflow("deploy.yml").jobs;
  const ups = Object.values(jobs).flatMap((j) =>
    j.steps.filter((s) => s.uses?.startsWith("pulumi/actions") && s.with?.command === "up"),
  );

  it("never deploys dev (it has no docker:host, so it would land in the runner's own Docker)", () => {
    const dev = parse(read("Pulumi.dev.yaml")) as { config: Record<string, unknown> };
    expect(dev.config["docker:host"]).toBeUndefined();
    expect(ups.map((s) => s.with?.["stack-name"])).toEqual(["prod", "prod-ecs"]);
  });

  it("deploys prod-ecs only where an AWS role is configured, with short-lived OIDC credentials", () => {
    const job = jobs["prod-ecs"] as unknown as {
      if?: string;
      permissions?: Record<string, string>;
      steps: { uses?: string; run?: string; with?: Record<string, string> }[];
    };
    expect(job.if).toContain("vars.AWS_DEPLOY_ROLE_ARN != ''");
    expect(job.permissions?.["id-token"]).toBe("write");
    const creds = job.steps.find((s) =>
      s.uses?.startsWith("aws-actions/configure-aws-credentials"),
    );
    expect(creds?.with?.["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    expect(JSON.stringify(job)).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
    expect(job.steps.map((s) => s.run ?? "")).toContain("npm run verify -- --stack prod-ecs");
  });

  it("verifies prod on the host over SSH, not against the runner's loopback", () => {
    const steps = Object.values(jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    const verify = steps.filter((r) => /verify|Health\.Status|curl/.test(r)).join("\n");
    // The script itself runs against real curl and TLS in test/real/deploy-check.test.ts.
    expect(verify).toMatch(/\| ssh "\$\{host#ssh:\/\/\}" "\$check"/);
    expect(verify).toMatch(/curl -fsS --max-time 10 --cacert/);
    expect(verify).toMatch(/DOCKER_HOST="\$host" docker inspect/);
    expect(verify).not.toMatch(/npm run verify -- --outputs/);
  });
});
