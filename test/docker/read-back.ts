/**
 * What the provider's Read writes to state from `docker inspect`, which Create ends with, so the
 * next `pulumi up` diffs against it as the bridge does (facts/docker-read.json: each rule's
 * source line in kreuzwerker/terraform-provider-docker v4.5.0 resourceDockerContainerRead,
 * resource_docker_container_funcs.go:750-981, and the network and volume reads). A field Read
 * does not write (envs, labels, networksAdvanced, volumes, uploads, wait, ...) keeps its input.
 */
import { nanoCpusToString } from "../../components/lib/container";

type Props = Record<string, unknown>;

const MIB = 1024 * 1024;

/** Go's time.Duration.String() for nanoseconds: "30s", "1m0s", "1.5s", "500ms", "0s". */
export function goDurationString(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  let u = BigInt(Math.abs(Math.round(ns)));
  const sign = neg ? "-" : "";
  if (u < 1_000_000_000n) {
    // Under a second: the largest unit that keeps an integer part (ns, µs, ms).
    const [unit, div] =
      u < 1_000n ? ["ns", 1n] : u < 1_000_000n ? ["µs", 1_000n] : ["ms", 1_000_000n];
    return `${sign}${fraction(u, div)}${unit}`;
  }
  const h = u / 3_600_000_000_000n;
  u -= h * 3_600_000_000_000n;
  const m = u / 60_000_000_000n;
  u -= m * 60_000_000_000n;
  const s = fraction(u, 1_000_000_000n);
  if (h > 0n) return `${sign}${h}h${m}m${s}s`;
  if (m > 0n) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

/** `n / div` with the fraction's trailing zeros dropped, as Go's fmtFrac does. */
function fraction(n: bigint, div: bigint): string {
  const whole = n / div;
  const rest = n % div;
  if (rest === 0n) return String(whole);
  const digits = String(div).length - 1;
  return `${whole}.${String(rest).padStart(digits, "0").replace(/0+$/, "")}`;
}

const obj = (v: unknown): Props => (v && typeof v === "object" ? (v as Props) : {});
const nonEmpty = (v: unknown) =>
  v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== "";

/** flattenContainerPorts (structures.go:35-59): sorted by port and protocol, one entry per binding. */
function flattenPorts(ports: Props): Props[] {
  const keys = Object.keys(ports).sort((a, b) => {
    const [pa, qa] = a.split("/");
    const [pb, qb] = b.split("/");
    return Number(pa) - Number(pb) || String(qa).localeCompare(String(qb));
  });
  const out: Props[] = [];
  for (const key of keys) {
    const [internal, protocol] = key.split("/");
    for (const b of (ports[key] ?? []) as Props[]) {
      out.push({
        internal: Number(internal),
        external: Number(b.HostPort),
        ip: String(b.HostIp),
        protocol,
      });
    }
  }
  return out;
}

/** resourceDockerContainerRead: the state after create, from the container's inspect. */
export function readContainer(info: Props, inputs: Props): Props {
  const config = obj(info.Config);
  const host = obj(info.HostConfig);
  const state = obj(info.State);
  const hc = info.Config && config.Healthcheck ? obj(config.Healthcheck) : undefined;
  const log = obj(host.LogConfig);
  const restart = obj(host.RestartPolicy);
  const out: Props = {
    ...inputs,
    name: String(info.Name ?? "").replace(/^\//, ""),
    image: String(inputs.image ?? "").startsWith("sha256:") ? info.Image : config.Image,
    command: config.Cmd ?? undefined,
    entrypoints: config.Entrypoint ?? undefined,
    user: config.User,
    hostname: config.Hostname,
    domainname: config.Domainname,
    workingDir: config.WorkingDir,
    stopSignal: config.StopSignal,
    stopTimeout: config.StopTimeout ?? undefined,
    tty: config.Tty,
    stdinOpen: config.OpenStdin,
    restart: restart.Name,
    maxRetryCount: restart.MaximumRetryCount,
    memory: Number(host.Memory ?? 0) / MIB,
    memorySwap:
      Number(host.MemorySwap ?? 0) > 0
        ? Number(host.MemorySwap) / MIB
        : Number(host.MemorySwap ?? 0),
    memoryReservation:
      Number(host.MemoryReservation ?? 0) > 0
        ? Number(host.MemoryReservation) / MIB
        : Number(host.MemoryReservation ?? 0),
    cpuShares: host.CpuShares,
    cpuSet: host.CpusetCpus,
    securityOpts: host.SecurityOpt ?? undefined,
    readOnly: host.ReadonlyRootfs,
    privileged: host.Privileged,
    logDriver: log.Type,
    networkMode: host.NetworkMode,
    tmpfs: host.Tmpfs ?? undefined,
    init: host.Init ?? false,
    shmSize: Number(host.ShmSize ?? 0) / MIB,
    ipcMode: host.IpcMode,
    runtime: host.Runtime,
    dns: host.Dns ?? undefined,
    dnsOpts: host.DnsOptions ?? undefined,
    dnsSearches: host.DnsSearch ?? undefined,
    rm: host.AutoRemove,
    publishAllPorts: host.PublishAllPorts,
    usernsMode: host.UsernsMode,
    groupAdds: host.GroupAdd ?? undefined,
    sysctls: host.Sysctls ?? undefined,
    storageOpts: host.StorageOpt ?? undefined,
  };
  // Only when set: cpus (NanoCPUs > 0), capabilities (either list non-empty).
  if (Number(host.NanoCpus ?? 0) > 0) out.cpus = nanoCpusToString(BigInt(Number(host.NanoCpus)));
  if (nonEmpty(host.CapAdd) || nonEmpty(host.CapDrop)) {
    out.capabilities = { adds: host.CapAdd ?? undefined, drops: host.CapDrop ?? undefined };
  }
  // Only when configured: log_opts (containerLogOptsForState), ports (and the container is
  // running or must_run), ulimits, pid_mode.
  if (nonEmpty(inputs.logOpts) && Object.keys(obj(inputs.logOpts)).length > 0) {
    out.logOpts = log.Config ?? undefined;
  }
  if (nonEmpty(inputs.ports) && (state.Running === true || inputs.mustRun !== false)) {
    out.ports = flattenPorts(obj(obj(info.NetworkSettings).Ports));
  }
  if (hc) {
    out.healthcheck = {
      tests: hc.Test,
      interval: goDurationString(Number(hc.Interval ?? 0)),
      timeout: goDurationString(Number(hc.Timeout ?? 0)),
      startPeriod: goDurationString(Number(hc.StartPeriod ?? 0)),
      startInterval: goDurationString(Number(hc.StartInterval ?? 0)),
      retries: Number(hc.Retries ?? 0),
    };
  }
  // must_run flips to false in state when the container is not running (funcs.go:815-824).
  if (state.Running !== true && inputs.mustRun !== false) out.mustRun = false;
  return out;
}

/** resourceDockerNetworkRead (network_funcs.go:175-...): name, labels, driver, internal, options. */
export function readNetwork(info: Props, inputs: Props): Props {
  const labels = obj(info.Labels);
  return {
    ...inputs,
    name: info.Name,
    labels: Object.entries(labels).map(([label, value]) => ({ label, value })),
    driver: info.Driver,
    internal: info.Internal,
    options: info.Options ?? undefined,
  };
}

/** resourceDockerVolumeRead: name, driver, driver options, labels. */
export function readVolume(info: Props, inputs: Props): Props {
  const labels = obj(info.Labels);
  return {
    ...inputs,
    name: info.Name,
    driver: info.Driver,
    driverOpts: info.Options ?? undefined,
    labels: Object.entries(labels).map(([label, value]) => ({ label, value })),
  };
}
