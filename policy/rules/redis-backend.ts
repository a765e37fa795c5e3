/**
 * Every REDIS_URL/REDIS_HOST an app container uses points at a Redis this stack defines (a
 * Redis container or an ElastiCache cache) or at an external host.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/config";
import { Props, redisIdentity } from "../lib/docker";
import { parseEnvs } from "../lib/env";
import { sourcesOf } from "../lib/provenance";
import { redisUrls } from "../lib/secrets";
import { CACHE_CLUSTER, CONTAINER, REPLICATION_GROUP, SERVERLESS_CACHE } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";

const REDIS_ENV = /^(REDIS|VALKEY|CACHE)_(URL|URI|HOST|ADDR|ADDRESS|ENDPOINT)$|^REDIS$/;

/** Names by which a container is reachable on Docker networks. */
function containerNames(p: Props): { names: string[]; unknown: boolean } {
  const names: string[] = [];
  let unknown = false;
  const add = (v: unknown): void => {
    if (isUnknown(v)) {
      unknown = true;
    } else if (typeof v === "string") {
      names.push(v);
    }
  };
  add(p.name);
  add(p.hostname);
  if (isUnknown(p.networksAdvanced)) {
    unknown = true;
  }
  for (const n of Array.isArray(p.networksAdvanced) ? p.networksAdvanced : []) {
    const aliases = (n as Props | null)?.aliases;
    if (isUnknown(aliases)) {
      unknown = true;
    }
    (Array.isArray(aliases) ? aliases : []).forEach(add);
  }
  return { names, unknown };
}

const CACHE_TYPES = new Set([REPLICATION_GROUP, SERVERLESS_CACHE, CACHE_CLUSTER]);

/** A Redis server: a Redis container or an ElastiCache cache (not its users, groups, subnets). */
function isRedisBackend(r: PolicyResource): boolean {
  return (r.type === CONTAINER && redisIdentity(raw(r.props)).redis) || CACHE_TYPES.has(r.type);
}

/**
 * The hosts a REDIS_URL/REDIS_HOST value names. IP literals (v4, v6, bracketed) and FQDNs come
 * back as they are; only a single DNS label can be a Docker container name.
 */
export function redisEnvHosts(value: string): string[] {
  const urls = redisUrls(value);
  if (urls.length > 0) {
    return urls.map((u) => u.host);
  }
  const v = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    try {
      return [new URL(v).hostname]; // Another scheme (unix://, tcp://): "" or its host.
    } catch {
      return [""];
    }
  }
  if (v.startsWith("[") || (v.match(/:/g) ?? []).length > 1) {
    return [v]; // IPv6 literal, optionally [bracketed]:port.
  }
  return [v.split(":")[0] ?? ""];
}

const backendDefaults = { externalBackendTypes: ["api-stack:components:ExternalRedis"] };

/**
 * Unknown `envs` (one Output built from several values, unknown at a first preview while e.g. a
 * RandomId is not created yet) pass when they depend on a Redis container or ElastiCache cache,
 * or when the stack declares an external Redis (`externalBackendTypes`): a URL read from config
 * leaves no trace in the resource graph, so the declaration is the only evidence at preview.
 * Known values are always judged (FQDN/IP = external; a single label must be a Redis container).
 */
export const redisBackendDefined: StackValidationPolicy = {
  name: "redis-backend-defined",
  description:
    "Every REDIS_URL/REDIS_HOST an app container uses must point at a Redis defined in this stack or an external host.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      externalBackendTypes: {
        type: "array",
        items: { type: "string" },
        default: backendDefaults.externalBackendTypes,
        description:
          "Resource types (e.g. a component) that declare a Redis outside the stack, reached by a URL from config.",
      },
    },
  },
  validateStack: (args, report) => {
    const { externalBackendTypes } = configOf(args, backendDefaults);
    const external = args.resources.some((r) => externalBackendTypes.includes(r.type));
    const containers = args.resources.filter((r) => r.type === CONTAINER);
    const known = new Map<string, PolicyResource>();
    let namesUnknown = false;
    for (const c of containers) {
      const { names, unknown } = containerNames(raw(c.props));
      names.forEach((n) => known.set(n, c));
      namesUnknown = namesUnknown || unknown;
    }
    for (const c of containers) {
      const p = raw(c.props);
      if (isRedisBackend(c)) {
        continue;
      }
      const envs = parseEnvs(p.envs);
      const fromBackend = (): boolean =>
        sourcesOf(c, "envs", args.resources, true).some(isRedisBackend);
      const visible = envs.vars.some((v) => REDIS_ENV.test(v.name));
      if (envs.unknown && !visible && !external && !fromBackend()) {
        report(
          unknownAtPreview(
            `\`envs\` of container "${c.name}" (which may carry REDIS_URL) and its provenance ` +
              "could not be established: it depends on no Redis container or ElastiCache cache " +
              "(ReplicationGroup, ServerlessCache)",
            "build REDIS_URL from the Redis component's outputs so the dependency is visible",
          ),
          c.urn,
        );
        continue;
      }
      for (const v of envs.vars.filter((x) => REDIS_ENV.test(x.name))) {
        for (const host of redisEnvHosts(v.value)) {
          if (host.includes(".") || host.includes(":") || host === "localhost" || host === "") {
            continue; // FQDN or IP: an external Redis, out of this stack's hands.
          }
          const target = known.get(host);
          if (target && isRedisBackend(target)) {
            continue;
          }
          if (!target && namesUnknown && fromBackend()) {
            continue;
          }
          report(
            target
              ? `Container "${c.name}" sets ${v.name} to host "${host}", which is container ` +
                  `"${target.name}", not Redis/Valkey. Fix: point it at the Redis container's name.`
              : `Container "${c.name}" sets ${v.name} to host "${host}", but no container in this ` +
                  "stack is named or aliased so: Redis was never defined. Fix: add the Redis " +
                  "component (or ElastiCache) and build the URL from its outputs.",
            c.urn,
          );
        }
      }
    }
  },
};
