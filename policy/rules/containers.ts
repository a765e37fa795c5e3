/**
 * Container runtime hygiene: restart policy, pinned images, no privilege, host namespace or
 * escape capability, no sensitive host mounts, memory limits and log rotation. The rest of the
 * hardening (no-new-privileges, confinement profiles, dropped capabilities, volume binds) is in
 * hardening.ts.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, isProduction, productionProperty, onlyFor } from "../lib/config";
import { escapeCapabilities } from "../lib/capabilities";
import { containerLabel, isOneShot, Props, redisIdentity } from "../lib/docker";
import { extraSensitivePathsConfig } from "../lib/host-paths";
import { containerMounts, judgeMount } from "../lib/mounts";
import { eachContainer } from "../lib/ecs";
import { floatingTagsConfig, unpinnedReason } from "../lib/image";
import { CONTAINER, ECS_TASK_DEFINITION } from "../lib/types";
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

const PIN_FIX =
  'Fix: pin a tag such as "redis:7.4-alpine" or "valkey/valkey:8.1-alpine", or a digest (@sha256:…).';

const dockerImagePinned = onlyFor(CONTAINER, (args, report) => {
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
  const why = unpinnedReason(image, configOf(args, floatingTagsConfig.defaults).floatingTags);
  if (why) {
    report(
      `Container "${args.name}": ${why}, so the next pull can silently change the major version. ${PIN_FIX}`,
    );
  }
});

/**
 * ECS: "When a new task starts, the Amazon ECS container agent pulls the latest version of the
 * specified image and tag" (ECS API reference, ContainerDefinition `image`), and a service
 * resolves tags to digests once per deployment (ContainerImage, "Container image resolution",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerImage.html), so with a
 * floating tag the next deployment of any change ships whatever the tag names by then. The same
 * references and the same `floatingTags` as for Docker containers.
 */
const ecsImagePinned = onlyFor(ECS_TASK_DEFINITION, (args, report) => {
  const { floatingTags } = configOf(args, floatingTagsConfig.defaults);
  eachContainer(args, report, (c, label) => {
    const image = c.def.image;
    if (typeof image !== "string") {
      report(
        `The ${label} has no \`image\`. Fix: set image to a tagged reference such as "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2".`,
      );
      return;
    }
    const why = unpinnedReason(image, floatingTags);
    if (why) {
      report(
        `The ${label}: \`image\` ${why.startsWith("image ") ? why.slice(6) : `is unusable (${why})`}, ` +
          "and ECS resolves it afresh at every deployment: an unrelated change ships an " +
          `unreviewed build. ${PIN_FIX}`,
      );
    }
  });
});

export const containerImagePinned: ResourceValidationPolicy = {
  name: "container-image-pinned",
  description:
    "Container images (Docker containers and ECS task definitions) must name an explicit tag or digest, never latest or no tag.",
  enforcementLevel: "mandatory",
  configSchema: floatingTagsConfig.schema,
  validateResource: [dockerImagePinned, ecsImagePinned],
};

/**
 * Host namespaces a container must not join, and why. CIS Docker Benchmark v1.6.0 §5.9
 * (network), §5.15 (PID), §5.16 (IPC), §5.30 (user); Docker's "Isolate containers with a user
 * namespace" (docs.docker.com/engine/security/userns-remap/: `--userns=host` opts a container
 * out of the remapping).
 */
const HOST_NAMESPACES: readonly { field: string; why: string }[] = [
  {
    field: "pidMode",
    why: "it sees and signals every host process, and with SYS_PTRACE reads their memory",
  },
  { field: "ipcMode", why: "it reads and writes the host's shared memory and message queues" },
  {
    field: "networkMode",
    why:
      "it listens on every host interface, bypassing `ports` and their `ip`, and reaches " +
      "everything bound to the host's loopback, a Redis published on 127.0.0.1 included",
  },
  {
    field: "usernsMode",
    why: "it opts out of the daemon's user-namespace remapping, so root in it is root on the host",
  },
];

export const containerNotPrivileged: ResourceValidationPolicy = {
  name: "container-not-privileged",
  description:
    "Containers must not run privileged, join a host namespace, or add a capability that escapes the container.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const label = containerLabel(args.name, p);
    // redis-not-exposed judges a Redis container's network mode, unknown or host.
    const namespaces = redisIdentity(p).redis
      ? HOST_NAMESPACES.filter((n) => n.field !== "networkMode")
      : HOST_NAMESPACES;
    for (const field of ["privileged", "capabilities", ...namespaces.map((n) => n.field)]) {
      if (containsUnknown(p[field])) {
        report(
          unknownAtPreview(
            `\`${field}\` of ${label}`,
            `set ${field} to a literal value (or leave it unset)`,
          ),
        );
      }
    }
    // CIS 5.4; Docker: "the --privileged flag gives all capabilities to the container" and
    // access to every host device (docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities).
    if (p.privileged === true) {
      report(
        `${label} runs privileged, which gives it root on the host. Fix: remove privileged; add only the specific capability it needs.`,
      );
    }
    for (const { field, why } of namespaces) {
      if (p[field] === "host") {
        report(
          `${label} sets ${field} "host": ${why}. Fix: remove ${field} ` +
            (field === "networkMode"
              ? "and join user-defined networks (networksAdvanced), publishing only the ports it serves."
              : "(Docker's default is a private namespace)."),
        );
      }
    }
    const caps = p.capabilities as Props | undefined;
    const adds = caps && !isUnknown(caps) && Array.isArray(caps.adds) ? caps.adds : [];
    const bad = escapeCapabilities(adds);
    if (bad.length > 0) {
      report(
        `${label} adds ${bad.map((c) => `${c.name} (${c.why})`).join("; ")}. An attacker with ` +
          `code execution in the container gets that (capabilities(7)). Fix: remove ${bad.length > 1 ? "them" : "it"} ` +
          "from capabilities.adds; if a feature really needs one, run that feature in a separate, " +
          "minimal container.",
      );
    }
  }),
};

export const containerNoSensitiveMounts: ResourceValidationPolicy = {
  name: "container-no-sensitive-mounts",
  description:
    "Containers must not mount the Docker socket or a sensitive host path read-write, nor one whose contents alone are a credential.",
  enforcementLevel: "mandatory",
  configSchema: extraSensitivePathsConfig.schema,
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    const label = containerLabel(args.name, p);
    const { extraSensitivePaths } = configOf(args, extraSensitivePathsConfig.defaults);
    const { hostMounts, unknownFields } = containerMounts(p);
    for (const field of unknownFields) {
      report(unknownAtPreview(`\`${field}\` of ${label}`, `declare ${field} as literals`));
    }
    for (const m of hostMounts) {
      for (const msg of judgeMount(label, m, extraSensitivePaths)) report(msg);
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
