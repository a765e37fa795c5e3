/**
 * Every route by which a host path reaches a docker.Container, read from raw provider props.
 *
 * - `mounts[]` of type bind (`source`), and of type volume whose inline `volumeOptions` use the
 *   local driver to bind a host directory;
 * - `volumes[].hostPath` (a bind), and `volumes[].volumeName` / `mounts[]` type volume naming a
 *   docker.Volume, which binds a host directory when its local driver gets
 *   `{ type: "none", o: "bind", device: <host path> }`;
 * - `devices[].hostPath`.
 *
 * moby/moby volume/local/local_unix.go (localVolume.mount) hands `device`, `type` and `o` to
 * mount(2) as they are, so `o` holding `bind` (or `rbind`) bind-mounts `device` whatever `type`
 * says; moby/sys mount/mounter_linux.go (mount) remounts a bind read-only when `o` also holds
 * `ro`. These are the local driver's `docker volume create --opt type=… --opt o=… --opt device=…`
 * (docs.docker.com/reference/cli/docker/volume/create/, "Driver-specific options").
 *
 * {@link judgeMount} gives the verdict on one such mount; both routes use it (containers.ts for
 * a container's own mounts, hardening.ts for a docker.Volume that binds a host directory).
 */
import { Props } from "./docker";
import { judgeHostPath } from "./host-paths";
import { containsUnknown, isUnknown, unknownAtPreview } from "./unknown";

/** A host path reaching the container; `path`/`readOnly` may be unknown sentinels. */
export interface HostMount {
  /** e.g. `mounts[0]`, `volumes[1] (volume "logs")`. */
  readonly where: string;
  readonly path: unknown;
  readonly readOnly: unknown;
}

/** A container's reference to a named volume, to be resolved against the stack's volumes. */
export interface VolumeRef {
  readonly where: string;
  readonly field: "mounts" | "volumes";
  /** The volume's name as written (may be an unknown sentinel). */
  readonly name: unknown;
  readonly readOnly: unknown;
}

export interface LocalBind {
  readonly device: unknown;
  /** `o` holds `ro`. */
  readonly readOnly: boolean;
}

function optTokens(o: unknown): string[] {
  return typeof o === "string" ? o.split(",").map((t) => t.trim()) : [];
}

/**
 * The host directory a local-driver volume binds, `"unknown"` when the options are unknown at
 * preview, undefined when it binds none (a plain volume, another driver, a tmpfs or NFS mount).
 */
export function localBind(driver: unknown, opts: unknown): LocalBind | "unknown" | undefined {
  if (isUnknown(opts)) return "unknown";
  // An unset driver is Docker's `local`; at preview the provider's computed default arrives
  // unknown, so an unknown driver is judged as `local`, the one that binds.
  const local = driver === undefined || driver === null || driver === "" || driver === "local";
  if (!local && !isUnknown(driver)) return undefined;
  if (opts === null || typeof opts !== "object") return undefined;
  const o = (opts as Props).o;
  if (isUnknown(o)) return "unknown";
  const tokens = optTokens(o);
  if (!tokens.includes("bind") && !tokens.includes("rbind")) return undefined;
  return { device: (opts as Props).device, readOnly: tokens.includes("ro") };
}

const entries = (list: unknown): unknown[] => (Array.isArray(list) ? list : []);

/** Direct host mounts and named-volume references of one container. */
export function containerMounts(p: Props): {
  hostMounts: HostMount[];
  volumeRefs: VolumeRef[];
  /** Fields whose whole list is unknown at preview. */
  unknownFields: string[];
} {
  const hostMounts: HostMount[] = [];
  const volumeRefs: VolumeRef[] = [];
  const unknownFields: string[] = [];
  for (const field of ["mounts", "volumes", "devices"] as const) {
    if (isUnknown(p[field])) unknownFields.push(field);
  }
  entries(p.mounts).forEach((m, i) => {
    const where = `mounts[${i}]`;
    if (isUnknown(m)) {
      hostMounts.push({ where, path: m, readOnly: m });
      return;
    }
    const e = (m ?? {}) as Props;
    if (isUnknown(e.type) || e.type === undefined || e.type === "bind") {
      hostMounts.push({ where, path: e.source, readOnly: e.readOnly });
    } else if (e.type === "volume") {
      const vo = (e.volumeOptions ?? {}) as Props;
      const bind = isUnknown(vo) ? "unknown" : localBind(vo.driverName, vo.driverOptions);
      if (bind === "unknown") {
        hostMounts.push({ where: `${where} (volumeOptions)`, path: vo, readOnly: false });
      } else if (bind !== undefined) {
        hostMounts.push({
          where: `${where} (local volume driver bind)`,
          path: bind.device,
          readOnly: bind.readOnly || e.readOnly === true,
        });
      } else if (e.source !== undefined && e.source !== null && e.source !== "") {
        volumeRefs.push({ where, field: "mounts", name: e.source, readOnly: e.readOnly });
      }
    }
  });
  entries(p.volumes).forEach((v, i) => {
    const where = `volumes[${i}]`;
    if (isUnknown(v)) {
      hostMounts.push({ where, path: v, readOnly: v });
      return;
    }
    const e = (v ?? {}) as Props;
    if (e.hostPath !== undefined && e.hostPath !== null && e.hostPath !== "") {
      hostMounts.push({ where, path: e.hostPath, readOnly: e.readOnly });
    } else if (e.volumeName !== undefined && e.volumeName !== null && e.volumeName !== "") {
      volumeRefs.push({ where, field: "volumes", name: e.volumeName, readOnly: e.readOnly });
    }
  });
  entries(p.devices).forEach((d, i) => {
    const where = `devices[${i}]`;
    const e = (isUnknown(d) ? { hostPath: d } : (d ?? {})) as Props;
    // cgroup device permissions: without `w` the container cannot write the device.
    const ro = typeof e.permissions === "string" && !e.permissions.includes("w");
    hostMounts.push({ where, path: e.hostPath, readOnly: ro });
  });
  return { hostMounts, volumeRefs, unknownFields };
}

/** `readOnly` as the daemon reads it: only a literal true is read-only. */
export function isReadOnly(v: unknown): boolean {
  return v === true;
}

/** The mandatory verdict on one host mount of a container (shared with the volume route). */
export function judgeMount(label: string, m: HostMount, extra: readonly string[]): string[] {
  if (containsUnknown(m.path)) {
    return [unknownAtPreview(`The host path of ${m.where} of ${label}`, "use a literal host path")];
  }
  if (typeof m.path !== "string") return [];
  // Unknown at preview: refuse what is refused even read-only, ask for a literal otherwise.
  const readOnly = isReadOnly(m.readOnly) || isUnknown(m.readOnly);
  const verdict = judgeHostPath(m.path, readOnly, extra);
  if (verdict?.level === "refuse") {
    const mode = isUnknown(m.readOnly)
      ? "(readOnly unknown)"
      : readOnly
        ? "read-only"
        : "read-write";
    const readOnlyHelps = !readOnly && judgeHostPath(m.path, true, extra)?.level !== "refuse";
    return [
      `${label} mounts host path ${m.path} ${mode} (${m.where}): an attacker in the container gets ` +
        `${verdict.why}. Fix: ` +
        (readOnlyHelps
          ? "set readOnly: true if reading is all it needs, or remove the mount."
          : "remove the mount; use a named volume or `uploads` for the files it needs."),
    ];
  }
  if (isUnknown(m.readOnly) && judgeHostPath(m.path, false, extra)?.level === "refuse") {
    return [
      unknownAtPreview(
        `\`readOnly\` of ${m.where} (host path ${m.path}) of ${label}`,
        "set readOnly to a literal true",
      ),
    ];
  }
  return [];
}
