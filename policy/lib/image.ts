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

export function parseImageRef(ref: string): ImageRef {
  const trimmed = ref.trim();
  if (ID.test(trimmed)) {
    return { path: "", isId: true, digest: trimmed };
  }
  const at = trimmed.indexOf("@");
  const nameTag = at >= 0 ? trimmed.slice(0, at) : trimmed;
  const digest = at >= 0 ? trimmed.slice(at + 1) : undefined;
  const lastSlash = nameTag.lastIndexOf("/");
  const lastColon = nameTag.lastIndexOf(":");
  // A colon before the last slash belongs to a registry host ("localhost:5000/app").
  const hasTag = lastColon > lastSlash;
  const name = hasTag ? nameTag.slice(0, lastColon) : nameTag;
  const tag = hasTag ? nameTag.slice(lastColon + 1) : undefined;
  const parts = name.split("/");
  let registry: string | undefined;
  const first = parts[0] ?? "";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    parts.shift();
  }
  let path = parts.join("/");
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
