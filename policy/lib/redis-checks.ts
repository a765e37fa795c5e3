/**
 * The verdicts on one Redis container that a resource rule gives when the container's values
 * are known at preview and the `unknown-value-provenance` stack rule gives again once it has
 * established where the deferred values come from: `redis-requires-auth` and
 * `redis-not-exposed`. One function each, so both routes say the same thing.
 */
import { Props } from "./docker";
import { hostIpProblem, isLoopback } from "./network";
import { analyzeRedisAuth } from "./redis-auth";
import { containsUnknown, isUnknown, unknownAtPreview } from "./unknown";

const FIX_AUTH =
  'upload a redis.conf with "user default on >PASSWORD ~* &* +@all" (or "requirepass PASSWORD") and ' +
  'start the server with it, or run redis-server --requirepass "$REDIS_PASSWORD"; take PASSWORD from a ' +
  "random.RandomPassword secret";

/** Violations of `redis-requires-auth` for one container (empty when it passes or defers). */
export function checkRedisAuth(label: string, p: Props): string[] {
  const auth = analyzeRedisAuth(p);
  if (auth.explicitOpen.length > 0) {
    return [
      `Redis ${label} sets ${auth.explicitOpen.join(", ")}, so anyone who reaches it can read and ` +
        `write every key. Fix: remove it and ${FIX_AUTH}.`,
    ];
  }
  if (auth.requiresAuth) {
    return [];
  }
  if (auth.unresolved.length > 0) {
    return [
      `Redis ${label}: authentication cannot be verified because redis-server reads ` +
        `${auth.unresolved.join("; ")}. Fix: pass the configuration through \`uploads\` and ` +
        `\`command\` so it can be checked, and ${FIX_AUTH}.`,
    ];
  }
  if (auth.unknownFields.length > 0) {
    // Deferred: `${fields}` are unknown at preview; unknown-value-provenance judges their source.
    return [];
  }
  const notes = auth.notes.length > 0 ? ` (${auth.notes.join("; ")})` : "";
  return [
    `Redis ${label} accepts connections without a password: ACL user(s) ` +
      `${auth.openUsers.map((u) => `"${u}"`).join(", ")} need none${notes}. Fix: ${FIX_AUTH}.`,
  ];
}

const FIX_EXPOSURE =
  "remove the port mapping and reach Redis over an internal Docker network (networksAdvanced); " +
  'for local debugging in dev only, bind it to loopback with ip: "127.0.0.1"';

/** Violations of `redis-not-exposed` for one Redis container. */
export function checkRedisExposure(label: string, p: Props, production: boolean): string[] {
  const out: string[] = [];
  if (isUnknown(p.networkMode)) {
    out.push(unknownAtPreview(`\`networkMode\` of Redis ${label}`, "use a literal network mode"));
  } else if (p.networkMode === "host") {
    out.push(
      `Redis ${label} uses networkMode "host", so it listens on every host interface. Fix: ${FIX_EXPOSURE}.`,
    );
  }
  if (isUnknown(p.publishAllPorts)) {
    out.push(
      unknownAtPreview(`\`publishAllPorts\` of Redis ${label}`, "set it to a literal false"),
    );
  } else if (p.publishAllPorts === true) {
    out.push(
      `Redis ${label} sets publishAllPorts, which publishes 6379 on 0.0.0.0. Fix: ${FIX_EXPOSURE}.`,
    );
  }
  const ports = p.ports;
  if (isUnknown(ports)) {
    out.push(
      unknownAtPreview(`\`ports\` of Redis ${label}`, "declare port mappings as literals, or none"),
    );
    return out;
  }
  if (!Array.isArray(ports)) {
    return out;
  }
  for (const port of ports) {
    if (containsUnknown(port)) {
      out.push(
        unknownAtPreview(
          `A port mapping of Redis ${label}`,
          "declare port mappings as literals, or none",
        ),
      );
      continue;
    }
    const pm = (port ?? {}) as Props;
    const ip = typeof pm.ip === "string" && pm.ip !== "" ? pm.ip : undefined;
    const where = `${ip ?? "0.0.0.0"}:${String(pm.external ?? "(random)")}->${String(pm.internal)}`;
    const exposed = !isLoopback(ip);
    const invalid = ip === undefined ? undefined : hostIpProblem(ip);
    if (production || exposed) {
      const why = [
        invalid !== undefined
          ? `on an address Docker will not bind as loopback: ${invalid}`
          : exposed
            ? `on a non-loopback address${ip ? "" : " (an unset \`ip\` means 0.0.0.0)"}`
            : undefined,
        production ? "in production, where Redis must not be published at all" : undefined,
      ].filter((x) => x !== undefined);
      out.push(
        `Redis ${label} publishes port ${where} ${why.join(" and ")}. Fix: ` +
          (production
            ? "remove `ports` and connect over the internal Docker network."
            : `${FIX_EXPOSURE}.`),
      );
    }
  }
  return out;
}
