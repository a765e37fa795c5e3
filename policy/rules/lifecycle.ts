/**
 * What happens to a container after its first start: replaced, restarted, reached. Each rule
 * is a fact about the Docker provider, an image or the engine that a first `pulumi up` does
 * not show and a second one does; each cites where the fact comes from.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../lib/config";
import { containerLabel, isOneShot, Props, redisIdentity } from "../lib/docker";
import { CONTAINER, NETWORK } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";

/** Docker's own stop timeout when a container sets none (`docker stop` default). */
const DOCKER_DEFAULT_STOP_S = 10;

/**
 * kreuzwerker/terraform-provider-docker (v4.5.0, which @pulumi/docker 5.x wraps),
 * resource_docker_container_funcs.go, resourceDockerContainerDelete: the container is stopped
 * with `StopOptions{Timeout: destroy_grace_seconds}`, 0 when unset, and that explicit timeout
 * overrides the container's own StopTimeout. Every replace and destroy goes through it.
 */
export const containerDestroyGrace: ResourceValidationPolicy = {
  name: "container-destroy-grace",
  description:
    "Containers must set destroyGraceSeconds to at least their stop timeout, or every replace and destroy SIGKILLs them.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    if (isOneShot(p)) return;
    const label = containerLabel(args.name, p);
    if (isUnknown(p.destroyGraceSeconds) || isUnknown(p.stopTimeout)) {
      report(
        unknownAtPreview(
          `\`destroyGraceSeconds\` or \`stopTimeout\` of ${label}`,
          "set both as literal numbers",
        ),
      );
      return;
    }
    const stop = typeof p.stopTimeout === "number" && p.stopTimeout > 0 ? p.stopTimeout : undefined;
    const wanted = stop ?? DOCKER_DEFAULT_STOP_S;
    const grace = typeof p.destroyGraceSeconds === "number" ? p.destroyGraceSeconds : 0;
    if (grace >= wanted) return;
    report(
      `${label} has destroyGraceSeconds ${grace === 0 ? "unset" : grace}, so the Docker provider ` +
        `stops it on every replace and destroy ${grace === 0 ? "with a 0 s timeout: an immediate SIGKILL" : `after ${grace} s`}, ` +
        `whatever stopTimeout (${stop === undefined ? "unset, Docker's 10 s" : `${stop} s`}) says; in-flight requests ` +
        `and unflushed writes are lost. Fix: set destroyGraceSeconds: ${wanted} (the stop timeout).`,
    );
  }),
};

const ROOT_USERS = new Set(["", "0", "root"]);
const capName = (c: unknown) => String(c).toUpperCase().replace(/^CAP_/, "");

/**
 * docker-library/redis docker-entrypoint.sh (valkey-io/valkey-container docker-entrypoint.sh
 * does the same for `valkey`, stepping down with setpriv): started as root, it runs
 * `find . \! -user redis -exec chown redis '{}' +` in /data under `set -e`,
 * then drops to redis with umask 0077. After the first start /data/appendonlydir is 0700
 * redis; root with every capability dropped (no DAC_READ_SEARCH/DAC_OVERRIDE) cannot enter
 * it, `find` exits 1 and so does the container, on every restart and replacement after the
 * first. Started as the redis uid, the entrypoint execs the server directly.
 */
export const redisEntrypointCanRestart: ResourceValidationPolicy = {
  name: "redis-entrypoint-can-restart",
  description:
    "A Redis/Valkey container that drops all capabilities must run as the image's redis user, or its entrypoint fails on every restart.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    if (!redisIdentity(p).redis) return;
    const label = containerLabel(args.name, p);
    if (isUnknown(p.user) || isUnknown(p.capabilities)) {
      report(unknownAtPreview(`\`user\` or \`capabilities\` of ${label}`, "set both as literals"));
      return;
    }
    const user = typeof p.user === "string" ? p.user.split(":")[0]!.trim() : "";
    if (!ROOT_USERS.has(user)) return;
    const caps = (p.capabilities ?? {}) as Props;
    const drops = Array.isArray(caps.drops) ? caps.drops.map(capName) : [];
    const adds = Array.isArray(caps.adds) ? caps.adds.map(capName) : [];
    if (!drops.includes("ALL")) return;
    if (adds.includes("DAC_OVERRIDE") || adds.includes("DAC_READ_SEARCH") || adds.includes("ALL"))
      return;
    report(
      `${label} runs as root with every capability dropped, so the image's entrypoint (which ` +
        "chowns /data with find before dropping to redis) cannot enter the 0700 appendonlydir " +
        "of an earlier start and exits 1: the first `up` works, every restart and replacement " +
        'crash-loops. Fix: set user: "999" (the official images\' redis/valkey uid, which owns ' +
        "/data) and add no capability.",
    );
  }),
};

/** The names of the networks a container joins, as literal strings where known. */
function joinedNetworks(p: Props): unknown[] {
  return Array.isArray(p.networksAdvanced)
    ? p.networksAdvanced.map((n) => (n as Props | null)?.name)
    : [];
}

/**
 * moby/moby#36174: Docker publishes no port of a container whose networks are all
 * `internal`; `docker port` prints nothing and nothing listens on the host. The networks are
 * matched by where the container's `networksAdvanced` came from (its property dependencies),
 * so the rule holds at preview, when auto-generated network names are still unknown.
 */
export const publishedPortsReachable: StackValidationPolicy = {
  name: "published-ports-reachable",
  description:
    "A container that publishes ports must be on at least one non-internal network, or Docker never publishes them.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const networks = args.resources.filter((r) => r.type === NETWORK);
    for (const c of args.resources.filter((r) => r.type === CONTAINER)) {
      const p = raw(c.props);
      const ports = Array.isArray(p.ports) ? p.ports : [];
      if (ports.length === 0 || (typeof p.networkMode === "string" && p.networkMode !== "")) {
        continue;
      }
      const joined = joinedNetworks(p);
      if (joined.length === 0) continue; // the default bridge network publishes
      const fromDeps = (c.propertyDependencies.networksAdvanced ?? []).filter(
        (d) => d.type === NETWORK,
      );
      const byName = joined
        .filter((n): n is string => typeof n === "string" && !isUnknown(n))
        .map((n) => networks.find((net) => raw(net.props).name === n))
        .filter((n): n is PolicyResource => n !== undefined);
      const matched = new Set([...fromDeps, ...byName].map((n) => n.urn));
      // Only judge when every joined network is one of this stack's: an external network
      // may well be routable.
      if (matched.size < joined.length) continue;
      const nets = networks.filter((n) => matched.has(n.urn));
      if (!nets.every((n) => raw(n.props).internal === true)) continue;
      report(
        `${containerLabel(c.name, p)} publishes ${ports.length} port(s) but is only on internal ` +
          `network(s) (${nets.map((n) => n.name).join(", ")}): Docker publishes no port of such a ` +
          "container (moby/moby#36174), so nothing will answer on the host. Fix: also attach a " +
          "non-internal network (a dedicated one, not the API's), or remove the port.",
        c.urn,
      );
    }
  },
};

/**
 * Values Docker reads as something else, or refuses at start:
 * - `stopTimeout: 0`: the provider reads it with `d.GetOk("stop_timeout")`, for which 0 is
 *   unset, so Docker's default 10 s applies (resourceDockerContainerCreate);
 * - `cpus` below 0.01: the CFS quota would be under 1 ms per 100 ms period, which the kernel
 *   refuses (kernel/sched/core.c, tg_set_cfs_bandwidth: min_cfs_quota_period), so the
 *   container never starts.
 */
export const containerDockerLimits: ResourceValidationPolicy = {
  name: "container-docker-limits",
  description: "Container stopTimeout and cpus must mean to Docker what they say.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const label = containerLabel(args.name, p);
    if (p.stopTimeout === 0) {
      report(
        `${label} has stopTimeout 0, which the Docker provider reads as unset, so Docker's 10 s ` +
          "applies, not an immediate stop. Fix: set the grace you mean, e.g. 30, and destroyGraceSeconds to match.",
      );
    }
    if (typeof p.cpus === "string" && !isUnknown(p.cpus) && p.cpus !== "") {
      const cpus = Number(p.cpus);
      if (!(cpus >= 0.01)) {
        report(
          `${label} has cpus "${p.cpus}": below 0.01 the CFS quota is under the kernel's 1 ms ` +
            'minimum per 100 ms period, so the container does not start. Fix: cpus of at least "0.01", e.g. "0.5".',
        );
      }
    }
  }),
};
