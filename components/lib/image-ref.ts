/**
 * Image references must say exactly what runs: `latest` and untagged images drifted
 * under the postmortems' deployments between one `docker compose up` and the next.
 */
export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function splitImageReference(ref: string): ImageRef {
  const [nameAndTag, digest] = ref.split("@", 2) as [string, string | undefined];
  // A colon after the last slash is a tag; one before it is a registry port (localhost:5000/app).
  const slash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.lastIndexOf(":");
  if (colon > slash) {
    return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
  }
  return { repository: nameAndTag, digest };
}

/** Returns why `ref` is not acceptable, or `undefined` when it is pinned. */
export function checkImageReference(ref: string): string | undefined {
  if (ref.trim() === "" || /\s/.test(ref)) return `"${ref}" is not an image reference`;
  const { repository, tag, digest } = splitImageReference(ref);
  if (repository === "" || !/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/.test(repository)) {
    return `"${ref}" is not a valid image name (lower-case letters, digits, ".", "_", "-", "/")`;
  }
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest))
    return `"${ref}" has a malformed digest`;
  if (tag === undefined && digest === undefined) {
    return `"${ref}" has no tag: pin a version, e.g. "${repository}:1.2.3"`;
  }
  if (tag === "latest") return `"${ref}" uses "latest": pin a version, e.g. "${repository}:1.2.3"`;
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag))
    return `"${ref}" has an invalid tag`;
  return undefined;
}

/** The redis-compatible images the stack knows how to configure and probe. */
export function redisFlavour(ref: string): "redis" | "valkey" | undefined {
  const repo = splitImageReference(ref).repository.split("/").slice(-2).join("/");
  if (/(^|\/)valkey$/.test(repo)) return "valkey";
  if (/(^|\/)redis(-stack-server)?$/.test(repo)) return "redis";
  return undefined;
}
