/**
 * Layer 5 harness: the real program under mocks (the same capture the gate uses), applied
 * to the private engine by the applier, plus what a user does afterwards (curl, redis-cli).
 */
import Docker from "dockerode";
import { priorOf, type CapturedResource, type ProgramRun } from "../../gate";
import { DOCKER_SOCKET } from "../layers";
import { promiseOf, runStack } from "../helpers/program";
import { freePort } from "../real/util";
import { DockerApplier } from "./applier";
import { configFor, type Obj } from "./config";

export { configFor, stackBlock } from "./config";

export const IMAGES = [
  "redis:7.4-alpine",
  "redis:7.4.2-alpine",
  "valkey/valkey:8.1-alpine",
  "ghcr.io/acme/api:1.4.2",
  "ghcr.io/acme/api:1.4.3",
];

export function engine(): Docker {
  return new Docker({ socketPath: DOCKER_SOCKET });
}

/** Fails with the way out when the stand-in images were not built on this engine. */
export async function requireImages(docker: Docker): Promise<void> {
  const missing: string[] = [];
  for (const image of IMAGES) {
    await docker
      .getImage(image)
      .inspect()
      .catch(() => missing.push(image));
  }
  if (missing.length > 0) {
    throw new Error(
      `the private engine lacks ${missing.join(", ")}: run DOCKER_HOST=unix://${DOCKER_SOCKET} test/docker/images/build.sh`,
    );
  }
}

/** Probes every 2–3 s instead of 10–30 s: the same rules, a shorter wait for CI. */
export const FAST: DeployOptions = {
  api: { healthcheck: { interval: "3s", timeout: "2s" } },
  redis: { healthcheck: { interval: "2s", timeout: "1s" } },
};

export interface Deployment {
  readonly stack: string;
  readonly applier: DockerApplier;
  run: ProgramRun;
  /** Host ports picked for this test, so test files can run side by side. */
  readonly apiPort: number;
  readonly debugPort: number;
}

export interface DeployOptions {
  readonly api?: Obj;
  readonly redis?: Obj;
  readonly secrets?: Obj;
  readonly log?: (line: string) => void;
  /**
   * Edits the captured resources before they are applied, as a temporary branch of the
   * components would (e.g. the capability set from before a fix).
   */
  readonly mutate?: (r: CapturedResource) => void;
}

/**
 * Runs the program for a first `up` without applying it. Programs run one at a time (the
 * SDK's mocks and config are process-wide); the applies may then run side by side.
 */
export async function prepare(stack: string, o: DeployOptions = {}): Promise<Deployment> {
  const docker = engine();
  const ports = { apiPort: await freePort(), debugPort: await freePort() };
  const run = await runStack(stack, {
    overrides: await configFor(stack, ports, o),
    secrets: o.secrets,
  });
  if (o.mutate) run.resources.forEach(o.mutate);
  return { stack, applier: new DockerApplier(docker, o.log), run, ...ports };
}

export async function firstUp(stack: string, o: DeployOptions = {}): Promise<Deployment> {
  const d = await prepare(stack, o);
  await d.applier.up(d.run);
  return d;
}

/** A later `pulumi up` of the same stack with changed config. */
export async function nextUp(d: Deployment, o: DeployOptions = {}): Promise<void> {
  d.run = await runStack(d.stack, {
    overrides: await configFor(d.stack, d, o),
    secrets: o.secrets,
    prior: priorOf(d.run),
  });
  if (o.mutate) d.run.resources.forEach(o.mutate);
  await d.applier.up(d.run);
}

/** The program's stack outputs, resolved (secrets revealed: this is a test). */
export async function outputsOf(run: ProgramRun): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(run.outputs)) out[k] = await promiseOf(v as never);
  return out;
}

/** Tears a deployment down even when protected, as `pulumi destroy` after `state unprotect`. */
export async function teardown(d: Deployment | undefined): Promise<void> {
  if (!d) return;
  d.applier.unprotectAll();
  await d.applier.destroy();
}
