/**
 * What a Redis healthcheck may send: only commands that read (a probe that writes fails once
 * Redis is read-only or out of memory), and a `redis-cli ping` must check the reply, since
 * redis-cli exits 0 on NOAUTH and LOADING.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../lib/config";
import { containerLabel } from "../lib/docker";
import { healthcheckOf, Probe, probeInvocations, probeText } from "../lib/healthcheck";
import { CONTAINER } from "../lib/types";
import { raw } from "../lib/unknown";

/** Redis commands a probe may send: they read, never write. */
const READ_ONLY = new Set([
  "ping",
  "echo",
  "info",
  "time",
  "dbsize",
  "role",
  "lastsave",
  "exists",
  "get",
  "ttl",
  "pttl",
  "type",
  "strlen",
  "hello",
  "lolwut",
]);

export function writingProbeCommands(probe: Probe): string[] {
  const bad: string[] = [];
  for (const inv of probeInvocations(probe)) {
    if (inv.options.has("--eval") || inv.options.has("--pipe") || inv.options.has("-x")) {
      bad.push(`${inv.cli} ${[...inv.options.keys()].join(" ")}`);
    } else if (inv.command === undefined) {
      bad.push(`${inv.cli} (interactive, no command)`);
    } else if (!READ_ONLY.has(inv.command)) {
      bad.push(`${inv.cli} ${inv.command}`);
    }
  }
  return bad;
}

export const redisHealthcheckReadOnly: ResourceValidationPolicy = {
  name: "redis-healthcheck-read-only",
  description: "Healthchecks must not send Redis commands that write (incr, set, del, …).",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    // Unknown probes are reported by container-healthcheck-required.
    const bad = writingProbeCommands(healthcheckOf(p).probe);
    if (bad.length > 0) {
      report(
        `The healthcheck of ${containerLabel(args.name, p)} runs "${bad.join('", "')}": every probe ` +
          "writes to Redis (and fails once Redis is read-only or out of memory). Fix: probe with a " +
          'read-only command: "redis-cli ping | grep -qx PONG".',
      );
    }
  }),
};

export const redisHealthcheckChecksReply: ResourceValidationPolicy = {
  name: "redis-healthcheck-checks-reply",
  description:
    "A redis-cli ping probe must check for PONG: redis-cli exits 0 on NOAUTH and other error replies.",
  enforcementLevel: "advisory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const { probe } = healthcheckOf(p);
    const pings = probeInvocations(probe).filter(
      (i) => i.command === "ping" && !i.options.has("-e"),
    );
    if (pings.length > 0 && !/pong/i.test(probeText(probe))) {
      report(
        `The healthcheck of ${containerLabel(args.name, p)} trusts the exit code of "${pings[0]?.cli} ping", ` +
          "which is 0 even when Redis answers NOAUTH or LOADING, so a Redis that rejects the app " +
          'looks healthy. Fix: ["CMD-SHELL", "redis-cli ping | grep -qx PONG"] (with REDISCLI_AUTH for auth).',
      );
    }
  }),
};
