/**
 * Which verification layers this machine can run. Layers 1–3 (pure functions, Pulumi mocks,
 * the policy analyzer protocol) need only `npm ci`. Layer 4 runs our generated artefacts
 * against real Debian binaries; a fresh machine without them skips it with one line, and
 * CI (CI=true) fails instead, so a green CI always ran it. `bash .ci/run` installs them.
 */
import { accessSync, constants } from "node:fs";
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
};

export function realBinariesLayer(): Layer {
  const missing = Object.keys(REAL_BINARIES).filter((b) => !onPath(b));
  if (missing.length === 0) return { name: "layer 4 (real binaries)", ready: true };
  const pkgs = [...new Set(missing.map((b) => REAL_BINARIES[b]))].join(" ");
  return {
    name: "layer 4 (real binaries)",
    ready: false,
    missing: `${missing.join(", ")} not on PATH; enable it with \`apt-get install -y ${pkgs}\` (or run \`bash .ci/run\`)`,
  };
}
