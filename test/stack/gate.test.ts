/**
 * The offline gate end to end: real program, real stack files, real policy pack over
 * the analyzer protocol. Both stacks pass; each postmortem mistake makes it fail.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  formatConsole,
  formatMarkdown,
  PROJECT_DIR,
  runGate as runGateWith,
  type GateOptions,
  type PolicyPackClient,
} from "../../gate";
import { vi } from "vitest";
import { startPackCopy } from "../helpers/pack";

/**
 * One pack for the file's gates, started as the gate starts its own (run-policy-pack on the
 * transpiled copy); each gate configures it afresh. A start cost about 1 s of CPU, once per gate
 * (issue 23). The real dev and prod stacks below still start their own, as `npm run gate` does.
 */
let shared: PolicyPackClient | undefined;
beforeAll(async () => {
  shared = await startPackCopy();
}, 60_000);
afterAll(() => shared?.stop());

/** The gate, with the program loaded fresh through vitest for every run. */
const runGate = (o: GateOptions, ownPack = false) =>
  runGateWith({
    ...o,
    pack: ownPack ? undefined : shared,
    load: () => {
      vi.resetModules();
      return import("../../stacks/index");
    },
  });

type Obj = Record<string, unknown>;
const stackKey = (stack: string, key: string) =>
  structuredClone(
    (
      parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
        config: Obj;
      }
    ).config[key] as Obj,
  );

describe("npm run gate", () => {
  it.each(["dev", "prod"])(
    "passes the real %s stack, with every resource analysed",
    async (stack) => {
      const r = await runGate({ stack }, true);
      expect(r.programError).toBeUndefined();
      // prod since issue 13: 13 + a second API replica, the edge proxy (component, container,
      // generated key and certificate) and the `jobs` worker (component, 2 replicas); since
      // issue 20 also the backups (the `backup` user's password, component, volume, container);
      // since issue 24 the monitoring (the monitoring and alerts networks, component, two volumes,
      // Prometheus, Alertmanager, redis_exporter and the `exporter` user's password); since
      // issue 25 the edge's state volume and its installer container.
      expect(r.resources).toBe(stack === "dev" ? 14 : 36);
      expect(r.mandatory).toBe(0);
      expect(formatMarkdown(r)).toContain(`## Policy gate: \`${stack}\` — ✅ passed`);
    },
  );

  it.each(["prod-elasticache", "prod-serverless", "prod-ecs"])(
    "passes the %s variant under the prod policy config",
    async (stack) => {
      const r = await runGate({ stack });
      expect(r.programError).toBeUndefined();
      expect(r.resources).toBeGreaterThan(13);
      expect(r.notes[0]).toBe("Policy config: policy/config/prod.json.");
      expect(r.mandatory).toBe(0);
      const preview = await runGate({ stack, preview: true });
      expect(preview.programError).toBeUndefined();
      expect(preview.mandatory).toBe(0);
    },
  );

  it("passes prod-external with its passphrase, and without it judges the URL as an unknown secret", async () => {
    const known = await runGate({ stack: "prod-external", passphrase: "api-stack-example" });
    expect(known.programError).toBeUndefined();
    expect(known.mandatory).toBe(0);
    expect(known.notes.join(" ")).not.toContain("not decrypted");
    const unknown = await runGate({ stack: "prod-external", passphrase: "" });
    expect(unknown.programError).toBeUndefined();
    expect(unknown.mandatory).toBe(0);
    expect(unknown.notes.join(" ")).toContain("api-stack:redisUrl) were not decrypted");
    expect(formatMarkdown(unknown)).toContain("were not decrypted");
  });

  it("passes prod in preview mode, where generated passwords are unknown", async () => {
    const r = await runGate({ stack: "prod", preview: true });
    expect(r.programError).toBeUndefined();
    expect(r.resources).toBe(36);
    expect(r.mandatory).toBe(0);
    expect(r.notes.join(" ")).toContain("Preview mode");
  });

  it("fails prod when start_period is 5s", async () => {
    const api = stackKey("prod", "api-stack:api");
    (api.healthcheck as Obj).startPeriod = "5s";
    const r = await runGate({ stack: "prod", overrides: { "api-stack:api": api } });
    expect(r.programError).toContain(
      "`api-stack:api.healthcheck.startPeriod` (5s) must be between 10s and 600s",
    );
    expect(formatMarkdown(r)).toContain("❌ program failed");
  });

  it("fails prod when Redis publishes 6379", async () => {
    const redis = stackKey("prod", "api-stack:redis");
    redis.debugPort = 6379;
    const r = await runGate({ stack: "prod", overrides: { "api-stack:redis": redis } });
    expect(r.programError).toContain("`api-stack:redis.debugPort` is for development only");
  });

  it("fails prod when a default password is used", async () => {
    const r = await runGate({
      stack: "prod",
      secrets: { "api-stack:redisPassword": "novita_redis_password" },
    });
    expect(r.programError).toContain("`api-stack:redisPassword` is a known default or placeholder");
    expect(r.programError).not.toContain("novita_redis_password\n");
  });

  it("blocks at the policy level what the config allows: dev's unlimited API judged by prod policy", async () => {
    const r = await runGate({
      stack: "dev",
      policyConfig: path.join(PROJECT_DIR, "policy", "config", "prod.json"),
    });
    expect(r.programError).toBeUndefined();
    expect(r.mandatory).toBeGreaterThan(0);
    const names = r.diagnostics
      .filter((d) => d.enforcementLevel === "mandatory")
      .map((d) => d.policyName);
    expect(names).toContain("container-memory-limit");
    expect(formatConsole(r)).toMatch(/\[mandatory\]\s+container-memory-limit/);
  });

  it("as a command: exits 1 on a mandatory violation and writes the report and the step summary", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-"));
    const report = path.join(dir, "report.md");
    const summary = path.join(dir, "summary.md");
    const r = spawnSync(
      process.execPath,
      [
        "scripts/run.cjs",
        "gate",
        "--stack",
        "dev",
        "--policy-config",
        "policy/config/prod.json",
        "--report",
        report,
      ],
      { cwd: PROJECT_DIR, env: { ...process.env, GITHUB_STEP_SUMMARY: summary }, encoding: "utf8" },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/❌ api-stack-guardrails@v0\.1\.0/);
    expect(r.stdout).toMatch(
      /docker:index\/container:Container: api-server\n\s+- \[mandatory\]\s+container-memory-limit/,
    );
    expect(fs.readFileSync(report, "utf8")).toContain("## Policy gate: `dev` — ❌ blocked");
    expect(fs.readFileSync(summary, "utf8")).toContain(
      "| `docker:index/container:Container: api-server` | `container-memory-limit` | mandatory |",
    );
  });
});
