/**
 * Container hardening beyond containers.ts: no privilege escalation, no confinement profile
 * turned off, every capability dropped, and no sensitive host directory reached through a
 * named volume. Each rule judges plain docker.Container / docker.Volume resources.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf, onlyFor } from "../lib/config";
import { dropsAll } from "../lib/capabilities";
import { containerLabel, Props } from "../lib/docker";
import { extraSensitivePathsConfig, judgeHostPath } from "../lib/host-paths";
import {
  containerMounts,
  HostMount,
  isReadOnly,
  judgeMount,
  localBind,
  VolumeRef,
} from "../lib/mounts";
import { parseSecurityOpts } from "../lib/security-opts";
import { CONTAINER, VOLUME } from "../lib/types";
import { containsUnknown, isUnknown, raw, unknownAtPreview } from "../lib/unknown";

/** The literal security options, or a report when they are unknown at preview. */
function securityOptsOf(p: Props, label: string, report: (m: string) => void): unknown[] | null {
  if (containsUnknown(p.securityOpts)) {
    report(unknownAtPreview(`\`securityOpts\` of ${label}`, "set securityOpts as literals"));
    return null;
  }
  return Array.isArray(p.securityOpts) ? p.securityOpts : [];
}

/**
 * Linux no_new_privs (docs.kernel.org/userspace-api/no_new_privs.html): once set, execve never
 * grants privileges, so setuid/setgid binaries and file capabilities stop working. Docker sets it
 * only on request (docs.docker.com/reference/cli/docker/container/run/#security-opt); CIS Docker
 * Benchmark v1.6.0 §5.25.
 */
export const containerNoNewPrivileges: ResourceValidationPolicy = {
  name: "container-no-new-privileges",
  description:
    "Containers must set no-new-privileges, so no setuid binary or file capability raises a process's privileges.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const label = containerLabel(args.name, p);
    const opts = securityOptsOf(p, label, report);
    if (opts === null) return;
    const nnp = parseSecurityOpts(opts).noNewPrivileges;
    if (nnp === true) return;
    report(
      `${label} ${nnp === false ? "sets no-new-privileges to false" : "does not set no-new-privileges"}, ` +
        "so code that gets into it can exec a setuid-root binary (su, a package's helper, one in a " +
        "mounted volume) and regain root and the capabilities the container still holds. Fix: " +
        'securityOpts: ["no-new-privileges:true"].',
    );
  }),
};

/**
 * Docker confines every container with a seccomp profile that blocks about 44 syscalls
 * (docs.docker.com/engine/security/seccomp/: "unconfined" runs "without the default seccomp
 * profile"), the docker-default AppArmor profile (docs.docker.com/engine/security/apparmor/)
 * and, on SELinux hosts, a per-container label (`label=disable` turns it off). CIS Docker
 * Benchmark v1.6.0 §5.1 (AppArmor), §5.2 (SELinux), §5.21 (seccomp).
 */
export const containerNoUnconfinedProfiles: ResourceValidationPolicy = {
  name: "container-no-unconfined-profiles",
  description: "Containers must not turn off Docker's seccomp, AppArmor or SELinux confinement.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const label = containerLabel(args.name, p);
    const opts = securityOptsOf(p, label, report);
    if (opts === null) return;
    const s = parseSecurityOpts(opts);
    const off = [
      s.seccomp === "unconfined"
        ? "seccomp=unconfined (every syscall reachable: keyctl, bpf, userfaultfd, the kernel attack surface an escape exploit needs)"
        : undefined,
      s.apparmor === "unconfined"
        ? "apparmor=unconfined (no docker-default profile: writes to /proc/sys, mount and ptrace rules gone)"
        : undefined,
      s.labelDisabled
        ? "label=disable (no SELinux separation: it can touch host and other containers' files the label would block)"
        : undefined,
    ].filter((x) => x !== undefined);
    if (off.length === 0) return;
    report(
      `${label} turns off kernel confinement: ${off.join("; ")}. One kernel bug then becomes root ` +
        "on the host. Fix: remove those securityOpts; if a syscall is really needed, use a custom " +
        "seccomp profile that allows only it.",
    );
  }),
};

/**
 * Docker's default capability set (docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities)
 * includes NET_RAW (forge packets, ARP-spoof neighbours on the bridge), DAC_OVERRIDE, CHOWN,
 * FOWNER, SETUID/SETGID, MKNOD and others a web service or Redis never uses (capabilities(7)).
 * CIS Docker Benchmark v1.6.0 §5.3: drop all, add back what is needed.
 */
export const containerDropsAllCapabilities: ResourceValidationPolicy = {
  name: "container-drops-all-capabilities",
  description:
    'Containers must drop every capability (capabilities.drops ["ALL"]) and add back only what they need.',
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const label = containerLabel(args.name, p);
    if (containsUnknown(p.capabilities)) {
      report(unknownAtPreview(`\`capabilities\` of ${label}`, "set capabilities as literals"));
      return;
    }
    const caps = (p.capabilities ?? {}) as Props;
    if (dropsAll(caps.drops)) return;
    report(
      `${label} keeps Docker's default capabilities (NET_RAW, DAC_OVERRIDE, CHOWN, FOWNER, SETUID, ` +
        "SETGID, MKNOD…): code that gets into it can forge packets on the Docker network, " +
        "override file permissions and change file owners. Fix: capabilities: { drops: " +
        '["ALL"] }, and add back only a capability it needs, with a comment saying why.',
    );
  }),
};

/** The docker.Volume a container's reference names: by literal name, or by its dependencies. */
function referencedVolume(
  c: PolicyResource,
  ref: VolumeRef,
  volumes: readonly PolicyResource[],
): PolicyResource | undefined {
  if (typeof ref.name === "string" && !isUnknown(ref.name)) {
    const byName = volumes.find((v) => raw(v.props).name === ref.name);
    if (byName) return byName;
  }
  const deps = (c.propertyDependencies[ref.field] ?? []).filter((d) => d.type === VOLUME);
  // Unknown at preview: the volume the container's `volumes`/`mounts` were computed from.
  // With several, any one that binds a host path may be this one: judge the worst.
  return isUnknown(ref.name) || typeof ref.name !== "string"
    ? volumes.find((v) => deps.some((d) => d.urn === v.urn) && localBindOf(v) !== undefined)
    : undefined;
}

function localBindOf(v: PolicyResource): ReturnType<typeof localBind> {
  const p = raw(v.props);
  return localBind(p.driver, p.driverOpts);
}

/** A container's named-volume references that resolve to host binds. */
function volumeBinds(c: PolicyResource, volumes: readonly PolicyResource[]): HostMount[] {
  const out: HostMount[] = [];
  for (const ref of containerMounts(raw(c.props)).volumeRefs) {
    const v = referencedVolume(c, ref, volumes);
    const bind = v === undefined ? undefined : localBindOf(v);
    if (v === undefined || bind === undefined) continue;
    const where = `${ref.where} (volume "${v.name}", a local-driver bind)`;
    out.push(
      bind === "unknown"
        ? { where, path: raw(v.props).driverOpts, readOnly: false }
        : { where, path: bind.device, readOnly: bind.readOnly || isReadOnly(ref.readOnly) },
    );
  }
  return out;
}

/**
 * A docker.Volume with the local driver and `o: bind` is a bind mount of its `device` under a
 * volume's name (lib/mounts.ts), so the sensitive-path list applies to it as to `hostPath`.
 * A stack rule, so the volume's driverOpts meet the containers that mount it, by name or,
 * at preview when the name is unknown, by the container's propertyDependencies.
 */
export const containerNoSensitiveVolumeBinds: StackValidationPolicy = {
  name: "container-no-sensitive-volume-binds",
  description:
    "Named volumes must not bind a sensitive host path into a container, or leave one on the host for any container to mount.",
  enforcementLevel: "mandatory",
  configSchema: extraSensitivePathsConfig.schema,
  validateStack: (args, report) => {
    const { extraSensitivePaths } = configOf(args, extraSensitivePathsConfig.defaults);
    const volumes = args.resources.filter((r) => r.type === VOLUME);
    const mounted = new Set<string>();
    for (const c of args.resources.filter((r) => r.type === CONTAINER)) {
      const label = containerLabel(c.name, raw(c.props));
      for (const ref of containerMounts(raw(c.props)).volumeRefs) {
        const v = referencedVolume(c, ref, volumes);
        if (v) mounted.add(v.urn);
      }
      for (const m of volumeBinds(c, volumes)) {
        for (const msg of judgeMount(label, m, extraSensitivePaths)) report(msg, c.urn);
      }
    }
    for (const v of volumes.filter((x) => !mounted.has(x.urn))) {
      const bind = localBindOf(v);
      if (bind === undefined) continue;
      const label = `volume "${v.name}"`;
      if (bind === "unknown" || containsUnknown(bind.device)) {
        report(
          unknownAtPreview(`\`driverOpts\` of ${label}`, "set driver and driverOpts as literals"),
          v.urn,
        );
        continue;
      }
      if (typeof bind.device !== "string") continue;
      const verdict = judgeHostPath(bind.device, bind.readOnly, extraSensitivePaths);
      if (verdict?.level !== "refuse") continue;
      report(
        `${label} binds host path ${bind.device} (driverOpts o: bind), and any container on the ` +
          `host can mount it by name (docker run -v ${String(raw(v.props).name ?? v.name)}:/x): ` +
          `that gives ${verdict.why}. Fix: remove the volume, or bind a directory of the ` +
          "application's own.",
        v.urn,
      );
    }
  },
};

/**
 * Read-only mounts of host paths a legitimate reader uses (a log shipper and /var/log, an eBPF
 * agent and /lib/modules, lib/host-paths.ts `readOnly: "review"`): not an escape, but host data
 * leaves the host's control, so it is reported for review rather than refused.
 */
export const containerReadOnlyHostMounts: StackValidationPolicy = {
  name: "container-read-only-host-mounts",
  description:
    "Read-only mounts of host paths that hold host data (logs, cron jobs, kernel modules) are reported for review.",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    const volumes = args.resources.filter((r) => r.type === VOLUME);
    for (const c of args.resources.filter((r) => r.type === CONTAINER)) {
      const p = raw(c.props);
      const label = containerLabel(c.name, p);
      for (const m of [...containerMounts(p).hostMounts, ...volumeBinds(c, volumes)]) {
        if (typeof m.path !== "string" || isUnknown(m.path) || !isReadOnly(m.readOnly)) continue;
        const verdict = judgeHostPath(m.path, true);
        if (verdict?.level !== "review") continue;
        report(
          `${label} mounts host path ${m.path} read-only (${m.where}): it can read ${verdict.why}. ` +
            "Fine for an agent whose job that is; otherwise remove the mount.",
          c.urn,
        );
      }
    }
  },
};
