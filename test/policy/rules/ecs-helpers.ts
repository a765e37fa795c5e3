/**
 * Helpers shared by the ECS rule tests: run a policy over the ECS corpus stack (ecs-base.ts)
 * with one setting changed, per resource (Analyze) or as a stack (AnalyzeStack, dependencies
 * resolved by URN).
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ecsStack, EcsOpts } from "../corpus/ecs-base";
import {
  createResourceValidationArgs,
  runResourcePolicy,
  runStackPolicy,
  stackArgsOf,
} from "../util";

export type Props = Record<string, unknown>;
export const prodCfg = {};
export const devCfg = { production: false };

/** The stack as AnalyzeStack args, dependencies resolved by URN. */
export const stackArgs = stackArgsOf;

export const stackMessages = async (p: StackValidationPolicy, opts: EcsOpts, config: Props = {}) =>
  (await runStackPolicy(p, stackArgs(ecsStack(opts), config))).map((v) => v.message);

/** Messages of a resource policy run on every resource of the stack (Analyze). */
export async function resourceMessages(
  p: ResourceValidationPolicy,
  opts: EcsOpts,
  config = prodCfg,
) {
  const out: string[] = [];
  for (const r of ecsStack(opts)) {
    const args = createResourceValidationArgs(r.type, r.properties, { name: r.name, config });
    out.push(...(await runResourcePolicy(p, args)).map((v) => v.message));
  }
  return out;
}
