/**
 * Image references must say exactly what runs: `latest` and untagged images drifted
 * under the postmortems' deployments between one `docker compose up` and the next.
 *
 * The grammar and the pinning rule live once, in the policy pack's pure lib (Docker's own
 * grammar, distribution/reference, ported in policy/lib/image-reference.ts; CONVENTIONS.md
 * "The shape of the code": the program may import it). This module keeps the names the program
 * uses and adds what only the program needs: which Redis build to configure.
 */
// A relative path rather than `api-stack-policy/lib/image` so that tsc compiles the pack's lib
// into bin/ for the compiled deploy (see ./duration.ts).
import { checkImageReference, splitImageReference } from "../../policy/lib/image";

export { checkImageReference, splitImageReference };

export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * The server engine a redis-compatible image runs, as ElastiCache names it (`engine: valkey`),
 * or undefined for an image the stack does not know how to configure and probe. Not the stack
 * file's `redis.flavour`, which says how ElastiCache provisions the cache.
 */
export function redisEngine(ref: string): "redis" | "valkey" | undefined {
  const repo = splitImageReference(ref).repository.split("/").slice(-2).join("/");
  if (/(^|\/)valkey$/.test(repo)) return "valkey";
  if (/(^|\/)redis(-stack-server)?$/.test(repo)) return "redis";
  return undefined;
}
