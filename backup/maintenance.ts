/**
 * Maintenance mode from a script, with no `pulumi up` and no restart of the proxy: the flag file
 * on the edge's state volume is rewritten (a temporary file, then a rename) and the proxy's loop
 * reloads HAProxy (components/lib/edge-live.ts). `npm run maintenance` and the restore use it.
 *
 * What `pulumi up` installs wins at the next `up` that changes the edge's files; an `up` that
 * changes nothing there leaves the switch as the script set it.
 */
import type Docker from "dockerode";
import {
  EDGE_FILES,
  EDGE_SCRIPT_PATH,
  EDGE_STATE,
  maintenanceFlag,
} from "../components/lib/edge-live";
import { EDGE_PROXY_DEFAULTS } from "../components/edge-proxy";
import { execIn } from "./docker";

export class MaintenanceError extends Error {}

/** How long to wait for the proxy to load the switched flag, seconds. */
const WAIT_SECONDS = 30;

/** Whether maintenance mode is on in the running proxy's files now. */
export async function maintenanceOn(docker: Docker, edge: string): Promise<boolean> {
  const r = await execIn(docker, edge, ["cat", `${EDGE_STATE.live}/${EDGE_FILES.maintenance}`], {
    user: EDGE_PROXY_DEFAULTS.user,
  });
  if (r.code !== 0) {
    throw new MaintenanceError(
      `cannot read the maintenance switch in ${edge} (exit ${r.code}): ${r.stderr.trim()}; is it the stack's edge proxy, deployed by this version?`,
    );
  }
  return r.stdout.trim() === "on";
}

/**
 * Switches maintenance mode in the edge container `edge` and waits until HAProxy has reloaded
 * with it. Returns whether it was on before.
 */
export async function setMaintenance(docker: Docker, edge: string, on: boolean): Promise<boolean> {
  const before = await maintenanceOn(docker, edge);
  const file = `${EDGE_STATE.live}/${EDGE_FILES.maintenance}`;
  const tmp = `${EDGE_STATE.live}/.${EDGE_FILES.maintenance}.tmp`;
  const r = await execIn(
    docker,
    edge,
    [
      "bash",
      "-c",
      // The loop's count of changes acted on before this one (lib/edge-live.ts, "loaded"), so
      // an old refusal of the same files is not taken for this one's.
      'since=$(sed -n 2p "$6" 2>/dev/null); printf "%s" "$1" >"$2" && mv -f "$2" "$3" && exec bash "$4" wait "$5" "$since"',
      "maintenance",
      maintenanceFlag(on),
      tmp,
      file,
      EDGE_SCRIPT_PATH,
      String(WAIT_SECONDS),
      EDGE_STATE.loaded,
    ],
    { user: EDGE_PROXY_DEFAULTS.user, timeoutMs: (WAIT_SECONDS + 10) * 1_000 },
  );
  if (r.code !== 0) {
    throw new MaintenanceError(
      `maintenance ${on ? "on" : "off"} was written in ${edge}, but the proxy did not load it: ${r.stderr.trim()}`,
    );
  }
  return before;
}
