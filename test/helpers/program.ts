import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import {
  loadStackConfig,
  runProgram,
  type CapturedResource,
  type LoadOptions,
  type ProgramRun,
  type RunOptions,
} from "../../gate";

export { SECRET_SIG, SECRET_VALUE } from "./wire";

/** Runs the real program with the real Pulumi.<stack>.yaml (plus overrides) under mocks. */
export async function runStack(
  stack: string,
  opts: LoadOptions & { preview?: boolean; prior?: RunOptions["prior"] } = {},
): Promise<ProgramRun> {
  const cfg = loadStackConfig(stack, opts);
  vi.resetModules();
  return runProgram({
    stack,
    values: cfg.values,
    secretKeys: cfg.secretKeys,
    preview: opts.preview,
    prior: opts.prior,
    load: () => import("../../stacks/index"),
  });
}

/** Resolves an Output (or plain value) so a test can assert on it. */
export function promiseOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

export function byType(run: ProgramRun, type: string): CapturedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function one(run: ProgramRun, type: string, nameIncludes: string): CapturedResource {
  // An exact name wins, so `api-server` is the first replica and not also `api-server-2`.
  const exact = byType(run, type).filter((r) => r.name === nameIncludes);
  if (exact.length === 1) return exact[0] as CapturedResource;
  const found = byType(run, type).filter((r) => r.name.includes(nameIncludes));
  if (found.length !== 1)
    throw new Error(`expected one ${type} named *${nameIncludes}*, found ${found.length}`);
  return found[0] as CapturedResource;
}

export { isSecretWire, reveal } from "./wire";
