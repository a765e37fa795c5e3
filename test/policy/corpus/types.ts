import { ResourceRecord } from "../../../gate";
import { apiContainer, apiProps, dockerStack, redisContainer, redisProps } from "./base";

/** A deployment that must be refused at MANDATORY level under policy/config/prod.json. */
export interface BadCase {
  readonly name: string;
  /** The postmortem or lesson it comes from. */
  readonly lesson: string;
  readonly stack: readonly ResourceRecord[];
  /** What AnalyzeStack gets (outputs, with computed values unknown at preview); default `stack`. */
  readonly outputs?: readonly ResourceRecord[];
  /** Each listed policy must report a mandatory violation (matching `message` if given). */
  readonly expect: readonly { policy: string; message?: RegExp }[];
}

/** A deployment that must pass with zero violations. */
export interface GoodCase {
  readonly name: string;
  /** Sent with Analyze (inputs). */
  readonly stack: readonly ResourceRecord[];
  /** What AnalyzeStack gets (outputs, with computed values unknown at preview); default `stack`. */
  readonly outputs?: readonly ResourceRecord[];
}

type Mutate = (p: Record<string, unknown>) => void;

/** The good Docker stack with the Redis container's properties changed by `mutate`. */
export function withRedis(mutate: Mutate, image?: string): ResourceRecord[] {
  const p = redisProps(image);
  mutate(p);
  return dockerStack({ redis: redisContainer(p) });
}

/** The good Docker stack with the API container's properties changed by `mutate`. */
export function withApi(mutate: Mutate): ResourceRecord[] {
  const p = apiProps();
  mutate(p);
  return dockerStack({ api: apiContainer(p) });
}
