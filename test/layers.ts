/**
 * Which verification layers this machine can run. Layers 1–3 (pure functions, Pulumi mocks,
 * the policy analyzer protocol) need only `npm ci`. Layer 4 runs our generated artefacts
 * against real Debian binaries; layer 5 runs the stacks on a private Docker engine. A fresh
 * machine without them skips each with one line, and CI (CI=true) fails instead, so a green
 * CI always ran them. `bash .ci/run` installs and starts everything.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export const IN_CI = process.env.CI === "true" || process.env.CI === "1";

export interface Layer {
  readonly name: string;
  readonly ready: boolean;
  /** Why it cannot run, and how to make it run. */
  readonly missing?: string;
}

export function onPath(bin: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    if (dir === "") return false;
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The binaries of layer 4 and the Debian packages that provide them. */
export const REAL_BINARIES: Readonly<Record<string, string>> = {
  "redis-server": "redis-server",
  "redis-cli": "redis-tools",
  curl: "curl",
  openssl: "openssl",
  haproxy: "haproxy",
  // The alpine images' shell and tools: the backup script runs under it in test/real.
  busybox: "busybox",
  // edge.tls: acme (test/real/acme-issuer.test.ts): the pinned goacme/lego:v4.9.1's lego, and
  // Let's Encrypt's ACME test server with its DNS stand-in.
  lego: "lego",
  pebble: "pebble",
  "pebble-challtestsrv": "pebble",
};

/**
 * promtool, amtool and redis_exporter at the pinned images' versions, which Debian 12 does not
 * carry: test/real/prom-tools.sh unpacks Debian 13's into this directory.
 */
export const PROM_TOOLS_BIN = join(
  process.env.API_STACK_PROMTOOLS ?? "/var/tmp/api-stack-promtools",
  "bin",
);
export const PROM_TOOLS = ["promtool", "amtool", "redis_exporter"] as const;

export function promTool(name: (typeof PROM_TOOLS)[number]): string {
  return join(PROM_TOOLS_BIN, name);
}

export function realBinariesLayer(): Layer {
  const missing = Object.keys(REAL_BINARIES).filter((b) => !onPath(b));
  const tools = PROM_TOOLS.filter((t) => !existsSync(promTool(t)));
  if (missing.length === 0 && tools.length === 0)
    return { name: "layer 4 (real binaries)", ready: true };
  const pkgs = [...new Set(missing.map((b) => REAL_BINARIES[b]))].join(" ");
  const how = [
    ...(missing.length > 0 ? [`\`apt-get install -y ${pkgs}\``] : []),
    ...(tools.length > 0 ? ["`bash test/real/prom-tools.sh`"] : []),
  ].join(" and ");
  return {
    name: "layer 4 (real binaries)",
    ready: false,
    missing: `${[...missing, ...tools.map((t) => promTool(t))].join(", ")} not found; enable it with ${how} (or run \`bash .ci/run\`)`,
  };
}

/** The private engine's socket (test/docker/engine.sh); API_STACK_DOCKER_HOST overrides it. */
export const DOCKER_SOCKET =
  process.env.API_STACK_DOCKER_HOST?.replace(/^unix:\/\//, "") ??
  "/var/tmp/api-stack-docker/docker.sock";

export function dockerEngineLayer(): Layer {
  if (existsSync(DOCKER_SOCKET)) return { name: "layer 5 (Docker engine)", ready: true };
  return {
    name: "layer 5 (Docker engine)",
    ready: false,
    missing: `no private engine at ${DOCKER_SOCKET}; enable it with \`apt-get install -y runc tini iptables debootstrap && test/docker/engine.sh start && DOCKER_HOST=unix://${DOCKER_SOCKET} test/docker/images/build.sh\` (as root; engine.sh fetches Docker Engine 26 from Debian trixie), or run \`bash .ci/run\``,
  };
}
