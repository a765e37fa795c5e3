/** Host paths a container must not mount. */
/** Host paths that must not be mounted: exact paths, and trees that must not be mounted at any depth. */
const SENSITIVE_EXACT = [
  "/",
  "/etc",
  "/proc",
  "/sys",
  "/root",
  "/var/run",
  "/run",
  "/boot",
  "/dev",
  "/home",
  "/var/lib/docker",
  "/usr",
];
const SENSITIVE_TREES = [
  "/proc",
  "/sys",
  "/root",
  "/var/run",
  "/run",
  "/var/lib/docker",
  "/boot",
  "/etc/ssh",
];

export function normalizeHostPath(path: string): string {
  const parts: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") {
      continue;
    }
    if (seg === "..") {
      parts.pop();
    } else {
      parts.push(seg);
    }
  }
  return `/${parts.join("/")}`;
}

export function sensitiveHostPath(path: string, extra: readonly string[] = []): boolean {
  const n = normalizeHostPath(path);
  if (/\/(docker|containerd|podman|crio)\.sock$/.test(n)) {
    return true;
  }
  if ([...SENSITIVE_EXACT, ...extra].map(normalizeHostPath).includes(n)) {
    return true;
  }
  return SENSITIVE_TREES.some((t) => n.startsWith(`${t}/`));
}
