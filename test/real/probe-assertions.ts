/**
 * The assertion the postmortems were missing. `redis-cli ping` against a
 * password-protected Redis prints `NOAUTH Authentication required.` and exits 0, so a
 * healthcheck that only looks at the exit code calls a locked-out Redis healthy.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { redisCli, runHealthcheck } from "./util";

export interface ProbeTarget {
  /** A running, password-protected redis-server the probe points at. */
  readonly port: number;
  /** The file the probe reads its password from. */
  readonly secretFile: string;
}

/**
 * Throws unless `probe` exits non-zero whenever the server answers NOAUTH. It first
 * proves the server really does answer an unauthenticated PING with NOAUTH and exit 0
 * (the trap), then runs the probe with a wrong and with an empty password in its secret
 * file, and restores the file afterwards.
 */
export async function assertProbeRejectsNoAuth(
  probe: readonly string[],
  target: ProbeTarget,
): Promise<void> {
  const trap = await redisCli(target.port, ["ping"]);
  if (!trap.stdout.includes("NOAUTH") || trap.code !== 0) {
    throw new Error(
      `precondition: expected redis-cli to print NOAUTH and exit 0 against :${target.port}, got exit ${trap.code}: ${trap.stdout}${trap.stderr}`,
    );
  }
  const original = readFileSync(target.secretFile);
  try {
    for (const [label, content] of [
      ["a wrong password", "wrong-password-0123456789"],
      ["an empty password", ""],
    ] as const) {
      writeFileSync(target.secretFile, content);
      const r = await runHealthcheck(probe);
      if (r.code === 0) {
        throw new Error(
          `the probe exited 0 with ${label} in ${target.secretFile}, although Redis answered ` +
            `${JSON.stringify((r.stdout + r.stderr).trim())}: it only checks the exit code, ` +
            "so Docker would report a locked-out Redis as healthy",
        );
      }
    }
  } finally {
    writeFileSync(target.secretFile, original);
  }
}

/**
 * Deliberately broken variants of a generated probe, for proving that the assertion
 * catches them. `exit-code-only` is our probe without its `| grep -qx PONG`; `plain` is
 * the postmortems' `redis-cli ping`.
 */
export function brokenProbe(
  probe: readonly string[],
  kind: "exit-code-only" | "plain",
  port: number,
): string[] {
  if (kind === "plain") return ["CMD-SHELL", `redis-cli -h 127.0.0.1 -p ${port} ping`];
  const script = probe[1] ?? "";
  const stripped = script.replace(/\s*\|\s*grep -qx PONG\s*$/, "");
  if (probe[0] !== "CMD-SHELL" || stripped === script) {
    throw new Error(
      `the generated probe no longer ends in "| grep -qx PONG"; update brokenProbe(): ${script}`,
    );
  }
  return ["CMD-SHELL", stripped];
}
