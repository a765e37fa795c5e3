/**
 * Container runtime hygiene: restart policy, pinned images, no privilege, no sensitive host
 * mounts, memory limits and log rotation.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, isProduction, productionProperty, onlyFor } from "../lib/config";
import { containerLabel, CONTAINER, isOneShot, Props } from "../lib/docker";
import { sensitiveHostPath } from "../lib/host-paths";
import { unpinnedReason } from "../lib/image";
import { containsUnknown, isUnknown, raw, unknownAtPreview } from "../lib/unknown";

export const containerRestartPolicy: ResourceValidationPolicy = {
  name: "container-restart-policy",
  description:
    "Long-running containers must restart on failure in production; on-failure needs a retry cap.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { ...productionProperty } },
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    if (isOneShot(p)) {
      return;
    }
    const label = containerLabel(args.name, p);
    const restart = p.restart;
    if (isUnknown(restart)) {
      report(
        unknownAtPreview(
          `\`restart\` of ${label}`,
          'set restart to a literal such as "unless-stopped"',
        ),
      );
      return;
    }
    if (
      isProduction(args) &&
      (restart === undefined || restart === null || restart === "" || restart === "no")
    ) {
      report(
        `${label} has restart ${restart ? '"no"' : 'unset (Docker\'s default is "no")'}, so a crash or ` +
          'host reboot leaves it down in production. Fix: set restart: "unless-stopped" (or "always").',
      );
    }
    if (restart === "on-failure") {
      if (isUnknown(p.maxRetryCount)) {
        report(unknownAtPreview(`\`maxRetryCount\` of ${label}`, "set a literal retry count"));
      } else if (typeof p.maxRetryCount !== "number" || p.maxRetryCount <= 0) {
        report(
          `${label} uses restart "on-failure" without maxRetryCount > 0, so a crash loop restarts ` +
            'forever and hides the failure. Fix: set maxRetryCount (e.g. 5) or use "unless-stopped" ' +
            "with a healthcheck.",
        );
      }
    }
  }),
};

const imageDefaults = { floatingTags: ["latest"] as string[] };

export const containerImagePinned: ResourceValidationPolicy = {
  name: "container-image-pinned",
  description: "Container images must name an explicit tag or digest, never latest or no tag.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { floatingTags: { type: "array", items: { type: "string" }, default: ["latest"] } },
  },
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const image = p.image;
    if (isUnknown(image)) {
      return; // Deferred: unknown-value-provenance checks the RemoteImage/Image it came from.
    }
    if (typeof image !== "string") {
      report(
        `Container "${args.name}" has no image. Fix: set image to a tagged reference such as "redis:7.4-alpine".`,
      );
      return;
    }
    const why = unpinnedReason(image, configOf(args, imageDefaults).floatingTags);
    if (why) {
      report(
        `Container "${args.name}": ${why}, so the next pull can silently change the major version. ` +
          'Fix: pin a tag such as "redis:7.4-alpine" or "valkey/valkey:8.1-alpine", or a digest (@sha256:…).',
      );
    }
  }),
};

const DANGEROUS_CAPS = new Set([
  "ALL",
  "SYS_ADMIN",
  "CAP_SYS_ADMIN",
  "SYS_PTRACE",
  "CAP_SYS_PTRACE",
  "NET_ADMIN",
  "CAP_NET_ADMIN",
]);

export const containerNotPrivileged: ResourceValidationPolicy = {
  name: "container-not-privileged",
  description:
    "Containers must not run privileged, with host PID/IPC namespaces, or with admin capabilities.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const label = containerLabel(args.name, p);
    for (const field of ["privileged", "pidMode", "ipcMode", "capabilities"]) {
      if (containsUnknown(p[field])) {
        report(
          unknownAtPreview(
            `\`${field}\` of ${label}`,
            `set ${field} to a literal value (or leave it unset)`,
          ),
        );
      }
    }
    if (p.privileged === true) {
      report(
        `${label} runs privileged, which gives it root on the host. Fix: remove privileged; add only the specific capability it needs.`,
      );
    }
    for (const field of ["pidMode", "ipcMode"]) {
      if (p[field] === "host") {
        report(
          `${label} shares the host's ${field === "pidMode" ? "PID" : "IPC"} namespace. Fix: remove ${field}.`,
        );
      }
    }
    const caps = p.capabilities as Props | undefined;
    const adds = caps && !isUnknown(caps) && Array.isArray(caps.adds) ? caps.adds : [];
    const bad = adds.filter(
      (c): c is string => typeof c === "string" && DANGEROUS_CAPS.has(c.toUpperCase()),
    );
    if (bad.length > 0) {
      report(
        `${label} adds capabilities ${bad.join(", ")}. Fix: drop them; grant only narrowly scoped capabilities.`,
      );
    }
  }),
};

const mountDefaults = { extraSensitivePaths: [] as string[] };

export const containerNoSensitiveMounts: ResourceValidationPolicy = {
  name: "container-no-sensitive-mounts",
  description:
    "Containers must not mount the Docker socket or sensitive host paths (/, /etc, /proc, /sys, /root, /run…).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { extraSensitivePaths: { type: "array", items: { type: "string" }, default: [] } },
  },
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const label = containerLabel(args.name, p);
    const { extraSensitivePaths } = configOf(args, mountDefaults);
    const sources: { path: unknown; where: string }[] = [];
    for (const [field, list, key] of [
      ["mounts", p.mounts, "source"],
      ["volumes", p.volumes, "hostPath"],
      ["devices", p.devices, "hostPath"],
    ] as const) {
      if (isUnknown(list)) {
        report(unknownAtPreview(`\`${field}\` of ${label}`, `declare ${field} as literals`));
        continue;
      }
      (Array.isArray(list) ? list : []).forEach((m, i) => {
        const entry = (isUnknown(m) ? { [key]: m } : (m ?? {})) as Props;
        if (
          field === "mounts" &&
          entry.type !== undefined &&
          entry.type !== "bind" &&
          !isUnknown(entry.type)
        ) {
          return; // volume/tmpfs mounts do not expose host paths.
        }
        sources.push({ path: entry[key], where: `${field}[${i}]` });
      });
    }
    for (const s of sources) {
      if (isUnknown(s.path)) {
        report(
          unknownAtPreview(`The host path of ${s.where} of ${label}`, "use a literal host path"),
        );
      } else if (typeof s.path === "string" && sensitiveHostPath(s.path, extraSensitivePaths)) {
        report(
          `${label} mounts host path ${s.path} (${s.where}); ${s.path.endsWith(".sock") ? "the Docker socket is root on the host" : "that exposes or lets it alter the host"}. ` +
            "Fix: remove the mount; use a named volume or `uploads` for the files it needs.",
        );
      }
    }
  }),
};

const memoryDefaults = { production: true, minMemoryMb: 16 };

export const containerMemoryLimit: ResourceValidationPolicy = {
  name: "container-memory-limit",
  description: "Long-running containers must set a memory limit in production.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...productionProperty,
      minMemoryMb: { type: "integer", minimum: 4, default: 16 },
    },
  },
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const cfg = configOf(args, memoryDefaults);
    if (!cfg.production || isOneShot(p)) {
      return;
    }
    const label = containerLabel(args.name, p);
    if (isUnknown(p.memory)) {
      report(unknownAtPreview(`\`memory\` of ${label}`, "set memory (MB) to a literal"));
    } else if (typeof p.memory !== "number" || p.memory < cfg.minMemoryMb) {
      report(
        `${label} has no memory limit in production, so a leak (or Redis without maxmemory) can take the ` +
          `whole host down. Fix: set memory (in MB, at least ${cfg.minMemoryMb}); for Redis also set maxmemory below it.`,
      );
    }
  }),
};

export const containerLogRotation: ResourceValidationPolicy = {
  name: "container-log-rotation",
  description:
    "Containers using the json-file log driver must rotate logs (logOpts max-size and max-file).",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    if (p.rm === true) {
      return;
    }
    const label = containerLabel(args.name, p);
    if (isUnknown(p.logDriver) || containsUnknown(p.logOpts)) {
      report(unknownAtPreview(`The log settings of ${label}`, "set logDriver/logOpts as literals"));
      return;
    }
    const driver =
      typeof p.logDriver === "string" && p.logDriver !== "" ? p.logDriver : "json-file";
    if (driver !== "json-file") {
      return; // local rotates by default; journald/syslog/awslogs ship elsewhere.
    }
    const opts = (p.logOpts ?? {}) as Props;
    const missing = ["max-size", "max-file"].filter(
      (k) => typeof opts[k] !== "string" || opts[k] === "",
    );
    if (missing.length > 0) {
      report(
        `${label} logs with json-file without ${missing.join(" and ")}, so its log grows until the disk ` +
          'is full. Fix: logOpts: { "max-size": "10m", "max-file": "3" } (or logDriver "local").',
      );
    }
  }),
};

export const containerPolicies = [
  containerRestartPolicy,
  containerImagePinned,
  containerNotPrivileged,
  containerNoSensitiveMounts,
  containerMemoryLimit,
  containerLogRotation,
];
