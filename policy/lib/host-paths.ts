/**
 * Host paths a container must not mount, each with what a read-write mount and what a
 * read-only one give an attacker who runs code in the container. One list for every route a
 * host path takes into a container: `mounts[].source`, `volumes[].hostPath`, `devices[]`, and a
 * local-driver volume that binds a host directory (`lib/mounts.ts`).
 *
 * Sources: Docker's "Docker daemon attack surface" (docs.docker.com/engine/security/
 * #docker-daemon-attack-surface: a container given the host's / "can alter your host filesystem
 * without any restriction"); CIS Docker Benchmark v1.6.0 §5.5 (sensitive host system directories:
 * /, /boot, /dev, /etc, /lib, /proc, /sys, /usr) and §5.31 (the Docker socket); proc(5) for
 * /proc/sys/kernel/core_pattern (a pipe there runs a program as root in the host's namespaces);
 * crontab(5), sudoers(5), shadow(5), ld.so(8) (/etc/ld.so.preload), sshd(8) (authorized_keys);
 * the kubelet's /var/lib/kubelet/pods/…/volumes (every pod's service-account token and secrets).
 *
 * A read-only mount is refused where reading alone hands over a credential or the host
 * (a unix socket accepts connect(2) through a read-only bind mount), reviewed (advisory) where
 * a legitimate reader exists (a log shipper reading /var/log, an eBPF agent reading
 * /lib/modules), and allowed where the content is world-readable on the host anyway.
 */

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

/** What a read-only mount of the path means. */
export type ReadOnlyVerdict = "refuse" | "review" | "allow";

export interface SensitiveHostPath {
  /** Absolute path; a `*` segment matches any one name (a user's home). */
  readonly path: string;
  /** Also every path below it; an exact entry still matches its ancestors (see judgeHostPath). */
  readonly tree: boolean;
  /** What a read-write mount gives an attacker (every entry refuses read-write). */
  readonly readWrite: string;
  readonly readOnly: ReadOnlyVerdict;
  /** What a read-only mount still gives (or why it is harmless). */
  readonly readOnlyWhy: string;
}

const ROOT_ON_HOST = "code execution as root on the host";

export const SENSITIVE_HOST_PATHS: readonly SensitiveHostPath[] = [
  {
    path: "/",
    tree: false,
    readWrite: `the whole host filesystem: write /etc/cron.d or root's authorized_keys for ${ROOT_ON_HOST}`,
    readOnly: "refuse",
    readOnlyWhy: "every host secret: /etc/shadow, SSH host keys, other containers' volumes",
  },
  {
    path: "/etc",
    tree: false,
    readWrite: `cron, sudoers, passwd and ld.so.preload: ${ROOT_ON_HOST}`,
    readOnly: "refuse",
    readOnlyWhy: "/etc/shadow, SSH host keys and TLS private keys",
  },
  {
    path: "/etc/shadow",
    tree: false,
    readWrite: `set root's password hash (shadow(5)): ${ROOT_ON_HOST}`,
    readOnly: "refuse",
    readOnlyWhy: "every account's password hash, to crack offline",
  },
  {
    path: "/etc/gshadow",
    tree: false,
    readWrite: "set group passwords and administrators: root-equivalent groups on the host",
    readOnly: "refuse",
    readOnlyWhy: "group password hashes",
  },
  {
    path: "/etc/passwd",
    tree: false,
    readWrite: `add a uid-0 account: ${ROOT_ON_HOST}`,
    readOnly: "allow",
    readOnlyWhy: "world-readable on the host",
  },
  {
    path: "/etc/group",
    tree: false,
    readWrite: "join the docker or sudo group: root on the host",
    readOnly: "allow",
    readOnlyWhy: "world-readable on the host",
  },
  {
    path: "/etc/sudoers",
    tree: false,
    readWrite: `grant any user passwordless sudo (sudoers(5)): ${ROOT_ON_HOST}`,
    readOnly: "review",
    readOnlyWhy: "which accounts can become root, and how",
  },
  {
    path: "/etc/sudoers.d",
    tree: true,
    readWrite: `drop in a sudo rule (sudoers(5)): ${ROOT_ON_HOST}`,
    readOnly: "review",
    readOnlyWhy: "which accounts can become root, and how",
  },
  ...["/etc/crontab", "/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/var/spool/cron"].map(
    (path): SensitiveHostPath => ({
      path,
      tree: path !== "/etc/crontab",
      readWrite: `a job cron runs as root within the minute (crontab(5)): ${ROOT_ON_HOST}`,
      readOnly: "review",
      readOnlyWhy: "the host's scheduled jobs, often with credentials on their command lines",
    }),
  ),
  ...["/etc/systemd", "/etc/init.d", "/etc/profile.d"].map((path): SensitiveHostPath => ({
    path,
    tree: true,
    readWrite: `a unit, init script or login script the host runs as root: ${ROOT_ON_HOST}`,
    readOnly: "allow",
    readOnlyWhy: "world-readable service definitions",
  })),
  ...["/etc/ld.so.preload", "/etc/ld.so.conf.d"].map((path): SensitiveHostPath => ({
    path,
    tree: path.endsWith(".d"),
    readWrite: `a library every host process loads (ld.so(8)), root's included: ${ROOT_ON_HOST}`,
    readOnly: "allow",
    readOnlyWhy: "world-readable loader configuration",
  })),
  {
    path: "/etc/ssh",
    tree: true,
    readWrite: "replace sshd's config or keys: log in to the host, or impersonate it",
    readOnly: "refuse",
    readOnlyWhy: "the SSH host private keys: impersonate the host to every client (MITM)",
  },
  {
    path: "/etc/kubernetes",
    tree: true,
    readWrite: "the node's kubeconfigs and static pod manifests: run any pod, cluster admin",
    readOnly: "refuse",
    readOnlyWhy: "admin kubeconfigs and the cluster PKI's private keys",
  },
  {
    path: "/etc/docker",
    tree: true,
    readWrite:
      "daemon.json: open the Docker API on TCP or add an insecure registry at the next restart",
    readOnly: "review",
    readOnlyWhy: "the daemon's TLS keys and registry settings",
  },
  {
    path: "/root",
    tree: true,
    readWrite: `root's authorized_keys and shell rc files (sshd(8)): ${ROOT_ON_HOST}`,
    readOnly: "refuse",
    readOnlyWhy: "root's SSH private keys, cloud credentials and shell history",
  },
  {
    path: "/home",
    tree: false,
    readWrite: "every user's authorized_keys and shell rc files: log in as any of them",
    readOnly: "refuse",
    readOnlyWhy: "every user's SSH private keys and credentials",
  },
  {
    path: "/home/*/.ssh",
    tree: true,
    readWrite: "authorized_keys (sshd(8)): log in to the host as that user",
    readOnly: "refuse",
    readOnlyWhy: "the user's SSH private keys: log in wherever they can",
  },
  {
    path: "/proc",
    tree: true,
    readWrite: `/proc/sys/kernel/core_pattern runs a program as root on the host on the next crash (proc(5)): ${ROOT_ON_HOST}`,
    readOnly: "refuse",
    readOnlyWhy: "host processes' command lines, environments and memory maps",
  },
  {
    path: "/sys",
    tree: true,
    readWrite: `/sys/kernel/uevent_helper and firmware knobs: ${ROOT_ON_HOST}`,
    readOnly: "refuse",
    readOnlyWhy: "host hardware and kernel state (CIS 5.5)",
  },
  {
    path: "/dev",
    tree: false,
    readWrite: "every host device node, raw disks included: read and rewrite the host filesystem",
    readOnly: "refuse",
    readOnlyWhy: "raw disks: read every host file past permissions",
  },
  ...["/dev/mem", "/dev/kmem", "/dev/port"].map((path): SensitiveHostPath => ({
    path,
    tree: false,
    readWrite: `physical memory and I/O ports: ${ROOT_ON_HOST}`,
    readOnly: "refuse",
    readOnlyWhy: "kernel memory, keys included",
  })),
  {
    path: "/boot",
    tree: true,
    readWrite: `replace the kernel or initramfs: ${ROOT_ON_HOST} from the next boot`,
    readOnly: "refuse",
    readOnlyWhy: "the kernel image and config an exploit is tailored to (CIS 5.5)",
  },
  ...["/lib/modules", "/usr/lib/modules"].map((path): SensitiveHostPath => ({
    path,
    tree: true,
    readWrite: "plant a kernel module the next modprobe loads: code in the kernel",
    readOnly: "review",
    readOnlyWhy: "only the installed modules, which eBPF and monitoring agents read legitimately",
  })),
  ...["/lib", "/usr"].map((path): SensitiveHostPath => ({
    path,
    tree: false,
    readWrite: `replace libraries and binaries the host runs as root: ${ROOT_ON_HOST}`,
    readOnly: "refuse",
    readOnlyWhy: "the host's exact software versions to target (CIS 5.5)",
  })),
  ...[
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/local/bin",
    "/usr/local/sbin",
  ].map((path): SensitiveHostPath => ({
    path,
    tree: true,
    readWrite: `replace a binary or library root runs on the host: ${ROOT_ON_HOST}`,
    readOnly: "allow",
    readOnlyWhy: "world-readable programs",
  })),
  ...["/run", "/var/run"].map((path): SensitiveHostPath => ({
    path,
    tree: true,
    readWrite:
      "the Docker, containerd and systemd sockets and the host's runtime secrets: root on the host",
    readOnly: "refuse",
    readOnlyWhy:
      "a unix socket still accepts connect(2) through a read-only mount: the Docker socket is root on the host",
  })),
  ...["/var/lib/docker", "/var/lib/containerd"].map((path): SensitiveHostPath => ({
    path,
    tree: true,
    readWrite:
      "every container's filesystem and volumes: tamper with other services' code and data",
    readOnly: "refuse",
    readOnlyWhy: "every container's files and volumes, their secrets included",
  })),
  {
    path: "/var/lib/kubelet",
    tree: true,
    readWrite: "every pod's volumes on the node: their service-account tokens and secrets",
    readOnly: "refuse",
    readOnlyWhy: "every pod's service-account token and mounted secrets on the node",
  },
  {
    path: "/var/log",
    tree: true,
    readWrite: "erase or forge the host's logs to hide an intrusion, and fill the disk",
    readOnly: "review",
    readOnlyWhy: "logs can hold tokens and personal data; a log shipper reading them is normal",
  },
];

export interface HostPathVerdict {
  readonly level: "refuse" | "review";
  /** The list entry that decided (the path as written in the list). */
  readonly entry: string;
  readonly why: string;
}

const DOCKER_SOCKET = /\/(docker|containerd|podman|crio)\.sock$/;

/** The `*`-aware match of a normalized path against a list path, segment by segment. */
function segments(p: string): string[] {
  return p.split("/").filter((s) => s !== "");
}
function matchesPrefix(pattern: string[], path: string[]): boolean {
  return pattern.every((seg, i) => seg === "*" || seg === path[i]);
}

function matches(e: SensitiveHostPath, path: string[]): boolean {
  const pat = segments(e.path);
  if (path.length >= pat.length) {
    return (path.length === pat.length || e.tree) && matchesPrefix(pat, path);
  }
  // An ancestor of a listed path holds it: mounting /var/lib exposes /var/lib/kubelet.
  return path.every((seg, i) => pat[i] === "*" || seg === pat[i]);
}

/**
 * The verdict on mounting `path` (`readOnly` or not): refused, reviewed, or undefined when
 * harmless. `extra` paths (policy config) are refused both ways.
 */
export function judgeHostPath(
  path: string,
  readOnly: boolean,
  extra: readonly string[] = [],
): HostPathVerdict | undefined {
  const n = normalizeHostPath(path);
  if (DOCKER_SOCKET.test(n)) {
    return {
      level: "refuse",
      entry: n,
      why: "the Docker socket (or containerd's, CRI-O's), which is root on the host, read-only or not (CIS 5.31)",
    };
  }
  if (extra.map(normalizeHostPath).includes(n)) {
    return { level: "refuse", entry: n, why: "listed in extraSensitivePaths" };
  }
  const segs = segments(n);
  let review: HostPathVerdict | undefined;
  for (const e of SENSITIVE_HOST_PATHS.filter((x) => matches(x, segs))) {
    if (!readOnly) return { level: "refuse", entry: e.path, why: e.readWrite };
    if (e.readOnly === "refuse") return { level: "refuse", entry: e.path, why: e.readOnlyWhy };
    if (e.readOnly === "review") review ??= { level: "review", entry: e.path, why: e.readOnlyWhy };
  }
  return review;
}

/** Whether a read-write mount of `path` is refused. */
export function sensitiveHostPath(path: string, extra: readonly string[] = []): boolean {
  return judgeHostPath(path, false, extra) !== undefined;
}

/**
 * The `extraSensitivePaths` config both mount rules take (container-no-sensitive-mounts and
 * container-no-sensitive-volume-binds): its schema and its default, written once.
 */
export const extraSensitivePathsConfig = {
  defaults: { extraSensitivePaths: [] as string[] },
  schema: {
    properties: {
      extraSensitivePaths: {
        type: "array" as const,
        items: { type: "string" as const },
        default: [],
      },
    },
  },
};
