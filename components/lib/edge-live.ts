/**
 * How the edge proxy takes a new config, certificate or maintenance switch without a restart.
 *
 * The files HAProxy serves live on a named volume (EDGE_STATE.dir), not in the container's
 * image layer, so changing them does not change the container: the provider's `upload` is
 * ForceNew, and uploading them would replace the proxy (kreuzwerker/terraform-provider-docker
 * v4.5.0, resource_docker_container.go, "upload": ForceNew: true). The proxy's first process is
 * this script (`run`): it starts HAProxy in master-worker mode and, when a file in the live
 * directory changes, checks the new set with `haproxy -c` and reloads the master with SIGUSR2.
 *
 * HAProxy 3.0's manual (haproxy/haproxy v3.0.0, doc/management.txt; 3.0.x changes only fixes):
 * - section 3, "-W": master-worker mode, where "you can reload HAProxy directly by sending a
 *   SIGUSR2 signal to the master";
 * - section 4, "Stopping and restarting HAProxy": on SIGUSR2 the master re-executes itself
 *   "with the -sf parameter followed by the PIDs of the workers": the old workers stop
 *   gracefully, finishing their connections, while the new ones serve;
 * - section 3, "-x <unix_socket>": "In master-worker mode ... the master will use
 *   automatically this option upon a reload with the "sockpair@" syntax": the new workers
 *   take over the old ones' listening sockets instead of binding again, so the two windows
 *   section 4 describes (a port briefly unbound, a backlog dropped on close) do not open;
 * - section 4: SIGUSR1 is the graceful stop, which Docker sends as the image's STOPSIGNAL;
 *   the script passes it on to the master.
 * configuration.txt 2.3, "Environment variables": "${EDGE_LIVE}" in double quotes is expanded,
 * which lets the installer check a new set where it was uploaded before it installs it.
 *
 * The installer (`install`) is a small container of the same image that each `pulumi up`
 * replaces when the rendered files change: it checks them, copies each into the live
 * directory with an atomic rename, and waits until the running proxy has loaded them, so a set
 * HAProxy refuses fails the `up` instead of being ignored.
 */

import { EDGE_CFG_FILES } from "./haproxy-cfg";

/** Where the state volume is mounted, in every container that uses it. */
export const EDGE_STATE = {
  /**
   * The official image creates /var/lib/haproxy owned by haproxy (uid 99), so a new volume
   * mounted there is owned by uid 99 too (Docker copies the mount point's ownership into an
   * empty volume: moby daemon/volumes_unix.go, copyExistingContents → copyOwnership).
   */
  dir: "/var/lib/haproxy",
  /** The files HAProxy reads. */
  live: "/var/lib/haproxy/live",
  /** The digest of the live files the running HAProxy last loaded, or a refusal. */
  loaded: "/var/lib/haproxy/loaded",
  /** The digest of the set the installer last installed. */
  installed: "/var/lib/haproxy/installed",
} as const;

/**
 * The files in the live directory, by role: haproxy.cfg, and those it reads (the maintenance
 * flag holds the ACL's one pattern, "on", or nothing).
 */
export const EDGE_FILES = { cfg: "haproxy.cfg", ...EDGE_CFG_FILES } as const;

/** Where the installer's uploads land, in its own container, before they are installed. */
export const EDGE_UPLOAD_DIR = "/usr/local/etc/haproxy/next";

/** The script, in both containers. */
export const EDGE_SCRIPT_PATH = "/usr/local/bin/edge-live";

/** The environment variable haproxy.cfg names its files by. */
export const EDGE_LIVE_ENV = "EDGE_LIVE";

/** How often the proxy looks for changed files, and how long an `up` waits for the reload. */
export const EDGE_RELOAD = { pollSeconds: 1, installWaitSeconds: 60 } as const;

/** Where the installer marks itself done, for its healthcheck. */
export const EDGE_INSTALLED_MARK = "/tmp/edge-installed";

/** A path under EDGE_STATE.dir, relative to it. */
const rel = (path: string): string => path.slice(EDGE_STATE.dir.length + 1);

/**
 * The script both containers run, as `edge-live run` (the proxy) or `edge-live install`
 * (the installer), and `edge-live wait` (a script's check that a change was loaded). It uses
 * only what the official image has: bash and coreutils (test/docker/images/manifests.json,
 * haproxy:3.0.11 "binaries").
 */
export function renderEdgeLiveScript(): string {
  return `#!/bin/bash
# api-stack edge: serve ${EDGE_STATE.live}, reload HAProxy when it changes
# (components/lib/edge-live.ts). EDGE_STATE_DIR and EDGE_INSTALLED_MARK move it for tests.
set -u
state=\${EDGE_STATE_DIR:-${EDGE_STATE.dir}}
live=$state/${rel(EDGE_STATE.live)}
loaded=$state/${rel(EDGE_STATE.loaded)}
installed=$state/${rel(EDGE_STATE.installed)}
mark=\${EDGE_INSTALLED_MARK:-${EDGE_INSTALLED_MARK}}
poll=\${EDGE_POLL_SECONDS:-${EDGE_RELOAD.pollSeconds}}

# One digest for the whole set: a file's name and content. Names starting with "." are a
# writer's temporary files and are left out.
digest() { (cd "$1" 2>/dev/null && sha256sum -- [!.]* 2>/dev/null) | sha256sum | cut -c1-64; }
log() { printf 'edge-live: %s\\n' "$*" >&2; }
check() { ${EDGE_LIVE_ENV}="$1" haproxy -c -f "$1/${EDGE_FILES.cfg}" 2>&1; }

run() {
  # The installer has run before the proxy was created; without it there is nothing to serve.
  [ -s "$live/${EDGE_FILES.cfg}" ] || { log "no $live/${EDGE_FILES.cfg}: the installer has not run"; exit 1; }
  export ${EDGE_LIVE_ENV}="$live"
  current=$(digest "$live")
  haproxy -W -db -f "$live/${EDGE_FILES.cfg}" &
  master=$!
  printf '%s\\n' "$current" >"$loaded.tmp" && mv -f "$loaded.tmp" "$loaded"
  # Docker's stop signal (SIGUSR1, a soft stop) and the others go to HAProxy's master.
  stopping=
  for s in USR1 TERM INT QUIT; do trap "stopping=1; kill -$s $master 2>/dev/null" $s; done
  while [ -z "$stopping" ] && kill -0 "$master" 2>/dev/null; do
    sleep "$poll" & wait $!
    [ -z "$stopping" ] || break
    now=$(digest "$live")
    [ "$now" != "$current" ] || continue
    # A writer renames one file at a time: act once the set has stopped changing.
    sleep 0.3
    [ "$(digest "$live")" = "$now" ] || continue
    current=$now
    if out=$(check "$live"); then
      kill -USR2 "$master"
      printf '%s\\n' "$now" >"$loaded.tmp" && mv -f "$loaded.tmp" "$loaded"
      log "reloaded ($now)"
    else
      printf 'refused %s\\n' "$now" >"$loaded.tmp" && mv -f "$loaded.tmp" "$loaded"
      log "kept the running config: haproxy -c refused the new one: $(printf '%s' "$out" | tr '\\n' ' ')"
    fi
  done
  # The master exits once its workers have finished (or hard-stop-after); wait for it. A
  # stopped proxy leaves no "loaded": an installer that runs meanwhile has no reload to wait for.
  rm -f "$loaded"
  status=0
  while :; do
    wait "$master"
    status=$?
    kill -0 "$master" 2>/dev/null || break
  done
  exit "$status"
}

# Wait until the running proxy has loaded what is in the live directory now.
wait_loaded() {
  local want
  want=$(digest "$live")
  for _ in $(seq 1 "\${1:-${EDGE_RELOAD.installWaitSeconds}}"); do
    case "$(cat "$loaded" 2>/dev/null)" in
      "$want") return 0 ;;
      "refused $want") log "the proxy refused the new files; its log says why"; return 1 ;;
    esac
    sleep 1
  done
  log "the proxy did not load the new files in \${1:-${EDGE_RELOAD.installWaitSeconds}} s: is it running?"
  return 1
}

install() {
  src=\${${EDGE_LIVE_ENV}:?}
  want=$(digest "$src")
  mkdir -p "$live" || exit 1
  # A restart of this container (the host rebooted) must not undo what a script has changed
  # since (maintenance on, a renewed certificate): install only a set not installed before.
  if [ "$(cat "$installed" 2>/dev/null)" != "$want" ]; then
    if ! out=$(check "$src"); then
      log "haproxy -c refused the new config; nothing was installed: $out"
      exit 1
    fi
    for f in ${EDGE_FILES.pem} ${EDGE_FILES.maintenance} ${EDGE_FILES.maintenancePage} ${EDGE_FILES.cfg}; do
      [ -e "$src/$f" ] || continue
      if [ "$f" = ${EDGE_FILES.pem} ] && [ -n "\${EDGE_KEEP_PEM_IF:-}" ] && [ -e "$EDGE_KEEP_PEM_IF" ]; then
        continue
      fi
      cp "$src/$f" "$live/.$f.tmp" && chmod 0600 "$live/.$f.tmp" && mv -f "$live/.$f.tmp" "$live/$f" || exit 1
    done
    printf '%s\\n' "$want" >"$installed.tmp" && mv -f "$installed.tmp" "$installed"
    # The first install comes before the proxy exists; later ones wait for its reload.
    if [ -e "$loaded" ]; then wait_loaded || exit 1; fi
    log "installed ($want)"
  fi
  : >"$mark"
  # Nothing left to do but stay healthy; as PID 1 it would ignore Docker's SIGTERM, so it
  # exits on it instead of waiting out the grace period for SIGKILL.
  trap 'exit 0' TERM INT
  sleep infinity &
  wait
}

case "\${1:-}" in
  run) run ;;
  install) install ;;
  wait) wait_loaded "\${2:-${EDGE_RELOAD.installWaitSeconds}}" ;;
  digest) digest "\${2:-$live}" ;;
  *) echo "usage: edge-live run|install|wait [seconds]|digest [dir] (state in $state)" >&2; exit 2 ;;
esac
`;
}

/** The characters a maintenance message may hold; it is HTML-escaped into the page. */
export const MAINTENANCE_MESSAGE_MAX = 500;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** The small page maintenance mode serves: the message, escaped; nothing else is loaded. */
export function renderMaintenancePage(message: string): string {
  const text = message.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>Down for maintenance</title>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    `<body><h1>Down for maintenance</h1><p>${text}</p></body></html>`,
    "",
  ].join("\n");
}

/** The maintenance ACL's pattern file: "on" switches it on, an empty file off. */
export function maintenanceFlag(on: boolean): string {
  return on ? "on\n" : "";
}
