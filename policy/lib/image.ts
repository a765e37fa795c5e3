/**
 * What the pack and config conclude from an image reference: is it a Redis, is it Bitnami, is it
 * pinned. The grammar itself is distribution/reference's, in ./image-reference.ts.
 */
import {
  digestProblem,
  isRegistryHost,
  parseNormalizedNamed,
  splitImageReference,
} from "./image-reference";

export { splitImageReference };

/**
 * Docker image references: `[registry[:port]/]path[:tag][@digest]`, or an image ID.
 */
export interface ImageRef {
  readonly registry?: string;
  /** Repository path without registry, e.g. "library/redis" is normalised to "redis". */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
  /** A content-addressed image ID such as `sha256:…` (what `RemoteImage.imageId` returns). */
  readonly isId: boolean;
}

const ID = /^(sha256:)?[a-f0-9]{64}$/;

/**
 * Splits any reference, valid or not (a rule classifies whatever a resource holds); the
 * registry is recognised as Docker does it (distribution/reference `splitDockerDomain`).
 */
export function parseImageRef(ref: string): ImageRef {
  const trimmed = ref.trim();
  if (ID.test(trimmed)) {
    return { path: "", isId: true, digest: trimmed };
  }
  const { repository, tag, digest } = splitImageReference(trimmed);
  const parts = repository.split("/");
  const first = parts[0] as string;
  const registry = parts.length > 1 && isRegistryHost(first) ? first : undefined;
  let path = registry === undefined ? repository : parts.slice(1).join("/");
  if (path.startsWith("library/")) {
    path = path.slice("library/".length);
  }
  return { registry, path, tag: tag === "" ? undefined : tag, digest, isId: false };
}

/** Repository names that run a Redis-protocol server. Matched on the last path segment. */
const REDIS_REPOS = new Set([
  "redis",
  "valkey",
  "redis-stack",
  "redis-stack-server",
  "redis-cluster",
  "valkey-cluster",
  "keydb",
]);

/** True for redis, valkey/valkey, bitnami/redis, bitnami/valkey… behind any registry prefix. */
export function isRedisImage(ref: string): boolean {
  const { path, isId } = parseImageRef(ref);
  if (isId) {
    return false;
  }
  const base = path.split("/").pop() ?? "";
  return REDIS_REPOS.has(base.toLowerCase());
}

export function isBitnamiImage(ref: string): boolean {
  return parseImageRef(ref).path.toLowerCase().split("/").includes("bitnami");
}

/**
 * Why an image reference is not pinned, or undefined when it is (explicit tag not in
 * `floatingTags`, or a digest, or an image ID).
 */
export function unpinnedReason(ref: string, floatingTags: readonly string[]): string | undefined {
  if (ref.trim() === "") {
    return "the image reference is empty";
  }
  const img = parseImageRef(ref);
  if (img.isId || (img.digest && img.digest.length > 0)) {
    return undefined;
  }
  if (!img.tag) {
    return `image "${ref}" has no tag, so Docker pulls ":latest"`;
  }
  if (floatingTags.map((t) => t.toLowerCase()).includes(img.tag.toLowerCase())) {
    return `image "${ref}" uses the floating tag ":${img.tag}"`;
  }
  return undefined;
}

/**
 * The `floatingTags` config of `container-image-pinned`, one schema for the Docker containers
 * and the ECS task definitions it judges.
 */
export const floatingTagsConfig = {
  defaults: { floatingTags: ["latest"] as string[] },
  schema: {
    properties: {
      floatingTags: {
        type: "array" as const,
        items: { type: "string" as const },
        default: ["latest"],
      },
    },
  },
};

const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Config's rule for an image: a valid reference (distribution/reference grammar, so
 * `registry.Example.com/app:1.0` and `ghcr.io/acme/my__app:1.0` pass) that says exactly what
 * runs: a tag other than `latest`, or a digest. Returns why not, or undefined.
 */
export function checkImageReference(ref: string): string | undefined {
  if (ref.trim() === "" || /\s/.test(ref)) return `"${ref}" is not an image reference`;
  const { repository, tag, digest } = splitImageReference(ref);
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem !== undefined) {
      return `"${ref}" has a malformed digest (${problem}): write "@sha256:" and its 64 hex digits`;
    }
  }
  if (tag !== undefined && !TAG.test(tag)) {
    return `"${ref}" has an invalid tag (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`;
  }
  const parsed = parseNormalizedNamed(ref);
  if (!parsed.ok) {
    return (
      `"${ref}" is not a valid image name (${parsed.error}): the repository path is lower-case ` +
      'letters and digits separated by ".", "_", "__" or "-", after an optional registry host'
    );
  }
  if (tag === undefined && digest === undefined) {
    return `"${ref}" has no tag: pin a version, e.g. "${repository}:1.2.3"`;
  }
  if (tag === "latest") return `"${ref}" uses "latest": pin a version, e.g. "${repository}:1.2.3"`;
  return undefined;
}
