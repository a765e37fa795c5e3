/**
 * Linux capabilities a container must not be given, each with what it hands an attacker who
 * runs code in the container. Source: capabilities(7) (man7.org/linux/man-pages/man7/
 * capabilities.7.html) for what each capability permits; Docker's "Runtime privilege and Linux
 * capabilities" (docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities)
 * for the default set (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP,
 * NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP: none of those below);
 * CIS Docker Benchmark v1.6.0 §5.3 ("Linux kernel capabilities are restricted").
 *
 * Docker accepts a name with or without `CAP_`, in any case (moby
 * oci/caps/utils.go NormalizeLegacyCapabilities), so names are compared through {@link capName}.
 */

/** `cap_sys_admin`, `CAP_SYS_ADMIN` and `sys_admin` are all `SYS_ADMIN`; `all` is `ALL`. */
export function capName(c: unknown): string {
  return String(c).trim().toUpperCase().replace(/^CAP_/, "");
}

/** Capabilities whose grant breaks the container boundary or acts on the whole host. */
export const ESCAPE_CAPABILITIES: Readonly<Record<string, string>> = {
  ALL: "every capability, the same as privileged minus devices: root on the host",
  SYS_ADMIN:
    "mount(2), the cgroup v1 release_agent and a long list of admin operations (capabilities(7): " +
    '"overloaded"): the classic container escape',
  SYS_PTRACE:
    "ptrace(2) of any process it can see, and process_vm_writev: inject code into other processes " +
    "(host processes with a shared PID namespace)",
  SYS_MODULE: "init_module(2)/finit_module(2): load a kernel module, i.e. run code as the kernel",
  DAC_READ_SEARCH:
    "open_by_handle_at(2), which opens any host file by inode handle outside the container's " +
    'mount namespace (the "shocker" escape), and bypasses read permission checks',
  SYS_RAWIO:
    "iopl(2)/ioperm(2) and /dev/mem, /dev/kmem, raw SCSI commands: read and write host memory",
  SYS_BOOT: "reboot(2) and kexec_load(2): reboot the host or boot a kernel of its choosing",
  MAC_ADMIN: "change the AppArmor/SELinux/Smack policy that confines the container",
  MAC_OVERRIDE: "override the mandatory access control (AppArmor/SELinux) that confines it",
  BPF: "load privileged BPF programs and maps (Linux 5.8+): read kernel memory, tamper with the host",
  PERFMON:
    "perf_event_open(2) and BPF tracing of the whole system: read kernel and other processes' data",
  SYSLOG:
    "privileged syslog(2) and kernel addresses in /proc (kptr_restrict=1): defeats KASLR for a kernel exploit",
  NET_ADMIN:
    "configure interfaces, routes, iptables of its network namespace (the host's with networkMode host): " +
    "intercept or redirect traffic",
  SYS_TIME: "set the system clock, which is not namespaced: breaks TLS, tokens and logs host-wide",
  AUDIT_CONTROL:
    "change or disable the kernel audit rules, which are host-wide: blinds the host's auditing",
};

/** The escape capabilities among `adds`, as written. */
export function escapeCapabilities(adds: readonly unknown[]): { name: string; why: string }[] {
  return adds
    .filter((c): c is string => typeof c === "string")
    .map((c) => ({ name: c, why: ESCAPE_CAPABILITIES[capName(c)] }))
    .filter((c): c is { name: string; why: string } => c.why !== undefined);
}

/** Whether `drops` removes every capability (Docker's `--cap-drop ALL`). */
export function dropsAll(drops: unknown): boolean {
  return Array.isArray(drops) && drops.some((d) => capName(d) === "ALL");
}
