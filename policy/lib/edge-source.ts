/**
 * Where an edge proxy's config comes from, across the stack. A proxy that uploads its config is
 * judged on that upload (./edge.ts). One that uploads none but mounts a named volume serves
 * what another container installed there: the one other container that mounts the same volume
 * and uploads a config file of that proxy (an "installer", such as components/edge-proxy.ts's
 * `edge-config`, which copies its uploads into the volume the proxy reloads from). Volumes are
 * matched by their literal name, or, when a name is unknown at preview (a docker.Volume's
 * generated name), by the docker.Volume the `volumes` (or `mounts`) property was computed from:
 * AnalyzeStack carries propertyDependencies (./provenance.ts). Anything it cannot resolve is
 * reported, never passed.
 */
import { PolicyResource } from "@pulumi/policy";
import { Props } from "./docker";
import {
  configFileWhat,
  noUploadedConfigWhy,
  ProxyConfig,
  ProxyKind,
  servingProxyKind,
  uploadedConfig,
} from "./edge";
import { sourcesOf } from "./provenance";
import { CONTAINER, VOLUME } from "./types";
import { isUnknown, raw } from "./unknown";

/** A proxy's config as resolved in the stack, with the fix for what could not be read. */
export type ResolvedConfig =
  | Extract<ProxyConfig, { state: "known" }>
  | (Extract<ProxyConfig, { state: "unknown" | "unreadable" }> & { readonly fix?: string });

export interface EdgeProxy {
  readonly r: PolicyResource;
  readonly p: Props;
  readonly kind: ProxyKind;
  readonly config: ResolvedConfig;
}

/** A named volume a container mounts, by every key it is known under (name:…, urn:…). */
interface VolumeRef {
  readonly keys: ReadonlySet<string>;
  /** For messages: `volume "<name>"` or `docker.Volume "<resource>"`. */
  readonly label: string;
}

interface Volumes {
  readonly refs: readonly VolumeRef[];
  /** Mounts whose volume cannot be told (unknown entry, or unknown name with no Volume source). */
  readonly unresolved: readonly string[];
}

/**
 * The named volumes of a container: `volumes[].volumeName` and `mounts[]` of type "volume"
 * (`source`), the Docker provider's two ways to mount one (kreuzwerker/terraform-provider-docker
 * resource_docker_container.go, "volumes" and "mounts").
 */
function volumesOf(r: PolicyResource, all: readonly PolicyResource[]): Volumes {
  const p = raw(r.props);
  const stackVolumes = all.filter((x) => x.type === VOLUME);
  const byName = (name: string) =>
    stackVolumes.filter((v) => raw(v.props).name === name).map((v) => `urn:${v.urn}`);
  const refs: VolumeRef[] = [];
  const unresolved: string[] = [];
  const fields = [
    { field: "volumes", key: "volumeName", isNamed: () => true },
    { field: "mounts", key: "source", isNamed: (m: Props) => m.type === "volume" },
  ] as const;
  for (const { field, key, isNamed } of fields) {
    const list = p[field];
    if (isUnknown(list)) {
      unresolved.push(`\`${field}\``);
      continue;
    }
    if (!Array.isArray(list)) continue;
    // Which docker.Volume an unknown name was computed from: propertyDependencies only (a
    // dependsOn says nothing about which volume is mounted), components expanded.
    const fromDeps = () =>
      (r.propertyDependencies[field] ?? []).length === 0
        ? []
        : sourcesOf(r, field, all).filter((x) => x.type === VOLUME);
    list.forEach((m, i) => {
      const where = `\`${field}[${i}].${key}\``;
      if (isUnknown(m)) {
        unresolved.push(`\`${field}[${i}]\``);
        return;
      }
      const e = (m ?? {}) as Props;
      if (isUnknown(e.type)) {
        unresolved.push(`\`${field}[${i}].type\``);
        return;
      }
      const name = e[key];
      if (!isNamed(e) || name === undefined || name === null || name === "") return;
      if (typeof name === "string" && !isUnknown(name)) {
        refs.push({ keys: new Set([`name:${name}`, ...byName(name)]), label: `volume "${name}"` });
        return;
      }
      const vols = fromDeps();
      if (vols.length === 0) {
        unresolved.push(where);
        return;
      }
      const keys = new Set<string>();
      for (const v of vols) {
        keys.add(`urn:${v.urn}`);
        const n = raw(v.props).name;
        if (typeof n === "string" && !isUnknown(n)) keys.add(`name:${n}`);
      }
      refs.push({ keys, label: vols.map((v) => `docker.Volume "${v.name}"`).join(" or ") });
    });
  }
  return { refs, unresolved };
}

const shares = (a: VolumeRef, b: VolumeRef): boolean => [...a.keys].some((k) => b.keys.has(k));

const FIX_INSTALLER =
  "upload the rendered config in the proxy's `uploads` (content a literal string), or in exactly " +
  "one other container that mounts the same named volume and installs it there";

/** The config a proxy with none of its own serves, from the one installer on its volume. */
function fromInstaller(
  r: PolicyResource,
  kind: ProxyKind,
  all: readonly PolicyResource[],
): ResolvedConfig {
  const p = raw(r.props);
  const what = configFileWhat(kind);
  const mine = volumesOf(r, all);
  if (mine.refs.length === 0 && mine.unresolved.length === 0) {
    return { state: "unreadable", why: noUploadedConfigWhy(kind, p) };
  }
  const installers: { c: PolicyResource; cfg: ResolvedConfig; volume: string }[] = [];
  const maybe: string[] = [];
  for (const c of all) {
    if (c.type !== CONTAINER || c.urn === r.urn) continue;
    const cfg = uploadedConfig(kind, raw(c.props));
    if (cfg.state === "none") continue;
    const theirs = volumesOf(c, all);
    const mount = mine.refs.find((a) => theirs.refs.some((b) => shares(a, b)));
    if (mount !== undefined) installers.push({ c, cfg, volume: mount.label });
    else if (theirs.unresolved.length > 0) {
      maybe.push(`${theirs.unresolved.join(", ")} of container "${c.name}", which uploads ${what}`);
    }
  }
  if (installers.length > 1) {
    const names = installers.map((x) => `"${x.c.name}"`).join(" and ");
    return {
      state: "unreadable",
      why:
        `containers ${names} each upload ${what} and mount its ` +
        `${[...new Set(installers.map((x) => x.volume))].join(", ")}, so what it serves depends on ` +
        "which of them ran last",
      fix: "keep one installer per volume: remove the config upload (or the volume) from all but one",
    };
  }
  // A volume it cannot match may hide an installer (or a second one): reported, not passed.
  const unresolved =
    mine.unresolved.length > 0
      ? `${mine.unresolved.join(", ")} (the volume its config is installed on, computed from no ` +
        "docker.Volume)"
      : maybe.length > 0
        ? `${maybe.join("; ")}, comes from no docker.Volume, so which container installs the config`
        : undefined;
  if (unresolved !== undefined) {
    return {
      state: "unknown",
      what: unresolved,
      fix:
        "give the volume a literal name, or pass the docker.Volume's `name` output to " +
        "`volumeName` in both the proxy and its installer, so the pack can match them",
    };
  }
  const [one] = installers;
  if (one !== undefined) {
    const via = `container "${one.c.name}", which installs it on ${one.volume}`;
    if (one.cfg.state === "known") {
      return { ...one.cfg, files: one.cfg.files.map((f) => `${f} uploaded to ${via}`) };
    }
    if (one.cfg.state === "unknown") {
      return {
        state: "unknown",
        what: `${one.cfg.what} in container "${one.c.name}", which installs the config`,
        fix: FIX_INSTALLER,
      };
    }
    return { state: "unreadable", why: `in ${via}: ${one.cfg.why}`, fix: FIX_INSTALLER };
  }
  return {
    state: "unreadable",
    why:
      `no \`uploads\` entry holds ${what}, and no other container that mounts its ` +
      `${mine.refs.map((v) => v.label).join(", ")} uploads one`,
    fix: FIX_INSTALLER,
  };
}

const cache = new WeakMap<readonly PolicyResource[], EdgeProxy[]>();

/** The stack's edge proxies (containers that can serve, of a proxy image), each with its config. */
export function edgeProxies(all: readonly PolicyResource[]): EdgeProxy[] {
  let out = cache.get(all);
  if (out === undefined) {
    out = [];
    for (const r of all.filter((x) => x.type === CONTAINER)) {
      const p = raw(r.props);
      const kind = servingProxyKind(p);
      if (kind === undefined) continue;
      const own = uploadedConfig(kind, p);
      out.push({ r, p, kind, config: own.state === "none" ? fromInstaller(r, kind, all) : own });
    }
    cache.set(all, out);
  }
  return out;
}
